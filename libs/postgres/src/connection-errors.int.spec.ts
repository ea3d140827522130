import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '#testing';
import { endPoolFully, guardPoolClients, isUnavailableError } from './connection-errors.ts';

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

describe('endPoolFully', () => {
  test('resolves once every connection of the pool has closed, idle and checked out alike, not once they were asked to', async () => {
    const database = await createTestDatabase('end_pool_fully');
    const observer = new pg.Client({ connectionString: database.url });
    await observer.connect();
    try {
      const name = 'end-pool-fully-spec';
      const pool = new pg.Pool({ connectionString: database.url, max: 6, application_name: name });
      const clients = await Promise.all(Array.from({ length: 6 }, () => pool.connect()));
      await Promise.all(clients.map((client) => client.query('SELECT 1')));
      // Four idle in the pool, two still checked out when the end begins (released just after).
      for (const client of clients.slice(0, 4)) client.release();
      const ending = endPoolFully(pool);
      for (const client of clients.slice(4)) client.release();
      await ending;
      const { rows } = await observer.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1 AND pid <> pg_backend_pid()',
        [name],
      );
      expect(rows[0]!.n).toBe(0);
    } finally {
      await observer.end();
      await database.drop();
    }
  });
});
