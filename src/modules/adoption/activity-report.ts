import { badInput } from '../../platform/shared/domain-error.ts';
import { isId } from '../../platform/shared/identifiers.ts';
import { CsvSyntaxError, parseCsv, type CsvRecord } from './csv.ts';
import { ACTIVITY_COUNT_MAX, type ActivityFigures, type ActivityPeriod, type ActivityReportFormat } from './group-activity.decider.ts';

/** A report beyond this many data rows is refused whole: far more groups than any network has, and a bound on the work. */
export const MAX_ACTIVITY_ROWS = 50_000;
const GROUP_NAME_MAX = 200;

/** One valid data row: which group it names (by id, by name or both), its period and its aggregate figures. */
export interface ActivityRow {
  readonly line: number;
  readonly groupId: string | null;
  readonly groupName: string | null;
  readonly period: ActivityPeriod;
  readonly figures: ActivityFigures;
}

export interface ActivityRowError {
  /** 1-based line of the CSV text the row starts on. */
  readonly row: number;
  readonly message: string;
}

export interface ParsedActivityReport {
  readonly rows: ActivityRow[];
  readonly errors: ActivityRowError[];
}

/**
 * Microsoft Graph's Viva Engage (formerly Yammer) groups activity detail report, getYammerGroupsActivityDetail as CSV
 * (https://learn.microsoft.com/en-us/graph/api/reportroot-getyammergroupsactivitydetail): one row per group for one
 * report period, with the headers Report Refresh Date, Group Display Name, Is Deleted, Owner Principal Name, Last
 * Activity Date, Group Type, Office 365 Connected, Member Count, Posted Count, Read Count, Liked Count, Report Period.
 * Only the columns below are read. Owner Principal Name is a person and is never read: the import keeps aggregates
 * per group only. The report counts messages (posted, read, liked), not the people who posted or read: posters and
 * readers stay unknown (null) for this source.
 */
const VIVA = {
  refreshDate: 'Report Refresh Date',
  groupName: 'Group Display Name',
  lastActivity: 'Last Activity Date',
  members: 'Member Count',
  posts: 'Posted Count',
  reads: 'Read Count',
  reactions: 'Liked Count',
  period: 'Report Period',
} as const;

/** The generic per-group CSV documented in the README ("Adoption"). */
export const GENERIC_COLUMNS = [
  'group_id',
  'group_name',
  'period_start',
  'period_end',
  'members',
  'posters',
  'readers',
  'posts',
  'reads',
  'reactions',
  'last_activity',
] as const;
type GenericColumn = (typeof GENERIC_COLUMNS)[number];
const GENERIC_REQUIRED: readonly GenericColumn[] = ['period_start', 'period_end', 'members'];

/** A row problem, reported with its line; the caller collects them and imports nothing when there is any. */
class RowProblem extends Error {}

/**
 * Reads a whole report. A file that is not CSV, has no header, lacks a column the format needs or has more than
 * MAX_ACTIVITY_ROWS rows is refused as BAD_USER_INPUT; a row that cannot be read is reported with its line in `errors`.
 */
export function parseActivityReport(csv: string, format: ActivityReportFormat): ParsedActivityReport {
  let records: CsvRecord[];
  try {
    records = parseCsv(csv);
  } catch (error) {
    if (error instanceof CsvSyntaxError) throw badInput(`csv is not valid CSV: ${error.message}`, { field: 'csv', row: error.line });
    throw error;
  }
  const [header, ...data] = records;
  if (!header) throw badInput('csv is empty: it needs a header line and a row per group', { field: 'csv' });
  if (data.length > MAX_ACTIVITY_ROWS) {
    throw badInput(`csv has ${data.length} rows; at most ${MAX_ACTIVITY_ROWS} are imported at once`, { field: 'csv' });
  }
  const columns = header.fields.map((name) => name.trim());
  const readRow = format === 'VIVA_ENGAGE_GROUPS_ACTIVITY' ? vivaReader(columns) : genericReader(columns);
  const rows: ActivityRow[] = [];
  const errors: ActivityRowError[] = [];
  for (const record of data) {
    if (record.fields.length !== columns.length) {
      errors.push({ row: record.line, message: `has ${record.fields.length} fields where the header has ${columns.length}` });
      continue;
    }
    try {
      rows.push({ line: record.line, ...readRow(record.fields) });
    } catch (error) {
      if (!(error instanceof RowProblem)) throw error;
      errors.push({ row: record.line, message: error.message });
    }
  }
  return { rows, errors };
}

type RowReader = (fields: string[]) => Omit<ActivityRow, 'line'>;

function columnIndex(columns: readonly string[], format: string, required: readonly string[]): Map<string, number> {
  const index = new Map<string, number>();
  columns.forEach((name, position) => {
    if (index.has(name)) throw badInput(`csv header names column "${name}" twice`, { field: 'csv' });
    index.set(name, position);
  });
  const missing = required.filter((name) => !index.has(name));
  if (missing.length > 0) {
    throw badInput(`csv header lacks the ${format} column${missing.length > 1 ? 's' : ''} ${missing.map((m) => `"${m}"`).join(', ')}`, {
      field: 'csv',
    });
  }
  return index;
}

