import type { Decider, EventSchemaDefinition } from '#event-store';
import type { MemberStatus } from '../members/index.ts';
import { conflict, notFound } from '../../platform/shared/domain-error.ts';
import { optionalText, requireId, requireText } from '../../platform/shared/identifiers.ts';
import { requireLevel, type CertificationLevelDefinition } from './certification-level.decider.ts';
import { ignoreUnknownEvent, unreachable } from '../../platform/shared/exhaustive.ts';

export const CERTIFICATION_STREAM_CATEGORY = 'certification';

/** Public: auditors pass it to `streamStateAt`. One stream per member: every award, renewal and end is in it. */
export function certificationStreamId(memberId: string): string {
  return `${CERTIFICATION_STREAM_CATEGORY}-${requireId(memberId, 'memberId')}`;
}

export const EVIDENCE_MAX = 2000;
export const CHANGE_REASON_MAX = 2000;
export const DEFAULT_RENEWAL_WINDOW_DAYS = 60;
const DAY_MS = 86_400_000;

export const CERTIFICATION_STATUSES = ['NOT_CERTIFIED', 'CERTIFIED', 'DUE_FOR_RENEWAL', 'EXPIRED', 'SUSPENDED', 'REVOKED'] as const;
export type CertificationStatus = (typeof CERTIFICATION_STATUSES)[number];
/** The status of one award (a record): it exists, so it is never NOT_CERTIFIED. */
export type RecordStatus = Exclude<CertificationStatus, 'NOT_CERTIFIED'>;
export const RECORD_STATUSES: readonly RecordStatus[] = CERTIFICATION_STATUSES.filter(
  (status): status is RecordStatus => status !== 'NOT_CERTIFIED',
);
/** The statuses in which an award still holds its level: it ends by expiry, revocation or a higher award. */
export const LIVE_STATUSES: readonly RecordStatus[] = ['CERTIFIED', 'DUE_FOR_RENEWAL', 'SUSPENDED'];

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

// ---------------------------------------------------------------- events (stored names never change)

export interface CertificationAwarded {
  readonly type: 'CertificationAwarded';
  readonly data: {
    readonly memberId: string;
    readonly recordId: string;
    readonly awardNumber: number;
    readonly level: number;
    /** The level's validity when awarded: expiresAt = awardedAt + validityMonths. */
    readonly validityMonths: number;
    readonly awardedAt: string;
    readonly expiresAt: string;
    /** Personal data of the member: what shows they earned it. */
    readonly evidence: string | null;
    readonly awardedBy: string;
    /** The live lower-level award this one replaces (it ends now, kept in the history). */
    readonly replacedRecordId: string | null;
  };
}

/** Recorded by the scheduler (actor `system`) once the renewal window opens. */
export interface CertificationDueForRenewal {
  readonly type: 'CertificationDueForRenewal';
  readonly data: {
    readonly memberId: string;
    readonly recordId: string;
    readonly level: number;
    readonly expiresAt: string;
    /** When the window opened (expiresAt minus the window), not the moment the scheduler noticed it. */
    readonly dueFrom: string;
  };
}

/** Recorded by the scheduler (actor `system`), or on the way by a command that finds the expiry passed. */
export interface CertificationExpired {
  readonly type: 'CertificationExpired';
  readonly data: {
    readonly memberId: string;
    readonly recordId: string;
    readonly level: number;
    /** The expiry date, not the moment it was noticed. */
    readonly expiredAt: string;
  };
}

export interface CertificationRenewed {
  readonly type: 'CertificationRenewed';
  readonly data: {
    readonly memberId: string;
    readonly recordId: string;
    readonly level: number;
    readonly validityMonths: number;
    readonly previousExpiresAt: string;
    readonly expiresAt: string;
    readonly renewedBy: string;
    readonly renewedAt: string;
    readonly reason: string;
  };
}

export interface CertificationSuspended {
  readonly type: 'CertificationSuspended';
  readonly data: {
    readonly memberId: string;
    readonly recordId: string;
    readonly level: number;
    readonly suspendedBy: string;
    readonly suspendedAt: string;
    readonly reason: string;
  };
}

export interface CertificationReinstated {
  readonly type: 'CertificationReinstated';
  readonly data: {
    readonly memberId: string;
    readonly recordId: string;
    readonly level: number;
    /** What the suspension interrupted: DUE_FOR_RENEWAL when the renewal window had already been recorded. */
    readonly status: 'CERTIFIED' | 'DUE_FOR_RENEWAL';
    readonly reinstatedBy: string;
    readonly reinstatedAt: string;
    readonly reason: string;
  };
}

export interface CertificationRevoked {
  readonly type: 'CertificationRevoked';
  readonly data: {
    readonly memberId: string;
    readonly recordId: string;
    readonly level: number;
    readonly revokedBy: string;
    readonly revokedAt: string;
    readonly reason: string;
  };
}

export type CertificationEvent =
  | CertificationAwarded
  | CertificationDueForRenewal
  | CertificationExpired
  | CertificationRenewed
  | CertificationSuspended
  | CertificationReinstated
  | CertificationRevoked;

