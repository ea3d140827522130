import { conflict, DomainError } from '../../../platform/shared/domain-error.ts';
import { unreachable } from '../../../platform/shared/exhaustive.ts';
import { requireId, requireText } from '../../../platform/shared/identifiers.ts';
import type { DecideAppeal, FileAppeal } from './commands.ts';
import { APPEAL_OUTCOMES, type ModerationCaseEvent } from './events.ts';
import { APPEAL_STATEMENT_MAX, DECISION_REASON_MAX, requireCase, requireOneOf } from './rules.ts';
import type { ModerationCaseState } from './state.ts';

export function fileAppeal(command: FileAppeal, state: ModerationCaseState): ModerationCaseEvent[] {
  const caseId = requireId(command.caseId, 'caseId');
  const statement = requireText(command.statement, 'statement', APPEAL_STATEMENT_MAX);
  const file = requireCase(caseId, state);
  if (command.actorId !== file.authorId) throw new DomainError('FORBIDDEN', 'only the author of the content may appeal its decision');
  switch (file.status) {
    case 'OPEN':
    case 'IN_REVIEW':
      throw conflict(`case ${caseId} is not decided yet: there is nothing to appeal`);
    case 'APPEALED':
    case 'CLOSED':
      throw conflict(`case ${caseId} was already appealed: a decision can be appealed once`);
    case 'DECIDED':
      break;
    default:
      return unreachable('moderation case status', file.status);
  }
  const decision = file.decision!;
  if (decision.outcome === 'NO_ACTION') throw conflict(`case ${caseId} was decided with no action: there is nothing to appeal`);
  const deadline = new Date(Date.parse(decision.decidedAt) + command.appealWindowDays * 86_400_000);
  if (Date.parse(command.at) > deadline.getTime()) {
    throw conflict(
      `the appeal window of case ${caseId} closed on ${deadline.toISOString()} (${command.appealWindowDays} days after the decision)`,
    );
  }
  return [{ type: 'AppealFiled', data: { caseId, appellantId: command.actorId, statement, filedAt: command.at } }];
}

export function decideAppeal(command: DecideAppeal, state: ModerationCaseState): ModerationCaseEvent[] {
  const caseId = requireId(command.caseId, 'caseId');
  const outcome = requireOneOf(command.outcome, APPEAL_OUTCOMES, 'outcome');
  const reason = requireText(command.reason, 'reason', DECISION_REASON_MAX);
  const file = requireCase(caseId, state);
  switch (file.status) {
    case 'OPEN':
    case 'IN_REVIEW':
    case 'DECIDED':
      throw conflict(`case ${caseId} has no appeal to decide`);
    case 'CLOSED':
      throw conflict(`the appeal of case ${caseId} is already decided`);
    case 'APPEALED':
      break;
    default:
      return unreachable('moderation case status', file.status);
  }
  const decision = file.decision!;
  if (command.actorId === decision.decidedBy) {
    throw new DomainError('FORBIDDEN', 'four eyes: the appeal must be decided by someone other than who made the decision');
  }
  if (command.actorId === file.appeal?.appellantId) throw new DomainError('FORBIDDEN', 'you cannot decide your own appeal');
  // The appeal answers the complaint: whoever raised it is a party, not a judge.
  if (file.reporters.includes(command.actorId)) {
    throw new DomainError('FORBIDDEN', `you cannot decide the appeal of case ${caseId}: you reported it`);
  }

  const overturned = outcome === 'OVERTURNED';
  const events: ModerationCaseEvent[] = [
    {
      type: 'AppealDecided',
      data: {
        caseId,
        outcome,
        reason,
        decidedBy: command.actorId,
        decidedAt: command.at,
        contentStatus: overturned ? decision.contentStatusBefore : file.contentStatus,
      },
    },
  ];
  if (overturned && file.sanction?.state === 'active') {
    const { sanctionId, memberId } = file.sanction;
    events.push({ type: 'SanctionLifted', data: { caseId, sanctionId, memberId, liftedAt: command.at, cause: 'APPEAL_OVERTURNED' } });
  }
  return events;
}
