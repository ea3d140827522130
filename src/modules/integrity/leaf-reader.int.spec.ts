import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { parsePosition, START, type LogPosition } from '#event-store';
import { PostgresEventStore } from '#event-store/postgres';
import { createTestDatabase, eventually, type TestDatabase } from '#testing';
import { portLeafReader, postgresLeafReader, type LeafReader } from './leaf-reader.ts';
import type { LeafFields } from './log-fold.ts';

/**
 * The lean PostgreSQL reader must give the sealer exactly what the port's readAll gives (every verifier folds the
 * port's events), page for page: on a table never analysed, where its plan is forced (leaf-reader.ts).
 */
let db: TestDatabase;
let port: PostgresEventStore;
let pool: pg.Pool;

beforeAll(async () => {
  db = await createTestDatabase('leaf_reader');
  port = await PostgresEventStore.create({ connectionString: db.url });
  pool = new pg.Pool({ connectionString: db.url, max: 2 });
  for (let stream = 0; stream < 7; stream++) {
    for (let revision = 0; revision < 5; revision++) {
      // A stream id with a space, a quote and a line break, a recorded hash in some metadata and none in others.
      const metadata = revision % 2 === 0 ? JSON.stringify({ actorId: 'a', hash: 'f'.repeat(64) }) : JSON.stringify({ actorId: 'a' });
      await port.appendToStream(
        `case-${stream} "odd"\nid`,
        [{ id: randomUUID(), type: 'CaseNoted', data: JSON.stringify({ n: revision }), metadata }],
        revision === 0 ? 'no_stream' : revision - 1,
      );
    }
  }
});

/**
 * Events whose stream ids hold no line break: read a page as one text (see postgresLeafReader). Their metadata ends
 * every way the hash check has to tell apart: a hash, none, upper-case hex, a space inside the 64 bytes, a
 * character of two bytes just before the hash, and a text that ends in characters of several bytes.
 */
const TAILS = [
  JSON.stringify({ actorId: 'a', hash: 'e'.repeat(64) }),
  JSON.stringify({ actorId: 'a' }),
  JSON.stringify({ actorId: 'a', hash: 'E'.repeat(64) }),
  JSON.stringify({ actorId: 'a', hash: `${'d'.repeat(31)} ${'d'.repeat(32)}` }),
  JSON.stringify({ actorId: 'é', hash: 'c'.repeat(64) }),
  JSON.stringify({ actorId: 'a', note: 'ü'.repeat(60) }),
  JSON.stringify({ hash: 'b'.repeat(64) }).slice(0, -1) + ',"x":1}',
];

async function appendPlainStreams(): Promise<void> {
  for (let stream = 0; stream < 4; stream++) {
    for (const [revision, metadata] of TAILS.entries()) {
      await port.appendToStream(
        `plain-${stream} with spaces`,
        [{ id: randomUUID(), type: 'CaseNoted', data: JSON.stringify({ n: revision }), metadata }],
        revision === 0 ? 'no_stream' : revision - 1,
      );
    }
  }
}

/** The pool, noting the name of every named statement run through it. */
function watched(target: pg.Pool): { pool: Pick<pg.Pool, 'connect'>; names: string[] } {
  const names: string[] = [];
  return {
    names,
    pool: {
      connect: async () => {
        const client = await target.connect();
        return new Proxy(client, {
          get(object, property, receiver) {
            if (property !== 'query') return Reflect.get(object, property, receiver) as unknown;
            return (config: unknown, ...rest: unknown[]) => {
              if (config !== null && typeof config === 'object' && 'name' in config) names.push(String(config.name));
              return (object.query as (...args: unknown[]) => unknown)(config, ...rest);
            };
          },
        });
      },
    } as Pick<pg.Pool, 'connect'>,
  };
}

afterAll(async () => {
  await port?.close();
  await pool?.end();
  await db?.drop();
});

async function allPages(read: LeafReader, pageSize: number) {
  const pages = [];
  for (let after: LogPosition = START; ;) {
    const page = await read(after, pageSize);
    pages.push(page);
    after = page.checkpoint;
    if (page.isEnd) return pages;
  }
}

