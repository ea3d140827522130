import { Role } from '../../src/platform/auth/role.ts';
import { createGroups } from '../support/groups.ts';
import { startTestService, type GraphQLResponse, type TestService } from '../support/test-service.ts';

const IMPORT = `mutation($input: ImportGroupActivityInput!) {
  importGroupActivity(input: $input) { rowsImported rowsUnmatched rowsRejected { row message } } }`;
const ADOPTION_KPIS = ['ADOPTION_POSTING_SHARE', 'ADOPTION_READING_SHARE', 'ADOPTION_ACTIVE_GROUPS', 'ADOPTION_GROUPS_INACTIVE_30_DAYS'];
const KPIS = `query($at: DateTime, $kpis: [Kpi!]) {
  governanceInsights(at: $at) { kpis(kpis: $kpis) { kpi scope value unit direction met target { kpi scope value direction streamId } } } }`;
const SET_TARGET = `mutation($input: SetKpiTargetInput!) { setKpiTarget(input: $input) { kpi scope value direction streamId revision } }`;
const DEFINITIONS = `query { kpiDefinitions { kpi unit direction scopeKind scopeRequired perPeriod } }`;
const SIDE = 'groups members posters readers postingShare readingShare sampleTooSmall';
const CONTRAST = 'postingShareDifference readingShareDifference sampleTooSmall caveat';
const COMPARISONS = `query($at: DateTime) { governanceInsights(at: $at) { adoptionComparisons {
  minimumGroupsPerSide
  certifiedOwners { certified { ${SIDE} } uncertified { ${SIDE} } ${CONTRAST} }
  ambassadorInDepartment { withAmbassador { ${SIDE} } withoutAmbassador { ${SIDE} } ${CONTRAST} }
  beforeAfterCertification { weeks before { ${SIDE} } after { ${SIDE} } ${CONTRAST} } } } }`;

interface KpiAnswer {
  kpi: string;
  scope: string | null;
  value: number | null;
  unit: string;
  direction: string;
  met: boolean | null;
  target: { kpi: string; scope: string | null; value: number; direction: string; streamId: string } | null;
}

const DAY = 86_400_000;
/** Today's date plus `days`, as reports write dates: the figures are imported now, so their dates are relative to today. */
const day = (days: number) => new Date(Date.now() + days * DAY).toISOString().slice(0, 10);
const GROUPS = [
  ['g-sales', 'Sales NL'],
  ['g-eng', 'Engineering'],
  ['g-quiet', 'Quiet corner'],
  ['g-viva', 'Koffie'],
] as const;

