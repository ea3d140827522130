import { conflict } from '../../../platform/shared/domain-error.ts';
import { requireId, requireText } from '../../../platform/shared/identifiers.ts';
import { unreachable } from '../../../platform/shared/exhaustive.ts';
import type { ReinstateCertification, SuspendCertification } from './commands.ts';
import type { CertificationEvent } from './events.ts';
import { CHANGE_REASON_MAX, day, requireCertification } from './rules.ts';
import { recordStatusAt, type CertificationState } from './state.ts';

export function suspend(command: SuspendCertification, state: CertificationState): CertificationEvent[] {
  const memberId = requireId(command.memberId, 'memberId');
  const reason = requireText(command.reason, 'reason', CHANGE_REASON_MAX);
  const file = requireCertification(memberId, state, 'suspend');
  const current = file.current;
  const status = recordStatusAt(current, command.at);
  switch (status) {
    case 'CERTIFIED':
    case 'DUE_FOR_RENEWAL':
      // The expiry date stays: a suspension does not stop the clock.
      return [
        {
          type: 'CertificationSuspended',
          data: {
            memberId,
            recordId: current.recordId,
            level: current.level,
            suspendedBy: command.actorId,
            suspendedAt: command.at,
            reason,
          },
        },
      ];
    case 'SUSPENDED':
      throw conflict(`the certification of member ${memberId} is already suspended`);
    case 'EXPIRED':
      throw conflict(`the certification of member ${memberId} expired on ${day(current.expiresAt)}: there is nothing to suspend`);
    case 'REVOKED':
      throw conflict(`the certification of member ${memberId} was revoked: there is nothing to suspend`);
    default:
      return unreachable('certification status', status);
  }
}

export function reinstate(command: ReinstateCertification, state: CertificationState): CertificationEvent[] {
  const memberId = requireId(command.memberId, 'memberId');
  const reason = requireText(command.reason, 'reason', CHANGE_REASON_MAX);
  const file = requireCertification(memberId, state, 'reinstate');
  const current = file.current;
  switch (current.status) {
    case 'SUSPENDED':
      break;
    case 'CERTIFIED':
    case 'DUE_FOR_RENEWAL':
      throw conflict(`the certification of member ${memberId} is not suspended: there is nothing to reinstate`);
    case 'EXPIRED':
      throw conflict(`the certification of member ${memberId} expired on ${day(current.expiresAt)}: renew it instead`);
    case 'REVOKED':
      throw conflict(`the certification of member ${memberId} was revoked: a revocation is final, award a new certification`);
    default:
      return unreachable('certification status', current.status);
  }
  if (recordStatusAt(current, command.at) === 'EXPIRED') {
    throw conflict(`the certification of member ${memberId} expired on ${day(current.expiresAt)} while suspended: renew it instead`);
  }
  return [
    {
      type: 'CertificationReinstated',
      data: {
        memberId,
        recordId: current.recordId,
        level: current.level,
        // The renewal window is recorded once per expiry: a suspension that interrupted it gives it back.
        status: current.dueForRenewalRecorded ? 'DUE_FOR_RENEWAL' : 'CERTIFIED',
        reinstatedBy: command.actorId,
        reinstatedAt: command.at,
        reason,
      },
    },
  ];
}
