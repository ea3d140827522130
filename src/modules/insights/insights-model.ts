// Type-only imports: this file is loaded by the benchmark under plain Node, which cannot load the modules' read models.
import type { GroupActivityRecorded } from '../adoption/index.ts';
import type { AgreementAccepted, AgreementVersionPublished } from '../agreements/index.ts';
import type { AmbassadorNominated, AmbassadorStatus } from '../ambassadors/index.ts';
import type { CertificationAwarded, CertificationReinstated, CertificationRenewed, RecordStatus } from '../certification/index.ts';
import type { GroupCreated, GroupOwnerAssigned, GroupOwnerRemoved } from '../groups/index.ts';
import type { MemberRegistered, MemberUpdated } from '../members/index.ts';
import type {
  AppealDecided,
  AppealFiled,
  CaseStatus as ModerationCaseStatus,
  ContentFlagged,
  ModerationCaseDecided,
  ModerationCaseOpened,
  ModerationOutcome,
} from '../moderation/index.ts';
import type { ConsentGiven, ConsentWithdrawn, ErasureCompleted, ErasureRequested } from '../privacy/index.ts';
import type { MemberEnrolledInTraining, TrainingEnrolmentCompleted, TrainingProgrammeDefined } from '../training/index.ts';
import type { KpiDirection, KpiId } from './kpi-catalogue.ts';
import type { KpiTargetCleared, KpiTargetSet } from './kpi-target.decider.ts';

/**
 * The stream categories the KPIs are measured from: what the engine asks the log for. Literal here (the modules'
 * constants are checked against them in the unit spec) so that this file loads without the modules' read models.
 */
export const INSIGHT_CATEGORIES = [
  'member',
  'group',
  'certification',
  'training_programme',
  'training_enrolment',
  'ambassador',
  'moderation_case',
  'agreement',
  'acceptance',
  'privacy',
  'group_activity',
  'kpi_target',
] as const;

/**
 * The event types the model folds: the engine reads only these. The other types of those categories change nothing a
 * KPI measures (the unit spec lists them, so a module's new event type needs a decision here).
 */
export const INSIGHT_EVENT_TYPES = [
  'MemberRegistered',
  'MemberUpdated',
  'MemberLeft',
  'GroupCreated',
  'GroupOwnerAssigned',
  'GroupOwnerRemoved',
  'CertificationAwarded',
  'CertificationDueForRenewal',
  'CertificationExpired',
  'CertificationRenewed',
  'CertificationSuspended',
  'CertificationReinstated',
  'CertificationRevoked',
  'TrainingProgrammeDefined',
  'TrainingProgrammeRedefined',
  'MemberEnrolledInTraining',
  'TrainingEnrolmentCompleted',
  'MemberWithdrewFromTraining',
  'TrainingEnrolmentFailed',
  'AmbassadorNominated',
  'AmbassadorApproved',
  'AmbassadorRejected',
  'AmbassadorActivated',
  'AmbassadorReactivated',
  'AmbassadorDeactivated',
  'AmbassadorOffboarded',
  'ModerationCaseOpened',
  'ContentFlagged',
  'ModerationCaseDecided',
  'AppealFiled',
  'AppealDecided',
  'AgreementVersionPublished',
  'AgreementAccepted',
  'ConsentGiven',
  'ConsentWithdrawn',
  'ErasureRequested',
  'ErasureCompleted',
  'GroupActivityRecorded',
  'KpiTargetSet',
  'KpiTargetCleared',
] as const;

/** An event as the model takes it: `time` is when it was recorded (metadata.occurredAt), in ms. */
export interface InsightEvent {
  readonly streamId: string;
  readonly revision: number;
  readonly type: string;
  readonly data: unknown;
  readonly time: number;
}

export interface MemberFacts {
  department: string;
  active: boolean;
}

export interface GroupFacts {
  readonly groupId: string;
  name: string;
  /** In the order they became owners. */
  owners: string[];
}

