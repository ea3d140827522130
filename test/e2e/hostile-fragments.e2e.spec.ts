import { createClient, type Client } from 'graphql-ws';
import { QUERY_LIMITS } from '../../src/platform/security/index.ts';
import { startTestService, type TestService } from '../support/test-service.ts';
import { post } from '../security/schema-operations.ts';

/**
 * Fragments that each spread the next one twice: 2 spreads per fragment in the document, 2^FRAGMENTS paths through
 * them, in under 2 KB and without a token. Walking every path, as the depth and cost checks once did, took 5-9 s at
 * 23 fragments and twice as long with each one more (days at 40); measuring each fragment once takes milliseconds.
 */
const FRAGMENTS = 40;
/** Generous for a loopback round trip plus validation on a loaded 2-core machine; the old walk needed seconds at 23. */
const BUDGET_MS = 100;

function doublingFragments(operation: string, root: string, leaf: string, count = FRAGMENTS): string {
  const fragments = Array.from({ length: count }, (_, i) =>
    i < count - 1 ? `fragment F${i} on ${root} { ...F${i + 1} ...F${i + 1} }` : `fragment F${i} on ${root} { ${leaf} }`,
  );
  return `${operation} { ...F0 } ${fragments.join(' ')}`;
}

const ORDINARY = 'query Q { ...Root } fragment Root on Query { __typename }';
/** Refused by the same check (see hostile-limits.e2e.spec.ts): 40 pages of 100 members. */
const ORDINARY_TOO_EXPENSIVE = `{ ${Array.from({ length: 40 }, (_, i) => `p${i}: members(first: 100) { edges { node { id } } }`).join(' ')} }`;
const HOSTILE_QUERY = doublingFragments('query Q', 'Query', 'me { id }');
const HOSTILE_SUBSCRIPTION = doublingFragments('subscription S', 'Subscription', 'governanceEvents { position }');

async function timed<T>(work: Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await work;
  return { value, ms: performance.now() - started };
}

const health = async (t: TestService) => (await fetch(`${t.service.url}/health/live`)).status;

describe('hostile fragments: a document whose spreads double at every fragment is refused at once', () => {
  let t: TestService;
  const clients: Client[] = [];

  beforeAll(async () => {
    t = await startTestService({ env: { SCHEDULER_INTERVAL_MS: '3600000' } });
    // The first requests of a fresh service pay for compiling the code they take (tens of ms each on a busy machine):
    // ordinary requests go first, as the ones measured go (a query and /health/live at once), and an ordinary refusal
    // by the same check, so that what is measured is what the fragments add.
    for (let i = 0; i < 5; i++) await Promise.all([post(t, JSON.stringify({ query: ORDINARY }), null), health(t)]);
    await post(t, JSON.stringify({ query: ORDINARY_TOO_EXPENSIVE }), null);
  });
  afterAll(async () => {
    await Promise.all(clients.map((client) => client.dispose()));
    await t?.close();
  });

  test(`over HTTP without a token: 400 GRAPHQL_VALIDATION_FAILED within ${BUDGET_MS} ms, and /health/live answers meanwhile`, async () => {
    expect(HOSTILE_QUERY.length).toBeLessThan(2_048);
    const [hostile, live] = await Promise.all([timed(post(t, JSON.stringify({ query: HOSTILE_QUERY }), null)), timed(health(t))]);
    expect({ status: hostile.value.status, codes: hostile.value.codes }).toEqual({ status: 400, codes: ['GRAPHQL_VALIDATION_FAILED'] });
    expect(hostile.value.json?.errors?.[0]?.message).toMatch(/too expensive/);
    expect(live.value).toBe(200);
    expect(hostile.ms).toBeLessThan(BUDGET_MS);
    expect(live.ms).toBeLessThan(BUDGET_MS);
  });

  /** A graphql-ws client without a token, connected before anything is timed. */
  async function connectedClient(): Promise<Client> {
    let connected!: () => void;
    const ready = new Promise<void>((resolve) => (connected = resolve));
    const client = createClient({
      url: `${t.service.url.replace('http', 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      lazy: false,
      on: { connected: () => connected() },
    });
    clients.push(client);
    await ready;
    return client;
  }

  const refusalOver = (client: Client, query: string) =>
    new Promise<{ message: string; extensions?: Record<string, unknown> }[]>((resolve) => {
      client.subscribe(
        { query },
        {
          next: () => resolve([{ message: 'unexpected result' }]),
          error: (error) => resolve(Array.isArray(error) ? error : [{ message: String(error) }]),
          complete: () => resolve([{ message: 'completed without an error' }]),
        },
      );
    });

  test(`over WebSocket without a token: a validation error within ${BUDGET_MS} ms, and /health/live answers meanwhile`, async () => {
    const client = await connectedClient();
    await refusalOver(client, ORDINARY_TOO_EXPENSIVE);
    for (const query of [HOSTILE_SUBSCRIPTION, HOSTILE_QUERY]) {
      const [hostile, live] = await Promise.all([timed(refusalOver(client, query)), timed(health(t))]);
      expect(hostile.value[0]).toMatchObject({
        extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
        message: expect.stringMatching(/too expensive/),
      });
      expect(live.value).toBe(200);
      expect(hostile.ms).toBeLessThan(BUDGET_MS);
      expect(live.ms).toBeLessThan(BUDGET_MS);
    }
  });

  test(`more than ${QUERY_LIMITS.maxFragments} fragments or ${QUERY_LIMITS.maxFragmentSpreads} spreads are refused before GraphQL's own rules run, over HTTP and WebSocket`, async () => {
    // Cheap by every other measure: one field each, each spread once.
    const fragments = (count: number) =>
      `query Q { ${Array.from({ length: count }, (_, i) => `...F${i}`).join(' ')} } ` +
      Array.from({ length: count }, (_, i) => `fragment F${i} on Query { __typename }`).join(' ');
    const spreads = (count: number) => `query Q { ${'...F '.repeat(count)}} fragment F on Query { __typename }`;
    const client = await connectedClient();
    for (const [query, message] of [
      [fragments(QUERY_LIMITS.maxFragments + 1), /defines 101 fragments; at most 100/],
      [spreads(QUERY_LIMITS.maxFragmentSpreads + 1), /spreads fragments 501 times; at most 500/],
    ] as const) {
      // Validation ends there, as GraphQL's own budget ends it: nothing else was checked, and the answer says so.
      const refused = [
        { message: expect.stringMatching(message), extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } },
        { message: 'Validation aborted.', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } },
      ];
      const overHttp = await post(t, JSON.stringify({ query }), null);
      expect({ status: overHttp.status, errors: overHttp.json?.errors }).toEqual({ status: 400, errors: refused });
      expect(await refusalOver(client, query)).toEqual(refused);
    }
    // At the caps, the same documents run.
    for (const query of [fragments(QUERY_LIMITS.maxFragments), spreads(QUERY_LIMITS.maxFragmentSpreads)]) {
      const overHttp = await post(t, JSON.stringify({ query }), null);
      expect({ status: overHttp.status, codes: overHttp.codes, data: overHttp.json?.data }).toEqual({
        status: 200,
        codes: [],
        data: { __typename: 'Query' },
      });
    }
  });
});
