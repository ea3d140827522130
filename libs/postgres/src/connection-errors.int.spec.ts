import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '#testing';
import { guardPoolClients, isUnavailableError } from './connection-errors.ts';

/**
 * A PostgreSQL restart terminates every backend. A client checked out of a pool and idle between two queries then
 * emits 'error' while pg-pool is not listening (it listens only to idle clients): without a listener of our own, that
 * ends the process (the soak's service died so during a restart).
 */
describe('guardPoolClients', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase('pool_guard');
  });
  afterAll(async () => {
    await database?.drop();
  });

  test('a checked-out client whose backend is terminated does not end the process; its next query says so, and the pool replaces it', async () => {
    const pool = new pg.Pool({ connectionString: database.url, max: 2 });
    pool.on('error', () => undefined);
    guardPoolClients(pool);
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown) => uncaught.push(error);
    process.on('uncaughtException', onUncaught);
    try {
      const client = await pool.connect();
      const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      const admin = new pg.Client({ connectionString: database.url });
      await admin.connect();
      await admin.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid]);
      await admin.end();
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(uncaught).toEqual([]);

      const failed = await client.query('SELECT 1').then(
        () => null,
        (error: unknown) => error,
      );
      expect(isUnavailableError(failed)).toBe(true);
      client.release(failed as Error);
      expect((await pool.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    } finally {
      process.off('uncaughtException', onUncaught);
      await pool.end();
    }
  });
});
