import { createHash, randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { createRequire } from 'node:module';
import { SignJWT } from 'jose';
import { createClient } from 'graphql-ws';
import { Role } from '../../src/platform/auth/role.ts';
import { startTestService, type TestService } from '../support/test-service.ts';
import { testMetadata } from '../support/event-metadata.ts';
import { eventCount, post } from '../security/schema-operations.ts';

/** test/support/test-service.ts signs with this secret; tokens with an exp of our choosing are signed here. */
const SECRET = 'e2e-secret-that-is-long-enough-for-hs256-0123456789';
const LIMIT = 4;

/** The `ws` client (no types installed): unlike the global WebSocket it shows a refused upgrade's status and can stop reading. */
interface RawSocket {
  on(event: 'open', listener: () => void): void;
  on(event: 'message', listener: (data: Buffer) => void): void;
  on(event: 'close', listener: (code: number, reason: Buffer) => void): void;
  on(event: 'unexpected-response', listener: (request: unknown, response: IncomingMessage) => void): void;
  on(event: 'error', listener: (error: Error) => void): void;
  send(data: string): void;
  close(): void;
  terminate(): void;
  pause(): void;
  resume(): void;
}
const RawWebSocket = createRequire(import.meta.url)('ws') as new (url: string, protocol: string) => RawSocket;

interface Message {
  type: string;
  id?: string;
  payload?: { data?: { governanceEvents?: { position: string; type: string } }; errors?: unknown[] };
}

/** One graphql-transport-ws connection, spoken by hand: what a hostile (or stalled) client does, step by step. */
class Connection {
  readonly socket: RawSocket;
  readonly messages: Message[] = [];
  /** 'open', or the HTTP status the upgrade was refused with. */
  readonly opened: Promise<'open' | number>;
  readonly closed: Promise<{ code: number; reason: string }>;
  received = 0;

  constructor(t: TestService) {
    this.socket = new RawWebSocket(`${t.service.url.replace('http', 'ws')}/graphql`, 'graphql-transport-ws');
    this.opened = new Promise((resolve) => {
      this.socket.on('open', () => resolve('open'));
      this.socket.on('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
    });
    this.closed = new Promise((resolve) => this.socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
    this.socket.on('error', () => undefined);
    this.socket.on('message', (data) => {
      this.received += data.length;
      this.messages.push(JSON.parse(data.toString()) as Message);
    });
  }

  init(token?: string): void {
    this.socket.send(JSON.stringify({ type: 'connection_init', payload: token ? { authorization: `Bearer ${token}` } : {} }));
  }

  /** The protocol: nothing may be subscribed before the server acknowledged connection_init. */
  acknowledged(): Promise<void> {
    return until(() => this.messages.some((m) => m.type === 'connection_ack'), 'the acknowledgement');
  }

  subscribe(id: string, query: string, variables: Record<string, unknown> = {}): void {
    this.socket.send(JSON.stringify({ id, type: 'subscribe', payload: { query, variables } }));
  }

  next(): { position: string; type: string }[] {
    return this.messages.flatMap((m) => (m.type === 'next' && m.payload?.data?.governanceEvents ? [m.payload.data.governanceEvents] : []));
  }
}

const SUBSCRIPTION = `subscription($filter: GovernanceHistoryFilter, $after: String) {
  governanceEvents(filter: $filter, afterPosition: $after) { position type data }
}`;

async function until(condition: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms))),
  ]);
}

/** The service's log lines (JSON on stdout, see src/platform/observability/logger.ts) while a test runs. */
function captureLog(): { lines: { level: string; message: string; [field: string]: unknown }[]; stop(): void } {
  const lines: { level: string; message: string }[] = [];
  const write = process.stdout.write;
  process.stdout.write = function (this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]) {
    for (const line of String(chunk).split('\n')) {
      if (!line.startsWith('{')) continue;
      try {
        lines.push(JSON.parse(line) as { level: string; message: string });
      } catch {
        // not a log line
      }
    }
    return (write as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
  } as typeof process.stdout.write;
  return { lines, stop: () => (process.stdout.write = write) };
}

