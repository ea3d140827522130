import { conflict } from '../../../platform/shared/domain-error.ts';
import { requireId, requireText } from '../../../platform/shared/identifiers.ts';
import { unreachable } from '../../../platform/shared/exhaustive.ts';
import type { ExpireCertification, MarkCertificationDueForRenewal, RenewCertification } from './commands.ts';
import type { CertificationEvent, CertificationExpired } from './events.ts';
import { addMonths, CHANGE_REASON_MAX, renewalDueFrom, requireCertification, requireRecord } from './rules.ts';
import { LIVE_STATUSES, recordStatusAt, type CertificationFile, type CertificationState } from './state.ts';

// ---------------------------------------------------------------- renew

export function renew(command: RenewCertification, state: CertificationState): CertificationEvent[] {
  const memberId = requireId(command.memberId, 'memberId');
  const reason = requireText(command.reason, 'reason', CHANGE_REASON_MAX);
  const file = requireCertification(memberId, state, 'renew');
  const current = file.current;
  const definition = command.levels.find((candidate) => candidate.level === current.level);
  if (!definition) throw new Error(`renewal of ${current.recordId}: level ${current.level} not given`);

  const events: CertificationEvent[] = [];
  const status = recordStatusAt(current, command.at);
  let from: string;
  switch (status) {
    case 'CERTIFIED':
    case 'DUE_FOR_RENEWAL':
      // Renewed before it expires: the new validity runs on from the current expiry, so renewing early costs nothing.
      from = current.expiresAt;
      break;
    case 'EXPIRED':
      if (current.status !== 'EXPIRED') events.push(expiredEvent(file));
      from = command.at;
      break;
    case 'SUSPENDED':
      throw conflict(`the certification of member ${memberId} is suspended: reinstate it before renewing it`);
    case 'REVOKED':
      throw conflict(`the certification of member ${memberId} was revoked: a revoked certification cannot be renewed, award a new one`);
    default:
      return unreachable('certification status', status);
  }
  events.push({
    type: 'CertificationRenewed',
    data: {
      memberId,
      recordId: current.recordId,
      level: current.level,
      validityMonths: definition.validityMonths,
      previousExpiresAt: current.expiresAt,
      expiresAt: addMonths(from, definition.validityMonths),
      renewedBy: command.actorId,
      renewedAt: command.at,
      reason,
    },
  });
  return events;
}

// ---------------------------------------------------------------- the scheduler's

export function markDueForRenewal(command: MarkCertificationDueForRenewal, state: CertificationState): CertificationEvent[] {
  const file = requireRecord(command.memberId, command.recordId, state);
  if (file === null) return [];
  const current = file.current;
  // Renewed since the item was read, suspended, ended, or already recorded: nothing to record.
  if (current.status !== 'CERTIFIED' || current.dueForRenewalRecorded || current.expiresAt !== command.expiresAt) return [];
  const dueFrom = renewalDueFrom(current.expiresAt, command.renewalWindowDays);
  const at = Date.parse(command.at);
  // Not in the window yet; or past the expiry, which the expiry records instead.
  if (at < Date.parse(dueFrom) || at >= Date.parse(current.expiresAt)) return [];
  return [
    {
      type: 'CertificationDueForRenewal',
      data: { memberId: file.memberId, recordId: current.recordId, level: current.level, expiresAt: current.expiresAt, dueFrom },
    },
  ];
}

export function expire(command: ExpireCertification, state: CertificationState): CertificationEvent[] {
  const file = requireRecord(command.memberId, command.recordId, state);
  if (file === null) return [];
  const current = file.current;
  // Renewed since the item was read, not live any more (expired already, revoked), or not due yet: nothing to record.
  // A suspended certification expires at its date all the same.
  if (current.expiresAt !== command.expiresAt || !LIVE_STATUSES.includes(current.status)) return [];
  if (Date.parse(command.at) < Date.parse(current.expiresAt)) return [];
  return [expiredEvent(file)];
}

export function expiredEvent(file: CertificationFile): CertificationExpired {
  const { recordId, level, expiresAt } = file.current;
  return { type: 'CertificationExpired', data: { memberId: file.memberId, recordId, level, expiredAt: expiresAt } };
}
