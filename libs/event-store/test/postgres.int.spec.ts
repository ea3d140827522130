import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import {
  comparePositions,
  START,
  EventStoreUnavailableError,
  IdempotencyConflictError,
  InvalidAppendError,
  readHistory,
  scanHistory,
  StreamNotFoundError,
  WrongExpectedRevisionError,
  type AppendResult,
  type EventToAppend,
  type ExpectedRevision,
  type HistoryFilter,
  type LogPosition,
} from '#event-store';
import { createTestDatabase, eventually, type TestDatabase, OUT_OF_ORDER_DAY0, outOfOrderRecordedAt } from '#testing';
import { PostgresEventStore, RECORDED_DAY } from '../src/postgres/index.ts';
import { describeEventStoreContract, event } from './contract/event-store.contract.ts';

/** One append of `events` to `streamId` (expected revision: any) through es_append itself, on `client`. */
async function esAppend(client: pg.Client, streamId: string, events: readonly EventToAppend[]): Promise<void> {
  // es_append(streams, append stream, expected (-3: any), counts, event streams, ids, types, data, metadata, check all ids)
  await client.query('SELECT es_append($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)', [
    [streamId],
    [1],
    [-3],
    [events.length],
    events.map(() => 1),
    events.map((e) => e.id),
    events.map((e) => e.type),
    events.map((e) => e.data),
    events.map((e) => e.metadata),
    false,
  ]);
}

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase('es_contract');
});
afterAll(async () => {
  await database.drop();
});

describeEventStoreContract('PostgreSQL', {
  create: () => PostgresEventStore.create({ connectionString: database.url, subscriptionPollMs: 50 }),
  dispose: (store) => store.close(),
  async holdOpenAppend(_store, streamId, events) {
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    await client.query('BEGIN');
    await esAppend(client, streamId, events);
    return {
      async commit() {
        await client.query('COMMIT');
        await client.end();
      },
    };
  },
  // What the store sees of a restart: every connection it holds is closed by the server. (The test server is
  // shared, so it is not really restarted.) Over once those connections are gone, as a restart is: pg_terminate_backend
  // only signals them, and on a loaded machine an append sent at once could still meet one about to go (CI,
  // 2026-12-06: "terminating connection due to administrator command").
  async restartServer() {
    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    try {
      const { rows } = await admin.query<{ pid: number }>(
        'SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
      );
      const pids = rows.map((row) => row.pid);
      await admin.query('SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS t(pid)', [pids]);
      await eventually(async () => {
        const left = await admin.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_stat_activity WHERE pid = ANY($1::int[])', [pids]);
        expect(left.rows[0]!.n).toBe(0);
      });
      // Their sockets close as the processes end: a turn of the event loop lets the store's pool see it.
      await new Promise((resolve) => setTimeout(resolve, 50));
    } finally {
      await admin.end();
    }
  },
});

describe('PostgreSQL adapter: storage', () => {
  test('event data is compressed with lz4 exactly where the server was built with it (migration 5), and reads back the same', async () => {
    const store = await PostgresEventStore.create({ connectionString: database.url });
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      // Asked of the server apart from the migration: a server without lz4 refuses the setting.
      const hasLz4 = await client.query(`SET default_toast_compression = 'lz4'`).then(
        () => true,
        () => false,
      );
      const { rows } = await client.query<{ compression: string }>(
        `SELECT attcompression AS compression FROM pg_attribute WHERE attrelid = 'es_events'::regclass AND attname = 'data'`,
      );
      expect(rows[0]!.compression).toBe(hasLz4 ? 'l' : '');
      // A value large enough to be compressed comes back byte for byte.
      const large = JSON.stringify({ heads: Array.from({ length: 5_000 }, (_, i) => `stream-${i}:${i % 7}`) });
      const id = randomUUID();
      await store.appendToStream(`storage-${id}`, [{ id, type: 'Large', data: large, metadata: '{}' }], 'no_stream');
      const [stored] = await store.readStream(`storage-${id}`);
      expect(stored!.data).toBe(large);
    } finally {
      await client.end();
      await store.close();
    }
  });
});

