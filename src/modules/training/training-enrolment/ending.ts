import { conflict, DomainError, notFound } from '../../../platform/shared/domain-error.ts';
import { optionalText, requireId } from '../../../platform/shared/identifiers.ts';
import type { RecordTrainingFailed, WithdrawFromTraining } from './commands.ts';
import type { TrainingEnrolmentEvent } from './events.ts';
import { requireActingFor } from './rules.ts';
import { ENDED_STATUSES, type EnrolmentStatus, type TrainingEnrolmentState } from './state.ts';

// ---------------------------------------------------------------- withdraw, or record a failure

export const TRAINING_END_REASON_MAX = 2000;

/**
 * Ends a running enrolment. Ending it again the same way changes nothing (a retry); ending it the other way, or ending
 * a completed one, is a CONFLICT: a completion stands, and a withdrawal is not a failure.
 */
export function end(command: WithdrawFromTraining | RecordTrainingFailed, state: TrainingEnrolmentState): TrainingEnrolmentEvent[] {
  const programmeId = requireId(command.programmeId, 'programmeId');
  const memberId = requireId(command.memberId, 'memberId');
  const reason = optionalText(command.reason, 'reason', TRAINING_END_REASON_MAX);
  const withdrawal = command.type === 'WithdrawFromTraining';
  if (withdrawal) requireActingFor(command.authority, command.actorId, memberId, "withdrawing another member's training enrolment");
  else if (command.authority.kind !== 'community_manager') {
    throw new DomainError('FORBIDDEN', 'recording that a member failed a training programme needs the role COMMUNITY_MANAGER');
  }
  if (state.status === 'absent') {
    throw notFound(`member ${memberId} is not enrolled in training programme ${programmeId}`, { field: 'memberId' });
  }
  const target: EnrolmentStatus = withdrawal ? 'WITHDRAWN' : 'FAILED';
  if (state.status === target) return [];
  if (state.status === 'COMPLETED') {
    throw conflict(`member ${memberId} has completed training programme ${programmeId}: a completed enrolment cannot be ${target}`, {
      field: 'memberId',
    });
  }
  if (ENDED_STATUSES.includes(state.status)) {
    throw conflict(`the enrolment of member ${memberId} in training programme ${programmeId} has already ended: it is ${state.status}`, {
      field: 'memberId',
    });
  }
  if (withdrawal) {
    return [
      {
        type: 'MemberWithdrewFromTraining',
        data: { programmeId, memberId, reason, withdrawnBy: command.actorId, withdrawnAt: command.at },
      },
    ];
  }
  return [{ type: 'TrainingEnrolmentFailed', data: { programmeId, memberId, reason, recordedBy: command.actorId, failedAt: command.at } }];
}
