import type { AmbassadorEvent } from '../ambassadors/ambassador.decider.ts';
import type { CertificationEvent } from '../certification/certification.decider.ts';
import type { GroupActivityEvent } from '../adoption/group-activity.decider.ts';
import type { GroupEvent } from '../groups/group.decider.ts';
import type { MemberEvent } from '../members/member.decider.ts';
import { MINIMUM_GROUPS_PER_SIDE, WEEKS_AROUND_AWARD, type ComparisonSide } from './adoption-comparisons.ts';
import { InsightsModel } from './insights-model.ts';
import { DAY_MS, HOUR_MS, measure } from './insights-measures.ts';
import { foldTimeline, pointAt } from './insights-timeline.ts';

type DomainEvent = MemberEvent | GroupEvent | CertificationEvent | AmbassadorEvent | GroupActivityEvent;

/** Monday 3 March 2025, 00:00 UTC: day 0 of every history below. */
const T0 = Date.parse('2025-03-03T00:00:00.000Z');
const ms = (day: number, hour = 0) => T0 + day * DAY_MS + hour * HOUR_MS;
const iso = (day: number, hour = 0) => new Date(ms(day, hour)).toISOString();
const date = (day: number) => iso(day).slice(0, 10);

/** Given these `[day, event]` pairs, recorded on their day: the comparisons measured at the start of `day`. */
function comparisonsAt(day: number, history: readonly (readonly [number, DomainEvent])[]) {
  const model = new InsightsModel();
  for (const [recorded, event] of [...history].sort(([a], [b]) => a - b)) {
    if (recorded > day) break;
    model.apply({ streamId: 'any', revision: 0, type: event.type, data: event.data, time: ms(recorded) });
  }
  return measure(model, pointAt(ms(day), 'WEEK')).adoptionComparisons;
}

// ---------------------------------------------------------------- events

const member = (memberId: string, department: string): DomainEvent => ({
  type: 'MemberRegistered',
  data: { memberId, displayName: `Member ${memberId}`, department },
});
const left = (memberId: string): DomainEvent => ({ type: 'MemberLeft', data: { memberId, reason: null } });
const group = (groupId: string, ...owners: string[]): DomainEvent[] => [
  { type: 'GroupCreated', data: { groupId, name: `Group ${groupId}` } },
  ...owners.map((memberId): DomainEvent => ({ type: 'GroupOwnerAssigned', data: { groupId, memberId } })),
];
const awarded = (memberId: string, day: number, expiresDay: number, award = 1, hour = 0): DomainEvent => ({
  type: 'CertificationAwarded',
  data: {
    memberId,
    recordId: `${memberId}:${award}`,
    awardNumber: award,
    level: 1,
    validityMonths: 12,
    awardedAt: iso(day, hour),
    expiresAt: iso(expiresDay),
    evidence: null,
    awardedBy: 'cm-1',
    replacedRecordId: null,
  },
});
const ambassador = (memberId: string, department: string, ...steps: ('AmbassadorApproved' | 'AmbassadorActivated')[]): DomainEvent[] => [
  { type: 'AmbassadorNominated', data: { memberId, enrolment: 1, department, motivation: null, nominatedBy: 'cm-1', nominatedAt: iso(0) } },
  ...steps.map((type): DomainEvent => ({ type, data: { memberId, enrolment: 1, decidedBy: 'cm-1', decidedAt: iso(0) } })),
];
const ACTIVE = ['AmbassadorApproved', 'AmbassadorActivated'] as const;
/** A group's figures for the days `from` to `to` (both included): members, posters, readers (null: not counted). */
const activity = (
  groupId: string,
  [from, to]: readonly [number, number],
  [members, posters, readers]: readonly [number, number | null, number | null],
) =>
  [
    to + 1,
    {
      type: 'GroupActivityRecorded',
      data: {
        groupId,
        periodStart: date(from),
        periodEnd: date(to),
        source: 'GENERIC',
        members,
        posters,
        readers,
        posts: 3,
        reads: 40,
        reactions: 5,
        lastActivity: date(to),
        supersedes: false,
        recordedBy: 'cm-1',
        recordedAt: iso(to + 1),
      },
    },
  ] as const satisfies readonly [number, DomainEvent];

const on = (day: number, ...events: (DomainEvent | DomainEvent[])[]): [number, DomainEvent][] => events.flat().map((event) => [day, event]);
const sideOf = (
  groups: number,
  members: number,
  posters: number,
  readers: number,
  postingShare: number | null,
  readingShare: number | null,
) =>
  ({
    groups,
    members,
    posters,
    readers,
    postingShare,
    readingShare,
    sampleTooSmall: groups < MINIMUM_GROUPS_PER_SIDE,
  }) satisfies ComparisonSide;