export interface CertificationFacts {
  /** The member's latest award: events about an earlier one change nothing (as in the certification decider). */
  readonly recordId: string;
  status: RecordStatus;
  expiresAt: number;
}

export interface ProgrammeFacts {
  title: string;
}

export interface EnrolmentFacts {
  readonly programmeId: string;
  readonly memberId: string;
  enrolledAt: number;
  completedAt: number | null;
}

export interface AmbassadorFacts {
  /** The member's latest enrolment. */
  readonly enrolment: number;
  department: string;
  status: AmbassadorStatus;
}

/** A claimed case is still OPEN here: open or in review, it is backlog all the same. */
export type CaseStatus = Exclude<ModerationCaseStatus, 'IN_REVIEW'>;

export interface CaseFacts {
  readonly caseId: string;
  status: CaseStatus;
  openedAt: number;
  /** The first report's time: where "time to decision" starts. */
  firstFlagAt: number | null;
  decidedAt: number | null;
  decidedBy: string | null;
  outcome: ModerationOutcome | null;
  appealFiledAt: number | null;
  appealDecidedAt: number | null;
  overturned: boolean;
}

export interface AgreementFacts {
  title: string;
  currentVersion: number;
  /** The version every member must have accepted (or a later one), as the agreement's decider defines it. */
  bindingVersion: number;
}

export interface ErasureFacts {
  requestedAt: number;
  completedAt: number | null;
}

/** One period of a group's usage reports, as the latest report for that period gave it. */
export interface ActivitySnapshotFacts {
  readonly periodStart: string;
  readonly periodEnd: string;
  /** When the period is over: the start (UTC) of the day after its last day, in ms (its days are all included). */
  readonly endsAt: number;
  /** Its first day's start (UTC), in ms: where the before/after comparison places it around an award. */
  readonly startsAt: number;
  readonly members: number;
  /** Null: the report did not say (Viva Engage counts messages, not people). */
  readonly posters: number | null;
  readonly readers: number | null;
  /** The start (UTC) of the last day with any activity, in ms; null: not reported. */
  readonly lastActivityDay: number | null;
  /** Which report came last (the model's event count when folded): among periods ending the same day, the latest report is the group's snapshot. */
  readonly reportOrder: number;
}

/**
 * One group's periods, as the latest report for each gave it, kept in the order the measures ask for them: by end,
 * then by report (the later report last), so the group's latest period ended by a moment is one binary search away
 * and a series of points does not scan a year of weeks at each one.
 */
export class GroupActivityHistory {
  /** `<start>..<end>` → the figures that count for that period (a corrected report replaced the earlier ones). */
  readonly byPeriod = new Map<string, ActivitySnapshotFacts>();
  /** The same periods, ascending by `endsAt`, then by `reportOrder`. */
  private readonly byEnd: ActivitySnapshotFacts[] = [];
  /** `lastActivityUpTo[i]`: the latest `lastActivityDay` among `byEnd[0..i]`; right for the indexes below `validUpTo`. */
  private readonly lastActivityUpTo: (number | null)[] = [];
  private validUpTo = 0;
  /**
   * A period that does not end after it starts, or without dates (the decider refuses both; an event written around it
   * could hold one): the group's periods are then scanned one by one, as they were before this order was kept.
   */
  private irregular = false;
  /**
   * The end of each report's period, in the order they were recorded (NaN for an irregular one): figures worked out from
   * the periods of a span (the before/after comparison's, see adoption-comparisons.ts) are kept from one point of a
   * series to the next until a report for that span comes, rather than worked out again for each week's new report.
   */
  private readonly recordedEnds: number[] = [];

  /** Reports recorded so far. */
  get revision(): number {
    return this.recordedEnds.length;
  }

  /**
   * Whether a report recorded after the first `revision` may change which periods lie wholly inside [from, to], or
   * their figures: one for a period that ends after `from` and by `to` (a period ends after it starts), or an
   * irregular one, which may lie anywhere.
   */
  recordedWithinSince(revision: number, from: number, to: number): boolean {
    const ends = this.recordedEnds;
    for (let i = revision; i < ends.length; i++) {
      const end = ends[i]!;
      if (Number.isNaN(end) || (end > from && end <= to)) return true;
    }
    return false;
  }

