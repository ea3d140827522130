import type pg from 'pg';
import { comparePositions, START, type LogFilter, type LogPosition, type RecordedEvent } from '#event-store';
import { createTestDatabase, eventually, type TestDatabase } from '#testing';
import { PostgresEventStore } from '../src/postgres/index.ts';
import { event } from './contract/event-store.contract.ts';

// The caught-up subscriptions of a store share their reads of the log's tail (SharedTailRead): each must still see
// exactly the events its filter takes, in log order, once, whether it reads on its own or from the shared page.

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase('es_shared_tail');
});
afterAll(async () => {
  await database.drop();
});

/** Follows the log with `filter` from `after`, keeping what it is given. */
function follow(store: PostgresEventStore, filter: LogFilter | undefined, after: LogPosition) {
  const subscription = store.subscribeToAll({ after, ...(filter ? { filter } : {}) });
  const state = { events: [] as RecordedEvent[], checkpoint: after, caughtUp: false };
  const consuming = (async () => {
    for await (const message of subscription) {
      if (message.kind === 'event') state.events.push(message.event);
      else {
        state.checkpoint = message.checkpoint;
        if (message.caughtUp) state.caughtUp = true;
      }
    }
  })();
  return {
    state,
    async close() {
      await subscription.close();
      await consuming;
    },
  };
}

/** What a read of its own answers with `filter` after `after`: the events the subscription must have been given. */
async function logAfter(store: PostgresEventStore, filter: LogFilter | undefined, after: LogPosition): Promise<string[]> {
  const ids: string[] = [];
  for (let position = after; ;) {
    const page = await store.readAll({ after: position, maxCount: 100, ...(filter ? { filter } : {}) });
    ids.push(...page.events.map((e) => e.id));
    position = page.checkpoint;
    if (page.isEnd) return ids;
  }
}

/** Counts the store's reads of the log (its es_read_all statements) from now on. */
function countLogReads(store: PostgresEventStore): { reads: number } {
  const counter = { reads: 0 };
  const pool = (store as unknown as { pool: pg.Pool }).pool;
  const query = pool.query.bind(pool) as (...args: unknown[]) => unknown;
  (pool as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
    const config = args[0] as { name?: string } | string;
    if (typeof config === 'object' && config.name?.startsWith('es_read_all')) counter.reads++;
    return query(...args);
  };
  return counter;
}

describe('PostgreSQL adapter: subscriptions sharing the reads of the log tail', () => {
  test('subscriptions with different filters each get exactly their events, in order, under concurrent appends; one behind catches up and joins', async () => {
    // Small pages: the late subscription needs several reads of its own before it is caught up.
    const store = await PostgresEventStore.create({ connectionString: database.url, subscriptionPollMs: 50, subscriptionBatchSize: 20 });
    const suffix = Date.now().toString(36);
    const [a, b, c] = ['a', 'b', 'c'].map((k) => `${k}${suffix}`) as [string, string, string];
    const base = await store.headPosition();
    const filters: (LogFilter | undefined)[] = [{ categories: [a] }, { categories: [b, c] }, { eventTypes: ['Odd'] }, undefined];
    const early = filters.map((filter) => follow(store, filter, base));
    const lateFilter: LogFilter = { categories: [a, c] };
    let late: ReturnType<typeof follow> | undefined;
    try {
      await eventually(() => expect(early.every((s) => s.state.caughtUp)).toBe(true));
      const categories = [a, b, c];
      let head: LogPosition = START;
      // Four writers, each to its own streams of every category, the streams' events alternating between two types.
      const write = async (writer: number, count: number, from: number) => {
        for (let i = from; i < from + count; i++) {
          const stream = `${categories[i % 3]!}-${writer}`;
          const appended = await store.appendToStream(stream, [event(i % 2 ? 'Odd' : 'Even', { i })], 'any');
          if (comparePositions(appended.position, head) > 0) head = appended.position;
        }
      };
      await Promise.all([0, 1, 2, 3].map((w) => write(w, 60, 0)));
      // The late one starts from the beginning while the others are live and the appends go on.
      late = follow(store, lateFilter, base);
      await Promise.all([0, 1, 2, 3].map((w) => write(w, 60, 60)));

      const all = [...early, late];
      await eventually(() => expect(all.every((s) => comparePositions(s.state.checkpoint, head) >= 0)).toBe(true), 20_000);
      for (const [i, filter] of [...filters, lateFilter].entries()) {
        const expected = await logAfter(store, filter, base);
        expect(expected.length).toBeGreaterThan(0);
        expect(all[i]!.state.events.map((e) => e.id)).toEqual(expected);
      }
      expect(late.state.events).toHaveLength(320); // categories a and c: two thirds of the 480 events
    } finally {
      await Promise.all([...early, ...(late ? [late] : [])].map((s) => s.close()));
      await store.close();
    }
  });

  test('one append that wakes several caught-up subscriptions is read once for all of them', async () => {
    // Polls far apart: only the append wakes them.
    const store = await PostgresEventStore.create({ connectionString: database.url, subscriptionPollMs: 30_000 });
    const category = `one${Date.now().toString(36)}`;
    const base = await store.headPosition();
    const filters: LogFilter[] = [{ categories: [category] }, { categories: [category, 'other'] }, { eventTypes: ['Once'] }, {}];
    const subscriptions = filters.map((filter) => follow(store, filter, base));
    try {
      await eventually(() => expect(subscriptions.every((s) => s.state.caughtUp)).toBe(true));
      await new Promise((resolve) => setTimeout(resolve, 200)); // every one now waits for news
      const counter = countLogReads(store);
      const appended = event('Once');
      await store.appendToStream(`${category}-1`, [appended], 'no_stream');
      await eventually(() => expect(subscriptions.map((s) => s.state.events.at(-1)?.id)).toEqual(filters.map(() => appended.id)), 10_000);
      // One shared read (two if the first one's snapshot came before the append was visible); four without sharing.
      expect(counter.reads).toBeLessThanOrEqual(2);
    } finally {
      await Promise.all(subscriptions.map((s) => s.close()));
      await store.close();
    }
  });
});
