import type { CertificationStatus } from '../certification/index.ts';
import { compareAdoption, type AdoptionComparisons } from './adoption-comparisons.ts';
import { KPI_IDS, kpiDefinition, targetMet, type KpiDirection, type KpiId, type KpiUnit } from './kpi-catalogue.ts';
import { targetKey, type CaseFacts, type InsightsModel, type MemberFacts, type TargetFacts } from './insights-model.ts';

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;
export const WEEK_MS = 7 * DAY_MS;
/** A group is active when its last activity falls in this many days before the moment. */
export const ACTIVE_GROUP_DAYS = 30;

/**
 * A moment to measure at: `at` (inclusive, ms) and the start of the period that ends there (exclusive), which the
 * per-period figures (cases opened, time to decision, days to complete a programme, erasures) cover.
 */
export interface InsightsPoint {
  readonly at: number;
  readonly periodStart: number;
}

export interface GroupGap {
  readonly groupId: string;
  readonly name: string;
  readonly owners: number;
  /** Its owners who are not currently certified, in the order they became owners (none for a group without owners). */
  readonly uncertifiedOwners: readonly { readonly memberId: string; readonly status: CertificationStatus }[];
}

export interface OwnerCertificationFigures {
  readonly groups: number;
  readonly coveredGroups: number;
  readonly coverage: number | null;
  /** By group id. */
  readonly failingGroups: readonly GroupGap[];
}

export interface TrainingTotals {
  readonly completed: number;
  readonly open: number;
  readonly completionRate: number | null;
  readonly completedInPeriod: number;
  readonly medianDaysToComplete: number | null;
}

export interface ProgrammeFigures extends TrainingTotals {
  readonly programmeId: string;
  /** Null for a programme that has enrolments but no definition (yet) at that moment. */
  readonly title: string | null;
}

export interface TrainingFigures extends TrainingTotals {
  /** By programme id. */
  readonly programmes: readonly ProgrammeFigures[];
}

export interface DepartmentFigures {
  readonly department: string;
  readonly activeMembers: number;
  readonly activeAmbassadors: number;
  readonly perHundredMembers: number | null;
}

export interface AmbassadorFigures {
  /** Departments of active members. */
  readonly departments: number;
  /** Of those, the ones with at least one ACTIVE ambassador. */
  readonly coveredDepartments: number;
  readonly coverage: number | null;
  readonly activeMembers: number;
  readonly activeAmbassadors: number;
  readonly perHundredMembers: number | null;
  /** By department: those of active members, and those an active ambassador represents. */
  readonly byDepartment: readonly DepartmentFigures[];
}

export interface DecisionFigures {
  readonly decisions: number;
  /** Decisions whose outcome can be appealed (all but NO_ACTION). */
  readonly appealable: number;
  readonly appealed: number;
  readonly overturned: number;
  readonly appealRate: number | null;
  readonly overturnedShare: number | null;
}

export interface DeciderFigures extends DecisionFigures {
  readonly deciderId: string;
}

export interface ModerationFigures extends DecisionFigures {
  readonly casesOpened: number;
  readonly casesOpenedPerWeek: number;
  readonly casesDecided: number;
  readonly medianHoursToDecision: number | null;
  readonly p90HoursToDecision: number | null;
  readonly backlog: number;
  readonly oldestOpenCaseDays: number | null;
  /** By decider id. */
  readonly byDecider: readonly DeciderFigures[];
}

export interface AgreementRow {
  readonly agreementId: string;
  readonly title: string;
  readonly currentVersion: number;
  readonly bindingVersion: number;
  readonly activeMembers: number;
  readonly accepted: number;
  readonly acceptanceRate: number | null;
}

export interface AgreementFigures {
  readonly activeMembers: number;
  /** Of every pair of an active member and a published agreement. */
  readonly acceptanceRate: number | null;
  /** By agreement id. */
  readonly agreements: readonly AgreementRow[];
}

export interface ConsentFigures {
  readonly purpose: string;
  readonly given: number;
  readonly share: number | null;
}

export interface ErasureFigures {
  readonly requested: number;
  readonly completed: number;
  readonly pending: number;
  readonly requestedInPeriod: number;
  readonly completedInPeriod: number;
  readonly medianHoursToComplete: number | null;
  readonly oldestPendingDays: number | null;
}

