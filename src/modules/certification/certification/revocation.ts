import { conflict } from '../../../platform/shared/domain-error.ts';
import { requireId, requireText } from '../../../platform/shared/identifiers.ts';
import { unreachable } from '../../../platform/shared/exhaustive.ts';
import type { RevokeCertification } from './commands.ts';
import type { CertificationEvent } from './events.ts';
import { CHANGE_REASON_MAX, day, requireCertification } from './rules.ts';
import { recordStatusAt, type CertificationState } from './state.ts';

export function revoke(command: RevokeCertification, state: CertificationState): CertificationEvent[] {
  const memberId = requireId(command.memberId, 'memberId');
  const reason = requireText(command.reason, 'reason', CHANGE_REASON_MAX);
  const file = requireCertification(memberId, state, 'revoke');
  const current = file.current;
  const status = recordStatusAt(current, command.at);
  switch (status) {
    case 'CERTIFIED':
    case 'DUE_FOR_RENEWAL':
    case 'SUSPENDED':
      return [
        {
          type: 'CertificationRevoked',
          data: { memberId, recordId: current.recordId, level: current.level, revokedBy: command.actorId, revokedAt: command.at, reason },
        },
      ];
    case 'EXPIRED':
      throw conflict(`the certification of member ${memberId} expired on ${day(current.expiresAt)}: there is nothing to revoke`);
    case 'REVOKED':
      throw conflict(`the certification of member ${memberId} is already revoked`);
    default:
      return unreachable('certification status', status);
  }
}
