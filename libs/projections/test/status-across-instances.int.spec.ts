import { once } from 'node:events';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import pg from 'pg';
import type { EventToAppend, RecordedEvent } from '#event-store';
import { ProjectionRunner, type ProjectionRunnerOptions, type ProjectionStatus } from '#projections';
import { createTestDatabase, eventually, type TestDatabase } from '#testing';
import { PostgresEventStore } from '#event-store/postgres';
import { countingProjection } from './fixtures/counting-projection.ts';

const event = (): EventToAppend => ({ id: randomUUID(), type: 'Counted', data: '{}', metadata: '{}' });

/**
 * Several instances share one database behind a load balancer: whichever of them answers, `status()` must tell the
 * same thing, namely what the instance running each projection does, and which instance that is. Each runner here has
 * its own pool, as each instance of the service has.
 */
describe('projection status across instances', () => {
  let database: TestDatabase;
  let store: PostgresEventStore;
  const pools: pg.Pool[] = [];
  const runners: ProjectionRunner[] = [];

  beforeEach(async () => {
    database = await createTestDatabase('projections_status');
    store = await PostgresEventStore.create({ connectionString: database.url, subscriptionPollMs: 50 });
  });
  afterEach(async () => {
    await Promise.all(runners.splice(0).map((r) => r.stop()));
    await Promise.all(pools.splice(0).map((p) => p.end()));
    await store.close();
    await database.drop();
  });

  async function instance(
    instanceName: string,
    options: Partial<ProjectionRunnerOptions<RecordedEvent>> = {},
  ): Promise<{ runner: ProjectionRunner; pool: pg.Pool }> {
    const pool = new pg.Pool({ connectionString: database.url });
    pools.push(pool);
    const runner = await ProjectionRunner.create({
      store,
      pool,
      projections: [countingProjection()],
      standbyRetryMs: 50,
      failureRetryMs: 60_000,
      instanceName,
      ...options,
    });
    runners.push(runner);
    return { runner, pool };
  }
  const only = async (runner: ProjectionRunner): Promise<Pick<ProjectionStatus, 'state' | 'runner'>> => {
    const [status] = await runner.status();
    return { state: status!.state, runner: status!.runner };
  };

  test('the instance standing by reports the holder and its state; after the holder stops, the other runs it and says so', async () => {
    const { runner: a } = await instance('instance-a');
    a.start();
    await store.appendToStream('member-a', [event(), event()], 'no_stream');
    await a.waitForPosition(await store.headPosition());

    // b starts while a holds the projection: its worker stands by (it tried the lock, waited standbyRetryMs and gave
    // its session back).
    const { runner: b, pool: bPool } = await instance('instance-b');
    const stoodBy = once(bPool, 'remove');
    b.start();
    await stoodBy;
    expect(await only(b)).toEqual({ state: 'running', runner: 'instance-a' });
    expect(await only(a)).toEqual({ state: 'running', runner: 'instance-a' });

    await a.stop();
    await eventually(async () => expect(await only(b)).toEqual({ state: 'running', runner: 'instance-b' }));
    // a, stopped, still answers with the truth about the others.
    expect(await only(a)).toEqual({ state: 'running', runner: 'instance-b' });
    await store.appendToStream('member-a', [event()], 1);
    await b.waitForPosition(await store.headPosition());

    await b.stop();
    expect(await only(b)).toEqual({ state: 'stopped', runner: null });
    expect(await only(a)).toEqual({ state: 'stopped', runner: null });
  });

  test('while nobody holds it, an instance waiting to take it over reports standby', async () => {
    const { runner: a } = await instance('instance-a');
    a.start();
    await eventually(async () => expect(await only(a)).toEqual({ state: 'running', runner: 'instance-a' }));
    // b tries again only after a minute: between a's stop and then, nobody runs the projection.
    const { runner: b, pool: bPool } = await instance('instance-b', { standbyRetryMs: 60_000 });
    b.start();
    // Its worker tried the lock and waits, keeping its named session idle meanwhile.
    await eventually(async () => {
      const { rows } = await bPool.query(`SELECT 1 FROM pg_stat_activity WHERE application_name = 'instance-b' AND state = 'idle'`);
      expect(rows).toHaveLength(1);
    });
    await a.stop();
    expect(await only(b)).toEqual({ state: 'standby', runner: null });
    expect(await only(a)).toEqual({ state: 'stopped', runner: null });
  });

  test('a holder working through a backlog is reported catching up, by the others too, then running', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const counting = countingProjection();
    const gated = {
      ...counting,
      apply: async (...args: Parameters<typeof counting.apply>) => {
        await gate;
        return counting.apply(...args);
      },
    };
    await store.appendToStream('member-c', [event(), event(), event(), event(), event()], 'no_stream');
    const { runner: a } = await instance('instance-a', { projections: [gated], catchingUpLag: 5 });
    const { runner: b } = await instance('instance-b', { catchingUpLag: 5 });
    try {
      a.start();
      await eventually(async () => expect((await a.status())[0]?.runner).toBe('instance-a'));
      b.start();
      expect(await only(b)).toEqual({ state: 'catching_up', runner: 'instance-a' });
      expect((await b.status())[0]?.lag).toBe(5);
    } finally {
      // Also when an expectation failed: a's stop waits for the batch it is applying.
      release();
    }
    await a.waitForPosition(await store.headPosition());
    expect(await only(b)).toEqual({ state: 'running', runner: 'instance-a' });
  });

  test("unnamed, an instance is named by its pool's application_name, else by its process: <pid>@<hostname>", async () => {
    const named = new pg.Pool({ connectionString: database.url, application_name: 'blue' });
    pools.push(named);
    const blue = await ProjectionRunner.create({ store, pool: named, projections: [countingProjection()], standbyRetryMs: 50 });
    runners.push(blue);
    blue.start();
    await eventually(async () => expect(await only(blue)).toEqual({ state: 'running', runner: 'blue' }));
    await blue.stop();

    const unnamed = new pg.Pool({ connectionString: database.url });
    pools.push(unnamed);
    const plain = await ProjectionRunner.create({ store, pool: unnamed, projections: [countingProjection()], standbyRetryMs: 50 });
    runners.push(plain);
    plain.start();
    await eventually(async () => expect(await only(plain)).toEqual({ state: 'running', runner: `${process.pid}@${hostname()}` }));
  });

  test('a holder in another database is not taken for one of this database (pg_locks lists every database)', async () => {
    const other = await createTestDatabase('projections_status_other');
    const otherStore = await PostgresEventStore.create({ connectionString: other.url, subscriptionPollMs: 50 });
    const otherPool = new pg.Pool({ connectionString: other.url });
    const elsewhere = await ProjectionRunner.create({
      store: otherStore,
      pool: otherPool,
      projections: [countingProjection()],
      instanceName: 'elsewhere',
    });
    try {
      elsewhere.start();
      await eventually(async () => expect(await only(elsewhere)).toEqual({ state: 'running', runner: 'elsewhere' }));
      const { runner: here } = await instance('instance-a');
      expect(await only(here)).toEqual({ state: 'stopped', runner: null });
    } finally {
      await elsewhere.stop();
      await otherStore.close();
      await otherPool.end();
      await other.drop();
    }
  });
});
