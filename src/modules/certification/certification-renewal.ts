import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { handleCommand, type EventMetadata, type GovernanceEventStore } from '#event-store';
import { logContext, logger } from '../../platform/observability/logger.ts';
import { DueWorkScheduler } from '../../platform/scheduling/due-work-scheduler.ts';
import type { Clock } from '../../platform/shared/clock.ts';
import { sqlIn } from '../../platform/shared/sql.ts';
import { certificationDecider, certificationStreamId, LIVE_STATUSES, type CertificationCommand } from './certification.decider.ts';
import type { MemberCertificationRow } from './read-models/certification.projection.ts';

/** Work for the renewal scheduler: one kind per item, so that the two are recorded independently. */
export type DueCertification = Readonly<Pick<MemberCertificationRow, 'memberId' | 'recordId' | 'expiresAt'>> & {
  readonly kind: 'renewal' | 'expiry';
};

export const CERTIFICATION_RENEWAL_SCHEDULER = 'certification-renewal';
export const CERTIFICATION_DUE_AUTHORITY = 'automation: certification renewal window reached';
export const CERTIFICATION_EXPIRY_AUTHORITY = 'automation: certification expiry date reached';

export interface CertificationRenewalSchedulerOptions {
  readonly events: GovernanceEventStore;
  /** The read models (the one data source they are read through), where `read_models.certifications` is. */
  readonly readModels: DataSource;
  readonly clock: Clock;
  readonly intervalMs: number;
  /** How many days before its expiry a certification is due for renewal. */
  readonly renewalWindowDays: number;
  readonly batchSize?: number;
}

/**
 * Records `CertificationDueForRenewal` once a certification's renewal window opens and `CertificationExpired` once its
 * expiry passes (actor `system`). Every instance of the service may run one: the read model only says where to look,
 * and the member's certification stream decides. The decider records nothing for an award that is not due yet, was
 * renewed, replaced, revoked or already recorded, so a lagging read model, a restart or a second instance cannot record
 * anything twice; two instances appending the same thing at the same moment append the same event ids (the commandId
 * depends only on the award and its expiry date), and the store keeps the first.
 */
export function createCertificationRenewalScheduler(options: CertificationRenewalSchedulerOptions): DueWorkScheduler<DueCertification> {
  const { events, readModels, renewalWindowDays } = options;
  return new DueWorkScheduler<DueCertification>({
    name: CERTIFICATION_RENEWAL_SCHEDULER,
    clock: options.clock,
    intervalMs: options.intervalMs,
    ...(options.batchSize !== undefined ? { batchSize: options.batchSize } : {}),
    findDue: (now, limit) => findDueCertifications(readModels, now, renewalWindowDays, limit),
    handle: (item, now) => recordDueCertification(events, item, now, renewalWindowDays),
    describe: (item) => `${item.kind} of certification ${item.recordId} (expires ${item.expiresAt.toISOString()})`,
  });
}

/**
 * Live certifications past their expiry (kind `expiry`), and certified ones inside their renewal window but not yet
 * expired (kind `renewal`), the longest overdue first.
 */
export async function findDueCertifications(
  readModels: DataSource,
  now: Date,
  renewalWindowDays: number,
  limit: number,
): Promise<DueCertification[]> {
  const rows: { kind: 'renewal' | 'expiry'; member_id: string; record_id: string; expires_at: Date }[] = await readModels.query(
    `SELECT kind, member_id, record_id, expires_at FROM (
         SELECT 'expiry' AS kind, member_id, record_id, expires_at, expires_at AS due_at
           FROM read_models.certifications
          WHERE status IN ${sqlIn(LIVE_STATUSES)} AND expires_at <= $1
       UNION ALL
         SELECT 'renewal', member_id, record_id, expires_at, expires_at - make_interval(days => $2)
           FROM read_models.certifications
          WHERE status = 'CERTIFIED' AND expires_at > $1 AND expires_at - make_interval(days => $2) <= $1
     ) due
     ORDER BY due_at, record_id, kind
     LIMIT $3`,
    [now, renewalWindowDays, limit],
  );
  return rows.map((row) => ({ kind: row.kind, memberId: row.member_id, recordId: row.record_id, expiresAt: new Date(row.expires_at) }));
}

/** The commandId of the scheduler's work on one award and expiry date: a retry or another instance maps to the same event ids. */
export function certificationDueCommandId(item: Pick<DueCertification, 'kind' | 'recordId' | 'expiresAt'>): string {
  const action = item.kind === 'expiry' ? 'expire-certification' : 'certification-due-for-renewal';
  return `system/${action}/${item.recordId}/${item.expiresAt.toISOString()}`;
}

/** Runs the item's command on the member's certification stream at `now`. Nothing else: the read models follow the log. */
export async function recordDueCertification(
  events: GovernanceEventStore,
  item: DueCertification,
  now: Date,
  renewalWindowDays: number,
): Promise<void> {
  const correlationId = randomUUID();
  const at = now.toISOString();
  const expiresAt = item.expiresAt.toISOString();
  const metadata: EventMetadata = {
    actorId: 'system',
    actorRoles: [],
    authority: item.kind === 'expiry' ? CERTIFICATION_EXPIRY_AUTHORITY : CERTIFICATION_DUE_AUTHORITY,
    reason: null,
    source: 'automation',
    correlationId,
    causationId: null,
    commandId: certificationDueCommandId(item),
    occurredAt: at,
  };
  const command: CertificationCommand =
    item.kind === 'expiry'
      ? { type: 'ExpireCertification', memberId: item.memberId, recordId: item.recordId, expiresAt, at }
      : { type: 'MarkCertificationDueForRenewal', memberId: item.memberId, recordId: item.recordId, expiresAt, renewalWindowDays, at };
  await logContext.run({ correlationId }, async () => {
    const result = await handleCommand({
      store: events,
      streamId: certificationStreamId(item.memberId),
      decider: certificationDecider,
      command,
      metadata,
      retryOnConflict: 3,
    });
    if (result.events.length > 0 && !result.idempotentReplay) {
      logger.info(item.kind === 'expiry' ? 'certification expired' : 'certification due for renewal', {
        memberId: item.memberId,
        recordId: item.recordId,
        expiresAt,
      });
    }
  });
}
