import { requireId, requireText } from '../../../platform/shared/identifiers.ts';
import type { OffboardAmbassador } from './commands.ts';
import type { AmbassadorEvent } from './events.ts';
import { decision, requireEnrolment } from './rules.ts';
import type { AmbassadorState } from './state.ts';

export const OFFBOARD_REASON_MAX = 2000;

export function offboard(command: OffboardAmbassador, state: AmbassadorState): AmbassadorEvent[] {
  requireId(command.memberId, 'memberId');
  const reason = requireText(command.reason ?? '', 'reason', OFFBOARD_REASON_MAX);
  const enrolment = requireEnrolment(command.memberId, state, ['APPROVED', 'ACTIVE', 'INACTIVE'], 'offboard');
  return [{ type: 'AmbassadorOffboarded', data: { ...decision(enrolment, command), reason } }];
}
