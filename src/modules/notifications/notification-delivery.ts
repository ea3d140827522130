import { createHash } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { logger } from '../../platform/observability/logger.ts';
import { DueWorkScheduler } from '../../platform/scheduling/due-work-scheduler.ts';
import type { Clock } from '../../platform/shared/clock.ts';
import { MEMBERS_TABLE } from '../members/index.ts';
import { notificationLanguage, renderNotification } from './notification-messages.ts';
import { NOTIFICATION_OUTBOX_TABLE } from './notification-outbox.projection.ts';
import { notificationsFor, type NotificationIntent } from './notification-rules.ts';

export const NOTIFICATION_DELIVERY_SCHEDULER = 'notification-delivery';

/** Where a delivery stands. Every one but SENDING and RETRY is final. */
export const DELIVERY_STATUSES = [
  'SENDING',
  'RETRY',
  'SENT',
  'FAILED',
  'NOT_SENT_NO_SMTP',
  'NOT_SENT_NO_ADDRESS',
  'SKIPPED_TOO_OLD',
] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** A claim this old is taken to have died with its process: sent again, with the same Message-ID. */
const CLAIM_EXPIRES_MS = 5 * 60_000;
const MAX_ATTEMPTS = 8;

export interface OutboxEvent {
  readonly eventId: string;
  readonly type: string;
  readonly data: Record<string, unknown>;
  readonly occurredAt: string;
}

