import type { Decider, EventSchemaDefinition } from '#event-store';
import { badInput, conflict, DomainError, notFound } from '../../platform/shared/domain-error.ts';
import { optionalText, requireId, requireText } from '../../platform/shared/identifiers.ts';
import { ignoreUnknownEvent, unreachable } from '../../platform/shared/exhaustive.ts';

export const MODERATION_CASE_STREAM_CATEGORY = 'moderation_case';

/** Public: auditors pass it to `streamStateAt`. */
export function moderationCaseStreamId(caseId: string): string {
  return `${MODERATION_CASE_STREAM_CATEGORY}-${requireId(caseId, 'caseId')}`;
}

/** Leaves room for the case number in the case id (see caseIdFor). */
export const CONTENT_ID_MAX = 80;
export const CONTENT_TYPE_MAX = 50;
export const FLAG_NOTE_MAX = 2000;
export const DECISION_REASON_MAX = 2000;
export const APPEAL_STATEMENT_MAX = 4000;
export const GUIDELINE_SECTION_MAX = 200;
export const DEFAULT_APPEAL_WINDOW_DAYS = 30;

/**
 * The n-th case about one content item (n from 1). Deterministic, so "one open case per content item" is kept by
 * the case stream itself: two first reports race to create the same stream and the loser adds its flag instead.
 */
export function caseIdFor(contentId: string, caseNumber: number): string {
  return `${contentId}:${caseNumber}`;
}

export const FLAG_REASONS = ['SPAM', 'HARASSMENT', 'INAPPROPRIATE', 'PRIVACY', 'MISINFORMATION', 'OTHER'] as const;
export type FlagReason = (typeof FLAG_REASONS)[number];
export const MODERATION_OUTCOMES = ['NO_ACTION', 'HIDE_CONTENT', 'REMOVE_CONTENT', 'WARN_MEMBER', 'SUSPEND_MEMBER'] as const;
export type ModerationOutcome = (typeof MODERATION_OUTCOMES)[number];
export const APPEAL_OUTCOMES = ['UPHELD', 'OVERTURNED'] as const;
export type AppealOutcome = (typeof APPEAL_OUTCOMES)[number];
export const CONTENT_STATUSES = ['VISIBLE', 'HIDDEN', 'REMOVED'] as const;
export type ContentStatus = (typeof CONTENT_STATUSES)[number];
export const SANCTION_KINDS = ['SUSPENSION', 'WARNING'] as const;
export type SanctionKind = (typeof SANCTION_KINDS)[number];
export const CASE_STATUSES = ['OPEN', 'IN_REVIEW', 'DECIDED', 'APPEALED', 'CLOSED'] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];
/** A sanction's own course once imposed (lower case: it is no GraphQL enum, only the read model's `state`). */
export const SANCTION_STATES = ['active', 'lifted', 'expired'] as const;
export type SanctionStateName = (typeof SANCTION_STATES)[number];

export interface GuidelineReference {
  readonly agreementId: string;
  readonly version: number;
  readonly section: string | null;
}

export interface SanctionImposed {
  readonly sanctionId: string;
  readonly memberId: string;
  readonly kind: SanctionKind;
  /** Null: until lifted (a permanent suspension, or a warning on record). */
  readonly until: string | null;
}

// ---------------------------------------------------------------- events (stored names never change)

export interface ModerationCaseOpened {
  readonly type: 'ModerationCaseOpened';
  readonly data: {
    readonly caseId: string;
    readonly caseNumber: number;
    readonly contentId: string;
    readonly contentType: string;
    readonly authorId: string;
    readonly groupId: string | null;
    /** As the previous case about this content left it. */
    readonly contentStatus: ContentStatus;
    readonly openedAt: string;
  };
}

export interface ContentFlagged {
  readonly type: 'ContentFlagged';
  readonly data: {
    readonly caseId: string;
    readonly reporterId: string;
    readonly reason: FlagReason;
    /** Personal data of the reporter. */
    readonly note: string | null;
    readonly flaggedAt: string;
  };
}

export interface ModerationCaseClaimed {
  readonly type: 'ModerationCaseClaimed';
  readonly data: {
    readonly caseId: string;
    readonly moderatorId: string;
    /** Set when a community manager took over a case someone else had claimed. */
    readonly previousAssignee: string | null;
    readonly claimedAt: string;
  };
}

