import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '#testing';
import { runMigrations, type Migration } from './migrations.ts';

/**
 * Indexes added to a large table by a migration (the history indexes on a log that already holds millions of events):
 * built CONCURRENTLY, writers go on while they are built; a plain CREATE INDEX in the migration's transaction blocks
 * every write for the whole build.
 */
describe('migrations that build indexes', () => {
  let database: TestDatabase;
  let pool: pg.Pool;
  const ROWS = 300_000;

  beforeAll(async () => {
    database = await createTestDatabase('migrations');
    pool = new pg.Pool({ connectionString: database.url, max: 6 });
    await pool.query(`CREATE TABLE items (id bigserial PRIMARY KEY, label text NOT NULL, payload jsonb NOT NULL)`);
    await pool.query(
      `INSERT INTO items (label, payload) SELECT md5(g::text), jsonb_build_object('actorId', 'm-' || (g % 5000), 'n', g) FROM generate_series(1, $1) g`,
      [ROWS],
    );
    await pool.query('ANALYZE items');
  }, 120_000);
  afterAll(async () => {
    await pool?.end();
    await database?.drop();
  });

  /** Inserts one row at a time while `during` runs; answers how many went through meanwhile and the slowest one. */
  async function writesDuring(during: () => Promise<unknown>): Promise<{ inserted: number; slowestMs: number; buildMs: number }> {
    let running = true;
    let inserted = 0;
    let slowestMs = 0;
    const writer = (async () => {
      while (running) {
        const started = performance.now();
        await pool.query(`INSERT INTO items (label, payload) VALUES ('w', '{"actorId":"writer"}')`);
        slowestMs = Math.max(slowestMs, performance.now() - started);
        inserted++;
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = performance.now();
    try {
      await during();
    } finally {
      running = false;
      await writer;
    }
    return { inserted, slowestMs, buildMs: performance.now() - started };
  }

  test('a plain CREATE INDEX in a transaction blocks writers for the whole build (why the history indexes are built CONCURRENTLY)', async () => {
    const plain: Migration[] = [
      { version: 1, name: 'plain', sql: `CREATE INDEX items_actor_plain ON items ((payload ->> 'actorId'), id)` },
    ];
    const { slowestMs, buildMs } = await writesDuring(() => runMigrations(pool, 'plain-index', plain));
    // The write that arrived during the build waited for most of it.
    expect(slowestMs).toBeGreaterThan(buildMs * 0.5);
    await pool.query('DROP INDEX items_actor_plain');
  });

  test('built CONCURRENTLY, writers go on; the index is valid and the migration recorded once', async () => {
    const concurrent: Migration[] = [
      {
        version: 1,
        name: 'concurrent',
        concurrentIndexes: [
          { name: 'items_actor_order', definition: `items ((payload ->> 'actorId'), id)` },
          { name: 'items_label', definition: 'items (label)' },
        ],
      },
    ];
    const { inserted, slowestMs, buildMs } = await writesDuring(() => runMigrations(pool, 'concurrent-index', concurrent));
    expect(inserted).toBeGreaterThan(10);
    expect(slowestMs).toBeLessThan(Math.max(buildMs * 0.5, 200));
    const { rows } = await pool.query<{ name: string; valid: boolean }>(
      `SELECT c.relname AS name, i.indisvalid AS valid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
        WHERE c.relname IN ('items_actor_order', 'items_label') ORDER BY 1`,
    );
    expect(rows).toEqual([
      { name: 'items_actor_order', valid: true },
      { name: 'items_label', valid: true },
    ]);
    // The expression's statistics, gathered once the index is there: without them the planner guesses how many rows
    // a value of it matches until autovacuum next analyses the table (on a large log, after a tenth of it is new).
    const stats = await pool.query<{ columns: string }>(
      `SELECT count(*)::text AS columns FROM pg_stats WHERE tablename = 'items_actor_order'`,
    );
    expect(stats.rows).toEqual([{ columns: '1' }]);
    expect(await runMigrations(pool, 'concurrent-index', concurrent)).toEqual([]);
  }, 60_000);

  test('a small table is not analysed after its indexes: statistics of an empty table outlive its growth where autovacuum is off', async () => {
    // A new installation: the table is empty when its indexes are built. ANALYZE would record it as empty
    // (reltuples 0) until the next ANALYZE; left alone it stays "never analysed" (-1), and the planner sizes it from
    // its pages as it grows, or autovacuum analyses it after its first 50 rows.
    await pool.query(`CREATE TABLE fresh (id bigserial PRIMARY KEY, payload jsonb NOT NULL)`);
    const migration: Migration[] = [
      { version: 1, name: 'fresh', concurrentIndexes: [{ name: 'fresh_actor', definition: `fresh ((payload ->> 'actorId'), id)` }] },
    ];
    expect(await runMigrations(pool, 'fresh-table', migration)).toEqual([1]);
    const { rows } = await pool.query<{ reltuples: number }>(`SELECT reltuples FROM pg_class WHERE relname = 'fresh'`);
    expect(rows).toEqual([{ reltuples: -1 }]);
  });

  test('an index a failed or interrupted build left INVALID is built again, and the migration completes', async () => {
    // A unique index over duplicates fails half-way, as an interrupted build does: the index stays, INVALID.
    await pool.query(`CREATE UNIQUE INDEX CONCURRENTLY items_payload_n ON items ((payload ->> 'actorId'))`).catch(() => undefined);
    const before = await pool.query<{ valid: boolean }>(
      `SELECT indisvalid AS valid FROM pg_index WHERE indexrelid = to_regclass('items_payload_n')`,
    );
    expect(before.rows).toEqual([{ valid: false }]);
    const migration: Migration[] = [
      { version: 1, name: 'rebuild', concurrentIndexes: [{ name: 'items_payload_n', definition: `items ((payload ->> 'n'))` }] },
    ];
    expect(await runMigrations(pool, 'rebuild-invalid', migration)).toEqual([1]);
    const after = await pool.query<{ valid: boolean; definition: string }>(
      `SELECT indisvalid AS valid, pg_get_indexdef(indexrelid) AS definition FROM pg_index WHERE indexrelid = to_regclass('items_payload_n')`,
    );
    expect(after.rows).toEqual([{ valid: true, definition: expect.stringContaining(`'n'::text`) }]);
  }, 60_000);

  test('two processes migrating at once: one builds, the other waits for it without a deadlock, and it is recorded once', async () => {
    const migration: Migration[] = [
      { version: 1, name: 'together', concurrentIndexes: [{ name: 'items_label_id', definition: 'items (label, id)' }] },
    ];
    const other = new pg.Pool({ connectionString: database.url, max: 2 });
    try {
      const [first, second] = await Promise.all([
        runMigrations(pool, 'together-index', migration),
        runMigrations(other, 'together-index', migration),
      ]);
      expect([...first, ...second]).toEqual([1]);
      const { rows } = await pool.query(`SELECT version FROM schema_migrations WHERE component = 'together-index'`);
      expect(rows).toEqual([{ version: 1 }]);
    } finally {
      await other.end();
    }
  }, 60_000);
});
