import type { ReadHistoryOptions } from '../history.ts';
import type { LogPosition } from '../position.ts';

export interface HistoryQueryTuning {
  /** Rows a time-window query reads in log order from its cursor before it turns to the time index. */
  readonly windowScanBudget: number;
  /** Candidates the time-index step takes in time order to bound the positions it must look at. */
  readonly windowCandidates: number;
}

export const HISTORY_QUERY_DEFAULTS: HistoryQueryTuning = Object.freeze({ windowScanBudget: 1000, windowCandidates: 1000 });

/**
 * The table a history query reads: the event store's own `es_events`, or a copy of the log with the same position,
 * stream, category, type and time columns (the log index read model, for a store that cannot answer itself).
 * Expressions are SQL over the alias `%`.
 */
export interface HistoryTable {
  /** Schema-qualified where needed. */
  readonly table: string;
  /**
   * Only events of transactions older than the oldest one running (es_events: a reader must never see an event appear
   * behind its cursor). A copy written in log order by a projection needs none: it only ever grows at its head.
   */
  readonly horizon: boolean;
  readonly actorId: string;
  readonly correlationId: string;
  /** Whether the event's actor acted with the role given as parameter `$` (written in as the parameter's name). */
  actorHasRole(alias: string, parameter: string): string;
}

/** The event store's table; the expressions are those of migration 2's indexes, so the planner uses them. */
export const ES_EVENTS_HISTORY: HistoryTable = Object.freeze({
  table: 'es_events',
  horizon: true,
  actorId: `(%.metadata ->> 'actorId')`,
  correlationId: `(%.metadata ->> 'correlationId')`,
  actorHasRole: (alias: string, parameter: string) => `(${alias}.metadata -> 'actorRoles')::jsonb ? ${parameter}`,
});

/**
 * The SQL of one history page (PostgresEventStore.readHistory): events of transactions older than the oldest one
 * running (as readAll), in log order or its reverse from the cursor, `maxCount + 1` of them (the one more says
 * whether more follow). `columns` is the select list over alias `e`.
 *
 * Three shapes, by what the filter leaves the planner to work with:
 *
 * - Plain: one ordered scan. A stream, an event id, an actor or a correlation id has an index in log order
 *   (migrations 1 to 3), and so does a single category or type, so a page costs about the page whatever the size of
 *   the log; the time window and any other condition are then filters on those few rows.
 * - Several types (or categories), no time window: one ordered, limited scan per value, merged (UNION ALL then the
 *   page), because `= ANY` over an index's leading column gives up its order and the planner would then read every
 *   match.
 * - A time window without stream, actor or correlation id (types and categories are then conditions of each step): recorded_at is not the log's order, and the planner
 *   cannot know where in the log a window lies, so it picks a scan in log order with the window as filter, which
 *   reads the whole log after the window first. So: (1) read at most `windowScanBudget` rows in log order from the
 *   cursor; if they hold a page of the window (a window near the cursor, or a wide one), that is the answer. (2)
 *   Otherwise the rest comes from the time index (recorded_at, covering the position): take `windowCandidates`
 *   window rows in time order beyond the budget's last row; the (maxCount + 1)-th of them in log order bounds
 *   where the page can end, since those are window rows too; then only window rows between the budget's end and
 *   that bound are read (the time index alone, fenced so the planner cannot trade it for the unknown position
 *   range) and the page is their first maxCount + 1 in log order. Exact whatever the data; its cost grows with
 *   the window's size only when the window lies far from the cursor (about 0.15 µs per event of the window).
 */