  record(key: string, facts: ActivitySnapshotFacts): void {
    const replaced = this.byPeriod.get(key);
    this.byPeriod.set(key, facts);
    const irregular = !(facts.endsAt > facts.startsAt) || Number.isNaN(facts.lastActivityDay);
    if (irregular) this.irregular = true;
    // A replaced period had the same dates (the key is made of them): the new report's end is the end of both.
    this.recordedEnds.push(irregular ? Number.NaN : facts.endsAt);
    let changedFrom = this.byEnd.length;
    if (replaced) {
      const index = this.byEnd.indexOf(replaced);
      this.byEnd.splice(index, 1);
      changedFrom = index;
    }
    // Reports come in log order, so this one is the latest of its end day: after every period ending by then (most
    // often the last of all, reports coming week after week).
    const index = this.countEndedBy(facts.endsAt);
    if (index === this.byEnd.length) this.byEnd.push(facts);
    else this.byEnd.splice(index, 0, facts);
    this.validUpTo = Math.min(this.validUpTo, changedFrom, index);
  }

  /**
   * The latest period ended by `at`: the one ending last, of those the latest report (null: none). `count`: what
   * countEndedBy(at) answered, when the caller has it already.
   */
  latestEndedBy(at: number, count = this.countEndedBy(at)): ActivitySnapshotFacts | null {
    if (this.irregular) return this.scanEndedBy(at).latest;
    return count === 0 ? null : this.byEnd[count - 1]!;
  }

  /** The latest last-activity day any period ended by `at` gave; null: none gave one. `count` as for latestEndedBy. */
  lastActivityDayEndedBy(at: number, count = this.countEndedBy(at)): number | null {
    if (this.irregular) return this.scanEndedBy(at).lastActivityDay;
    if (count === 0) return null;
    for (; this.validUpTo < count; this.validUpTo++) {
      const i = this.validUpTo;
      const before = i === 0 ? null : (this.lastActivityUpTo[i - 1] ?? null);
      const day = this.byEnd[i]!.lastActivityDay;
      this.lastActivityUpTo[i] = day !== null && (before === null || day > before) ? day : before;
    }
    return this.lastActivityUpTo[count - 1] ?? null;
  }

  /**
   * Calls `visit` with each period that may lie wholly inside [from, to] and had ended by `at`: those ending after
   * `from` and by `min(to, at)` (a period ends after it starts); every period when one is irregular. The caller checks
   * the bounds.
   */
  forEachCandidateWithin(from: number, to: number, at: number, visit: (period: ActivitySnapshotFacts) => void): void {
    if (this.irregular) {
      for (const period of this.byPeriod.values()) visit(period);
      return;
    }
    const end = this.countEndedBy(Math.min(to, at));
    for (let i = this.countEndedBy(from); i < end; i++) visit(this.byEnd[i]!);
  }

