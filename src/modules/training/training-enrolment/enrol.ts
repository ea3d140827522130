import { conflict, notFound } from '../../../platform/shared/domain-error.ts';
import { requireId } from '../../../platform/shared/identifiers.ts';
import { unreachable } from '../../../platform/shared/exhaustive.ts';
import type { EnrolInTraining } from './commands.ts';
import type { TrainingEnrolmentEvent } from './events.ts';
import { requireActingFor } from './rules.ts';
import { ENDED_STATUSES, type TrainingEnrolmentState } from './state.ts';

// ---------------------------------------------------------------- enrol

export function enrol(command: EnrolInTraining, state: TrainingEnrolmentState): TrainingEnrolmentEvent[] {
  const programmeId = requireId(command.programmeId, 'programmeId');
  const memberId = requireId(command.memberId, 'memberId');
  requireActingFor(command.authority, command.actorId, memberId, 'enrolling another member in a training programme');
  // Whoever enrols them and whenever: while an enrolment runs or once it is completed, the member keeps it (and the
  // revision it was decided on). Once it failed or was withdrawn they start over: a new enrolment in the programme as
  // it is now, with no module completed.
  if (state.status !== 'absent' && !ENDED_STATUSES.includes(state.status)) return [];
  if (command.programme === null) throw notFound(`training programme ${programmeId} does not exist`, { field: 'programmeId' });
  switch (command.member) {
    case 'active':
      break;
    case 'unregistered':
      throw conflict(`member ${memberId} is not registered: only registered members can be enrolled in training`, { field: 'memberId' });
    case 'left':
      throw conflict(`member ${memberId} has left the community: they can no longer be enrolled in training`, { field: 'memberId' });
    default:
      return unreachable('member status', command.member);
  }
  return [
    {
      type: 'MemberEnrolledInTraining',
      data: {
        programmeId,
        memberId,
        programmeRevision: command.programme.revision,
        modules: command.programme.modules.map(({ id, required, selfPaced }) => ({ id, required, selfPaced })),
        enrolledBy: command.actorId,
        enrolledAt: command.at,
      },
    },
  ];
}
