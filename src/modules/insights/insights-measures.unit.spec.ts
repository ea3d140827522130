import type { AgreementAcceptanceEvent } from '../agreements/agreement-acceptance.decider.ts';
import { ACCEPTANCE_STREAM_CATEGORY, AGREEMENT_ACCEPTANCE_EVENT_TYPES } from '../agreements/agreement-acceptance.decider.ts';
import { AGREEMENT_EVENT_TYPES, AGREEMENT_STREAM_CATEGORY, type AgreementEvent } from '../agreements/agreement.decider.ts';
import { AMBASSADOR_EVENT_TYPES, AMBASSADOR_STREAM_CATEGORY, type AmbassadorEvent } from '../ambassadors/ambassador.decider.ts';
import {
  CERTIFICATION_EVENT_TYPES,
  CERTIFICATION_STREAM_CATEGORY,
  type CertificationEvent,
} from '../certification/certification.decider.ts';
import { GROUP_EVENT_TYPES, GROUP_STREAM_CATEGORY, type GroupEvent } from '../groups/group.decider.ts';
import { MEMBER_EVENT_TYPES, MEMBER_STREAM_CATEGORY, type MemberEvent } from '../members/member.decider.ts';
import {
  MODERATION_CASE_EVENT_TYPES,
  MODERATION_CASE_STREAM_CATEGORY,
  type ModerationCaseEvent,
  type ModerationOutcome,
} from '../moderation/moderation-case.decider.ts';
import { PRIVACY_EVENT_TYPES, PRIVACY_STREAM_CATEGORY, type PrivacyEvent } from '../privacy/privacy.decider.ts';
import {
  TRAINING_ENROLMENT_EVENT_TYPES,
  TRAINING_ENROLMENT_STREAM_CATEGORY,
  type TrainingEnrolmentEvent,
} from '../training/training-enrolment.decider.ts';
import {
  TRAINING_PROGRAMME_EVENT_TYPES,
  TRAINING_PROGRAMME_STREAM_CATEGORY,
  type TrainingProgrammeEvent,
} from '../training/training-programme.decider.ts';
import { GROUP_ACTIVITY_EVENT_TYPES, GROUP_ACTIVITY_STREAM_CATEGORY, type GroupActivityEvent } from '../adoption/group-activity.decider.ts';
import { KPI_IDS, kpiDefinition, type KpiId } from './kpi-catalogue.ts';
import { KPI_TARGET_EVENT_TYPES, KPI_TARGET_STREAM_CATEGORY, kpiTargetStreamId, type KpiTargetEvent } from './kpi-target.decider.ts';
import { INSIGHT_CATEGORIES, INSIGHT_EVENT_TYPES, InsightsModel } from './insights-model.ts';
import { DAY_MS, HOUR_MS, measure, median, nearestRank, share, type InsightsPoint, type KpiValue } from './insights-measures.ts';
import { foldTimeline, pointAt } from './insights-timeline.ts';

type DomainEvent =
  | MemberEvent
  | GroupEvent
  | CertificationEvent
  | TrainingProgrammeEvent
  | TrainingEnrolmentEvent
  | AmbassadorEvent
  | ModerationCaseEvent
  | AgreementEvent
  | AgreementAcceptanceEvent
  | PrivacyEvent
  | GroupActivityEvent
  | KpiTargetEvent;

/** Monday 3 March 2025, 00:00 UTC: day 0 of every history below. */
const T0 = Date.parse('2025-03-03T00:00:00.000Z');
const ms = (day: number, hour = 0) => T0 + day * DAY_MS + hour * HOUR_MS;
const iso = (day: number, hour = 0) => new Date(ms(day, hour)).toISOString();
/** The week that ends at the start of `day`. */
const week = (day: number): InsightsPoint => pointAt(ms(day), 'WEEK');

/** Folds the `[day, event]` pairs recorded up to `untilDay`, in order: the log as it stood then. */
function fold(events: readonly (readonly [number, DomainEvent])[], untilDay = Number.POSITIVE_INFINITY): InsightsModel {
  const model = new InsightsModel();
  for (const [day, event] of events) {
    if (day > untilDay) break;
    const streamId = event.type.startsWith('KpiTarget')
      ? kpiTargetStreamId((event.data as { kpi: KpiId }).kpi, (event.data as { scope: string | null }).scope)
      : 'any';
    model.apply({ streamId, revision: 0, type: event.type, data: event.data, time: ms(day) });
  }
  return model;
}

// ---------------------------------------------------------------- events

