import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { EventStore, EventToAppend, LogPosition } from '#event-store';
import { PostgresEventStore } from '#event-store/postgres';
import { LOG_INDEX_PROJECTION, logIndexProjection, needsLogIndex, ProjectionRunner, type ProjectionDefinition } from '#projections';
import { createTestDatabase, eventually, type TestDatabase } from '#testing';
import { countingProjection } from './fixtures/counting-projection.ts';
import { withoutHistoryQuery, type LogReads } from './fixtures/log-read-counter.ts';

const event = (type = 'Counted'): EventToAppend => ({ id: randomUUID(), type, data: '{}', metadata: '{}' });

/**
 * The lag status() reports (the `projections` query, rebuildProjection's answer) on a store that can count only by
 * reading its log (EventStoreDB: countEventsAfter reads every event after the checkpoint, the whole log during a
 * rebuild). The PostgreSQL store stands in for it, wrapped so that it has no history query of its own (as on
 * EventStoreDB) and so that every read of its log is counted: the lags must come from the log index, with no read of
 * the store when the index has reached its head, and at most `lagCountLimit` events read when it has not.
 */
describe('projection lag on a store without a history query of its own', () => {
  let database: TestDatabase;
  let postgres: PostgresEventStore;
  let pool: pg.Pool;
  let store: EventStore;
  const reads: LogReads = { readAll: [], countEventsAfter: 0 };
  const runners: ProjectionRunner[] = [];

  // Follows the category `thing`; while `refusePoison`, refuses the event `Poison` and its checkpoint stays before it.
  let refusePoison = true;
  const things: ProjectionDefinition = {
    ...countingProjection({ name: 'things', failOn: (e) => refusePoison && e.type === 'Poison' }),
    filter: { categories: ['thing'] },
  };

  beforeEach(async () => {
    refusePoison = true;
    database = await createTestDatabase('projection_lag');
    postgres = await PostgresEventStore.create({ connectionString: database.url, subscriptionPollMs: 50 });
    store = withoutHistoryQuery(postgres, reads);
    expect(needsLogIndex(store)).toBe(true);
    pool = new pg.Pool({ connectionString: database.url, max: 8 });
  });
  afterEach(async () => {
    await Promise.all(runners.splice(0).map((r) => r.stop()));
    await postgres.close();
    await pool.end();
    await database.drop();
  });

  async function startRunner(options: { store?: EventStore; lagCountLimit?: number } = {}): Promise<ProjectionRunner> {
    const runner = await ProjectionRunner.create({
      store: options.store ?? store,
      pool,
      projections: [logIndexProjection, things],
      standbyRetryMs: 50,
      failureRetryMs: 60_000,
      ...(options.lagCountLimit === undefined ? {} : { lagCountLimit: options.lagCountLimit }),
    });
    await runner.initialise();
    runner.start();
    runners.push(runner);
    return runner;
  }
  async function append(streamId: string, count: number, type = 'Counted'): Promise<LogPosition> {
    let position: LogPosition | undefined;
    for (let i = 0; i < count; i++) position = (await store.appendToStream(streamId, [event(type)], 'any')).position;
    return position!;
  }
  async function lags(runner: ProjectionRunner): Promise<Record<string, number>> {
    reads.readAll = [];
    reads.countEventsAfter = 0;
    return Object.fromEntries((await runner.status()).map((s) => [s.name, s.lag]));
  }

  /**
   * The lags and the reads of one status(), once they are what is expected: the PostgreSQL store shows the events below
   * the oldest transaction running in the whole cluster (its horizon), which other databases' work can hold back a while.
   */
  async function settled(runner: ProjectionRunner, expected: Record<string, number>, expectedReads?: typeof reads): Promise<void> {
    await eventually(async () => {
      expect(await lags(runner)).toEqual(expected);
      if (expectedReads) expect(reads).toEqual(expectedReads);
    });
  }

  test('caught up: every lag is 0, and nothing of the log is read', async () => {
    const runner = await startRunner();
    await runner.waitForPosition(await append('thing-1', 3), undefined, 10_000);
    await append('other-1', 2);
    await runner.waitForPosition(await store.headPosition(), undefined, 10_000);

    expect(await lags(runner)).toEqual({ [LOG_INDEX_PROJECTION]: 0, things: 0 });
    expect(reads).toEqual({ readAll: [], countEventsAfter: 0 });
  });

  test('a projection behind the log index: its lag is counted in the index, up to the limit, without reading the store', async () => {
    const runner = await startRunner();
    await append('thing-1', 2);
    await append('thing-2', 1, 'Poison');
    await append('thing-1', 4);
    const head = await append('other-1', 3);
    await runner.waitForPosition(head, [LOG_INDEX_PROJECTION], 10_000);
    await eventually(async () => expect((await runner.status()).find((s) => s.name === 'things')?.state).toBe('failed'));

    // The poison and the 4 events after it, of its category only.
    expect(await lags(runner)).toEqual({ [LOG_INDEX_PROJECTION]: 0, things: 5 });
    expect(reads).toEqual({ readAll: [], countEventsAfter: 0 });

    const limited = await ProjectionRunner.create({ store, pool, projections: [logIndexProjection, things], lagCountLimit: 3 });
    expect(await lags(limited)).toEqual({ [LOG_INDEX_PROJECTION]: 0, things: 3 });
    expect(reads).toEqual({ readAll: [], countEventsAfter: 0 });
  });

  test('the log index behind the head: the events after it are read once, at most lagCountLimit of them', async () => {
    const runner = await startRunner({ lagCountLimit: 6 });
    await runner.waitForPosition(await append('thing-1', 2), undefined, 10_000);
    await runner.stop();
    await append('thing-1', 3);
    await append('other-1', 2);

    await settled(runner, { [LOG_INDEX_PROJECTION]: 5, things: 3 }, { readAll: [6], countEventsAfter: 0 });

    // Past the limit no more is read: each lag is what the first 6 events hold (a lower bound).
    await append('thing-1', 4);
    await settled(runner, { [LOG_INDEX_PROJECTION]: 6, things: 4 }, { readAll: [6], countEventsAfter: 0 });
  });

  test("rebuildProjection's answer: the lag of the generation being built is counted in the index", async () => {
    refusePoison = false;
    const runner = await startRunner();
    await append('other-1', 3);
    await append('thing-1', 2);
    await append('thing-2', 1, 'Poison');
    await runner.waitForPosition(await append('thing-1', 3), undefined, 10_000);
    // The new generation stops at the poison, from the start: it has the 2 events before it and 4 to go.
    refusePoison = true;
    await runner.requestRebuild('things');
    await eventually(async () => expect((await runner.status()).find((s) => s.name === 'things')?.state).toBe('failed'));

    reads.readAll = [];
    reads.countEventsAfter = 0;
    const status = (await runner.status()).find((s) => s.name === 'things');
    expect(status).toMatchObject({ lag: 0, rebuild: { generation: 2, lag: 4 } });
    expect(reads).toEqual({ readAll: [], countEventsAfter: 0 });
  });

  test('on the PostgreSQL store itself the lag stays its exact count, whatever the limit', async () => {
    const runner = await startRunner({ store: postgres, lagCountLimit: 2 });
    await runner.waitForPosition(await append('thing-1', 1), undefined, 10_000);
    await runner.stop();
    await append('thing-1', 5);
    await append('other-1', 2);
    // The store's own count (not through the counted wrapper).
    await settled(runner, { [LOG_INDEX_PROJECTION]: 7, things: 5 });
  });
});
