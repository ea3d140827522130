import type pg from 'pg';
import { REDACTED, type StoredEvent } from '#event-store';
import type { ProjectionContext, ProjectionDefinition } from '#projections';
import { sqlIn } from '../../../platform/shared/sql.ts';
import { isMemberEvent, MEMBER_STREAM_CATEGORY, REGISTERED_MEMBER_STATUSES, type MemberEvent } from '../member.decider.ts';
import type { PRIVACY_STREAM_CATEGORY, PrivacySettingsUpdated } from '../../privacy/index.ts';

export const MEMBERS_PROJECTION = 'members';

/**
 * The privacy module's stream category, written out: privacy depends on members at run time (a member must be
 * registered), so members reads privacy's events with types only; the type keeps the value equal to privacy's.
 */
const PRIVACY_CATEGORY: typeof PRIVACY_STREAM_CATEGORY = 'privacy';
export const MEMBERS_TABLE = 'members';

/**
 * One row per member, as the admin UI lists them. The display name is a copy of personal data: after an erasure a
 * rebuild reads it as "[redacted]" from the events, so no copy of the plain name survives the rebuild. Whether the
 * member is listed in the directory follows their privacy settings (events of the privacy module, which the
 * directory's queries need on the same row to filter and count without reading another module's tables).
 */
export const membersProjection: ProjectionDefinition<StoredEvent> = {
  name: MEMBERS_PROJECTION,
  // 2: purges the display name when an erasure completes. 3: directory_listed, from the privacy settings.
  version: 3,
  tables: [MEMBERS_TABLE],
  filter: { categories: [MEMBER_STREAM_CATEGORY, PRIVACY_CATEGORY] },

  async setup(client, ctx) {
    const table = ctx.table(MEMBERS_TABLE);
    await client.query(`
      CREATE TABLE ${table} (
        member_id     text        PRIMARY KEY,
        display_name  text        NOT NULL,
        department    text        NOT NULL,
        status        text        NOT NULL CHECK (status IN ${sqlIn(REGISTERED_MEMBER_STATUSES)}),
        revision      int         NOT NULL,
        -- Most private until the member says otherwise, as the privacy settings start.
        directory_listed boolean  NOT NULL DEFAULT false,
        registered_at timestamptz NOT NULL,
        updated_at    timestamptz NOT NULL
      )`);
    // Listing by department pages on member_id within it.
    await client.query(`CREATE INDEX ON ${table} (department, member_id)`);
  },

  async apply(events, client, ctx) {
    for (const event of events) {
      if (isMemberEvent(event)) await applyEvent(event as StoredEvent & MemberEvent, client, ctx);
      // Only the listing: the member's revision is that of their member stream, not of their privacy stream.
      else if (event.type === 'PrivacySettingsUpdated') {
        const { memberId, directoryListed } = (event as StoredEvent & PrivacySettingsUpdated).data;
        if (directoryListed !== undefined) {
          await client.query(`UPDATE ${ctx.table(MEMBERS_TABLE)} SET directory_listed = $2 WHERE member_id = $1`, [
            memberId,
            directoryListed,
          ]);
        }
      }
      // As a rebuild after the erasure would read it: the name is "[redacted]"; the row and its revision stay.
      else if (event.type === 'ErasureCompleted') {
        await client.query(`UPDATE ${ctx.table(MEMBERS_TABLE)} SET display_name = $2 WHERE member_id = $1`, [
          event.data['memberId'],
          REDACTED,
        ]);
      }
    }
  },
};

async function applyEvent(event: StoredEvent & MemberEvent, client: pg.ClientBase, ctx: ProjectionContext): Promise<void> {
  const table = ctx.table(MEMBERS_TABLE);
  const at = event.metadata.occurredAt;
  switch (event.type) {
    case 'MemberRegistered':
      await client.query(
        `INSERT INTO ${table} (member_id, display_name, department, status, revision, registered_at, updated_at)
         VALUES ($1, $2, $3, 'ACTIVE', $4, $5, $5)`,
        [event.data.memberId, event.data.displayName, event.data.department, event.revision, at],
      );
      return;
    case 'MemberUpdated':
      await client.query(
        `UPDATE ${table} SET display_name = COALESCE($2, display_name), department = COALESCE($3, department),
                revision = $4, updated_at = $5
          WHERE member_id = $1`,
        [event.data.memberId, event.data.displayName ?? null, event.data.department ?? null, event.revision, at],
      );
      return;
    case 'MemberLeft':
      await client.query(`UPDATE ${table} SET status = 'LEFT', revision = $2, updated_at = $3 WHERE member_id = $1`, [
        event.data.memberId,
        event.revision,
        at,
      ]);
      return;
    default:
      return unhandled(event);
  }
}

function unhandled(event: never): void {
  void event;
}
