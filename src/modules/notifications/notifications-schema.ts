import type { DataSource } from 'typeorm';
import type { Migration } from '#postgres';
import { migrateOnFirstUse } from '../../platform/infrastructure/migrate-on-first-use.ts';

export const ERASURE_NOTICES_TABLE = 'notification_erasure_notices';

/** Where a delivery stands (`notification_deliveries.status`). Every one but the UNSETTLED ones is final. */
export const DELIVERY_STATUSES = [
  'SENDING',
  'RETRY',
  'SENT',
  'FAILED',
  'NOT_SENT_NO_SMTP',
  'NOT_SENT_NO_ADDRESS',
  'NOT_SENT_OPTED_OUT',
  'SKIPPED_TOO_OLD',
] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** The statuses that may still change: a send claimed, or due again. */
export const UNSETTLED_DELIVERY_STATUSES: readonly DeliveryStatus[] = ['SENDING', 'RETRY'];

/**
 * The notifications' own tables, outside the read models (a rebuild of the outbox must not send anything twice):
 * delivery outcomes, the events whose notifications are all settled, and the addresses erasures keep for their one
 * notice (erasure-notices.ts). Version 1 says IF NOT EXISTS: databases from before the migrations already have it.
 */
const NOTIFICATIONS_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'delivery outcomes',
    sql: `
      CREATE TABLE IF NOT EXISTS notification_deliveries (
        notification_id text        PRIMARY KEY,
        event_id        text        NOT NULL,
        kind            text        NOT NULL,
        recipient_id    text        NOT NULL,
        channel         text        NOT NULL,
        status          text        NOT NULL,
        attempts        int         NOT NULL DEFAULT 0,
        message_id      text        NOT NULL,
        last_error      text,
        next_attempt_at timestamptz,
        created_at      timestamptz NOT NULL DEFAULT now(),
        updated_at      timestamptz NOT NULL DEFAULT now(),
        sent_at         timestamptz
      );
      CREATE INDEX IF NOT EXISTS notification_deliveries_event ON notification_deliveries (event_id);
      CREATE TABLE IF NOT EXISTS notification_events_done (event_id text PRIMARY KEY);`,
  },
  {
    version: 2,
    name: 'addresses kept for the erasure notice',
    sql: `
      CREATE TABLE IF NOT EXISTS ${ERASURE_NOTICES_TABLE} (
        member_id   text        PRIMARY KEY,
        address     text        NOT NULL,
        language    text,
        captured_at timestamptz NOT NULL DEFAULT now()
      )`,
  },
];

/** Before the first read or write of those tables, by whichever comes first: the delivery or an erasure's capture. */
export function ensureNotificationTables(db: DataSource): Promise<void> {
  return migrateOnFirstUse(db, 'notifications', NOTIFICATIONS_MIGRATIONS);
}