export const CERTIFICATION_EVENT_TYPES: readonly CertificationEvent['type'][] = [
  'CertificationAwarded',
  'CertificationDueForRenewal',
  'CertificationExpired',
  'CertificationRenewed',
  'CertificationSuspended',
  'CertificationReinstated',
  'CertificationRevoked',
];

export function isCertificationEvent(event: { readonly type: string }): event is CertificationEvent {
  return (CERTIFICATION_EVENT_TYPES as readonly string[]).includes(event.type);
}

/**
 * The evidence of an award is the member's own record of their work: encrypted with the member's key. The reasons of
 * renewals, suspensions, reinstatements and revocations are the staff's record of why they acted and stay readable
 * for auditors (as moderation decisions' reasons do).
 */
export const CERTIFICATION_EVENT_SCHEMAS: EventSchemaDefinition[] = CERTIFICATION_EVENT_TYPES.map((type) => {
  switch (type) {
    case 'CertificationAwarded':
      return { type, personal: { fields: ['evidence'], subject: (data) => String(data['memberId']) } };
    default:
      return { type };
  }
});

// ---------------------------------------------------------------- commands

/** Community managers only: the handler checks the role; the decider the rules. */
export interface AwardCertification {
  readonly type: 'AwardCertification';
  readonly memberId: string;
  readonly level: number;
  readonly evidence: string | null;
  /** The member as their own stream says now. */
  readonly member: MemberStatus;
  /** Levels 1..level as their streams define them now (shorter when `level` is not defined). */
  readonly levels: readonly CertificationLevelDefinition[];
  /** Of the programmes those levels require, the ones the member has completed. */
  readonly completedProgrammes: readonly string[];
  readonly actorId: string;
  readonly at: string;
}

export interface RenewCertification {
  readonly type: 'RenewCertification';
  readonly memberId: string;
  readonly reason: string;
  /** Every defined level: the renewal takes the current validity of the award's level. */
  readonly levels: readonly CertificationLevelDefinition[];
  readonly actorId: string;
  readonly at: string;
}

export interface SuspendCertification {
  readonly type: 'SuspendCertification';
  readonly memberId: string;
  readonly reason: string;
  readonly actorId: string;
  readonly at: string;
}

export interface ReinstateCertification {
  readonly type: 'ReinstateCertification';
  readonly memberId: string;
  readonly reason: string;
  readonly actorId: string;
  readonly at: string;
}

export interface RevokeCertification {
  readonly type: 'RevokeCertification';
  readonly memberId: string;
  readonly reason: string;
  readonly actorId: string;
  readonly at: string;
}

/** The scheduler's: `at` is its clock, and nothing is recorded before the window opens, whatever the read model said. */
export interface MarkCertificationDueForRenewal {
  readonly type: 'MarkCertificationDueForRenewal';
  readonly memberId: string;
  readonly recordId: string;
  /** The expiry the scheduler saw: a renewal since then makes the item stale. */
  readonly expiresAt: string;
  readonly renewalWindowDays: number;
  readonly at: string;
}

/** The scheduler's: nothing expires before its date. */
export interface ExpireCertification {
  readonly type: 'ExpireCertification';
  readonly memberId: string;
  readonly recordId: string;
  readonly expiresAt: string;
  readonly at: string;
}

export type CertificationCommand =
  | AwardCertification
  | RenewCertification
  | SuspendCertification
  | ReinstateCertification
  | RevokeCertification
  | MarkCertificationDueForRenewal
  | ExpireCertification;

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

const initialState: CertificationState = { status: 'NOT_CERTIFIED' };

