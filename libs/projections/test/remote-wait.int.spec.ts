import { once } from 'node:events';
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
 * Two instances: A runs the read model, B takes a mutation and waits for A to apply it (in the service benchmark with
 * two instances, the instance without the read models answered mutations at p50 33–37 ms against 5–7 on the other).
 * Two causes, each a test below: A hears of B's appends by B's NOTIFY, which B sends at most once per
 * `liveBatchingMs` while appends keep coming (now a wait for a read model another process runs has its store send
 * it at once); and B's waits shared their reads of the stored checkpoints badly (now every read that started after
 * a wait's question answers it).
 */
describe('waiting for a read model another instance runs', () => {
  let database: TestDatabase;
  let storeA: PostgresEventStore;
  let storeB: PostgresEventStore;
  let poolA: pg.Pool;
  let poolB: pg.Pool;
  let runnerA: ProjectionRunner;
  let runnerB: ProjectionRunner;
  const HELD_BACK_MS = 5_000;
  let checkpointReads = 0;
  const checkpointReadTimes: number[] = [];

  beforeAll(async () => {
    database = await createTestDatabase('remote_wait');
    // A's subscription learns of B's appends only from B's NOTIFY (its own poll is a minute away)...
    storeA = await PostgresEventStore.create({ connectionString: database.url, subscriptionPollMs: 60_000 });
    // ...and B sends one at most every 5 s while its appends keep coming.
    storeB = await PostgresEventStore.create({ connectionString: database.url, liveBatchingMs: HELD_BACK_MS });
    poolA = new pg.Pool({ connectionString: database.url, max: 5 });
    poolB = new pg.Pool({ connectionString: database.url, max: 5 });
    // Counts and times B's reads of the stored checkpoints.
    interceptCheckpointReads(poolB, (proceed) => {
      checkpointReads++;
      checkpointReadTimes.push(performance.now());
      return proceed();
    });
    const options = { projections: [countingProjection({ name: 'counts' })], standbyRetryMs: 50, failureRetryMs: 60_000 };
    runnerA = await ProjectionRunner.create({ store: storeA, pool: poolA, ...options });
    await runnerA.initialise();
    runnerA.start();
    const { position } = await storeA.appendToStream('thing-a', [event()], 'any');
    await runnerA.waitForPosition(position, ['counts'], 10_000);
    // B starts while A holds the projection: it stands by (it tried the lock, waited standbyRetryMs and gave its
    // session back).
    runnerB = await ProjectionRunner.create({ store: storeB, pool: poolB, ...options });
    const stoodBy = once(poolB, 'remove');
    runnerB.start();
    await stoodBy;
  }, 30_000);
  afterAll(async () => {
    await runnerB?.stop();
    await runnerA?.stop();
    await storeA?.close();
    await storeB?.close();
    await poolA?.end();
    await poolB?.end();
    await database?.drop();
  });

  const countOf = async (streamId: string) =>
    (await poolA.query<{ events: number }>(`SELECT events FROM proj_counts_g1.stream_counts WHERE stream_id = $1`, [streamId])).rows[0]
      ?.events;

  test("B's second append in a row is waited for in far less than its NOTIFY's interval, and is in A's read model", async () => {
    // A's LISTEN is up once A's subscription has waited once (it has: the first wait above).
    const first = await storeB.appendToStream('thing-b', [event()], 'any');
    await runnerB.waitForPosition(first.position, ['counts'], 10_000);
    // The NOTIFY for this one is held back by the interval (the first one went just now)...
    const second = await storeB.appendToStream('thing-b', [event()], 'any');
    const started = performance.now();
    await runnerB.waitForPosition(second.position, ['counts'], 10_000);
    // ...and the wait asked for it at once: it took the 5 s interval before (the wait ended with A's next read).
    expect(performance.now() - started).toBeLessThan(HELD_BACK_MS / 2);
    expect(await countOf('thing-b')).toBe(2);
  });

  test("a hundred waits on B for A's read model share B's reads of the stored checkpoints", async () => {
    const { position } = await storeB.appendToStream('thing-many', [event()], 'any');
    checkpointReads = 0;
    const started = performance.now();
    await Promise.all(Array.from({ length: 100 }, () => runnerB.waitForPosition(position, ['counts'], 10_000)));
    const waitedMs = performance.now() - started;
    // The first question of the waits that start together, then at most one read per 10 ms tick: not one per waiter.
    expect(checkpointReads).toBeGreaterThan(0);
    expect(checkpointReads).toBeLessThanOrEqual(Math.ceil(waitedMs / 10) + 2);
    expect(checkpointReads).toBeLessThan(50);
    expect(await countOf('thing-many')).toBe(1);
  });

  test("a wait for A's read model reads the stored checkpoints first a few milliseconds after its question, not at once", async () => {
    // At once, the read could not see an append made a moment before (A hears of it and commits ~2 ms later): the
    // first read comes REMOTE_FIRST_READ_MS (3 ms) after the question, then every 10 ms. A position no commit
    // reaches keeps the wait going until its timeout, so that its reads can be timed.
    const beyond = { commit: 1n << 60n, prepare: 0n };
    await new Promise((resolve) => setTimeout(resolve, 50)); // no read of an earlier test still due
    checkpointReadTimes.length = 0;
    const started = performance.now();
    // A 3 ms timer set at the question, for the machine's lateness: under load (a CI run beside a benchmark) every
    // timer fires late, this one and the wait's alike, and a fixed bound failed.
    let probeFiredAt = Number.POSITIVE_INFINITY;
    setTimeout(() => (probeFiredAt = performance.now()), 3);
    await expect(runnerB.waitForPosition(beyond, ['counts'], 300)).rejects.toBeInstanceOf(ProjectionTimeoutError);
    expect(checkpointReadTimes.length).toBeGreaterThan(1);
    expect(checkpointReadTimes[0]! - started).toBeGreaterThanOrEqual(2); // timers may fire up to a millisecond early
    // On the 3 ms timer, not the 10 ms schedule: no later than the probe fired, give or take the read's own start.
    expect(checkpointReadTimes[0]!).toBeLessThan(probeFiredAt + 5);
  });

  test('a wait takes the stored checkpoints other waits read after its question: a stream of new waits does not starve it', async () => {
    // Under load every mutation on B starts a wait, and each wait's first read of the stored checkpoints reset the
    // one shared schedule; a wait used only the reads it had asked for, so a wait already under way put its next
    // read off again and again (the service's second instance: a mutation every 10 ms, answers after 28 ms at the
    // median and 136 at p99, though A committed 2 ms after the append) until the stream of new waits paused.
    const { position } = await storeB.appendToStream('thing-c', [event()], 'any');
    let streaming = true;
    let newWaits = 0;
    const stream = (async () => {
      const deadline = performance.now() + 5_000;
      while (performance.now() < deadline && streaming) {
        // A new wait, for what A has long applied: each starts with a read of the stored checkpoints.
        await runnerB.waitForPosition({ commit: 1n, prepare: 0n }, ['counts'], 10_000);
        newWaits++;
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    })();
    await runnerB.waitForPosition(position, ['counts'], 10_000);
    const newWaitsMeanwhile = newWaits;
    streaming = false;
    await stream;
    // A commits within milliseconds, and the next shared read after that ends the wait: a few new waits meanwhile
    // (each a read and 2 ms), whatever the machine's speed. Before, it ended only at a pause of the stream: after
    // hundreds of them (261 in 0.8 s in one run), or once they stopped.
    expect(newWaitsMeanwhile).toBeLessThan(50);
    expect(await countOf('thing-c')).toBe(1);
  });
});
