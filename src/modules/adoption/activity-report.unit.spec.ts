import { readFileSync } from 'node:fs';
import { DomainError } from '../../platform/shared/domain-error.ts';
import { MAX_ACTIVITY_ROWS, parseActivityReport } from './activity-report.ts';

const fixture = (name: string) => readFileSync(new URL(`../../../test/fixtures/${name}`, import.meta.url), 'utf8');
const VIVA_HEADER =
  'Report Refresh Date,Group Display Name,Is Deleted,Owner Principal Name,Last Activity Date,Group Type,Office 365 Connected,Member Count,Posted Count,Read Count,Liked Count,Report Period';
const GENERIC_HEADER = 'group_id,group_name,period_start,period_end,members,posters,readers,posts,reads,reactions,last_activity';

function refusal(run: () => unknown): DomainError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(DomainError);
    return error as DomainError;
  }
  throw new Error('expected a refusal');
}

describe('the Viva Engage groups activity detail report', () => {
  test('given the sample export (BOM, CRLF, quoted names), reads every row as group aggregates for the 7 days to the refresh date', () => {
    const report = parseActivityReport(fixture('viva-engage-groups-activity.csv'), 'VIVA_ENGAGE_GROUPS_ACTIVITY');
    expect(report.errors).toEqual([]);
    expect(report.rows.map((row) => [row.line, row.groupName])).toEqual([
      [2, 'Sales NL'],
      [3, 'Engineering, Platform'],
      [4, 'Koffie & "Gebak"'],
      [5, 'Old Archive Group'],
    ]);
    expect(report.rows[0]).toEqual({
      line: 2,
      groupId: null,
      groupName: 'Sales NL',
      period: { start: '2026-11-23', end: '2026-11-29' },
      figures: { members: 148, posters: null, readers: null, posts: 37, reads: 912, reactions: 64, lastActivity: '2026-11-28' },
    });
    // An inactive group has no last activity date: unknown, not an error.
    expect(report.rows[2]!.figures.lastActivity).toBeNull();
  });

  test('never reads the owner principal name: no row holds it', () => {
    const report = parseActivityReport(fixture('viva-engage-groups-activity.csv'), 'VIVA_ENGAGE_GROUPS_ACTIVITY');
    expect(JSON.stringify(report)).not.toMatch(/contoso/);
  });

  test('a D30 report covers the 30 days that end on the refresh date', () => {
    const csv = `${VIVA_HEADER}\n2026-11-30,Sales NL,False,x@y.example,,Public,True,1,0,0,0,30\n`;
    expect(parseActivityReport(csv, 'VIVA_ENGAGE_GROUPS_ACTIVITY').rows[0]!.period).toEqual({ start: '2026-11-01', end: '2026-11-30' });
  });

  test('given bad values, reports each row by its line with what is wrong', () => {
    const csv = [
      VIVA_HEADER,
      '2026-11-29,Sales NL,False,a@b.example,2026-11-28,Public,True,148,thirty,912,64,7',
      '2026-11-29,Ops,False,a@b.example,2026-11-28,Public,True,-3,1,1,1,7',
      '2026-11-31,Ops,False,a@b.example,2026-11-28,Public,True,3,1,1,1,7',
      '2026-11-29,Ops,False,a@b.example,2026-11-28,Public,True,3,,1,1,7',
      '2026-11-29,Ops,False,a@b.example,2026-11-28,Public,True,3,1,1',
      '2026-11-29,Ops,False,a@b.example,2026-11-28,Public,True,3,1,1,1,0',
    ].join('\r\n');
    expect(parseActivityReport(csv, 'VIVA_ENGAGE_GROUPS_ACTIVITY')).toEqual({
      rows: [],
      errors: [
        { row: 2, message: 'Posted Count "thirty" is not a whole number of 0 or more' },
        { row: 3, message: 'Member Count "-3" is not a whole number of 0 or more' },
        { row: 4, message: 'Report Refresh Date "2026-11-31" is not a date (YYYY-MM-DD)' },
        { row: 5, message: 'Posted Count is empty; it must be a whole number' },
        { row: 6, message: 'has 10 fields where the header has 12' },
        { row: 7, message: 'Report Period must be a number of days from 1 to 366 (the report uses 7, 30, 90 or 180)' },
      ],
    });
  });

  test('given a header without a column the import needs, refuses the file naming the columns', () => {
    const csv = 'Report Refresh Date,Group Display Name,Member Count\n2026-11-29,Sales NL,3\n';
    const error = refusal(() => parseActivityReport(csv, 'VIVA_ENGAGE_GROUPS_ACTIVITY'));
    expect(error.code).toBe('BAD_USER_INPUT');
    expect(error.message).toBe(
      'csv header lacks the Viva Engage groups activity columns "Last Activity Date", "Posted Count", "Read Count", "Liked Count", "Report Period"',
    );
  });

  test('given the generic file by mistake, refuses it as a Viva Engage report', () => {
    expect(refusal(() => parseActivityReport(fixture('generic-group-activity.csv'), 'VIVA_ENGAGE_GROUPS_ACTIVITY')).message).toMatch(
      /lacks the Viva Engage groups activity columns "Report Refresh Date", "Group Display Name"/,
    );
  });
});

