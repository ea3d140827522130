import type pg from 'pg';
import { positionToString, storedHash, type EventStore, type LogPosition } from '#event-store';
import type { LeafFields } from './log-fold.ts';

/** A page of the log as the sealer needs it: what each leaf covers, and where to resume. */
export interface LeafPage {
  readonly leaves: readonly (LeafFields & { readonly at: LogPosition })[];
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
        at: event.position,
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
 */
export function postgresLeafReader(pool: Pick<pg.Pool, 'query'>): LeafReader {
  return async (after, maxCount) => {
    const { rows } = await pool.query<{ horizon: string; c: string | null; p: string; s: string; r: string; t: string; h: string }>(
      `WITH h AS (SELECT pg_snapshot_xmin(pg_current_snapshot()) AS xmin)
       SELECT h.xmin::text AS horizon, page.* FROM h LEFT JOIN LATERAL (
         SELECT e.transaction_id::text AS c, e.global_position::text AS p, e.stream_id AS s, e.stream_revision::text AS r,
                floor(extract(epoch FROM e.recorded_at) * 1000)::text AS t, right(e.metadata::text, ${SUFFIX_LENGTH}) AS h
           FROM es_events e
          WHERE (e.transaction_id, e.global_position) > ($1::text::xid8, $2::bigint) AND e.transaction_id < h.xmin
          ORDER BY e.transaction_id, e.global_position LIMIT $3) page ON true
       ORDER BY page.c::xid8, page.p::bigint`,
      [after.commit.toString(), after.prepare.toString(), maxCount],
    );
    const leaves = rows
      .filter((row) => row.c !== null)
      .map((row) => {
        const at = { commit: BigInt(row.c!), prepare: BigInt(row.p) };
        return {
          hash: storedHash(row.h) ?? '',
          position: `${row.c}:${row.p}`,
          streamId: row.s,
          revision: Number(row.r),
          recordedAt: new Date(Number(row.t)).toISOString(),
          at,
        };
      });
    const isEnd = leaves.length < maxCount;
    let checkpoint = leaves.at(-1)?.at ?? after;
    if (isEnd && rows[0]) {
      const horizon: LogPosition = { commit: BigInt(rows[0].horizon) - 1n, prepare: MAX_POSITION };
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
