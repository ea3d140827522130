import type { DataSource } from 'typeorm';
import type { StoredEvent } from '#event-store';
import { columns, readModelProjection, readModelTable } from '../../platform/infrastructure/read-model-table.ts';
import type { NotificationPreferencesEvent } from './notification-preferences.decider.ts';
import type { NotificationKind } from './notification-rules.ts';

export const NOTIFICATION_PREFERENCES_PROJECTION = 'notification_preferences';

export const NOTIFICATION_PREFERENCES = readModelTable('notification_preferences', {
  memberId: columns.text().primary(),
  optedOut: columns.textArray(),
  optedIn: columns.textArray(),
  changedAt: columns.timestamptz(),
  revision: columns.int(),
});
export const NOTIFICATION_PREFERENCES_TABLE = NOTIFICATION_PREFERENCES.name;

/**
 * Each member's opted-out kinds and subscribed opt-in kinds, as their last changes left them: what the delivery checks
 * before telling them.
 */
export const notificationPreferencesProjection = readModelProjection<StoredEvent>({
  name: NOTIFICATION_PREFERENCES_PROJECTION,
  // 2: the opt-in kinds subscribed to (the community managers' digest).
  version: 2,
  tables: [NOTIFICATION_PREFERENCES],
  filter: { eventTypes: ['NotificationPreferencesChanged', 'NotificationSubscriptionsChanged'] },

  async apply(events, client, ctx) {
    for (const event of events) {
      const changed = event as unknown as NotificationPreferencesEvent;
      // Each event sets its own set; the other one stays as it was (empty for a member's first event).
      const subscriptions = changed.type === 'NotificationSubscriptionsChanged';
      const column = subscriptions ? 'opted_in' : 'opted_out';
      const kinds = subscriptions ? changed.data.optedIn : changed.data.optedOut;
      await client.query(
        `INSERT INTO ${ctx.table(NOTIFICATION_PREFERENCES_TABLE)} (member_id, opted_out, opted_in, changed_at, revision)
         VALUES ($1, CASE WHEN $5 THEN '{}' ELSE $2::text[] END, CASE WHEN $5 THEN $2::text[] ELSE '{}' END, $3, $4)
         ON CONFLICT (member_id) DO UPDATE
           SET ${column} = EXCLUDED.${column}, changed_at = EXCLUDED.changed_at, revision = EXCLUDED.revision`,
        [changed.data.memberId, kinds, changed.data.changedAt, event.revision, subscriptions],
      );
    }
  },
});

/** Whether any member subscribes to `kind` now: an opt-in kind nobody wants is not even compiled. */
export async function anyoneSubscribedTo(db: DataSource, kind: NotificationKind): Promise<boolean> {
  const found = await db
    .getRepository(NOTIFICATION_PREFERENCES.entity)
    .createQueryBuilder('p')
    .where(':kind = ANY (p.optedIn)', { kind })
    .getExists();
  return found;
}
