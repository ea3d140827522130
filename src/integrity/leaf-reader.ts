import type pg from 'pg';
import { parsePosition, positionToString, storedHash, type EventStore, type LogPosition } from '#event-store';
import type { LeafFields } from './log-fold.ts';

/** A page of the log as the sealer needs it: what each leaf covers, and where to resume. */
export interface LeafPage {
  readonly leaves: readonly LeafFields[];
  readonly checkpoint: LogPosition;
  readonly isEnd: boolean;
}

export type LeafReader = (after: LogPosition, maxCount: number) => Promise<LeafPage>;

/** Through the port: every event whole (any adapter). */
export function portLeafReader(store: Pick<EventStore, 'readAll'>): LeafReader {
  return async (after, maxCount) => {
    const page = await store.readAll({ after, maxCount });
    return {
      leaves: page.events.map((event) => ({
        hash: storedHash(event.metadata) ?? '',
        position: positionToString(event.position),
        streamId: event.streamId,
        revision: event.revision,
        recordedAt: event.recordedAt.toISOString(),
      })),
      checkpoint: page.checkpoint,
      isEnd: page.isEnd,
    };
  };
}

const SUFFIX_LENGTH = ',"hash":"'.length + 64 + '"}'.length;
const MAX_POSITION = 9223372036854775807n;

/**
 * On PostgreSQL, the same pages as the adapter's readAll (the same order and stable-head filter, see
 * libs/event-store/src/postgres/schema.ts) with only what a leaf covers: not the data, only the end of the metadata
 * where the hash is. The sealer reads every event once more than the projections do; measured with
 * bench/log-seal.bench.ts, reading the events whole cost it about as much again as folding them.
 *
 * Each leaf's text is made by PostgreSQL as the leaf needs it (the position `<commit>:<prepare>`, the recorded time
 * in ISO 8601 UTC with milliseconds, truncated as Date keeps it) and rows come as arrays, rather than a BigInt pair, a
 * Date and a keyed object built per row: reading and folding 50,000 events took 10.0 instead of 13.2 µs of Node's CPU
 * an event (medians of 6 alternating runs, same root). Only the page's last position is parsed, for the checkpoint.
 *
 * A named statement: each connection plans it once, rather than at every page (the sealer reads a page or more every
 * second). Reading and folding 50,000 events cost PostgreSQL's backend 2.6 instead of 3.2 µs of CPU an event (medians
 * of 7 alternating runs, load average 5 to 6).
 */
export function postgresLeafReader(pool: Pick<pg.Pool, 'connect'>): LeafReader {
  return async (after, maxCount) => {
    const client = await pool.connect();
    let rows: [horizon: string, position: string | null, streamId: string, revision: string, time: string, tail: string][];
    try {
      // Only the primary key's order walks a page without touching what lies past it. Without statistics (a new
      // table, or autovacuum off) PostgreSQL guessed a third of the table after any position and read each page as a
      // bitmap scan of every later event, sorted for its first 2,000: reading a fresh log of 20,000 events read
      // 110,000 rows and cost its backend 11 to 12 µs of CPU an event, 2.5 to 5 with the index (sealAlone in
      // bench/log-seal.bench.ts: 13.5 to 17, now 6.5 to 9). So the other scans are off for this transaction only,
      // which holds nothing but the one read.
      await client.query(`BEGIN READ ONLY; SELECT set_config('enable_bitmapscan', 'off', true), set_config('enable_seqscan', 'off', true)`);
      ({ rows } = await client.query<
        [horizon: string, position: string | null, streamId: string, revision: string, time: string, tail: string]
      >({
        name: 'log-sealer-leaves',
        // The text of each leaf is made above the LIMIT, for the rows the page returns only.
        text: `WITH h AS (SELECT pg_snapshot_xmin(pg_current_snapshot()) AS xmin)
         SELECT h.xmin::text, page.c::text || ':' || page.p::text, page.s, page.r::text,
                to_char(page.t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), right(page.m::text, ${SUFFIX_LENGTH})
           FROM h LEFT JOIN LATERAL (
           SELECT e.transaction_id AS c, e.global_position AS p, e.stream_id AS s, e.stream_revision AS r, e.recorded_at AS t, e.metadata AS m
             FROM es_events e
            WHERE (e.transaction_id, e.global_position) > ($1::text::xid8, $2::bigint) AND e.transaction_id < h.xmin
            ORDER BY e.transaction_id, e.global_position LIMIT $3) page ON true
         ORDER BY page.c, page.p`,
        values: [after.commit.toString(), after.prepare.toString(), maxCount],
        rowMode: 'array',
      }));
      await client.query('COMMIT');
    } catch (error) {
      // A connection that failed mid-transaction is not given back to the pool.
      client.release(error as Error);
      throw error;
    }
    client.release();
    const leaves: LeafFields[] = [];
    for (const [, position, streamId, revision, recordedAt, tail] of rows) {
      if (position === null) continue;
      leaves.push({ hash: storedHash(tail) ?? '', position, streamId, revision: Number(revision), recordedAt });
    }
    const isEnd = leaves.length < maxCount;
    const last = leaves.at(-1);
    let checkpoint = last ? parsePosition(last.position) : after;
    if (isEnd && rows[0]) {
      const horizon: LogPosition = { commit: BigInt(rows[0][0]) - 1n, prepare: MAX_POSITION };
      if (compare(horizon, checkpoint) > 0) checkpoint = horizon;
    }
    return { leaves, checkpoint, isEnd };
  };
}

function compare(a: LogPosition, b: LogPosition): number {
  if (a.commit !== b.commit) return a.commit < b.commit ? -1 : 1;
  if (a.prepare !== b.prepare) return a.prepare < b.prepare ? -1 : 1;
  return 0;
}
