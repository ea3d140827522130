import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { handleCommand, type EventMetadata, type GovernanceEventStore } from '#event-store';
import { logContext, logger } from '../../platform/observability/logger.ts';
import { DueWorkScheduler } from '../../platform/scheduling/due-work-scheduler.ts';
import type { Clock } from '../../platform/shared/clock.ts';
import { moderationCaseDecider, moderationCaseStreamId } from './moderation-case.decider.ts';
import type { SanctionRow } from './read-models/moderation.projection.ts';

export const SANCTION_EXPIRY_SCHEDULER = 'sanction-expiry';
export const SANCTION_EXPIRY_AUTHORITY = 'automation: sanction end date reached';

/** An active sanction whose end date has passed: what the scheduler expires. */
export type DueSanction = Readonly<Pick<SanctionRow, 'caseId' | 'sanctionId'>> & { readonly until: Date };

export interface SanctionExpirySchedulerOptions {
  readonly events: GovernanceEventStore;
  /** The read models (the one data source they are read through), where `read_models.moderation_sanctions` is. */
  readonly readModels: DataSource;
  readonly clock: Clock;
  readonly intervalMs: number;
  readonly batchSize?: number;
}

/**
 * Records `SanctionExpired` (actor `system`) for every active sanction whose end date has passed. Every instance of
 * the service may run one: the read model only says where to look, and the case's own stream decides. The decider
 * records nothing for a sanction that is no longer active (expired by another instance, lifted by an appeal), is
 * permanent or is not due yet, so a lagging read model, a restart or a second instance cannot record it twice. Two
 * instances appending the expiry at the same moment append the same event ids (see expireSanction): the store keeps
 * the first and answers the second with it. Any other append racing on the case (an appeal decided at that moment)
 * makes the stream's expected revision fail, and the retry decides again on the new state.
 */
export function createSanctionExpiryScheduler(options: SanctionExpirySchedulerOptions): DueWorkScheduler<DueSanction> {
  const { events, readModels } = options;
  return new DueWorkScheduler<DueSanction>({
    name: SANCTION_EXPIRY_SCHEDULER,
    clock: options.clock,
    intervalMs: options.intervalMs,
    ...(options.batchSize !== undefined ? { batchSize: options.batchSize } : {}),
    findDue: (now, limit) => findDueSanctions(readModels, now, limit),
    handle: (sanction, now) => expireSanction(events, sanction, now),
    describe: (sanction) => `sanction ${sanction.sanctionId} of case ${sanction.caseId} (until ${sanction.until.toISOString()})`,
  });
}

/** Active sanctions with an end date at or before `now`, the longest overdue first. */
export async function findDueSanctions(readModels: DataSource, now: Date, limit: number): Promise<DueSanction[]> {
  const rows: { case_id: string; sanction_id: string; until: Date }[] = await readModels.query(
    `SELECT case_id, sanction_id, until FROM read_models.moderation_sanctions
      WHERE state = 'active' AND until IS NOT NULL AND until <= $1
      ORDER BY until, sanction_id LIMIT $2`,
    [now, limit],
  );
  return rows.map((row) => ({ caseId: row.case_id, sanctionId: row.sanction_id, until: new Date(row.until) }));
}

/**
 * Runs `ExpireSanction` on the case's stream at `now`. Nothing else: the read models follow the log. The commandId
 * depends only on the sanction, so a retry (or another instance) maps to the same event ids and finds the event that
 * was already recorded instead of adding one.
 */
export async function expireSanction(events: GovernanceEventStore, sanction: DueSanction, now: Date): Promise<void> {
  const correlationId = randomUUID();
  const metadata: EventMetadata = {
    actorId: 'system',
    actorRoles: [],
    authority: SANCTION_EXPIRY_AUTHORITY,
    reason: null,
    source: 'automation',
    correlationId,
    causationId: null,
    commandId: `system/expire-sanction/${sanction.sanctionId}`,
    occurredAt: now.toISOString(),
  };
  await logContext.run({ correlationId }, async () => {
    const result = await handleCommand({
      store: events,
      streamId: moderationCaseStreamId(sanction.caseId),
      decider: moderationCaseDecider,
      command: { type: 'ExpireSanction', caseId: sanction.caseId, sanctionId: sanction.sanctionId, at: now.toISOString() },
      metadata,
      retryOnConflict: 3,
    });
    if (result.events.length > 0 && !result.idempotentReplay) {
      logger.info('sanction expired', { caseId: sanction.caseId, sanctionId: sanction.sanctionId, until: sanction.until.toISOString() });
    }
  });
}
