import { conflict, notFound } from '../../../platform/shared/domain-error.ts';
import { requireId } from '../../../platform/shared/identifiers.ts';
import type { CertificationLevelDefinition } from '../certification-level.decider.ts';
import type { CertificationFile, CertificationState } from './state.ts';

export const CERTIFICATION_STREAM_CATEGORY = 'certification';

/** Public: auditors pass it to `streamStateAt`. One stream per member: every award, renewal and end is in it. */
export function certificationStreamId(memberId: string): string {
  return `${CERTIFICATION_STREAM_CATEGORY}-${requireId(memberId, 'memberId')}`;
}

export const EVIDENCE_MAX = 2000;
export const CHANGE_REASON_MAX = 2000;
export const DEFAULT_RENEWAL_WINDOW_DAYS = 60;
const DAY_MS = 86_400_000;

/** The n-th award to a member (n from 1): deterministic, so it follows from the stream alone. */
export function certificationRecordId(memberId: string, awardNumber: number): string {
  return `${memberId}:${awardNumber}`;
}

/**
 * `iso` plus `months` calendar months in UTC, the time of day kept. A day that the target month lacks becomes its last
 * day (31 January + 1 month = 28 or 29 February), so a validity never runs into the month after.
 */
export function addMonths(iso: string, months: number): string {
  const start = new Date(iso);
  const target = new Date(start.getTime());
  target.setUTCDate(1);
  target.setUTCMonth(start.getUTCMonth() + months);
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(start.getUTCDate(), lastDay));
  return target.toISOString();
}

/** When a certification expiring at `expiresAt` enters its renewal window. */
export function renewalDueFrom(expiresAt: string, renewalWindowDays: number): string {
  return new Date(Date.parse(expiresAt) - renewalWindowDays * DAY_MS).toISOString();
}

/**
 * The programmes of levels 1..`level` not in `completed`, in the order of the levels and their lists, each once.
 * Levels missing from `levels` add nothing.
 */
export function missingProgrammes(levels: readonly CertificationLevelDefinition[], level: number, completed: Iterable<string>): string[] {
  const done = new Set(completed);
  const missing: string[] = [];
  for (const definition of [...levels].sort((a, b) => a.level - b.level)) {
    if (definition.level > level) break;
    for (const programmeId of definition.requiredProgrammes) {
      if (!done.has(programmeId) && !missing.includes(programmeId)) missing.push(programmeId);
    }
  }
  return missing;
}

// ---------------------------------------------------------------- checks

export function requireCertification(memberId: string, state: CertificationState, action: string): CertificationFile {
  if (state.status === 'NOT_CERTIFIED') throw conflict(`member ${memberId} has no certification to ${action}`);
  return state;
}

/** The certification while `recordId` is its current record; null when that record was replaced since. */
export function requireRecord(memberId: string, recordId: string, state: CertificationState): CertificationFile | null {
  if (state.status === 'NOT_CERTIFIED' || !state.records.some((record) => record.recordId === recordId)) {
    throw notFound(`member ${memberId} has no certification ${recordId}`);
  }
  return state.current.recordId === recordId ? state : null;
}

export function day(iso: string): string {
  return iso.slice(0, 10);
}