describe('PostgreSQL adapter: append plans', () => {
  /** One event appended through es_append on `client`, its stream's revision looked up as every append does. */
  const appendOne = (client: pg.Client, streamId: string) => esAppend(client, streamId, [event('Planned')]);

  test('an append probes the stream index even when its connection planned on statistics of a nearly empty log', async () => {
    // es_append's statements are planned once per connection (generic plans) and kept while the connection lives.
    // Planned from statistics that say the log is tiny (autovacuum analyses a new log after 50 events; the
    // migrations of this project analyse after building indexes), the revision lookup became a sequential scan,
    // and every later append on that connection read the whole log: with autovacuum off, PostgreSQL spent 600 to
    // 1,300 µs of CPU an event at 20,000 events (the log-seal bench, 2026-12-06) instead of about 150.
    const own = await createTestDatabase('append_plans');
    const store = await PostgresEventStore.create({ connectionString: own.url });
    const writer = new pg.Client({ connectionString: own.url });
    const grower = new pg.Client({ connectionString: own.url });
    await writer.connect();
    await grower.connect();
    try {
      await appendOne(writer, 'plan-0');
      await grower.query('ANALYZE es_events');
      await appendOne(writer, 'plan-1'); // planned now, on those statistics
      await grower.query(
        `INSERT INTO es_events (stream_id, stream_revision, event_id, event_type, data, metadata)
         SELECT 'grown-' || (g / 5), g % 5, gen_random_uuid(), 'Grown', '{}', '{}' FROM generate_series(0, 4999) g`,
      );
      const plans: string[] = [];
      writer.on('notice', (notice) => plans.push(notice.message ?? ''));
      await writer.query(`LOAD 'auto_explain'`);
      await writer.query(`SET auto_explain.log_min_duration = 0`);
      await writer.query(`SET auto_explain.log_nested_statements = on`);
      await writer.query(`SET auto_explain.log_level = notice`);
      await writer.query(`SET client_min_messages = notice`);
      await appendOne(writer, 'plan-2');
      const lookup = plans.find((plan) => plan.includes('max(x.stream_revision)'));
      expect(lookup).toBeDefined();
      expect(lookup).not.toContain('Seq Scan on es_events');
      expect(lookup).toContain('es_events_stream_id_stream_revision_key');
    } finally {
      await writer.end();
      await grower.end();
      await store.close();
      await own.drop();
    }
  });
});