  /** How many periods had ended by `at`: they are the first ones of the order by end (when none is irregular). */
  countEndedBy(at: number): number {
    const periods = this.byEnd;
    if (periods.length === 0 || periods[periods.length - 1]!.endsAt <= at) return periods.length;
    let low = 0;
    let high = periods.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (periods[middle]!.endsAt <= at) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  private scanEndedBy(at: number): { latest: ActivitySnapshotFacts | null; lastActivityDay: number | null } {
    let latest: ActivitySnapshotFacts | null = null;
    let lastActivityDay: number | null = null;
    for (const period of this.byPeriod.values()) {
      // As the index counts: a period without a real end (NaN) never ends.
      if (!(period.endsAt <= at)) continue;
      if (
        latest === null ||
        period.endsAt > latest.endsAt ||
        (period.endsAt === latest.endsAt && period.reportOrder > latest.reportOrder)
      ) {
        latest = period;
      }
      const day = period.lastActivityDay;
      // A day that is not a date is no day: kept, it would hide every later one (nothing is greater than NaN).
      if (day !== null && !Number.isNaN(day) && (lastActivityDay === null || day > lastActivityDay)) lastActivityDay = day;
    }
    return { latest, lastActivityDay };
  }
}

export interface TargetFacts {
  readonly kpi: KpiId;
  readonly scope: string | null;
  readonly value: number;
  readonly direction: KpiDirection;
  readonly setBy: string;
  readonly setAt: number;
  readonly streamId: string;
  readonly revision: number;
}

/** The key of a target in the model: one per KPI and scope. */
export function targetKey(kpi: KpiId, scope: string | null): string {
  return scope === null ? kpi : `${kpi}\u0000${scope}`;
}

/**
 * Everything the KPIs need, folded from the events in log order, and nothing else: no names of people, no free text,
 * so erasure has nothing to purge here. Mutable on purpose: a series folds a year of events once and measures it at
 * each step, so the fold must not copy.
 */
export class InsightsModel {
  readonly members = new Map<string, MemberFacts>();
  readonly groups = new Map<string, GroupFacts>();
  readonly certifications = new Map<string, CertificationFacts>();
  /** Member id → when they were first awarded a certification (ms), whatever came of it: what a before/after comparison aligns on. */
  readonly firstAwards = new Map<string, number>();
  readonly programmes = new Map<string, ProgrammeFacts>();
  /** Key: programme id, NUL, member id. */
  readonly enrolments = new Map<string, EnrolmentFacts>();
  readonly ambassadors = new Map<string, AmbassadorFacts>();
  readonly cases = new Map<string, CaseFacts>();
  readonly agreements = new Map<string, AgreementFacts>();
  /** Agreement id → member id → the highest version they accepted. */
  readonly acceptances = new Map<string, Map<string, number>>();
  /** Purpose → members who have given it now. */
  readonly consents = new Map<string, Set<string>>();
  readonly erasures = new Map<string, ErasureFacts>();
  /**
   * Counted as the events come, so that the measures read them at each point of a series rather than look every
   * member, consent and acceptance up again: the active members of each department (0 once none is left), those who
   * have given each purpose, and those who accepted each published agreement's binding version (or a later one).
   */
  readonly activeMembersByDepartment = new Map<string, number>();
  readonly activeConsents = new Map<string, number>();
  readonly activeAcceptances = new Map<string, number>();
  /** Group id → its periods and their figures. */
  readonly groupActivity = new Map<string, GroupActivityHistory>();
  /** The ids above in code-unit order (new ones are merged in when asked for, not the whole list sorted again). */
  private readonly sortedGroupIds = new SortedById<null>();
  private readonly sortedActivityGroups = new SortedById<GroupActivityHistory>();
  readonly targets = new Map<string, TargetFacts>();
  /** Events folded so far. */
  events = 0;
  /** The time of the last event folded (ms), or null. */
  lastEventTime: number | null = null;

