import { DataSource, type DataSourceOptions } from 'typeorm';
import { SERVICE_POOL_IDLE_TIMEOUT_MS } from './pool-idle-timeout.ts';

/** The read models' TypeORM entities: each module's manifest lists its own; the composition root gathers them (MODULES). */
export type ReadModelEntities = NonNullable<DataSourceOptions['entities']>;
/** One entity (a class, mostly), as a module's manifest lists them. */
export type ReadModelEntity = Extract<ReadModelEntities, readonly unknown[]>[number];

/**
 * Read side through TypeORM. Projections own the tables (created and migrated by the projection runner, written
 * in its checkpoint transaction), so TypeORM never synchronises or migrates anything here.
 */
/**
 * Ten connections: a read holds one for the length of its query (a few milliseconds), so by Little's law the
 * bench's 1,000 queries a second (`npm run bench`, service section) keep a handful busy; the rest absorb bursts
 * without letting the API's reads take connections the projections and the log need (PostgreSQL's default
 * max_connections is 100 for every instance of the service together).
 */
export async function createReadModelDataSource(databaseUrl: string, entities: ReadModelEntities, poolSize = 10): Promise<DataSource> {
  const dataSource = new DataSource({
    type: 'postgres',
    url: databaseUrl,
    entities,
    synchronize: false,
    migrationsRun: false,
    poolSize,
    extra: { idleTimeoutMillis: SERVICE_POOL_IDLE_TIMEOUT_MS },
    logging: false,
  });
  return dataSource.initialize();
}