export interface ModerationCaseDecided {
  readonly type: 'ModerationCaseDecided';
  readonly data: {
    readonly caseId: string;
    readonly outcome: ModerationOutcome;
    readonly reason: string;
    readonly guideline: GuidelineReference | null;
    readonly decidedBy: string;
    readonly decidedAt: string;
    /** The content's status after the decision. */
    readonly contentStatus: ContentStatus;
    readonly sanction: SanctionImposed | null;
  };
}

export interface AppealFiled {
  readonly type: 'AppealFiled';
  readonly data: {
    readonly caseId: string;
    readonly appellantId: string;
    /** Personal data of the appellant. */
    readonly statement: string;
    readonly filedAt: string;
  };
}

/** Closes the case, whatever the outcome. */
export interface AppealDecided {
  readonly type: 'AppealDecided';
  readonly data: {
    readonly caseId: string;
    readonly outcome: AppealOutcome;
    readonly reason: string;
    readonly decidedBy: string;
    readonly decidedAt: string;
    /** The content's status after the appeal: restored to what it was before the decision when overturned. */
    readonly contentStatus: ContentStatus;
  };
}

export interface SanctionLifted {
  readonly type: 'SanctionLifted';
  readonly data: {
    readonly caseId: string;
    readonly sanctionId: string;
    readonly memberId: string;
    readonly liftedAt: string;
    readonly cause: 'APPEAL_OVERTURNED';
  };
}

/** Recorded by the scheduler (actor `system`) once the end date has passed. */
export interface SanctionExpired {
  readonly type: 'SanctionExpired';
  readonly data: {
    readonly caseId: string;
    readonly sanctionId: string;
    readonly memberId: string;
    /** The sanction's end date, not the moment the scheduler noticed it. */
    readonly expiredAt: string;
  };
}

export type ModerationCaseEvent =
  | ModerationCaseOpened
  | ContentFlagged
  | ModerationCaseClaimed
  | ModerationCaseDecided
  | AppealFiled
  | AppealDecided
  | SanctionLifted
  | SanctionExpired;

export const MODERATION_CASE_EVENT_TYPES: readonly ModerationCaseEvent['type'][] = [
  'ModerationCaseOpened',
  'ContentFlagged',
  'ModerationCaseClaimed',
  'ModerationCaseDecided',
  'AppealFiled',
  'AppealDecided',
  'SanctionLifted',
  'SanctionExpired',
];

export function isModerationCaseEvent(event: { readonly type: string }): event is ModerationCaseEvent {
  return (MODERATION_CASE_EVENT_TYPES as readonly string[]).includes(event.type);
}

/**
 * A reporter's note and an appellant's statement are their own words about a situation: personal data, encrypted with
 * the writer's key. Decision reasons are the staff's record of why they acted and stay readable for auditors.
 */
export const MODERATION_CASE_EVENT_SCHEMAS: EventSchemaDefinition[] = MODERATION_CASE_EVENT_TYPES.map((type) => {
  switch (type) {
    case 'ContentFlagged':
      return { type, personal: { fields: ['note'], subject: (data) => String(data['reporterId']) } };
    case 'AppealFiled':
      return { type, personal: { fields: ['statement'], subject: (data) => String(data['appellantId']) } };
    default:
      return { type };
  }
});

// ---------------------------------------------------------------- commands

/**
 * Who the case's author is to a group owner moderating it, as the log shows it (the handler reads it): another owner
 * of the case's group (its stream), a community manager (someone the events record acting with that role), or neither.
 */
export type AuthorStanding = 'ordinary' | 'community_manager' | 'co_owner';

/**
 * Why the actor may moderate this case, established by the handler from governance state: community managers act on
 * any case; a group's owners on the cases of that group.
 */
export type ModeratorAuthority =
  | { readonly kind: 'community_manager' }
  | {
      readonly kind: 'group_owner';
      readonly groupId: string;
      /** An owner's authority covers the content of their group, never a sanction against a peer (see decideCase). */
      readonly author: AuthorStanding;
    }
  /** An owner of the case's group whose certification does not allow it now (the certification gate). */
  | {
      readonly kind: 'uncertified_owner';
      readonly groupId: string;
      /** NOT_CERTIFIED only bars an owner of a group that requires certification. */
      readonly certification: 'EXPIRED' | 'SUSPENDED' | 'REVOKED' | 'NOT_CERTIFIED';
    }
  | { readonly kind: 'none' };

