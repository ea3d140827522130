import type { ReadHistoryOptions } from '../history.ts';
import type { LogPosition } from '../position.ts';

export interface HistoryQueryTuning {
  /** Rows a time-window query reads in log order from its cursor before it turns to the day index. */
  readonly windowScanBudget: number;
  /**
   * The days (those whose first row lies nearest the cursor) whose first page of rows bounds, in log order, where a
   * time-window page can end. 2: the page is one day's rows nearly always, or two when the cursor is within a day.
   */
  readonly windowLeadDays: number;
}

export const HISTORY_QUERY_DEFAULTS: HistoryQueryTuning = Object.freeze({ windowScanBudget: 1000, windowLeadDays: 2 });

/**
 * The day (UTC) an event was recorded on, over the alias `%`: the leading expression of the day indexes (event store
 * migration 4, the log index's setup), which must stay exactly this for the planner to use them. AT TIME ZONE with a
 * constant zone and the cast to date are IMMUTABLE, as an index expression must be (extract(epoch FROM timestamptz) is
 * only STABLE).
 */
export const RECORDED_DAY = `((%.recorded_at AT TIME ZONE 'UTC')::date)`;

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
 * - A time window without stream, actor or correlation id (types, categories and roles are then conditions of each
 *   step, checked on the table's rows): recorded_at is not the log's order, and the planner cannot know where in the
 *   log a window lies, so it would pick a scan in log order with the window as filter, which reads the whole log after
 *   the window first. So: (1) read at most `windowScanBudget` rows in log order from the cursor; if they hold a page
 *   of the window (a window near the cursor, or a wide one), that is the answer. (2) Otherwise the rest comes from the
 *   day index (migration 4: the UTC day of recorded_at, then the log order, carrying recorded_at), where each day of
 *   the window is a range in log order from the cursor. A merge of one ordered read per day would read about a page,
 *   but needs a plan of one branch per day (a year: 366). Instead, a few short reads per day, whatever the window's
 *   length: (a) each day's first window row beyond the budget's end (`tops`: one descent per day of the window that
 *   the log spans); (b) a bound in log order that the page cannot pass: the nearer of the page-th of those firsts and
 *   the page-th row of the `windowLeadDays` days whose firsts come first (either is a page of window rows, so the
 *   page ends at or before it); (c) from each day whose first lies within the bound, its rows within the bound, a
 *   page at most; the page is the first of them all in log order. Exact whatever the data: nothing assumes that
 *   times follow the log; that they nearly do only makes it cheap (the bound then falls within one or two days, and a
 *   page reads about a page of rows plus one descent per day). The first and last days are filtered on recorded_at,
 *   read from the index, so a window's edge within a day costs at most that day's rows outside the window.
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
    ['windowLeadDays', tuning.windowLeadDays],
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
  // Where a bound is missing, the end of the log on the far side: nothing is cut off.
  const none = backwards ? [`'0'::xid8`, `0::bigint`] : [`'18446744073709551615'::xid8`, `9223372036854775807::bigint`];
  const bound = `(COALESCE((SELECT transaction_id FROM bound), ${none[0]}), COALESCE((SELECT global_position FROM bound), ${none[1]}))`;
  const within = backwards ? '>=' : '<=';
  const day = (a: string) => RECORDED_DAY.replace('%', a);
  // The window's days, clamped to those the log holds (an open end, or one far beyond the log, adds no empty days).
  // Only its first and last days can hold rows outside it: the condition on recorded_at is applied there alone, which
  // also keeps the planner from taking it for a second, independent filter of every day (it would then expect a few
  // rows a day and sort whole days, or join in the time index).
  // The days go through an array: the planner expects a few elements of an array it cannot see, where it would expect
  // 1000 rows of a series whose ends it cannot see (and, the statement then looking that costly, compile it with JIT:
  // most of a second, measured at a million events).
  const fromDay = filter.recordedFrom ? `(${param(filter.recordedFrom.toISOString())}::timestamptz AT TIME ZONE 'UTC')::date` : undefined;
  const toDay = filter.recordedTo ? `(${param(filter.recordedTo.toISOString())}::timestamptz AT TIME ZONE 'UTC')::date` : undefined;
  const logFirstDay = `(SELECT min(${day('e')}) FROM ${source.table} e)`;
  const logLastDay = `(SELECT max(${day('e')}) FROM ${source.table} e)`;
  const firstDay = fromDay ? `GREATEST(${fromDay}, ${logFirstDay})` : logFirstDay;
  const lastDay = toDay ? `LEAST(${toDay}, ${logLastDay})` : logLastDay;
  const partial = [fromDay, toDay].filter((d) => d !== undefined).map((d) => `d.day = ${d}`);
  // The window's rows of one day (alias d), beyond the budget's end, in log order: one range of the day index.
  const ofDay = (d: string, extra: string, limit: number) =>
    `SELECT e.transaction_id, e.global_position FROM ${source.table} e
      WHERE ${day('e')} = ${d}.day AND ${all(base, 'e')} AND (NOT ${d}.partial OR ${all(window, 'e')})
        AND ${pos('e')} ${beyond} ${edge}${extra}
      ORDER BY ${order('e')} LIMIT ${limit}`;
  const text = `
WITH scanned AS MATERIALIZED (
  SELECT e.transaction_id, e.global_position, e.recorded_at FROM ${source.table} e WHERE ${all(base, 'e')}
   ORDER BY ${order('e')} LIMIT ${budget}),
edge AS MATERIALIZED (SELECT s.transaction_id, s.global_position FROM scanned s ORDER BY ${reverse('s')} LIMIT 1),
gate AS MATERIALIZED (
  SELECT (SELECT count(*) FROM scanned) = ${budget} AND (SELECT count(*) FROM scanned s WHERE ${all(window, 's')}) < ${page} AS open),
days AS MATERIALIZED (
  SELECT d.day, ${partial.join(' OR ')} AS partial FROM unnest(ARRAY(
    SELECT span.first + i FROM (SELECT ${firstDay} AS first, ${lastDay} AS last) span, generate_series(0, span.last - span.first) i
     WHERE (SELECT open FROM gate))) AS d(day)),
tops AS MATERIALIZED (
  SELECT d.day, d.partial, t.transaction_id, t.global_position FROM days d CROSS JOIN LATERAL (${ofDay('d', '', 1)}) t),
lead AS MATERIALIZED (
  SELECT r.transaction_id, r.global_position
    FROM (SELECT l.day, l.partial FROM tops l ORDER BY ${order('l')} LIMIT ${tuning.windowLeadDays}) l CROSS JOIN LATERAL (${ofDay('l', '', page)}) r),
bound AS MATERIALIZED (
  SELECT b.transaction_id, b.global_position FROM (
    (SELECT t.transaction_id, t.global_position FROM tops t ORDER BY ${order('t')} OFFSET ${page - 1} LIMIT 1)
    UNION ALL
    (SELECT r.transaction_id, r.global_position FROM lead r ORDER BY ${order('r')} OFFSET ${page - 1} LIMIT 1)) b
   ORDER BY ${order('b')} LIMIT 1),
hits AS (
  SELECT s.transaction_id, s.global_position FROM scanned s WHERE ${all(window, 's')}
  UNION ALL
  SELECT r.transaction_id, r.global_position FROM tops d CROSS JOIN LATERAL (${ofDay('d', ` AND ${pos('e')} ${within} ${bound}`, page)}) r
   WHERE ${pos('d')} ${within} ${bound})
${fetch(`SELECT h.transaction_id, h.global_position FROM hits h ORDER BY ${order('h')} LIMIT ${page}`)}`;
  return { text, values };
}
