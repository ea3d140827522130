import { withTimeout } from '../../libs/testing/src/with-timeout.ts';

/**
 * EVENT_STORE=eventstoredb asks for the proof on EventStoreDB: the run stops here, before any spec, with one message
 * when it cannot give it (no connection string, or a server that does not answer). Skipping instead would let a CI
 * job meant to prove the service on EventStoreDB pass green without having touched one. (Only where nothing was asked
 * for does a suite skip itself: the adapter's contract suite without EVENTSTORE_CONNECTION_STRING.)
 */
const ANSWER_WITHIN_MS = 15_000;

export async function checkTestEventStore(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const kind = env.EVENT_STORE?.trim() || 'postgres';
  if (kind === 'postgres') return 'event store: PostgreSQL (EVENT_STORE=eventstoredb for EventStoreDB)';
  if (kind !== 'eventstoredb') throw new Error(`[tests] EVENT_STORE must be postgres or eventstoredb (got "${kind}")`);
  const connectionString = env.EVENTSTORE_CONNECTION_STRING?.trim();
  if (!connectionString) {
    throw new Error(
      '[tests] EVENT_STORE=eventstoredb needs EVENTSTORE_CONNECTION_STRING (e.g. esdb://127.0.0.1:2113?tls=false); unset EVENT_STORE to test on PostgreSQL',
    );
  }
  const { EventStoreDbEventStore } = await import('../../libs/event-store/src/eventstoredb/index.ts');
  const started = Date.now();
  let store: Awaited<ReturnType<typeof EventStoreDbEventStore.connect>> | undefined;
  try {
    store = EventStoreDbEventStore.connect(connectionString);
    await withTimeout(store.headPosition(), ANSWER_WITHIN_MS);
  } catch (error) {
    // The connection string is not printed: it may carry credentials.
    throw new Error(
      `[tests] EVENT_STORE=eventstoredb, but the EventStoreDB server of EVENTSTORE_CONNECTION_STRING did not answer ` +
        `(${error instanceof Error ? error.message : String(error)}; after ${Date.now() - started} ms). ` +
        'Start one (docker compose -f docker/docker-compose.yml up -d eventstoredb) or unset EVENT_STORE to test on PostgreSQL.',
      { cause: error },
    );
  } finally {
    await store?.close().catch(() => undefined);
  }
  return `event store: EventStoreDB at EVENTSTORE_CONNECTION_STRING (answered in ${Date.now() - started} ms); each test service in a stream namespace of its own`;
}
