import { createClient, type Client } from 'graphql-ws';
import pg from 'pg';
import { Role } from '../../src/platform/auth/role.ts';
import { startTestService, type TestService } from '../support/test-service.ts';

const SUBSCRIPTION = 'subscription { governanceEvents { position } }';
const ME = JSON.stringify({ query: '{ me { id } }' });

interface Feed {
  readonly client: Client;
  readonly errors: { message: string; extensions?: Record<string, unknown> }[];
  done: boolean;
  unsubscribe: () => void;
}

function subscribe(t: TestService, token: string): Feed {
  const client = createClient({
    url: `${t.service.url.replace('http', 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
    retryAttempts: 0,
    lazy: true,
  });
  const feed: Feed = { client, errors: [], done: false, unsubscribe: () => undefined };
  feed.unsubscribe = client.subscribe(
    { query: SUBSCRIPTION },
    {
      next: () => undefined,
      error: (error) => {
        feed.errors.push(...(Array.isArray(error) ? error : [{ message: String(error) }]));
        feed.done = true;
      },
      complete: () => (feed.done = true),
    },
  );
  return feed;
}

async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const status = async (t: TestService, token: string | null) =>
  (
    await fetch(`${t.service.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: ME,
    })
  ).status;

/**
 * Two instances of the service on one database, as behind a load balancer: the rate limit and the subscription cap
 * hold per member across both (shared in PostgreSQL). Per instance, each would allow as much again.
 */
describe('limits across instances (two services on one database)', () => {
  let a: TestService;
  let b: TestService;
  let database: pg.Pool;
  const env = { RATE_LIMIT_PER_MINUTE: '10', MAX_SUBSCRIPTIONS_PER_TOKEN: '2', SCHEDULER_INTERVAL_MS: '3600000', LOG_SEALING: 'off' };

  beforeAll(async () => {
    a = await startTestService({ env });
    b = await startTestService({ env, sameDatabaseAs: a });
    database = new pg.Pool({ connectionString: a.database.url, max: 1 });
  });
  afterAll(async () => {
    await database?.end();
    await b?.close();
    await a?.close();
  });

  const liveRows = async (key: string) =>
    Number((await database.query<{ n: string }>('SELECT count(*) AS n FROM live_subscriptions WHERE key = $1', [key])).rows[0]!.n);

  test("a member's requests on both instances count against one allowance", async () => {
    const busy = await a.token('m-busy-across', Role.MEMBER);
    // Ten a minute in all, alternating: five on each instance.
    for (let i = 0; i < 10; i++) expect(await status(i % 2 ? b : a, busy)).toBe(200);
    // Per instance either would allow five more; together the allowance is spent.
    expect(await status(a, busy)).toBe(429);
    expect(await status(b, busy)).toBe(429);
    // Someone else is not affected, on either.
    const calm = await b.token('m-calm-across', Role.MEMBER);
    expect(await status(a, calm)).toBe(200);
    expect(await status(b, calm)).toBe(200);
  });

  test("a member's subscriptions on both instances are capped together; one ended on one instance frees a place on the other", async () => {
    const auditor = await a.token('auditor-across', Role.AUDITOR);
    const onA = subscribe(a, auditor);
    const onB = subscribe(b, auditor);
    const feeds = [onA, onB];
    try {
      await until(async () => (await liveRows('member:auditor-across')) === 2, 'both subscriptions to be live');
      // The third, on either instance, is refused: each holds only one.
      for (const t of [a, b]) {
        const third = subscribe(t, auditor);
        feeds.push(third);
        await until(() => third.done, 'the third subscription to be refused');
        expect(third.errors).toEqual([
          {
            message: 'at most 2 subscriptions at once per member: complete one before starting another',
            extensions: { code: 'RATE_LIMITED', maxSubscriptions: 2 },
          },
        ]);
      }
      expect(onA.done || onB.done).toBe(false);
      // Completed on B: its place is free on A.
      onB.unsubscribe();
      await until(async () => (await liveRows('member:auditor-across')) === 1, 'the completed subscription to be released');
      const again = subscribe(a, auditor);
      feeds.push(again);
      await until(async () => (await liveRows('member:auditor-across')) === 2, 'the new subscription on A to be live');
      expect(again.errors).toEqual([]);
    } finally {
      await Promise.all(feeds.map((feed) => feed.client.dispose()));
    }
  });

  // Last: it stops B (a third instance would need some 35 more connections of the test server).
  test("an instance that stops gives its members' places back to the others", async () => {
    const auditor = await a.token('auditor-stopping', Role.AUDITOR);
    const feeds = [subscribe(b, auditor), subscribe(b, auditor)];
    try {
      await until(async () => (await liveRows('member:auditor-stopping')) === 2, 'both subscriptions to be live on B');
      const refused = subscribe(a, auditor);
      feeds.push(refused);
      await until(() => refused.done, 'the subscription on A to be refused');
      expect(refused.errors[0]?.extensions).toEqual({ code: 'RATE_LIMITED', maxSubscriptions: 2 });
      await b.close();
      expect(await liveRows('member:auditor-stopping')).toBe(0);
      const accepted = subscribe(a, auditor);
      feeds.push(accepted);
      await until(async () => (await liveRows('member:auditor-stopping')) === 1, 'the subscription on A to be live');
      expect(accepted.errors).toEqual([]);
    } finally {
      await Promise.all(feeds.map((feed) => feed.client.dispose()));
    }
  });
});
