import { Column, Entity, PrimaryColumn } from 'typeorm';
import type {
  AppealOutcome,
  CaseStatus,
  ContentStatus,
  FlagReason,
  GuidelineReference,
  ModerationOutcome,
} from '../moderation-case.decider.ts';

/** One element of `moderation_cases.flags`, in the order the flags were raised. Dates as ISO text. */
export interface StoredFlag {
  readonly reporterId: string;
  readonly reason: FlagReason;
  readonly note: string | null;
  readonly flaggedAt: string;
}

/** `moderation_cases.decision`. */
export interface StoredDecision {
  readonly outcome: ModerationOutcome;
  readonly reason: string;
  readonly guideline: GuidelineReference | null;
  readonly decidedBy: string;
  readonly decidedAt: string;
}

/** `moderation_cases.appeal`: the last four are null until the appeal is decided. */
export interface StoredAppeal {
  readonly appellantId: string;
  readonly statement: string;
  readonly filedAt: string;
  readonly outcome: AppealOutcome | null;
  readonly reason: string | null;
  readonly decidedBy: string | null;
  readonly decidedAt: string | null;
}

/** A row of the `read_models.moderation_cases` view (the moderation projection's current generation). */
@Entity({ schema: 'read_models', name: 'moderation_cases', synchronize: false })
export class ModerationCaseRecord {
  @PrimaryColumn({ name: 'case_id', type: 'text' })
  caseId!: string;

  @Column({ name: 'case_number', type: 'int' })
  caseNumber!: number;

  @Column({ name: 'content_id', type: 'text' })
  contentId!: string;

  @Column({ name: 'content_type', type: 'text' })
  contentType!: string;

  @Column({ name: 'content_status', type: 'text' })
  contentStatus!: ContentStatus;

  @Column({ name: 'group_id', type: 'text', nullable: true })
  groupId!: string | null;

  @Column({ name: 'author_id', type: 'text' })
  authorId!: string;

  @Column({ type: 'text' })
  status!: CaseStatus;

  @Column({ type: 'jsonb' })
  flags!: StoredFlag[];

  @Column({ name: 'assigned_to', type: 'text', nullable: true })
  assignedTo!: string | null;

  @Column({ type: 'jsonb', nullable: true })
  decision!: StoredDecision | null;

  @Column({ name: 'sanction_id', type: 'text', nullable: true })
  sanctionId!: string | null;

  @Column({ type: 'jsonb', nullable: true })
  appeal!: StoredAppeal | null;

  @Column({ name: 'opened_at', type: 'timestamptz' })
  openedAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  @Column({ type: 'int' })
  revision!: number;
}
