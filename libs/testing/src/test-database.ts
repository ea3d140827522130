import { randomBytes } from 'node:crypto';
import pg from 'pg';

export interface TestDatabase {
  readonly url: string;
  readonly name: string;
  drop(): Promise<void>;
}

/** A fresh database on the test server (see test/setup/global-setup.ts), private to one suite. */
export async function createTestDatabase(prefix = 'test'): Promise<TestDatabase> {
  const serverUrl = process.env.TEST_PG_SERVER_URL;
  if (!serverUrl)
    throw new Error('TEST_PG_SERVER_URL is not set: run the tests through jest (npm test), whose global setup starts PostgreSQL');
  const name = `${prefix.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}_${randomBytes(5).toString('hex')}`;
  await admin(serverUrl, `CREATE DATABASE ${pg.escapeIdentifier(name)}`);
  return {
    url: `${serverUrl}/${name}`,
    name,
    drop: () => dropDatabase(serverUrl, name),
  };
}

async function admin(serverUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: `${serverUrl}/postgres` });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/**
 * Waits for the suite's own connections to finish closing (a pool's end() resolves before its sockets are gone)
 * instead of killing them: a forced drop would fail those closing connections, and a pool that has already lost
 * its error listener would then crash the test with an unhandled 'error'. Forces only after five seconds.
 */
async function dropDatabase(serverUrl: string, name: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    try {
      await admin(serverUrl, `DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)}`);
      return;
    } catch (error) {
      if ((error as { code?: string }).code !== '55006' || Date.now() > deadline) break; // 55006: still in use
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
  await admin(serverUrl, `DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
}
