import type pg from 'pg';
import { parsePosition, positionToString, storedHash, type EventStore, type LogPosition, type RecordedEvent } from '#event-store';
import type { LeafFields } from './log-fold.ts';

/** A page of the log as the sealer needs it: what each leaf covers, and where to resume. */
export interface LeafPage {
  readonly leaves: readonly LeafFields[];
  readonly checkpoint: LogPosition;
  readonly isEnd: boolean;
}

export type LeafReader = (after: LogPosition, maxCount: number) => Promise<LeafPage>;

/**
 * What an event's leaf covers. `times` formats the recorded time for a reader of many events (the sealer folding
 * the log); the text is toISOString's either way.
 */
export function leafFieldsOf(event: RecordedEvent, times?: MillisecondTimes): LeafFields {
  const hash = storedHash(event.metadata);
  return {
    // Detached: the fold keeps each stream's last hash as long as the log, and a slice would keep the whole metadata.
    hash: hash === undefined ? '' : detached(hash),
    position: positionToString(event.position),
    streamId: event.streamId,
    revision: event.revision,
    recordedAt: times ? times.iso(event.recordedAt.getTime()) : event.recordedAt.toISOString(),
  };
}

/** Through the port: every event whole (any adapter). */
export function portLeafReader(store: Pick<EventStore, 'readAll'>): LeafReader {
  const times = new MillisecondTimes();
  return async (after, maxCount) => {
    const page = await store.readAll({ after, maxCount });
    return { leaves: page.events.map((event) => leafFieldsOf(event, times)), checkpoint: page.checkpoint, isEnd: page.isEnd };
  };
}

const SUFFIX_LENGTH = ',"hash":"'.length + 64 + '"}'.length;
const MAX_POSITION = 9223372036854775807n;

/**
 * A recorded time as whole milliseconds since the epoch, as text: floor, truncated as Date keeps it. From 1970 to
 * 2100 through the double-precision epoch, which is exact there once rounded to the microsecond (the epoch's
 * microseconds are an integer below 2^53, divided by 10^6 and multiplied back, each rounded once: less than 0.49 µs
 * off before 2106), and costs PostgreSQL 0.15 instead of 0.33 µs an event; elsewhere in numeric arithmetic, exact at
 * any time but slower. Floor, not the nearest millisecond: a double epoch cut straight to milliseconds could land a
 * hair under an exact millisecond and lose it.
 */
const EPOCH_MILLIS = (column: string) =>
  `CASE WHEN ${column} >= '1970-01-01 00:00:00+00' AND ${column} < '2100-01-01 00:00:00+00'
        THEN (round(date_part('epoch', ${column}) * 1000000)::bigint / 1000)::text
        ELSE floor(extract(epoch FROM ${column}) * 1000)::text END`;

type LeafRow = [position: string, streamId: string, revision: string, epochMillis: string, tail: string];

/**
 * On PostgreSQL, the same pages as the adapter's readAll (the same order and stable-head filter, see
 * libs/event-store/src/postgres/schema.ts) with only what a leaf covers: not the data, only the end of the metadata
 * where the hash is. The sealer reads the log this way when it catches up (taking the lock, or after a failure) and
 * across gaps: every event once more than the projections do; measured with bench/log-seal.bench.ts, reading the
 * events whole cost it about as much again as folding them. Running, it folds the pages the projections' shared reads
 * bring instead, where they continue its fold (LogSealerOptions.tailReads).
 *
 * A page comes as one row: its leaves as one text, a line each, made by PostgreSQL. Node's PostgreSQL client parses
 * a row and a string per column, and that was most of what reading cost Node (a row of five columns an event); one
 * text cut into lines is a fraction of it, for PostgreSQL too. Reading 60,000 events in pages of 2,000 cost Node
 * 0.7 instead of 1.9 µs of CPU an event and PostgreSQL's backend 0.9 instead of 1.6 (events without a chain hash, as
 * bench/log-seal.bench.ts appends them; with one, 1.3 instead of 2.3 and 1.1 instead of 1.8), load average 7.
 *
 * The chain hash is cut out of the metadata's last 75 bytes (json_send: the stored text as bytes) rather than its
 * last 75 characters: counting characters in UTF-8 walks the whole text (0.4 µs an event). Both give the hash
 * exactly when the text ends with `,"hash":"<64 lower-case hex>"}`, which is ASCII, so bytes and characters are the
 * same there (storedHash).
 *
 * A named statement: each connection plans it once, rather than at every page (the sealer reads a page or more every
 * second). Each leaf's position is made by PostgreSQL as the leaf needs it (`<commit>:<prepare>`), its recorded time
 * as whole milliseconds, truncated as Date keeps it; only the page's last position is parsed, for the checkpoint.
 */