export interface PrivacyFigures {
  readonly activeMembers: number;
  /** By purpose. */
  readonly consents: readonly ConsentFigures[];
  readonly erasure: ErasureFigures;
}

export interface GroupAdoptionFigures {
  readonly groupId: string;
  /** Its name in the group directory then; null for a group the directory does not know (reported under an unknown id). */
  readonly name: string | null;
  /** Its owners then (0: nobody answers for it). */
  readonly owners: number;
  /** The group's latest period that had ended by then (YYYY-MM-DD, both days included). */
  readonly periodStart: string;
  readonly periodEnd: string;
  readonly members: number;
  readonly posters: number | null;
  readonly readers: number | null;
  /** posters / members; null without members or without a poster count. */
  readonly postingShare: number | null;
  readonly readingShare: number | null;
  /** The latest last-activity day of all its periods ended by then (YYYY-MM-DD); null: none reported. */
  readonly lastActivity: string | null;
  /** Its last activity falls in the ACTIVE_GROUP_DAYS days before the moment. */
  readonly active: boolean;
}

export interface AdoptionFigures {
  /** Groups with figures for a period that had ended by then. */
  readonly groups: number;
  readonly activeGroups: number;
  /** The other groups of `groups`: last activity longer ago, or never reported. */
  readonly inactiveGroups: number;
  /** Summed over the latest periods of the groups with members and a poster count. */
  readonly postingMembers: number;
  readonly posters: number;
  readonly postingShare: number | null;
  /** Summed over the latest periods of the groups with members and a reader count. */
  readonly readingMembers: number;
  readonly readers: number;
  readonly readingShare: number | null;
  /** By group id. */
  readonly byGroup: readonly GroupAdoptionFigures[];
}

export interface KpiValue {
  readonly kpi: KpiId;
  /** Null: the KPI for the community as a whole. */
  readonly scope: string | null;
  /** Null: nothing to measure (no groups, no decisions in the period...). */
  readonly value: number | null;
  readonly unit: KpiUnit;
  readonly direction: KpiDirection;
  /** The scope's own target, else the KPI's; as set at that moment. */
  readonly target: TargetFacts | null;
  readonly met: boolean | null;
}

export interface InsightsSnapshot extends InsightsPoint {
  readonly ownerCertification: OwnerCertificationFigures;
  readonly training: TrainingFigures;
  readonly ambassadors: AmbassadorFigures;
  readonly moderation: ModerationFigures;
  readonly agreements: AgreementFigures;
  readonly privacy: PrivacyFigures;
  readonly adoption: AdoptionFigures;
  /** Activity of groups with and without certified owners or an ambassador nearby, and before and after an award. */
  readonly adoptionComparisons: AdoptionComparisons;
  /** Every KPI: overall first, then by scope. */
  readonly kpis: readonly KpiValue[];
}

/** Every figure at `point`, from the model as the log stood then. Pure: the model is read, never changed. */
export function measure(model: InsightsModel, point: InsightsPoint): InsightsSnapshot {
  // Counts the active members once: agreements and privacy divide by the same number.
  const ambassadorFigures = ambassadors(model);
  // The groups the coverage counts as covered: the comparisons of adoption split groups by the same rule.
  const certifiedGroups = new Set<string>();
  const figures = {
    ownerCertification: ownerCertification(model, point, certifiedGroups),
    training: training(model, point),
    ambassadors: ambassadorFigures,
    moderation: moderation(model, point),
    agreements: agreements(model, ambassadorFigures.activeMembers),
    privacy: privacy(model, point, ambassadorFigures.activeMembers),
    adoption: adoption(model, point),
  };
  const adoptionComparisons = compareAdoption(model, point.at, {
    latest: figures.adoption.byGroup,
    certifiedGroups,
    departmentsWithAmbassador: new Set(figures.ambassadors.byDepartment.filter((d) => d.activeAmbassadors > 0).map((d) => d.department)),
  });
  return { at: point.at, periodStart: point.periodStart, ...figures, adoptionComparisons, kpis: kpiValues(figures, model.targets) };
}

// ---------------------------------------------------------------- owner certification

