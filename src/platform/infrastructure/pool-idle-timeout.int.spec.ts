import pg from 'pg';
import { startTestEventSourcing, type TestEventSourcing } from '../../../test/support/test-event-sourcing.ts';
import { poolOf } from './data-source-pool.ts';

// Found with the service benchmark: pools closed connections idle for pg's default 10 s, and the next burst waited
// while they opened again (README: What the stalls are). The service's three pools must keep what they opened; a
// pool with pg's default, opened and left alike, shows that the wait is long enough to close them.
const PG_DEFAULT_IDLE_TIMEOUT_MS = 10_000;

/** Opens `n` connections at once and gives them back, so that the pool holds `n` idle ones. */
async function openAndRelease(pool: pg.Pool, n: number): Promise<void> {
  const clients = await Promise.all(Array.from({ length: n }, () => pool.connect()));
  for (const client of clients) client.release();
}

describe("the service's pools", () => {
  let eventSourcing: TestEventSourcing;
  let control: pg.Pool;

  beforeAll(async () => {
    eventSourcing = await startTestEventSourcing({ schemas: [], projections: [] }, 'pool_idle');
    control = new pg.Pool({ connectionString: eventSourcing.database.url, max: 3 });
  });

  afterAll(async () => {
    await control.end();
    await eventSourcing.close();
  });

  test("keep their connections through an idle time past pg's default timeout", async () => {
    const pools = {
      writeSide: eventSourcing.pool,
      readModels: poolOf(eventSourcing.readModels),
      log: (eventSourcing.store as unknown as { pool: pg.Pool }).pool,
      control,
    };
    for (const pool of Object.values(pools)) await openAndRelease(pool, 3);
    const opened = Object.fromEntries(Object.entries(pools).map(([name, pool]) => [name, pool.totalCount >= 3]));
    expect(opened).toEqual({ writeSide: true, readModels: true, log: true, control: true });

    await new Promise((resolve) => setTimeout(resolve, PG_DEFAULT_IDLE_TIMEOUT_MS + 500));

    const open = Object.fromEntries(Object.entries(pools).map(([name, pool]) => [name, pool.totalCount >= 3]));
    expect(open).toEqual({ writeSide: true, readModels: true, log: true, control: false });
  }, 30_000);
});
