import { readFile } from 'node:fs/promises';
import { Role } from '../../src/platform/auth/role.ts';
import { createGroups } from '../support/groups.ts';
import { startTestService, type GraphQLResponse, type TestService } from '../support/test-service.ts';

const IMPORT = `mutation($input: ImportGroupActivityInput!) {
  importGroupActivity(input: $input) { periodStart periodEnd rowsImported rowsUnmatched rowsRejected { row message } } }`;

interface ImportAnswer {
  periodStart: string | null;
  periodEnd: string | null;
  rowsImported: number;
  rowsUnmatched: string[];
  rowsRejected: { row: number; message: string }[];
}

const fixture = (name: string) => readFile(new URL(`../fixtures/${name}`, import.meta.url), 'utf8');
const GROUPS = [
  ['g-sales', 'Sales NL'],
  ['g-eng', 'Engineering, Platform'],
  ['g-koffie', 'Koffie & "Gebak"'],
] as const;

describe('importing group activity over HTTP (issue 24)', () => {
  let t: TestService;
  let cm: string;

  function ok<T>(response: GraphQLResponse<T>): T {
    expect(response.errors).toBeUndefined();
    return response.data!;
  }
  function refused(response: GraphQLResponse, code: string, message?: RegExp) {
    expect(response.errors?.[0]?.extensions?.code).toBe(code);
    if (message) expect(response.errors?.[0]?.message).toMatch(message);
    expect(response.data?.['importGroupActivity'] ?? null).toBeNull();
  }
  const importCsv = async (csv: string, format: string, token = cm, commandId?: string) =>
    t.graphql<{ importGroupActivity: ImportAnswer }>(IMPORT, { input: { csv, format, ...(commandId ? { commandId } : {}) } }, { token });
  const imported = async (csv: string, format: string, commandId?: string) =>
    ok(await importCsv(csv, format, cm, commandId)).importGroupActivity;
  const activity = async (groupId: string): Promise<Record<string, unknown>[]> =>
    (await t.storedEvents(`group_activity-${groupId}`)).map((event) => ({
      type: event.type,
      ...(JSON.parse(event.data) as Record<string, unknown>),
    }));

  beforeAll(async () => {
    t = await startTestService();
    cm = await t.token('cm-1', Role.COMMUNITY_MANAGER);
    await createGroups(t, cm, GROUPS);
  });
  afterAll(async () => {
    await t?.close();
  });

  test('the Viva Engage sample: matched groups get their week, the unknown group is reported, no person is stored', async () => {
    const answer = await imported(await fixture('viva-engage-groups-activity.csv'), 'VIVA_ENGAGE_GROUPS_ACTIVITY');
    expect(answer).toEqual({
      periodStart: '2026-11-23T00:00:00.000Z',
      periodEnd: '2026-11-30T00:00:00.000Z',
      rowsImported: 3,
      rowsUnmatched: ['Old Archive Group'],
      rowsRejected: [],
    });
    expect(await activity('g-sales')).toEqual([
      {
        type: 'GroupActivityRecorded',
        groupId: 'g-sales',
        periodStart: '2026-11-23',
        periodEnd: '2026-11-29',
        source: 'VIVA_ENGAGE_GROUPS_ACTIVITY',
        members: 148,
        posters: null,
        readers: null,
        posts: 37,
        reads: 912,
        reactions: 64,
        lastActivity: '2026-11-28',
        supersedes: false,
        recordedBy: 'cm-1',
        recordedAt: expect.any(String),
      },
    ]);
    expect((await activity('g-koffie'))[0]).toMatchObject({ members: 23, posts: 0, lastActivity: null });
    expect(await activity('g-eng')).toHaveLength(1);
    // Aggregates only: the report's owner column (a person) is in no event and no metadata.
    expect((await t.storedLogText()).join('\n')).not.toMatch(/contoso/);
    const [event] = await t.storedEvents('group_activity-g-sales');
    expect(event!.metadata).toMatchObject({ actorId: 'cm-1', authority: 'role:COMMUNITY_MANAGER' });
  });

  test('the same report again appends nothing and answers the same', async () => {
    const before = await t.eventCount();
    const answer = await imported(await fixture('viva-engage-groups-activity.csv'), 'VIVA_ENGAGE_GROUPS_ACTIVITY');
    expect(answer).toMatchObject({ rowsImported: 3, rowsUnmatched: ['Old Archive Group'], rowsRejected: [] });
    expect(await t.eventCount()).toBe(before);
  });

  test('a corrected report for the same week appends one superseding event, for the group whose figures changed', async () => {
    const corrected = (await fixture('viva-engage-groups-activity.csv')).replace(',148,37,912,64,7', ',149,40,950,70,7');
    const before = await t.eventCount();
    expect(await imported(corrected, 'VIVA_ENGAGE_GROUPS_ACTIVITY')).toMatchObject({ rowsImported: 3, rowsRejected: [] });
    expect(await t.eventCount()).toBe(before + 1);
    const sales = await activity('g-sales');
    expect(sales).toHaveLength(2);
    expect(sales[1]).toMatchObject({ periodStart: '2026-11-23', periodEnd: '2026-11-29', members: 149, posts: 40, supersedes: true });
  });

  test('the generic CSV: matched by our group id or by name, with posters and readers', async () => {
    const answer = await imported(await fixture('generic-group-activity.csv'), 'GENERIC');
    expect(answer).toEqual({
      periodStart: '2026-11-01T00:00:00.000Z',
      periodEnd: '2026-12-01T00:00:00.000Z',
      rowsImported: 2,
      rowsUnmatched: ['Unknown Elsewhere'],
      rowsRejected: [],
    });
    expect((await activity('g-sales')).at(-1)).toMatchObject({
      periodStart: '2026-11-01',
      periodEnd: '2026-11-30',
      source: 'GENERIC',
      members: 150,
      posters: 21,
      readers: 98,
      supersedes: false,
    });
    expect((await activity('g-eng')).at(-1)).toMatchObject({ periodStart: '2026-11-01', posters: 55 });
  });

  test('a file with invalid rows: every bad row by its line, and nothing of the file is imported', async () => {
    const csv = [
      'group_id,group_name,period_start,period_end,members,posts',
      'g-koffie,,2026-10-01,2026-10-31,20,5',
      'g-sales,,2026-10-01,2026-10-31,many,5',
      'g-eng,,2026-10-01,2026-10-31,400',
      'nowhere,,2026-10-01,2026-10-31,4,1',
    ].join('\r\n');
    const before = await t.eventCount();
    expect(await imported(csv, 'GENERIC')).toEqual({
      periodStart: '2026-10-01T00:00:00.000Z',
      periodEnd: '2026-11-01T00:00:00.000Z',
      rowsImported: 0,
      rowsUnmatched: ['nowhere'],
      rowsRejected: [
        { row: 3, message: 'members "many" is not a whole number of 0 or more' },
        { row: 4, message: 'has 5 fields where the header has 6' },
      ],
    });
    expect(await t.eventCount()).toBe(before);
    expect((await activity('g-koffie')).map((event) => event.periodStart)).toEqual(['2026-11-23']);
  });

  test('a file that is not a report at all is BAD_USER_INPUT and changes nothing', async () => {
    const before = await t.eventCount();
    refused(await importCsv('Group,Count\nSales NL,3\n', 'VIVA_ENGAGE_GROUPS_ACTIVITY'), 'BAD_USER_INPUT', /csv header lacks/);
    refused(await importCsv('group_id,period_start,period_end,members\n"g-sales,2026-11-01', 'GENERIC'), 'BAD_USER_INPUT', /never closed/);
    const tooMany = `group_id,period_start,period_end,members\n${'g-sales,2026-11-01,2026-11-07,1\n'.repeat(50_001)}`;
    refused(await importCsv(tooMany, 'GENERIC'), 'BAD_USER_INPUT', /at most 50000/);
    expect(await t.eventCount()).toBe(before);
  });

  test('a member, a group owner or an auditor may not import: FORBIDDEN, nothing appended', async () => {
    const csv = await fixture('generic-group-activity.csv');
    const before = await t.eventCount();
    for (const token of [await t.token('m-1', Role.MEMBER), await t.token('o-1', Role.GROUP_OWNER), await t.token('a-1', Role.AUDITOR)]) {
      refused(await importCsv(csv.replace(',150,', ',151,'), 'GENERIC', token), 'FORBIDDEN');
    }
    expect(await t.eventCount()).toBe(before);
  });

  test('a commandId: a retry answers the same, the same commandId with another file is a CONFLICT', async () => {
    const week = (posts: number) => `group_id,period_start,period_end,members,posts\ng-koffie,2026-12-01,2026-12-07,23,${posts}\n`;
    expect(await imported(week(3), 'GENERIC', 'import-w49')).toMatchObject({ rowsImported: 1 });
    const before = await t.eventCount();
    expect(await imported(week(3), 'GENERIC', 'import-w49')).toMatchObject({ rowsImported: 1 });
    refused(await importCsv(week(4), 'GENERIC', cm, 'import-w49'), 'CONFLICT');
    expect(await t.eventCount()).toBe(before);
  });
});