/** As certificationStatusAt: a live award past its expiry is EXPIRED, even before the scheduler recorded it. */
export function certificationStatusAt(model: InsightsModel, memberId: string, at: number): CertificationStatus {
  const facts = model.certifications.get(memberId);
  if (!facts) return 'NOT_CERTIFIED';
  const live = facts.status === 'CERTIFIED' || facts.status === 'DUE_FOR_RENEWAL' || facts.status === 'SUSPENDED';
  return live && at >= facts.expiresAt ? 'EXPIRED' : facts.status;
}

/** `covered`: filled with the ids of the groups it counts as covered, as it walks them (rather than found again later). */
function ownerCertification(model: InsightsModel, { at }: InsightsPoint, covered: Set<string>): OwnerCertificationFigures {
  const failingGroups: GroupGap[] = [];
  // In the order of the answer (by group id), so nothing is sorted at each point.
  for (const groupId of model.groupIds()) {
    const group = model.groups.get(groupId)!;
    // Most groups have every owner certified: no list is made for them.
    let uncertifiedOwners: { memberId: string; status: CertificationStatus }[] | null = null;
    for (const memberId of group.owners) {
      const status = certificationStatusAt(model, memberId, at);
      if (status !== 'CERTIFIED' && status !== 'DUE_FOR_RENEWAL') (uncertifiedOwners ??= []).push({ memberId, status });
    }
    // Nobody answers for a group without owners: it does not count as covered.
    if (group.owners.length === 0 || uncertifiedOwners !== null) {
      failingGroups.push({
        groupId: group.groupId,
        name: group.name,
        owners: group.owners.length,
        uncertifiedOwners: uncertifiedOwners ?? [],
      });
    } else covered.add(groupId);
  }
  const groups = model.groups.size;
  const coveredGroups = groups - failingGroups.length;
  return { groups, coveredGroups, coverage: share(coveredGroups, groups), failingGroups };
}

// ---------------------------------------------------------------- training

function training(model: InsightsModel, point: InsightsPoint): TrainingFigures {
  const byProgramme = new Map<string, { completed: number; open: number; days: number[] }>();
  for (const programmeId of model.programmes.keys()) byProgramme.set(programmeId, { completed: 0, open: 0, days: [] });
  const all = { completed: 0, open: 0, days: [] as number[] };
  for (const enrolment of model.enrolments.values()) {
    let tally = byProgramme.get(enrolment.programmeId);
    if (!tally) byProgramme.set(enrolment.programmeId, (tally = { completed: 0, open: 0, days: [] }));
    if (enrolment.completedAt !== null) {
      tally.completed++;
      all.completed++;
      if (inPeriod(enrolment.completedAt, point)) {
        const days = (enrolment.completedAt - enrolment.enrolledAt) / DAY_MS;
        tally.days.push(days);
        all.days.push(days);
      }
    } else if (isActive(model.members.get(enrolment.memberId))) {
      // An enrolment of a member who left can never be completed: it is not "open" any more.
      tally.open++;
      all.open++;
    }
  }
  const programmes = [...byProgramme.entries()]
    .sort(([a], [b]) => compare(a, b))
    .map(([programmeId, tally]) => ({ programmeId, title: model.programmes.get(programmeId)?.title ?? null, ...totals(tally) }));
  return { ...totals(all), programmes };
}

function totals(tally: { completed: number; open: number; days: number[] }): TrainingTotals {
  return {
    completed: tally.completed,
    open: tally.open,
    completionRate: share(tally.completed, tally.completed + tally.open),
    completedInPeriod: tally.days.length,
    medianDaysToComplete: median(tally.days),
  };
}

// ---------------------------------------------------------------- ambassadors

