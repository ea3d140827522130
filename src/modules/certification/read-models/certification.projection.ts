import type pg from 'pg';
import type { StoredEvent } from '#event-store';
import type { ProjectionContext } from '#projections';
import { columns, readModelProjection, readModelTable, type RowOf } from '../../../platform/infrastructure/read-model-table.ts';
import {
  CERTIFICATION_LEVEL_STREAM_CATEGORY,
  isCertificationLevelEvent,
  type CertificationLevelEvent,
} from '../certification-level.decider.ts';
import { sqlIn } from '../../../platform/shared/sql.ts';
import {
  CERTIFICATION_STREAM_CATEGORY,
  isCertificationEvent,
  LIVE_STATUSES,
  RECORD_STATUSES,
  type CertificationEvent,
  type RecordStatus,
} from '../certification.decider.ts';

export const CERTIFICATION_PROJECTION = 'certification';

/** The defined levels, one row each. */
export const CERTIFICATION_LEVELS = readModelTable('certification_levels', {
  level: columns.int().primary(),
  name: columns.text(),
  requiredProgrammes: columns.jsonb<string[]>(),
  validityMonths: columns.int(),
  /** The revision of the level's stream. */
  revision: columns.int(),
  definedAt: columns.timestamptz(),
  updatedAt: columns.timestamptz(),
});
export type CertificationLevelRow = RowOf<typeof CERTIFICATION_LEVELS>;
export const CERTIFICATION_LEVELS_TABLE = CERTIFICATION_LEVELS.name;

/** A member's current (latest) award: one row per member ever certified. */
export const CERTIFICATIONS = readModelTable(
  'certifications',
  {
    memberId: columns.text().primary(),
    recordId: columns.text(),
    level: columns.int(),
    /** As recorded by events: a live status until the scheduler records the expiry, even once expires_at has passed. */
    status: columns.text().oneOf(RECORD_STATUSES),
    awardedAt: columns.timestamptz(),
    expiresAt: columns.timestamptz(),
    /** The revision of the member's certification stream. */
    revision: columns.int(),
    updatedAt: columns.timestamptz(),
  },
  {
    indexes: [
      // What the renewal scheduler looks for: live certifications by expiry.
      `(expires_at) WHERE status IN ${sqlIn(LIVE_STATUSES)}`,
    ],
  },
);
export type MemberCertificationRow = RowOf<typeof CERTIFICATIONS>;
export const CERTIFICATIONS_TABLE = CERTIFICATIONS.name;

/** One award, current or ended: the history. */
export const CERTIFICATION_RECORDS = readModelTable(
  'certification_records',
  {
    recordId: columns.text().primary(),
    memberId: columns.text(),
    awardNumber: columns.int(),
    level: columns.int(),
    status: columns.text().oneOf(RECORD_STATUSES),
    awardedAt: columns.timestamptz(),
    expiresAt: columns.timestamptz(),
    endedAt: columns.timestamptz().nullable(),
    reason: columns.text().nullable(),
    replacedByLevel: columns.int().nullable(),
  },
  { indexes: ['(member_id, award_number)'] },
);
export type CertificationHistoryRow = RowOf<typeof CERTIFICATION_RECORDS>;
export const CERTIFICATION_RECORDS_TABLE = CERTIFICATION_RECORDS.name;

/**
 * The defined levels (one row each), every member's current certification (one row per member ever certified: what
 * the scheduler looks at) and every award (one row each: the history). The evidence of an award is personal data and
 * is not copied here: nothing to purge after an erasure.
 */
export const certificationProjection = readModelProjection<StoredEvent>({
  name: CERTIFICATION_PROJECTION,
  version: 1,
  tables: [CERTIFICATION_LEVELS, CERTIFICATIONS, CERTIFICATION_RECORDS],
  filter: { categories: [CERTIFICATION_LEVEL_STREAM_CATEGORY, CERTIFICATION_STREAM_CATEGORY] },

  async apply(events, client, ctx) {
    for (const event of events) {
      if (isCertificationLevelEvent(event)) await applyLevelEvent(event as StoredEvent & CertificationLevelEvent, client, ctx);
      else if (isCertificationEvent(event)) await applyCertificationEvent(event as StoredEvent & CertificationEvent, client, ctx);
    }
  },
});

async function applyLevelEvent(event: StoredEvent & CertificationLevelEvent, client: pg.ClientBase, ctx: ProjectionContext): Promise<void> {
  switch (event.type) {
    case 'CertificationLevelDefined':
    case 'CertificationLevelRedefined': {
      const d = event.data;
      await client.query(
        `INSERT INTO ${ctx.table(CERTIFICATION_LEVELS_TABLE)}
                (level, name, required_programmes, validity_months, revision, defined_at, updated_at)
         VALUES ($1, $2, $3::jsonb, $4, $5, $6, $6)
         ON CONFLICT (level) DO UPDATE
            SET name = EXCLUDED.name, required_programmes = EXCLUDED.required_programmes,
                validity_months = EXCLUDED.validity_months, revision = EXCLUDED.revision, updated_at = EXCLUDED.updated_at`,
        [d.level, d.name, JSON.stringify(d.requiredProgrammes), d.validityMonths, event.revision, d.definedAt],
      );
      return;
    }
    default:
      return unhandled(event);
  }
}

