import type { ActivateAmbassador, DeactivateAmbassador, ReactivateAmbassador } from './commands.ts';
import type { AmbassadorEvent } from './events.ts';
import { decision, requireEnrolment, requireStillMember } from './rules.ts';
import type { AmbassadorState } from './state.ts';

export function activate(command: ActivateAmbassador, state: AmbassadorState): AmbassadorEvent[] {
  const enrolment = requireEnrolment(command.memberId, state, ['APPROVED'], 'activate');
  requireStillMember(command.memberId, command.member);
  return [{ type: 'AmbassadorActivated', data: decision(enrolment, command) }];
}

export function deactivate(command: DeactivateAmbassador, state: AmbassadorState): AmbassadorEvent[] {
  const enrolment = requireEnrolment(command.memberId, state, ['ACTIVE'], 'deactivate');
  return [{ type: 'AmbassadorDeactivated', data: decision(enrolment, command) }];
}

export function reactivate(command: ReactivateAmbassador, state: AmbassadorState): AmbassadorEvent[] {
  const enrolment = requireEnrolment(command.memberId, state, ['INACTIVE'], 'reactivate');
  requireStillMember(command.memberId, command.member);
  return [{ type: 'AmbassadorReactivated', data: decision(enrolment, command) }];
}