function ambassadors(model: InsightsModel): AmbassadorFigures {
  const byDepartment = new Map<string, { activeMembers: number; activeAmbassadors: number }>();
  const tally = (department: string) => {
    let entry = byDepartment.get(department);
    if (!entry) byDepartment.set(department, (entry = { activeMembers: 0, activeAmbassadors: 0 }));
    return entry;
  };
  let activeMembers = 0;
  // Counted by the model as members come, move and go: a department whose members have all left is no department here.
  for (const [department, count] of model.activeMembersByDepartment) {
    if (count === 0) continue;
    activeMembers += count;
    tally(department).activeMembers += count;
  }
  let activeAmbassadors = 0;
  for (const [memberId, ambassador] of model.ambassadors) {
    // An ambassador who left the community does not count, whatever their enrolment still says.
    if (ambassador.status !== 'ACTIVE' || !isActive(model.members.get(memberId))) continue;
    activeAmbassadors++;
    tally(ambassador.department).activeAmbassadors++;
  }
  let departments = 0;
  let coveredDepartments = 0;
  const rows: DepartmentFigures[] = [];
  for (const [department, entry] of [...byDepartment.entries()].sort(([a], [b]) => compare(a, b))) {
    if (entry.activeMembers > 0) {
      departments++;
      if (entry.activeAmbassadors > 0) coveredDepartments++;
    }
    rows.push({ department, ...entry, perHundredMembers: perHundred(entry.activeAmbassadors, entry.activeMembers) });
  }
  return {
    departments,
    coveredDepartments,
    coverage: share(coveredDepartments, departments),
    activeMembers,
    activeAmbassadors,
    perHundredMembers: perHundred(activeAmbassadors, activeMembers),
    byDepartment: rows,
  };
}

// ---------------------------------------------------------------- moderation

function moderation(model: InsightsModel, point: InsightsPoint): ModerationFigures {
  let casesOpened = 0;
  let backlog = 0;
  let oldestOpen: number | null = null;
  const hoursToDecision: number[] = [];
  const all = emptyDecisionTally();
  const byDecider = new Map<string, DecisionTally>();
  for (const file of model.cases.values()) {
    const firstFlag = file.firstFlagAt ?? file.openedAt;
    if (inPeriod(file.openedAt, point)) casesOpened++;
    if (file.status === 'OPEN') {
      backlog++;
      if (oldestOpen === null || firstFlag < oldestOpen) oldestOpen = firstFlag;
    }
    if (file.decidedAt === null || file.decidedBy === null) continue;
    if (inPeriod(file.decidedAt, point)) hoursToDecision.push((file.decidedAt - firstFlag) / HOUR_MS);
    let decider = byDecider.get(file.decidedBy);
    if (!decider) byDecider.set(file.decidedBy, (decider = emptyDecisionTally()));
    countDecision(all, file);
    countDecision(decider, file);
  }
  const sorted = hoursToDecision.sort(ascending);
  return {
    casesOpened,
    casesOpenedPerWeek: casesOpened / ((point.at - point.periodStart) / WEEK_MS),
    casesDecided: sorted.length,
    medianHoursToDecision: medianOfSorted(sorted),
    p90HoursToDecision: nearestRank(sorted, 0.9),
    backlog,
    oldestOpenCaseDays: oldestOpen === null ? null : (point.at - oldestOpen) / DAY_MS,
    ...decisionFigures(all),
    byDecider: [...byDecider.entries()]
      .sort(([a], [b]) => compare(a, b))
      .map(([deciderId, tally]) => ({ deciderId, ...decisionFigures(tally) })),
  };
}

interface DecisionTally {
  decisions: number;
  appealable: number;
  appealed: number;
  overturned: number;
}

function emptyDecisionTally(): DecisionTally {
  return { decisions: 0, appealable: 0, appealed: 0, overturned: 0 };
}

function countDecision(tally: DecisionTally, file: CaseFacts): void {
  tally.decisions++;
  if (file.outcome !== 'NO_ACTION') tally.appealable++;
  if (file.appealFiledAt !== null) tally.appealed++;
  if (file.overturned) tally.overturned++;
}

function decisionFigures(tally: DecisionTally): DecisionFigures {
  return { ...tally, appealRate: share(tally.appealed, tally.appealable), overturnedShare: share(tally.overturned, tally.decisions) };
}

// ---------------------------------------------------------------- agreements

function agreements(model: InsightsModel, activeMembers: number): AgreementFigures {
  const rows: AgreementRow[] = [];
  let acceptedPairs = 0;
  for (const [agreementId, agreement] of [...model.agreements.entries()].sort(([a], [b]) => compare(a, b))) {
    // Active members who accepted the binding version or a later one: counted by the model as they come and go.
    const accepted = model.activeAcceptances.get(agreementId) ?? 0;
    acceptedPairs += accepted;
    rows.push({
      agreementId,
      title: agreement.title,
      currentVersion: agreement.currentVersion,
      bindingVersion: agreement.bindingVersion,
      activeMembers,
      accepted,
      acceptanceRate: share(accepted, activeMembers),
    });
  }
  return { activeMembers, acceptanceRate: share(acceptedPairs, activeMembers * rows.length), agreements: rows };
}

