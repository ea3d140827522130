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
 * as whole milliseconds, truncated as Date keeps it) and rows come as arrays, rather than a BigInt pair, a Date and a
 * keyed object built per row: reading and folding 50,000 events took 10.0 instead of 13.2 µs of Node's CPU
 * an event (medians of 6 alternating runs, same root). Only the page's last position is parsed, for the checkpoint.
 *
 * A named statement: each connection plans it once, rather than at every page (the sealer reads a page or more every
 * second). Reading and folding 50,000 events cost PostgreSQL's backend 2.6 instead of 3.2 µs of CPU an event (medians
 * of 7 alternating runs, load average 5 to 6).
 */
export function postgresLeafReader(pool: Pick<pg.Pool, 'connect'>): LeafReader {
  return async (after, maxCount) => {
    const client = await pool.connect();
    let horizon: string;
    let rows: [position: string, streamId: string, revision: string, epochMillis: string, tail: string][];
    try {
      // Only the primary key's order walks a page without touching what lies past it. Without statistics (a new
      // table, or autovacuum off) PostgreSQL guessed a third of the table after any position and read each page as a
      // bitmap scan of every later event, sorted for its first 2,000: reading a fresh log of 20,000 events read
      // 110,000 rows and cost its backend 11 to 12 µs of CPU an event, 2.5 to 5 with the index (sealAlone in
      // bench/log-seal.bench.ts: 13.5 to 17, now 6.5 to 9). So the other scans are off for this transaction only,
      // which holds nothing but the one read.
      //
      // REPEATABLE READ: the horizon and the page are read in one snapshot, as two statements. Joined in one
      // statement (the horizon's row LEFT JOIN LATERAL the page, so that an empty page still says it), the page's
      // order had to be asked again on top of the join, and PostgreSQL sorted every page a second time: 85 instead of
      // 52 ms of its time for 20,000 leaves, 8.0 instead of 5.6 for a page of 2,000 (EXPLAIN ANALYZE on this machine).
      await client.query(
        `BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SELECT set_config('enable_bitmapscan', 'off', true), set_config('enable_seqscan', 'off', true)`,
      );
      const snapshot = await client.query<[string]>({
        name: 'log-sealer-horizon',
        text: 'SELECT pg_snapshot_xmin(pg_current_snapshot())::text',
        rowMode: 'array',
      });
      horizon = snapshot.rows[0]![0];
      ({ rows } = await client.query<[position: string, streamId: string, revision: string, epochMillis: string, tail: string]>({
        name: 'log-sealer-leaves',
        // The recorded time as whole milliseconds since the epoch (floor: truncated as Date keeps it), exact in
        // numeric arithmetic, formatted by Node. to_char costs PostgreSQL about as much; a double-precision epoch would
        // cost half (2.6 instead of 5.2 ms a page of 2,000) but can round an exact millisecond down to the one before.
        text: `SELECT e.transaction_id::text || ':' || e.global_position::text, e.stream_id, e.stream_revision::text,
                      floor(extract(epoch FROM e.recorded_at) * 1000)::text, right(e.metadata::text, ${SUFFIX_LENGTH})
                 FROM es_events e
                WHERE (e.transaction_id, e.global_position) > ($1::text::xid8, $2::bigint) AND e.transaction_id < $3::text::xid8
                ORDER BY e.transaction_id, e.global_position LIMIT $4`,
        values: [after.commit.toString(), after.prepare.toString(), horizon, maxCount],
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
    for (const [position, streamId, revision, epochMillis, tail] of rows) {
      leaves.push({
        hash: storedHash(tail) ?? '',
        position,
        streamId,
        revision: Number(revision),
        recordedAt: new Date(Number(epochMillis)).toISOString(),
      });
    }
    const isEnd = leaves.length < maxCount;
    const last = leaves.at(-1);
    let checkpoint = last ? parsePosition(last.position) : after;
    if (isEnd) {
      const below: LogPosition = { commit: BigInt(horizon) - 1n, prepare: MAX_POSITION };
      if (compare(below, checkpoint) > 0) checkpoint = below;
    }
    return { leaves, checkpoint, isEnd };
  };
}

function compare(a: LogPosition, b: LogPosition): number {
  if (a.commit !== b.commit) return a.commit < b.commit ? -1 : 1;
  if (a.prepare !== b.prepare) return a.prepare < b.prepare ? -1 : 1;
  return 0;
}
