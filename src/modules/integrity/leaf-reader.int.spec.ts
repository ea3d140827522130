import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { START, type LogPosition } from '#event-store';
import { PostgresEventStore } from '#event-store/postgres';
import { createTestDatabase, eventually, type TestDatabase } from '#testing';
import { portLeafReader, postgresLeafReader, type LeafReader } from './leaf-reader.ts';

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
    expect(lean.flatMap((page) => page.leaves)).toHaveLength(35);
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
