import { createHash } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { logger } from '../../platform/observability/logger.ts';
import { deliveryGate, type BackgroundWorkGate } from '../../platform/scheduling/background-work-gate.ts';
import { DueWorkScheduler } from '../../platform/scheduling/due-work-scheduler.ts';
import type { Clock } from '../../platform/shared/clock.ts';
import { sqlIn } from '../../platform/shared/sql.ts';
import { MEMBERS_TABLE } from '../members/index.ts';
import { erasureNoticesOf, forgetSettledErasureNotices, type ErasureNotice } from './erasure-notices.ts';
import { notificationLanguage, renderNotification } from './notification-messages.ts';
import { NOTIFICATION_OUTBOX_AUDIENCE_TABLE, NOTIFICATION_OUTBOX_TABLE } from './notification-outbox.projection.ts';
import { OPT_IN_NOTIFICATION_KINDS } from './notification-preferences.decider.ts';
import { NOTIFICATION_PREFERENCES_TABLE } from './notification-preferences.projection.ts';
import { notificationsFor, type NotificationIntent } from './notification-rules.ts';
import { ensureNotificationTables, UNSETTLED_DELIVERY_STATUSES, type DeliveryStatus } from './notifications-schema.ts';

export const NOTIFICATION_DELIVERY_SCHEDULER = 'notification-delivery';

export { DELIVERY_STATUSES, type DeliveryStatus } from './notifications-schema.ts';

/** A claim this old is taken to have died with its process: sent again, with the same Message-ID. */
const CLAIM_EXPIRES_MS = 5 * 60_000;
const MAX_ATTEMPTS = 8;
/**
 * Outbox events read per page (fewer while the API is not quiet: background-work-gate.ts). The notifications being
 * sent at once are the gate's (smtp-sender.ts keeps a pool of connections).
 */
const OUTBOX_PAGE = 100;

export interface OutboxEvent {
  readonly eventId: string;
  readonly type: string;
  readonly data: Record<string, unknown>;
  readonly occurredAt: string;
  /** The members the outbox fixed for the event when it recorded it (NotificationFacts), sorted. */
  readonly audience: readonly string[];
}

/** What the delivery takes at a time: a page of the outbox, oldest first. */
export interface OutboxPage {
  readonly events: readonly OutboxEvent[];
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
  /** Where each send takes its turn, shared with the webhook dispatch; default: the process's gate. */
  readonly gate?: BackgroundWorkGate;
  /** Outbox events per page at most (default OUTBOX_PAGE; tests make it small). */
  readonly outboxPage?: number;
}

/**
 * Delivers the outbox: for each event, the notifications the rules decide, each once per (event, kind, recipient,
 * channel). Before sending, a delivery is claimed by inserting its row (the primary key lets one instance win); after,
 * its outcome is recorded. A process that dies in between leaves the claim, which is taken again after
 * CLAIM_EXPIRES_MS and sent with the same Message-ID: the receiving side sees a repeat it can recognise, never a
 * different message. Outcomes live in `notification_deliveries`, outside the read models, so a rebuild of the outbox
 * sends nothing twice; an event whose notifications all reached a final outcome is marked done.
 */
export function createNotificationDelivery(options: NotificationDeliveryOptions): DueWorkScheduler<OutboxPage> {
  const { readModels } = options;
  const gate = options.gate ?? deliveryGate();
  return new DueWorkScheduler<OutboxPage>({
    name: NOTIFICATION_DELIVERY_SCHEDULER,
    clock: options.clock,
    intervalMs: options.intervalMs,
    // One item is a page of the outbox, whose notifications go out as the gate lets them (handled one at a time,
    // a backlog went at the pace of one SMTP exchange per e-mail). A pass takes page after page until one comes back
    // empty, or the same as one it already took (only notifications waiting for their retry are left).
    batchSize: 1,
    findDue: async (now) => {
      await ensureNotificationTables(readModels);
      // A page's claims and outcomes are a few statements each over all its notifications: they wait while the API is
      // busy, and are small until it is quiet. Capped, a page holds no more events than the cap lets through in
      // CAPPED_STEP_SECONDS (claims must not expire before they are sent).
      const events = await findUndelivered(readModels, gate.claimSize(options.outboxPage ?? OUTBOX_PAGE, await gate.giveWay()), now);
      return events.length > 0 ? [{ events }] : [];
    },
    handle: (page, now) => deliverPage(options, gate, page.events, now),
    describe: (page) => `notifications of ${page.events.length} events, ${page.events[0]!.eventId} to ${page.events.at(-1)!.eventId}`,
  });
}

