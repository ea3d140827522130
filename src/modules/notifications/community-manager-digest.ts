import type { Decider, EventSchemaDefinition } from '#event-store';
import { badInput } from '../../platform/shared/domain-error.ts';
import type { WaitingModerationCase } from '../moderation/index.ts';

/**
 * The community managers' daily digest (issue 21): one stream per day, `notification_digest-<YYYY-MM-DD>`, holding at
 * most one `CommunityManagerDigestCompiled`. Every instance's scheduler tries to compile the day's digest; the first
 * append creates the stream (expected revision "no stream"), and any other attempt finds it there and records nothing.
 * The event carries counts only (no case, member or content is named), so it is as readable in the log as a KPI.
 */
export const NOTIFICATION_DIGEST_STREAM_CATEGORY = 'notification_digest';

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 86_400_000;

export function notificationDigestStreamId(day: string): string {
  // A real day only: 2026-02-30 would otherwise roll over into March (and 2026-13-01 is no date at all).
  const midnight = DAY.test(day) ? Date.parse(`${day}T00:00:00.000Z`) : Number.NaN;
  if (Number.isNaN(midnight) || new Date(midnight).toISOString().slice(0, 10) !== day) {
    throw badInput(`day must be a date as YYYY-MM-DD (got "${day}")`, { field: 'day' });
  }
  return `${NOTIFICATION_DIGEST_STREAM_CATEGORY}-${day}`;
}

/** What the digest says about the moderation work waiting, as the day's compilation found it. */
export interface CommunityManagerDigestFigures {
  /** Cases waiting for a moderator, unclaimed (OPEN) and claimed (IN_REVIEW). */
  readonly open: number;
  readonly inReview: number;
  /** Both together: the backlog as the insights module's MODERATION_BACKLOG counts it. */
  readonly backlog: number;
  /** Appeals waiting for a decision. */
  readonly appealed: number;
  /** The MODERATION_BACKLOG target (at most), null when none is set. */
  readonly backlogTarget: number | null;
  /**
   * The MODERATION_OLDEST_OPEN_CASE_DAYS target (at most, in days): no case should wait longer. Null when none is
   * set, and then `overTarget` is null too (nothing to compare with).
   */
  readonly waitingTargetDays: number | null;
  /** Backlog cases waiting longer than `waitingTargetDays` since their first flag. */
  readonly overTarget: number | null;
  /**
   * Days the oldest backlog case has waited since its first flag, rounded up to a tenth (so a case over a target of
   * whole or tenths of days never shows as within it); null with an empty backlog.
   */
  readonly oldestWaitingDays: number | null;
}

/** A case waiting for someone, as the moderation module lists them (waitingModerationCases). */
export type DigestCase = WaitingModerationCase;

export interface DigestTargets {
  readonly backlog: number | null;
  readonly waitingDays: number | null;
}

/**
 * The figures from the waiting cases and the targets at `now`: pure, so a unit spec proves the counting. A case counts
 * as over the target when it has waited strictly longer (a target of 2 days lets a case wait exactly 2 days), as the
 * KPI is met when the oldest case's age is at most the target.
 */
export function compileDigestFigures(cases: readonly DigestCase[], targets: DigestTargets, now: Date): CommunityManagerDigestFigures {
  let open = 0;
  let inReview = 0;
  let appealed = 0;
  let overTarget = 0;
  let oldest: number | null = null;
  for (const waiting of cases) {
    if (waiting.status === 'APPEALED') {
      appealed++;
      continue;
    }
    if (waiting.status === 'OPEN') open++;
    else inReview++;
    const days = Math.max(0, now.getTime() - waiting.waitingSince.getTime()) / DAY_MS;
    if (targets.waitingDays !== null && days > targets.waitingDays) overTarget++;
    if (oldest === null || days > oldest) oldest = days;
  }
  return {
    open,
    inReview,
    backlog: open + inReview,
    appealed,
    backlogTarget: targets.backlog,
    waitingTargetDays: targets.waitingDays,
    overTarget: targets.waitingDays === null ? null : overTarget,
    // Through an integer of milli-tenths first, so that 2.0000000001 (a float's noise) is not rounded up to 2.1.
    oldestWaitingDays: oldest === null ? null : Math.ceil(Math.round(oldest * 10_000) / 1_000) / 10,
  };
}

// ---------------------------------------------------------------- events (stored names never change)

export interface CommunityManagerDigestCompiled {
  readonly type: 'CommunityManagerDigestCompiled';
  readonly data: CommunityManagerDigestFigures & {
    /** The day (UTC) the digest is for. */
    readonly day: string;
    readonly compiledAt: string;
  };
}

export type NotificationDigestEvent = CommunityManagerDigestCompiled;

/** Counts about the community, never about a person: nothing personal to encrypt. */
export const NOTIFICATION_DIGEST_EVENT_SCHEMAS: EventSchemaDefinition[] = [{ type: 'CommunityManagerDigestCompiled' }];

// ---------------------------------------------------------------- commands and state

/** Recorded by the service itself (actor `system`), never over GraphQL. */
export interface CompileCommunityManagerDigest {
  readonly type: 'CompileCommunityManagerDigest';
  readonly day: string;
  readonly figures: CommunityManagerDigestFigures;
  readonly at: string;
}

export interface NotificationDigestState {
  /** When the day's digest was compiled; null before. */
  readonly compiledAt: string | null;
}

function evolve(state: NotificationDigestState, event: NotificationDigestEvent): NotificationDigestState {
  // One event type: an unknown one (from a later version) is left alone.
  return event.type === 'CommunityManagerDigestCompiled' ? { compiledAt: event.data.compiledAt } : state;
}

function decide(command: CompileCommunityManagerDigest, state: NotificationDigestState): NotificationDigestEvent[] {
  // One digest a day: whoever compiled it first (another instance, this one before a restart) is what was sent.
  if (state.compiledAt !== null) return [];
  return [{ type: 'CommunityManagerDigestCompiled', data: { day: command.day, ...command.figures, compiledAt: command.at } }];
}

export const notificationDigestDecider: Decider<CompileCommunityManagerDigest, NotificationDigestState, NotificationDigestEvent> = {
  initialState: { compiledAt: null },
  evolve,
  decide,
};