// ---------------------------------------------------------------- privacy

function privacy(model: InsightsModel, point: InsightsPoint, activeMembers: number): PrivacyFigures {
  const consents: ConsentFigures[] = [];
  for (const purpose of [...model.consents.keys()].sort(compare)) {
    // Active members who have given it: counted by the model as they give, withdraw, come and go.
    const given = model.activeConsents.get(purpose) ?? 0;
    consents.push({ purpose, given, share: share(given, activeMembers) });
  }
  let completed = 0;
  let requestedInPeriod = 0;
  let oldestPending: number | null = null;
  const hours: number[] = [];
  for (const erasure of model.erasures.values()) {
    if (inPeriod(erasure.requestedAt, point)) requestedInPeriod++;
    if (erasure.completedAt === null) {
      if (oldestPending === null || erasure.requestedAt < oldestPending) oldestPending = erasure.requestedAt;
      continue;
    }
    completed++;
    if (inPeriod(erasure.completedAt, point)) hours.push((erasure.completedAt - erasure.requestedAt) / HOUR_MS);
  }
  const requested = model.erasures.size;
  return {
    activeMembers,
    consents,
    erasure: {
      requested,
      completed,
      pending: requested - completed,
      requestedInPeriod,
      completedInPeriod: hours.length,
      medianHoursToComplete: median(hours),
      oldestPendingDays: oldestPending === null ? null : (point.at - oldestPending) / DAY_MS,
    },
  };
}

// ---------------------------------------------------------------- adoption

/**
 * The groups' usage as their reports had it at `point.at`: the model holds only the reports recorded by then (a report
 * imported later, or a later correction, never reaches an earlier moment), and of those only the periods that had
 * ended by then count, so a moment never sees figures for days still to come.
 */
function adoption(model: InsightsModel, { at }: InsightsPoint): AdoptionFigures {
  const byGroup: GroupAdoptionFigures[] = [];
  const totals = { activeGroups: 0, postingMembers: 0, posters: 0, readingMembers: 0, readers: 0 };
  // A day counts when any part of it lies in the window: at midnight, the 30 whole days before.
  const activeFrom = at - ACTIVE_GROUP_DAYS * DAY_MS;
  // In the order of the answer (by group id), so nothing is sorted at each point.
  const { ids, values: histories } = model.activityGroups();
  for (let i = 0; i < ids.length; i++) {
    const groupId = ids[i]!;
    const history = histories[i]!;
    // Its periods ended by then, counted once for both questions below.
    const ended = history.countEndedBy(at);
    const latest = history.latestEndedBy(at, ended);
    if (latest === null) continue;
    // The last activity any of its reports gave: a latest report without the date does not make the group inactive.
    const lastActivityDay = history.lastActivityDayEndedBy(at, ended);
    const { members, posters, readers } = latest;
    const active = lastActivityDay !== null && lastActivityDay + DAY_MS > activeFrom;
    if (active) totals.activeGroups++;
    // A group without members has no share to add, whatever its other figures say.
    if (members > 0 && posters !== null) {
      totals.postingMembers += members;
      totals.posters += posters;
    }
    if (members > 0 && readers !== null) {
      totals.readingMembers += members;
      totals.readers += readers;
    }
    const directory = model.groups.get(groupId);
    byGroup.push({
      groupId,
      name: directory?.name ?? null,
      owners: directory?.owners.length ?? 0,
      periodStart: latest.periodStart,
      periodEnd: latest.periodEnd,
      members,
      posters,
      readers,
      postingShare: posters === null ? null : share(posters, members),
      readingShare: readers === null ? null : share(readers, members),
      lastActivity: lastActivityDay === null ? null : calendarDate(lastActivityDay),
      active,
    });
  }
  return {
    groups: byGroup.length,
    activeGroups: totals.activeGroups,
    inactiveGroups: byGroup.length - totals.activeGroups,
    postingMembers: totals.postingMembers,
    posters: totals.posters,
    postingShare: share(totals.posters, totals.postingMembers),
    readingMembers: totals.readingMembers,
    readers: totals.readers,
    readingShare: share(totals.readers, totals.readingMembers),
    byGroup,
  };
}

