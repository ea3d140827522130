import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { handleCommand, loadState, type EventMetadata, type GovernanceEventStore } from '#event-store';
import { logContext, logger } from '../../platform/observability/logger.ts';
import { DueWorkScheduler } from '../../platform/scheduling/due-work-scheduler.ts';
import type { Clock } from '../../platform/shared/clock.ts';
import { kpiTargetDecider, kpiTargetStreamId, type KpiId } from '../insights/index.ts';
import { MODERATION_PROJECTION, waitingModerationCases } from '../moderation/index.ts';
import {
  compileDigestFigures,
  notificationDigestDecider,
  notificationDigestStreamId,
  type CommunityManagerDigestFigures,
} from './community-manager-digest.ts';
import { anyoneSubscribedTo } from './notification-preferences.projection.ts';

export const COMMUNITY_MANAGER_DIGEST_SCHEDULER = 'community-manager-digest';
export const COMMUNITY_MANAGER_DIGEST_AUTHORITY = 'automation: daily digest hour reached';

export interface CommunityManagerDigestOptions {
  readonly events: GovernanceEventStore;
  /** The read models, where the moderation module's cases are read (through its waitingModerationCases). */
  readonly readModels: DataSource;
  readonly clock: Clock;
  readonly intervalMs: number;
  /** The hour of the day (UTC, 0 to 23) from which the day's digest is due. */
  readonly digestHour: number;
  /** See SchedulerContext.readModelsCaughtUp: the figures are read once the moderation read model has the log's head. */
  readonly readModelsCaughtUp: (readModels: readonly string[]) => Promise<void>;
}

/** One day's digest to compile. */
export interface DueDigest {
  readonly day: string;
}

/**
 * The day whose digest is due at `now`: today (UTC) from `digestHour` on, none before it. A day the service was down
 * from its digest hour to midnight gets no digest afterwards: a late summary of a past morning helps nobody, and the
 * next one comes the next morning.
 */
export function digestDayDue(now: Date, digestHour: number): string | null {
  return now.getUTCHours() >= digestHour ? now.toISOString().slice(0, 10) : null;
}

/**
 * Compiles the day's digest once the digest hour has come: every instance runs one, and the day's stream makes it
 * happen once (see compileCommunityManagerDigest). An instance remembers the last day it found compiled, so that
 * after that its passes read nothing until the next day.
 */
export function createCommunityManagerDigest(options: CommunityManagerDigestOptions): DueWorkScheduler<DueDigest> {
  let compiledDay: string | null = null;
  return new DueWorkScheduler<DueDigest>({
    name: COMMUNITY_MANAGER_DIGEST_SCHEDULER,
    clock: options.clock,
    intervalMs: options.intervalMs,
    findDue: async (now) => {
      const day = digestDayDue(now, options.digestHour);
      if (day === null || day === compiledDay) return [];
      // Nobody subscribed: nothing is recorded, and the day stays due, so that a manager who subscribes later in the
      // day still gets that day's digest. An installation without subscribers keeps its log free of daily digests.
      return (await anyoneSubscribedTo(options.readModels, 'COMMUNITY_MANAGER_DIGEST')) ? [{ day }] : [];
    },
    handle: async ({ day }, now) => {
      await compileCommunityManagerDigest(options, day, now);
      compiledDay = day;
    },
    describe: ({ day }) => `community managers' digest of ${day}`,
  });
}

/** The KPI targets the digest compares with: read from their streams through the insights module's decider (no read model holds them). */
async function currentTarget(events: GovernanceEventStore, kpi: KpiId): Promise<number | null> {
  const { state } = await loadState(events, kpiTargetStreamId(kpi, null), kpiTargetDecider);
  return state.status === 'set' ? state.value : null;
}

/** The figures as the moderation read model and the targets stand at `now`. */
export async function digestFiguresAt(
  events: GovernanceEventStore,
  readModels: DataSource,
  now: Date,
): Promise<CommunityManagerDigestFigures> {
  const [cases, backlog, waitingDays] = await Promise.all([
    waitingModerationCases(readModels),
    currentTarget(events, 'MODERATION_BACKLOG'),
    currentTarget(events, 'MODERATION_OLDEST_OPEN_CASE_DAYS'),
  ]);
  return compileDigestFigures(cases, { backlog, waitingDays }, now);
}

/**
 * Records the day's `CommunityManagerDigestCompiled` (actor `system`) unless the day's stream already holds it. The
 * first append creates the stream, expecting none; a second instance doing the same at the same moment is refused,
 * reads the stream again and finds the digest (by its commandId, which depends on the day alone), so it records
 * nothing. What is sent, and to whom, follows from the event through the outbox: the digest is mailed once per
 * subscriber, whichever instance compiled it.
 */
export async function compileCommunityManagerDigest(
  options: Pick<CommunityManagerDigestOptions, 'events' | 'readModels' | 'readModelsCaughtUp'>,
  day: string,
  now: Date,
): Promise<void> {
  const { events, readModels } = options;
  const streamId = notificationDigestStreamId(day);
  const loaded = await loadState(events, streamId, notificationDigestDecider);
  // Already compiled: the figures are not even read.
  if (loaded.state.compiledAt !== null) return;
  // The moderation read model may lag behind the log (a busy projection, another instance running it): its figures
  // would then be those of a past moment under today's date, under-counting the cases reported meanwhile.
  await options.readModelsCaughtUp([MODERATION_PROJECTION]);
  const figures = await digestFiguresAt(events, readModels, now);
  const correlationId = randomUUID();
  const metadata: EventMetadata = {
    actorId: 'system',
    actorRoles: [],
    authority: COMMUNITY_MANAGER_DIGEST_AUTHORITY,
    reason: null,
    source: 'automation',
    correlationId,
    causationId: null,
    commandId: `system/community-manager-digest/${day}`,
    occurredAt: now.toISOString(),
  };
  await logContext.run({ correlationId }, async () => {
    const result = await handleCommand({
      store: events,
      streamId,
      decider: notificationDigestDecider,
      command: { type: 'CompileCommunityManagerDigest', day, figures, at: now.toISOString() },
      metadata,
      loaded,
      retryOnConflict: 1,
    });
    if (result.events.length > 0 && !result.idempotentReplay) logger.info("community managers' digest compiled", { day, ...figures });
  });
}
