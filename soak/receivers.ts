/**
 * Where the service's notifications arrive, inside the soak process (so they outlive the service's SIGKILLs and
 * PostgreSQL's restarts): a real SMTP server (smtp-server, no TLS, no authentication; each message read with
 * mailparser) and a real HTTP receiver for the webhook, which verifies every request with the Standard Webhooks
 * library (standardwebhooks), as a team channel would. Both keep every arrival, repeats included: the checker counts
 * them by Message-ID and webhook-id (./notifications-check.ts).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { Counter } from './util.ts';

export interface ReceivedMail {
  readonly messageId: string;
  /** The recipients' addresses (the To header), lower-cased. */
  readonly to: readonly string[];
  readonly subject: string;
  readonly receivedAt: string;
}

/** The SMTP server: accepts every message for every recipient and keeps its Message-ID, recipients and subject. */
export class SmtpSink {
  readonly received: ReceivedMail[] = [];
  /** Connections that ended in an error (a service killed mid-message): the message was not accepted. */
  readonly errors = new Counter();
  private server: SMTPServer | undefined;

  async start(): Promise<string> {
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData: (stream, _session, callback) => {
        simpleParser(stream).then(
          (mail) => {
            const to = (Array.isArray(mail.to) ? mail.to : mail.to ? [mail.to] : []).flatMap((group) =>
              group.value.map((address) => (address.address ?? '').toLowerCase()),
            );
            this.received.push({ messageId: mail.messageId ?? '', to, subject: mail.subject ?? '', receivedAt: new Date().toISOString() });
            callback();
          },
          (error: Error) => {
            this.errors.add(`unparsable: ${error.message.slice(0, 60)}`);
            callback(error);
          },
        );
      },
    });
    // A client that vanished mid-session (the service was SIGKILLed) is an 'error' on the server: counted, not fatal.
    server.on('error', (error: Error & { code?: string }) => this.errors.add(error.code ?? error.message.slice(0, 60)));
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    return new Promise((resolve) => (server ? server.close(() => resolve()) : resolve()));
  }
}

export interface ReceivedWebhook {
  readonly webhookId: string;
  /** The event the body names (`data.eventId`), and its type and stream, to compare with the log. */
  readonly eventId: string | null;
  readonly eventType: string | null;
  readonly streamId: string | null;
  /**
   * `verified`: standardwebhooks' verify() accepted it. `verified-timestamp-skewed`: the signature is right (the
   * library's sign() over the request's own webhook-timestamp gives one of its signatures) but the timestamp is more
   * than the library's 5 minutes from this process's clock: the service signs with its schedulers' clock, which the
   * soak's clock-jump faults move by days. `invalid`: no signature matches (answered 401, a discrepancy).
   */
  readonly verification: 'verified' | 'verified-timestamp-skewed' | 'invalid';
  /** webhook-timestamp minus the time it arrived, seconds. */
  readonly skewS: number;
  readonly receivedAt: string;
}

/** The webhook's receiver: verifies, keeps every request, answers 204 (401 to one whose signature does not verify). */
export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  /** Requests that ended before their body did (the service was SIGKILLed mid-request). */
  aborted = 0;
  /** The webhook's secret(s), learnt when it is registered (registerWebhook answers it once). */
  secrets: string[] = [];
  private server: Server | undefined;

  async start(): Promise<string> {
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('error', () => this.aborted++);
      request.on('aborted', () => this.aborted++);
      request.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const headers = request.headers as Record<string, string>;
        const received = this.receive(body, headers);
        this.received.push(received);
        response.writeHead(received.verification === 'invalid' ? 401 : 204).end();
      });
    });
    server.on('clientError', (_error, socket) => socket.destroy());
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  private receive(body: string, headers: Record<string, string>): ReceivedWebhook {
    const timestamp = Number(headers['webhook-timestamp']);
    let payload: { data?: { eventId?: unknown; eventType?: unknown; streamId?: unknown } } = {};
    try {
      payload = JSON.parse(body) as typeof payload;
    } catch {
      // not JSON: the ids stay null, and the checker reports the message
    }
    const text = (value: unknown) => (typeof value === 'string' ? value : null);
    return {
      webhookId: headers['webhook-id'] ?? '',
      eventId: text(payload.data?.eventId),
      eventType: text(payload.data?.eventType),
      streamId: text(payload.data?.streamId),
      verification: this.verify(body, headers, timestamp),
      skewS: Number.isFinite(timestamp) ? Math.round(timestamp - Date.now() / 1000) : Number.NaN,
      receivedAt: new Date().toISOString(),
    };
  }

  private verify(body: string, headers: Record<string, string>, timestamp: number): ReceivedWebhook['verification'] {
    for (const secret of this.secrets) {
      const webhook = new StandardWebhook(secret);
      try {
        webhook.verify(body, headers);
        return 'verified';
      } catch {
        // Perhaps only the timestamp is out of the library's tolerance: the signature over that timestamp decides.
        if (!Number.isFinite(timestamp)) continue;
        const expected = webhook.sign(headers['webhook-id'] ?? '', new Date(timestamp * 1000), body).split(',')[1];
        const given = (headers['webhook-signature'] ?? '').split(' ').map((signature) => signature.split(',')[1]);
        if (expected !== undefined && given.includes(expected)) return 'verified-timestamp-skewed';
      }
    }
    return 'invalid';
  }

  stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    return new Promise((resolve) => {
      if (!server) return resolve();
      server.closeAllConnections();
      server.close(() => resolve());
    });
  }
}