function evolve(state: CertificationState, event: CertificationEvent): CertificationState {
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

function decide(command: CertificationCommand, state: CertificationState): CertificationEvent[] {
  switch (command.type) {
    case 'AwardCertification':
      return award(command, state);
    case 'RenewCertification':
      return renew(command, state);
    case 'SuspendCertification':
      return suspend(command, state);
    case 'ReinstateCertification':
      return reinstate(command, state);
    case 'RevokeCertification':
      return revoke(command, state);
    case 'MarkCertificationDueForRenewal':
      return markDueForRenewal(command, state);
    case 'ExpireCertification':
      return expire(command, state);
    default:
      return unreachable('certification command', command, 'type');
  }
}

export const certificationDecider: Decider<CertificationCommand, CertificationState, CertificationEvent> = {
  initialState,
  evolve,
  decide,
};

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

// ---------------------------------------------------------------- award

function award(command: AwardCertification, state: CertificationState): CertificationEvent[] {
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

// ---------------------------------------------------------------- renew, suspend, reinstate, revoke

function renew(command: RenewCertification, state: CertificationState): CertificationEvent[] {
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

function suspend(command: SuspendCertification, state: CertificationState): CertificationEvent[] {
  const memberId = requireId(command.memberId, 'memberId');
  const reason = requireText(command.reason, 'reason', CHANGE_REASON_MAX);
  const file = requireCertification(memberId, state, 'suspend');
  const current = file.current;
  const status = recordStatusAt(current, command.at);
  switch (status) {
    case 'CERTIFIED':
    case 'DUE_FOR_RENEWAL':
      // The expiry date stays: a suspension does not stop the clock.
      return [
        {
          type: 'CertificationSuspended',
          data: {
            memberId,
            recordId: current.recordId,
            level: current.level,
            suspendedBy: command.actorId,
            suspendedAt: command.at,
            reason,
          },
        },
      ];
    case 'SUSPENDED':
      throw conflict(`the certification of member ${memberId} is already suspended`);
    case 'EXPIRED':
      throw conflict(`the certification of member ${memberId} expired on ${day(current.expiresAt)}: there is nothing to suspend`);
    case 'REVOKED':
      throw conflict(`the certification of member ${memberId} was revoked: there is nothing to suspend`);
    default:
      return unreachable('certification status', status);
  }
}

function reinstate(command: ReinstateCertification, state: CertificationState): CertificationEvent[] {
  const memberId = requireId(command.memberId, 'memberId');
  const reason = requireText(command.reason, 'reason', CHANGE_REASON_MAX);
  const file = requireCertification(memberId, state, 'reinstate');
  const current = file.current;
  switch (current.status) {
    case 'SUSPENDED':
      break;
    case 'CERTIFIED':
    case 'DUE_FOR_RENEWAL':
      throw conflict(`the certification of member ${memberId} is not suspended: there is nothing to reinstate`);
    case 'EXPIRED':
      throw conflict(`the certification of member ${memberId} expired on ${day(current.expiresAt)}: renew it instead`);
    case 'REVOKED':
      throw conflict(`the certification of member ${memberId} was revoked: a revocation is final, award a new certification`);
    default:
      return unreachable('certification status', current.status);
  }
  if (recordStatusAt(current, command.at) === 'EXPIRED') {
    throw conflict(`the certification of member ${memberId} expired on ${day(current.expiresAt)} while suspended: renew it instead`);
  }
  return [
    {
      type: 'CertificationReinstated',
      data: {
        memberId,
        recordId: current.recordId,
        level: current.level,
        // The renewal window is recorded once per expiry: a suspension that interrupted it gives it back.
        status: current.dueForRenewalRecorded ? 'DUE_FOR_RENEWAL' : 'CERTIFIED',
        reinstatedBy: command.actorId,
        reinstatedAt: command.at,
        reason,
      },
    },
  ];
}

function revoke(command: RevokeCertification, state: CertificationState): CertificationEvent[] {
  const memberId = requireId(command.memberId, 'memberId');
  const reason = requireText(command.reason, 'reason', CHANGE_REASON_MAX);
  const file = requireCertification(memberId, state, 'revoke');
  const current = file.current;
  const status = recordStatusAt(current, command.at);
  switch (status) {
    case 'CERTIFIED':
    case 'DUE_FOR_RENEWAL':
    case 'SUSPENDED':
      return [
        {
          type: 'CertificationRevoked',
          data: { memberId, recordId: current.recordId, level: current.level, revokedBy: command.actorId, revokedAt: command.at, reason },
        },
      ];
    case 'EXPIRED':
      throw conflict(`the certification of member ${memberId} expired on ${day(current.expiresAt)}: there is nothing to revoke`);
    case 'REVOKED':
      throw conflict(`the certification of member ${memberId} is already revoked`);
    default:
      return unreachable('certification status', status);
  }
}

// ---------------------------------------------------------------- the scheduler's

function markDueForRenewal(command: MarkCertificationDueForRenewal, state: CertificationState): CertificationEvent[] {
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

function expire(command: ExpireCertification, state: CertificationState): CertificationEvent[] {
  const file = requireRecord(command.memberId, command.recordId, state);
  if (file === null) return [];
  const current = file.current;
  // Renewed since the item was read, not live any more (expired already, revoked), or not due yet: nothing to record.
  // A suspended certification expires at its date all the same.
  if (current.expiresAt !== command.expiresAt || !LIVE_STATUSES.includes(current.status)) return [];
  if (Date.parse(command.at) < Date.parse(current.expiresAt)) return [];
  return [expiredEvent(file)];
}

function expiredEvent(file: CertificationFile): CertificationExpired {
  const { recordId, level, expiresAt } = file.current;
  return { type: 'CertificationExpired', data: { memberId: file.memberId, recordId, level, expiredAt: expiresAt } };
}

// ---------------------------------------------------------------- checks

function requireCertification(memberId: string, state: CertificationState, action: string): CertificationFile {
  if (state.status === 'NOT_CERTIFIED') throw conflict(`member ${memberId} has no certification to ${action}`);
  return state;
}

/** The certification while `recordId` is its current record; null when that record was replaced since. */
function requireRecord(memberId: string, recordId: string, state: CertificationState): CertificationFile | null {
  if (state.status === 'NOT_CERTIFIED' || !state.records.some((record) => record.recordId === recordId)) {
    throw notFound(`member ${memberId} has no certification ${recordId}`);
  }
  return state.current.recordId === recordId ? state : null;
}

function day(iso: string): string {
  return iso.slice(0, 10);
}
