import type { Decider } from '#event-store';
import { requireId } from '../../platform/shared/identifiers.ts';
import { unreachable } from '../../platform/shared/exhaustive.ts';
import { decideAppeal, fileAppeal } from './moderation-case/appeal.ts';
import type { ModerationCaseCommand } from './moderation-case/commands.ts';
import { claim, decideCase } from './moderation-case/decision.ts';
import type { ModerationCaseEvent } from './moderation-case/events.ts';
import { releaseCase } from './moderation-case/release.ts';
import { report } from './moderation-case/reports.ts';
import { expireSanction } from './moderation-case/sanctions.ts';
import { evolve, initialState, type ModerationCaseState } from './moderation-case/state.ts';

// The case's vocabulary lives in ./moderation-case/, one file per concern; this file keeps every name it exported
// before the split, so the handlers, read models and specs import from here as they always did.
export {
  APPEAL_OUTCOMES,
  CASE_STATUSES,
  CONTENT_STATUSES,
  FLAG_REASONS,
  isModerationCaseEvent,
  MODERATION_CASE_EVENT_SCHEMAS,
  MODERATION_CASE_EVENT_TYPES,
  MODERATION_OUTCOMES,
  SANCTION_KINDS,
  SANCTION_STATES,
} from './moderation-case/events.ts';
export type {
  AppealDecided,
  AppealFiled,
  AppealOutcome,
  CaseStatus,
  ContentFlagged,
  ContentStatus,
  FlagReason,
  GuidelineReference,
  ModerationCaseClaimed,
  ModerationCaseDecided,
  ModerationCaseEvent,
  ModerationCaseOpened,
  ModerationCaseReleased,
  ModerationOutcome,
  SanctionExpired,
  SanctionImposed,
  SanctionKind,
  SanctionLifted,
  SanctionStateName,
} from './moderation-case/events.ts';
export type {
  AuthorStanding,
  ClaimCase,
  DecideAppeal,
  DecideCase,
  ExpireSanction,
  FileAppeal,
  ModerationCaseCommand,
  ModeratorAuthority,
  ReleaseCase,
  ReportContent,
} from './moderation-case/commands.ts';
export type { CaseFile, ModerationCaseState, SanctionState } from './moderation-case/state.ts';
export {
  APPEAL_STATEMENT_MAX,
  CONTENT_ID_MAX,
  CONTENT_TYPE_MAX,
  DECISION_REASON_MAX,
  DEFAULT_APPEAL_WINDOW_DAYS,
  FLAG_NOTE_MAX,
  GUIDELINE_SECTION_MAX,
} from './moderation-case/rules.ts';
export { acceptsFlags, CaseClosedForFlagsError, requireContentId } from './moderation-case/reports.ts';
export { RELEASE_REASON_MAX } from './moderation-case/release.ts';

export const MODERATION_CASE_STREAM_CATEGORY = 'moderation_case';

/** Public: auditors pass it to `streamStateAt`. */
export function moderationCaseStreamId(caseId: string): string {
  return `${MODERATION_CASE_STREAM_CATEGORY}-${requireId(caseId, 'caseId')}`;
}

/**
 * The n-th case about one content item (n from 1). Deterministic, so "one open case per content item" is kept by
 * the case stream itself: two first reports race to create the same stream and the loser adds its flag instead.
 */
export function caseIdFor(contentId: string, caseNumber: number): string {
  return `${contentId}:${caseNumber}`;
}

function decide(command: ModerationCaseCommand, state: ModerationCaseState): ModerationCaseEvent[] {
  switch (command.type) {
    case 'ReportContent':
      return report(command, state);
    case 'ClaimCase':
      return claim(command, state);
    case 'DecideCase':
      return decideCase(command, state);
    case 'FileAppeal':
      return fileAppeal(command, state);
    case 'DecideAppeal':
      return decideAppeal(command, state);
    case 'ExpireSanction':
      return expireSanction(command, state);
    case 'ReleaseCase':
      return releaseCase(command, state);
    default:
      return unreachable('moderation case command', command, 'type');
  }
}

export const moderationCaseDecider: Decider<ModerationCaseCommand, ModerationCaseState, ModerationCaseEvent> = {
  initialState,
  evolve,
  decide,
};