const tokenFor = (sub: string, roles: Role[], expiresInSeconds: number) =>
  new SignJWT({ sub, roles })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + expiresInSeconds)
    .sign(new TextEncoder().encode(SECRET));

describe(`WebSocket connections: at most ${LIMIT} per address until they authenticate, tokens that expire, slow subscribers`, () => {
  let t: TestService;
  let manager: string;
  const open: Connection[] = [];
  /** Events appended straight to the store: this spec is about connections, not about the mutations. */
  const appendTo = (streamId: string, ...events: { type: string; data: Record<string, unknown> }[]) =>
    t.service.eventSourcing.events.append(streamId, events, { expectedRevision: 'any', metadata: testMetadata(new Date().toISOString()) });
  const connect = () => {
    const connection = new Connection(t);
    open.push(connection);
    return connection;
  };

  beforeAll(async () => {
    t = await startTestService({ env: { MAX_WS_CONNECTIONS_PER_ADDRESS: String(LIMIT), SCHEDULER_INTERVAL_MS: '3600000' } });
    manager = await t.token('cm-ws', Role.COMMUNITY_MANAGER);
  });
  afterEach(async () => {
    for (const connection of open.splice(0)) connection.socket.terminate();
    // The server sees the connections go and gives their places back.
    await new Promise((resolve) => setTimeout(resolve, 100));
  });
  afterAll(async () => {
    await t?.close();
  });

  test(`upgrades beyond ${LIMIT} from one address are refused (429) before any connection_init; a closed one frees its place`, async () => {
    const first = Array.from({ length: LIMIT }, connect);
    expect(await Promise.all(first.map((c) => c.opened))).toEqual(Array(LIMIT).fill('open'));
    expect(await connect().opened).toBe(429);
    first[0]!.socket.close();
    await first[0]!.closed;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await connect().opened).toBe('open');
  });

  test('a connection whose connection_init carries no valid token is closed (4401) within a few seconds', async () => {
    const anonymous = connect();
    const forged = connect();
    await Promise.all([anonymous.opened, forged.opened]);
    anonymous.init();
    forged.init(`${manager.slice(0, -4)}AAAA`);
    // Meanwhile it is answered as before: a subscription is refused as UNAUTHENTICATED.
    await anonymous.acknowledged();
    anonymous.subscribe('1', SUBSCRIPTION);
    // (A resolver's refusal comes as a result with errors.)
    const refusal = () => anonymous.messages.find((m) => m.type === 'error' || (m.type === 'next' && 'errors' in (m.payload ?? {})));
    await until(() => refusal() !== undefined, 'the refusal');
    expect(JSON.stringify(refusal())).toMatch(/UNAUTHENTICATED.*bearer token|bearer token.*UNAUTHENTICATED/);
    for (const connection of [anonymous, forged]) {
      const closed = await within(connection.closed, 8_000, 'the connection to be closed');
      expect(closed.code).toBe(4401);
      expect(closed.reason).toMatch(/bearer token/);
    }
  });

  test(`authenticated connections leave the address's count and count for their member instead (at most ${LIMIT})`, async () => {
    const members = Array.from({ length: LIMIT }, connect);
    await Promise.all(members.map((c) => c.opened));
    members.forEach((c) => c.init(manager));
    await Promise.all(members.map((c) => c.acknowledged()));
    // The address has its places again for connections still to authenticate ...
    const pending = Array.from({ length: LIMIT }, connect);
    expect(await Promise.all(pending.map((c) => c.opened))).toEqual(Array(LIMIT).fill('open'));
    // ... and the member is at its limit: one more of theirs is closed as it authenticates.
    pending[0]!.init(await t.token('cm-ws', Role.AUDITOR));
    const closed = await within(pending[0]!.closed, 5_000, 'the extra connection to be closed');
    expect(closed).toEqual({ code: 1008, reason: `at most ${LIMIT} WebSocket connections per member: close one first` });
    // Another member is not affected.
    pending[1]!.init(await t.token('auditor-ws', Role.AUDITOR));
    await pending[1]!.acknowledged();
  });

  test('a subscription ends when its token expires (4401, with the reason); a fresh token resumes with afterPosition', async () => {
    const memberId = `m-${randomUUID().slice(0, 8)}`;
    await appendTo(`member-${memberId}`, { type: 'MemberUpdated', data: { memberId, department: 'Ops' } });
    const shortLived = await tokenFor('auditor-exp', [Role.AUDITOR], 3);
    const expiresAt = Date.now() + 3_000;
    const feed = connect();
    await feed.opened;
    feed.init(shortLived);
    await feed.acknowledged();
    feed.subscribe('1', SUBSCRIPTION, { filter: { streamId: `member-${memberId}` }, after: '0:0' });
    await until(() => feed.next().length === 1, 'the history');
    const closed = await within(feed.closed, 8_000, 'the connection to be closed at exp');
    expect(Date.now()).toBeGreaterThanOrEqual(expiresAt - 1_000);
    expect(closed).toEqual({ code: 4401, reason: 'the token expired: reconnect with a fresh token and resume with afterPosition' });

    // What happens while the subscriber is away, it gets on resuming from its last position.
    await appendTo(`member-${memberId}`, { type: 'MemberLeft', data: { memberId, reason: null } });
    const resumed = connect();
    await resumed.opened;
    resumed.init(await tokenFor('auditor-exp', [Role.AUDITOR], 60));
    await resumed.acknowledged();
    resumed.subscribe('1', SUBSCRIPTION, { filter: { streamId: `member-${memberId}` }, after: feed.next()[0]!.position });
    await until(() => resumed.next().length === 1, 'the missed event');
    expect(resumed.next().map((e) => e.type)).toEqual(['MemberLeft']);
  });

  test('a subscriber that stops reading is closed with 1008 and the reason, logged as a warning, not as an error', async () => {
    const log = captureLog();
    try {
      const streamId = `member-flood-${randomUUID().slice(0, 8)}`;
      const append = (department: string, n = 1) =>
        appendTo(streamId, ...Array.from({ length: n }, () => ({ type: 'MemberUpdated', data: { memberId: 'flood', department } })));
      const slow = connect();
      await slow.opened;
      slow.init(manager);
      await slow.acknowledged();
      // From the start of the log (the stream is new): without afterPosition the subscription starts at the head, and
      // under load an append right after subscribing may be recorded before that head is taken (seen in a full run).
      slow.subscribe('1', SUBSCRIPTION, { filter: { streamId }, after: '0:0' });
      await append('first');
      await until(() => slow.next().length === 1, 'the subscription to be live');

      // It stops reading: its kernel buffers fill, then the service's side. Events pour in until the service drops it
      // (at most 256 MB, far more than any socket buffers hold, or 15 s: well within the keep-alive's 12 s + 12 s).
      slow.socket.pause();
      const big = 'x'.repeat(64 * 1024);
      const dropped = () => log.lines.some((line) => line.level === 'warn' && /too slow/.test(String(line['reason'])));
      const deadline = Date.now() + 15_000;
      for (let appended = 0; !dropped() && appended < 256 * 1024 * 1024 && Date.now() < deadline; appended += 8 * big.length) {
        await append(big, 8);
      }
      await until(dropped, 'the slow subscriber to be dropped');

      slow.socket.resume();
      const closed = await within(slow.closed, 20_000, 'the close frame after the backlog');
      expect(closed).toEqual({ code: 1008, reason: 'too slow: over 1024 KiB of events unread; resume with afterPosition' });
      expect(log.lines.filter((line) => line.level === 'error')).toEqual([]);
      expect(log.lines.find((line) => line.level === 'warn' && /too slow/.test(String(line['reason'])))).toMatchObject({
        message: 'slow subscriber disconnected',
        memberId: 'cm-ws',
      });
    } finally {
      log.stop();
    }
  }, 60_000);
});

