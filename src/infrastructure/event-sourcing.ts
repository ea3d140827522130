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
import { ProjectionRunner, type ProjectionDefinition } from '#projections';
import type { AppConfig } from '../config/config.ts';
import { logger } from '../observability/logger.ts';
import { createReadModelDataSource } from './read-model-data-source.ts';

/** Everything the service keeps events and read models with, built once at start and closed at shutdown. */
export interface EventSourcing {
  readonly pool: pg.Pool;
  readonly store: EventStore;
  readonly events: GovernanceEventStore;
  readonly runner: ProjectionRunner<StoredEvent>;
  /** Read models, read through TypeORM. */
  readonly readModels: DataSource;
  close(): Promise<void>;
}

export interface EventSourcingParts {
  readonly schemas: readonly EventSchemaDefinition[];
  readonly projections: readonly ProjectionDefinition<StoredEvent>[];
}

export async function createEventSourcing(config: AppConfig, databaseUrl: string, parts: EventSourcingParts): Promise<EventSourcing> {
  // Each projection holds one connection for its lock while it runs (see ProjectionRunner): the pool has room for
  // those and ten more for batches, keys, read-your-writes waits and the schedulers.
  const pool = new pg.Pool({ connectionString: databaseUrl, max: parts.projections.length + 10 });
  pool.on('error', (error) => logger.warn('idle read-model connection lost', { error: error.message }));
  const store = await openEventStore(config, databaseUrl);
  const keys = new PostgresKeyStore(pool);
  await keys.ensureSchema();
  const registry = new EventSchemaRegistry();
  for (const schema of parts.schemas) registry.register(schema);
  const events = new GovernanceEventStore({ store, schemas: registry, keys });
  const runner = await ProjectionRunner.create<StoredEvent>({
    store,
    pool,
    projections: parts.projections,
    deserialize: (event) => events.deserialize(event),
    log: ({ level, message, ...fields }) => logger[level](message, fields),
    // Checkpoints of one EVENT_STORE are meaningless in the other: switching on the same DATABASE_URL stops the start.
    eventLogIdentity: config.eventStore.kind,
  });
  const readModels = await createReadModelDataSource(databaseUrl);
  return {
    pool,
    store,
    events,
    runner,
    readModels,
    async close() {
      await runner.stop();
      await readModels.destroy();
      await store.close();
      await pool.end();
    },
  };
}

async function openEventStore(config: AppConfig, databaseUrl: string): Promise<EventStore> {
  if (config.eventStore.kind === 'eventstoredb') {
    // Loaded only when chosen, so the default start does not load the gRPC client.
    const { EventStoreDbEventStore } = await import('#event-store/eventstoredb');
    return EventStoreDbEventStore.connect(config.eventStore.connectionString);
  }
  const { PostgresEventStore } = await import('#event-store/postgres');
  return PostgresEventStore.create({ connectionString: databaseUrl });
}
