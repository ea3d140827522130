import type { DEPARTMENT_MAX } from '../../members/index.ts';
import { conflict, notFound } from '../../../platform/shared/domain-error.ts';
import { optionalText, requireId, requireText } from '../../../platform/shared/identifiers.ts';
import { unreachable } from '../../../platform/shared/exhaustive.ts';
import type { ApproveAmbassador, NominateAmbassador, RejectAmbassador } from './commands.ts';
import type { AmbassadorEvent } from './events.ts';
import { decision, requireEnrolment, requireStillMember } from './rules.ts';
import { isLiveEnrolment, type AmbassadorState } from './state.ts';

/**
 * As long as a department of the member directory. Written out rather than imported: members/index.ts loads the
 * module's read side (TypeORM), which a decider must not; the type keeps the two equal at compile time.
 */
export const AMBASSADOR_DEPARTMENT_MAX: typeof DEPARTMENT_MAX = 100;
export const MOTIVATION_MAX = 4000;

export function nominate(command: NominateAmbassador, state: AmbassadorState): AmbassadorEvent[] {
  const memberId = requireId(command.memberId, 'memberId');
  const department = requireText(command.department, 'department', AMBASSADOR_DEPARTMENT_MAX);
  const motivation = optionalText(command.motivation, 'motivation', MOTIVATION_MAX);
  switch (command.nominee) {
    case 'unregistered':
      throw notFound(`member ${memberId} is not registered`, { field: 'memberId' });
    case 'left':
      throw conflict(`member ${memberId} has left: only active members can be nominated`, { field: 'memberId' });
    case 'active':
      break;
    default:
      return unreachable('member status', command.nominee);
  }
  if (isLiveEnrolment(state)) {
    throw conflict(
      `member ${memberId} already has an ambassador enrolment (${state.status}): a new nomination waits until it is rejected or offboarded`,
    );
  }
  const enrolment = state.status === 'NONE' ? 1 : state.enrolment + 1;
  return [
    {
      type: 'AmbassadorNominated',
      data: { memberId, enrolment, department, motivation, nominatedBy: command.actorId, nominatedAt: command.at },
    },
  ];
}

export function approve(command: ApproveAmbassador, state: AmbassadorState): AmbassadorEvent[] {
  const enrolment = requireEnrolment(command.memberId, state, ['NOMINATED'], 'approve');
  requireStillMember(command.memberId, command.member);
  return [{ type: 'AmbassadorApproved', data: decision(enrolment, command) }];
}

export function reject(command: RejectAmbassador, state: AmbassadorState): AmbassadorEvent[] {
  const enrolment = requireEnrolment(command.memberId, state, ['NOMINATED'], 'reject');
  return [{ type: 'AmbassadorRejected', data: decision(enrolment, command) }];
}
