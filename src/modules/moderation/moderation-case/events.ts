import type { EventSchemaDefinition } from '#event-store';

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

/**
 * The case went back to the queue (OPEN, unassigned): its assignee no longer handles it (they left the organisation,
 * #20). Recorded by a scheduler (actor `system`); anyone may claim the case again.
 */
export interface ModerationCaseReleased {
  readonly type: 'ModerationCaseReleased';
  readonly data: {
    readonly caseId: string;
    /** The assignee the case was taken from. */
    readonly moderatorId: string;
    readonly reason: string;
    readonly releasedAt: string;
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
  | SanctionExpired
  | ModerationCaseReleased;

export const MODERATION_CASE_EVENT_TYPES: readonly ModerationCaseEvent['type'][] = [
  'ModerationCaseOpened',
  'ContentFlagged',
  'ModerationCaseClaimed',
  'ModerationCaseDecided',
  'AppealFiled',
  'AppealDecided',
  'SanctionLifted',
  'SanctionExpired',
  'ModerationCaseReleased',
];

export function isModerationCaseEvent(event: { readonly type: string }): event is ModerationCaseEvent {
  return (MODERATION_CASE_EVENT_TYPES as readonly string[]).includes(event.type);
}

/**
 * A reporter's note and an appellant's statement are their own words about a situation: personal data, encrypted with
 * the writer's key. Decision reasons are the staff's record of why they acted and stay readable for auditors; so is
 * a release's reason, which the system writes (why a case went back to the queue), not words of the moderator it names.
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