export interface ReportContent {
  readonly type: 'ReportContent';
  readonly caseId: string;
  readonly caseNumber: number;
  readonly contentId: string;
  readonly contentType: string;
  readonly authorId: string;
  readonly groupId: string | null;
  /** The content's status as the previous case about it left it (VISIBLE for the first). */
  readonly contentStatus: ContentStatus;
  readonly reporterId: string;
  readonly reason: FlagReason;
  readonly note: string | null;
  readonly at: string;
}

export interface ClaimCase {
  readonly type: 'ClaimCase';
  readonly caseId: string;
  readonly actorId: string;
  readonly authority: ModeratorAuthority;
  readonly at: string;
}

export interface DecideCase {
  readonly type: 'DecideCase';
  readonly caseId: string;
  readonly actorId: string;
  readonly authority: ModeratorAuthority;
  readonly outcome: ModerationOutcome;
  readonly reason: string;
  readonly guideline: GuidelineReference | null;
  /** Whether the cited agreement version is published, as its stream says (the handler reads it). */
  readonly guidelinePublished?: boolean;
  readonly suspendUntil: string | null;
  readonly at: string;
}

export interface FileAppeal {
  readonly type: 'FileAppeal';
  readonly caseId: string;
  readonly actorId: string;
  readonly statement: string;
  readonly appealWindowDays: number;
  readonly at: string;
}

/** Only community managers decide appeals; the handler checks the role, the decider the four eyes. */
export interface DecideAppeal {
  readonly type: 'DecideAppeal';
  readonly caseId: string;
  readonly actorId: string;
  readonly outcome: AppealOutcome;
  readonly reason: string;
  readonly at: string;
}

export interface ExpireSanction {
  readonly type: 'ExpireSanction';
  readonly caseId: string;
  readonly sanctionId: string;
  /** The scheduler's clock: nothing expires before its end date, whatever the read model said. */
  readonly at: string;
}

export type ModerationCaseCommand = ReportContent | ClaimCase | DecideCase | FileAppeal | DecideAppeal | ExpireSanction;

// ---------------------------------------------------------------- state

export interface SanctionState extends SanctionImposed {
  readonly state: SanctionStateName;
}

export interface CaseFile {
  readonly status: CaseStatus;
  readonly caseId: string;
  readonly caseNumber: number;
  readonly contentId: string;
  readonly contentType: string;
  readonly authorId: string;
  readonly groupId: string | null;
  readonly contentStatus: ContentStatus;
  readonly reporters: readonly string[];
  readonly assignee: string | null;
  readonly decision: {
    readonly outcome: ModerationOutcome;
    readonly decidedBy: string;
    readonly decidedAt: string;
    /** What an overturned appeal restores. */
    readonly contentStatusBefore: ContentStatus;
  } | null;
  readonly sanction: SanctionState | null;
  readonly appeal: { readonly appellantId: string; readonly filedAt: string; readonly outcome: AppealOutcome | null } | null;
}

export type ModerationCaseState = { readonly status: 'absent' } | CaseFile;

const initialState: ModerationCaseState = { status: 'absent' };

function evolve(state: ModerationCaseState, event: ModerationCaseEvent): ModerationCaseState {
  if (event.type === 'ModerationCaseOpened') {
    const d = event.data;
    return {
      status: 'OPEN',
      caseId: d.caseId,
      caseNumber: d.caseNumber,
      contentId: d.contentId,
      contentType: d.contentType,
      authorId: d.authorId,
      groupId: d.groupId,
      contentStatus: d.contentStatus,
      reporters: [],
      assignee: null,
      decision: null,
      sanction: null,
      appeal: null,
    };
  }
  if (state.status === 'absent') return state;
  switch (event.type) {
    case 'ContentFlagged':
      return state.reporters.includes(event.data.reporterId) ? state : { ...state, reporters: [...state.reporters, event.data.reporterId] };
    case 'ModerationCaseClaimed':
      return { ...state, status: 'IN_REVIEW', assignee: event.data.moderatorId };
    case 'ModerationCaseDecided': {
      const d = event.data;
      return {
        ...state,
        status: 'DECIDED',
        assignee: state.assignee ?? d.decidedBy,
        contentStatus: d.contentStatus,
        decision: { outcome: d.outcome, decidedBy: d.decidedBy, decidedAt: d.decidedAt, contentStatusBefore: state.contentStatus },
        sanction: d.sanction ? { ...d.sanction, state: 'active' } : null,
      };
    }
    case 'AppealFiled':
      return { ...state, status: 'APPEALED', appeal: { appellantId: event.data.appellantId, filedAt: event.data.filedAt, outcome: null } };
    case 'AppealDecided':
      return {
        ...state,
        status: 'CLOSED',
        contentStatus: event.data.contentStatus,
        appeal: state.appeal ? { ...state.appeal, outcome: event.data.outcome } : null,
      };
    case 'SanctionLifted':
      return state.sanction?.sanctionId === event.data.sanctionId ? { ...state, sanction: { ...state.sanction, state: 'lifted' } } : state;
    case 'SanctionExpired':
      return state.sanction?.sanctionId === event.data.sanctionId ? { ...state, sanction: { ...state.sanction, state: 'expired' } } : state;
    default:
      return ignoreUnknownEvent(event, state);
  }
}

