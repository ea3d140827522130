import type pg from 'pg';
import { REDACTED, type StoredEvent } from '#event-store';
import type { ProjectionContext } from '#projections';
import { columns, readModelProjection, readModelTable, type RowOf } from '../../../platform/infrastructure/read-model-table.ts';
import {
  isMemberEvent,
  MEMBER_STREAM_CATEGORY,
  REGISTERED_MEMBER_STATUSES,
  type MemberEmail,
  type MemberEvent,
  type Redacted,
} from '../member.decider.ts';
import type { PRIVACY_STREAM_CATEGORY, PrivacySettingsUpdated } from '../../privacy/index.ts';

export const MEMBERS_PROJECTION = 'members';

/**
 * The privacy module's stream category, written out: privacy depends on members at run time (a member must be
 * registered), so members reads privacy's events with types only; the type keeps the value equal to privacy's.
 */
const PRIVACY_CATEGORY: typeof PRIVACY_STREAM_CATEGORY = 'privacy';
/** The `source` of events a directory wrote over SCIM (see RequestContext.source). */
export const PROVISIONING_SOURCE = 'provisioning';

/** One row per member. */
export const MEMBERS = readModelTable(
  'members',
  {
    memberId: columns.text().primary(),
    // "[redacted]" once the member's personal data was erased.
    displayName: columns.text(),
    department: columns.text(),
    status: columns.text().oneOf(REGISTERED_MEMBER_STATUSES),
    // The revision of the member's stream: what `expectedRevision` of updateMember compares with.
    revision: columns.int(),
    // The member's privacy setting: whether members other than staff find them in the directory. Most private until
    // the member says otherwise, as the privacy settings start.
    directoryListed: columns.boolean().default('false'),
    registeredAt: columns.timestamptz(),
    updatedAt: columns.timestamptz(),
    // The directory's attributes (SCIM): null, or no addresses, when the directory never gave them. The personal ones
    // (userName, emails, preferredLanguage) read "[redacted]" (no addresses) once the member's data was erased.
    userName: columns.text().nullable(),
    // Lower-case, for SCIM's case-insensitive userName; null once the name is redacted, so that no lookup finds it.
    userNameKey: columns.text().nullable(),
    externalId: columns.text().nullable(),
    emails: columns.jsonb<MemberEmail[]>().default("'[]'"),
    preferredLanguage: columns.text().nullable(),
    // The metadata source of the registering event: 'api', 'provisioning'...
    source: columns.text(),
    // When an event from the directory (source 'provisioning') last changed the member; null if none ever did.
    directoryChangedAt: columns.timestamptz().nullable(),
    // When the member left (their MemberLeft event's time); null while they are active.
    leftAt: columns.timestamptz().nullable(),
  },
  {
    indexes: [
      // Listing by department pages on member_id within it.
      '(department, member_id)',
      // Not unique: a directory's user names and ids are unique at any one time, but a rebuild replays all of history,
      // where a name freed by one member may have been given to another (and the directory enforces its own).
      '(user_name_key, member_id)',
      '(external_id, member_id)',
    ],
  },
);
export type MemberRow = RowOf<typeof MEMBERS>;
export const MEMBERS_TABLE = MEMBERS.name;

/**
 * One row per member, as the admin UI lists them and the directory (SCIM) finds them. The display name, user name,
 * e-mail addresses and preferred language are copies of personal data: after an erasure a rebuild reads them as
 * "[redacted]" from the events, so no plain copy survives the rebuild (and the erasure purges them at once). Whether the
 * member is listed in the directory follows their privacy settings (events of the privacy module, which the
 * directory's queries need on the same row to filter and count without reading another module's tables).
 */
