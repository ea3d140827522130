import { badInput, notFound } from '../../../platform/shared/domain-error.ts';
import type { CaseFile, ModerationCaseState } from './state.ts';

/** Leaves room for the case number in the case id (see caseIdFor). */
export const CONTENT_ID_MAX = 80;
export const CONTENT_TYPE_MAX = 50;
export const FLAG_NOTE_MAX = 2000;
export const DECISION_REASON_MAX = 2000;
export const APPEAL_STATEMENT_MAX = 4000;
export const GUIDELINE_SECTION_MAX = 200;
export const DEFAULT_APPEAL_WINDOW_DAYS = 30;

export function requireCase(caseId: string, state: ModerationCaseState): CaseFile {
  if (state.status === 'absent') throw notFound(`moderation case ${caseId} does not exist`);
  return state;
}

export function requireOneOf<T extends string>(value: string, allowed: readonly T[], field: string): T {
  if (!(allowed as readonly string[]).includes(value)) throw badInput(`${field} must be one of ${allowed.join(', ')}`, { field });
  return value as T;
}
