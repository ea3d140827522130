import type pg from 'pg';

/** An index built without blocking writes (CREATE INDEX CONCURRENTLY); `definition` follows `ON`: `es_events (a, b)`. */
export interface ConcurrentIndex {
  readonly name: string;
  readonly definition: string;
}

/**
 * Either SQL run in one transaction, or indexes built CONCURRENTLY: that cannot run in a transaction, and a plain
 * CREATE INDEX on a large table blocks every write to it while it is built.
 */
export type Migration = {
  /** Increasing integers; a migration, once released, never changes what it makes: add a new one. */
  readonly version: number;
  readonly name: string;
} & (
  | { readonly sql: string; readonly concurrentIndexes?: never }
  | { readonly concurrentIndexes: readonly ConcurrentIndex[]; readonly sql?: never }
);

/**
 * Applies the migrations of one component (`component` namespaces the bookkeeping, so libraries migrate
 * independently). Serialised across processes by an advisory lock, each migration in its own transaction.
 */
export async function runMigrations(pool: pg.Pool, component: string, migrations: readonly Migration[]): Promise<number[]> {
  const client = await pool.connect();
  const applied: number[] = [];
  try {
    // Tried, not waited for: a session blocked in pg_advisory_lock is a running transaction, which CREATE INDEX
    // CONCURRENTLY in the session holding the lock would wait for: each would wait for the other.
    for (;;) {
      const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS locked', [
        `migrations:${component}`,
      ]);
      if (rows[0]?.locked) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    try {
      await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
        component text NOT NULL, version int NOT NULL, name text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (component, version))`);
      const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_migrations WHERE component = $1', [component]);
      const done = new Set(rows.map((r) => r.version));
      for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
        if (done.has(migration.version)) continue;
        if (migration.concurrentIndexes) {
          await buildConcurrently(client, component, migration, migration.concurrentIndexes);
          applied.push(migration.version);
          continue;
        }
        await client.query('BEGIN');
        try {
          await client.query(migration.sql);
          await client.query('INSERT INTO schema_migrations (component, version, name) VALUES ($1, $2, $3)', [
            component,
            migration.version,
            migration.name,
          ]);
          await client.query('COMMIT');
          applied.push(migration.version);
        } catch (error) {
          await client.query('ROLLBACK');
          throw new Error(`migration ${component}#${migration.version} (${migration.name}) failed: ${(error as Error).message}`, {
            cause: error,
          });
        }
      }
    } finally {
      await client.query('SELECT pg_advisory_unlock(hashtext($1))', [`migrations:${component}`]);
    }
  } finally {
    client.release();
  }
  return applied;
}

/** 8 MB of 8 KB pages: a table autovacuum would not soon analyse again by itself (see buildConcurrently). */
const ANALYZE_FROM_PAGES = 1_000;

/**
 * Each index CONCURRENTLY, outside any transaction: writers go on while it is built (it waits for the transactions
 * older than it instead of blocking them). A build that failed or was interrupted (the process stopped) leaves the
 * index INVALID: such an index is dropped and built again, so a migration interrupted half-way completes at the next
 * start. The migration is recorded once every index is valid.
 */
async function buildConcurrently(
  client: pg.PoolClient,
  component: string,
  migration: Pick<Migration, 'version' | 'name'>,
  indexes: readonly ConcurrentIndex[],
): Promise<void> {
  for (const index of indexes) {
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(index.name))
      throw new Error(`migration ${component}#${migration.version}: bad index name ${index.name}`);
    try {
      // Where the search path finds it, as CREATE INDEX names it.
      const { rows } = await client.query<{ valid: boolean }>(
        'SELECT indisvalid AS valid FROM pg_index WHERE indexrelid = to_regclass($1)',
        [index.name],
      );
      if (rows[0]?.valid) continue;
      if (rows[0]) await client.query(`DROP INDEX CONCURRENTLY IF EXISTS ${index.name}`);
      await client.query(`CREATE INDEX CONCURRENTLY ${index.name} ON ${index.definition}`);
    } catch (error) {
      throw new Error(
        `migration ${component}#${migration.version} (${migration.name}) failed on index ${index.name}: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
  }
  // Statistics for what the indexes added: an expression index has its own, which only ANALYZE gathers, and
  // autovacuum analyses a large table again only once a tenth of it is new (a log of millions of events: months).
  // It reads a sample, not the table (a few seconds at 10 M events), and does not block writers.
  // Only a table of ANALYZE_FROM_PAGES or more: a smaller one autovacuum analyses soon enough, and statistics taken
  // of an empty table (a new installation) say "empty" until the next ANALYZE, which on a server with autovacuum off
  // never comes: plans that connections keep, made on them, scan the table however large it grows.
  for (const table of new Set(indexes.map((index) => index.definition.slice(0, index.definition.indexOf(' '))))) {
    if (!/^[a-z_][a-z0-9_.]{0,126}$/.test(table)) continue;
    const { rows } = await client.query<{ pages: string }>(
      `SELECT pg_relation_size($1::regclass) / current_setting('block_size')::bigint AS pages`,
      [table],
    );
    if (Number(rows[0]!.pages) >= ANALYZE_FROM_PAGES) await client.query(`ANALYZE ${table}`);
  }
  await client.query('INSERT INTO schema_migrations (component, version, name) VALUES ($1, $2, $3)', [
    component,
    migration.version,
    migration.name,
  ]);
}
