import type { MemberStatus } from '../../members/index.ts';
import type { EnrolledModule } from './events.ts';

// ---------------------------------------------------------------- commands

/**
 * Why the actor may act on this enrolment, established by the use case (training.use-cases.ts) from the actor's
 * roles: community managers act for anyone; anyone else only for themselves (and the decider says what they may do).
 */
export type TrainingAuthority = { readonly kind: 'community_manager' } | { readonly kind: 'self' };

/** The programme as its stream says now: its revision and modules. Null when it was never defined. */
export interface ProgrammeRevision {
  readonly revision: number;
  readonly modules: readonly EnrolledModule[];
}

export interface EnrolInTraining {
  readonly type: 'EnrolInTraining';
  readonly programmeId: string;
  readonly memberId: string;
  readonly programme: ProgrammeRevision | null;
  /** The member as their own stream says now. */
  readonly member: MemberStatus;
  readonly actorId: string;
  readonly authority: TrainingAuthority;
  readonly at: string;
}

export interface CompleteTrainingModule {
  readonly type: 'CompleteTrainingModule';
  readonly programmeId: string;
  readonly memberId: string;
  readonly moduleId: string;
  readonly evidence: string | null;
  readonly actorId: string;
  readonly authority: TrainingAuthority;
  readonly at: string;
}

/** The member themself or a community manager. */
export interface WithdrawFromTraining {
  readonly type: 'WithdrawFromTraining';
  readonly programmeId: string;
  readonly memberId: string;
  readonly reason: string | null;
  readonly actorId: string;
  readonly authority: TrainingAuthority;
  readonly at: string;
}

/** A community manager only: the use case checks the role before anything is read. */
export interface RecordTrainingFailed {
  readonly type: 'RecordTrainingFailed';
  readonly programmeId: string;
  readonly memberId: string;
  readonly reason: string | null;
  readonly actorId: string;
  readonly authority: TrainingAuthority;
  readonly at: string;
}

export type TrainingEnrolmentCommand = EnrolInTraining | CompleteTrainingModule | WithdrawFromTraining | RecordTrainingFailed;