  apply(event: InsightEvent): void {
    this.events++;
    this.lastEventTime = event.time;
    switch (event.type) {
      // ------------------------------------------------ members
      case 'MemberRegistered': {
        const d = event.data as MemberRegistered['data'];
        const previous = this.members.get(d.memberId);
        const member = { department: d.department, active: true };
        this.members.set(d.memberId, member);
        if (previous?.active === true) this.moveDepartment(previous.department, member.department);
        else this.countActive(d.memberId, member, 1);
        break;
      }
      case 'MemberUpdated': {
        const d = event.data as MemberUpdated['data'];
        const member = this.members.get(d.memberId);
        if (member && d.department !== undefined) {
          if (member.active) this.moveDepartment(member.department, d.department);
          member.department = d.department;
        }
        break;
      }
      case 'MemberLeft': {
        const memberId = memberIdOf(event.data);
        const member = this.members.get(memberId);
        if (member) {
          if (member.active) this.countActive(memberId, member, -1);
          member.active = false;
        }
        break;
      }
      // ------------------------------------------------ groups
      case 'GroupCreated': {
        const d = event.data as GroupCreated['data'];
        if (!this.groups.has(d.groupId)) this.sortedGroupIds.add(d.groupId, null);
        this.groups.set(d.groupId, { groupId: d.groupId, name: d.name, owners: [] });
        break;
      }
      case 'GroupOwnerAssigned': {
        const d = event.data as GroupOwnerAssigned['data'];
        const group = this.groups.get(d.groupId);
        if (group && !group.owners.includes(d.memberId)) group.owners.push(d.memberId);
        break;
      }
      case 'GroupOwnerRemoved': {
        const d = event.data as GroupOwnerRemoved['data'];
        const group = this.groups.get(d.groupId);
        if (group) group.owners = group.owners.filter((owner) => owner !== d.memberId);
        break;
      }
      // ------------------------------------------------ certification (the latest award is the one that counts)
      case 'CertificationAwarded': {
        const d = event.data as CertificationAwarded['data'];
        this.certifications.set(d.memberId, { recordId: d.recordId, status: 'CERTIFIED', expiresAt: Date.parse(d.expiresAt) });
        if (!this.firstAwards.has(d.memberId)) this.firstAwards.set(d.memberId, Date.parse(d.awardedAt));
        break;
      }
      case 'CertificationDueForRenewal':
        this.setCertification(event.data, 'DUE_FOR_RENEWAL');
        break;
      case 'CertificationExpired':
        this.setCertification(event.data, 'EXPIRED');
        break;
      case 'CertificationRenewed': {
        const d = event.data as CertificationRenewed['data'];
        const current = this.setCertification(d, 'CERTIFIED');
        if (current) current.expiresAt = Date.parse(d.expiresAt);
        break;
      }
      case 'CertificationSuspended':
        this.setCertification(event.data, 'SUSPENDED');
        break;
      case 'CertificationReinstated':
        this.setCertification(event.data, (event.data as CertificationReinstated['data']).status);
        break;
      case 'CertificationRevoked':
        this.setCertification(event.data, 'REVOKED');
        break;
      // ------------------------------------------------ training
      case 'TrainingProgrammeDefined':
      case 'TrainingProgrammeRedefined': {
        const d = event.data as TrainingProgrammeDefined['data'];
        this.programmes.set(d.programmeId, { title: d.title });
        break;
      }
      case 'MemberEnrolledInTraining': {
        const d = event.data as MemberEnrolledInTraining['data'];
        this.enrolments.set(enrolmentKey(d.programmeId, d.memberId), {
          programmeId: d.programmeId,
          memberId: d.memberId,
          enrolledAt: Date.parse(d.enrolledAt),
          completedAt: null,
        });
        break;
      }
      case 'TrainingEnrolmentCompleted': {
        const d = event.data as TrainingEnrolmentCompleted['data'];
        const enrolment = this.enrolments.get(enrolmentKey(d.programmeId, d.memberId));
        if (enrolment) enrolment.completedAt = Date.parse(d.completedAt);
        break;
      }
      case 'MemberWithdrewFromTraining':
      case 'TrainingEnrolmentFailed': {
        // Ended without completion: neither completed nor open; enrolling again starts a new enrolment.
        const d = event.data as { programmeId: string; memberId: string };
        this.enrolments.delete(enrolmentKey(d.programmeId, d.memberId));
        break;
      }
      // ------------------------------------------------ ambassadors
      case 'AmbassadorNominated': {
        const d = event.data as AmbassadorNominated['data'];
        this.ambassadors.set(d.memberId, { enrolment: d.enrolment, department: d.department, status: 'NOMINATED' });
        break;
      }
      case 'AmbassadorApproved':
        this.setAmbassador(event.data, 'APPROVED');
        break;
      case 'AmbassadorRejected':
        this.setAmbassador(event.data, 'REJECTED');
        break;
      case 'AmbassadorActivated':
      case 'AmbassadorReactivated':
        this.setAmbassador(event.data, 'ACTIVE');
        break;
      case 'AmbassadorDeactivated':
        this.setAmbassador(event.data, 'INACTIVE');
        break;
      case 'AmbassadorOffboarded':
        this.setAmbassador(event.data, 'OFFBOARDED');
        break;
      // ------------------------------------------------ moderation
      case 'ModerationCaseOpened': {
        const d = event.data as ModerationCaseOpened['data'];
        this.cases.set(d.caseId, {
          caseId: d.caseId,
          status: 'OPEN',
          openedAt: Date.parse(d.openedAt),
          firstFlagAt: null,
          decidedAt: null,
          decidedBy: null,
          outcome: null,
          appealFiledAt: null,
          appealDecidedAt: null,
          overturned: false,
        });
        break;
      }
      case 'ContentFlagged': {
        const d = event.data as ContentFlagged['data'];
        const file = this.cases.get(d.caseId);
        if (file && file.firstFlagAt === null) file.firstFlagAt = Date.parse(d.flaggedAt);
        break;
      }
      case 'ModerationCaseDecided': {
        const d = event.data as ModerationCaseDecided['data'];
        const file = this.cases.get(d.caseId);
        if (file) {
          file.status = 'DECIDED';
          file.decidedAt = Date.parse(d.decidedAt);
          file.decidedBy = d.decidedBy;
          file.outcome = d.outcome;
        }
        break;
      }
      case 'AppealFiled': {
        const d = event.data as AppealFiled['data'];
        const file = this.cases.get(d.caseId);
        if (file) {
          file.status = 'APPEALED';
          file.appealFiledAt = Date.parse(d.filedAt);
        }
        break;
      }
      case 'AppealDecided': {
        const d = event.data as AppealDecided['data'];
        const file = this.cases.get(d.caseId);
        if (file) {
          file.status = 'CLOSED';
          file.appealDecidedAt = Date.parse(d.decidedAt);
          file.overturned = d.outcome === 'OVERTURNED';
        }
        break;
      }
      // ------------------------------------------------ agreements
      case 'AgreementVersionPublished': {
        const d = event.data as AgreementVersionPublished['data'];
        const previous = this.agreements.get(d.agreementId);
        // As agreementDecider.evolve: the first version binds everyone; a later one only when it requires re-acceptance.
        const bindingVersion = previous === undefined || d.requiresReacceptance ? d.version : previous.bindingVersion;
        this.agreements.set(d.agreementId, { title: d.title, currentVersion: d.version, bindingVersion });
        // Counted again: the version every member must have accepted may have changed.
        let accepting = 0;
        for (const [memberId, version] of this.acceptances.get(d.agreementId) ?? []) {
          if (version >= bindingVersion && this.members.get(memberId)?.active === true) accepting++;
        }
        this.activeAcceptances.set(d.agreementId, accepting);
        break;
      }
      case 'AgreementAccepted': {
        const d = event.data as AgreementAccepted['data'];
        let accepted = this.acceptances.get(d.agreementId);
        if (!accepted) this.acceptances.set(d.agreementId, (accepted = new Map()));
        const before = accepted.get(d.memberId);
        const version = Math.max(before ?? 0, d.version);
        accepted.set(d.memberId, version);
        const agreement = this.agreements.get(d.agreementId);
        if (agreement && this.members.get(d.memberId)?.active === true) {
          const counted = before !== undefined && before >= agreement.bindingVersion;
          if (counted !== version >= agreement.bindingVersion) addTo(this.activeAcceptances, d.agreementId, counted ? -1 : 1);
        }
        break;
      }
      // ------------------------------------------------ privacy
      case 'ConsentGiven': {
        const d = event.data as ConsentGiven['data'];
        let given = this.consents.get(d.purpose);
        if (!given) this.consents.set(d.purpose, (given = new Set()));
        if (!given.has(d.memberId)) {
          given.add(d.memberId);
          if (this.members.get(d.memberId)?.active === true) addTo(this.activeConsents, d.purpose, 1);
        }
        break;
      }
      case 'ConsentWithdrawn': {
        const d = event.data as ConsentWithdrawn['data'];
        // A purpose once seen stays listed (at 0) so that a withdrawal shows as a drop, not as a purpose gone.
        let given = this.consents.get(d.purpose);
        if (!given) this.consents.set(d.purpose, (given = new Set()));
        if (given.delete(d.memberId) && this.members.get(d.memberId)?.active === true) addTo(this.activeConsents, d.purpose, -1);
        break;
      }
      case 'ErasureRequested': {
        const d = event.data as ErasureRequested['data'];
        if (!this.erasures.has(d.memberId)) this.erasures.set(d.memberId, { requestedAt: Date.parse(d.requestedAt), completedAt: null });
        break;
      }
      case 'ErasureCompleted': {
        const d = event.data as ErasureCompleted['data'];
        const completedAt = Date.parse(d.completedAt);
        const erasure = this.erasures.get(d.memberId);
        if (erasure) erasure.completedAt = completedAt;
        else this.erasures.set(d.memberId, { requestedAt: completedAt, completedAt });
        break;
      }
      // ------------------------------------------------ adoption
      case 'GroupActivityRecorded': {
        const d = event.data as GroupActivityRecorded['data'];
        let history = this.groupActivity.get(d.groupId);
        if (!history) {
          this.groupActivity.set(d.groupId, (history = new GroupActivityHistory()));
          this.sortedActivityGroups.add(d.groupId, history);
        }
        const report = reportFacts(d, this.events);
        history.record(report.key, report.facts);
        break;
      }
      // ------------------------------------------------ targets
      case 'KpiTargetSet': {
        const d = event.data as KpiTargetSet['data'];
        this.targets.set(targetKey(d.kpi, d.scope), {
          kpi: d.kpi,
          scope: d.scope,
          value: d.value,
          direction: d.direction,
          setBy: d.setBy,
          setAt: Date.parse(d.setAt),
          streamId: event.streamId,
          revision: event.revision,
        });
        break;
      }
      case 'KpiTargetCleared': {
        const d = event.data as KpiTargetCleared['data'];
        this.targets.delete(targetKey(d.kpi, d.scope));
        break;
      }
      default:
        // Not in INSIGHT_EVENT_TYPES: nothing a KPI measures (a claim keeps a case in the backlog, a module is not a
        // programme, a lifted sanction is already counted as the overturned appeal that lifted it).
        break;
    }
  }