/** Formatted dates: the same few hundred days come back for 2,000 groups at every point of a series. */
const calendarDates = new Map<number, string>();
const CALENDAR_DATES_KEPT = 10_000;

/** The UTC calendar date (YYYY-MM-DD) of a day's start in ms. */
function calendarDate(dayStart: number): string {
  let date = calendarDates.get(dayStart);
  if (date === undefined) {
    date = new Date(dayStart).toISOString().slice(0, 10);
    if (calendarDates.size >= CALENDAR_DATES_KEPT) calendarDates.clear();
    calendarDates.set(dayStart, date);
  }
  return date;
}

// ---------------------------------------------------------------- KPIs and targets

type Figures = Omit<InsightsSnapshot, 'kpis' | 'at' | 'periodStart' | 'adoptionComparisons'>;

/** Each KPI's values: the community as a whole, then each scope the figures have or a target names. */
export function kpiValues(figures: Figures, targets: ReadonlyMap<string, TargetFacts>): KpiValue[] {
  const { ownerCertification: owners, training: t, ambassadors: a, moderation: m, agreements: ag, privacy: p, adoption: ad } = figures;
  // Before any report covers an ended period there is nothing to count: null, not 0 active (or inactive) groups.
  const groupCount = (count: number) => (ad.groups === 0 ? null : count);
  const measured: Record<KpiId, { overall: number | null | undefined; scopes: Scopes }> = {
    OWNER_CERTIFICATION_COVERAGE: { overall: owners.coverage, scopes: NO_SCOPES },
    TRAINING_COMPLETION_RATE: { overall: t.completionRate, scopes: scoped(t.programmes, 'programmeId', 'completionRate') },
    TRAINING_MEDIAN_DAYS_TO_COMPLETE: {
      overall: t.medianDaysToComplete,
      scopes: scoped(t.programmes, 'programmeId', 'medianDaysToComplete'),
    },
    AMBASSADOR_DEPARTMENT_COVERAGE: { overall: a.coverage, scopes: NO_SCOPES },
    AMBASSADORS_PER_100_MEMBERS: { overall: a.perHundredMembers, scopes: scoped(a.byDepartment, 'department', 'perHundredMembers') },
    MODERATION_CASES_OPENED_PER_WEEK: { overall: m.casesOpenedPerWeek, scopes: NO_SCOPES },
    MODERATION_MEDIAN_HOURS_TO_DECISION: { overall: m.medianHoursToDecision, scopes: NO_SCOPES },
    MODERATION_P90_HOURS_TO_DECISION: { overall: m.p90HoursToDecision, scopes: NO_SCOPES },
    MODERATION_BACKLOG: { overall: m.backlog, scopes: NO_SCOPES },
    MODERATION_OLDEST_OPEN_CASE_DAYS: { overall: m.oldestOpenCaseDays, scopes: NO_SCOPES },
    MODERATION_APPEAL_RATE: { overall: m.appealRate, scopes: scoped(m.byDecider, 'deciderId', 'appealRate') },
    MODERATION_OVERTURNED_SHARE: { overall: m.overturnedShare, scopes: scoped(m.byDecider, 'deciderId', 'overturnedShare') },
    AGREEMENT_ACCEPTANCE_RATE: { overall: ag.acceptanceRate, scopes: scoped(ag.agreements, 'agreementId', 'acceptanceRate') },
    CONSENT_RATE: { overall: undefined, scopes: scoped(p.consents, 'purpose', 'share') },
    ERASURE_MEDIAN_HOURS_TO_COMPLETE: { overall: p.erasure.medianHoursToComplete, scopes: NO_SCOPES },
    ERASURES_PENDING: { overall: p.erasure.pending, scopes: NO_SCOPES },
    ADOPTION_POSTING_SHARE: { overall: ad.postingShare, scopes: scoped(ad.byGroup, 'groupId', 'postingShare') },
    ADOPTION_READING_SHARE: { overall: ad.readingShare, scopes: scoped(ad.byGroup, 'groupId', 'readingShare') },
    ADOPTION_ACTIVE_GROUPS: { overall: groupCount(ad.activeGroups), scopes: NO_SCOPES },
    ADOPTION_GROUPS_INACTIVE_30_DAYS: { overall: groupCount(ad.inactiveGroups), scopes: NO_SCOPES },
  };
  // Each KPI's targets by scope, looked up once: a KPI per group has 2,000 scopes at every point of a series.
  const targetedScopes = new Map<KpiId, Map<string, TargetFacts>>();
  for (const target of targets.values()) {
    if (target.scope === null) continue;
    let scopes = targetedScopes.get(target.kpi);
    if (!scopes) targetedScopes.set(target.kpi, (scopes = new Map()));
    scopes.set(target.scope, target);
  }
  const values: KpiValue[] = [];
  for (const kpi of KPI_IDS) {
    const { unit, direction, scopeRequired } = kpiDefinition(kpi);
    const overallTarget = targets.get(targetKey(kpi, null)) ?? null;
    const scopeTargets = targetedScopes.get(kpi);
    const entry = (scope: string | null, value: number | null): KpiValue => {
      const target = (scope === null ? null : scopeTargets?.get(scope)) ?? overallTarget;
      return { kpi, scope, value, unit, direction, target, met: targetMet(target?.direction ?? direction, value, target?.value ?? null) };
    };
    const { overall, scopes } = measured[kpi];
    if (!scopeRequired && overall !== undefined) values.push(entry(null, overall));
    if (scopeTargets === undefined && strictlyAscending(scopes)) {
      // The figures list their scopes in order already (2,000 groups at every point): nothing to merge or sort.
      for (let i = 0; i < scopes.length; i++) values.push(entry(scopes.scope(i), scopes.value(i)));
      continue;
    }
    const byScope = new Map<string, number | null>();
    for (let i = 0; i < scopes.length; i++) byScope.set(scopes.scope(i), scopes.value(i));
    for (const scope of scopeTargets?.keys() ?? []) if (!byScope.has(scope)) byScope.set(scope, null);
    for (const [scope, value] of [...byScope.entries()].sort(([a], [b]) => compare(a, b))) values.push(entry(scope, value));
  }
  return values;
}