export function historyQuery(
  options: ReadHistoryOptions,
  columns: string,
  tuning: HistoryQueryTuning = HISTORY_QUERY_DEFAULTS,
  source: HistoryTable = ES_EVENTS_HISTORY,
): { text: string; values: unknown[] } {
  for (const [name, n] of [
    ['maxCount', options.maxCount],
    ['windowScanBudget', tuning.windowScanBudget],
    ['windowCandidates', tuning.windowCandidates],
  ] as const) {
    // Written into the statement (LIMIT, OFFSET), not sent as parameters: whole numbers only.
    if (!Number.isSafeInteger(n) || n < 1) throw new RangeError(`${name} must be a whole number >= 1`);
  }
  const values: unknown[] = [];
  const param = (value: unknown) => `$${values.push(value)}`;
  const backwards = options.direction === 'backwards';
  const dir = backwards ? 'DESC' : 'ASC';
  const order = (a: string) => `${a}.transaction_id ${dir}, ${a}.global_position ${dir}`;
  const reverse = (a: string) => `${a}.transaction_id ${backwards ? 'ASC' : 'DESC'}, ${a}.global_position ${backwards ? 'ASC' : 'DESC'}`;
  const pos = (a: string) => `(${a}.transaction_id, ${a}.global_position)`;
  const literal = (p: LogPosition) => `(${param(p.commit.toString())}::text::xid8, ${param(p.prepare.toString())}::bigint)`;
  const beyond = backwards ? '<' : '>';
  const page = options.maxCount + 1;
  const filter = options.filter ?? {};

  // Conditions as functions of the alias, with their parameters bound once.
  const base: ((a: string) => string)[] = source.horizon ? [(a) => `${a}.transaction_id < pg_snapshot_xmin(pg_current_snapshot())`] : [];
  if (options.after) {
    const after = literal(options.after);
    base.push((a) => `${pos(a)} ${beyond} ${after}`);
  }
  if (options.until) {
    const until = literal(options.until);
    base.push((a) => `${pos(a)} ${backwards ? '>=' : '<='} ${until}`);
  }
  const equals = (column: string, value: string) => {
    const p = param(value);
    return (a: string) => `${column.replace('%', a)} = ${p}`;
  };
  const anyOf = (column: string, list: readonly string[]) => {
    if (list.length === 1) return equals(column, list[0]!);
    const p = param(list);
    return (a: string) => `${column.replace('%', a)} = ANY(${p}::text[])`;
  };
  if (filter.streamId !== undefined) base.push(equals('%.stream_id', filter.streamId));
  // es_events.event_id is a uuid (the parameter is read as one: the caller passes a well-formed UUID), the log index's
  // text; both are indexed on (event_id, position) (migration 3; the log index's setup).
  if (filter.eventId !== undefined) base.push(equals('%.event_id', filter.eventId));
  // The same expressions as the indexes of migration 2, so that these conditions use them.
  if (filter.actorId !== undefined) base.push(equals(source.actorId, filter.actorId));
  if (filter.correlationId !== undefined) base.push(equals(source.correlationId, filter.correlationId));
  if (filter.actorRole !== undefined) {
    const role = param(filter.actorRole);
    base.push((a) => source.actorHasRole(a, role));
  }
  const window: ((a: string) => string)[] = [];
  // recordedAt is reported in whole milliseconds (truncated): "at or before 12:00:00.123" is "before 12:00:00.124".
  if (filter.recordedFrom) {
    const from = param(filter.recordedFrom.toISOString());
    window.push((a) => `${a}.recorded_at >= ${from}::timestamptz`);
  }
  if (filter.recordedTo) {
    const to = param(new Date(filter.recordedTo.getTime() + 1).toISOString());
    window.push((a) => `${a}.recorded_at < ${to}::timestamptz`);
  }
  const selective =
    filter.streamId !== undefined || filter.eventId !== undefined || filter.actorId !== undefined || filter.correlationId !== undefined;
  const multiTypes = (filter.eventTypes?.length ?? 0) > 1;
  const multiCategories = (filter.categories?.length ?? 0) > 1;
  const all = (conditions: ((a: string) => string)[], a: string) =>
    conditions.length === 0 ? 'true' : conditions.map((c) => c(a)).join(' AND ');
  const fetch = (positions: string) =>
    `SELECT ${columns} FROM (${positions}) p JOIN ${source.table} e ON e.transaction_id = p.transaction_id AND e.global_position = p.global_position
      ORDER BY ${order('e')}`;

  if (!selective && window.length === 0 && (multiTypes || multiCategories)) {
    // One branch per type (or per category); the other list stays a condition of each branch.
    const [column, list, other] = multiTypes
      ? (['%.event_type', filter.eventTypes!, filter.categories ? anyOf('%.category', filter.categories) : undefined] as const)
      : (['%.category', filter.categories!, filter.eventTypes ? anyOf('%.event_type', filter.eventTypes) : undefined] as const);
    const shared = [...base, ...(other ? [other] : [])];
    const branches = [...new Set(list)].map((value) => {
      const condition = equals(column, value);
      return `(SELECT e.transaction_id, e.global_position FROM ${source.table} e WHERE ${all([...shared, condition], 'e')}
                ORDER BY ${order('e')} LIMIT ${page})`;
    });
    return {
      text: fetch(
        `SELECT u.transaction_id, u.global_position FROM (${branches.join(' UNION ALL ')}) u ORDER BY ${order('u')} LIMIT ${page}`,
      ),
      values,
    };
  }

  if (filter.categories) base.push(anyOf('%.category', filter.categories));
  if (filter.eventTypes) base.push(anyOf('%.event_type', filter.eventTypes));

  if (selective || window.length === 0) {
    const conditions = [...base, ...window];
    return {
      text: `SELECT ${columns} FROM ${source.table} e WHERE ${all(conditions, 'e')} ORDER BY ${order('e')} LIMIT ${page}`,
      values,
    };
  }

  const budget = tuning.windowScanBudget;
  const edge = `((SELECT transaction_id FROM edge), (SELECT global_position FROM edge))`;
  // The bound when fewer than a page of candidates exist: they are all there is, so nothing is cut off.
  const none = backwards ? [`'0'::xid8`, `0::bigint`] : [`'18446744073709551615'::xid8`, `9223372036854775807::bigint`];
  // The bound first, and its transaction id alone first of all: one comparison drops nearly every row of a far window.
  const boundTx = `COALESCE((SELECT transaction_id FROM bound), ${none[0]})`;
  const text = `
WITH scanned AS MATERIALIZED (
  SELECT e.transaction_id, e.global_position, e.recorded_at FROM ${source.table} e WHERE ${all(base, 'e')}
   ORDER BY ${order('e')} LIMIT ${budget}),
edge AS MATERIALIZED (SELECT s.transaction_id, s.global_position FROM scanned s ORDER BY ${reverse('s')} LIMIT 1),
gate AS MATERIALIZED (
  SELECT (SELECT count(*) FROM scanned) = ${budget} AND (SELECT count(*) FROM scanned s WHERE ${all(window, 's')}) < ${page} AS open),
candidates AS MATERIALIZED (
  SELECT e.transaction_id, e.global_position FROM ${source.table} e
   WHERE (SELECT open FROM gate) AND ${all([...base, ...window], 'e')} AND ${pos('e')} ${beyond} ${edge}
   ORDER BY e.recorded_at ${dir} LIMIT ${tuning.windowCandidates}),
bound AS MATERIALIZED (SELECT c.transaction_id, c.global_position FROM candidates c ORDER BY ${order('c')} OFFSET ${page - 1} LIMIT 1),
hits AS (
  SELECT s.transaction_id, s.global_position FROM scanned s WHERE ${all(window, 's')}
  UNION ALL
  SELECT w.transaction_id, w.global_position FROM (
    SELECT e.transaction_id, e.global_position FROM ${source.table} e
     WHERE (SELECT open FROM gate) AND ${all([...base, ...window], 'e')} OFFSET 0) w
   WHERE w.transaction_id ${backwards ? '>=' : '<='} ${boundTx}
     AND ${pos('w')} ${backwards ? '>=' : '<='} (${boundTx}, COALESCE((SELECT global_position FROM bound), ${none[1]}))
     AND ${pos('w')} ${beyond} ${edge})
${fetch(`SELECT h.transaction_id, h.global_position FROM hits h ORDER BY ${order('h')} LIMIT ${page}`)}`;
  return { text, values };
}