  /** The ids of the groups in the directory, by UTF-16 code units (as the measures order groups). */
  groupIds(): readonly string[] {
    return this.sortedGroupIds.sorted().ids;
  }

  /**
   * The ids of the groups with any activity figures, by UTF-16 code units (as the measures order groups), each with its
   * history: a group's history is never replaced, so the measures need no look-up by id.
   */
  activityGroups(): SortedEntries<GroupActivityHistory> {
    return this.sortedActivityGroups.sorted();
  }

  /** An active member's department changed. */
  private moveDepartment(from: string, to: string): void {
    addTo(this.activeMembersByDepartment, from, -1);
    addTo(this.activeMembersByDepartment, to, 1);
  }

  /** A member became active (1: registered) or stopped being so (-1: left): in everything they count in as active. */
  private countActive(memberId: string, member: MemberFacts, delta: 1 | -1): void {
    addTo(this.activeMembersByDepartment, member.department, delta);
    // forEach: no pair is made per purpose or agreement, and a registration comes for every member.
    this.consents.forEach((given, purpose) => {
      if (given.has(memberId)) addTo(this.activeConsents, purpose, delta);
    });
    this.agreements.forEach((agreement, agreementId) => {
      const version = this.acceptances.get(agreementId)?.get(memberId);
      if (version !== undefined && version >= agreement.bindingVersion) addTo(this.activeAcceptances, agreementId, delta);
    });
  }