describe('PostgreSQL adapter: unavailability', () => {
  test('a server that cannot be reached is EventStoreUnavailableError, not a driver error', async () => {
    const { findFreePort } = await import('#postgres');
    const port = await findFreePort(); // nothing listens there
    const error = await PostgresEventStore.create({ connectionString: `postgres://postgres@127.0.0.1:${port}/none` }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(EventStoreUnavailableError);
    expect((error as Error).message).toMatch(/event store unavailable/);
  });

  test('a closed store refuses work with EventStoreUnavailableError', async () => {
    const store = await PostgresEventStore.create({ connectionString: database.url });
    await store.close();
    await expect(store.readStream('member-x')).rejects.toBeInstanceOf(EventStoreUnavailableError);
    await expect(store.appendToStream('member-x', [event('A')], 'any')).rejects.toBeInstanceOf(EventStoreUnavailableError);
  });

  test('malformed input is InvalidAppendError and appends nothing', async () => {
    const store = await PostgresEventStore.create({ connectionString: database.url });
    try {
      await expect(store.appendToStream('', [event('A')], 'any')).rejects.toBeInstanceOf(InvalidAppendError);
      await expect(store.appendToStream('member-bad', [{ ...event('A'), id: 'not-a-uuid' }], 'any')).rejects.toBeInstanceOf(
        InvalidAppendError,
      );
      await expect(store.appendToStream('member-bad', [{ ...event('A'), data: '{not json' }], 'any')).rejects.toBeInstanceOf(
        InvalidAppendError,
      );
      await expect(store.appendToStream('member-bad', [event('A')], -1)).rejects.toBeInstanceOf(InvalidAppendError);
      await expect(store.readStream('member-bad')).rejects.toBeInstanceOf(StreamNotFoundError);
    } finally {
      await store.close();
    }
  });
});

describe('PostgreSQL adapter: appends sent together', () => {
  // Appends submitted in one turn of the event loop go to the server in one es_append call, one transaction.
  let store: PostgresEventStore;
  let category: string;
  beforeAll(async () => {
    store = await PostgresEventStore.create({ connectionString: database.url });
  });
  afterAll(async () => {
    await store.close();
  });
  beforeEach(() => {
    category = `b${randomBytes(6).toString('hex')}`;
  });
  const settle = (attempts: [string, ReturnType<typeof event>[], ExpectedRevision][]) =>
    Promise.allSettled(attempts.map(([stream, events, expected]) => store.appendToStream(stream, events, expected)));
  const value = (result: PromiseSettledResult<AppendResult> | undefined) => (result as PromiseFulfilledResult<AppendResult>).value;
  const reason = (result: PromiseSettledResult<AppendResult> | undefined) => (result as PromiseRejectedResult).reason as unknown;

  test('share one commit, and appends to one stream are decided in order, each seeing the ones before', async () => {
    const id = `${category}-ordered`;
    const [a, b, c, d] = await settle([
      [id, [event('A')], 'no_stream'],
      [id, [event('B')], 5],
      [id, [event('C'), event('D')], 0],
      [id, [event('E')], 'any'],
    ]);
    expect(value(a).nextExpectedRevision).toBe(0);
    expect(reason(b)).toBeInstanceOf(WrongExpectedRevisionError);
    expect((reason(b) as WrongExpectedRevisionError).actual).toBe(0);
    expect(value(c).nextExpectedRevision).toBe(2);
    expect(value(d).nextExpectedRevision).toBe(3);
    expect(new Set([a, c, d].map((r) => value(r).position.commit)).size).toBe(1);
    const recorded = await store.readStream(id);
    expect(recorded.map((e) => `${e.revision}:${e.type}`)).toEqual(['0:A', '1:C', '2:D', '3:E']);
    expect(recorded.at(-1)!.position).toEqual(value(d).position);
  });

  test('one append the server refuses does not fail the others: only it is refused, and it stores nothing', async () => {
    // Both pass the adapter's own checks and fail only in PostgreSQL: an index entry past its size limit, and
    // JSON nested deeper than the server parses.
    const tooLongType = { ...event('A'), type: randomBytes(4000).toString('hex') };
    const tooDeep = { ...event('A'), data: `${'['.repeat(100_000)}${']'.repeat(100_000)}` };
    const results = await settle([
      [`${category}-first`, [event('A')], 'no_stream'],
      [`${category}-long`, [event('B'), tooLongType], 'no_stream'],
      [`${category}-second`, [event('A'), event('B')], 'any'],
      [`${category}-deep`, [tooDeep], 'any'],
      [`${category}-third`, [event('A')], 'no_stream'],
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'rejected', 'fulfilled']);
    expect(reason(results[1])).toBeInstanceOf(InvalidAppendError);
    expect(reason(results[3])).toBeInstanceOf(InvalidAppendError);
    for (const name of ['first', 'second', 'third']) expect((await store.readStream(`${category}-${name}`)).length).toBeGreaterThan(0);
    for (const name of ['long', 'deep']) await expect(store.readStream(`${category}-${name}`)).rejects.toBeInstanceOf(StreamNotFoundError);
  });

  test('a retry answers the original result in the same batch as a later append to its stream', async () => {
    const id = `${category}-retry`;
    const original = [event('A'), event('B')];
    const first = await store.appendToStream(id, original, 'no_stream');
    const [retry, later] = await settle([
      [id, original, 'no_stream'],
      [id, [event('C')], 1],
    ]);
    expect(value(retry)).toEqual(first);
    expect(value(later).nextExpectedRevision).toBe(2);
    expect((await store.readStream(id)).map((e) => e.type)).toEqual(['A', 'B', 'C']);
  });

  test('ids stored by another append are refused even when the expected revision matches, wherever they stand', async () => {
    const id = `${category}-reused`;
    const [a, b] = [event('A'), event('B')];
    await store.appendToStream(id, [a, b], 'no_stream');
    // One by one (the check the expected revision passes), then together (two appends to one stream in a batch).
    for (const attempt of [
      [a, event('C')],
      [event('D'), b],
    ]) {
      const error = await store.appendToStream(id, attempt, 1).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(IdempotencyConflictError);
      expect((error as IdempotencyConflictError).eventId).toBe(attempt.find((e) => e === a || e === b)!.id);
    }
    const conflicts = await settle([
      [id, [a, event('C')], 1],
      [id, [event('D'), b], 1],
    ]);
    for (const conflict of conflicts) expect(reason(conflict)).toBeInstanceOf(IdempotencyConflictError);
    expect((reason(conflicts[0]) as IdempotencyConflictError).eventId).toBe(a.id);
    expect((reason(conflicts[1]) as IdempotencyConflictError).eventId).toBe(b.id);
    // With a wrong expected revision: the first id stored decides (a different append), else the revision does.
    await expect(store.appendToStream(id, [a, event('C')], 0)).rejects.toBeInstanceOf(IdempotencyConflictError);
    await expect(store.appendToStream(id, [event('D'), b], 0)).rejects.toBeInstanceOf(WrongExpectedRevisionError);
    expect((await store.readStream(id)).map((e) => e.type)).toEqual(['A', 'B']);
    // The same ids in another stream are another stream's events.
    expect((await store.appendToStream(`${category}-other`, [a], 'no_stream')).nextExpectedRevision).toBe(0);
  });

  test('an expected revision that is none of the allowed values is InvalidAppendError', async () => {
    await expect(store.appendToStream(`${category}-x`, [event('A')], 'latest' as ExpectedRevision)).rejects.toBeInstanceOf(
      InvalidAppendError,
    );
    await expect(store.appendToStream(`${category}-x`, [{ ...event('A'), id: randomUUID(), metadata: '' }], 'any')).rejects.toBeInstanceOf(
      InvalidAppendError,
    );
  });
});

describe('PostgreSQL adapter: live wake-ups', () => {
  test.each([
    ['by this store', true],
    ['by another store (another process)', false],
  ])('an append %s wakes a subscription long before its next poll', async (_label, sameStore) => {
    const reader = await PostgresEventStore.create({ connectionString: database.url, subscriptionPollMs: 30_000 });
    const writer = sameStore ? reader : await PostgresEventStore.create({ connectionString: database.url });
    const category = `wake${Date.now()}${sameStore ? 'a' : 'b'}`;
    const subscription = reader.subscribeToAll({ filter: { categories: [category] } });
    const seen: string[] = [];
    let caughtUp = false;
    const consuming = (async () => {
      for await (const message of subscription) {
        if (message.kind === 'event') seen.push(message.event.id);
        else if (message.caughtUp) caughtUp = true;
      }
    })();
    try {
      await eventually(() => expect(caughtUp).toBe(true));
      await new Promise((resolve) => setTimeout(resolve, 200)); // the subscription is now waiting, with a 30 s poll
      const appended = event('Woken');
      const started = Date.now();
      await writer.appendToStream(`${category}-1`, [appended], 'no_stream');
      await eventually(() => expect(seen).toEqual([appended.id]), 5_000, 5);
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await subscription.close();
      await consuming;
      await reader.close();
      if (!sameStore) await writer.close();
    }
  });
});

describe('PostgreSQL adapter: history', () => {
  let store: PostgresEventStore;
  let category: string;
  beforeAll(async () => {
    // A history read waits for transactions older than the newest commit: bounded shorter here, where tests hold one open.
    store = await PostgresEventStore.create({ connectionString: database.url, committedWaitMs: 1_000 });
  });
  afterAll(async () => {
    await store.close();
  });
  beforeEach(() => {
    category = `h${randomBytes(6).toString('hex')}`;
  });
  const withMeta = (type: string, actorId: string, correlationId: string) => ({
    ...event(type),
    metadata: JSON.stringify({ actorId, actorRoles: [], correlationId, hash: '0' }),
  });

  test.each([
    ['default tuning', undefined],
    [
      'a time-window budget of 3 rows and one lead day (the day-index step on every window page)',
      { windowScanBudget: 3, windowLeadDays: 1 },
    ],
  ])('the indexed query answers exactly what the scan fallback answers, page by page, in both orders: %s', async (_label, tuning) => {
    const reader = tuning ? await PostgresEventStore.create({ connectionString: database.url, historyQuery: tuning }) : store;
    try {
      const actors = ['ann', 'bob', 'cy'];
      for (let i = 0; i < 40; i++) {
        await store.appendToStream(
          `${category}${i % 2 ? 'x' : ''}-s${i % 5}`,
          [
            withMeta(['Opened', 'Changed', 'Closed'][i % 3]!, actors[i % 3]!, `corr${i % 4}`),
            withMeta('Noted', actors[(i + 1) % 3]!, `corr${i % 4}`),
          ],
          'any',
        );
        // Spread the recorded times, so that windows cut the log in several places.
        if (i % 8 === 7) await new Promise((resolve) => setTimeout(resolve, 5));
      }
      const both = [category, `${category}x`];
      // The log shows what lies below its stable head, and the head waits for every transaction of the cluster that
      // might still commit below it: other suites' transactions, under load, can hold it back for a moment.
      const everything = await eventually(async () => {
        const read = await readHistory(store, { direction: 'forwards', maxCount: 1000, filter: { categories: both } });
        expect(read.events).toHaveLength(80);
        return read;
      }, 10_000);
      const at = (i: number) => everything.events[i]!.recordedAt;
      const filters: HistoryFilter[] = [
        { categories: [category] },
        { categories: both, eventTypes: ['Opened', 'Noted'] },
        { categories: [`${category}x`], eventTypes: ['Changed'] },
        { categories: both, eventTypes: ['Opened', 'Closed', 'Missing'] },
        { streamId: `${category}-s2` },
        { streamId: `${category}-s2`, categories: [`${category}x`] },
        { categories: [category], actorId: 'bob' },
        { categories: both, correlationId: 'corr3' },
        { categories: [category], actorId: 'ann', correlationId: 'corr0', eventTypes: ['Noted'] },
        { categories: both, recordedFrom: at(40) },
        { categories: both, recordedTo: at(40), actorId: 'cy' },
        { categories: both, recordedFrom: at(10), recordedTo: at(30) },
        { categories: [category], recordedFrom: at(0), recordedTo: at(79) },
        { categories: both, eventTypes: ['Noted', 'Closed'], recordedFrom: at(20), recordedTo: at(60) },
        { categories: both, recordedFrom: at(79) },
        { categories: both, recordedTo: at(0) },
      ];
      for (const filter of filters) await pagesAsScanned(reader, store, filter, [1, 7]);
      // With an end bound too (what the export reads with).
      const until = everything.events[50]!.position;
      const bounded = { direction: 'forwards' as const, maxCount: 5, until, filter: { categories: both, recordedFrom: at(10) } };
      expect(await reader.readHistory(bounded)).toEqual(await scanHistory(store, bounded));
    } finally {
      if (reader !== store) await reader.close();
    }
  });

  test.each([
    ['default tuning', undefined],
    ['a time-window budget of 2 rows and one lead day', { windowScanBudget: 2, windowLeadDays: 1 }],
    ['a time-window budget of 1 row and three lead days', { windowScanBudget: 1, windowLeadDays: 3 }],
  ])(
    'time windows over several days, with times out of log order around midnight, page exactly in both orders: %s',
    async (_label, tuning) => {
      // 60 events, then their recorded times set by hand: five days of 12 events an hour apart, except that the last
      // event of each day is recorded just after the next midnight and the first just before its own (so each day's
      // rows lie on both sides of the next day's in log order), one event late in the log on the first day and one
      // early in the log on the last: the day index must never assume that time follows the log. In a database of its
      // own: a window without another filter reads the whole log, which here is these 60 events, whatever the other
      // tests appended. Some 800 pages a tuning, each compared with the scan: one test each, as one they took over a
      // minute under a loaded run's other suites.
      const own = await createTestDatabase('history_windows');
      const store = await PostgresEventStore.create({ connectionString: own.url, committedWaitMs: 1_000 });
      const reader = tuning ? await PostgresEventStore.create({ connectionString: own.url, historyQuery: tuning }) : store;
      try {
        await pageWindows(own, store, reader);
      } finally {
        if (reader !== store) await reader.close();
        await store.close();
        await own.drop();
      }
    },
    60_000,
  );

  async function pageWindows(own: TestDatabase, store: PostgresEventStore, reader: PostgresEventStore): Promise<void> {
    for (let i = 0; i < 60; i++)
      await store.appendToStream(`${category}-s${i % 4}`, [withMeta(['Opened', 'Noted'][i % 2]!, 'ann', 'c')], 'any');
    const day0 = OUT_OF_ORDER_DAY0;
    const hour = 3_600_000;
    const day = 24 * hour;
    const timeOf = outOfOrderRecordedAt;
    const admin = new pg.Client({ connectionString: own.url });
    await admin.connect();
    try {
      await admin.query(
        `UPDATE es_events e SET recorded_at = to_timestamp(t.ms / 1000.0)
           FROM (SELECT transaction_id, global_position, (row_number() OVER (ORDER BY transaction_id, global_position) - 1)::int AS i
                   FROM es_events WHERE category = $1) n,
                unnest($2::float8[]) WITH ORDINALITY AS t(ms, k)
          WHERE e.transaction_id = n.transaction_id AND e.global_position = n.global_position AND t.k = n.i + 1`,
        [category, Array.from({ length: 60 }, (_, i) => timeOf(i))],
      );
    } finally {
      await admin.end();
    }
    const at = (ms: number) => new Date(ms);
    const windows: HistoryFilter[] = [
      { recordedFrom: at(day0 - day), recordedTo: at(day0 + 6 * day) },
      { recordedFrom: at(day0 + day + 6 * hour), recordedTo: at(day0 + 3 * day + 6 * hour) },
      { recordedFrom: at(day0 + 2 * day), recordedTo: at(day0 + 3 * day - 1) },
      { recordedFrom: at(day0 + 2 * day - 1_000), recordedTo: at(day0 + 2 * day + 1_000) },
      { recordedFrom: at(day0 + 2 * day - 500), recordedTo: at(day0 + 2 * day - 500) },
      { recordedFrom: at(day0 + 3 * day + 12 * hour) },
      { recordedTo: at(day0 + 2 * hour) },
      { recordedFrom: at(day0 - 3 * day), recordedTo: at(day0 - day) },
    ];
    const filters = windows.flatMap((w) => [w, { ...w, categories: [category] }, { ...w, eventTypes: ['Noted'] }]);
    // Each window pages on its own, all at once.
    const found = await Promise.all(filters.map((filter) => pagesAsScanned(reader, store, filter, [1, 5, 100])));
    // The comparison means something only if the windows found events.
    expect(found.reduce((sum, n) => sum + n, 0)).toBeGreaterThan(1500);
  }

  /**
   * Pages `reader`'s history through `filter` in both orders and with each page size, every page compared with what
   * the scan fallback answers from `store`; how many events the pages held.
   */
  async function pagesAsScanned(
    reader: PostgresEventStore,
    store: PostgresEventStore,
    filter: HistoryFilter,
    maxCounts: readonly number[],
  ): Promise<number> {
    let found = 0;
    for (const direction of ['forwards', 'backwards'] as const) {
      for (const maxCount of maxCounts) {
        let after: LogPosition | undefined;
        for (let n = 0; ; n++) {
          const options = { direction, maxCount, filter, ...(after ? { after } : {}) };
          const indexed = await reader.readHistory(options);
          const scanned = await scanHistory(store, options);
          expect({ filter, direction, maxCount, n, page: indexed }).toEqual({ filter, direction, maxCount, n, page: scanned });
          found += indexed.events.length;
          if (!indexed.hasMore) break;
          after = indexed.events.at(-1)!.position;
        }
      }
    }
    return found;
  }

  test('an event of a transaction still open is not read; once committed it comes after the cursor, never behind it', async () => {
    await store.appendToStream(`${category}-early`, [event('Early')], 'no_stream');
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      await client.query('BEGIN');
      const slow = event('Slow');
      await client.query('SELECT es_append($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)', [
        [`${category}-slow`],
        [1],
        [-3],
        [1],
        [1],
        [slow.id],
        [slow.type],
        [slow.data],
        [slow.metadata],
        false,
      ]);
      const later = event('Later');
      await store.appendToStream(`${category}-later`, [later], 'no_stream');
      const filter = { categories: [category] };
      // The later event committed, but an older transaction is still open: neither is read yet.
      const first = await store.readHistory({ direction: 'forwards', maxCount: 10, filter });
      expect(first.events.map((e) => e.type)).toEqual(['Early']);
      const newest = await store.readHistory({ direction: 'backwards', maxCount: 10, filter });
      expect(newest.events.map((e) => e.type)).toEqual(['Early']);
      await client.query('COMMIT');
      const rest = await store.readHistory({ direction: 'forwards', maxCount: 10, filter, after: first.events[0]!.position });
      expect(rest.events.map((e) => e.type)).toEqual(['Slow', 'Later']);
      const older = await store.readHistory({ direction: 'backwards', maxCount: 10, filter, after: newest.events[0]!.position });
      expect(older).toEqual({ events: [], hasMore: false });
    } finally {
      await client.end();
    }
  });

  test('waitForCommitted: what was committed before the call becomes readable once the transactions older than it end', async () => {
    // A writer that took its transaction id before the append and is still running (a projection's batch, another
    // instance's append) hides the append from every horizon-bounded read, however long ago it was committed.
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_current_xact_id()');
      // Appended by another instance: this store has no write of its own to wait for, so its reads show the horizon.
      const otherInstance = await PostgresEventStore.create({ connectionString: database.url });
      const appended = await otherInstance
        .appendToStream(`${category}-committed`, [event('Committed')], 'no_stream')
        .finally(() => otherInstance.close());
      expect(comparePositions(await store.headPosition(), appended.position)).toBeLessThan(0);
      // Bounded: while the older transaction runs, the wait ends without it.
      expect(await store.waitForCommitted({ timeoutMs: 100 })).toBe(false);

      const waited = store.waitForCommitted({ timeoutMs: 5_000 });
      await new Promise((resolve) => setTimeout(resolve, 150));
      await client.query('COMMIT');
      expect(await waited).toBe(true);
      expect(comparePositions(await store.headPosition(), appended.position)).toBeGreaterThanOrEqual(0);
      const page = await store.readAll({ after: START, maxCount: 10_000, filter: { categories: [category] } });
      expect(page.events.map((e) => e.type)).toEqual(['Committed']);
    } finally {
      await client.end();
    }
  });

  test('a store reads its own appends: its reads wait (bounded) for the transactions older than them to end', async () => {
    // What the tests that count events after a command, and any reader in the writing process, rely on.
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_current_xact_id()');
      const appended = await store.appendToStream(`${category}-own`, [event('Own')], 'no_stream');
      const head = store.headPosition();
      const count = store.countEventsAfter(START, { categories: [category] });
      const page = store.readAll({ after: START, maxCount: 10_000, filter: { categories: [category] } });
      await new Promise((resolve) => setTimeout(resolve, 100));
      await client.query('COMMIT');
      expect(comparePositions(await head, appended.position)).toBeGreaterThanOrEqual(0);
      expect(await count).toBe(1);
      expect((await page).events.map((e) => e.type)).toEqual(['Own']);
    } finally {
      await client.end();
    }
  });

  test('a history read counts what was committed before it, once the transactions older than that commit end', async () => {
    // As an authorization's evidence is read right after the action that recorded it: another writer's transaction,
    // begun before that append and still running, must not hide it from the answer.
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_current_xact_id()');
      await store.appendToStream(`${category}-evidence`, [event('Evidence')], 'no_stream');
      const read = store.readHistory({ direction: 'forwards', maxCount: 10, filter: { categories: [category] } });
      await new Promise((resolve) => setTimeout(resolve, 100));
      await client.query('COMMIT');
      expect((await read).events.map((e) => e.type)).toEqual(['Evidence']);
    } finally {
      await client.end();
    }
  });

  test('the history conditions use the indexes of migrations 2 and 4', async () => {
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      // The test table is small, where a sequential scan is cheapest: this asks which index the planner can use.
      await client.query('SET enable_seqscan = off');
      // Statistics as autovacuum leaves them at some moment of the run (it analyses the table after the tests above):
      // taken now, so that the plan does not depend on whether it has yet.
      await client.query('ANALYZE es_events');
      const plan = async (condition: string) => {
        const { rows } = await client.query<{ 'QUERY PLAN': string }>(
          `EXPLAIN SELECT * FROM es_events e WHERE ${condition} ORDER BY e.transaction_id DESC, e.global_position DESC LIMIT 101`,
        );
        return rows.map((r) => r['QUERY PLAN']).join('\n');
      };
      expect(await plan(`(e.metadata ->> 'actorId') = 'ann'`)).toMatch(/es_events_actor_order/);
      expect(await plan(`(e.metadata ->> 'correlationId') = 'c'`)).toMatch(/es_events_correlation_order/);
      // A window's rows of one day, in log order from a cursor, are a range of the day index, read from it alone (it
      // carries the recorded time that the window's first and last days are filtered on). The cursor lies past every
      // row, as a first page's does: a cursor below the log's first transaction would make the primary key's empty
      // range the cheaper plan once the table has statistics. Ordered reads only: the test day's dozen rows fit one
      // page, where a bitmap read and a sort cost less (a day of a real log does not).
      await client.query('SET enable_bitmapscan = off');
      const { rows: day } = await client.query<{ 'QUERY PLAN': string }>(
        `EXPLAIN SELECT e.transaction_id, e.global_position FROM es_events e
          WHERE ${RECORDED_DAY.replace('%', 'e')} = '2025-03-10'
            AND (e.transaction_id, e.global_position) < (pg_current_xact_id(), 9223372036854775807)
            AND e.recorded_at >= '2025-03-10T12:00:00Z'
          ORDER BY e.transaction_id DESC, e.global_position DESC LIMIT 101`,
      );
      expect(day.map((r) => r['QUERY PLAN']).join('\n')).toMatch(/Index Only Scan Backward using es_events_recorded_day_order/);
    } finally {
      await client.end();
    }
  });
});