const member = (memberId: string, department = 'Sales'): DomainEvent => ({
  type: 'MemberRegistered',
  data: { memberId, displayName: `Member ${memberId}`, department },
});
const left = (memberId: string): DomainEvent => ({ type: 'MemberLeft', data: { memberId, reason: null } });
const group = (groupId: string): DomainEvent => ({ type: 'GroupCreated', data: { groupId, name: `Group ${groupId}` } });
const owner = (groupId: string, memberId: string): DomainEvent => ({ type: 'GroupOwnerAssigned', data: { groupId, memberId } });
const ownerRemoved = (groupId: string, memberId: string): DomainEvent => ({ type: 'GroupOwnerRemoved', data: { groupId, memberId } });
const awarded = (memberId: string, awardedDay: number, expiresDay: number): DomainEvent => ({
  type: 'CertificationAwarded',
  data: {
    memberId,
    recordId: `${memberId}:1`,
    awardNumber: 1,
    level: 1,
    validityMonths: 12,
    awardedAt: iso(awardedDay),
    expiresAt: iso(expiresDay),
    evidence: null,
    awardedBy: 'cm-1',
    replacedRecordId: null,
  },
});
const certSuspended = (memberId: string, day: number): DomainEvent => ({
  type: 'CertificationSuspended',
  data: { memberId, recordId: `${memberId}:1`, level: 1, suspendedBy: 'cm-1', suspendedAt: iso(day), reason: 'under review' },
});
const certDue = (memberId: string, expiresDay: number): DomainEvent => ({
  type: 'CertificationDueForRenewal',
  data: { memberId, recordId: `${memberId}:1`, level: 1, expiresAt: iso(expiresDay), dueFrom: iso(expiresDay - 60) },
});
const programme = (programmeId: string, title: string): DomainEvent => ({
  type: 'TrainingProgrammeDefined',
  data: { programmeId, title, modules: [], definedBy: 'cm-1', definedAt: iso(0) },
});
const enrolled = (programmeId: string, memberId: string, day: number): DomainEvent => ({
  type: 'MemberEnrolledInTraining',
  data: { programmeId, memberId, programmeRevision: 0, modules: [], enrolledBy: 'cm-1', enrolledAt: iso(day) },
});
const trainingDone = (programmeId: string, memberId: string, day: number, hour = 0): DomainEvent => ({
  type: 'TrainingEnrolmentCompleted',
  data: { programmeId, memberId, programmeRevision: 0, completedAt: iso(day, hour) },
});
const trainingEnded = (
  type: 'MemberWithdrewFromTraining' | 'TrainingEnrolmentFailed',
  programmeId: string,
  memberId: string,
  day: number,
): DomainEvent =>
  type === 'MemberWithdrewFromTraining'
    ? { type, data: { programmeId, memberId, reason: null, withdrawnBy: memberId, withdrawnAt: iso(day) } }
    : { type, data: { programmeId, memberId, reason: null, recordedBy: 'cm-1', failedAt: iso(day) } };
const nominated = (memberId: string, department: string): DomainEvent => ({
  type: 'AmbassadorNominated',
  data: { memberId, enrolment: 1, department, motivation: null, nominatedBy: 'cm-1', nominatedAt: iso(0) },
});
const ambassadorDecision = (
  type: 'AmbassadorApproved' | 'AmbassadorActivated' | 'AmbassadorDeactivated',
  memberId: string,
): DomainEvent => ({ type, data: { memberId, enrolment: 1, decidedBy: 'cm-1', decidedAt: iso(1) } });
const activeAmbassador = (memberId: string, department: string): DomainEvent[] => [
  nominated(memberId, department),
  ambassadorDecision('AmbassadorApproved', memberId),
  ambassadorDecision('AmbassadorActivated', memberId),
];
const opened = (caseId: string, day: number, hour = 0): DomainEvent => ({
  type: 'ModerationCaseOpened',
  data: {
    caseId,
    caseNumber: 1,
    contentId: caseId,
    contentType: 'post',
    authorId: 'author-1',
    groupId: null,
    contentStatus: 'VISIBLE',
    openedAt: iso(day, hour),
  },
});
const flagged = (caseId: string, day: number, hour = 0, reporterId = 'r-1'): DomainEvent => ({
  type: 'ContentFlagged',
  data: { caseId, reporterId, reason: 'SPAM', note: null, flaggedAt: iso(day, hour) },
});
const reported = (caseId: string, day: number, hour = 0): [number, DomainEvent][] => [
  [day, opened(caseId, day, hour)],
  [day, flagged(caseId, day, hour)],
];
const claimed = (caseId: string, day: number): DomainEvent => ({
  type: 'ModerationCaseClaimed',
  data: { caseId, moderatorId: 'mod-a', previousAssignee: null, claimedAt: iso(day) },
});
const decided = (caseId: string, decidedBy: string, outcome: ModerationOutcome, day: number, hour = 0): DomainEvent => ({
  type: 'ModerationCaseDecided',
  data: {
    caseId,
    outcome,
    reason: 'against the guidelines',
    guideline: null,
    decidedBy,
    decidedAt: iso(day, hour),
    contentStatus: 'VISIBLE',
    sanction: null,
  },
});
const appealed = (caseId: string, day: number, hour = 0): DomainEvent => ({
  type: 'AppealFiled',
  data: { caseId, appellantId: 'author-1', statement: 'I disagree', filedAt: iso(day, hour) },
});
const appealDecided = (caseId: string, outcome: 'UPHELD' | 'OVERTURNED', day: number, hour = 0): DomainEvent => ({
  type: 'AppealDecided',
  data: { caseId, outcome, reason: 'reviewed', decidedBy: 'cm-2', decidedAt: iso(day, hour), contentStatus: 'VISIBLE' },
});
const published = (agreementId: string, version: number, requiresReacceptance: boolean, day: number): DomainEvent => ({
  type: 'AgreementVersionPublished',
  data: {
    agreementId,
    version,
    title: `Agreement ${agreementId}`,
    body: `version ${version}`,
    bodySha256: 'sha',
    requiresReacceptance,
    publishedBy: 'cm-1',
    publishedAt: iso(day),
  },
});
const accepted = (agreementId: string, memberId: string, version: number, day: number): DomainEvent => ({
  type: 'AgreementAccepted',
  data: { agreementId, memberId, version, bodySha256: 'sha', acceptedAt: iso(day) },
});
const consent = (memberId: string, purpose: string, day: number): DomainEvent => ({
  type: 'ConsentGiven',
  data: { memberId, purpose, noticeVersion: 'v1', givenAt: iso(day) },
});
const withdrawn = (memberId: string, purpose: string, day: number): DomainEvent => ({
  type: 'ConsentWithdrawn',
  data: { memberId, purpose, withdrawnAt: iso(day) },
});
const erasureRequested = (memberId: string, day: number, hour = 0): DomainEvent => ({
  type: 'ErasureRequested',
  data: { memberId, reason: null, requestedAt: iso(day, hour) },
});
const erasureCompleted = (memberId: string, day: number, hour = 0): DomainEvent => ({
  type: 'ErasureCompleted',
  data: { memberId, completedAt: iso(day, hour) },
});
const target = (kpi: KpiId, value: number, scope: string | null = null, day = 0): DomainEvent => ({
  type: 'KpiTargetSet',
  data: { kpi, scope, value, direction: kpiDefinition(kpi).direction, setBy: 'cm-1', setAt: iso(day) },
});
/** The calendar date of `day` (YYYY-MM-DD), as usage reports write dates. */
const date = (day: number) => iso(day).slice(0, 10);
/** A group's figures for the days `from` to `to` (both included), as a report recorded them. */
const activity = (
  groupId: string,
  [from, to]: readonly [number, number],
  figures: { members: number; posters: number | null; readers: number | null; lastActivity: number | null },
  supersedes = false,
): DomainEvent => ({
  type: 'GroupActivityRecorded',
  data: {
    groupId,
    periodStart: date(from),
    periodEnd: date(to),
    source: figures.posters === null ? 'VIVA_ENGAGE_GROUPS_ACTIVITY' : 'GENERIC',
    members: figures.members,
    posters: figures.posters,
    readers: figures.readers,
    posts: 3,
    reads: 40,
    reactions: 5,
    lastActivity: figures.lastActivity === null ? null : date(figures.lastActivity),
    supersedes,
    recordedBy: 'cm-1',
    recordedAt: iso(0),
  },
});

