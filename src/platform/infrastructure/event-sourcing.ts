import pg from 'pg';
import type { DataSource } from 'typeorm';
import {
  EventSchemaRegistry,
  GovernanceEventStore,
  PostgresKeyStore,
  type EventSchemaDefinition,
  type EventStore,
  type StoredEvent,
} from '#event-store';
import { LogIndex, LogIndexedEventStore, logIndexProjection, needsLogIndex, ProjectionRunner, type AnyProjection } from '#projections';
import { endPoolFully, guardPoolClients } from '#postgres';
import { PostgresCommandInputs } from '../command/command-inputs.ts';
import type { AppConfig } from '../config/config.ts';
import { logger } from '../observability/logger.ts';
import { createReadModelDataSource, type ReadModelEntities } from './read-model-data-source.ts';
import { StableHeadWatch } from './stable-head-watch.ts';
import { SERVICE_POOL_IDLE_TIMEOUT_MS } from './pool-idle-timeout.ts';

/**
 * `readModelsCaughtUp(names)`: waits (up to `timeoutMs`, then ProjectionTimeoutError) until the named read models hold
 * every event of the log's head as it is at the call: the schedulers' SchedulerContext.readModelsCaughtUp.
 */
export function readModelsCaughtUpWith(
  eventSourcing: Pick<EventSourcing, 'store' | 'runner'>,
  timeoutMs: number,
): (readModels: readonly string[]) => Promise<void> {
  return async (readModels) => {
    const head = await eventSourcing.store.headPosition();
    await eventSourcing.runner.waitForPosition(head, readModels, timeoutMs);
  };
}

/** Everything the service keeps events and read models with, built once at start and closed at shutdown. */
export interface EventSourcing {
  readonly pool: pg.Pool;
  readonly store: EventStore;
  readonly events: GovernanceEventStore;
  readonly runner: ProjectionRunner<StoredEvent>;
  /**
   * The log index (a copy of the log in PostgreSQL) when the store cannot answer filtered reads of its log itself
   * (EventStoreDB), or when the parts ask for it: history and insights read it then. Undefined otherwise.
   */
  readonly logIndex: LogIndex | undefined;
  /** Read models, read through TypeORM. */
  readonly readModels: DataSource;
  /** Which input each commandId came with, for a day (beside the read models, never in the log). */
  readonly commandInputs: PostgresCommandInputs;
  close(): Promise<void>;
}

export interface EventSourcingParts {
  readonly schemas: readonly EventSchemaDefinition[];
  readonly projections: readonly AnyProjection<StoredEvent>[];
  /** The TypeORM entities of the read models, handed over by the caller: the platform knows no module. */
  readonly readModelEntities: ReadModelEntities;
  /** 'always': keep and read the log index on any store (tests of that path on PostgreSQL). Default: when needed. */
  readonly logIndex?: 'when-needed' | 'always';
}

