import { randomUUID } from 'node:crypto';
import pg from 'pg';
import {
  readHistory,
  scanHistory,
  START,
  type EventStore,
  type EventToAppend,
  type HistoryFilter,
  type LogPosition,
  type ReadHistoryOptions,
  type RecordedEvent,
} from '#event-store';
import { PostgresEventStore } from '#event-store/postgres';
import { LOG_INDEX_PROJECTION, LogIndex, LogIndexedEventStore, logIndexProjection, needsLogIndex, ProjectionRunner } from '#projections';
import { createTestDatabase, eventually, type TestDatabase, OUT_OF_ORDER_DAY0, outOfOrderRecordedAt } from '#testing';

/**
 * The log index on real PostgreSQL: fed by the projection runner from the PostgreSQL store's subscription (as it is
 * from EventStoreDB's), every event exactly once and byte for byte, and its history pages the same as the
 * PostgreSQL store's own indexed query, which the contract suite holds to the port's promises.
 */
describe('log index', () => {
  let database: TestDatabase;
  let store: PostgresEventStore;
  let pool: pg.Pool;
  let index: LogIndex;
  const runners: ProjectionRunner[] = [];

  beforeAll(async () => {
    database = await createTestDatabase('log_index');
    store = await PostgresEventStore.create({ connectionString: database.url, subscriptionPollMs: 50 });
    // Named, so that a test can end the runner's connections and only those.
    pool = new pg.Pool({ connectionString: database.url, application_name: 'log-index-runner', max: 6 });
    pool.on('error', () => undefined);
    index = new LogIndex(pool);
  });
  afterAll(async () => {
    await Promise.all(runners.splice(0).map((r) => r.stop()));
    await store.close();
    await pool.end();
    await database.drop();
  });

  async function startRunner(): Promise<ProjectionRunner> {
    const runner = await ProjectionRunner.create({
      store,
      pool,
      projections: [logIndexProjection],
      failureRetryMs: 100,
      standbyRetryMs: 50,
    });
    await runner.initialise();
    runner.start();
    runners.push(runner);
    return runner;
  }
  async function stopRunners(): Promise<void> {
    await Promise.all(runners.splice(0).map((r) => r.stop()));
  }

  const meta = (actorId: string, correlationId: string, roles: string[]) =>
    JSON.stringify({ actorId, correlationId, actorRoles: roles, note: 'caf\u00e9 \u2713', hash: 'x' });
  const event = (type: string, metadata = '{}', data = `{"n":${Math.random()}}`): EventToAppend => ({
    id: randomUUID(),
    type,
    data,
    metadata,
  });

  /** The whole log as the store reads it, in its order. */
  async function storeLog(): Promise<RecordedEvent[]> {
    const events: RecordedEvent[] = [];
    for (let after: LogPosition = START; ;) {
      const page = await store.readAll({ after, maxCount: 1000 });
      events.push(...page.events);
      if (page.isEnd) return events;
      after = page.checkpoint;
    }
  }
  async function indexLog(): Promise<RecordedEvent[]> {
    const events: RecordedEvent[] = [];
    for (let after: LogPosition = START; ;) {
      const page = await index.readAll({ after, maxCount: 1000 });
      events.push(...page.events);
      if (page.isEnd) return events;
      after = page.checkpoint;
    }
  }
  const caughtUp = async (runner: ProjectionRunner) => runner.waitForPosition(await store.headPosition(), [LOG_INDEX_PROJECTION], 20_000);

  test('the PostgreSQL store answers history itself; a store without that query needs the index', () => {
    expect(needsLogIndex(store)).toBe(false);
    expect(needsLogIndex(new LogIndexedEventStore(store, index))).toBe(false);
    expect(needsLogIndex({ readAll: store.readAll.bind(store) } as unknown as EventStore)).toBe(true);
  });

  test('holds every event of the log once, in log order, byte for byte, across stops and lost connections', async () => {
    const runner = await startRunner();
    const writers = Array.from({ length: 4 }, async (_, w) => {
      for (let i = 0; i < 60; i++) {
        await store.appendToStream(`idx_${w}-s${i % 5}`, [event('Written', meta(`a${w}`, `c${i}`, ['MEMBER']))], 'any');
      }
    });
    // Meanwhile, the runner loses its connections three times (as in a crash of its database session) and is
    // stopped and started once: batches in flight roll back with their checkpoint and are read again.
    let terminated = 0;
    const faults = (async () => {
      for (let n = 0; n < 3; n++) {
        await new Promise((resolve) => setTimeout(resolve, 150));
        await store.appendToStream('idx_fault-x', [event('Written')], 'any');
        const admin = new pg.Client({ connectionString: database.url });
        await admin.connect();
        const ended = await admin.query(
          `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'log-index-runner' AND pid <> pg_backend_pid()`,
        );
        terminated += ended.rowCount ?? 0;
        await admin.end();
      }
      await stopRunners();
      await store.appendToStream('idx_fault-y', [event('WrittenWhileStopped')], 'any');
      await startRunner();
    })();
    await Promise.all([...writers, faults]);
    await eventually(() => caughtUp(runners[0]!), 30_000);
    expect(runner).toBeDefined();
    // The runner's lock session at least was ended each time.
    expect(terminated).toBeGreaterThanOrEqual(3);

    const logged = await storeLog();
    const indexed = await indexLog();
    expect(indexed).toHaveLength(logged.length);
    expect(indexed).toEqual(logged);
    const [status] = await runners[0]!.status();
    expect(status).toMatchObject({ name: LOG_INDEX_PROJECTION, error: null, lag: 0 });
  }, 60_000);

  test('a rebuild from the start holds the same events', async () => {
    const runner = runners[0] ?? (await startRunner());
    await caughtUp(runner);
    const before = await indexLog();
    await runner.requestRebuild(LOG_INDEX_PROJECTION);
    await eventually(async () => expect((await runner.status())[0]).toMatchObject({ generation: 2, rebuild: null }), 20_000);
    expect(await indexLog()).toEqual(before);
  }, 30_000);

  describe('history pages (the same answers as the PostgreSQL store)', () => {
    const categories = ['hcase', 'hmember', 'hgroup'];
    let log: RecordedEvent[];

    beforeAll(async () => {
      const runner = runners[0] ?? (await startRunner());
      const types = ['Opened', 'Noted', 'Closed', 'Moved'];
      for (let i = 0; i < 240; i++) {
        const category = categories[i % 3]!;
        const roles = i % 17 === 0 ? ['COMMUNITY_MANAGER'] : ['MEMBER'];
        await store.appendToStream(
          `${category}-${i % 7}`,
          [
            event(types[i % 4]!, meta(`actor${i % 5}`, `corr${i % 9}`, roles)),
            ...(i % 10 === 0 ? [event('Extra', '{"nothing":true}')] : []),
          ],
          'any',
        );
        // A few distinct recorded times, so that time windows cut the log in several places.
        if (i % 60 === 59) await new Promise((resolve) => setTimeout(resolve, 15));
      }
      await caughtUp(runner);
      log = (await storeLog()).filter((e) => categories.some((c) => e.streamId.startsWith(`${c}-`)));
    }, 60_000);

    /** Every page, `size` at a time, from both sources: the same events, positions and hasMore. */
    async function samePages(filter: HistoryFilter, direction: 'forwards' | 'backwards', size: number, tuning?: LogIndex) {
      const reader = tuning ?? index;
      const ours: RecordedEvent[] = [];
      const theirs: RecordedEvent[] = [];
      let after: LogPosition | undefined;
      for (let n = 0; n < 1000; n++) {
        const options: ReadHistoryOptions = { direction, maxCount: size, filter, ...(after ? { after } : {}) };
        const [a, b] = await Promise.all([reader.readHistory(options), readHistory(store, options)]);
        expect(a.hasMore).toBe(b.hasMore);
        ours.push(...a.events);
        theirs.push(...b.events);
        if (!b.hasMore) break;
        after = b.events.at(-1)!.position;
      }
      expect(ours).toEqual(theirs);
      return ours;
    }

    test('every filter, both orders, cursor paging', async () => {
      const times = log.map((e) => e.recordedAt.getTime());
      const middle = new Date(times[Math.floor(times.length / 2)]!);
      const filters: HistoryFilter[] = [
        { categories },
        { streamId: 'hcase-3' },
        { streamId: 'hcase-3', categories: ['hmember'] },
        { categories: ['hmember'] },
        { categories: ['hmember', 'hgroup'], eventTypes: ['Noted'] },
        { categories, eventTypes: ['Opened', 'Closed'] },
        { categories, eventTypes: ['Extra'] },
        { actorId: 'actor2' },
        { actorId: 'actor2', correlationId: 'corr4' },
        { correlationId: 'corr7', categories: ['hgroup'] },
        { actorId: 'actor0', actorRole: 'COMMUNITY_MANAGER' },
        { categories, actorRole: 'COMMUNITY_MANAGER' },
        { categories, recordedFrom: middle },
        { categories, recordedTo: middle },
        { eventTypes: ['Moved'], recordedFrom: new Date(times[0]!), recordedTo: middle },
        { actorId: 'nobody' },
      ];
      let nonEmpty = 0;
      for (const filter of filters) {
        for (const direction of ['forwards', 'backwards'] as const) {
          for (const size of [1, 7, 100]) {
            const pages = await samePages(filter, direction, size);
            if (pages.length > 0) nonEmpty++;
          }
        }
      }
      // The comparison means something only if the filters found events.
      expect(nonEmpty).toBeGreaterThan(70);
      const byActorRole = await samePages({ actorId: 'actor0', actorRole: 'COMMUNITY_MANAGER' }, 'forwards', 100);
      expect(byActorRole.length).toBeGreaterThan(0);
      expect(byActorRole.every((e) => JSON.parse(e.metadata).actorRoles.includes('COMMUNITY_MANAGER'))).toBe(true);
    }, 60_000);

    test('a time window far from the cursor (the day-index step) answers the same', async () => {
      const small = new LogIndex(pool, { historyQuery: { windowScanBudget: 5, windowLeadDays: 1 } });
      const times = log.map((e) => e.recordedAt.getTime());
      const filter = { categories, recordedTo: new Date(times[20]!) };
      const ours = await samePages(filter, 'backwards', 3, small);
      expect(ours.length).toBeGreaterThan(0);
    });

    test('time windows over several days, with times out of log order around midnight, page as a scan of the index does', async () => {
      // Events of their own categories, then their recorded times in the index set by hand (the store's stay): five
      // days of 12 events an hour apart, the last of each day just after the next midnight and the first just before
      // its own, one late event on the first day and one early event on the last. Compared with a scan of the index.
      const runner = runners[0] ?? (await startRunner());
      const mine = ['dcase', 'dmember'];
      for (let i = 0; i < 60; i++)
        await store.appendToStream(`${mine[i % 2]}-${i % 5}`, [event(['Opened', 'Noted'][i % 3 === 0 ? 0 : 1]!)], 'any');
      await caughtUp(runner);
      const day0 = OUT_OF_ORDER_DAY0;
      const hour = 3_600_000;
      const day = 24 * hour;
      const timeOf = outOfOrderRecordedAt;
      const { rows } = await pool.query<{ generation: number }>(
        `SELECT generation FROM projection_generations WHERE name = $1 AND status = 'active'`,
        [LOG_INDEX_PROJECTION],
      );
      await pool.query(
        `UPDATE proj_${LOG_INDEX_PROJECTION}_g${rows[0]!.generation}.log_events e SET recorded_at = to_timestamp(t.ms / 1000.0)
           FROM (SELECT transaction_id, global_position, (row_number() OVER (ORDER BY transaction_id, global_position) - 1)::int AS i
                   FROM proj_${LOG_INDEX_PROJECTION}_g${rows[0]!.generation}.log_events WHERE category = ANY($1)) n,
                unnest($2::float8[]) WITH ORDINALITY AS t(ms, k)
          WHERE e.transaction_id = n.transaction_id AND e.global_position = n.global_position AND t.k = n.i + 1`,
        [mine, Array.from({ length: 60 }, (_, i) => timeOf(i))],
      );
      const at = (ms: number) => new Date(ms);
      const windows: HistoryFilter[] = [
        { recordedFrom: at(day0 - day), recordedTo: at(day0 + 6 * day) },
        { recordedFrom: at(day0 + day + 6 * hour), recordedTo: at(day0 + 3 * day + 6 * hour) },
        { recordedFrom: at(day0 + 2 * day - 1_000), recordedTo: at(day0 + 2 * day + 1_000) },
        { recordedFrom: at(day0 + 3 * day + 12 * hour), recordedTo: at(day0 + 5 * day) },
        { recordedTo: at(day0 + 2 * hour) },
      ];
      const filters = windows.flatMap((w) => [w, { ...w, categories: ['dcase'] }, { ...w, eventTypes: ['Opened'] }]);
      let found = 0;
      for (const reader of [index, new LogIndex(pool, { historyQuery: { windowScanBudget: 2, windowLeadDays: 1 } })]) {
        for (const filter of filters) {
          for (const direction of ['forwards', 'backwards'] as const) {
            for (const maxCount of [1, 4, 100]) {
              let after: LogPosition | undefined;
              for (let n = 0; ; n++) {
                const options: ReadHistoryOptions = { direction, maxCount, filter, ...(after ? { after } : {}) };
                const ours = await reader.readHistory(options);
                expect({ filter, direction, maxCount, n, page: ours }).toEqual({
                  filter,
                  direction,
                  maxCount,
                  n,
                  page: await scanHistory(index, options),
                });
                found += ours.events.length;
                if (!ours.hasMore) break;
                after = ours.events.at(-1)!.position;
              }
            }
          }
        }
      }
      // The comparison means something only if the windows found events.
      expect(found).toBeGreaterThan(500);
    }, 60_000);

    test('until bounds the read inclusively', async () => {
      const options: ReadHistoryOptions = {
        direction: 'backwards',
        maxCount: 50,
        filter: { categories },
        after: log[40]!.position,
        until: log[10]!.position,
      };
      const ours = await index.readHistory(options);
      expect(ours).toEqual(await readHistory(store, options));
      expect(ours.events.map((e) => e.id)).toEqual(
        log
          .slice(10, 40)
          .reverse()
          .map((e) => e.id),
      );
    });

    test('through the store decorator, a page waits for the index to reach the head: an append is in the next page', async () => {
      const indexed = new LogIndexedEventStore(store, index, { freshnessWaitMs: 10_000 });
      const newest = await indexed.readHistory({ direction: 'backwards', maxCount: 1, filter: { categories } });
      const fresh = event('Fresh', meta('actor9', 'corr-fresh', ['MEMBER']));
      await store.appendToStream('hcase-fresh', [fresh], 'no_stream');
      const page = await indexed.readHistory({
        direction: 'forwards',
        maxCount: 10,
        filter: { categories },
        after: newest.events[0]!.position,
      });
      expect(page.events.map((e) => e.id)).toEqual([fresh.id]);
    });
  });
});
