import { notFound } from '../../../platform/shared/domain-error.ts';
import type { ExpireSanction } from './commands.ts';
import type { ModerationCaseEvent } from './events.ts';
import { requireCase } from './rules.ts';
import type { ModerationCaseState } from './state.ts';

export function expireSanction(command: ExpireSanction, state: ModerationCaseState): ModerationCaseEvent[] {
  const file = requireCase(command.caseId, state);
  const sanction = file.sanction;
  if (!sanction || sanction.sanctionId !== command.sanctionId) throw notFound(`case ${file.caseId} has no sanction ${command.sanctionId}`);
  // Already over, lifted, permanent or not yet due: nothing to record, so a second scheduler or a retry adds nothing.
  if (sanction.state !== 'active' || sanction.until === null) return [];
  if (Date.parse(sanction.until) > Date.parse(command.at)) return [];
  return [
    {
      type: 'SanctionExpired',
      data: { caseId: file.caseId, sanctionId: sanction.sanctionId, memberId: sanction.memberId, expiredAt: sanction.until },
    },
  ];
}