/**
 * The oldest outbox events with something to do now. An event whose only unsettled notifications wait for a retry
 * that is not due yet is passed over: otherwise a page's worth of them at the head of the outbox (a mail server
 * refusing some addresses for hours: retries back off up to 6 hours) held back every notification behind them, a
 * member's news of a decision about their own content included.
 */
async function findUndelivered(readModels: DataSource, limit: number, now: Date): Promise<OutboxEvent[]> {
  const rows: { event_id: string; event_type: string; data: Record<string, unknown>; occurred_at: Date; audience: string[] }[] =
    await readModels.query(
      `SELECT o.event_id, o.event_type, o.data, o.occurred_at,
              ARRAY(SELECT a.member_id FROM read_models.${NOTIFICATION_OUTBOX_AUDIENCE_TABLE} a
                     WHERE a.event_id = o.event_id ORDER BY a.member_id) AS audience
         FROM read_models.${NOTIFICATION_OUTBOX_TABLE} o
        WHERE NOT EXISTS (SELECT 1 FROM notification_events_done d WHERE d.event_id = o.event_id)
          AND NOT (
            EXISTS (SELECT 1 FROM notification_deliveries d
                     WHERE d.event_id = o.event_id AND d.status = 'RETRY' AND d.next_attempt_at > $2)
            AND NOT EXISTS (SELECT 1 FROM notification_deliveries d
                             WHERE d.event_id = o.event_id AND d.status IN ${sqlIn(UNSETTLED_DELIVERY_STATUSES)}
                               AND NOT (d.status = 'RETRY' AND d.next_attempt_at > $2)))
        ORDER BY o.occurred_at, o.event_id LIMIT $1`,
      [limit, now],
    );
  return rows.map((row) => ({
    eventId: row.event_id,
    type: row.event_type,
    data: row.data,
    occurredAt: new Date(row.occurred_at).toISOString(),
    audience: row.audience,
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

/** One notification of a page, from its claim to its outcome. */
interface PageNotification {
  readonly event: OutboxEvent;
  readonly intent: NotificationIntent;
  readonly id: string;
  readonly tooOld: boolean;
  attempts?: number;
  outcome?: { readonly status: DeliveryStatus; readonly error: string | null };
}

/**
 * Delivers a page of the outbox: every notification of its events (an event may have many, e.g. a new agreement
 * version for every member bound by it), with a few statements for the whole page rather than four per notification:
 * the claims in one, the recipients' preferences and addresses in two, the sends as the gate lets them, the
 * outcomes in one, and the events whose notifications all reached a final outcome marked done in one. (Per
 * notification, the statements, not the SMTP server, held a backlog to about 50 e-mails a second on the development
 * machine: bench/notifications.bench.ts.) Until the outcomes are recorded the claims stand: a process that dies in
 * between leaves them to be taken again after CLAIM_EXPIRES_MS, sent with the same Message-IDs.
 */
async function deliverPage(
  options: NotificationDeliveryOptions,
  gate: BackgroundWorkGate,
  events: readonly OutboxEvent[],
  now: Date,
): Promise<void> {
  const { readModels } = options;
  const byId = new Map<string, PageNotification>();
  for (const event of events) {
    const intents = notificationsFor(
      { type: event.type, data: event.data, metadata: { occurredAt: event.occurredAt } },
      { appealWindowDays: options.appealWindowDays },
      { audience: event.audience },
    );
    const tooOld = now.getTime() - Date.parse(event.occurredAt) > options.maxAgeHours * 3_600_000;
    for (const intent of intents) {
      const id = notificationId(event.eventId, intent, 'email');
      if (!byId.has(id)) byId.set(id, { event, intent, id, tooOld });
    }
  }
  const page = [...byId.values()];
  const unfinished = new Set<string>();

  // The first claim inserts; a claim left by a process that died, or a retry that is due, is taken over. Rows are
  // created in the page's order, each at its own clock_timestamp(): the delivery log lists them as they were decided.
  const claimed = (await readModels.query(
    `INSERT INTO notification_deliveries AS d
            (notification_id, event_id, kind, recipient_id, channel, status, attempts, message_id, created_at, updated_at)
     SELECT c.id, c.event_id, c.kind, c.recipient_id, 'email', 'SENDING', 1, c.message_id, clock_timestamp(), $6
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) WITH ORDINALITY AS c(id, event_id, kind, recipient_id, message_id, n)
      ORDER BY c.n
     ON CONFLICT (notification_id) DO UPDATE SET status = 'SENDING', attempts = d.attempts + 1, updated_at = $6
       WHERE (d.status = 'SENDING' AND d.updated_at < $6::timestamptz - make_interval(secs => $7))
          OR (d.status = 'RETRY' AND d.next_attempt_at <= $6)
     RETURNING d.notification_id, d.attempts`,
    [
      page.map((n) => n.id),
      page.map((n) => n.event.eventId),
      page.map((n) => n.intent.kind),
      page.map((n) => n.intent.recipientId),
      page.map((n) => messageIdOf(n.id)),
      now,
      CLAIM_EXPIRES_MS / 1000,
    ],
  )) as { notification_id: string; attempts: number }[];
  for (const row of claimed) byId.get(row.notification_id)!.attempts = row.attempts;
  const mine = page.filter((n) => n.attempts !== undefined);
  // Not claimed: sent or settled before, or in another instance's hands; only the first are final.
  const others = page.filter((n) => n.attempts === undefined);
  if (others.length > 0) {
    const rows = (await readModels.query(
      'SELECT notification_id, status FROM notification_deliveries WHERE notification_id = ANY($1::text[])',
      [others.map((n) => n.id)],
    )) as { notification_id: string; status: DeliveryStatus }[];
    const statuses = new Map(rows.map((row) => [row.notification_id, row.status]));
    for (const n of others) {
      const status = statuses.get(n.id);
      if (status === undefined || UNSETTLED_DELIVERY_STATUSES.includes(status)) unfinished.add(n.event.eventId);
    }
  }

  const recipients = [...new Set(mine.map((n) => n.intent.recipientId))];
  const optedOut = await optedOutKinds(readModels, recipients);
  const members = options.send && recipients.length > 0 ? await membersOf(readModels, recipients) : new Map<string, Member>();
  const erasures = mine.filter((n) => n.intent.kind === 'ERASURE_COMPLETED').map((n) => n.intent.recipientId);
  const kept = options.send ? await erasureNoticesOf(readModels, erasures) : new Map<string, ErasureNotice>();
  const toSend: { n: PageNotification; address: string; language: string | null }[] = [];
  for (const n of mine) {
    // Too old when first seen only (a first deployment reading the whole log): a retry, after an SMTP outage however
    // long, still tells the member (a decision's appeal window counts on it).
    if (n.tooOld && n.attempts === 1) n.outcome = { status: 'SKIPPED_TOO_OLD', error: null };
    else if (optedOut.get(n.intent.recipientId)?.includes(n.intent.kind))
      n.outcome = { status: 'NOT_SENT_OPTED_OUT', error: `the member chose not to receive ${n.intent.kind}` };
    else if (!options.send) n.outcome = { status: 'NOT_SENT_NO_SMTP', error: 'no SMTP configured (SMTP_URL)' };
    // The deliberate exception to an erased member's address being gone: the one kept for this message alone.
    else if (n.intent.kind === 'ERASURE_COMPLETED') {
      const notice = kept.get(n.intent.recipientId);
      if (!notice) n.outcome = { status: 'NOT_SENT_NO_ADDRESS', error: 'no e-mail address was kept for the member before the erasure' };
      else toSend.push({ n, address: notice.address, language: notice.language });
    } else {
      const member = members.get(n.intent.recipientId);
      const address = member?.emails.find((email) => email.primary)?.value ?? member?.emails[0]?.value;
      if (!address) n.outcome = { status: 'NOT_SENT_NO_ADDRESS', error: 'the member has no e-mail address in the directory' };
      else toSend.push({ n, address, language: member?.preferred_language ?? null });
    }
  }

  let next = 0;
  const sender = async (send: MailSender) => {
    while (next < toSend.length) {
      const { n, address, language } = toSend[next++]!;
      const message = renderNotification(n.intent, notificationLanguage(language));
      try {
        await gate.run(() => send({ messageId: messageIdOf(n.id), to: address, ...message }));
        n.outcome = { status: 'SENT', error: null };
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        logger.warn('notification: sending failed', { notificationId: n.id, attempts: n.attempts, error: reason });
        n.outcome = { status: n.attempts! >= MAX_ATTEMPTS ? 'FAILED' : 'RETRY', error: reason };
      }
    }
  };
  if (options.send)
    await Promise.all(Array.from({ length: Math.min(gate.settings.concurrency, toSend.length) }, () => sender(options.send!)));

  if (mine.length > 0) {
    const retryAt = (n: PageNotification) =>
      n.outcome!.status === 'RETRY' ? new Date(now.getTime() + Math.min(2 ** n.attempts! * 30_000, 6 * 3_600_000)) : null;
    await readModels.query(
      `UPDATE notification_deliveries d SET status = o.status, last_error = o.error, next_attempt_at = o.retry_at, updated_at = now(),
              sent_at = CASE WHEN o.status = 'SENT' THEN now() END
         FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[]) AS o(id, status, error, retry_at)
        WHERE d.notification_id = o.id`,
      [mine.map((n) => n.id), mine.map((n) => n.outcome!.status), mine.map((n) => n.outcome!.error), mine.map(retryAt)],
    );
    for (const n of mine) if (n.outcome!.status === 'RETRY') unfinished.add(n.event.eventId);
  }
  // Forgotten once settled, whichever way (sent, failed for good, not sent, skipped), and before the event is marked
  // done: a process dying in between forgets it on the next pass, which finds the notification settled.
  await forgetSettledErasureNotices(
    readModels,
    page.filter((n) => n.intent.kind === 'ERASURE_COMPLETED').map((n) => ({ memberId: n.intent.recipientId, notificationId: n.id })),
  );
  const done = events.map((event) => event.eventId).filter((eventId) => !unfinished.has(eventId));
  if (done.length > 0)
    await readModels.query('INSERT INTO notification_events_done (event_id) SELECT unnest($1::text[]) ON CONFLICT DO NOTHING', [done]);
}

interface Member {
  readonly emails: { value: string; primary: boolean }[];
  readonly preferred_language: string | null;
}

/** The recipients' addresses and languages, from the directory's read model. */
async function membersOf(readModels: DataSource, memberIds: readonly string[]): Promise<Map<string, Member>> {
  const rows = (await readModels.query(
    `SELECT member_id, emails, preferred_language FROM read_models.${MEMBERS_TABLE} WHERE member_id = ANY($1::text[])`,
    [memberIds],
  )) as (Member & { member_id: string })[];
  return new Map(rows.map((row) => [row.member_id, row]));
}

/**
 * The kinds each member does not want, as their preferences stand when they are sent: those they turned off, and the
 * opt-in kinds they are not subscribed to (e.g. unsubscribed from the digest after it was compiled).
 */
async function optedOutKinds(readModels: DataSource, memberIds: readonly string[]): Promise<Map<string, readonly string[]>> {
  if (memberIds.length === 0) return new Map();
  const rows = (await readModels.query(
    `SELECT member_id, opted_out, opted_in FROM read_models.${NOTIFICATION_PREFERENCES_TABLE} WHERE member_id = ANY($1::text[])`,
    [memberIds],
  )) as { member_id: string; opted_out: string[]; opted_in: string[] }[];
  const byMember = new Map(rows.map((row) => [row.member_id, row]));
  return new Map(
    memberIds.map((memberId) => {
      const row = byMember.get(memberId);
      const optedIn = row?.opted_in ?? [];
      return [memberId, [...(row?.opted_out ?? []), ...OPT_IN_NOTIFICATION_KINDS.filter((kind) => !optedIn.includes(kind))]];
    }),
  );
}
