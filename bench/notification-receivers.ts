/**
 * The receiving end of bench/notifications.bench.ts, in a worker thread of its own: an HTTP receiver for the webhooks
 * and an SMTP server for the e-mails. In a thread of their own, the hundreds of requests and messages a second they
 * take do not delay the load generator's timers in the main thread (whose mutation latencies are the measurement).
 *
 * - Webhooks: every POST is answered 204 at once; its `webhook-id` is counted per path (one path per webhook), so a
 *   repeat shows as a duplicate. Every `verifyEvery`-th request of a path is verified with the `standardwebhooks`
 *   package against the secret the main thread gave for that path (as a receiver in the wild would).
 * - E-mails: an SMTP server without TLS or authentication; every message's `Message-ID` header is counted, so a
 *   repeat shows as a duplicate, with the envelope's recipient.
 *
 * The main thread asks by message: `{ id, kind: 'stats' }`, `{ id, kind: 'ids', path }` (a webhook path's ids, or the
 * e-mails' with path 'smtp'), `{ id, kind: 'secret', path, secret }`, `{ id, kind: 'close' }`; each answered with
 * `{ id, result }`. Arrival times are wall-clock milliseconds (performance.timeOrigin + performance.now()), so the
 * main thread can compare them with its own.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import { SMTPServer } from 'smtp-server';
import { Webhook as StandardWebhook } from 'standardwebhooks';

export interface ReceiverCounts {
  /** Distinct ids received. */
  unique: number;
  /** Requests or messages received, repeats included. */
  received: number;
  /** Ids received more than once (each counted once per repeat). */
  duplicates: number;
  /** Wall-clock ms of the first and last arrival. */
  firstAt: number | null;
  lastAt: number | null;
  /** Sample signature checks (webhooks only). */
  verified: number;
  verifyFailed: number;
  /** Requests without an id header, or messages without a Message-ID. */
  withoutId: number;
}

export interface ReceiversStarted {
  readonly webhookPort: number;
  readonly smtpPort: number;
}

const wallNow = () => performance.timeOrigin + performance.now();

class Counter {
  readonly ids = new Map<string, string>();
  readonly counts: ReceiverCounts = {
    unique: 0,
    received: 0,
    duplicates: 0,
    firstAt: null,
    lastAt: null,
    verified: 0,
    verifyFailed: 0,
    withoutId: 0,
  };
  /** Records one arrival; answers whether it was the first with this id. */
  arrived(id: string | undefined, detail = ''): boolean {
    const at = wallNow();
    this.counts.received++;
    this.counts.firstAt ??= at;
    this.counts.lastAt = at;
    if (!id) {
      this.counts.withoutId++;
      return false;
    }
    if (this.ids.has(id)) {
      this.counts.duplicates++;
      return false;
    }
    this.ids.set(id, detail);
    this.counts.unique++;
    return true;
  }
}

const { host, verifyEvery } = workerData as { host: string; verifyEvery: number };
const webhooks = new Map<string, Counter>();
const secrets = new Map<string, StandardWebhook>();
const mail = new Counter();
const webhookCounter = (path: string) => {
  let counter = webhooks.get(path);
  if (!counter) webhooks.set(path, (counter = new Counter()));
  return counter;
};

const http = createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    const path = (request.url ?? '/').split('?')[0]!;
    const counter = webhookCounter(path);
    const id = request.headers['webhook-id'] as string | undefined;
    counter.arrived(id);
    if (counter.counts.received % verifyEvery === 1 || verifyEvery === 1) {
      const verifier = secrets.get(path);
      try {
        if (!verifier) throw new Error('no secret for this path');
        verifier.verify(Buffer.concat(chunks).toString('utf8'), request.headers as Record<string, string>);
        counter.counts.verified++;
      } catch {
        counter.counts.verifyFailed++;
      }
    }
    response.writeHead(204).end();
  });
});
// Keep-alive connections from the dispatcher's agent stay open between passes.
http.keepAliveTimeout = 60_000;

const smtp = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS', 'AUTH'],
  logger: false,
  onData(stream, session, callback) {
    let head = '';
    let headDone = false;
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      if (headDone) return;
      head += chunk;
      const end = head.search(/\r?\n\r?\n/);
      if (end !== -1) {
        head = head.slice(0, end);
        headDone = true;
      }
    });
    stream.on('end', () => {
      // Folded header lines are unfolded before the Message-ID is looked for.
      const messageId = /^message-id:\s*(<[^>\r\n]+>)/im.exec(head.replace(/\r?\n[ \t]+/g, ' '))?.[1];
      mail.arrived(messageId, session.envelope.rcptTo.map((to) => to.address).join(','));
      callback();
    });
  },
});

async function start(): Promise<ReceiversStarted> {
  await new Promise<void>((resolve) => http.listen(0, host, resolve));
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  return { webhookPort: (http.address() as AddressInfo).port, smtpPort: (smtp.server.address() as AddressInfo).port };
}

type Request =
  | { id: number; kind: 'stats' }
  | { id: number; kind: 'ids'; path: string }
  | { id: number; kind: 'secret'; path: string; secret: string }
  | { id: number; kind: 'close' };

parentPort!.on('message', (request: Request) => {
  const answer = (result: unknown) => parentPort!.postMessage({ id: request.id, result });
  switch (request.kind) {
    case 'stats':
      answer({ webhooks: Object.fromEntries([...webhooks].map(([path, c]) => [path, c.counts])), mail: mail.counts });
      return;
    case 'ids': {
      const counter = request.path === 'smtp' ? mail : webhooks.get(request.path);
      answer(counter ? [...counter.ids] : []);
      return;
    }
    case 'secret':
      secrets.set(request.path, new StandardWebhook(request.secret));
      answer(true);
      return;
    case 'close':
      http.closeAllConnections();
      void Promise.all([
        new Promise<void>((resolve) => http.close(() => resolve())),
        new Promise<void>((resolve) => smtp.close(() => resolve())),
      ]).then(() => answer(true));
      return;
  }
});

start().then(
  (started) => parentPort!.postMessage({ id: 0, result: started }),
  (error: unknown) => parentPort!.postMessage({ id: 0, error: (error as Error).message }),
);