function decide(command: ModerationCaseCommand, state: ModerationCaseState): ModerationCaseEvent[] {
  switch (command.type) {
    case 'ReportContent':
      return report(command, state);
    case 'ClaimCase':
      return claim(command, state);
    case 'DecideCase':
      return decideCase(command, state);
    case 'FileAppeal':
      return fileAppeal(command, state);
    case 'DecideAppeal':
      return decideAppeal(command, state);
    case 'ExpireSanction':
      return expireSanction(command, state);
    default:
      return unreachable('moderation case command', command, 'type');
  }
}

export const moderationCaseDecider: Decider<ModerationCaseCommand, ModerationCaseState, ModerationCaseEvent> = {
  initialState,
  evolve,
  decide,
};

/** Whether a report about the case's content adds its flag here; otherwise it belongs to the next case. */
export function acceptsFlags(state: ModerationCaseState): boolean {
  return state.status === 'OPEN' || state.status === 'IN_REVIEW';
}

/** Thrown when a report reaches a case that was decided meanwhile: the handler moves on to the next case number. */
export class CaseClosedForFlagsError extends DomainError {
  constructor(caseId: string) {
    super('CONFLICT', `case ${caseId} is already decided: a new report opens a new case`);
  }
}

// ---------------------------------------------------------------- report

function report(command: ReportContent, state: ModerationCaseState): ModerationCaseEvent[] {
  const caseId = requireId(command.caseId, 'caseId');
  const contentId = requireContentId(command.contentId);
  const contentType = requireText(command.contentType, 'contentType', CONTENT_TYPE_MAX);
  const authorId = requireId(command.authorId, 'authorId');
  const groupId = command.groupId === null ? null : requireId(command.groupId, 'groupId');
  const reporterId = requireId(command.reporterId, 'reporterId');
  const reason = requireOneOf(command.reason, FLAG_REASONS, 'reason');
  const note = optionalText(command.note, 'note', FLAG_NOTE_MAX);
  if (reporterId === authorId) throw new DomainError('FORBIDDEN', 'you cannot report your own content');

  const flag: ContentFlagged = { type: 'ContentFlagged', data: { caseId, reporterId, reason, note, flaggedAt: command.at } };
  if (state.status === 'absent') {
    return [
      {
        type: 'ModerationCaseOpened',
        data: {
          caseId,
          caseNumber: command.caseNumber,
          contentId,
          contentType,
          authorId,
          groupId,
          contentStatus: command.contentStatus,
          openedAt: command.at,
        },
      },
      flag,
    ];
  }
  if (state.contentId !== contentId) throw new Error(`case ${caseId} is about ${state.contentId}, not ${contentId}`);
  // The content's facts are fixed by the first report; a report that disagrees about them is refused, not merged.
  if (state.authorId !== authorId) {
    throw conflict(`content ${contentId} was reported with author ${state.authorId}, not ${authorId}`, { field: 'authorId' });
  }
  if (state.groupId !== groupId) {
    throw conflict(`content ${contentId} was reported in ${state.groupId === null ? 'no group' : `group ${state.groupId}`}`, {
      field: 'groupId',
    });
  }
  if (!acceptsFlags(state)) throw new CaseClosedForFlagsError(caseId);
  if (state.reporters.includes(reporterId)) return [];
  return [flag];
}

// ---------------------------------------------------------------- claim and decide

