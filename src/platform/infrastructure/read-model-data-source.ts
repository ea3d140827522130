import { DataSource, type DataSourceOptions } from 'typeorm';

/** The read models' TypeORM entities: each module's manifest lists its own; the composition root gathers them (MODULES). */
export type ReadModelEntities = NonNullable<DataSourceOptions['entities']>;
/** One entity (a class, mostly), as a module's manifest lists them. */
export type ReadModelEntity = Extract<ReadModelEntities, readonly unknown[]>[number];

/**
 * Read side through TypeORM. Projections own the tables (created and migrated by the projection runner, written
 * in its checkpoint transaction), so TypeORM never synchronises or migrates anything here.
 */
export async function createReadModelDataSource(databaseUrl: string, entities: ReadModelEntities, poolSize = 10): Promise<DataSource> {
  const dataSource = new DataSource({
    type: 'postgres',
    url: databaseUrl,
    entities,
    synchronize: false,
    migrationsRun: false,
    poolSize,
    logging: false,
  });
  return dataSource.initialize();
}