export interface OutgoingMail {
  readonly messageId: string;
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

/** Sends one e-mail or throws; the Message-ID is given, so that a retry is recognisably the same message. */
export type MailSender = (mail: OutgoingMail) => Promise<void>;

export interface NotificationDeliveryOptions {
  readonly readModels: DataSource;
  readonly clock: Clock;
  readonly intervalMs: number;
  /** Undefined without SMTP_URL: every e-mail is recorded as NOT_SENT_NO_SMTP. */
  readonly send: MailSender | undefined;
  readonly appealWindowDays: number;
  readonly maxAgeHours: number;
}

/**
 * Delivers the outbox: for each event, the notifications the rules decide, each once per (event, kind, recipient,
 * channel). Before sending, a delivery is claimed by inserting its row (the primary key lets one instance win); after,
 * its outcome is recorded. A process that dies in between leaves the claim, which is taken again after
 * CLAIM_EXPIRES_MS and sent with the same Message-ID: the receiving side sees a repeat it can recognise, never a
 * different message. Outcomes live in `notification_deliveries`, outside the read models, so a rebuild of the outbox
 * sends nothing twice; an event whose notifications all reached a final outcome is marked done.
 */
export function createNotificationDelivery(options: NotificationDeliveryOptions): DueWorkScheduler<OutboxEvent> {
  const { readModels } = options;
  let schemaReady: Promise<void> | undefined;
  const ensureSchema = () =>
    (schemaReady ??= ensureDeliverySchema(readModels).catch((error: unknown) => {
      schemaReady = undefined;
      throw error;
    }));
  return new DueWorkScheduler<OutboxEvent>({
    name: NOTIFICATION_DELIVERY_SCHEDULER,
    clock: options.clock,
    intervalMs: options.intervalMs,
    findDue: async (_now, limit) => {
      await ensureSchema();
      return findUndelivered(readModels, limit);
    },
    handle: (event, now) => deliverEvent(options, event, now),
    describe: (event) => `notifications of event ${event.eventId}`,
  });
}

async function ensureDeliverySchema(readModels: DataSource): Promise<void> {
  await readModels.transaction(async (manager) => {
    // Two instances starting together would otherwise race on CREATE TABLE IF NOT EXISTS.
    await manager.query(`SELECT pg_advisory_xact_lock(hashtext('notification_deliveries'))`);
    await manager.query(`
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
      )`);
    await manager.query(`CREATE INDEX IF NOT EXISTS notification_deliveries_event ON notification_deliveries (event_id)`);
    await manager.query(`CREATE TABLE IF NOT EXISTS notification_events_done (event_id text PRIMARY KEY)`);
  });
}

async function findUndelivered(readModels: DataSource, limit: number): Promise<OutboxEvent[]> {
  const rows: { event_id: string; event_type: string; data: Record<string, unknown>; occurred_at: Date }[] = await readModels.query(
    `SELECT o.event_id, o.event_type, o.data, o.occurred_at FROM read_models.${NOTIFICATION_OUTBOX_TABLE} o
      WHERE NOT EXISTS (SELECT 1 FROM notification_events_done d WHERE d.event_id = o.event_id)
      ORDER BY o.occurred_at, o.event_id LIMIT $1`,
    [limit],
  );
  return rows.map((row) => ({
    eventId: row.event_id,
    type: row.event_type,
    data: row.data,
    occurredAt: new Date(row.occurred_at).toISOString(),
  }));
}

/** One notification's id: the same whichever instance decides it, however often. */
export function notificationId(eventId: string, intent: NotificationIntent, channel: 'email'): string {
  return `${eventId}/${intent.kind}/${intent.recipientId}/${channel}`;
}

/** The Message-ID of a notification's e-mail: derived from its id, so that a resend carries the same one. */
export function messageIdOf(id: string): string {
  return `<${createHash('sha256').update(id).digest('hex').slice(0, 40)}@notifications.governance>`;
}

async function deliverEvent(options: NotificationDeliveryOptions, event: OutboxEvent, now: Date): Promise<void> {
  const intents = notificationsFor(
    { type: event.type, data: event.data, metadata: { occurredAt: event.occurredAt } },
    { appealWindowDays: options.appealWindowDays },
  );
  const tooOld = now.getTime() - Date.parse(event.occurredAt) > options.maxAgeHours * 3_600_000;
  let final = true;
  for (const intent of intents) {
    const status = await deliverOne(options, event, intent, now, tooOld);
    if (status === 'SENDING' || status === 'RETRY') final = false;
  }
  if (final)
    await options.readModels.query('INSERT INTO notification_events_done (event_id) VALUES ($1) ON CONFLICT DO NOTHING', [event.eventId]);
}

/** Claims, sends and records one notification; answers where it stands afterwards. */
async function deliverOne(
  options: NotificationDeliveryOptions,
  event: OutboxEvent,
  intent: NotificationIntent,
  now: Date,
  tooOld: boolean,
): Promise<DeliveryStatus> {
  const { readModels } = options;
  const id = notificationId(event.eventId, intent, 'email');
  const messageId = messageIdOf(id);
  // The first claim inserts; a claim left by a process that died, or a retry that is due, is taken over.
  const claimed: { attempts: number }[] = await readModels.query(
    `INSERT INTO notification_deliveries AS d (notification_id, event_id, kind, recipient_id, channel, status, attempts, message_id, updated_at)
     VALUES ($1, $2, $3, $4, 'email', 'SENDING', 1, $5, $6)
     ON CONFLICT (notification_id) DO UPDATE SET status = 'SENDING', attempts = d.attempts + 1, updated_at = $6
       WHERE (d.status = 'SENDING' AND d.updated_at < $6::timestamptz - make_interval(secs => $7))
          OR (d.status = 'RETRY' AND d.next_attempt_at <= $6)
     RETURNING d.attempts`,
    [id, event.eventId, intent.kind, intent.recipientId, messageId, now, CLAIM_EXPIRES_MS / 1000],
  );
  if (claimed.length === 0) {
    const [row] = (await readModels.query('SELECT status FROM notification_deliveries WHERE notification_id = $1', [id])) as {
      status: DeliveryStatus;
    }[];
    return row?.status ?? 'RETRY';
  }
  const attempts = claimed[0]!.attempts;
  const record = async (status: DeliveryStatus, error: string | null = null) => {
    const retryAt = status === 'RETRY' ? new Date(now.getTime() + Math.min(2 ** attempts * 30_000, 6 * 3_600_000)) : null;
    await readModels.query(
      `UPDATE notification_deliveries SET status = $2, last_error = $3, next_attempt_at = $4, updated_at = now(),
              sent_at = CASE WHEN $2 = 'SENT' THEN now() END
        WHERE notification_id = $1`,
      [id, status, error, retryAt],
    );
    return status;
  };

  if (tooOld) return record('SKIPPED_TOO_OLD');
  if (!options.send) return record('NOT_SENT_NO_SMTP', 'no SMTP configured (SMTP_URL)');
  const [member] = (await readModels.query(`SELECT emails, preferred_language FROM read_models.${MEMBERS_TABLE} WHERE member_id = $1`, [
    intent.recipientId,
  ])) as { emails: { value: string; primary: boolean }[]; preferred_language: string | null }[];
  const address = member?.emails.find((email) => email.primary)?.value ?? member?.emails[0]?.value;
  if (!address) return record('NOT_SENT_NO_ADDRESS', 'the member has no e-mail address in the directory');
  const message = renderNotification(intent, notificationLanguage(member?.preferred_language));
  try {
    await options.send({ messageId, to: address, ...message });
    return record('SENT');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    logger.warn('notification: sending failed', { notificationId: id, attempts, error: reason });
    return record(attempts >= MAX_ATTEMPTS ? 'FAILED' : 'RETRY', reason);
  }
}
