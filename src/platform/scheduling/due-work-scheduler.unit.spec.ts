import { eventually, FakeClock } from '#testing';
import { DueWorkScheduler, type DueWorkSchedulerOptions } from './due-work-scheduler.ts';

interface Job {
  readonly id: string;
  readonly due: Date;
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Log lines written while `action` runs, parsed (the logger writes one JSON object per line to stdout). */
async function captureLogs<T>(action: () => Promise<T>): Promise<{ result: T; lines: Record<string, unknown>[] }> {
  const lines: Record<string, unknown>[] = [];
  const write = process.stdout.write;
  process.stdout.write = ((chunk: string | Uint8Array) => {
    for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
    return true;
  }) as typeof process.stdout.write;
  try {
    return { result: await action(), lines };
  } finally {
    process.stdout.write = write;
  }
}

/**
 * A work list like a read model: findDue answers the items due at `now` that are not done, oldest first; handle
 * marks an item done unless `fail` says otherwise.
 */
function workList(jobs: Job[], overrides: Partial<DueWorkSchedulerOptions<Job>> = {}) {
  const done: string[] = [];
  const findDueCalls: { now: Date; limit: number }[] = [];
  const clock = new FakeClock(new Date('2025-06-01T12:00:00.000Z'));
  const options: DueWorkSchedulerOptions<Job> = {
    name: 'test-expiry',
    clock,
    intervalMs: 10,
    batchSize: 10,
    findDue: async (now, limit) => {
      findDueCalls.push({ now, limit });
      return jobs
        .filter((job) => job.due <= now && !done.includes(job.id))
        .sort((a, b) => a.due.getTime() - b.due.getTime() || a.id.localeCompare(b.id))
        .slice(0, limit);
    },
    handle: async (job) => void done.push(job.id),
    describe: (job) => `job ${job.id}`,
    ...overrides,
  };
  return { scheduler: new DueWorkScheduler(options), done, findDueCalls, clock };
}

const job = (id: string, due: string): Job => ({ id, due: new Date(due) });

describe('DueWorkScheduler', () => {
  let scheduler: DueWorkScheduler<Job> | undefined;
  afterEach(async () => {
    await scheduler?.stop();
    scheduler = undefined;
  });

  test('handles the items due at the clock time, and only those', async () => {
    const list = workList([
      job('a', '2025-06-01T11:00:00.000Z'),
      job('b', '2025-06-01T12:00:00.000Z'),
      job('c', '2025-06-02T00:00:00.000Z'),
    ]);
    scheduler = list.scheduler;

    expect(await scheduler.runOnce()).toBe(2);
    expect(list.done).toEqual(['a', 'b']);
    expect(list.findDueCalls).toEqual([{ now: new Date('2025-06-01T12:00:00.000Z'), limit: 10 }]);

    expect(await scheduler.runOnce()).toBe(0);
    list.clock.set('2025-06-02T00:00:00.000Z');
    expect(await scheduler.runOnce()).toBe(1);
    expect(list.done).toEqual(['a', 'b', 'c']);
  });

  test('handle receives the time the batch was looked up at', async () => {
    const seen: string[] = [];
    const list = workList([job('a', '2025-06-01T11:00:00.000Z')], { handle: async (_job, now) => void seen.push(now.toISOString()) });
    scheduler = list.scheduler;
    await scheduler.runOnce();
    expect(seen).toEqual(['2025-06-01T12:00:00.000Z']);
  });

  test('an item that fails is logged and does not stop the others; it is tried again next pass', async () => {
    let failing = true;
    const done: string[] = [];
    const list = workList(
      [job('a', '2025-06-01T10:00:00.000Z'), job('b', '2025-06-01T10:30:00.000Z'), job('c', '2025-06-01T11:00:00.000Z')],
      {
        handle: async (j) => {
          if (j.id === 'b' && failing) throw new Error('stream unavailable');
          done.push(j.id);
        },
      },
    );
    scheduler = list.scheduler;

    const { result, lines } = await captureLogs(() => scheduler!.runOnce());
    expect(result).toBe(2);
    expect(done).toEqual(['a', 'c']);
    expect(lines).toContainEqual(
      expect.objectContaining({ level: 'warn', scheduler: 'test-expiry', item: 'job b', error: 'stream unavailable' }),
    );

    failing = false;
    // The fake list does not know what this handle did, so a, b and c are all still due: all three are handled again.
    expect(await scheduler.runOnce()).toBe(3);
    expect(done).toEqual(['a', 'c', 'a', 'b', 'c']);
  });

  test('a failing lookup is logged and tried again at the next interval', async () => {
    let lookups = 0;
    const done: string[] = [];
    const list = workList([job('a', '2025-06-01T10:00:00.000Z')], {
      findDue: async () => {
        lookups++;
        if (lookups === 1) throw new Error('connect ECONNREFUSED');
        return lookups === 2 ? [job('a', '2025-06-01T10:00:00.000Z')] : [];
      },
      handle: async (j) => void done.push(j.id),
    });
    scheduler = list.scheduler;

    const { lines } = await captureLogs(async () => {
      scheduler!.start();
      await eventually(() => expect(done).toEqual(['a']));
    });
    expect(lines).toContainEqual(expect.objectContaining({ level: 'warn', scheduler: 'test-expiry', error: 'connect ECONNREFUSED' }));
  });

  test('start runs a first pass at once, then one every interval', async () => {
    const list = workList([job('a', '2025-06-01T10:00:00.000Z'), job('b', '2025-06-03T10:00:00.000Z')], { intervalMs: 20 });
    scheduler = list.scheduler;

    scheduler.start();
    await eventually(() => expect(list.done).toEqual(['a']), 1_000, 1);
    list.clock.set('2025-06-03T10:00:00.000Z');
    await eventually(() => expect(list.done).toEqual(['a', 'b']));
    await eventually(() => expect(list.findDueCalls.length).toBeGreaterThanOrEqual(4));
  });

  test('passes never overlap: not from the timer, nor from runOnce called during a pass', async () => {
    let running = 0;
    let maxRunning = 0;
    const gate = deferred();
    const list = workList([job('a', '2025-06-01T10:00:00.000Z')], {
      intervalMs: 0,
      findDue: async () => {
        running++;
        maxRunning = Math.max(maxRunning, running);
        await gate.promise;
        running--;
        return [];
      },
    });
    scheduler = list.scheduler;

    scheduler.start();
    const manual = [scheduler.runOnce(), scheduler.runOnce(), scheduler.runOnce()];
    await sleep(30);
    expect(maxRunning).toBe(1);
    gate.resolve();
    expect(await Promise.all(manual)).toEqual([0, 0, 0]);
    await sleep(30); // the timer chain goes on with intervalMs 0
    expect(maxRunning).toBe(1);
  });

  test('runOnce called during a pass runs a new pass after it, at the clock time of then', async () => {
    const gate = deferred();
    const list = workList([job('a', '2025-06-01T10:00:00.000Z'), job('b', '2025-06-02T10:00:00.000Z')], {
      handle: async (j) => {
        await gate.promise;
        list.done.push(j.id);
      },
    });
    scheduler = list.scheduler;

    const first = scheduler.runOnce();
    await sleep(5);
    list.clock.set('2025-06-02T10:00:00.000Z');
    const second = scheduler.runOnce();
    gate.resolve();
    expect(await first).toBe(1);
    expect(await second).toBe(1);
    expect(list.done).toEqual(['a', 'b']);
  });

  test('stop waits for the pass in flight and schedules none after it', async () => {
    const gate = deferred();
    let handling = false;
    const list = workList([job('a', '2025-06-01T10:00:00.000Z')], {
      intervalMs: 1,
      handle: async (j) => {
        handling = true;
        await gate.promise;
        list.done.push(j.id);
      },
    });
    scheduler = list.scheduler;

    scheduler.start();
    await eventually(() => expect(handling).toBe(true), 1_000, 1);
    let stopped = false;
    const stopping = scheduler.stop().then(() => (stopped = true));
    await sleep(20);
    expect(stopped).toBe(false);

    gate.resolve();
    await stopping;
    expect(list.done).toEqual(['a']);
    const lookups = list.findDueCalls.length;
    await sleep(30);
    expect(list.findDueCalls.length).toBe(lookups);
  });

  test('a backlog drains in batches within one pass', async () => {
    const jobs = Array.from({ length: 25 }, (_, i) => job(`j${String(i).padStart(2, '0')}`, '2025-06-01T10:00:00.000Z'));
    const list = workList(jobs);
    scheduler = list.scheduler;

    expect(await scheduler.runOnce()).toBe(25);
    expect(list.done).toEqual(jobs.map((j) => j.id));
    // 10 + 10 + 5: the short batch shows nothing is left.
    expect(list.findDueCalls.map((c) => c.limit)).toEqual([10, 10, 10]);
  });

  test('a batch with nothing new ends the pass (a lagging read model finds handled items again)', async () => {
    const jobs = Array.from({ length: 10 }, (_, i) => job(`j${i}`, '2025-06-01T10:00:00.000Z'));
    const handled: string[] = [];
    // The read model never catches up: the same full batch comes back every time.
    const list = workList(jobs, { findDue: async () => jobs, handle: async (j) => void handled.push(j.id) });
    scheduler = list.scheduler;

    expect(await scheduler.runOnce()).toBe(10);
    expect(handled).toEqual(jobs.map((j) => j.id));
  });

  test('failing items that fill a batch do not keep the pass going', async () => {
    const jobs = Array.from({ length: 10 }, (_, i) => job(`j${i}`, '2025-06-01T10:00:00.000Z'));
    let lookups = 0;
    const list = workList(jobs, {
      findDue: async () => (lookups++, jobs),
      handle: async () => {
        throw new Error('refused');
      },
    });
    scheduler = list.scheduler;

    const { result } = await captureLogs(() => scheduler!.runOnce());
    expect(result).toBe(0);
    expect(lookups).toBe(2);
  });

  test('stop during a backlog ends the pass after the batch in hand', async () => {
    const jobs = Array.from({ length: 30 }, (_, i) => job(`j${String(i).padStart(2, '0')}`, '2025-06-01T10:00:00.000Z'));
    const gate = deferred();
    const list = workList(jobs, {
      handle: async (j) => {
        await gate.promise;
        list.done.push(j.id);
      },
    });
    scheduler = list.scheduler;

    const pass = scheduler.runOnce();
    await sleep(5);
    const stopping = scheduler.stop();
    gate.resolve();
    await stopping;
    expect(await pass).toBe(10);
    // A later explicit pass drains the rest.
    expect(await scheduler.runOnce()).toBe(20);
  });

  test('refuses a batch size below 1', () => {
    expect(() => workList([], { batchSize: 0 })).toThrow('test-expiry: batchSize must be a whole number from 1');
  });
});
