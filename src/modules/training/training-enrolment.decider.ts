import type { Decider } from '#event-store';
import { requireId } from '../../platform/shared/identifiers.ts';
import { unreachable } from '../../platform/shared/exhaustive.ts';
import type { TrainingEnrolmentCommand } from './training-enrolment/commands.ts';
import { completeModule } from './training-enrolment/completion.ts';
import { enrol } from './training-enrolment/enrol.ts';
import { end } from './training-enrolment/ending.ts';
import type { TrainingEnrolmentEvent } from './training-enrolment/events.ts';
import { evolve, initialState, type TrainingEnrolmentState } from './training-enrolment/state.ts';

// The parts live in ./training-enrolment/ (events, commands, state and one file per concern); this file stays the
// entry point, so every name the rest of the service imports from here is re-exported.
export {
  isTrainingEnrolmentEvent,
  TRAINING_ENROLMENT_EVENT_SCHEMAS,
  TRAINING_ENROLMENT_EVENT_TYPES,
  type EnrolledModule,
  type MemberEnrolledInTraining,
  type MemberWithdrewFromTraining,
  type TrainingEnrolmentCompleted,
  type TrainingEnrolmentEvent,
  type TrainingEnrolmentFailed,
  type TrainingModuleCompleted,
} from './training-enrolment/events.ts';
export type {
  CompleteTrainingModule,
  EnrolInTraining,
  ProgrammeRevision,
  RecordTrainingFailed,
  TrainingAuthority,
  TrainingEnrolmentCommand,
  WithdrawFromTraining,
} from './training-enrolment/commands.ts';
export {
  ENDED_STATUSES,
  ENROLMENT_STATUSES,
  remainingRequiredModules,
  type Enrolment,
  type EnrolmentStatus,
  type TrainingEnrolmentState,
} from './training-enrolment/state.ts';
export { TRAINING_EVIDENCE_MAX } from './training-enrolment/completion.ts';
export { TRAINING_END_REASON_MAX } from './training-enrolment/ending.ts';

export const TRAINING_ENROLMENT_STREAM_CATEGORY = 'training_enrolment';

/**
 * Public: auditors pass it to `streamStateAt`. One stream per member and programme, so "enrolled once" and "completed
 * once" are kept by the stream itself.
 */
export function trainingEnrolmentStreamId(programmeId: string, memberId: string): string {
  return `${TRAINING_ENROLMENT_STREAM_CATEGORY}-${requireId(programmeId, 'programmeId')}-${requireId(memberId, 'memberId')}`;
}

function decide(command: TrainingEnrolmentCommand, state: TrainingEnrolmentState): TrainingEnrolmentEvent[] {
  switch (command.type) {
    case 'EnrolInTraining':
      return enrol(command, state);
    case 'CompleteTrainingModule':
      return completeModule(command, state);
    case 'WithdrawFromTraining':
    case 'RecordTrainingFailed':
      return end(command, state);
    default:
      return unreachable('training enrolment command', command, 'type');
  }
}

export const trainingEnrolmentDecider: Decider<TrainingEnrolmentCommand, TrainingEnrolmentState, TrainingEnrolmentEvent> = {
  initialState,
  evolve,
  decide,
};