test('postgresLeafReader gives the pages portLeafReader gives, leaf for leaf, and then nothing new', async () => {
  // Both read below the oldest transaction still running on the server (other tests' too): wait until that is past
  // our events, and compare the leaves of each page, not the last checkpoint (the horizon moves between two reads).
  let lean: Awaited<ReturnType<typeof allPages>> = [];
  await eventually(async () => {
    lean = await allPages(postgresLeafReader(pool), 4);
    expect(lean.flatMap((page) => page.leaves)).toHaveLength(35);
    expect(lean.map((page) => page.leaves)).toEqual((await allPages(portLeafReader(port), 4)).map((page) => page.leaves));
  }, 10_000);
  expect(lean[0]!.leaves[0]).toMatchObject({ streamId: 'case-0 "odd"\nid', revision: 0, hash: 'f'.repeat(64) });
  expect(lean[0]!.leaves.map((leaf) => leaf.hash)).toEqual(['f'.repeat(64), '', 'f'.repeat(64), '']);
  expect((await postgresLeafReader(pool)(lean.at(-1)!.checkpoint, 4)).leaves).toEqual([]);
  // Every connection went back to the pool, none left inside a transaction.
  const { rows } = await pool.query<{ open: string }>(
    `SELECT count(*) AS open FROM pg_stat_activity WHERE datname = current_database() AND state LIKE 'idle in transaction%'`,
  );
  expect(rows[0]!.open).toBe('0');
});

test('a page without a line break in a stream id is read as one text, and gives the leaves the port gives', async () => {
  await appendPlainStreams();
  const everything = 35 + 4 * TAILS.length;
  const watch = watched(pool);
  let lean: Awaited<ReturnType<typeof allPages>> = [];
  await eventually(async () => {
    watch.names.length = 0;
    lean = await allPages(postgresLeafReader(watch.pool), 3);
    expect(lean.flatMap((page) => page.leaves)).toHaveLength(everything);
    expect(lean.map((page) => page.leaves)).toEqual((await allPages(portLeafReader(port), 3)).map((page) => page.leaves));
  }, 10_000);
  const plain = lean.flatMap((page) => page.leaves).filter((leaf) => leaf.streamId.startsWith('plain-'));
  expect(plain.slice(0, TAILS.length).map((leaf) => leaf.hash)).toEqual(['e'.repeat(64), '', '', '', 'c'.repeat(64), '', '']);
  // Every page is asked for as one text. Read again row by row: the pages with a line break in a stream id (the
  // first 12) and those with a tail framed like a hash but holding something else (upper-case hex, a space: the 3rd
  // and 4th event of each plain stream, on 5 of the pages of 3), and no other.
  const textPages = watch.names.filter((name) => name === 'log-sealer-leaf-page').length;
  const rowPages = watch.names.filter((name) => name === 'log-sealer-leaves').length;
  expect(textPages).toBe(lean.length);
  expect(rowPages).toBe(12 + 5);
});

test('a page of plain streams with no odd hash is never read row by row', async () => {
  const watch = watched(pool);
  const leaves = (await allPages(portLeafReader(port), 1000)).flatMap((p) => p.leaves);
  const lastOdd = leaves[leaves.findIndex((leaf) => leaf.streamId === 'plain-0 with spaces') - 1]!;
  const page = await postgresLeafReader(watch.pool)(parsePosition(lastOdd.position), 2);
  expect(page.leaves.map((leaf) => [leaf.streamId, leaf.revision, leaf.hash])).toEqual([
    ['plain-0 with spaces', 0, 'e'.repeat(64)],
    ['plain-0 with spaces', 1, ''],
  ]);
  expect(watch.names).toEqual(['log-sealer-horizon', 'log-sealer-leaf-page']);
});

