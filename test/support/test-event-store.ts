import { randomBytes } from 'node:crypto';
import type { EventStore } from '#event-store';
import type { AppConfig } from '../../src/platform/config/config.ts';

/**
 * Which event store the e2e suite runs the service on: PostgreSQL (the default), or EventStoreDB when the run has
 * EVENT_STORE=eventstoredb and EVENTSTORE_CONNECTION_STRING (test/setup/global-setup.ts checks both and that the
 * server answers, before any spec runs). Read models and keys stay in each service's own PostgreSQL database.
 */
export type TestEventStoreKind = AppConfig['eventStore']['kind'];

export function testEventStoreKind(): TestEventStoreKind {
  return process.env.EVENT_STORE?.trim() === 'eventstoredb' ? 'eventstoredb' : 'postgres';
}

/** The environment a test service's configuration takes its store from. */
export function testEventStoreEnv(): Record<string, string> {
  if (testEventStoreKind() !== 'eventstoredb') return {};
  return { EVENT_STORE: 'eventstoredb', EVENTSTORE_CONNECTION_STRING: process.env.EVENTSTORE_CONNECTION_STRING ?? '' };
}

/**
 * On EventStoreDB, a stream namespace of the service's own. On PostgreSQL each test service has a database, hence a
 * log, of its own; every service of an EventStoreDB run shares one server, and the specs use the same ids (member
 * m-ada in a dozen files, run in parallel and again on the next run), so each sees only its own streams.
 */
export function withOwnStreamNamespace<Config extends AppConfig>(config: Config): Config {
  if (config.eventStore.kind !== 'eventstoredb') return config;
  return { ...config, eventStore: { ...config.eventStore, streamNamespace: `e2e${randomBytes(6).toString('hex')}` } };
}

/**
 * An assertion that only holds on PostgreSQL (one that edits stored bytes, which EventStoreDB never allows): on
 * EventStoreDB, `false` and one line saying what was skipped and why; the rest of the test still runs.
 */
export function onPostgresOnly(what: string, why: string): boolean {
  if (testEventStoreKind() === 'postgres') return true;
  process.stdout.write(`\n[eventstoredb] skipped: ${what} (${why})\n`);
  return false;
}

/** A connection of its own to a service's log (its namespace on EventStoreDB): for reading it after the service closed. */
export async function openEventLog(eventStore: AppConfig['eventStore'], databaseUrl: string): Promise<EventStore> {
  if (eventStore.kind === 'postgres') {
    const { PostgresEventStore } = await import('#event-store/postgres');
    return PostgresEventStore.create({ connectionString: databaseUrl });
  }
  const { EventStoreDbEventStore, NamespacedEventStore } = await import('#event-store/eventstoredb');
  const store = EventStoreDbEventStore.connect(eventStore.connectionString);
  return eventStore.streamNamespace ? new NamespacedEventStore(store, eventStore.streamNamespace) : store;
}