describe('production (NODE_ENV=production): WebSocket answers as HTTP does; persisted queries', () => {
  let t: TestService;
  let manager: string;

  beforeAll(async () => {
    t = await startTestService({ env: { NODE_ENV: 'production', RATE_LIMIT_PER_MINUTE: '0', LOG_SEALING: 'off' } });
    manager = await t.token('cm-prod-ws', Role.COMMUNITY_MANAGER);
  });
  afterAll(async () => {
    await t?.close();
  });

  test('a validation error reads the same over WebSocket as over HTTP: no "Did you mean ...?"', async () => {
    const typo = 'subscription { governanceEvent { position } }';
    const overHttp = await post(t, JSON.stringify({ query: typo }), manager);
    const client = createClient({
      url: `${t.service.url.replace('http', 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${manager}` },
      retryAttempts: 0,
    });
    try {
      const overWs = await new Promise<unknown>((resolve) =>
        client.subscribe({ query: typo }, { next: () => undefined, error: resolve, complete: () => resolve([]) }),
      );
      expect(overHttp.json?.errors).toEqual([
        expect.objectContaining({
          message: 'Cannot query field "governanceEvent" on type "Subscription".',
          extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
        }),
      ]);
      expect(JSON.stringify(overWs)).not.toMatch(/Did you mean/);
      expect((overWs as { message: string }[]).map((error) => error.message)).toEqual(overHttp.json!.errors!.map((error) => error.message));
    } finally {
      await client.dispose();
    }
  });

  test('a variable of the wrong shape: the same client error over WebSocket as over HTTP, no "Did you mean ...?", nothing logged', async () => {
    const log = captureLog();
    const client = createClient({
      url: `${t.service.url.replace('http', 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${manager}` },
      retryAttempts: 0,
    });
    try {
      const query = 'subscription($filter: GovernanceHistoryFilter) { governanceEvents(filter: $filter) { position } }';
      const variables = { filter: { categry: 'member' } };
      const overHttp = await post(t, JSON.stringify({ query, variables }), manager);
      const overWs = await new Promise<{ message: string; extensions?: unknown }[]>((resolve) =>
        client.subscribe(
          { query, variables },
          {
            next: (result) => resolve((result.errors ?? []) as { message: string }[]),
            error: (errors) => resolve(errors as { message: string }[]),
            complete: () => resolve([]),
          },
        ),
      );
      expect(overHttp.codes).toEqual(['BAD_USER_INPUT']);
      expect(overHttp.text).not.toMatch(/Did you mean/);
      expect(overWs.map(({ message, extensions }) => ({ message, extensions }))).toEqual(
        overHttp.json!.errors!.map(({ message, extensions }) => ({ message, extensions })),
      );
      expect(log.lines.filter((line) => line.level === 'error')).toEqual([]);
    } finally {
      log.stop();
      await client.dispose();
    }
  });

  test('an automatic persisted query is refused as PERSISTED_QUERY_NOT_SUPPORTED, a client error, and nothing is logged as an error', async () => {
    const log = captureLog();
    try {
      const query = '{ me { id } }';
      const sha256Hash = createHash('sha256').update(query).digest('hex');
      const before = await eventCount(t);
      for (const body of [
        { extensions: { persistedQuery: { version: 1, sha256Hash } } },
        { query, extensions: { persistedQuery: { version: 1, sha256Hash } } },
      ]) {
        const answer = await post(t, JSON.stringify(body), manager);
        expect({ status: answer.status, codes: answer.codes }).toEqual({ status: 400, codes: ['PERSISTED_QUERY_NOT_SUPPORTED'] });
        // Apollo's own message, which APQ clients recognise and then send the whole query.
        expect(answer.json?.errors?.[0]?.message).toBe('PersistedQueryNotSupported');
      }
      expect(await eventCount(t)).toBe(before);
      expect(log.lines.filter((line) => line.level === 'error')).toEqual([]);
    } finally {
      log.stop();
    }
  });
});
