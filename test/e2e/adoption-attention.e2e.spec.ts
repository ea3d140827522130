import { Role } from '../../src/platform/auth/role.ts';
import { createGroups } from '../support/groups.ts';
import { startTestService, type GraphQLResponse, type TestService } from '../support/test-service.ts';

const IMPORT = `mutation($input: ImportGroupActivityInput!) {
  importGroupActivity(input: $input) { rowsImported rowsUnmatched rowsRejected { row message } } }`;
const WITHOUT_ACTIVITY = `query($at: DateTime, $days: Int, $first: Int) {
  groupsWithoutActivity(at: $at, days: $days, first: $first) {
    at days total
    groups { groupId name lastActivity daysSinceLastActivity members reportedUntil owners ownersCertified } } }`;
const INACTIVE_KPI = `query { governanceInsights { kpis(kpis: [ADOPTION_GROUPS_INACTIVE_30_DAYS], overallOnly: true) { value } } }`;
const BEFORE_AFTER = `query { governanceInsights { adoptionComparisons { beforeAfterCertification {
  membersDifference postersDifference readersDifference postingShareDifference readingShareDifference } } } }`;

interface Listed {
  at: string;
  days: number;
  total: number;
  groups: {
    groupId: string;
    name: string | null;
    lastActivity: string | null;
    daysSinceLastActivity: number | null;
    members: number;
    reportedUntil: string;
    owners: number;
    ownersCertified: boolean;
  }[];
}

const DAY = 86_400_000;
/** Today's date plus `days`: the reports are imported now, so their dates are relative to today. */
const day = (days: number) => new Date(Date.now() + days * DAY).toISOString().slice(0, 10);
const HEADER = 'group_id,group_name,period_start,period_end,members,posters,readers,posts,reads,reactions,last_activity';