function vivaReader(columns: readonly string[]): RowReader {
  const index = columnIndex(columns, 'Viva Engage groups activity', Object.values(VIVA));
  const at = (fields: string[], column: string) => fields[index.get(column)!]!.trim();
  return (fields) => {
    const end = date(at(fields, VIVA.refreshDate), VIVA.refreshDate);
    const days = count(at(fields, VIVA.period), VIVA.period);
    if (days < 1 || days > 366)
      throw new RowProblem(`${VIVA.period} must be a number of days from 1 to 366 (the report uses 7, 30, 90 or 180)`);
    return {
      groupId: null,
      groupName: groupName(at(fields, VIVA.groupName), VIVA.groupName),
      // The report covers the `days` days that end on its refresh date (D7: the refresh date and the 6 days before).
      period: { start: addDays(end, -(days - 1)), end },
      figures: {
        members: count(at(fields, VIVA.members), VIVA.members),
        posters: null,
        readers: null,
        posts: count(at(fields, VIVA.posts), VIVA.posts),
        reads: count(at(fields, VIVA.reads), VIVA.reads),
        reactions: count(at(fields, VIVA.reactions), VIVA.reactions),
        lastActivity: optional(at(fields, VIVA.lastActivity), (text) => date(text, VIVA.lastActivity)),
      },
    };
  };
}

function genericReader(columns: readonly string[]): RowReader {
  const unknown = columns.filter((name) => !(GENERIC_COLUMNS as readonly string[]).includes(name));
  if (unknown.length > 0) {
    throw badInput(
      `csv header has unknown column${unknown.length > 1 ? 's' : ''} ${unknown.map((u) => `"${u}"`).join(', ')}; the generic columns are ${GENERIC_COLUMNS.join(',')}`,
      {
        field: 'csv',
      },
    );
  }
  const index = columnIndex(columns, 'generic', GENERIC_REQUIRED);
  if (!index.has('group_id') && !index.has('group_name')) {
    throw badInput('csv header needs a "group_id" or a "group_name" column (or both)', { field: 'csv' });
  }
  const at = (fields: string[], column: GenericColumn) => (index.has(column) ? fields[index.get(column)!]!.trim() : '');
  const optionalCount = (fields: string[], column: GenericColumn) => optional(at(fields, column), (text) => count(text, column));
  return (fields) => {
    const groupId = optional(at(fields, 'group_id'), (text) => externalId(text));
    const name = optional(at(fields, 'group_name'), (text) => groupName(text, 'group_name'));
    if (groupId === null && name === null) throw new RowProblem('names no group: group_id and group_name are both empty');
    const period = { start: date(at(fields, 'period_start'), 'period_start'), end: date(at(fields, 'period_end'), 'period_end') };
    if (period.start > period.end) throw new RowProblem(`period_start ${period.start} is after period_end ${period.end}`);
    return {
      groupId,
      groupName: name,
      period,
      figures: {
        members: count(at(fields, 'members'), 'members'),
        posters: optionalCount(fields, 'posters'),
        readers: optionalCount(fields, 'readers'),
        posts: optionalCount(fields, 'posts'),
        reads: optionalCount(fields, 'reads'),
        reactions: optionalCount(fields, 'reactions'),
        lastActivity: optional(at(fields, 'last_activity'), (text) => date(text, 'last_activity')),
      },
    };
  };
}

function optional<T>(text: string, read: (text: string) => T): T | null {
  return text === '' ? null : read(text);
}

function count(text: string, column: string): number {
  if (text === '') throw new RowProblem(`${column} is empty; it must be a whole number`);
  if (!/^\d+$/.test(text)) throw new RowProblem(`${column} "${clip(text)}" is not a whole number of 0 or more`);
  const value = Number(text);
  if (value > ACTIVITY_COUNT_MAX) throw new RowProblem(`${column} ${clip(text)} is more than ${ACTIVITY_COUNT_MAX}`);
  return value;
}

/** A calendar date as the reports write it, YYYY-MM-DD, and that exists (no 2024-02-30). */
function date(text: string, column: string): string {
  if (text === '') throw new RowProblem(`${column} is empty; it must be a date (YYYY-MM-DD)`);
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  const parsed = match ? new Date(`${text}T00:00:00Z`) : null;
  if (!parsed || Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== text) {
    throw new RowProblem(`${column} "${clip(text)}" is not a date (YYYY-MM-DD)`);
  }
  return text;
}

function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

function groupName(text: string, column: string): string {
  if (text.length > GROUP_NAME_MAX) throw new RowProblem(`${column} is longer than ${GROUP_NAME_MAX} characters`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001F\u007F]/.test(text)) throw new RowProblem(`${column} holds control characters`);
  return text;
}

/** An id as every id of the service is (src/platform/shared/identifiers.ts): the group's stream id is made of it. */
function externalId(text: string): string {
  if (!isId(text)) throw new RowProblem(`group_id "${clip(text)}" must be 1 to 100 letters, digits or . _ : @ - characters`);
  return text;
}

/** A value quoted back in a message, cut short: the message must stay readable whatever the file held. */
function clip(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
