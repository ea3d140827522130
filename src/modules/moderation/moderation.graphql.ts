import { Field, ID, InputType, Int, ObjectType } from '@nestjs/graphql';
import { graphqlEnum } from '../../platform/graphql/graphql-enum.ts';
import { Connection } from '../../platform/graphql/pagination.ts';
import { Node, NodeIdField } from '../../platform/graphql/node.ts';
import * as decider from './moderation-case.decider.ts';

// Each is the decider's array: the read model holds the decider's values as they are, and GraphQL refuses to answer a
// value its enum lacks, so they must not be written twice.
export const FlagReason = graphqlEnum('FlagReason', decider.FLAG_REASONS);
export type FlagReason = decider.FlagReason;

export const ModerationCaseStatus = graphqlEnum('ModerationCaseStatus', decider.CASE_STATUSES);
export type ModerationCaseStatus = decider.CaseStatus;

export const ModerationOutcome = graphqlEnum('ModerationOutcome', decider.MODERATION_OUTCOMES);
export type ModerationOutcome = decider.ModerationOutcome;

export const AppealOutcome = graphqlEnum('AppealOutcome', decider.APPEAL_OUTCOMES);
export type AppealOutcome = decider.AppealOutcome;

export const ContentStatus = graphqlEnum('ContentStatus', decider.CONTENT_STATUSES);
export type ContentStatus = decider.ContentStatus;

export const SanctionKind = graphqlEnum('SanctionKind', decider.SANCTION_KINDS);
export type SanctionKind = decider.SanctionKind;

@ObjectType()
export class GuidelineReference {
  @Field(() => ID)
  agreementId!: string;

  @Field(() => Int)
  version!: number;

  @Field(() => String, { nullable: true })
  section!: string | null;
}

@ObjectType()
export class Flag {
  @Field(() => ID)
  reporterId!: string;

  @Field(() => FlagReason)
  reason!: FlagReason;

  @Field(() => String, { nullable: true, description: "The reporter's words; redacted once their personal data is erased." })
  note!: string | null;

  @Field(() => Date)
  flaggedAt!: Date;
}

@ObjectType({ implements: () => [Node] })
export class Sanction {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  memberId!: string;

  @Field(() => ID)
  caseId!: string;

  @Field(() => SanctionKind)
  kind!: SanctionKind;

  @Field(() => Date, { nullable: true, description: 'When a suspension ends; null for a warning and for a suspension until lifted.' })
  until!: Date | null;

  @Field(() => Date, { nullable: true, description: 'When an appeal overturned the decision that imposed it.' })
  liftedAt!: Date | null;

  @Field(() => Boolean, {
    description: 'Neither lifted nor expired, and `until` (if any) is still ahead of the moment asked about.',
  })
  active!: boolean;

  @Field(() => Date)
  imposedAt!: Date;

  @Field(() => Date, { nullable: true, description: 'When its end date passed, as the scheduler recorded it.' })
  expiredAt!: Date | null;
}

@ObjectType()
export class ModerationDecision {
  @Field(() => ModerationOutcome)
  outcome!: ModerationOutcome;

  @Field(() => String)
  reason!: string;

  @Field(() => GuidelineReference, { nullable: true })
  guideline!: GuidelineReference | null;

  @Field(() => ID)
  decidedBy!: string;

  @Field(() => Date)
  decidedAt!: Date;
}

@ObjectType()
export class Appeal {
  @Field(() => String, {
    description:
      "The appellant's words: [withheld] for anyone but the appellant, community managers, auditors and the owners of the case's group; [redacted] once their personal data is erased.",
  })
  statement!: string;

  @Field(() => Date)
  filedAt!: Date;

  @Field(() => AppealOutcome, { nullable: true })
  outcome!: AppealOutcome | null;

  @Field(() => ID, { nullable: true })
  decidedBy!: string | null;

  @Field(() => Date, { nullable: true })
  decidedAt!: Date | null;

  @Field(() => String, { nullable: true, description: 'Why the appeal was decided as it was.' })
  reason!: string | null;
}

@ObjectType({ implements: () => [Node] })
export class ModerationCase {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  contentId!: string;

  @Field(() => String)
  contentType!: string;

  @Field(() => ContentStatus)
  contentStatus!: ContentStatus;

  @Field(() => ID, { nullable: true })
  groupId!: string | null;

  @Field(() => ID)
  authorId!: string;

  @Field(() => ModerationCaseStatus)
  status!: ModerationCaseStatus;

  @Field(() => [Flag], {
    description: 'Every flag for moderators of the case; the author and reporters see only their own flags.',
  })
  flags!: Flag[];

  @Field(() => ID, { nullable: true })
  assignedTo!: string | null;