function claim(command: ClaimCase, state: ModerationCaseState): ModerationCaseEvent[] {
  const caseId = requireId(command.caseId, 'caseId');
  const file = requireCase(caseId, state);
  requireModerator(command.authority, file, command.actorId);
  switch (file.status) {
    case 'OPEN':
      return [claimed(file, command.actorId, command.at)];
    case 'IN_REVIEW':
      if (file.assignee === command.actorId) return [];
      // A community manager may take over (the claimer may be away); a group owner may not take a case from anyone.
      if (command.authority.kind === 'community_manager') return [claimed(file, command.actorId, command.at)];
      throw conflict(`case ${caseId} is claimed by ${file.assignee}`);
    case 'DECIDED':
    case 'APPEALED':
    case 'CLOSED':
      throw conflict(`case ${caseId} is already decided`);
    default:
      return unreachable('moderation case status', file.status);
  }
}

function decideCase(command: DecideCase, state: ModerationCaseState): ModerationCaseEvent[] {
  const caseId = requireId(command.caseId, 'caseId');
  const outcome = requireOneOf(command.outcome, MODERATION_OUTCOMES, 'outcome');
  const reason = requireText(command.reason, 'reason', DECISION_REASON_MAX);
  const guideline = command.guideline === null ? null : requireGuideline(command.guideline);
  const suspendUntil = requireSuspendUntil(command.suspendUntil, outcome, command.at);
  const file = requireCase(caseId, state);
  requireModerator(command.authority, file, command.actorId);
  if (guideline !== null && command.guidelinePublished === false) {
    throw badInput(`guideline: agreement ${guideline.agreementId} has no published version ${guideline.version}`, { field: 'guideline' });
  }
  if (outcome === 'SUSPEND_MEMBER' && command.authority.kind !== 'community_manager') {
    throw new DomainError('FORBIDDEN', 'suspending a member is reserved to community managers');
  }
  const sanction = sanctionFor(outcome, file, suspendUntil);
  // An owner acting against a community manager or a co-owner would be one peer judging another: a community manager
  // does. Hiding or removing someone's content is a sanction against them as much as a warning is (the review's owner
  // removed a community manager's post); only dismissing the report (NO_ACTION) stays within an owner's authority.
  if (outcome !== 'NO_ACTION' && command.authority.kind === 'group_owner') requireOrdinaryAuthor(command.authority, file, outcome);

  const events: ModerationCaseEvent[] = [];
  switch (file.status) {
    case 'OPEN':
      // Deciding an open case claims it on the way, so the record shows who took it.
      events.push(claimed(file, command.actorId, command.at));
      break;
    case 'IN_REVIEW':
      if (file.assignee !== command.actorId) throw conflict(`case ${caseId} is claimed by ${file.assignee}`);
      break;
    case 'DECIDED':
    case 'APPEALED':
    case 'CLOSED':
      throw conflict(`case ${caseId} is already decided`);
    default:
      return unreachable('moderation case status', file.status);
  }
  events.push({
    type: 'ModerationCaseDecided',
    data: {
      caseId,
      outcome,
      reason,
      guideline,
      decidedBy: command.actorId,
      decidedAt: command.at,
      contentStatus: contentStatusAfter(outcome, file.contentStatus),
      sanction,
    },
  });
  return events;
}

function claimed(file: CaseFile, moderatorId: string, at: string): ModerationCaseClaimed {
  return { type: 'ModerationCaseClaimed', data: { caseId: file.caseId, moderatorId, previousAssignee: file.assignee, claimedAt: at } };
}

function contentStatusAfter(outcome: ModerationOutcome, current: ContentStatus): ContentStatus {
  switch (outcome) {
    case 'HIDE_CONTENT':
      // Hiding content that is already removed would bring it back: it stays removed.
      return current === 'REMOVED' ? 'REMOVED' : 'HIDDEN';
    case 'REMOVE_CONTENT':
      return 'REMOVED';
    case 'NO_ACTION':
    case 'WARN_MEMBER':
    case 'SUSPEND_MEMBER':
      return current;
    default:
      return unreachable('moderation outcome', outcome);
  }
}

function sanctionFor(outcome: ModerationOutcome, file: CaseFile, suspendUntil: string | null): SanctionImposed | null {
  // One decision per case, so one sanction per case: its id follows from the case's.
  const sanctionId = `${file.caseId}:sanction`;
  switch (outcome) {
    case 'SUSPEND_MEMBER':
      return { sanctionId, memberId: file.authorId, kind: 'SUSPENSION', until: suspendUntil };
    case 'WARN_MEMBER':
      return { sanctionId, memberId: file.authorId, kind: 'WARNING', until: null };
    case 'NO_ACTION':
    case 'HIDE_CONTENT':
    case 'REMOVE_CONTENT':
      return null;
    default:
      return unreachable('moderation outcome', outcome);
  }
}