export function postgresLeafReader(pool: Pick<pg.Pool, 'connect'>): LeafReader {
  const recordedAt = new MillisecondTimes();
  return async (after, maxCount) => {
    const client = await pool.connect();
    let horizon: string;
    let leaves: LeafFields[] | undefined;
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
      const values = [after.commit.toString(), after.prepare.toString(), horizon, maxCount];
      const page = await client.query<[count: number, lines: string | null]>({
        name: 'log-sealer-leaf-page',
        // A line per leaf: `+<hash> ` or `- ` (no hash), then `<position> <revision> <epoch ms> <stream id>`. Only the
        // stream id can hold a space or a line break, so it comes last; a line break in it shows as a line too many.
        // Lines in the order the sorted subquery gives them: PostgreSQL's documentation says aggregating a sorted
        // subquery usually keeps its order when the outer level does nothing else, as here. ORDER BY in the
        // aggregate would guarantee it but sorts the page again (0.2 µs an event), so leavesOf checks the order
        // instead, and a page out of order is read row by row.
        text: `SELECT count(*)::int, string_agg(
                        CASE WHEN octet_length(p.tail) = ${SUFFIX_LENGTH} AND substring(p.tail FROM 1 FOR 9) = '\\x2c2268617368223a22'::bytea
                                  AND substring(p.tail FROM 74) = '\\x227d'::bytea
                             THEN '+' || encode(substring(p.tail FROM 10 FOR 64), 'escape') ELSE '-' END
                        || ' ' || p.transaction_id::text || ':' || p.global_position::text || ' ' || p.stream_revision::text
                        || ' ' || ${EPOCH_MILLIS('p.recorded_at')} || ' ' || p.stream_id,
                        E'\\n')
                 FROM (SELECT e.transaction_id, e.global_position, e.stream_id, e.stream_revision, e.recorded_at,
                              substring(json_send(e.metadata) FROM octet_length(json_send(e.metadata)) - ${SUFFIX_LENGTH - 1}) AS tail
                         FROM es_events e
                        WHERE (e.transaction_id, e.global_position) > ($1::text::xid8, $2::bigint) AND e.transaction_id < $3::text::xid8
                        ORDER BY e.transaction_id, e.global_position LIMIT $4) p`,
        values,
        rowMode: 'array',
      });
      const [count, lines] = page.rows[0]!;
      leaves = lines === null ? [] : leavesOf(lines, count, recordedAt);
      if (!leaves) {
        // A stream id with a line break, a tail framed like a hash that is not one, lines out of order: rare enough
        // to read row by row.
        const { rows } = await client.query<LeafRow>({
          name: 'log-sealer-leaves',
          text: `SELECT e.transaction_id::text || ':' || e.global_position::text, e.stream_id, e.stream_revision::text,
                        ${EPOCH_MILLIS('e.recorded_at')}, right(e.metadata::text, ${SUFFIX_LENGTH})
                   FROM es_events e
                  WHERE (e.transaction_id, e.global_position) > ($1::text::xid8, $2::bigint) AND e.transaction_id < $3::text::xid8
                  ORDER BY e.transaction_id, e.global_position LIMIT $4`,
          values,
          rowMode: 'array',
        });
        leaves = rows.map(([position, streamId, revision, epochMillis, tail]) => ({
          hash: storedHash(tail) ?? '',
          position,
          streamId,
          revision: Number(revision),
          recordedAt: recordedAt.iso(Number(epochMillis)),
        }));
      }
      await client.query('COMMIT');
    } catch (error) {
      // A connection that failed mid-transaction is not given back to the pool.
      client.release(error as Error);
      throw error;
    }
    client.release();
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

/** The page's lines as leaves; undefined when a line is not one leaf as the page query writes it. */
function leavesOf(lines: string, count: number, recordedAt: MillisecondTimes): LeafFields[] | undefined {
  const leaves: LeafFields[] = [];
  let start = 0;
  let previous: string | undefined;
  for (let n = 0; n < count; n++) {
    let end = lines.indexOf('\n', start);
    if (end === -1) end = lines.length;
    let hash: string;
    let field: number;
    if (lines.charCodeAt(start) === 45 /* - */ && lines.charCodeAt(start + 1) === 32) {
      hash = '';
      field = start + 2;
    } else {
      // '+' and the 64 bytes found between `,"hash":"` and `"}`: a hash when they are 64 hex digits, which escape()
      // leaves as they are. Anything else (a byte it escapes, a space) cannot be told from the fields after it.
      if (lines.charCodeAt(start) !== 43 /* + */ || lines.charCodeAt(start + 65) !== 32 || !isHashAt(lines, start + 1)) return undefined;
      hash = lines.slice(start + 1, start + 65);
      field = start + 66;
    }
    const afterPosition = lines.indexOf(' ', field);
    const afterRevision = lines.indexOf(' ', afterPosition + 1);
    const afterTime = lines.indexOf(' ', afterRevision + 1);
    if (afterPosition === -1 || afterRevision === -1 || afterTime === -1 || afterTime >= end) return undefined;
    const position = lines.slice(field, afterPosition);
    if (previous !== undefined && !positionFollows(position, previous)) return undefined;
    previous = position;
    leaves.push({
      hash: detached(hash),
      position: detached(position),
      streamId: detached(lines.slice(afterTime + 1, end)),
      revision: Number(lines.slice(afterPosition + 1, afterRevision)),
      recordedAt: recordedAt.iso(Number(lines.slice(afterRevision + 1, afterTime))),
    });
    start = end + 1;
  }
  // More lines than leaves: a stream id held a line break.
  return start === lines.length + 1 ? leaves : undefined;
}

/**
 * Whether position `text` comes after `before`, both `<commit>:<prepare>` as PostgreSQL writes them (decimal, no
 * sign, no leading zero): the longer number is the larger, and digits of equal length compare as text.
 */
export function positionFollows(text: string, before: string): boolean {
  const colon = text.indexOf(':');
  const colonBefore = before.indexOf(':');
  if (colon !== colonBefore) return colon > colonBefore;
  const commit = compareDigits(text, before, 0, colon);
  if (commit !== 0) return commit > 0;
  if (text.length !== before.length) return text.length > before.length;
  return compareDigits(text, before, colon + 1, text.length) > 0;
}

/** The first difference between the characters of `a` and `b` from `from` to `to`, as a sign. */
function compareDigits(a: string, b: string, from: number, to: number): number {
  for (let i = from; i < to; i++) {
    const difference = a.charCodeAt(i) - b.charCodeAt(i);
    if (difference !== 0) return difference;
  }
  return 0;
}

/** Whether 64 lower-case hex digits start at `at`: as HEX64 tests, in a fifth of the time (no slice, no regex call). */
function isHashAt(text: string, at: number): boolean {
  for (let i = at; i < at + 64; i++) {
    const code = text.charCodeAt(i);
    if (!((code >= 48 && code <= 57) || (code >= 97 && code <= 102))) return false; // 0-9, a-f
  }
  return true;
}

/**
 * The text of `slice` in a string of its own. V8 makes a slice of 13 characters or more a view of the string it was
 * cut from, and the fold keeps a leaf's strings (a stream's last hash, its positions) as long as the log: each kept
 * view kept its whole page, 190 bytes of heap more per event folded. Prefixed, the slice is copied into a new string
 * when sliced again, and that copy is all the result refers to.
 */
function detached(slice: string): string {
  return ` ${slice}`.slice(1);
}

const MINUTE = 60_000;
/** The largest time a Date holds (ECMA-262 time values), a whole number of minutes. */
const MAX_TIME = 8.64e15;

/**
 * Milliseconds since the epoch as Date.prototype.toISOString writes them, formatting only the seconds and
 * milliseconds when the minute is the one before: a log's events come a minute at a time, and a Date and its
 * toISOString per event cost 0.45 µs on this machine. The minute's text is toISOString's own, so every year it
 * writes (before 1970, after 9999) comes out the same.
 */
export class MillisecondTimes {
  private minuteStart = Number.NaN;
  private minutePrefix = '';

  iso(millis: number): string {
    const offset = millis - this.minuteStart;
    if (!(offset >= 0 && offset < MINUTE)) {
      if (!(Math.abs(millis) < MAX_TIME)) return new Date(millis).toISOString(); // as Date says it (or throws)
      this.minuteStart = millis - (((millis % MINUTE) + MINUTE) % MINUTE);
      // `YYYY-MM-DDTHH:MM:`, the year as toISOString writes it.
      this.minutePrefix = new Date(this.minuteStart).toISOString().slice(0, -'SS.mmmZ'.length);
      return this.iso(millis);
    }
    const seconds = Math.floor(offset / 1000);
    const ms = offset % 1000;
    return `${this.minutePrefix}${seconds < 10 ? '0' : ''}${seconds}.${ms < 10 ? '00' : ms < 100 ? '0' : ''}${ms}Z`;
  }
}

function compare(a: LogPosition, b: LogPosition): number {
  if (a.commit !== b.commit) return a.commit < b.commit ? -1 : 1;
  if (a.prepare !== b.prepare) return a.prepare < b.prepare ? -1 : 1;
  return 0;
}