/**
 * A KPI's scopes and values as its figures list them, read in place: a KPI per group would otherwise make 2,000 pairs
 * at every point of a series, only to read them once.
 */
interface Scopes {
  readonly length: number;
  scope(index: number): string;
  value(index: number): number | null;
}

const NO_SCOPES: Scopes = { length: 0, scope: () => '', value: () => null };

/** The properties of T whose values are of type V. */
type KeysTo<T, V> = { [K in keyof T]-?: T[K] extends V ? K : never }[keyof T];

function scoped<T>(rows: readonly T[], scope: KeysTo<T, string>, value: KeysTo<T, number | null>): Scopes {
  return {
    length: rows.length,
    scope: (index) => rows[index]![scope] as string,
    value: (index) => rows[index]![value] as number | null,
  };
}

/** Each scope after the one before: no scope twice, in the order the merge would sort them. */
function strictlyAscending(scopes: Scopes): boolean {
  for (let i = 1; i < scopes.length; i++) if (!(compare(scopes.scope(i - 1), scopes.scope(i)) < 0)) return false;
  return true;
}

// ---------------------------------------------------------------- arithmetic

/** `part / whole`, or null when there is nothing to divide by. */
export function share(part: number, whole: number): number | null {
  return whole === 0 ? null : part / whole;
}

function perHundred(part: number, whole: number): number | null {
  return whole === 0 ? null : (part * 100) / whole;
}

/** The middle value (the mean of the two middle ones for an even count); null for none. Sorts `values`. */
export function median(values: number[]): number | null {
  return medianOfSorted(values.sort(ascending));
}

function medianOfSorted(sorted: readonly number[]): number | null {
  const n = sorted.length;
  if (n === 0) return null;
  const middle = n >> 1;
  return n % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** The nearest-rank percentile: the smallest value with at least `p` of the values at or below it; null for none. */
export function nearestRank(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]!;
}

function ascending(a: number, b: number): number {
  return a - b;
}

function inPeriod(time: number, point: InsightsPoint): boolean {
  return time > point.periodStart && time <= point.at;
}

/** Registered and not left: an id the member directory does not know is nobody's share of anything. */
function isActive(member: MemberFacts | undefined): boolean {
  return member?.active === true;
}

/** By UTF-16 code units, as PostgreSQL's COLLATE "C" orders ASCII: stable whatever the locale. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