interface RecordChange {
  readonly status?: RecordStatus;
  readonly expiresAt?: string;
  /** Undefined: unchanged; null: cleared. */
  readonly endedAt?: string | null;
  readonly reason?: string;
}

async function applyCertificationEvent(
  event: StoredEvent & CertificationEvent,
  client: pg.ClientBase,
  ctx: ProjectionContext,
): Promise<void> {
  const certifications = ctx.table(CERTIFICATIONS_TABLE);
  const records = ctx.table(CERTIFICATION_RECORDS_TABLE);
  const at = event.metadata.occurredAt;
  switch (event.type) {
    case 'CertificationAwarded': {
      const d = event.data;
      if (d.replacedRecordId !== null) {
        await client.query(`UPDATE ${records} SET ended_at = $2, replaced_by_level = $3 WHERE record_id = $1`, [
          d.replacedRecordId,
          d.awardedAt,
          d.level,
        ]);
      }
      await client.query(
        `INSERT INTO ${records} (record_id, member_id, award_number, level, status, awarded_at, expires_at)
         VALUES ($1, $2, $3, $4, 'CERTIFIED', $5, $6)`,
        [d.recordId, d.memberId, d.awardNumber, d.level, d.awardedAt, d.expiresAt],
      );
      await client.query(
        `INSERT INTO ${certifications} (member_id, record_id, level, status, awarded_at, expires_at, revision, updated_at)
         VALUES ($1, $2, $3, 'CERTIFIED', $4, $5, $6, $7)
         ON CONFLICT (member_id) DO UPDATE
            SET record_id = EXCLUDED.record_id, level = EXCLUDED.level, status = EXCLUDED.status,
                awarded_at = EXCLUDED.awarded_at, expires_at = EXCLUDED.expires_at, revision = EXCLUDED.revision,
                updated_at = EXCLUDED.updated_at`,
        [d.memberId, d.recordId, d.level, d.awardedAt, d.expiresAt, event.revision, at],
      );
      return;
    }
    case 'CertificationDueForRenewal':
      return changeRecord(client, ctx, event, { status: 'DUE_FOR_RENEWAL' });
    case 'CertificationExpired':
      return changeRecord(client, ctx, event, { status: 'EXPIRED', endedAt: event.data.expiredAt });
    case 'CertificationRenewed':
      return changeRecord(client, ctx, event, {
        status: 'CERTIFIED',
        expiresAt: event.data.expiresAt,
        endedAt: null,
        reason: event.data.reason,
      });
    case 'CertificationSuspended':
      return changeRecord(client, ctx, event, { status: 'SUSPENDED', reason: event.data.reason });
    case 'CertificationReinstated':
      return changeRecord(client, ctx, event, { status: event.data.status, reason: event.data.reason });
    case 'CertificationRevoked':
      return changeRecord(client, ctx, event, { status: 'REVOKED', endedAt: event.data.revokedAt, reason: event.data.reason });
    default:
      return unhandled(event);
  }
}

/** A change to one award: its history row, and the member's current row while it is the current award. */
async function changeRecord(
  client: pg.ClientBase,
  ctx: ProjectionContext,
  event: StoredEvent & { readonly data: { readonly memberId: string; readonly recordId: string } },
  change: RecordChange,
): Promise<void> {
  const { memberId, recordId } = event.data;
  await client.query(
    `UPDATE ${ctx.table(CERTIFICATION_RECORDS_TABLE)}
        SET status = COALESCE($2, status), expires_at = COALESCE($3, expires_at),
            ended_at = CASE WHEN $4::boolean THEN $5::timestamptz ELSE ended_at END, reason = COALESCE($6, reason)
      WHERE record_id = $1`,
    [
      recordId,
      change.status ?? null,
      change.expiresAt ?? null,
      change.endedAt !== undefined,
      change.endedAt ?? null,
      change.reason ?? null,
    ],
  );
  await client.query(
    `UPDATE ${ctx.table(CERTIFICATIONS_TABLE)}
        SET status = CASE WHEN record_id = $2 THEN COALESCE($3, status) ELSE status END,
            expires_at = CASE WHEN record_id = $2 THEN COALESCE($4, expires_at) ELSE expires_at END,
            revision = $5, updated_at = $6
      WHERE member_id = $1`,
    [memberId, recordId, change.status ?? null, change.expiresAt ?? null, event.revision, event.metadata.occurredAt],
  );
}

function unhandled(event: never): void {
  void event;
}
