import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { EventToAppend } from '#event-store';
import { PostgresEventStore } from '#event-store/postgres';
import { ProjectionRunner, ProjectionTimeoutError } from '#projections';
import { createTestDatabase, type TestDatabase } from '#testing';
import { interceptCheckpointReads } from './fixtures/checkpoint-reads.ts';
import { countingProjection } from './fixtures/counting-projection.ts';

const event = (): EventToAppend => ({ id: randomUUID(), type: 'Counted', data: '{}', metadata: '{}' });

/**
 * Under load every mutation waits for its read models, and each waiter used to read the checkpoints itself at every
 * checkpoint of every projection: the busiest query of the mutation phase. Waiters now share one read per wake-up,
 * and still never take an answer older than their question.
 */
describe('waiting for read models: one checkpoint read serves every waiter', () => {
  let database: TestDatabase;
  let postgres: PostgresEventStore;
  let pool: pg.Pool;
  let runner: ProjectionRunner;
  let checkpointReads = 0;
  const checkpointReadTimes: number[] = [];
  /** While set, every read of the stored checkpoints starts this much later (kept, so the test can let them end). */
  let checkpointReadDelayMs = 0;
  const delayedReads: Promise<unknown>[] = [];

  beforeAll(async () => {
    database = await createTestDatabase('shared_wait');
    postgres = await PostgresEventStore.create({ connectionString: database.url, subscriptionPollMs: 50 });
    pool = new pg.Pool({ connectionString: database.url, max: 10 });
    // Counts the waiters' reads of the checkpoints, and delays them while checkpointReadDelayMs is set.
    interceptCheckpointReads(pool, (proceed) => {
      checkpointReads++;
      checkpointReadTimes.push(performance.now());
      if (checkpointReadDelayMs === 0) return proceed();
      const delayed = new Promise((resolve) => setTimeout(resolve, checkpointReadDelayMs)).then(proceed);
      delayedReads.push(delayed.catch(() => undefined));
      return delayed;
    });
    runner = await ProjectionRunner.create({
      store: postgres,
      pool,
      projections: [countingProjection({ name: 'one' }), countingProjection({ name: 'two' })],
      standbyRetryMs: 50,
      failureRetryMs: 60_000,
    });
    await runner.initialise();
    runner.start();
    const { position } = await postgres.appendToStream('thing-0', [event()], 'any');
    await runner.waitForPosition(position, ['one', 'two'], 10_000);
  }, 30_000);
  afterAll(async () => {
    await runner?.stop();
    await postgres?.close();
    await pool?.end();
    await database?.drop();
  });

  test('a hundred waiters for the same append are answered by a few reads, each after its event is in both read models', async () => {
    const { position } = await postgres.appendToStream('thing-1', [event()], 'any');
    checkpointReads = 0;
    const started = performance.now();
    await Promise.all(Array.from({ length: 100 }, () => runner.waitForPosition(position, ['one', 'two'], 10_000)));
    const waitedMs = performance.now() - started;
    // At most one read per 10 ms tick while another instance's checkpoint may come, not per waiter; none at all when
    // this process's commits end the waits within the first tick (a quiet machine). On a loaded one the projections
    // take longer, and the ticks with them, but never one per waiter. (Reads shared by waiting on another instance:
    // remote-wait.int.spec.ts.)
    expect(checkpointReads).toBeLessThanOrEqual(Math.max(10, Math.ceil(waitedMs / 10) + 4));
    expect(checkpointReads).toBeLessThan(50);
    const { rows } = await pool.query<{ events: number }>(
      `SELECT (SELECT events FROM proj_one_g1.stream_counts WHERE stream_id = 'thing-1') AS one,
              (SELECT events FROM proj_two_g1.stream_counts WHERE stream_id = 'thing-1') AS two`,
    );
    expect(rows).toEqual([{ one: 1, two: 1 }]);
  });

  test('a waiter who asks after a read started is not answered by it: an append after it is still waited for', async () => {
    for (let round = 0; round < 20; round++) {
      const first = await postgres.appendToStream(`thing-a${round}`, [event()], 'any');
      const early = runner.waitForPosition(first.position, ['one', 'two'], 10_000);
      const second = await postgres.appendToStream(`thing-b${round}`, [event()], 'any');
      await Promise.all([early, runner.waitForPosition(second.position, ['one', 'two'], 10_000)]);
      const { rows } = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM proj_one_g1.stream_counts WHERE stream_id = $1`, [
        `thing-b${round}`,
      ]);
      expect(rows).toEqual([{ n: 1 }]);
    }
  });

  test('a wait for projections this process runs ends at their commit, not at the next read of the stored checkpoints', async () => {
    // Every stored read now takes 3 s: a wait that still needed one to learn of this process's own commit would too.
    checkpointReadDelayMs = 3_000;
    try {
      const { position } = await postgres.appendToStream('thing-local', [event()], 'any');
      const started = performance.now();
      await runner.waitForPosition(position, ['one', 'two'], 10_000);
      expect(performance.now() - started).toBeLessThan(1_500);
      const { rows } = await pool.query<{ events: number }>(
        `SELECT (SELECT events FROM proj_one_g1.stream_counts WHERE stream_id = 'thing-local') AS one,
                (SELECT events FROM proj_two_g1.stream_counts WHERE stream_id = 'thing-local') AS two`,
      );
      expect(rows).toEqual([{ one: 1, two: 1 }]);
    } finally {
      checkpointReadDelayMs = 0;
      await Promise.all(delayedReads);
    }
  });

  test('a wait for projections this process runs reads no stored checkpoint before the poll interval has passed', async () => {
    // Their commits reach the wait here before their stored checkpoints could: a read at the wait's start was one
    // query per mutation for nothing (the service benchmark's count: 4,774 in a run of about 5,000 mutations).
    // A position no commit reaches keeps the wait going until its timeout, so that its reads can be timed.
    const beyond = { commit: 1n << 60n, prepare: 0n };
    checkpointReadTimes.length = 0;
    const started = performance.now();
    await expect(runner.waitForPosition(beyond, ['one', 'two'], 60)).rejects.toBeInstanceOf(ProjectionTimeoutError);
    expect(checkpointReadTimes.length).toBeGreaterThan(0); // it still reads them: another instance may have the lock now
    expect(checkpointReadTimes[0]! - started).toBeGreaterThanOrEqual(9); // timers may fire up to a millisecond early
  });
});
