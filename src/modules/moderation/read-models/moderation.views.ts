import type {
  AppealOutcome,
  CaseStatus,
  ContentStatus,
  FlagReason,
  GuidelineReference,
  ModerationOutcome,
  SanctionKind,
} from '../moderation-case.decider.ts';

/** What the moderation read models answer, shaped like the GraphQL types (dates as Date). */

export interface FlagView {
  readonly reporterId: string;
  readonly reason: FlagReason;
  readonly note: string | null;
  readonly flaggedAt: Date;
}

export interface SanctionView {
  readonly id: string;
  readonly memberId: string;
  readonly caseId: string;
  readonly kind: SanctionKind;
  readonly until: Date | null;
  readonly imposedAt: Date;
  /** Lifted when an appeal overturned the decision. */
  readonly liftedAt: Date | null;
  /** Recorded by the scheduler once `until` has passed. */
  readonly expiredAt: Date | null;
  /** Neither lifted nor expired, and `until` (if any) is still ahead of the moment asked about. */
  readonly active: boolean;
}

export interface DecisionView {
  readonly outcome: ModerationOutcome;
  readonly reason: string;
  readonly guideline: GuidelineReference | null;
  readonly decidedBy: string;
  readonly decidedAt: Date;
}

export interface AppealView {
  readonly appellantId: string;
  readonly statement: string;
  readonly filedAt: Date;
  readonly outcome: AppealOutcome | null;
  readonly reason: string | null;
  readonly decidedBy: string | null;
  readonly decidedAt: Date | null;
}

export interface ModerationCaseView {
  readonly id: string;
  readonly caseNumber: number;
  readonly contentId: string;
  readonly contentType: string;
  readonly contentStatus: ContentStatus;
  readonly groupId: string | null;
  readonly authorId: string;
  readonly status: CaseStatus;
  /** In the order they were raised. */
  readonly flags: FlagView[];
  readonly assignedTo: string | null;
  readonly decision: DecisionView | null;
  readonly sanction: SanctionView | null;
  readonly appeal: AppealView | null;
  readonly openedAt: Date;
  /** The revision of the case's stream: what `expectedRevision` compares with. */
  readonly revision: number;
}

export interface ModeratorNoteView {
  readonly id: string;
  readonly memberId: string;
  readonly text: string;
  readonly authorId: string;
  readonly createdAt: Date;
  readonly retracted: boolean;
}

export interface MemberStandingView {
  readonly memberId: string;
  /** An active SUSPENSION exists. */
  readonly suspended: boolean;
  readonly activeSanctions: SanctionView[];
  /** Every sanction ever imposed, newest first (active ones included). */
  readonly sanctionHistory: SanctionView[];
  /** Newest first, retracted ones included and marked. */
  readonly notes: ModeratorNoteView[];
}

export interface ModerationQueueFilter {
  /** Any of these; all statuses when absent or empty. */
  readonly statuses?: readonly CaseStatus[] | null;
  readonly groupId?: string | null;
  readonly assignedTo?: string | null;
  /** Only cases of these groups (what a group owner may see); no restriction when absent. */
  readonly withinGroups?: readonly string[] | null;
}

/** The page's cases oldest first, where it sits (PageInfo's fields) and the total. */
export interface ModerationCasePage {
  readonly nodes: ModerationCaseView[];
  readonly hasNextPage: boolean;
  readonly endCursor: string | null;
  readonly hasPreviousPage: boolean;
  readonly startCursor: string | null;
  /** All cases matching the filter, whatever the page. */
  readonly totalCount: number;
}

export interface DueSanction {
  readonly caseId: string;
  readonly sanctionId: string;
  readonly until: Date;
}
