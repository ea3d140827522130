import type { CertificationEvent } from '../certification/certification.decider.ts';
import type { GroupActivityEvent } from '../adoption/group-activity.decider.ts';
import type { GroupEvent } from '../groups/group.decider.ts';
import type { MemberEvent } from '../members/member.decider.ts';
import { groupsWithoutActivity } from './adoption-attention.ts';
import { InsightsModel } from './insights-model.ts';
import { DAY_MS, measure } from './insights-measures.ts';
import { pointAt } from './insights-timeline.ts';

type DomainEvent = MemberEvent | GroupEvent | CertificationEvent | GroupActivityEvent;

/** Monday 3 March 2025, 00:00 UTC: day 0 of the history below. */
const T0 = Date.parse('2025-03-03T00:00:00.000Z');
const ms = (day: number) => T0 + day * DAY_MS;
const iso = (day: number) => new Date(ms(day)).toISOString();
const date = (day: number) => iso(day).slice(0, 10);

/** The snapshot at the start of `day`, from the `[day recorded, event]` pairs recorded by then. */
function snapshotAt(day: number, history: readonly (readonly [number, DomainEvent])[]) {
  const model = new InsightsModel();
  for (const [recorded, event] of [...history].sort(([a], [b]) => a - b)) {
    if (recorded > day) break;
    model.apply({ streamId: 'any', revision: 0, type: event.type, data: event.data, time: ms(recorded) });
  }
  return measure(model, pointAt(ms(day), 'WEEK'));
}

const on = (day: number, ...events: (DomainEvent | DomainEvent[])[]): [number, DomainEvent][] => events.flat().map((event) => [day, event]);
const member = (memberId: string): DomainEvent => ({
  type: 'MemberRegistered',
  data: { memberId, displayName: memberId, department: 'Sales' },
});
const group = (groupId: string, name: string, ...owners: string[]): DomainEvent[] => [
  { type: 'GroupCreated', data: { groupId, name } },
  ...owners.map((memberId): DomainEvent => ({ type: 'GroupOwnerAssigned', data: { groupId, memberId } })),
];
const awarded = (memberId: string, day: number, expiresDay: number): DomainEvent => ({
  type: 'CertificationAwarded',
  data: {
    memberId,
    recordId: `${memberId}:1`,
    awardNumber: 1,
    level: 1,
    validityMonths: 12,
    awardedAt: iso(day),
    expiresAt: iso(expiresDay),
    evidence: null,
    awardedBy: 'cm-1',
    replacedRecordId: null,
  },
});
/** A week's report for the days `from` to `to`, recorded the day after: `members`, and its last activity (null: none given). */
const week = (groupId: string, from: number, members: number, lastActivity: number | null): [number, DomainEvent] => [
  from + 7,
  {
    type: 'GroupActivityRecorded',
    data: {
      groupId,
      periodStart: date(from),
      periodEnd: date(from + 6),
      source: 'GENERIC',
      members,
      posters: 1,
      readers: 2,
      posts: 3,
      reads: 4,
      reactions: 5,
      lastActivity: lastActivity === null ? null : date(lastActivity),
      supersedes: false,
      recordedBy: 'cm-1',
      recordedAt: iso(from + 7),
    },
  },
];

const history = [
  ...on(0, member('o1'), member('o2'), awarded('o1', 0, 400), awarded('o2', 0, 50)),
  ...on(0, group('g-busy', 'Busy', 'o1'), group('g-old', 'Old news', 'o1'), group('g-never', 'Never', 'o2')),
  ...on(0, group('g-edge', 'On the edge'), group('g-silent', 'No report')),
  // Last active on day 60, its latest week (70-76) says no more: day 60 still lies in the 30 days before day 90.
  week('g-busy', 56, 100, 60),
  week('g-busy', 70, 110, null),
  week('g-old', 14, 40, 20),
  week('g-old', 70, 42, 20),
  week('g-never', 70, 7, null),
  // Day 59: the 30 days before day 90 are days 60-89, so it is one day too old.
  week('g-edge', 56, 12, 59),
  // A report under an id no group has: listed, without a name.
  week('g-unknown', 70, 3, 10),
  // g-silent has no report: nothing says how it is used, so it is not listed (nor counted by the KPI).
];

describe('groups without activity', () => {
  test('at day 90, 30 days: never active first, then the longest idle; exactly the groups the KPI counts', () => {
    const snapshot = snapshotAt(90, history);
    const listed = groupsWithoutActivity(snapshot, 30, 100);
    expect(listed).toEqual({
      at: ms(90),
      days: 30,
      total: 4,
      groups: [
        // o2's certification ran out on day 50.
        {
          groupId: 'g-never',
          name: 'Never',
          lastActivity: null,
          daysSinceLastActivity: null,
          members: 7,
          reportedUntil: date(76),
          owners: 1,
          ownersCertified: false,
        },
        {
          groupId: 'g-unknown',
          name: null,
          lastActivity: date(10),
          daysSinceLastActivity: 80,
          members: 3,
          reportedUntil: date(76),
          owners: 0,
          ownersCertified: false,
        },
        {
          groupId: 'g-old',
          name: 'Old news',
          lastActivity: date(20),
          daysSinceLastActivity: 70,
          members: 42,
          reportedUntil: date(76),
          owners: 1,
          ownersCertified: true,
        },
        {
          groupId: 'g-edge',
          name: 'On the edge',
          lastActivity: date(59),
          daysSinceLastActivity: 31,
          members: 12,
          reportedUntil: date(62),
          owners: 0,
          ownersCertified: false,
        },
      ],
    });
    const kpi = snapshot.kpis.find((k) => k.kpi === 'ADOPTION_GROUPS_INACTIVE_30_DAYS' && k.scope === null);
    expect(kpi?.value).toBe(listed.total);
  });

  test('fewer days list more groups; first caps the list, total still counts them all', () => {
    const snapshot = snapshotAt(90, history);
    // 20 days: day 60 is 30 days back, so g-busy joins, after g-edge (day 59).
    const twenty = groupsWithoutActivity(snapshot, 20, 100);
    expect(twenty.groups.map((g) => g.groupId)).toEqual(['g-never', 'g-unknown', 'g-old', 'g-edge', 'g-busy']);
    // 75 days: only the group never active and the one last active on day 10.
    expect(groupsWithoutActivity(snapshot, 75, 100).groups.map((g) => g.groupId)).toEqual(['g-never', 'g-unknown']);
    const capped = groupsWithoutActivity(snapshot, 20, 2);
    expect(capped.total).toBe(5);
    expect(capped.groups.map((g) => g.groupId)).toEqual(['g-never', 'g-unknown']);
  });

  test('at a past moment, only the reports over and recorded by then count, and certifications as they stood', () => {
    // Day 40: g-old's week 14-20 (last active day 20), g-busy, g-edge and g-never have no report yet; o2 still certified.
    const listed = groupsWithoutActivity(snapshotAt(40, history), 10, 100);
    expect(listed.total).toBe(1);
    expect(listed.groups).toEqual([
      {
        groupId: 'g-old',
        name: 'Old news',
        lastActivity: date(20),
        daysSinceLastActivity: 20,
        members: 40,
        reportedUntil: date(20),
        owners: 1,
        ownersCertified: true,
      },
    ]);
    // With 20 days, day 20 lies in the window (days 20-39): nothing to list.
    expect(groupsWithoutActivity(snapshotAt(40, history), 20, 100)).toMatchObject({ total: 0, groups: [] });
  });
});