describe('the generic per-group CSV', () => {
  test('given the sample, reads ids, names, both ends of the period and every figure', () => {
    const report = parseActivityReport(fixture('generic-group-activity.csv'), 'GENERIC');
    expect(report.errors).toEqual([]);
    expect(report.rows.map((row) => [row.groupId, row.groupName])).toEqual([
      ['g-sales', null],
      [null, 'engineering, platform'],
      ['ext-999', 'Unknown Elsewhere'],
    ]);
    expect(report.rows[0]).toMatchObject({
      period: { start: '2026-11-01', end: '2026-11-30' },
      figures: { members: 150, posters: 21, readers: 98, posts: 140, reads: 3650, reactions: 260, lastActivity: '2026-11-30' },
    });
  });

  test('optional columns may be left out or empty (unknown, null), in any column order', () => {
    const report = parseActivityReport('members,period_end,period_start,group_name,posts\n12,2026-11-07,2026-11-01,Ops,\n', 'GENERIC');
    expect(report.rows[0]).toMatchObject({
      groupId: null,
      groupName: 'Ops',
      figures: { members: 12, posters: null, readers: null, posts: null, reads: null, reactions: null, lastActivity: null },
    });
  });

  test('given bad rows, reports each by its line', () => {
    const csv = [
      GENERIC_HEADER,
      ',,2026-11-01,2026-11-07,1,,,,,,',
      'g 1,,2026-11-01,2026-11-07,1,,,,,,',
      'g-1,,2026-11-08,2026-11-07,1,,,,,,',
      'g-1,,2026-11-01,2026-11-07,1.5,,,,,,',
      'g-1,,2026-11-01,2026-11-07,1,,,,,,30-11-2026',
    ].join('\n');
    expect(parseActivityReport(csv, 'GENERIC').errors).toEqual([
      { row: 2, message: 'names no group: group_id and group_name are both empty' },
      { row: 3, message: 'group_id "g 1" must be 1 to 100 letters, digits or . _ : @ - characters' },
      { row: 4, message: 'period_start 2026-11-08 is after period_end 2026-11-07' },
      { row: 5, message: 'members "1.5" is not a whole number of 0 or more' },
      { row: 6, message: 'last_activity "30-11-2026" is not a date (YYYY-MM-DD)' },
    ]);
  });

  test.each([
    ['an unknown column (a typo)', 'group_id,period_start,period_end,memebrs\n', /unknown column "memebrs"/],
    ['no group column', 'period_start,period_end,members\n', /needs a "group_id" or a "group_name" column/],
    ['a missing required column', 'group_id,period_start,members\n', /lacks the generic column "period_end"/],
    ['a column named twice', 'group_id,group_id,period_start,period_end,members\n', /names column "group_id" twice/],
    ['nothing at all', '', /csv is empty/],
    [
      'text that is not CSV',
      'group_id,period_start,period_end,members\n"g-1,2026-11-01\n',
      /not valid CSV: line 2: a quoted field is never closed/,
    ],
  ])('refuses a file with %s as BAD_USER_INPUT', (_, csv, message) => {
    const error = refusal(() => parseActivityReport(csv, 'GENERIC'));
    expect(error.code).toBe('BAD_USER_INPUT');
    expect(error.message).toMatch(message);
  });

  test(`refuses more than ${MAX_ACTIVITY_ROWS} rows whole`, () => {
    const csv = `group_id,period_start,period_end,members\n${'g-1,2026-11-01,2026-11-07,1\n'.repeat(MAX_ACTIVITY_ROWS + 1)}`;
    expect(refusal(() => parseActivityReport(csv, 'GENERIC')).message).toBe(
      `csv has ${MAX_ACTIVITY_ROWS + 1} rows; at most ${MAX_ACTIVITY_ROWS} are imported at once`,
    );
    const atTheLimit = `group_id,period_start,period_end,members\n${'g-1,2026-11-01,2026-11-07,1\n'.repeat(MAX_ACTIVITY_ROWS)}`;
    expect(parseActivityReport(atTheLimit, 'GENERIC').rows).toHaveLength(MAX_ACTIVITY_ROWS);
  });
});
