import { conflict, notFound } from '../../../platform/shared/domain-error.ts';
import { optionalText, requireId } from '../../../platform/shared/identifiers.ts';
import { unreachable } from '../../../platform/shared/exhaustive.ts';
import { requireLevel } from '../certification-level.decider.ts';
import type { AwardCertification } from './commands.ts';
import type { CertificationEvent } from './events.ts';
import { expiredEvent } from './renewal.ts';
import { addMonths, certificationRecordId, day, EVIDENCE_MAX, missingProgrammes } from './rules.ts';
import { recordStatusAt, type CertificationRecordState, type CertificationState } from './state.ts';

// ---------------------------------------------------------------- award

export function award(command: AwardCertification, state: CertificationState): CertificationEvent[] {
  const memberId = requireId(command.memberId, 'memberId');
  const level = requireLevel(command.level);
  const evidence = optionalText(command.evidence, 'evidence', EVIDENCE_MAX);
  const definition = command.levels.find((candidate) => candidate.level === level);
  if (!definition) throw notFound(`certification level ${level} is not defined`, { field: 'level' });
  for (let lower = 1; lower < level; lower++) {
    // Levels are defined in order, so a defined level has all the levels below it: the handler read too few.
    if (!command.levels.some((candidate) => candidate.level === lower)) {
      throw new Error(`award of level ${level}: level ${lower} not given`);
    }
  }
  switch (command.member) {
    case 'active':
      break;
    case 'unregistered':
      throw conflict(`member ${memberId} is not registered: only registered members can be certified`, { field: 'memberId' });
    case 'left':
      throw conflict(`member ${memberId} has left the community: they can no longer be certified`, { field: 'memberId' });
    default:
      return unreachable('member status', command.member);
  }

  const events: CertificationEvent[] = [];
  let replaced: CertificationRecordState | null = null;
  if (state.status !== 'NOT_CERTIFIED') {
    const current = state.current;
    const status = recordStatusAt(current, command.at);
    switch (status) {
      case 'CERTIFIED':
      case 'DUE_FOR_RENEWAL':
        if (level <= current.level) {
          throw conflict(
            `member ${memberId} already holds level ${current.level}, valid until ${day(current.expiresAt)}: only a higher level can be awarded while it is valid`,
            { field: 'level' },
          );
        }
        replaced = current;
        break;
      case 'SUSPENDED':
        throw conflict(`the certification of member ${memberId} is suspended: reinstate or revoke it before awarding a level`);
      case 'EXPIRED':
        // Expired by its date while nobody recorded it yet: recorded on the way, so the history shows how it ended.
        if (current.status !== 'EXPIRED') events.push(expiredEvent(state));
        break;
      case 'REVOKED':
        break;
      default:
        return unreachable('certification status', status);
    }
  }
  const missing = missingProgrammes(command.levels, level, command.completedProgrammes);
  if (missing.length > 0) {
    throw conflict(`missing for level ${level}: ${missing.join(', ')} (training programmes member ${memberId} has not completed)`, {
      field: 'level',
      missing,
    });
  }
  const awardNumber = (state.status === 'NOT_CERTIFIED' ? 0 : state.records.length) + 1;
  events.push({
    type: 'CertificationAwarded',
    data: {
      memberId,
      recordId: certificationRecordId(memberId, awardNumber),
      awardNumber,
      level,
      validityMonths: definition.validityMonths,
      awardedAt: command.at,
      expiresAt: addMonths(command.at, definition.validityMonths),
      evidence,
      awardedBy: command.actorId,
      replacedRecordId: replaced?.recordId ?? null,
    },
  });
  return events;
}