export const membersProjection = readModelProjection<StoredEvent>({
  name: MEMBERS_PROJECTION,
  // 2: purges the display name when an erasure completes. 3: directory_listed, from the privacy settings.
  // 4: the directory's attributes (user name, external id, e-mails, preferred language), the registering event's
  // source and when the directory last changed the member, for provisioning over SCIM. 5: left_at, when the member
  // left (what the leaver's retention rule counts from; updated_at moves with every later change).
  version: 5,
  tables: [MEMBERS],
  filter: { categories: [MEMBER_STREAM_CATEGORY, PRIVACY_CATEGORY] },

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
      // As a rebuild after the erasure would read it: the personal fields that were given are "[redacted]", the
      // addresses none (their list reads as one redacted string), the user name found by no lookup; the row and its
      // revision stay.
      else if (event.type === 'ErasureCompleted') {
        await client.query(
          `UPDATE ${ctx.table(MEMBERS_TABLE)}
              SET display_name = $2, user_name = CASE WHEN user_name IS NOT NULL THEN $2 END, user_name_key = NULL,
                  emails = '[]', preferred_language = CASE WHEN preferred_language IS NOT NULL THEN $2 END
            WHERE member_id = $1`,
          [event.data['memberId'], REDACTED],
        );
      }
    }
  },
});

async function applyEvent(event: StoredEvent & MemberEvent, client: pg.ClientBase, ctx: ProjectionContext): Promise<void> {
  const table = ctx.table(MEMBERS_TABLE);
  const at = event.metadata.occurredAt;
  const fromDirectory = event.metadata.source === PROVISIONING_SOURCE ? event.recordedAt : null;
  switch (event.type) {
    case 'MemberRegistered': {
      const { data } = event;
      await client.query(
        `INSERT INTO ${table} (member_id, display_name, department, status, revision, registered_at, updated_at, user_name,
                               user_name_key, external_id, emails, preferred_language, source, directory_changed_at)
         VALUES ($1, $2, $3, 'ACTIVE', $4, $5, $5, $6, $7, $8, $9, $10, $11, $12)`,
        [
          data.memberId,
          data.displayName,
          data.department,
          event.revision,
          at,
          data.userName ?? null,
          userNameKey(data.userName ?? null),
          data.externalId ?? null,
          JSON.stringify(emailsColumn(data.emails ?? [])),
          data.preferredLanguage ?? null,
          event.metadata.source,
          fromDirectory,
        ],
      );
      return;
    }
    case 'MemberUpdated': {
      // Only the fields that changed are in the event, so only their columns are set.
      const { data } = event;
      const parameters: unknown[] = [data.memberId, event.revision, at];
      const set = (column: string, value: unknown) => `${column} = $${parameters.push(value)}`;
      const assignments = [
        'revision = $2',
        'updated_at = $3',
        ...(data.displayName !== undefined ? [set('display_name', data.displayName)] : []),
        ...(data.department !== undefined ? [set('department', data.department)] : []),
        ...(data.userName !== undefined ? [set('user_name', data.userName), set('user_name_key', userNameKey(data.userName))] : []),
        ...(data.externalId !== undefined ? [set('external_id', data.externalId)] : []),
        ...(data.emails !== undefined ? [set('emails', JSON.stringify(emailsColumn(data.emails)))] : []),
        ...(data.preferredLanguage !== undefined ? [set('preferred_language', data.preferredLanguage)] : []),
        ...(fromDirectory !== null ? [set('directory_changed_at', fromDirectory)] : []),
      ];
      await client.query(`UPDATE ${table} SET ${assignments.join(', ')} WHERE member_id = $1`, parameters);
      return;
    }
    case 'MemberLeft':
      await client.query(
        `UPDATE ${table} SET status = 'LEFT', revision = $2, updated_at = $3, left_at = $3,
                directory_changed_at = COALESCE($4, directory_changed_at)
          WHERE member_id = $1`,
        [event.data.memberId, event.revision, at, fromDirectory],
      );
      return;
    default:
      return unhandled(event);
  }
}

/**
 * What `userName eq` compares with: SCIM's userName is case-insensitive (RFC 7643, 4.1.1). A redacted name has no
 * key, so that looking up the text "[redacted]" finds no one.
 */
export function userNameKey(userName: string | null): string | null {
  return userName === null || userName === REDACTED ? null : userName.toLowerCase();
}

/** Redacted addresses (one string once the member was erased) are no addresses. */
function emailsColumn(emails: readonly MemberEmail[] | Redacted): readonly MemberEmail[] {
  return Array.isArray(emails) ? emails : [];
}

function unhandled(event: never): void {
  void event;
}
