import type { StoredEvent } from '#event-store';
import type { ProjectionDefinition } from '#projections';
import type { NotificationPreferencesChanged } from './notification-preferences.decider.ts';

export const NOTIFICATION_PREFERENCES_PROJECTION = 'notification_preferences';
export const NOTIFICATION_PREFERENCES_TABLE = 'notification_preferences';

/** Each member's opted-out kinds, as their last change left them: what the delivery checks before telling them. */
export const notificationPreferencesProjection: ProjectionDefinition<StoredEvent> = {
  name: NOTIFICATION_PREFERENCES_PROJECTION,
  version: 1,
  tables: [NOTIFICATION_PREFERENCES_TABLE],
  filter: { eventTypes: ['NotificationPreferencesChanged'] },

  async setup(client, ctx) {
    await client.query(`
      CREATE TABLE ${ctx.table(NOTIFICATION_PREFERENCES_TABLE)} (
        member_id  text        PRIMARY KEY,
        opted_out  text[]      NOT NULL,
        changed_at timestamptz NOT NULL,
        revision   int         NOT NULL
      )`);
  },

  async apply(events, client, ctx) {
    for (const event of events) {
      const { data } = event as unknown as NotificationPreferencesChanged;
      await client.query(
        `INSERT INTO ${ctx.table(NOTIFICATION_PREFERENCES_TABLE)} (member_id, opted_out, changed_at, revision) VALUES ($1, $2, $3, $4)
         ON CONFLICT (member_id) DO UPDATE SET opted_out = EXCLUDED.opted_out, changed_at = EXCLUDED.changed_at, revision = EXCLUDED.revision`,
        [data.memberId, data.optedOut, data.changedAt, event.revision],
      );
    }
  },
};
