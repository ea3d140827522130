import { ignoreUnknownEvent } from '../../../platform/shared/exhaustive.ts';
import type { CertificationEvent } from './events.ts';

export const CERTIFICATION_STATUSES = ['NOT_CERTIFIED', 'CERTIFIED', 'DUE_FOR_RENEWAL', 'EXPIRED', 'SUSPENDED', 'REVOKED'] as const;
export type CertificationStatus = (typeof CERTIFICATION_STATUSES)[number];
/** The status of one award (a record): it exists, so it is never NOT_CERTIFIED. */
export type RecordStatus = Exclude<CertificationStatus, 'NOT_CERTIFIED'>;
export const RECORD_STATUSES: readonly RecordStatus[] = CERTIFICATION_STATUSES.filter(
  (status): status is RecordStatus => status !== 'NOT_CERTIFIED',
);
/** The statuses in which an award still holds its level: it ends by expiry, revocation or a higher award. */
export const LIVE_STATUSES: readonly RecordStatus[] = ['CERTIFIED', 'DUE_FOR_RENEWAL', 'SUSPENDED'];

// ---------------------------------------------------------------- state

export interface CertificationRecordState {
  readonly recordId: string;
  readonly awardNumber: number;
  readonly level: number;
  /** A record replaced by a higher award keeps the status it had, with endedAt and replacedByLevel set. */
  readonly status: RecordStatus;
  readonly awardedAt: string;
  readonly expiresAt: string;
  readonly endedAt: string | null;
  /** The reason given with the latest change a community manager made to this record. */
  readonly reason: string | null;
  readonly replacedByLevel: number | null;
  /** The renewal window of the current expiry was recorded (renewals reset it). */
  readonly dueForRenewalRecorded: boolean;
}

export interface CertificationFile {
  /** The current record's status. */
  readonly status: RecordStatus;
  readonly memberId: string;
  /** The latest award. */
  readonly current: CertificationRecordState;
  /** Every award, oldest first; the current one last. */
  readonly records: readonly CertificationRecordState[];
}

export type CertificationState = { readonly status: 'NOT_CERTIFIED' } | CertificationFile;

export const initialState: CertificationState = { status: 'NOT_CERTIFIED' };

export function evolve(state: CertificationState, event: CertificationEvent): CertificationState {
  if (event.type === 'CertificationAwarded') {
    const d = event.data;
    const record: CertificationRecordState = {
      recordId: d.recordId,
      awardNumber: d.awardNumber,
      level: d.level,
      status: 'CERTIFIED',
      awardedAt: d.awardedAt,
      expiresAt: d.expiresAt,
      endedAt: null,
      reason: null,
      replacedByLevel: null,
      dueForRenewalRecorded: false,
    };
    const earlier =
      state.status === 'NOT_CERTIFIED'
        ? []
        : state.records.map((r) => (r.recordId === d.replacedRecordId ? { ...r, endedAt: d.awardedAt, replacedByLevel: d.level } : r));
    return { status: 'CERTIFIED', memberId: d.memberId, current: record, records: [...earlier, record] };
  }
  if (state.status === 'NOT_CERTIFIED' || event.data.recordId !== state.current.recordId) return state;
  switch (event.type) {
    case 'CertificationDueForRenewal':
      return withCurrent(state, { status: 'DUE_FOR_RENEWAL', dueForRenewalRecorded: true });
    case 'CertificationExpired':
      return withCurrent(state, { status: 'EXPIRED', endedAt: event.data.expiredAt });
    case 'CertificationRenewed':
      return withCurrent(state, {
        status: 'CERTIFIED',
        expiresAt: event.data.expiresAt,
        endedAt: null,
        reason: event.data.reason,
        dueForRenewalRecorded: false,
      });
    case 'CertificationSuspended':
      return withCurrent(state, { status: 'SUSPENDED', reason: event.data.reason });
    case 'CertificationReinstated':
      return withCurrent(state, { status: event.data.status, reason: event.data.reason });
    case 'CertificationRevoked':
      return withCurrent(state, { status: 'REVOKED', endedAt: event.data.revokedAt, reason: event.data.reason });
    default:
      return ignoreUnknownEvent(event, state);
  }
}

function withCurrent(file: CertificationFile, change: Partial<CertificationRecordState>): CertificationFile {
  const current = { ...file.current, ...change };
  return { ...file, status: current.status, current, records: [...file.records.slice(0, -1), current] };
}

/**
 * The status at `at`: a live award whose expiry has passed is EXPIRED, even before the scheduler has recorded it (so
 * a lagging scheduler never lets an expired certification count). The renewal window is as recorded.
 */
export function certificationStatusAt(state: CertificationState, at: Date | string): CertificationStatus {
  if (state.status === 'NOT_CERTIFIED') return state.status;
  return recordStatusAt(state.current, at);
}

export function recordStatusAt(
  record: Pick<CertificationRecordState, 'status' | 'expiresAt' | 'replacedByLevel'>,
  at: Date | string,
): RecordStatus {
  const ms = typeof at === 'string' ? Date.parse(at) : at.getTime();
  const live = LIVE_STATUSES.includes(record.status) && record.replacedByLevel === null;
  return live && ms >= Date.parse(record.expiresAt) ? 'EXPIRED' : record.status;
}