// ---------------------------------------------------------------- appeals

function fileAppeal(command: FileAppeal, state: ModerationCaseState): ModerationCaseEvent[] {
  const caseId = requireId(command.caseId, 'caseId');
  const statement = requireText(command.statement, 'statement', APPEAL_STATEMENT_MAX);
  const file = requireCase(caseId, state);
  if (command.actorId !== file.authorId) throw new DomainError('FORBIDDEN', 'only the author of the content may appeal its decision');
  switch (file.status) {
    case 'OPEN':
    case 'IN_REVIEW':
      throw conflict(`case ${caseId} is not decided yet: there is nothing to appeal`);
    case 'APPEALED':
    case 'CLOSED':
      throw conflict(`case ${caseId} was already appealed: a decision can be appealed once`);
    case 'DECIDED':
      break;
    default:
      return unreachable('moderation case status', file.status);
  }
  const decision = file.decision!;
  if (decision.outcome === 'NO_ACTION') throw conflict(`case ${caseId} was decided with no action: there is nothing to appeal`);
  const deadline = new Date(Date.parse(decision.decidedAt) + command.appealWindowDays * 86_400_000);
  if (Date.parse(command.at) > deadline.getTime()) {
    throw conflict(
      `the appeal window of case ${caseId} closed on ${deadline.toISOString()} (${command.appealWindowDays} days after the decision)`,
    );
  }
  return [{ type: 'AppealFiled', data: { caseId, appellantId: command.actorId, statement, filedAt: command.at } }];
}

function decideAppeal(command: DecideAppeal, state: ModerationCaseState): ModerationCaseEvent[] {
  const caseId = requireId(command.caseId, 'caseId');
  const outcome = requireOneOf(command.outcome, APPEAL_OUTCOMES, 'outcome');
  const reason = requireText(command.reason, 'reason', DECISION_REASON_MAX);
  const file = requireCase(caseId, state);
  switch (file.status) {
    case 'OPEN':
    case 'IN_REVIEW':
    case 'DECIDED':
      throw conflict(`case ${caseId} has no appeal to decide`);
    case 'CLOSED':
      throw conflict(`the appeal of case ${caseId} is already decided`);
    case 'APPEALED':
      break;
    default:
      return unreachable('moderation case status', file.status);
  }
  const decision = file.decision!;
  if (command.actorId === decision.decidedBy) {
    throw new DomainError('FORBIDDEN', 'four eyes: the appeal must be decided by someone other than who made the decision');
  }
  if (command.actorId === file.appeal?.appellantId) throw new DomainError('FORBIDDEN', 'you cannot decide your own appeal');
  // The appeal answers the complaint: whoever raised it is a party, not a judge.
  if (file.reporters.includes(command.actorId)) {
    throw new DomainError('FORBIDDEN', `you cannot decide the appeal of case ${caseId}: you reported it`);
  }

  const overturned = outcome === 'OVERTURNED';
  const events: ModerationCaseEvent[] = [
    {
      type: 'AppealDecided',
      data: {
        caseId,
        outcome,
        reason,
        decidedBy: command.actorId,
        decidedAt: command.at,
        contentStatus: overturned ? decision.contentStatusBefore : file.contentStatus,
      },
    },
  ];
  if (overturned && file.sanction?.state === 'active') {
    const { sanctionId, memberId } = file.sanction;
    events.push({ type: 'SanctionLifted', data: { caseId, sanctionId, memberId, liftedAt: command.at, cause: 'APPEAL_OVERTURNED' } });
  }
  return events;
}

// ---------------------------------------------------------------- sanction expiry

function expireSanction(command: ExpireSanction, state: ModerationCaseState): ModerationCaseEvent[] {
  const file = requireCase(command.caseId, state);
  const sanction = file.sanction;
  if (!sanction || sanction.sanctionId !== command.sanctionId) throw notFound(`case ${file.caseId} has no sanction ${command.sanctionId}`);
  // Already over, lifted, permanent or not yet due: nothing to record, so a second scheduler or a retry adds nothing.
  if (sanction.state !== 'active' || sanction.until === null) return [];
  if (Date.parse(sanction.until) > Date.parse(command.at)) return [];
  return [
    {
      type: 'SanctionExpired',
      data: { caseId: file.caseId, sanctionId: sanction.sanctionId, memberId: sanction.memberId, expiredAt: sanction.until },
    },
  ];
}