describe('adoption comparisons', () => {
  test('an empty history: no groups on any side, no shares, no differences, and every sample too small', () => {
    const empty = sideOf(0, 0, 0, 0, null, null);
    const none = {
      postingShareDifference: null,
      readingShareDifference: null,
      sampleTooSmall: true,
      caveat: expect.stringContaining('No group has figures on either side yet: there is nothing to compare.'),
    };
    expect(comparisonsAt(7, [])).toEqual({
      minimumGroupsPerSide: 5,
      certifiedOwners: { certified: empty, uncertified: empty, ...none },
      ambassadorInDepartment: { withAmbassador: empty, withoutAmbassador: empty, ...none },
      beforeAfterCertification: {
        weeks: 4,
        before: empty,
        after: empty,
        ...none,
        membersDifference: null,
        postersDifference: null,
        readersDifference: null,
      },
    });
  });

  describe('certified vs uncertified owners, and with vs without an ambassador nearby, at day 14', () => {
    const history = [
      ...on(0, member('o1', 'Sales'), member('o2', 'Sales'), member('o3', 'Legal'), member('o4', 'R&D'), member('o5', 'Sales')),
      ...on(0, member('a1', 'Sales'), member('a2', 'Legal'), member('a3', 'R&D')),
      // Certified on day 14: o1 and o3. o4's ran out on day 10; o2 and o5 never had one.
      ...on(0, awarded('o1', 0, 100), awarded('o3', 0, 100), awarded('o4', 0, 10)),
      // An ambassador nearby: Sales only. a2 is only nominated; a3 is active but left the community.
      ...on(0, ambassador('a1', 'Sales', ...ACTIVE), ambassador('a2', 'Legal'), ambassador('a3', 'R&D', ...ACTIVE)),
      ...on(1, left('a3'), left('o5')),
      ...on(0, group('g1', 'o1'), group('g2', 'o1', 'o2'), group('g3', 'o3'), group('g4', 'o5'), group('g5', 'o4'), group('g6', 'o3')),
      activity('g1', [0, 6], [100, 50, 90]), // an earlier week: g1's latest is the one below
      activity('g1', [7, 13], [100, 10, 60]),
      activity('g2', [7, 13], [50, 20, 30]),
      activity('g3', [7, 13], [20, null, null]), // counts messages, not people: in the groups and members only
      activity('g4', [7, 13], [30, 3, 6]),
      activity('g5', [7, 13], [40, 8, 20]),
      activity('g6', [10, 16], [500, 500, 500]), // not over by day 14: g6 is on no side
    ];

    test('a group is certified as OWNER_CERTIFICATION_COVERAGE counts it covered: owners, every one certified then', () => {
      const { certifiedOwners } = comparisonsAt(14, history);
      // Certified: g1 (o1) and g3 (o3). Uncertified: g2 (o2 never certified), g4 (o5 never), g5 (o4's ran out on day 10).
      // certified:   members 100 + 20 = 120; posters 10 of 100 (g3 counts none) = 0.1; readers 60 of 100 = 0.6
      // uncertified: members 50 + 30 + 40 = 120; posters 20 + 3 + 8 = 31 of 120; readers 30 + 6 + 20 = 56 of 120
      expect(certifiedOwners).toMatchObject({
        certified: sideOf(2, 120, 10, 60, 0.1, 0.6),
        uncertified: sideOf(3, 120, 31, 56, 31 / 120, 56 / 120),
        sampleTooSmall: true,
      });
      // 12/120 - 31/120 and 72/120 - 56/120
      expect(certifiedOwners.postingShareDifference).toBeCloseTo(-19 / 120, 12);
      expect(certifiedOwners.readingShareDifference).toBeCloseTo(16 / 120, 12);
      expect(certifiedOwners.caveat).toContain('a correlation, not proof that certification makes groups livelier');
      expect(certifiedOwners.caveat).toContain('large groups weigh more than small ones');
      // 120 / 2 and 120 / 3
      expect(certifiedOwners.caveat).toContain('Groups average 60 members with certified owners, 40 without.');
      expect(certifiedOwners.caveat).toContain(
        'With 2 groups with certified owners and 3 without (fewer than 5 on a side), the difference may be chance',
      );
    });

    test("a group's departments are its owners' (who are still members); an ambassador who left counts for none", () => {
      const { ambassadorInDepartment } = comparisonsAt(14, history);
      // With (Sales): g1 (o1) and g2 (o1, o2). Without: g3 (Legal: a2 only nominated), g4 (o5 left), g5 (R&D: a3 left).
      // with:    members 150; posters 10 + 20 = 30 of 150 = 0.2; readers 60 + 30 = 90 of 150 = 0.6
      // without: members 20 + 30 + 40 = 90; posters 3 + 8 = 11 of 70 (g3 counts none); readers 6 + 20 = 26 of 70
      expect(ambassadorInDepartment).toMatchObject({
        withAmbassador: sideOf(2, 150, 30, 90, 0.2, 0.6),
        withoutAmbassador: sideOf(3, 90, 11, 26, 11 / 70, 26 / 70),
        sampleTooSmall: true,
      });
      // 14/70 - 11/70 and 42/70 - 26/70
      expect(ambassadorInDepartment.postingShareDifference).toBeCloseTo(3 / 70, 12);
      expect(ambassadorInDepartment.readingShareDifference).toBeCloseTo(16 / 70, 12);
      expect(ambassadorInDepartment.caveat).toContain('groups have no department of their own');
      expect(ambassadorInDepartment.caveat).toContain('A correlation, not a cause');
      // 150 / 2 and 90 / 3
      expect(ambassadorInDepartment.caveat).toContain('Groups average 75 members with an ambassador nearby, 30 without.');
    });

    test('before the certification ran out, g5 was on the certified side', () => {
      // Day 9: o4 still certified. The figures are day 7's (the week 7-13 is not over): g1's week 0-6 and nothing else.
      const { certifiedOwners } = comparisonsAt(9, history);
      expect(certifiedOwners.certified).toEqual(sideOf(1, 100, 50, 90, 0.5, 0.9));
      expect(certifiedOwners.uncertified).toEqual(sideOf(0, 0, 0, 0, null, null));
      expect(certifiedOwners.postingShareDifference).toBeNull();
      expect(comparisonsAt(14, history).certifiedOwners.uncertified.groups).toBe(3);
    });
  });

  test(`five groups on each side: no longer flagged as too small, and the caveat says no more than it must`, () => {
    const history = [
      ...on(0, member('certified', 'Sales'), member('plain', 'Legal'), awarded('certified', 0, 100)),
      ...[1, 2, 3, 4, 5].flatMap((n) => [
        ...on(0, group(`c${n}`, 'certified'), group(`u${n}`, 'plain')),
        activity(`c${n}`, [0, 6], [10 * n, n, 5 * n]),
        activity(`u${n}`, [0, 6], [20, 2, 4]),
      ]),
    ];
    const { certifiedOwners } = comparisonsAt(7, history);
    // certified: members 10 + 20 + ... + 50 = 150, posters 1 + ... + 5 = 15, readers 75. uncertified: 100, 10, 20.
    expect(certifiedOwners).toMatchObject({
      certified: sideOf(5, 150, 15, 75, 0.1, 0.5),
      uncertified: sideOf(5, 100, 10, 20, 0.1, 0.2),
      postingShareDifference: 0,
      sampleTooSmall: false,
    });
    expect(certifiedOwners.certified.sampleTooSmall).toBe(false);
    expect(certifiedOwners.readingShareDifference).toBeCloseTo(0.3, 12);
    expect(certifiedOwners.caveat).toContain('Groups average 30 members with certified owners, 20 without.');
    expect(certifiedOwners.caveat).not.toContain('may be chance');
  });

  describe(`before vs after: the ${WEEKS_AROUND_AWARD} weeks around the first award of a current owner`, () => {
    const history = [
      ...on(0, ...['o1', 'o2', 'o3', 'o4', 'o5', 'o6'].map((id) => member(id, 'Sales'))),
      ...on(0, group('gA', 'o1'), group('gB', 'o4', 'o3'), group('gC', 'o5'), group('gD', 'o2'), group('gE', 'o6')),
      // gA: o1's award in the afternoon of day 28 aligns on day 28: before is days 0-27, after days 28-55.
      ...on(28, awarded('o1', 28, 400, 1, 15)),
      activity('gA', [-7, -1], [100, 90, 90]), // starts before the window
      activity('gA', [0, 6], [100, 10, 50]),
      activity('gA', [7, 13], [100, 14, 50]),
      activity('gA', [21, 27], [100, 12, 50]),
      activity('gA', [25, 31], [100, 99, 99]), // spans the award day: on neither side
      activity('gA', [28, 34], [110, 22, 66]),
      activity('gA', [35, 41], [110, 18, 44]),
      activity('gA', [56, 62], [110, 99, 99]), // after the window
      // gB: its earlier-certified owner counts: o4 (day 35), not o3 (day 40). Before: days 7-34, after: 35-62.
      ...on(35, awarded('o4', 35, 400)),
      ...on(40, awarded('o3', 40, 400)),
      activity('gB', [14, 20], [40, 4, 20]),
      activity('gB', [28, 34], [40, 6, 20]),
      activity('gB', [35, 41], [50, 10, 25]),
      activity('gB', [42, 48], [50, 14, 35]),
      // gC: reports before its owner's award only; gD: its owner was never certified. Neither is compared.
      ...on(28, awarded('o5', 28, 400)),
      activity('gC', [14, 20], [60, 6, 30]),
      activity('gD', [14, 20], [70, 7, 35]),
      activity('gD', [35, 41], [70, 7, 35]),
      // gE: o6's first award (day 0) counts, not the award after it expired (day 40): before is days -28 to -1.
      ...on(0, awarded('o6', 0, 30)),
      ...on(40, awarded('o6', 40, 400, 2)),
      activity('gE', [-28, -22], [10, 1, 5]),
      activity('gE', [0, 6], [10, 3, 7]),
      activity('gE', [35, 41], [10, 0, 0]), // "before" day 40, after day 0's window
    ];

    test('each group against itself, as its mean over its periods in each window, once both windows have passed', () => {
      const { beforeAfterCertification: c } = comparisonsAt(63, history);
      // gA before: weeks 0-6, 7-13, 21-27: members 100, posters (10 + 14 + 12) / 3 = 12, readers 50
      //    after:  weeks 28-34, 35-41: members 110, posters (22 + 18) / 2 = 20, readers (66 + 44) / 2 = 55
      // gB before: members 40, posters (4 + 6) / 2 = 5, readers 20; after: members 50, posters 12, readers 30
      // gE before: 10, 1, 5; after: 10, 3, 7
      // before: members 150, posters 18, readers 75: 0.12 and 0.5
      // after:  members 170, posters 35, readers 92
      expect(c).toMatchObject({ weeks: 4, before: sideOf(3, 150, 18, 75, 0.12, 0.5), after: sideOf(3, 170, 35, 92, 35 / 170, 92 / 170) });
      expect(c.postingShareDifference).toBeCloseTo(35 / 170 - 0.12, 12);
      expect(c.readingShareDifference).toBeCloseTo(92 / 170 - 0.5, 12);
      // 170 - 150, 35 - 18, 92 - 75
      expect([c.membersDifference, c.postersDifference, c.readersDifference]).toEqual([20, 17, 17]);
      expect(c.caveat).toContain('There is no comparison group');
      expect(c.caveat).toContain('from the 4 weeks before the day the first of their current owners was first certified');
      // 150 / 3 and 170 / 3
      expect(c.caveat).toContain('Groups average 57 members after the award, 50 before.');
      expect(c.caveat).toContain('With 3 groups after the award and 3 before (fewer than 5 on a side)');
    });

    test('at day 40, only the periods over by then: gB has none after its award yet, and is left out', () => {
      const { beforeAfterCertification: c } = comparisonsAt(40, history);
      // gA after: only week 28-34 (110, 22, 66). gE as above. before: 100 + 10, 12 + 1, 50 + 5; after: 110 + 10, 22 + 3, 66 + 7
      expect(c.before).toEqual(sideOf(2, 110, 13, 55, 13 / 110, 0.5));
      expect(c.after).toEqual(sideOf(2, 120, 25, 73, 25 / 120, 73 / 120));
      // 120 - 110, 25 - 13, 73 - 55
      expect([c.membersDifference, c.postersDifference, c.readersDifference]).toEqual([10, 12, 18]);
    });

    test('an owner who is no longer an owner takes the group out of the comparison', () => {
      const removed: [number, DomainEvent] = [50, { type: 'GroupOwnerRemoved', data: { groupId: 'gA', memberId: 'o1' } }];
      const { beforeAfterCertification: c } = comparisonsAt(63, [...history, removed]);
      // gB and gE only: before 40 + 10, 5 + 1, 20 + 5; after 50 + 10, 12 + 3, 30 + 7
      expect(c.before).toEqual(sideOf(2, 50, 6, 25, 6 / 50, 0.5));
      expect(c.after).toEqual(sideOf(2, 60, 15, 37, 0.25, 37 / 60));
      expect([c.membersDifference, c.postersDifference, c.readersDifference]).toEqual([10, 9, 12]);
    });

    test('in a series (one model measured week after week), a first award, a late correction or a new owner changes the means from then on', () => {
      // gA's award day is day 28 (o1): before is days 0-27, after days 28-55; both windows are over from day 56.
      const [, late] = activity('gA', [28, 34], [50, 20, 25]);
      const correction: [number, DomainEvent] = [66, { ...late, data: { ...late.data, supersedes: true, recordedAt: iso(66) } }];
      const series = [
        ...on(0, member('o1', 'Sales'), member('o2', 'Sales'), group('gA', 'o1')),
        ...on(28, awarded('o1', 28, 400)),
        ...on(35, awarded('o2', 35, 400)),
        activity('gA', [14, 20], [40, 4, 20]),
        activity('gA', [28, 34], [50, 10, 25]),
        activity('gA', [56, 62], [60, 30, 30]), // recorded on day 63, after both windows: changes nothing
        correction, // day 66: week 28-34 had 20 posters, not 10
        // Day 77: o2 (awarded day 35) owns gA instead: before is days 7-34, after days 35-62.
        ...on(
          77,
          { type: 'GroupOwnerRemoved', data: { groupId: 'gA', memberId: 'o1' } },
          { type: 'GroupOwnerAssigned', data: { groupId: 'gA', memberId: 'o2' } },
        ),
      ];
      const events = [...series]
        .sort(([a], [b]) => a - b)
        .map(([day, event]) => ({ streamId: 'any', revision: 0, type: event.type, data: event.data, time: ms(day) }));
      const snapshots = foldTimeline(
        [21, 56, 63, 70, 77].map((day) => pointAt(ms(day), 'WEEK')),
        events,
      );
      const [day21, day56, day63, day70, day77] = snapshots.map((s) => s.adoptionComparisons.beforeAfterCertification);
      // Day 21: nobody is certified yet (o1 is, from day 28: the same group is then compared)
      expect([day21!.before.groups, day21!.after.groups]).toEqual([0, 0]);
      // Days 56 and 63: before week 14-20 (40, 4, 20); after week 28-34 (50, 10, 25)
      for (const c of [day56, day63]) {
        expect(c!.before).toEqual(sideOf(1, 40, 4, 20, 0.1, 0.5));
        expect(c!.after).toEqual(sideOf(1, 50, 10, 25, 0.2, 0.5));
      }
      // Day 70: the corrected week 28-34 (50, 20, 25)
      expect(day70!.before).toEqual(sideOf(1, 40, 4, 20, 0.1, 0.5));
      expect(day70!.after).toEqual(sideOf(1, 50, 20, 25, 0.4, 0.5));
      // Day 77: before weeks 14-20 and 28-34: members (40 + 50) / 2 = 45, posters (4 + 20) / 2 = 12, readers (20 + 25) / 2
      // = 22.5; after week 56-62 (60, 30, 30)
      expect(day77!.before).toEqual(sideOf(1, 45, 12, 22.5, 12 / 45, 0.5));
      expect(day77!.after).toEqual(sideOf(1, 60, 30, 30, 0.5, 0.5));
    });

    test("at day 5, no group has a period over on both sides yet (gE's first week after is not over): every difference is null", () => {
      const { beforeAfterCertification: c } = comparisonsAt(5, history);
      expect(c.before.groups).toBe(0);
      expect(c).toMatchObject({
        postingShareDifference: null,
        readingShareDifference: null,
        membersDifference: null,
        postersDifference: null,
        readersDifference: null,
      });
    });
  });

  test('before vs after: a count a side does not have (reports that stop counting posters) has no difference', () => {
    const history = [
      ...on(0, member('o1', 'Sales'), member('o2', 'Sales'), group('gV', 'o1'), group('gW', 'o2')),
      ...on(28, awarded('o1', 28, 400), awarded('o2', 28, 400)),
      // gV counts posters and readers before its award, neither after (its platform moved to Viva Engage's counts).
      activity('gV', [14, 20], [40, 4, 20]),
      activity('gV', [28, 34], [44, null, null]),
      // gW counts readers only, on both sides.
      activity('gW', [14, 20], [10, null, 5]),
      activity('gW', [35, 41], [12, null, 9]),
    ];
    const { beforeAfterCertification: c } = comparisonsAt(63, history);
    // before: members 40 + 10, posters 4 (gV's), readers 20 + 5 of 50; after: members 44 + 12, no posters, readers 9 of 12
    expect(c.before).toEqual(sideOf(2, 50, 4, 25, 0.1, 0.5));
    expect(c.after).toEqual(sideOf(2, 56, 0, 9, null, 0.75));
    // 56 - 50; posters not counted after the award: no difference, not -4; readers 9 - 25 (fewer groups count them after)
    expect(c).toMatchObject({ membersDifference: 6, postersDifference: null, readersDifference: -16, postingShareDifference: null });
    expect(c.readingShareDifference).toBeCloseTo(0.25, 12);
  });
});
