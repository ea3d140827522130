import type { AppealOutcome, ContentStatus, FlagReason, GuidelineReference, ModerationOutcome } from './events.ts';

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

/**
 * Gives a claimed case back to the queue, e.g. when its assignee leaves the organisation (#20): a scheduler sends it
 * with actor `system`, so it carries no authority; no API offers it to people.
 */
export interface ReleaseCase {
  readonly type: 'ReleaseCase';
  readonly caseId: string;
  /** Why the case goes back to the queue: recorded on the event, readable for auditors like a decision's reason. */
  readonly reason: string;
  /**
   * When given, the case is released only while it is still this moderator's: a sender that found the case through
   * a lagging read model then cannot take it from someone who claimed (or took over) it since.
   */
  readonly moderatorId?: string;
  readonly at: string;
}

export type ModerationCaseCommand = ReportContent | ClaimCase | DecideCase | FileAppeal | DecideAppeal | ExpireSanction | ReleaseCase;
