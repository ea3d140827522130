import type { DataSource } from 'typeorm';
import { handleCommand, type EventMetadata, type GovernanceEventStore } from '#event-store';
import { logContext, logger } from '../../platform/observability/logger.ts';
import { DueWorkScheduler } from '../../platform/scheduling/due-work-scheduler.ts';
import type { Clock } from '../../platform/shared/clock.ts';
import { MEMBERS_TABLE } from '../members/index.ts';
import { ERASURE_REQUESTS_TABLE, privacyDecider, privacyStreamId } from '../privacy/index.ts';

export const LEAVER_ERASURE_SCHEDULER = 'leaver-erasure';

export interface LeaverDueForErasure {
  readonly memberId: string;
  readonly leftAt: Date;
}

export interface LeaverErasureOptions {
  readonly events: GovernanceEventStore;
  readonly readModels: DataSource;
  readonly clock: Clock;
  readonly intervalMs: number;
  /** LEAVER_ERASURE_AFTER_DAYS. */
  readonly afterDays: number;
  /** Digests of commands' inputs may hold the member's data too: forgotten with the key, as a privacy officer's erasure does. */
  readonly forgetCommandInputs: () => Promise<void>;
  readonly batchSize?: number;
}

/** Who ordered an erasure the retention rule made: the rule, named with its setting. */
export function leaverErasureAuthority(afterDays: number): string {
  return `automation: personal data erased ${afterDays} days after the member left (LEAVER_ERASURE_AFTER_DAYS)`;
}

/**
 * The retention rule for leavers: `afterDays` after a member left, their personal data is erased the way a privacy
 * officer's request erases it (requested, key destroyed, completed; every read model purges its copies). Each step is
 * safe to repeat, and an erasure left half-done by a crash (REQUESTED) is finished on the next pass; a member whose
 * erasure a privacy officer already completed is not found.
 */
export function createLeaverErasureScheduler(options: LeaverErasureOptions): DueWorkScheduler<LeaverDueForErasure> {
  const { events, readModels, afterDays } = options;
  return new DueWorkScheduler<LeaverDueForErasure>({
    name: LEAVER_ERASURE_SCHEDULER,
    clock: options.clock,
    intervalMs: options.intervalMs,
    ...(options.batchSize !== undefined ? { batchSize: options.batchSize } : {}),
    findDue: (now, limit) => findLeaversDueForErasure(readModels, now, afterDays, limit),
    handle: (item, now) => eraseLeaver(events, item, now, afterDays, options.forgetCommandInputs),
    describe: (item) => `erasure of leaver ${item.memberId} (left ${item.leftAt.toISOString()})`,
  });
}

export async function findLeaversDueForErasure(
  readModels: DataSource,
  now: Date,
  afterDays: number,
  limit: number,
): Promise<LeaverDueForErasure[]> {
  const rows: { member_id: string; left_at: Date }[] = await readModels.query(
    `SELECT m.member_id, m.left_at
       FROM read_models.${MEMBERS_TABLE} m
       LEFT JOIN read_models.${ERASURE_REQUESTS_TABLE} e ON e.member_id = m.member_id
      WHERE m.status = 'LEFT' AND m.left_at <= $1::timestamptz - make_interval(days => $2)
        AND (e.status IS NULL OR e.status <> 'COMPLETED')
      ORDER BY m.left_at, m.member_id
      LIMIT $3`,
    [now, afterDays, limit],
  );
  return rows.map((row) => ({ memberId: row.member_id, leftAt: new Date(row.left_at) }));
}

export async function eraseLeaver(
  events: GovernanceEventStore,
  item: LeaverDueForErasure,
  now: Date,
  afterDays: number,
  forgetCommandInputs: () => Promise<void>,
): Promise<void> {
  const { memberId } = item;
  const streamId = privacyStreamId(memberId);
  const at = now.toISOString();
  const correlationId = `system/leaver-erasure/${memberId}`;
  const metadata = (step: string): EventMetadata => ({
    actorId: 'system',
    actorRoles: [],
    authority: leaverErasureAuthority(afterDays),
    reason: null,
    source: 'automation',
    correlationId,
    causationId: null,
    commandId: `system/leaver-erasure/${memberId}/${step}`,
    occurredAt: at,
  });
  await logContext.run({ correlationId }, async () => {
    const reason = `retention: left the organisation more than ${afterDays} days ago`;
    await handleCommand({
      store: events,
      streamId,
      decider: privacyDecider,
      command: { type: 'RequestErasure', memberId, reason, at },
      metadata: metadata('request'),
      retryOnConflict: 3,
    });
    // Only once the request is recorded: an erasure that could not be recorded destroys nothing.
    await events.forgetSubject(memberId);
    await forgetCommandInputs();
    const completed = await handleCommand({
      store: events,
      streamId,
      decider: privacyDecider,
      command: { type: 'CompleteErasure', memberId, at },
      metadata: metadata('complete'),
      retryOnConflict: 3,
    });
    if (completed.events.length > 0 && !completed.idempotentReplay) logger.info("a leaver's personal data was erased", { memberId });
  });
}