// ---------------------------------------------------------------- checks

function requireCase(caseId: string, state: ModerationCaseState): CaseFile {
  if (state.status === 'absent') throw notFound(`moderation case ${caseId} does not exist`);
  return state;
}

function requireModerator(authority: ModeratorAuthority, file: CaseFile, actorId: string): void {
  // Whatever their role: nobody judges a case about their own content, nor a case they brought.
  if (actorId === file.authorId)
    throw new DomainError('FORBIDDEN', `you cannot moderate case ${file.caseId}: it is about your own content`);
  if (file.reporters.includes(actorId)) throw new DomainError('FORBIDDEN', `you cannot moderate case ${file.caseId}: you reported it`);
  switch (authority.kind) {
    case 'community_manager':
      return;
    case 'group_owner':
      if (file.groupId !== null && authority.groupId === file.groupId) return;
      break;
    case 'uncertified_owner':
      if (file.groupId !== null && authority.groupId === file.groupId) {
        throw new DomainError(
          'FORBIDDEN',
          authority.certification === 'NOT_CERTIFIED'
            ? `group ${file.groupId} requires certified owners to moderate its cases, and you are not certified`
            : `your certification is ${authority.certification.toLowerCase()}: owners of group ${file.groupId} moderate its cases only while certified`,
        );
      }
      break;
    case 'none':
      break;
    default:
      return unreachable('moderator authority', authority, 'kind');
  }
  throw new DomainError(
    'FORBIDDEN',
    file.groupId === null
      ? `moderating case ${file.caseId} needs the role COMMUNITY_MANAGER`
      : `moderating case ${file.caseId} needs the role COMMUNITY_MANAGER or ownership of group ${file.groupId}`,
  );
}

function requireOrdinaryAuthor(
  authority: Extract<ModeratorAuthority, { kind: 'group_owner' }>,
  file: CaseFile,
  outcome: ModerationOutcome,
) {
  switch (authority.author) {
    case 'ordinary':
      return;
    case 'community_manager':
      throw new DomainError(
        'FORBIDDEN',
        `a group owner's authority never covers a sanction against a community manager: ${outcome} on case ${file.caseId} is for a community manager to decide`,
      );
    case 'co_owner':
      throw new DomainError(
        'FORBIDDEN',
        `a group owner's authority never covers a sanction against another owner of group ${authority.groupId}: ${outcome} on case ${file.caseId} is for a community manager to decide`,
      );
    default:
      return unreachable('author standing', authority.author);
  }
}

export function requireContentId(value: string): string {
  const contentId = requireId(value, 'contentId');
  if (contentId.length > CONTENT_ID_MAX) throw badInput(`contentId must be at most ${CONTENT_ID_MAX} characters`, { field: 'contentId' });
  return contentId;
}

function requireOneOf<T extends string>(value: string, allowed: readonly T[], field: string): T {
  if (!(allowed as readonly string[]).includes(value)) throw badInput(`${field} must be one of ${allowed.join(', ')}`, { field });
  return value as T;
}

function requireGuideline(guideline: GuidelineReference): GuidelineReference {
  const agreementId = requireId(guideline.agreementId, 'guideline.agreementId');
  if (!Number.isSafeInteger(guideline.version) || guideline.version < 1) {
    throw badInput('guideline.version must be a whole number from 1', { field: 'guideline.version' });
  }
  return { agreementId, version: guideline.version, section: optionalText(guideline.section, 'guideline.section', GUIDELINE_SECTION_MAX) };
}

function requireSuspendUntil(value: string | null, outcome: ModerationOutcome, at: string): string | null {
  if (value === null) return null;
  if (outcome !== 'SUSPEND_MEMBER') throw badInput('suspendUntil applies only to the outcome SUSPEND_MEMBER', { field: 'suspendUntil' });
  const until = Date.parse(value);
  if (Number.isNaN(until)) throw badInput('suspendUntil must be a date and time', { field: 'suspendUntil' });
  if (until <= Date.parse(at)) throw badInput('suspendUntil must be in the future', { field: 'suspendUntil' });
  return new Date(until).toISOString();
}
