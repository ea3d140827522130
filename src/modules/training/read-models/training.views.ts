import type { EnrolmentStatus } from '../training-enrolment.decider.ts';

/** What the training read models answer, shaped like the GraphQL types (dates as Date). */

export interface TrainingModuleView {
  /** The module's id within its programme (the GraphQL id is the global one, from programme, revision and this). */
  readonly id: string;
  readonly moduleId: string;
  readonly programmeId: string;
  /** The programme revision whose definition the module comes from. */
  readonly programmeRevision: number;
  readonly title: string;
  readonly required: boolean;
  readonly selfPaced: boolean;
}

export interface TrainingProgrammeView {
  readonly id: string;
  readonly title: string;
  /** In the programme's order. */
  readonly modules: TrainingModuleView[];
  /** The revision of the programme's stream: each definition is one. */
  readonly revision: number;
}

export interface TrainingEnrolmentView {
  readonly memberId: string;
  readonly programmeId: string;
  readonly status: EnrolmentStatus;
  /** The programme revision enrolled in: its modules are the ones that count for this member. */
  readonly programmeRevision: number;
  /** In completion order. */
  readonly completedModules: string[];
  /** Required modules of the enrolled revision not completed yet, in the programme's order. */
  readonly remainingRequiredModules: string[];
  readonly enrolledAt: Date;
  readonly completedAt: Date | null;
  /** When it was withdrawn or failed; null while it runs or once completed. */
  readonly endedAt: Date | null;
  /** The revision of the enrolment's stream. */
  readonly revision: number;
}