  private setCertification(data: unknown, status: RecordStatus): CertificationFacts | undefined {
    const { memberId, recordId } = data as { memberId: string; recordId: string };
    const current = this.certifications.get(memberId);
    if (!current || current.recordId !== recordId) return undefined;
    current.status = status;
    return current;
  }

  private setAmbassador(data: unknown, status: AmbassadorStatus): void {
    const { memberId, enrolment } = data as { memberId: string; enrolment: number };
    const current = this.ambassadors.get(memberId);
    if (current && current.enrolment === enrolment) current.status = status;
  }
}

const DAY = 86_400_000;

function addTo(counts: Map<string, number>, key: string, delta: number): void {
  counts.set(key, (counts.get(key) ?? 0) + delta);
}

function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Distinct ids in code-unit order, each with a value that is never replaced. Groups keep coming all year, so a series
 * would otherwise sort 2,000 ids again at almost every point: the few added since the last call are sorted alone and
 * merged into the list (one pass).
 */
class SortedById<V> {
  private list: SortedEntries<V> = { ids: [], values: [] };
  private added: { readonly id: string; readonly value: V }[] = [];

  /** An id not added before. */
  add(id: string, value: V): void {
    this.added.push({ id, value });
  }

  sorted(): SortedEntries<V> {
    if (this.added.length === 0) return this.list;
    const added = this.added.sort((a, b) => byCodeUnits(a.id, b.id));
    this.added = [];
    // New arrays: a list handed out earlier stays as it was.
    const { ids, values } = this.list;
    const merged = { ids: [] as string[], values: [] as V[] };
    let i = 0;
    for (const entry of added) {
      for (; i < ids.length && ids[i]! < entry.id; i++) {
        merged.ids.push(ids[i]!);
        merged.values.push(values[i]!);
      }
      merged.ids.push(entry.id);
      merged.values.push(entry.value);
    }
    for (; i < ids.length; i++) {
      merged.ids.push(ids[i]!);
      merged.values.push(values[i]!);
    }
    this.list = merged;
    return merged;
  }
}

/** Ids in code-unit order, and the value of each at the same index. */
export interface SortedEntries<V> {
  readonly ids: readonly string[];
  readonly values: readonly V[];
}

/** Parsed dates: a year of weekly reports for 2,000 groups names a few hundred days, each 100,000 times over. */
const dayStarts = new Map<string, number>();
const DAY_STARTS_KEPT = 10_000;

/** A report's calendar date (YYYY-MM-DD) as the start of that day in UTC, in ms. */
function dayStart(date: string): number {
  let ms = dayStarts.get(date);
  if (ms === undefined) {
    ms = Date.parse(`${date}T00:00:00.000Z`);
    if (dayStarts.size >= DAY_STARTS_KEPT) dayStarts.clear();
    dayStarts.set(date, ms);
  }
  return ms;
}

/**
 * A report's figures as the model keeps them, with the key of its period. The same for every fold of the same event
 * (a series folds the engine's kept events again at each request) as long as it comes at the same place, so they are
 * made once per report and shared: facts are never changed once made.
 */
const reports = new WeakMap<object, { readonly key: string; readonly facts: ActivitySnapshotFacts }>();

function reportFacts(
  d: GroupActivityRecorded['data'],
  reportOrder: number,
): { readonly key: string; readonly facts: ActivitySnapshotFacts } {
  const known = reports.get(d);
  if (known !== undefined && known.facts.reportOrder === reportOrder) return known;
  const report = {
    // Keyed as the decider keys its periods: a later report for the same period supersedes the earlier one.
    key: `${d.periodStart}..${d.periodEnd}`,
    facts: {
      periodStart: d.periodStart,
      periodEnd: d.periodEnd,
      endsAt: dayStart(d.periodEnd) + DAY,
      startsAt: dayStart(d.periodStart),
      members: d.members,
      posters: d.posters,
      readers: d.readers,
      lastActivityDay: d.lastActivity === null ? null : dayStart(d.lastActivity),
      reportOrder,
    },
  };
  // Data that is no object (written around the decider) is not remembered: a weak map takes objects only.
  if (typeof d === 'object' && d !== null) reports.set(d, report);
  return report;
}

export function enrolmentKey(programmeId: string, memberId: string): string {
  return `${programmeId}\u0000${memberId}`;
}

function memberIdOf(data: unknown): string {
  return (data as { memberId: string }).memberId;
}
