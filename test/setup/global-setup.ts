import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalPostgres, type LocalPostgres } from '../../libs/postgres/src/index.ts';
import { checkTestEventStore } from './event-store-check.ts';

/**
 * Checks the event store the run asked for (EVENT_STORE, see ./event-store-check.ts), then gives every test worker a
 * PostgreSQL server: the one that DATABASE_URL names, or else an embedded one started
 * here (own data directory, free port) and stopped in global-teardown. Suites create their own databases on it
 * (libs/testing `createTestDatabase`), so they can run in parallel.
 */
export default async function globalSetup(): Promise<void> {
  // The service's JSON logs would drown the test report; failures still show.
  process.env.LOG_LEVEL ??= 'warn';
  console.log(`\n[tests] ${await checkTestEventStore()}`);
  if (process.env.TEST_PG_SERVER_URL) return;
  if (process.env.DATABASE_URL) {
    const url = new URL(process.env.DATABASE_URL);
    url.pathname = '';
    process.env.TEST_PG_SERVER_URL = url.toString().replace(/\/$/, '');
    console.log(`\n[tests] PostgreSQL from DATABASE_URL: ${url.host}`);
    return;
  }
  const started = Date.now();
  const dataDir = await mkdtemp(join(tmpdir(), 'governance-test-pg-'));
  const server = await startLocalPostgres({ dataDir, persistent: false });
  (globalThis as { __localPostgres?: LocalPostgres }).__localPostgres = server;
  process.env.TEST_PG_SERVER_URL = server.serverUrl;
  console.log(`\n[tests] embedded PostgreSQL started on ${new URL(server.serverUrl).host} in ${Date.now() - started} ms`);
}