describe('groups without activity over HTTP (issue 24)', () => {
  let t: TestService;
  let cm: string;

  function ok<T>(response: GraphQLResponse<T>): T {
    expect(response.errors).toBeUndefined();
    return response.data!;
  }
  const mutate = async (mutation: string, input: Record<string, unknown>) => {
    const [name, type] = mutation.split(':');
    ok(await t.graphql(`mutation($input: ${type}!) { ${name}(input: $input) { __typename } }`, { input }, { token: cm }));
  };
  const importCsv = async (lines: string[]) =>
    ok(
      await t.graphql<{ importGroupActivity: { rowsImported: number; rowsUnmatched: string[]; rowsRejected: unknown[] } }>(
        IMPORT,
        { input: { csv: [HEADER, ...lines].join('\n'), format: 'GENERIC' } },
        { token: cm },
      ),
    ).importGroupActivity;
  const withoutActivity = (variables: Record<string, unknown>, token = cm) =>
    t.graphql<{ groupsWithoutActivity: Listed }>(WITHOUT_ACTIVITY, variables, { token });

  beforeAll(async () => {
    t = await startTestService();
    cm = await t.token('cm-1', Role.COMMUNITY_MANAGER);
    await createGroups(t, cm, [
      ['g-busy', 'Busy corner'],
      ['g-old', 'Old news'],
      ['g-never', 'Never posts'],
      // No report names it: nothing says how it is used, so it is neither listed nor counted.
      ['g-unreported', 'Unreported'],
    ]);
    for (const memberId of ['own-old', 'own-never']) {
      await mutate('registerMember:RegisterMemberInput', { memberId, displayName: memberId, department: 'Sales' });
    }
    await mutate('assignGroupOwner:AssignGroupOwnerInput', { groupId: 'g-old', memberId: 'own-old' });
    await mutate('assignGroupOwner:AssignGroupOwnerInput', { groupId: 'g-never', memberId: 'own-never' });
    await mutate('defineCertificationLevel:DefineCertificationLevelInput', {
      level: 1,
      name: 'Certified owner',
      requiredProgrammes: [],
      validityMonths: 12,
    });
    await mutate('awardCertification:AwardCertificationInput', { memberId: 'own-old', level: 1 });
  });
  afterAll(async () => {
    await t?.close();
  });

  test('the groups the KPI counts, by name, never active first; as they were before a later report; other days', async () => {
    const lastWeeks = `${day(-14)},${day(-8)}`;
    expect(
      await importCsv([
        `g-busy,,${lastWeeks},120,12,80,20,400,9,${day(-9)}`,
        `g-old,,${lastWeeks},40,1,4,1,10,0,${day(-45)}`,
        // No activity date at all: never reported active.
        `g-never,,${lastWeeks},7,0,0,0,0,0,`,
      ]),
    ).toEqual({ rowsImported: 3, rowsUnmatched: [], rowsRejected: [] });
    const beforeRevival = new Date().toISOString();
    // The next report must be recorded after that moment (times are in milliseconds).
    await new Promise((resolve) => setTimeout(resolve, 20));

    const never = {
      groupId: 'g-never',
      name: 'Never posts',
      lastActivity: null,
      daysSinceLastActivity: null,
      members: 7,
      reportedUntil: day(-8),
      owners: 1,
      ownersCertified: false,
    };
    const old = {
      groupId: 'g-old',
      name: 'Old news',
      lastActivity: day(-45),
      daysSinceLastActivity: 45,
      members: 40,
      reportedUntil: day(-8),
      owners: 1,
      ownersCertified: true,
    };
    const thirtyDays = ok(await withoutActivity({})).groupsWithoutActivity;
    expect(thirtyDays).toMatchObject({ days: 30, total: 2, groups: [never, old] });
    const kpi = ok(await t.graphql<{ governanceInsights: { kpis: { value: number }[] } }>(INACTIVE_KPI, {}, { token: cm }));
    expect(kpi.governanceInsights.kpis[0]!.value).toBe(thirtyDays.total);

    // Old news comes back to life: active two days ago.
    expect(await importCsv([`g-old,,${day(-7)},${day(-1)},42,6,20,8,90,4,${day(-2)}`])).toMatchObject({ rowsImported: 1 });

    expect(ok(await withoutActivity({})).groupsWithoutActivity).toMatchObject({ total: 1, groups: [never] });
    // Before that report was recorded, Old news was still listed, with the figures known then.
    const past = ok(await withoutActivity({ at: beforeRevival })).groupsWithoutActivity;
    expect(past).toMatchObject({ at: beforeRevival, days: 30, total: 2, groups: [never, old] });

    // Five days: Busy corner (last active nine days ago) too, after the group never active.
    const fiveDays = ok(await withoutActivity({ days: 5 })).groupsWithoutActivity;
    expect(fiveDays.groups.map((g) => [g.groupId, g.name, g.lastActivity, g.ownersCertified])).toEqual([
      ['g-never', 'Never posts', null, false],
      ['g-busy', 'Busy corner', day(-9), false],
    ]);
    // first caps the list; total still counts every group.
    expect(ok(await withoutActivity({ days: 5, first: 1 })).groupsWithoutActivity).toMatchObject({ total: 2, groups: [never] });

    // An auditor may read it too.
    const auditor = await t.token('aud-1', Role.AUDITOR);
    expect(ok(await withoutActivity({}, auditor)).groupsWithoutActivity.total).toBe(1);
  });

  test('a member is refused (FORBIDDEN); out-of-range days, first or a future moment are bad input', async () => {
    const member = await t.token('m-1', Role.MEMBER);
    const refused = await withoutActivity({}, member);
    expect(refused.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
    expect(refused.data?.groupsWithoutActivity ?? null).toBeNull();
    for (const variables of [{ days: 0 }, { days: 367 }, { first: 501 }, { first: -1 }, { at: new Date(Date.now() + DAY).toISOString() }]) {
      expect((await withoutActivity(variables)).errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    }
  });

  test('before/after the award: the difference of each count beside those of the shares (null: no group compared yet)', async () => {
    const answer = ok(
      await t.graphql<{ governanceInsights: { adoptionComparisons: { beforeAfterCertification: Record<string, number | null> } } }>(
        BEFORE_AFTER,
        {},
        { token: cm },
      ),
    );
    // Awarded today: no group has a report from the award day on, so nothing is compared.
    expect(answer.governanceInsights.adoptionComparisons.beforeAfterCertification).toEqual({
      membersDifference: null,
      postersDifference: null,
      readersDifference: null,
      postingShareDifference: null,
      readingShareDifference: null,
    });
  });
});