  @Field(() => ModerationDecision, { nullable: true })
  decision!: ModerationDecision | null;

  @Field(() => Sanction, { nullable: true })
  sanction!: Sanction | null;

  @Field(() => Appeal, { nullable: true })
  appeal!: Appeal | null;

  @Field(() => Date)
  openedAt!: Date;

  @Field(() => Int, { description: "The revision of the case's stream: what `expectedRevision` compares with." })
  revision!: number;
}

@ObjectType()
export class ModerationCaseConnection extends Connection(ModerationCase) {}

@InputType()
export class ModerationQueueFilter {
  @Field(() => [ModerationCaseStatus], { nullable: true })
  status?: ModerationCaseStatus[] | null;

  @Field(() => ID, { nullable: true })
  groupId?: string | null;

  @Field(() => ID, { nullable: true })
  assignedTo?: string | null;
}

@ObjectType({ implements: () => [Node] })
export class ModeratorNote {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  memberId!: string;

  @Field(() => String, { description: "Redacted once the member's personal data is erased." })
  text!: string;

  @Field(() => ID)
  authorId!: string;

  @Field(() => Date)
  createdAt!: Date;

  @Field(() => Boolean)
  retracted!: boolean;
}

@ObjectType({ implements: () => [Node] })
export class MemberStanding {
  @NodeIdField<MemberStanding>('MemberStanding', (standing) => [standing.memberId])
  id!: string;

  @Field(() => ID)
  memberId!: string;

  @Field(() => Boolean, { description: 'An active SUSPENSION exists.' })
  suspended!: boolean;

  @Field(() => [Sanction])
  activeSanctions!: Sanction[];

  @Field(() => [Sanction], { description: 'Every sanction ever imposed, newest first.' })
  sanctionHistory!: Sanction[];

  @Field(() => [ModeratorNote], { description: 'Staff only: empty for anyone but community managers and auditors.' })
  notes!: ModeratorNote[];
}

@InputType()
export class AddModeratorNoteInput {
  @Field(() => ID)
  memberId!: string;

  @Field(() => String)
  text!: string;

  @Field(() => ID, { nullable: true })
  commandId?: string | null;
}

@InputType()
export class RetractModeratorNoteInput {
  @Field(() => ID)
  memberId!: string;

  @Field(() => ID)
  noteId!: string;

  @Field(() => String, { nullable: true })
  reason?: string | null;

  @Field(() => ID, { nullable: true })
  commandId?: string | null;
}

@InputType()
export class ReportContentInput {
  @Field(() => ID)
  contentId!: string;

  @Field(() => String)
  contentType!: string;

  @Field(() => ID)
  authorId!: string;

  @Field(() => ID, { nullable: true })
  groupId?: string | null;

  @Field(() => FlagReason)
  reason!: FlagReason;

  @Field(() => String, { nullable: true })
  note?: string | null;

  @Field(() => ID, { nullable: true })
  commandId?: string | null;
}

@InputType()
export class ClaimModerationCaseInput {
  @Field(() => ID)
  caseId!: string;

  @Field(() => ID, { nullable: true })
  commandId?: string | null;

  @Field(() => Int, { nullable: true })
  expectedRevision?: number | null;
}

@InputType()
export class GuidelineReferenceInput {
  @Field(() => ID)
  agreementId!: string;

  @Field(() => Int)
  version!: number;

  @Field(() => String, { nullable: true })
  section?: string | null;
}

@InputType()
export class DecideModerationCaseInput {
  @Field(() => ID)
  caseId!: string;

  @Field(() => ModerationOutcome)
  outcome!: ModerationOutcome;

  @Field(() => String)
  reason!: string;

  @Field(() => GuidelineReferenceInput, { nullable: true })
  guideline?: GuidelineReferenceInput | null;

  @Field(() => Date, {
    nullable: true,
    description: 'For SUSPEND_MEMBER only: the end of the suspension (in the future); absent means until lifted.',
  })
  suspendUntil?: Date | null;

  @Field(() => ID, { nullable: true })
  commandId?: string | null;

  @Field(() => Int, { nullable: true })
  expectedRevision?: number | null;
}

@InputType()
export class FileAppealInput {
  @Field(() => ID)
  caseId!: string;

  @Field(() => String)
  statement!: string;

  @Field(() => ID, { nullable: true })
  commandId?: string | null;
}

@InputType()
export class DecideAppealInput {
  @Field(() => ID)
  caseId!: string;

  @Field(() => AppealOutcome)
  outcome!: AppealOutcome;

  @Field(() => String)
  reason!: string;

  @Field(() => ID, { nullable: true })
  commandId?: string | null;

  @Field(() => Int, { nullable: true })
  expectedRevision?: number | null;
}
