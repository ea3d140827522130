import type pg from 'pg';
import type { StoredEvent } from '#event-store';
import type { ProjectionContext } from '#projections';
import { columns, readModelProjection, readModelTable } from '../../../platform/infrastructure/read-model-table.ts';
import {
  ERASURE_STATUSES,
  isPrivacyEvent,
  PRIVACY_STREAM_CATEGORY,
  PROFILE_PHOTO_PURPOSE,
  VISIBILITIES,
  type PrivacyEvent,
} from '../privacy.decider.ts';

export const PRIVACY_PROJECTION = 'privacy';

export const PRIVACY_SETTINGS = readModelTable('privacy_settings', {
  memberId: columns.text().primary(),
  /** What the member chose; what others get depends on the photo consent too. */
  profilePhotoVisibility: columns.text().default("'NOBODY'").oneOf(VISIBILITIES),
  directoryListed: columns.boolean().default('false'),
  photoConsent: columns.boolean().default('false'),
  revision: columns.int(),
  updatedAt: columns.timestamptz(),
});

export const CONSENTS = readModelTable('consents', {
  memberId: columns.text().primary(),
  purpose: columns.text().primary(),
  given: columns.boolean(),
  noticeVersion: columns.text().nullable(),
  changedAt: columns.timestamptz(),
});

export const ERASURE_REQUESTS = readModelTable('erasure_requests', {
  memberId: columns.text().primary(),
  status: columns.text().oneOf(ERASURE_STATUSES),
  requestedAt: columns.timestamptz(),
  completedAt: columns.timestamptz().nullable(),
});
export const ERASURE_REQUESTS_TABLE = ERASURE_REQUESTS.name;

/**
 * Each member's privacy settings (with whether the profile photo consent is given, which decides the photo's
 * effective visibility), their consents per purpose, and their erasure request. Nothing here is personal text:
 * the reason of an erasure request stays in the (shredded) event only.
 */
export const privacyProjection = readModelProjection<StoredEvent>({
  name: PRIVACY_PROJECTION,
  version: 1,
  tables: [PRIVACY_SETTINGS, CONSENTS, ERASURE_REQUESTS],
  filter: { categories: [PRIVACY_STREAM_CATEGORY] },

  async apply(events, client, ctx) {
    for (const event of events) {
      if (isPrivacyEvent(event)) await applyEvent(event as StoredEvent & PrivacyEvent, client, ctx);
    }
  },
});

async function applyEvent(event: StoredEvent & PrivacyEvent, client: pg.ClientBase, ctx: ProjectionContext): Promise<void> {
  const memberId = event.data.memberId;
  // Every event of the stream moves the revision the admin UI compares expectedRevision with.
  await client.query(
    `INSERT INTO ${ctx.table(PRIVACY_SETTINGS.name)} (member_id, revision, updated_at) VALUES ($1, $2, $3)
     ON CONFLICT (member_id) DO UPDATE SET revision = EXCLUDED.revision, updated_at = EXCLUDED.updated_at`,
    [memberId, event.revision, event.metadata.occurredAt],
  );
  switch (event.type) {
    case 'PrivacySettingsUpdated':
      await client.query(
        `UPDATE ${ctx.table(PRIVACY_SETTINGS.name)}
            SET profile_photo_visibility = COALESCE($2, profile_photo_visibility), directory_listed = COALESCE($3, directory_listed)
          WHERE member_id = $1`,
        [memberId, event.data.profilePhotoVisibility ?? null, event.data.directoryListed ?? null],
      );
      return;
    case 'ConsentGiven':
    case 'ConsentWithdrawn': {
      const given = event.type === 'ConsentGiven';
      const changedAt = event.type === 'ConsentGiven' ? event.data.givenAt : event.data.withdrawnAt;
      await client.query(
        `INSERT INTO ${ctx.table(CONSENTS.name)} (member_id, purpose, given, notice_version, changed_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (member_id, purpose) DO UPDATE
           SET given = EXCLUDED.given, changed_at = EXCLUDED.changed_at,
               notice_version = CASE WHEN EXCLUDED.given THEN EXCLUDED.notice_version ELSE ${ctx.table(CONSENTS.name)}.notice_version END`,
        [memberId, event.data.purpose, given, event.type === 'ConsentGiven' ? event.data.noticeVersion : null, changedAt],
      );
      if (event.data.purpose === PROFILE_PHOTO_PURPOSE) {
        await client.query(`UPDATE ${ctx.table(PRIVACY_SETTINGS.name)} SET photo_consent = $2 WHERE member_id = $1`, [memberId, given]);
      }
      return;
    }
    case 'ErasureRequested':
      await client.query(
        `INSERT INTO ${ctx.table(ERASURE_REQUESTS.name)} (member_id, status, requested_at) VALUES ($1, 'REQUESTED', $2)
         ON CONFLICT (member_id) DO NOTHING`,
        [memberId, event.data.requestedAt],
      );
      return;
    case 'ErasureCompleted':
      await client.query(
        `INSERT INTO ${ctx.table(ERASURE_REQUESTS.name)} (member_id, status, requested_at, completed_at) VALUES ($1, 'COMPLETED', $2, $2)
         ON CONFLICT (member_id) DO UPDATE SET status = 'COMPLETED', completed_at = EXCLUDED.completed_at`,
        [memberId, event.data.completedAt],
      );
      return;
    default:
      return unhandled(event);
  }
}

function unhandled(event: never): void {
  void event;
}