test('a recorded time is given to the millisecond exactly as the port gives it, however its microseconds fall', async () => {
  // Edge fractions: just under the next millisecond, half a millisecond, one microsecond, and a time before 1970.
  const { rows } = await pool.query<{ transaction_id: string; global_position: string }>(
    `SELECT transaction_id::text, global_position::text FROM es_events ORDER BY transaction_id, global_position LIMIT 4`,
  );
  const times = [
    '2026-01-01 00:00:00.999999+00',
    '2026-06-30 12:34:56.1235+00',
    '2026-12-31 23:59:59.000001+00',
    '1969-12-31 23:59:59.9995+00',
  ];
  for (const [i, row] of rows.entries()) {
    await pool.query(`UPDATE es_events SET recorded_at = $1 WHERE transaction_id = $2::text::xid8 AND global_position = $3`, [
      times[i],
      row.transaction_id,
      row.global_position,
    ]);
  }
  let lean: Awaited<ReturnType<typeof allPages>> = [];
  await eventually(async () => {
    lean = await allPages(postgresLeafReader(pool), 10);
    expect(lean.flatMap((page) => page.leaves)).toHaveLength(35 + 4 * TAILS.length);
  }, 10_000);
  const leaves = lean.flatMap((page) => page.leaves);
  expect(leaves.slice(0, 4).map((leaf) => leaf.recordedAt)).toEqual([
    '2026-01-01T00:00:00.999Z',
    '2026-06-30T12:34:56.123Z',
    '2026-12-31T23:59:59.000Z',
    '1969-12-31T23:59:59.999Z',
  ]);
  expect(leaves).toEqual((await allPages(portLeafReader(port), 10)).flatMap((page) => page.leaves));
});

test('on a page read as one text, recorded times are as the port gives them, at the ends of the double-precision range', async () => {
  // The first and last instants the double-precision epoch is used for, just past them (the numeric epoch), 2038's
  // 2^31 seconds and 2106's 2^32, and the last millisecond of 9999.
  const times = [
    '1970-01-01 00:00:00+00',
    '1969-12-31 23:59:59.999999+00',
    '2099-12-31 23:59:59.999999+00',
    '2100-01-01 00:00:00.000999+00',
    '2038-01-19 03:14:07.999999+00',
    '2106-02-07 06:28:15.999999+00',
    '9999-12-31 23:59:59.999999+00',
  ];
  for (const [revision] of times.entries()) {
    await port.appendToStream(
      'times',
      [{ id: randomUUID(), type: 'CaseNoted', data: '{}', metadata: JSON.stringify({ actorId: 'a' }) }],
      revision === 0 ? 'no_stream' : revision - 1,
    );
  }
  const { rows } = await pool.query<{ transaction_id: string; global_position: string }>(
    `SELECT transaction_id::text, global_position::text FROM es_events WHERE stream_id = 'times' ORDER BY stream_revision`,
  );
  for (const [i, row] of rows.entries()) {
    await pool.query(`UPDATE es_events SET recorded_at = $1 WHERE transaction_id = $2::text::xid8 AND global_position = $3`, [
      times[i],
      row.transaction_id,
      row.global_position,
    ]);
  }
  const watch = watched(pool);
  let all: LeafFields[] = [];
  await eventually(async () => {
    all = (await allPages(portLeafReader(port), 1000)).flatMap((page) => page.leaves);
    expect(all.filter((leaf) => leaf.streamId === 'times')).toHaveLength(times.length);
  }, 10_000);
  const first = all.findIndex((leaf) => leaf.streamId === 'times');
  const page = await postgresLeafReader(watch.pool)(parsePosition(all[first - 1]!.position), times.length);
  expect(watch.names).toEqual(['log-sealer-horizon', 'log-sealer-leaf-page']);
  expect(page.leaves.map((leaf) => leaf.recordedAt)).toEqual([
    '1970-01-01T00:00:00.000Z',
    '1969-12-31T23:59:59.999Z',
    '2099-12-31T23:59:59.999Z',
    '2100-01-01T00:00:00.000Z',
    '2038-01-19T03:14:07.999Z',
    '2106-02-07T06:28:15.999Z',
    '9999-12-31T23:59:59.999Z',
  ]);
  expect(page.leaves).toEqual(all.slice(first, first + times.length));
});