const at = (day: number, ...events: DomainEvent[]): [number, DomainEvent][] => events.map((event) => [day, event]);
const valuesOf = (kpis: readonly KpiValue[], kpi: KpiId) =>
  kpis.filter((value) => value.kpi === kpi).map(({ scope, value, target: t, met }) => ({ scope, value, target: t?.value ?? null, met }));

describe('insights measures', () => {
  test('the categories the engine reads are the modules’ own', () => {
    expect([...INSIGHT_CATEGORIES].sort()).toEqual(
      [
        MEMBER_STREAM_CATEGORY,
        GROUP_STREAM_CATEGORY,
        CERTIFICATION_STREAM_CATEGORY,
        TRAINING_PROGRAMME_STREAM_CATEGORY,
        TRAINING_ENROLMENT_STREAM_CATEGORY,
        AMBASSADOR_STREAM_CATEGORY,
        MODERATION_CASE_STREAM_CATEGORY,
        AGREEMENT_STREAM_CATEGORY,
        ACCEPTANCE_STREAM_CATEGORY,
        PRIVACY_STREAM_CATEGORY,
        GROUP_ACTIVITY_STREAM_CATEGORY,
        KPI_TARGET_STREAM_CATEGORY,
      ].sort(),
    );
  });

  test('every event type of those categories is folded or deliberately left out', () => {
    const all = [
      ...MEMBER_EVENT_TYPES,
      ...GROUP_EVENT_TYPES,
      ...CERTIFICATION_EVENT_TYPES,
      ...TRAINING_PROGRAMME_EVENT_TYPES,
      ...TRAINING_ENROLMENT_EVENT_TYPES,
      ...AMBASSADOR_EVENT_TYPES,
      ...MODERATION_CASE_EVENT_TYPES,
      ...AGREEMENT_EVENT_TYPES,
      ...AGREEMENT_ACCEPTANCE_EVENT_TYPES,
      ...PRIVACY_EVENT_TYPES,
      ...GROUP_ACTIVITY_EVENT_TYPES,
      ...KPI_TARGET_EVENT_TYPES,
    ];
    const leftOut = all.filter((type) => !(INSIGHT_EVENT_TYPES as readonly string[]).includes(type));
    expect(leftOut.sort()).toEqual([
      'GroupCertificationRequirementSet',
      'ModerationCaseClaimed',
      'ModerationCaseReleased',
      'PrivacySettingsUpdated',
      'SanctionExpired',
      'SanctionLifted',
      'TrainingModuleCompleted',
    ]);
    expect(INSIGHT_EVENT_TYPES.filter((type) => !(all as readonly string[]).includes(type))).toEqual([]);
  });

  test('an empty history: counts are 0, every share, rate, median and age is null, never a division by zero', () => {
    const snapshot = measure(new InsightsModel(), week(7));
    expect(snapshot).toEqual({
      at: ms(7),
      periodStart: ms(0),
      ownerCertification: { groups: 0, coveredGroups: 0, coverage: null, failingGroups: [] },
      training: { completed: 0, open: 0, completionRate: null, completedInPeriod: 0, medianDaysToComplete: null, programmes: [] },
      ambassadors: {
        departments: 0,
        coveredDepartments: 0,
        coverage: null,
        activeMembers: 0,
        activeAmbassadors: 0,
        perHundredMembers: null,
        byDepartment: [],
      },
      moderation: {
        casesOpened: 0,
        casesOpenedPerWeek: 0,
        casesDecided: 0,
        medianHoursToDecision: null,
        p90HoursToDecision: null,
        backlog: 0,
        oldestOpenCaseDays: null,
        decisions: 0,
        appealable: 0,
        appealed: 0,
        overturned: 0,
        appealRate: null,
        overturnedShare: null,
        byDecider: [],
      },
      agreements: { activeMembers: 0, acceptanceRate: null, agreements: [] },
      privacy: {
        activeMembers: 0,
        consents: [],
        erasure: {
          requested: 0,
          completed: 0,
          pending: 0,
          requestedInPeriod: 0,
          completedInPeriod: 0,
          medianHoursToComplete: null,
          oldestPendingDays: null,
        },
      },
      adoption: {
        groups: 0,
        activeGroups: 0,
        inactiveGroups: 0,
        postingMembers: 0,
        posters: 0,
        postingShare: null,
        readingMembers: 0,
        readers: 0,
        readingShare: null,
        byGroup: [],
      },
      // Spelled out in adoption-comparisons.unit.spec.ts.
      adoptionComparisons: expect.objectContaining({ minimumGroupsPerSide: 5 }),
      kpis: expect.any(Array),
    });
    // Every KPI but the one measured only per scope (consent, per purpose) has its overall value, without a target.
    expect(snapshot.kpis.map(({ kpi, scope, value, target: t, met }) => [kpi, scope, value, t, met])).toEqual(
      KPI_IDS.filter((kpi) => kpi !== 'CONSENT_RATE').map((kpi) => [
        kpi,
        null,
        ['MODERATION_CASES_OPENED_PER_WEEK', 'MODERATION_BACKLOG', 'ERASURES_PENDING'].includes(kpi) ? 0 : null,
        null,
        null,
      ]),
    );
  });

  test('owner certification coverage: groups whose owners are all certified now; an owner past expiry or suspended, or no owner, fails', () => {
    const model = fold([
      ...at(0, member('m1'), member('m2'), member('m3'), member('m4'), member('m6')),
      ...at(0, awarded('m1', 0, 100), awarded('m2', 0, 5), awarded('m3', 0, 100), awarded('m6', 0, 70)),
      ...at(1, group('g1'), owner('g1', 'm1')),
      ...at(1, group('g2'), owner('g2', 'm2')),
      ...at(1, group('g3')),
      ...at(1, group('g4'), owner('g4', 'm3'), owner('g4', 'm4'), owner('g4', 'm1')),
      ...at(1, group('g5'), owner('g5', 'm4'), owner('g5', 'm6'), ownerRemoved('g5', 'm4')),
      ...at(2, certSuspended('m3', 2), certDue('m6', 70)),
    ]);
    // Day 10: m2's certification expired on day 5 (nobody recorded it: the date decides); m6 is due for renewal (still certified).
    expect(measure(model, week(10)).ownerCertification).toEqual({
      groups: 5,
      coveredGroups: 2,
      coverage: 0.4,
      failingGroups: [
        { groupId: 'g2', name: 'Group g2', owners: 1, uncertifiedOwners: [{ memberId: 'm2', status: 'EXPIRED' }] },
        { groupId: 'g3', name: 'Group g3', owners: 0, uncertifiedOwners: [] },
        {
          groupId: 'g4',
          name: 'Group g4',
          owners: 3,
          uncertifiedOwners: [
            { memberId: 'm3', status: 'SUSPENDED' },
            { memberId: 'm4', status: 'NOT_CERTIFIED' },
          ],
        },
      ],
    });
    // Day 4, before m2's expiry: g2 was covered then.
    expect(measure(model, week(4)).ownerCertification.coverage).toBe(0.6);
    expect(valuesOf(measure(model, week(10)).kpis, 'OWNER_CERTIFICATION_COVERAGE')).toEqual([
      { scope: null, value: 0.4, target: null, met: null },
    ]);
  });

  test('training: completed vs open per programme, median days to complete of the completions in the period', () => {
    const history = [
      ...at(0, member('m1'), member('m2'), member('m3'), member('m4'), member('m5')),
      ...at(0, programme('p1', 'Moderation basics'), programme('p2', 'Ambassador onboarding')),
      ...at(1, enrolled('p1', 'm3', 1), enrolled('p1', 'm5', 2)),
      ...at(10, trainingDone('p1', 'm3', 10)),
      ...at(12, left('m5')),
      ...at(20, enrolled('p1', 'm1', 20)),
      ...at(21, enrolled('p1', 'm2', 21)),
      ...at(24, trainingDone('p1', 'm1', 24)),
      ...at(25, enrolled('p1', 'm4', 25)),
      ...at(27, trainingDone('p1', 'm2', 27, 12)),
      ...at(29, enrolled('p3', 'm1', 29)),
    ];
    const { training, kpis } = measure(fold(history), week(30));
    expect(training).toEqual({
      completed: 3,
      open: 2,
      completionRate: 0.6,
      completedInPeriod: 2,
      medianDaysToComplete: 5.25,
      programmes: [
        // m5 left with the programme unfinished: not open any more. m3 completed before the period: counted, not in the median.
        {
          programmeId: 'p1',
          title: 'Moderation basics',
          completed: 3,
          open: 1,
          completionRate: 0.75,
          completedInPeriod: 2,
          medianDaysToComplete: 5.25,
        },
        {
          programmeId: 'p2',
          title: 'Ambassador onboarding',
          completed: 0,
          open: 0,
          completionRate: null,
          completedInPeriod: 0,
          medianDaysToComplete: null,
        },
        { programmeId: 'p3', title: null, completed: 0, open: 1, completionRate: 0, completedInPeriod: 0, medianDaysToComplete: null },
      ],
    });
    expect(valuesOf(kpis, 'TRAINING_COMPLETION_RATE')).toEqual([
      { scope: null, value: 0.6, target: null, met: null },
      { scope: 'p1', value: 0.75, target: null, met: null },
      { scope: 'p2', value: null, target: null, met: null },
      { scope: 'p3', value: 0, target: null, met: null },
    ]);
    expect(valuesOf(kpis, 'TRAINING_MEDIAN_DAYS_TO_COMPLETE').map((v) => v.value)).toEqual([5.25, 5.25, null, null]);
    // A week with no completion has no median.
    expect(measure(fold(history, 23), week(23)).training).toMatchObject({
      completed: 1,
      open: 2,
      completedInPeriod: 0,
      medianDaysToComplete: null,
    });
  });

  test('training: an enrolment withdrawn or failed is neither open nor completed; enrolling again counts anew', () => {
    const history = [
      ...at(0, member('m1'), member('m2'), member('m3'), programme('p1', 'Moderation basics')),
      ...at(1, enrolled('p1', 'm1', 1), enrolled('p1', 'm2', 1), enrolled('p1', 'm3', 1)),
      ...at(3, trainingEnded('MemberWithdrewFromTraining', 'p1', 'm1', 3), trainingEnded('TrainingEnrolmentFailed', 'p1', 'm2', 3)),
      ...at(20, enrolled('p1', 'm2', 20)),
      ...at(24, trainingDone('p1', 'm2', 24)),
    ];
    // Before m2 enrols again: only m3 is open.
    expect(measure(fold(history, 10), week(10)).training).toMatchObject({ completed: 0, open: 1, completionRate: 0 });
    // m2's second enrolment completed in 4 days (from its own start, not the failed one's).
    expect(measure(fold(history), week(30)).training).toMatchObject({
      completed: 1,
      open: 1,
      completionRate: 0.5,
      medianDaysToComplete: 4,
    });
  });

  test('ambassador coverage: departments of active members with an ACTIVE ambassador; ambassadors per 100 members', () => {
    const model = fold([
      ...at(0, member('a1'), member('a2'), member('a3'), member('a4'), member('b1', 'Support'), member('b2', 'Support')),
      ...at(0, member('c1', 'Legal'), member('d1', 'R&D')),
      ...at(1, ...activeAmbassador('a1', 'Sales'), ...activeAmbassador('a2', 'Sales'), ambassadorDecision('AmbassadorDeactivated', 'a2')),
      ...at(1, ...activeAmbassador('b1', 'Support'), ...activeAmbassador('b2', 'Marketing')),
      ...at(1, ...activeAmbassador('d1', 'R&D'), nominated('c1', 'Legal'), ambassadorDecision('AmbassadorApproved', 'c1')),
      ...at(2, left('d1')),
    ]);
    const { ambassadors, kpis } = measure(model, week(7));
    expect(ambassadors).toEqual({
      departments: 3,
      coveredDepartments: 2,
      coverage: 2 / 3,
      activeMembers: 7,
      activeAmbassadors: 3,
      perHundredMembers: 300 / 7,
      byDepartment: [
        { department: 'Legal', activeMembers: 1, activeAmbassadors: 0, perHundredMembers: 0 },
        // b2 represents Marketing, where no active member works: listed, not a department of the coverage.
        { department: 'Marketing', activeMembers: 0, activeAmbassadors: 1, perHundredMembers: null },
        { department: 'Sales', activeMembers: 4, activeAmbassadors: 1, perHundredMembers: 25 },
        { department: 'Support', activeMembers: 2, activeAmbassadors: 1, perHundredMembers: 50 },
      ],
    });
    expect(valuesOf(kpis, 'AMBASSADOR_DEPARTMENT_COVERAGE')).toEqual([{ scope: null, value: 2 / 3, target: null, met: null }]);
    expect(valuesOf(kpis, 'AMBASSADORS_PER_100_MEMBERS').map((v) => [v.scope, v.value])).toEqual([
      [null, 300 / 7],
      ['Legal', 0],
      ['Marketing', null],
      ['Sales', 25],
      ['Support', 50],
    ]);
  });

  test('moderation: cases opened per week, hours from first flag to decision (median, p90), backlog and its oldest case, appeals per decider', () => {
    const model = fold([
      ...reported('c1', 2),
      ...at(3, decided('c1', 'mod-a', 'REMOVE_CONTENT', 3)),
      ...at(4, appealed('c1', 4)),
      ...at(5, appealDecided('c1', 'OVERTURNED', 5)),
      ...reported('c7', 1),
      ...reported('c6', 6),
      ...reported('c2', 8),
      // A second report keeps the first flag as the start of the clock.
      ...at(8, flagged('c2', 8, 5, 'r-2'), decided('c2', 'mod-a', 'HIDE_CONTENT', 8, 10)),
      ...reported('c3', 9),
      ...reported('c4', 10),
      ...at(10, decided('c3', 'mod-b', 'NO_ACTION', 10), claimed('c4', 10)),
      ...at(11, decided('c6', 'mod-b', 'WARN_MEMBER', 11)),
      ...reported('c5', 12, 12),
      ...at(12, appealed('c6', 12)),
      ...at(13, decided('c7', 'mod-a', 'REMOVE_CONTENT', 13), appealed('c7', 13, 6), appealDecided('c7', 'UPHELD', 13, 12)),
    ]);
    const { moderation, kpis } = measure(model, week(14));
    expect(moderation).toEqual({
      // c2, c3, c4 and c5 were opened in the week (7, 14].
      casesOpened: 4,
      casesOpenedPerWeek: 4,
      // Decided in the week: c2 after 10 h, c3 after 24 h, c6 after 5 days, c7 after 12 days.
      casesDecided: 4,
      medianHoursToDecision: 72,
      p90HoursToDecision: 288,
      backlog: 2,
      oldestOpenCaseDays: 4,
      // Every decision so far: c1 (overturned), c2, c3 (no action), c6 (appealed), c7 (appealed, upheld).
      decisions: 5,
      appealable: 4,
      appealed: 3,
      overturned: 1,
      appealRate: 0.75,
      overturnedShare: 0.2,
      byDecider: [
        { deciderId: 'mod-a', decisions: 3, appealable: 3, appealed: 2, overturned: 1, appealRate: 2 / 3, overturnedShare: 1 / 3 },
        { deciderId: 'mod-b', decisions: 2, appealable: 1, appealed: 1, overturned: 0, appealRate: 1, overturnedShare: 0 },
      ],
    });
    expect(valuesOf(kpis, 'MODERATION_OVERTURNED_SHARE').map((v) => [v.scope, v.value])).toEqual([
      [null, 0.2],
      ['mod-a', 1 / 3],
      ['mod-b', 0],
    ]);
    expect(valuesOf(kpis, 'MODERATION_P90_HOURS_TO_DECISION')).toEqual([{ scope: null, value: 288, target: null, met: null }]);
    expect(valuesOf(kpis, 'MODERATION_OLDEST_OPEN_CASE_DAYS')).toEqual([{ scope: null, value: 4, target: null, met: null }]);

    // A month-long period: 7 cases opened in the 31 days up to 31 March 2025 (day 28), per week.
    const month = measure(model, pointAt(ms(28), 'MONTH'));
    expect(month.periodStart).toBe(Date.parse('2025-02-28T00:00:00.000Z'));
    expect(month.moderation.casesOpened).toBe(7);
    expect(month.moderation.casesOpenedPerWeek).toBe(7 / (31 / 7));
  });

  test('agreements: share of active members who accepted the version that binds them, per agreement and overall', () => {
    const history = [
      ...at(0, member('m1'), member('m2'), member('m3'), member('m4'), member('m5'), member('m6')),
      ...at(1, published('coc', 1, false, 1)),
      ...at(2, published('pp', 1, false, 2), accepted('coc', 'm1', 1, 2), accepted('pp', 'm1', 1, 2), accepted('pp', 'm2', 1, 2)),
      ...at(3, accepted('pp', 'm4', 1, 3)),
      ...at(5, published('coc', 2, false, 5)),
      ...at(6, accepted('coc', 'm2', 2, 6)),
      ...at(10, published('coc', 3, true, 10)),
      ...at(11, accepted('coc', 'm1', 3, 11), accepted('coc', 'm3', 3, 11), accepted('coc', 'm6', 3, 11)),
      ...at(12, left('m6')),
    ];
    expect(measure(fold(history), week(20)).agreements).toEqual({
      activeMembers: 5,
      acceptanceRate: 0.5,
      agreements: [
        // Version 3 requires re-acceptance: m2's acceptance of version 2 no longer binds; m6 left.
        {
          agreementId: 'coc',
          title: 'Agreement coc',
          currentVersion: 3,
          bindingVersion: 3,
          activeMembers: 5,
          accepted: 2,
          acceptanceRate: 0.4,
        },
        {
          agreementId: 'pp',
          title: 'Agreement pp',
          currentVersion: 1,
          bindingVersion: 1,
          activeMembers: 5,
          accepted: 3,
          acceptanceRate: 0.6,
        },
      ],
    });
    // Day 9: version 2 did not require re-acceptance, so version 1 still bound: m1 and m2 had accepted.
    expect(measure(fold(history, 9), week(9)).agreements.agreements[0]).toMatchObject({
      bindingVersion: 1,
      currentVersion: 2,
      accepted: 2,
      acceptanceRate: 2 / 6,
    });
  });

  test('privacy: share of active members per consent purpose; erasure requests and hours to completion', () => {
    const model = fold([
      ...at(0, member('m1'), member('m2'), member('m3'), member('m4'), member('m5')),
      ...at(1, consent('m1', 'newsletter', 1), consent('m2', 'newsletter', 1), consent('m3', 'newsletter', 1)),
      ...at(1, consent('m1', 'profile_photo', 1), consent('m5', 'profile_photo', 1), consent('m2', 'analytics', 1)),
      ...at(3, withdrawn('m3', 'newsletter', 3), withdrawn('m2', 'analytics', 3), left('m5')),
      ...at(10, erasureRequested('m3', 10), erasureCompleted('m3', 10, 1)),
      ...at(14, erasureRequested('m4', 14), erasureCompleted('m4', 14, 2)),
      ...at(18, erasureRequested('m2', 18)),
      ...at(19, erasureRequested('m5', 19), erasureCompleted('m5', 19, 6)),
    ]);
    const { privacy, kpis } = measure(model, week(20));
    expect(privacy).toEqual({
      activeMembers: 4,
      consents: [
        { purpose: 'analytics', given: 0, share: 0 },
        { purpose: 'newsletter', given: 2, share: 0.5 },
        { purpose: 'profile_photo', given: 1, share: 0.25 },
      ],
      erasure: {
        requested: 4,
        completed: 3,
        pending: 1,
        requestedInPeriod: 3,
        completedInPeriod: 2,
        medianHoursToComplete: 4,
        oldestPendingDays: 2,
      },
    });
    expect(valuesOf(kpis, 'CONSENT_RATE').map((v) => [v.scope, v.value])).toEqual([
      ['analytics', 0],
      ['newsletter', 0.5],
      ['profile_photo', 0.25],
    ]);
    expect(valuesOf(kpis, 'ERASURE_MEDIAN_HOURS_TO_COMPLETE')).toEqual([{ scope: null, value: 4, target: null, met: null }]);
    expect(valuesOf(kpis, 'ERASURES_PENDING')).toEqual([{ scope: null, value: 1, target: null, met: null }]);
  });

  test('targets: a scope’s own target, else the KPI’s; met by direction; a targeted scope without figures has a null value', () => {
    const history = [
      ...at(0, member('a1'), member('a2'), member('a3'), member('a4'), member('b1', 'Support'), member('c1', 'Legal')),
      ...at(1, ...activeAmbassador('a1', 'Sales'), ...activeAmbassador('b1', 'Support')),
      ...reported('c1', 1),
      ...reported('c2', 2),
      ...at(
        3,
        target('MODERATION_BACKLOG', 1, null, 3),
        target('AMBASSADORS_PER_100_MEMBERS', 30),
        target('AMBASSADORS_PER_100_MEMBERS', 20, 'Sales'),
      ),
      ...at(3, target('AGREEMENT_ACCEPTANCE_RATE', 0.9, 'unpublished'), target('OWNER_CERTIFICATION_COVERAGE', 0.8)),
      ...at(4, {
        type: 'KpiTargetCleared',
        data: { kpi: 'OWNER_CERTIFICATION_COVERAGE', scope: null, clearedBy: 'cm-1', clearedAt: iso(4) },
      }),
    ] satisfies [number, DomainEvent][];
    const { kpis } = measure(fold(history), week(7));
    expect(valuesOf(kpis, 'MODERATION_BACKLOG')).toEqual([{ scope: null, value: 2, target: 1, met: false }]);
    expect(valuesOf(kpis, 'AMBASSADORS_PER_100_MEMBERS')).toEqual([
      { scope: null, value: 100 / 3, target: 30, met: true },
      { scope: 'Legal', value: 0, target: 30, met: false },
      { scope: 'Sales', value: 25, target: 20, met: true },
      { scope: 'Support', value: 100, target: 30, met: true },
    ]);
    expect(valuesOf(kpis, 'AGREEMENT_ACCEPTANCE_RATE')).toEqual([
      { scope: null, value: null, target: null, met: null },
      { scope: 'unpublished', value: null, target: 0.9, met: null },
    ]);
    // Cleared on day 4: no target any more.
    expect(valuesOf(kpis, 'OWNER_CERTIFICATION_COVERAGE')).toEqual([{ scope: null, value: null, target: null, met: null }]);
    const backlog = kpis.find((value) => value.kpi === 'MODERATION_BACKLOG')!;
    expect(backlog).toEqual({
      kpi: 'MODERATION_BACKLOG',
      scope: null,
      value: 2,
      unit: 'COUNT',
      direction: 'AT_MOST',
      target: {
        kpi: 'MODERATION_BACKLOG',
        scope: null,
        value: 1,
        direction: 'AT_MOST',
        setBy: 'cm-1',
        setAt: ms(3),
        streamId: 'kpi_target-MODERATION_BACKLOG',
        revision: 0,
      },
      met: false,
    });
    // Before the targets were set (day 3), the same value had none.
    expect(valuesOf(measure(fold(history, 2), week(3)).kpis, 'MODERATION_BACKLOG')).toEqual([
      { scope: null, value: 2, target: null, met: null },
    ]);
  });

  describe('adoption', () => {
    // Weeks of days 0-6 and 7-13. g3 reports like Viva Engage (no posters or readers); g4 has no members (left out of
    // the shares); g2's first week is corrected on day 9; g5 reports on day 10 for a week that only ends with day 13.
    const history = [
      ...at(
        7,
        activity('g1', [0, 6], { members: 100, posters: 10, readers: 60, lastActivity: 5 }),
        activity('g2', [0, 6], { members: 50, posters: 5, readers: 40, lastActivity: 6 }),
        activity('g3', [0, 6], { members: 30, posters: null, readers: null, lastActivity: null }),
        activity('g4', [0, 6], { members: 0, posters: 0, readers: 0, lastActivity: -40 }),
      ),
      ...at(9, activity('g2', [0, 6], { members: 50, posters: 8, readers: 45, lastActivity: 6 }, true)),
      ...at(10, activity('g5', [7, 13], { members: 10, posters: 10, readers: 10, lastActivity: 9 })),
      ...at(14, activity('g1', [7, 13], { members: 100, posters: 20, readers: 70, lastActivity: 12 })),
      ...at(14, target('ADOPTION_POSTING_SHARE', 0.1), target('ADOPTION_POSTING_SHARE', 0.25, 'g1')),
      ...at(14, target('ADOPTION_GROUPS_INACTIVE_30_DAYS', 1), target('ADOPTION_ACTIVE_GROUPS', 3)),
    ] satisfies [number, DomainEvent][];
    const kpisAt = (day: number) => {
      const { kpis } = measure(fold(history, day), week(day));
      const value = (kpi: KpiId) => valuesOf(kpis, kpi).find((v) => v.scope === null)!.value;
      return {
        posting: value('ADOPTION_POSTING_SHARE'),
        reading: value('ADOPTION_READING_SHARE'),
        active: value('ADOPTION_ACTIVE_GROUPS'),
        inactive: value('ADOPTION_GROUPS_INACTIVE_30_DAYS'),
      };
    };

    test('before any report, and before the first reported period ended: nothing to measure (null, not 0 groups)', () => {
      expect(kpisAt(6)).toEqual({ posting: null, reading: null, active: null, inactive: null });
      // g5's report is in on day 10, but its week runs to the end of day 13: not a snapshot yet.
      const early = measure(fold([...at(10, activity('g5', [7, 13], { members: 10, posters: 1, readers: 2, lastActivity: 9 }))]), week(13));
      expect(early.adoption.groups).toBe(0);
      expect(valuesOf(early.kpis, 'ADOPTION_POSTING_SHARE')).toEqual([{ scope: null, value: null, target: null, met: null }]);
    });

    test('day 7: the first week of four groups; posters and readers over the members of the groups that count them', () => {
      const { adoption: figures, kpis } = measure(fold(history, 7), week(7));
      expect(figures).toEqual({
        groups: 4,
        // g1 (day 5) and g2 (day 6) were active in the 30 days; g3 reported no activity date, g4's was day -40.
        activeGroups: 2,
        inactiveGroups: 2,
        postingMembers: 150,
        posters: 15,
        postingShare: 0.1,
        readingMembers: 150,
        readers: 100,
        readingShare: 2 / 3,
        byGroup: [
          {
            groupId: 'g1',
            name: null,
            owners: 0,
            periodStart: date(0),
            periodEnd: date(6),
            members: 100,
            posters: 10,
            readers: 60,
            postingShare: 0.1,
            readingShare: 0.6,
            lastActivity: date(5),
            active: true,
          },
          {
            groupId: 'g2',
            name: null,
            owners: 0,
            periodStart: date(0),
            periodEnd: date(6),
            members: 50,
            posters: 5,
            readers: 40,
            postingShare: 0.1,
            readingShare: 0.8,
            lastActivity: date(6),
            active: true,
          },
          {
            groupId: 'g3',
            name: null,
            owners: 0,
            periodStart: date(0),
            periodEnd: date(6),
            members: 30,
            posters: null,
            readers: null,
            postingShare: null,
            readingShare: null,
            lastActivity: null,
            active: false,
          },
          {
            groupId: 'g4',
            name: null,
            owners: 0,
            periodStart: date(0),
            periodEnd: date(6),
            members: 0,
            posters: 0,
            readers: 0,
            postingShare: null,
            readingShare: null,
            lastActivity: date(-40),
            active: false,
          },
        ],
      });
      expect(valuesOf(kpis, 'ADOPTION_READING_SHARE')).toEqual([
        { scope: null, value: 2 / 3, target: null, met: null },
        { scope: 'g1', value: 0.6, target: null, met: null },
        { scope: 'g2', value: 0.8, target: null, met: null },
        { scope: 'g3', value: null, target: null, met: null },
        { scope: 'g4', value: null, target: null, met: null },
      ]);
      expect(valuesOf(kpis, 'ADOPTION_ACTIVE_GROUPS')).toEqual([{ scope: null, value: 2, target: null, met: null }]);
      expect(valuesOf(kpis, 'ADOPTION_GROUPS_INACTIVE_30_DAYS')).toEqual([{ scope: null, value: 2, target: null, met: null }]);
    });

    test('a correction replaces the figures of its period from when it was recorded, never before', () => {
      expect(kpisAt(8)).toEqual({ posting: 0.1, reading: 2 / 3, active: 2, inactive: 2 });
      // g2's corrected week: 8 posters and 45 readers of 50.
      expect(kpisAt(10)).toEqual({ posting: 18 / 150, reading: 105 / 150, active: 2, inactive: 2 });
      // The same through the series fold, which measures each point on the events recorded by then.
      const events = history.map(([day, event], revision) => ({
        streamId: 'any',
        revision,
        type: event.type,
        data: event.data,
        time: ms(day),
      }));
      const [day8, day10] = foldTimeline([week(8), week(10)], events);
      expect([day8!.adoption.postingShare, day10!.adoption.postingShare]).toEqual([0.1, 18 / 150]);
    });

    test('a later period is the group’s snapshot once it has ended; targets per group, else the overall one', () => {
      const { adoption: figures, kpis } = measure(fold(history, 14), week(14));
      // g1's second week (20 posters, 70 readers of 100) and g5's week (ended with day 13) join: g2 and g4 as before.
      expect(figures).toMatchObject({ groups: 5, activeGroups: 3, inactiveGroups: 2, postingMembers: 160, posters: 38, readers: 125 });
      expect(figures.byGroup.find((g) => g.groupId === 'g1')).toMatchObject({ periodStart: date(7), posters: 20, lastActivity: date(12) });
      expect(valuesOf(kpis, 'ADOPTION_POSTING_SHARE')).toEqual([
        { scope: null, value: 38 / 160, target: 0.1, met: true },
        { scope: 'g1', value: 0.2, target: 0.25, met: false },
        { scope: 'g2', value: 0.16, target: 0.1, met: true },
        { scope: 'g3', value: null, target: 0.1, met: null },
        { scope: 'g4', value: null, target: 0.1, met: null },
        { scope: 'g5', value: 1, target: 0.1, met: true },
      ]);
      expect(valuesOf(kpis, 'ADOPTION_READING_SHARE')[0]!.value).toBe(125 / 160);
      expect(valuesOf(kpis, 'ADOPTION_ACTIVE_GROUPS')).toEqual([{ scope: null, value: 3, target: 3, met: true }]);
      expect(valuesOf(kpis, 'ADOPTION_GROUPS_INACTIVE_30_DAYS')).toEqual([{ scope: null, value: 2, target: 1, met: false }]);
    });

    test('active: the last activity falls in the 30 days before the moment', () => {
      // Day 36: the 30 days before are days 6 to 35, so g2 (last active on day 6) still counts; on day 37 it does not.
      expect(kpisAt(36)).toMatchObject({ active: 3, inactive: 2 });
      expect(kpisAt(37)).toMatchObject({ active: 2, inactive: 3 });
      // Nothing newer was reported: the shares stay those of the latest weeks.
      expect(kpisAt(37)).toMatchObject({ posting: 38 / 160, reading: 125 / 160 });
      // Later than midnight, the day that started 30 days before still overlaps the window.
      expect(measure(fold(history), { at: ms(36, 12), periodStart: ms(29, 12) }).adoption.activeGroups).toBe(3);
    });

    test('periods ending the same day: the report recorded last is the snapshot; a missing date keeps the one reported before', () => {
      const model = fold([
        ...at(7, activity('g1', [0, 6], { members: 100, posters: 10, readers: 60, lastActivity: 5 })),
        // A 30-day report for the same end, recorded later and without a last activity date.
        ...at(8, activity('g1', [-23, 6], { members: 100, posters: 30, readers: 90, lastActivity: null })),
      ]);
      expect(measure(model, week(8)).adoption.byGroup).toEqual([
        {
          groupId: 'g1',
          name: null,
          owners: 0,
          periodStart: date(-23),
          periodEnd: date(6),
          members: 100,
          posters: 30,
          readers: 90,
          postingShare: 0.3,
          readingShare: 0.9,
          lastActivity: date(5),
          active: true,
        },
      ]);
    });
  });

  test('arithmetic: shares, medians and nearest-rank percentiles', () => {
    expect(share(1, 0)).toBeNull();
    expect(share(0, 4)).toBe(0);
    expect(median([])).toBeNull();
    expect(median([5])).toBe(5);
    expect(median([9, 1, 5])).toBe(5);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(nearestRank([], 0.9)).toBeNull();
    expect(nearestRank([7], 0.9)).toBe(7);
    expect(nearestRank([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9)).toBe(9);
    expect(nearestRank([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 0.9)).toBe(10);
  });
});
