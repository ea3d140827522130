import { badInput, conflict, DomainError } from '../../../platform/shared/domain-error.ts';
import { optionalText, requireId, requireText } from '../../../platform/shared/identifiers.ts';
import type { ReportContent } from './commands.ts';
import { FLAG_REASONS, type ContentFlagged, type ModerationCaseEvent } from './events.ts';
import { CONTENT_ID_MAX, CONTENT_TYPE_MAX, FLAG_NOTE_MAX, requireOneOf } from './rules.ts';
import type { ModerationCaseState } from './state.ts';

/** Whether a report about the case's content adds its flag here; otherwise it belongs to the next case. */
export function acceptsFlags(state: ModerationCaseState): boolean {
  return state.status === 'OPEN' || state.status === 'IN_REVIEW';
}

/** Thrown when a report reaches a case that was decided meanwhile: the handler moves on to the next case number. */
export class CaseClosedForFlagsError extends DomainError {
  constructor(caseId: string) {
    super('CONFLICT', `case ${caseId} is already decided: a new report opens a new case`);
  }
}

export function report(command: ReportContent, state: ModerationCaseState): ModerationCaseEvent[] {
  const caseId = requireId(command.caseId, 'caseId');
  const contentId = requireContentId(command.contentId);
  const contentType = requireText(command.contentType, 'contentType', CONTENT_TYPE_MAX);
  const authorId = requireId(command.authorId, 'authorId');
  const groupId = command.groupId === null ? null : requireId(command.groupId, 'groupId');
  const reporterId = requireId(command.reporterId, 'reporterId');
  const reason = requireOneOf(command.reason, FLAG_REASONS, 'reason');
  const note = optionalText(command.note, 'note', FLAG_NOTE_MAX);
  if (reporterId === authorId) throw new DomainError('FORBIDDEN', 'you cannot report your own content');

  const flag: ContentFlagged = { type: 'ContentFlagged', data: { caseId, reporterId, reason, note, flaggedAt: command.at } };
  if (state.status === 'absent') {
    return [
      {
        type: 'ModerationCaseOpened',
        data: {
          caseId,
          caseNumber: command.caseNumber,
          contentId,
          contentType,
          authorId,
          groupId,
          contentStatus: command.contentStatus,
          openedAt: command.at,
        },
      },
      flag,
    ];
  }
  if (state.contentId !== contentId) throw new Error(`case ${caseId} is about ${state.contentId}, not ${contentId}`);
  // The content's facts are fixed by the first report; a report that disagrees about them is refused, not merged.
  if (state.authorId !== authorId) {
    throw conflict(`content ${contentId} was reported with author ${state.authorId}, not ${authorId}`, { field: 'authorId' });
  }
  if (state.groupId !== groupId) {
    throw conflict(`content ${contentId} was reported in ${state.groupId === null ? 'no group' : `group ${state.groupId}`}`, {
      field: 'groupId',
    });
  }
  if (!acceptsFlags(state)) throw new CaseClosedForFlagsError(caseId);
  if (state.reporters.includes(reporterId)) return [];
  return [flag];
}

export function requireContentId(value: string): string {
  const contentId = requireId(value, 'contentId');
  if (contentId.length > CONTENT_ID_MAX) throw badInput(`contentId must be at most ${CONTENT_ID_MAX} characters`, { field: 'contentId' });
  return contentId;
}
