import { unreachable } from '../../../platform/shared/exhaustive.ts';
import { requireId, requireText } from '../../../platform/shared/identifiers.ts';
import type { ReleaseCase } from './commands.ts';
import type { ModerationCaseEvent } from './events.ts';
import { requireCase } from './rules.ts';
import type { ModerationCaseState } from './state.ts';

/** A line or two from the system (why the case went back), not a decision's argument. */
export const RELEASE_REASON_MAX = 500;

/**
 * Only a claimed case has anyone to release it from. For every other case there is nothing to record rather than an
 * error: the scheduler that sends this finds the cases through a read model that may lag (the case may have been
 * decided or released since) and retries, so a second release, or one that comes too late, must add nothing.
 * A case that does not exist is still an error: that is a wrong id, not a late retry.
 */
export function releaseCase(command: ReleaseCase, state: ModerationCaseState): ModerationCaseEvent[] {
  const caseId = requireId(command.caseId, 'caseId');
  const reason = requireText(command.reason, 'reason', RELEASE_REASON_MAX);
  const expectedAssignee = command.moderatorId === undefined ? undefined : requireId(command.moderatorId, 'moderatorId');
  const file = requireCase(caseId, state);
  switch (file.status) {
    case 'IN_REVIEW':
      if (file.assignee === null) return [];
      // Someone else claimed or took the case over since the sender looked: it stays theirs.
      if (expectedAssignee !== undefined && file.assignee !== expectedAssignee) return [];
      return [{ type: 'ModerationCaseReleased', data: { caseId, moderatorId: file.assignee, reason, releasedAt: command.at } }];
    case 'OPEN':
    case 'DECIDED':
    case 'APPEALED':
    case 'CLOSED':
      return [];
    default:
      return unreachable('moderation case status', file.status);
  }
}
