import type pg from 'pg';
import type { DataSource } from 'typeorm';

/** The pg.Pool under the read side's data source: TypeORM's PostgreSQL driver keeps it as `master`. */
export function poolOf(db: DataSource): pg.Pool {
  const pool = (db.driver as unknown as { master?: pg.Pool }).master;
  if (pool === undefined) throw new Error('the read side data source is not initialised');
  return pool;
}
