// The one notification an erased member still gets (ERASURE_COMPLETED) goes to an address the erasure itself destroys:
// the directory's copy is purged and the log's is shredded with the member's key. So the address (and language) is
// kept aside at the last moment it can be read, in a table of its own: not the log, which keeps what it is given
// forever, and not a read model, which a rebuild would fill again from the log (where it then reads "[redacted]").
// The row lives from the erasure request until that notification is settled, whichever way, then it is deleted.
import type { DataSource } from 'typeorm';
import { loadState, REDACTED, type GovernanceEventStore } from '#event-store';
import { memberDecider, memberStreamId, type MemberEmail } from '../members/index.ts';
import { ensureNotificationTables, ERASURE_NOTICES_TABLE, UNSETTLED_DELIVERY_STATUSES } from './notifications-schema.ts';

export { ERASURE_NOTICES_TABLE };

export interface ErasureNotice {
  readonly address: string;
  readonly language: string | null;
}

/**
 * Run by an erasure just before the member's key is destroyed: keeps the address they will be told at (the primary
 * one, as the delivery chooses, else the first) and their language, read from their own stream (the directory's
 * read model may lag behind it). A member without an address keeps nothing, and is recorded as not told for want of
 * one. An erasure asked again after its key was destroyed reads "[redacted]" and keeps nothing, so it never replaces
 * the address kept the first time.
 */
export async function captureErasureNotice(events: GovernanceEventStore, db: DataSource, memberId: string): Promise<boolean> {
  const { state } = await loadState(events, memberStreamId(memberId), memberDecider);
  if (state.status === 'unregistered') return false;
  const notice = noticeOf(state.emails, state.preferredLanguage);
  if (notice === null) return false;
  await ensureNotificationTables(db);
  await db.query(
    `INSERT INTO ${ERASURE_NOTICES_TABLE} (member_id, address, language) VALUES ($1, $2, $3)
     ON CONFLICT (member_id) DO UPDATE SET address = EXCLUDED.address, language = EXCLUDED.language, captured_at = now()`,
    [memberId, notice.address, notice.language],
  );
  return true;
}

/** Null when there is no address to keep (none given, or already redacted). */
export function noticeOf(emails: readonly MemberEmail[] | string | undefined, preferredLanguage: string | undefined): ErasureNotice | null {
  if (!Array.isArray(emails)) return null;
  const address = emails.find((email) => email.primary)?.value ?? emails[0]?.value;
  if (!address) return null;
  return { address, language: preferredLanguage === undefined || preferredLanguage === REDACTED ? null : preferredLanguage };
}

/** The addresses kept for these members, to send their ERASURE_COMPLETED to. */
export async function erasureNoticesOf(db: DataSource, memberIds: readonly string[]): Promise<Map<string, ErasureNotice>> {
  if (memberIds.length === 0) return new Map();
  const rows = (await db.query(`SELECT member_id, address, language FROM ${ERASURE_NOTICES_TABLE} WHERE member_id = ANY($1::text[])`, [
    memberIds,
  ])) as { member_id: string; address: string; language: string | null }[];
  return new Map(rows.map((row) => [row.member_id, { address: row.address, language: row.language }]));
}

/**
 * Forgets the addresses whose ERASURE_COMPLETED notification is settled: sent, failed for good, or not sent (no SMTP,
 * too old); a claim in progress or a retry to come keeps it. Run after the outcomes are recorded and before the event
 * is marked done, so that a process dying in between forgets it on the next pass.
 */
export async function forgetSettledErasureNotices(
  db: DataSource,
  notifications: readonly { readonly memberId: string; readonly notificationId: string }[],
): Promise<void> {
  if (notifications.length === 0) return;
  await db.query(
    `DELETE FROM ${ERASURE_NOTICES_TABLE} n
      USING unnest($1::text[], $2::text[]) AS p(member_id, notification_id), notification_deliveries d
      WHERE n.member_id = p.member_id AND d.notification_id = p.notification_id AND NOT (d.status = ANY ($3::text[]))`,
    [notifications.map((n) => n.memberId), notifications.map((n) => n.notificationId), UNSETTLED_DELIVERY_STATUSES],
  );
}
