import pg from 'pg';
import type { DataSource } from 'typeorm';
import { createTestDatabase, type TestDatabase } from '#testing';
import { migrateOnFirstUse } from './migrate-on-first-use.ts';
import { createReadModelDataSource } from './read-model-data-source.ts';

const MIGRATIONS = [
  { version: 1, name: 'outcomes', sql: 'CREATE TABLE IF NOT EXISTS outcomes (id text PRIMARY KEY)' },
  { version: 2, name: 'a column', sql: 'ALTER TABLE outcomes ADD COLUMN note text' },
];

describe('migrateOnFirstUse', () => {
  let database: TestDatabase;
  let pool: pg.Pool;
  const sources: DataSource[] = [];
  const source = async () => {
    const created = await createReadModelDataSource(database.url, [], 2);
    sources.push(created);
    return created;
  };

  beforeEach(async () => {
    database = await createTestDatabase('migrate_on_first_use');
    pool = new pg.Pool({ connectionString: database.url, max: 2 });
  });
  afterEach(async () => {
    await Promise.all(sources.splice(0).map((s) => s.destroy()));
    await pool.end();
    await database.drop();
  });

  const applied = async () =>
    (await pool.query<{ version: number }>(`SELECT version FROM schema_migrations WHERE component = 'outcomes' ORDER BY version`)).rows.map(
      (row) => row.version,
    );

  test('two instances using the tables at once: each migration applied once, the table there for both', async () => {
    const [first, second] = [await source(), await source()];
    await Promise.all([
      migrateOnFirstUse(first, 'outcomes', MIGRATIONS),
      migrateOnFirstUse(second, 'outcomes', MIGRATIONS),
      migrateOnFirstUse(first, 'outcomes', MIGRATIONS),
    ]);
    expect(await applied()).toEqual([1, 2]);
    await first.query(`INSERT INTO outcomes (id, note) VALUES ('a', 'n')`);
    expect(await second.query('SELECT id, note FROM outcomes')).toEqual([{ id: 'a', note: 'n' }]);
  });

  test('a table made before the migrations (the lazy CREATE TABLE IF NOT EXISTS of earlier versions) is kept with its rows', async () => {
    await pool.query(`CREATE TABLE outcomes (id text PRIMARY KEY); INSERT INTO outcomes VALUES ('kept')`);
    await migrateOnFirstUse(await source(), 'outcomes', MIGRATIONS);
    expect((await pool.query('SELECT id, note FROM outcomes')).rows).toEqual([{ id: 'kept', note: null }]);
    expect(await applied()).toEqual([1, 2]);
  });

  test('a failed attempt is tried again on the next use, not remembered', async () => {
    const db = await source();
    // Fails until the table it alters exists: as a first use would while the database is unreachable.
    const later = [{ version: 1, name: 'needs a table', sql: 'ALTER TABLE prerequisite ADD COLUMN x int' }];
    await expect(migrateOnFirstUse(db, 'later', later)).rejects.toThrow('relation "prerequisite" does not exist');
    await pool.query('CREATE TABLE prerequisite (id int)');
    await migrateOnFirstUse(db, 'later', later);
    expect(
      (await pool.query(`SELECT column_name FROM information_schema.columns WHERE table_name = 'prerequisite' ORDER BY 1`)).rows,
    ).toEqual([{ column_name: 'id' }, { column_name: 'x' }]);
  });
});