describe('adoption KPIs over HTTP (issue 24)', () => {
  let t: TestService;
  let cm: string;

  function ok<T>(response: GraphQLResponse<T>): T {
    expect(response.errors).toBeUndefined();
    return response.data!;
  }
  const importCsv = async (lines: string[]) =>
    ok(
      await t.graphql<{ importGroupActivity: { rowsImported: number; rowsUnmatched: string[]; rowsRejected: unknown[] } }>(
        IMPORT,
        { input: { csv: lines.join('\n'), format: 'GENERIC' } },
        { token: cm },
      ),
    ).importGroupActivity;
  const kpisAt = async (at?: string) =>
    ok(await t.graphql<{ governanceInsights: { kpis: KpiAnswer[] } }>(KPIS, { at, kpis: ADOPTION_KPIS }, { token: cm })).governanceInsights
      .kpis;
  const rows = (kpis: KpiAnswer[]) => kpis.map((k) => [k.kpi, k.scope, k.value, k.target?.value ?? null, k.met]);

  beforeAll(async () => {
    t = await startTestService();
    cm = await t.token('cm-1', Role.COMMUNITY_MANAGER);
    await createGroups(t, cm, GROUPS);
  });
  afterAll(async () => {
    await t?.close();
  });

  test('a generic report, then a correction: the four KPIs now and before the correction, with targets', async () => {
    const header = 'group_id,group_name,period_start,period_end,members,posters,readers,posts,reads,reactions,last_activity';
    const lastWeek = `${day(-14)},${day(-8)}`;
    expect(
      await importCsv([
        header,
        `g-sales,,${lastWeek},200,20,150,40,900,70,${day(-9)}`,
        // Its later week is its snapshot: 30 posters and 160 readers of 200, last active two days ago.
        `g-sales,,${day(-7)},${day(-1)},200,30,160,55,1000,80,${day(-2)}`,
        // Matched by name.
        `,Engineering,${lastWeek},100,5,40,6,300,10,${day(-10)}`,
        // A week still running: not a snapshot, and its last activity does not count yet.
        `g-eng,,${day(-3)},${day(3)},100,50,90,80,700,30,${day(-1)}`,
        `g-quiet,,${lastWeek},50,0,10,0,20,0,${day(-45)}`,
        // Counts messages, not people (as Viva Engage): left out of the shares; no activity date, so inactive.
        `g-viva,,${lastWeek},30,,,4,60,2,`,
      ]),
    ).toEqual({ rowsImported: 6, rowsUnmatched: [], rowsRejected: [] });

    // Posters (30 + 5 + 0) and readers (160 + 40 + 10) of 350 members; g-sales and g-eng were active in the 30 days.
    expect(rows(await kpisAt())).toEqual([
      ['ADOPTION_POSTING_SHARE', null, 35 / 350, null, null],
      ['ADOPTION_POSTING_SHARE', 'g-eng', 0.05, null, null],
      ['ADOPTION_POSTING_SHARE', 'g-quiet', 0, null, null],
      ['ADOPTION_POSTING_SHARE', 'g-sales', 0.15, null, null],
      ['ADOPTION_POSTING_SHARE', 'g-viva', null, null, null],
      ['ADOPTION_READING_SHARE', null, 210 / 350, null, null],
      ['ADOPTION_READING_SHARE', 'g-eng', 0.4, null, null],
      ['ADOPTION_READING_SHARE', 'g-quiet', 0.2, null, null],
      ['ADOPTION_READING_SHARE', 'g-sales', 0.8, null, null],
      ['ADOPTION_READING_SHARE', 'g-viva', null, null, null],
      ['ADOPTION_ACTIVE_GROUPS', null, 2, null, null],
      ['ADOPTION_GROUPS_INACTIVE_30_DAYS', null, 2, null, null],
    ]);
    const beforeCorrection = new Date().toISOString();
    // The correction must be recorded after that moment (times are in milliseconds).
    await new Promise((resolve) => setTimeout(resolve, 20));

    // Engineering's week corrected: 15 posters and 60 readers.
    expect(await importCsv([header, `g-eng,,${lastWeek},100,15,60,16,400,12,${day(-9)}`])).toMatchObject({ rowsImported: 1 });
    const [event] = (await t.storedEvents('group_activity-g-eng')).slice(-1);
    expect(JSON.parse(event!.data)).toMatchObject({ periodStart: day(-14), posters: 15, supersedes: true });

    for (const input of [
      { kpi: 'ADOPTION_POSTING_SHARE', value: 0.12 },
      { kpi: 'ADOPTION_POSTING_SHARE', scope: 'g-eng', value: 0.2 },
      { kpi: 'ADOPTION_GROUPS_INACTIVE_30_DAYS', value: 1 },
    ]) {
      ok(await t.graphql(SET_TARGET, { input }, { token: cm }));
    }

    const now = await kpisAt();
    expect(rows(now)).toEqual([
      ['ADOPTION_POSTING_SHARE', null, 45 / 350, 0.12, true],
      ['ADOPTION_POSTING_SHARE', 'g-eng', 0.15, 0.2, false],
      ['ADOPTION_POSTING_SHARE', 'g-quiet', 0, 0.12, false],
      ['ADOPTION_POSTING_SHARE', 'g-sales', 0.15, 0.12, true],
      ['ADOPTION_POSTING_SHARE', 'g-viva', null, 0.12, null],
      ['ADOPTION_READING_SHARE', null, 230 / 350, null, null],
      ['ADOPTION_READING_SHARE', 'g-eng', 0.6, null, null],
      ['ADOPTION_READING_SHARE', 'g-quiet', 0.2, null, null],
      ['ADOPTION_READING_SHARE', 'g-sales', 0.8, null, null],
      ['ADOPTION_READING_SHARE', 'g-viva', null, null, null],
      ['ADOPTION_ACTIVE_GROUPS', null, 2, null, null],
      ['ADOPTION_GROUPS_INACTIVE_30_DAYS', null, 2, 1, false],
    ]);
    expect(now.find((k) => k.kpi === 'ADOPTION_GROUPS_INACTIVE_30_DAYS')).toEqual({
      kpi: 'ADOPTION_GROUPS_INACTIVE_30_DAYS',
      scope: null,
      value: 2,
      unit: 'COUNT',
      direction: 'AT_MOST',
      met: false,
      target: {
        kpi: 'ADOPTION_GROUPS_INACTIVE_30_DAYS',
        scope: null,
        value: 1,
        direction: 'AT_MOST',
        streamId: 'kpi_target-ADOPTION_GROUPS_INACTIVE_30_DAYS',
      },
    });

    // Before the correction (and the targets) were recorded, the values were what was known then.
    const past = await kpisAt(beforeCorrection);
    expect(past.filter((k) => k.scope === null).map((k) => [k.kpi, k.value, k.target])).toEqual([
      ['ADOPTION_POSTING_SHARE', 35 / 350, null],
      ['ADOPTION_READING_SHARE', 210 / 350, null],
      ['ADOPTION_ACTIVE_GROUPS', 2, null],
      ['ADOPTION_GROUPS_INACTIVE_30_DAYS', 2, null],
    ]);

    const definitions = ok(await t.graphql<{ kpiDefinitions: Record<string, unknown>[] }>(DEFINITIONS, {}, { token: cm })).kpiDefinitions;
    expect(definitions.filter((d) => ADOPTION_KPIS.includes(d['kpi'] as string))).toEqual([
      { kpi: 'ADOPTION_POSTING_SHARE', unit: 'RATIO', direction: 'AT_LEAST', scopeKind: 'GROUP', scopeRequired: false, perPeriod: false },
      { kpi: 'ADOPTION_READING_SHARE', unit: 'RATIO', direction: 'AT_LEAST', scopeKind: 'GROUP', scopeRequired: false, perPeriod: false },
      { kpi: 'ADOPTION_ACTIVE_GROUPS', unit: 'COUNT', direction: 'AT_LEAST', scopeKind: 'NONE', scopeRequired: false, perPeriod: false },
      {
        kpi: 'ADOPTION_GROUPS_INACTIVE_30_DAYS',
        unit: 'COUNT',
        direction: 'AT_MOST',
        scopeKind: 'NONE',
        scopeRequired: false,
        perPeriod: false,
      },
    ]);
  });

  test('the comparisons: certified owners, an ambassador nearby, before and after the award (after the reports above)', async () => {
    const mutate = async (mutation: string, input: Record<string, unknown>) => {
      const [name, type] = mutation.split(':');
      ok(await t.graphql(`mutation($input: ${type}!) { ${name}(input: $input) { __typename } }`, { input }, { token: cm }));
    };
    for (const [memberId, department] of [
      ['own-sales', 'Sales'],
      ['own-eng', 'Engineering'],
      ['amb-sales', 'Sales'],
    ]) {
      await mutate('registerMember:RegisterMemberInput', { memberId, displayName: memberId, department });
    }
    await mutate('assignGroupOwner:AssignGroupOwnerInput', { groupId: 'g-sales', memberId: 'own-sales' });
    await mutate('assignGroupOwner:AssignGroupOwnerInput', { groupId: 'g-eng', memberId: 'own-eng' });
    await mutate('defineCertificationLevel:DefineCertificationLevelInput', {
      level: 1,
      name: 'Certified owner',
      requiredProgrammes: [],
      validityMonths: 12,
    });
    const beforeAward = new Date().toISOString();
    await new Promise((resolve) => setTimeout(resolve, 20));
    await mutate('awardCertification:AwardCertificationInput', { memberId: 'own-sales', level: 1 });
    await mutate('nominateAmbassador:NominateAmbassadorInput', { memberId: 'amb-sales', department: 'Sales' });
    await mutate('approveAmbassador:AmbassadorDecisionInput', { memberId: 'amb-sales' });
    await mutate('activateAmbassador:AmbassadorDecisionInput', { memberId: 'amb-sales' });

    type Side = { groups: number; members: number; posters: number; readers: number; postingShare: number | null };
    const comparisonsAt = async (at?: string) =>
      ok(
        await t.graphql<{ governanceInsights: { adoptionComparisons: Record<string, Record<string, Side | unknown>> } }>(
          COMPARISONS,
          { at },
          { token: cm },
        ),
      ).governanceInsights.adoptionComparisons;
    const side = (
      groups: number,
      members: number,
      posters: number,
      readers: number,
      postingShare: number | null,
      readingShare: number | null,
    ) => ({
      groups,
      members,
      posters,
      readers,
      postingShare,
      readingShare,
      sampleTooSmall: groups < 5,
    });

    // g-sales (own-sales: certified, and Sales has an active ambassador): 200 members, 30 posters, 160 readers.
    // The rest: g-eng (own-eng, not certified; Engineering has no ambassador) 100, 15, 60; g-quiet (no owner) 50, 0, 10;
    // g-viva (no owner) 30 members, counting neither posters nor readers: 180 members, shares over 150.
    const sales = side(1, 200, 30, 160, 0.15, 0.8);
    const rest = side(3, 180, 15, 70, 0.1, 70 / 150);
    const now = await comparisonsAt();
    expect(now['minimumGroupsPerSide']).toBe(5);
    for (const [name, first, second] of [
      ['certifiedOwners', 'certified', 'uncertified'],
      ['ambassadorInDepartment', 'withAmbassador', 'withoutAmbassador'],
    ] as const) {
      const comparison = now[name]!;
      expect(comparison).toMatchObject({ [first]: sales, [second]: rest, sampleTooSmall: true });
      expect(comparison['postingShareDifference']).toBeCloseTo(0.05, 12);
      expect(comparison['readingShareDifference']).toBeCloseTo(0.8 - 70 / 150, 12);
      expect(comparison['caveat']).toMatch(/correlation/i);
      expect(comparison['caveat']).toContain('With 1 group ');
    }
    // Awarded today: g-sales has its weeks before the award, none after yet, so no group is compared.
    expect(now['beforeAfterCertification']).toMatchObject({
      weeks: 4,
      before: side(0, 0, 0, 0, null, null),
      after: side(0, 0, 0, 0, null, null),
      postingShareDifference: null,
      sampleTooSmall: true,
      caveat: expect.stringContaining('There is no comparison group'),
    });

    // Before the award and the ambassador, every group was on the other side: 380 members, 45 posters and 230 readers of 350.
    const past = await comparisonsAt(beforeAward);
    const everyone = side(4, 380, 45, 230, 45 / 350, 230 / 350);
    expect(past['certifiedOwners']).toMatchObject({
      certified: side(0, 0, 0, 0, null, null),
      uncertified: everyone,
      postingShareDifference: null,
    });
    expect(past['ambassadorInDepartment']).toMatchObject({ withAmbassador: side(0, 0, 0, 0, null, null), withoutAmbassador: everyone });
  });
});
