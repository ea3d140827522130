import type { MemberStreamStatus } from '../../members/index.ts';
import { conflict, notFound } from '../../../platform/shared/domain-error.ts';
import { requireId } from '../../../platform/shared/identifiers.ts';
import { unreachable } from '../../../platform/shared/exhaustive.ts';
import type { AmbassadorDecisionData } from './events.ts';
import type { AmbassadorEnrolment, AmbassadorState, AmbassadorStatus } from './state.ts';

export function decision(enrolment: AmbassadorEnrolment, command: { actorId: string; at: string }): AmbassadorDecisionData {
  return { memberId: enrolment.memberId, enrolment: enrolment.enrolment, decidedBy: command.actorId, decidedAt: command.at };
}

const WHAT_MAY_BE_DONE: Readonly<Record<AmbassadorStatus, string>> = {
  NOMINATED: 'a nomination is approved or rejected',
  APPROVED: 'an approved ambassador is activated or offboarded',
  ACTIVE: 'an active ambassador is deactivated or offboarded',
  INACTIVE: 'an inactive ambassador is reactivated or offboarded',
  REJECTED: 'a rejected nomination is closed: nominate the member again',
  OFFBOARDED: 'an offboarded ambassador is done: nominate the member again',
};

export function requireEnrolment(
  memberId: string,
  state: AmbassadorState,
  allowed: readonly AmbassadorStatus[],
  action: string,
): AmbassadorEnrolment {
  requireId(memberId, 'memberId');
  if (state.status === 'NONE') throw notFound(`member ${memberId} was never nominated as an ambassador`, { field: 'memberId' });
  if (!allowed.includes(state.status)) {
    throw conflict(`cannot ${action} the ambassador ${memberId}: they are ${state.status} (${WHAT_MAY_BE_DONE[state.status]})`);
  }
  return state;
}

export function requireStillMember(memberId: string, status: MemberStreamStatus): void {
  switch (status) {
    case 'active':
      return;
    case 'left':
      throw conflict(`member ${memberId} has left: offboard or reject them instead`);
    case 'unregistered':
      throw notFound(`member ${memberId} is not registered`, { field: 'memberId' });
    default:
      return unreachable('member status', status);
  }
}