export async function createEventSourcing(config: AppConfig, databaseUrl: string, parts: EventSourcingParts): Promise<EventSourcing> {
  // The write side's pool. Each projection holds one connection for its lock while it runs (see ProjectionRunner): the
  // pool has room for those and ten more for batches, keys, command inputs and read-your-writes waits. Reads of the
  // read models (the API's and the schedulers') go through the read side's data source, and the event store has its
  // own pool for the log.
  const store = await openEventStore(config, databaseUrl);
  // The log index is one more projection, fed like the others; the PostgreSQL store answers those reads itself.
  const withLogIndex = parts.logIndex === 'always' || needsLogIndex(store);
  const projections = withLogIndex ? [...parts.projections, logIndexProjection] : parts.projections;
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: projections.length + 10,
    idleTimeoutMillis: SERVICE_POOL_IDLE_TIMEOUT_MS,
  });
  pool.on('error', (error) => logger.warn('idle read-model connection lost', { error: error.message }));
  guardPoolClients(pool);
  const logIndex = withLogIndex ? new LogIndex(pool) : undefined;
  const keys = new PostgresKeyStore(pool);
  await keys.ensureSchema();
  const commandInputs = new PostgresCommandInputs(pool);
  await commandInputs.ensureSchema();
  const registry = new EventSchemaRegistry();
  for (const schema of parts.schemas) registry.register(schema);
  // History pages (the audit, the moderation's evidence, the export) from the log index when there is one.
  const events = new GovernanceEventStore({ store: logIndex ? new LogIndexedEventStore(store, logIndex) : store, schemas: registry, keys });
  const runner = await ProjectionRunner.create<StoredEvent>({
    store,
    pool,
    projections,
    deserialize: (event) => events.deserialize(event),
    log: ({ level, message, ...fields }) => logger[level](message, fields),
    // Checkpoints of one EVENT_STORE are meaningless in the other: switching on the same DATABASE_URL stops the start.
    eventLogIdentity: config.eventStore.kind,
  });
  // Every read of a read model goes through this one data source (TypeORM's repositories and its query()).
  const readModels = await createReadModelDataSource(databaseUrl, parts.readModelEntities);
  // On PostgreSQL every read model waits for the oldest transaction running anywhere on the server: say so when one
  // holds them back (see stable-head-watch.ts).
  const stableHead = config.eventStore.kind === 'postgres' ? watchStableHead(pool) : undefined;
  return {
    pool,
    store,
    events,
    runner,
    logIndex,
    readModels,
    commandInputs,
    async close() {
      stableHead?.stop();
      await runner.stop();
      await readModels.destroy();
      await store.close();
      // Until its connections have closed, not only until they were asked to: the embedded database stops next.
      await endPoolFully(pool);
    },
  };
}

/**
 * How long the stable head may stand still before the log says why. Far beyond any transaction of the service's own
 * (a projection's batch, an append, a migration's step take milliseconds to seconds) and beyond READ_MODEL_WAIT_MS's
 * default: what it explains is the hold that lasts, after mutations have begun to time out.
 */
const STABLE_HEAD_WARN_AFTER_MS = 30_000;

function watchStableHead(pool: pg.Pool): StableHeadWatch {
  const watch = new StableHeadWatch(pool, {
    intervalMs: 1_000,
    thresholdMs: STABLE_HEAD_WARN_AFTER_MS,
    onHeld: (holder) =>
      logger.warn(
        holder.pid === null
          ? "the log's stable head stands still: a transaction this database role may not see (another role's, maybe in another database of the same server) is still running; every read model waits for it to end, and mutations answer that the views did not catch up. A superuser finds it in pg_stat_activity (the oldest backend_xid)"
          : `the log's stable head stands still: a transaction of database "${holder.database}" (pid ${holder.pid}, ${holder.state ?? 'state unknown'}) is still running; every read model waits for it to end, and mutations answer that the views did not catch up. End it, or let the server end such sessions (idle_in_transaction_session_timeout)`,
        { ...holder },
      ),
    onReleased: (heldForMs) => logger.info("the log's stable head moves again", { heldForMs }),
  });
  watch.start();
  return watch;
}

async function openEventStore(config: AppConfig, databaseUrl: string): Promise<EventStore> {
  if (config.eventStore.kind === 'eventstoredb') {
    // Loaded only when chosen, so the default start does not load the gRPC client.
    const { EventStoreDbEventStore, NamespacedEventStore } = await import('#event-store/eventstoredb');
    const store = EventStoreDbEventStore.connect(config.eventStore.connectionString);
    // Set by the e2e suite only (its services share one server): each service sees its own streams.
    const namespace = config.eventStore.streamNamespace;
    return namespace ? new NamespacedEventStore(store, namespace) : store;
  }
  const { PostgresEventStore } = await import('#event-store/postgres');
  return PostgresEventStore.create({ connectionString: databaseUrl, poolIdleTimeoutMs: SERVICE_POOL_IDLE_TIMEOUT_MS });
}
