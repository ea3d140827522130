import { createHash, randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import type { Migration } from '#postgres';
import {
  handleCommand,
  loadState,
  parsePosition,
  positionToString,
  START,
  streamCategory,
  type EventMetadata,
  type GovernanceEventStore,
  type StoredEvent,
} from '#event-store';
import { logContext, logger } from '../../platform/observability/logger.ts';
import { deliveryGate, type BackgroundWorkGate } from '../../platform/scheduling/background-work-gate.ts';
import { DueWorkScheduler } from '../../platform/scheduling/due-work-scheduler.ts';
import type { Clock } from '../../platform/shared/clock.ts';
import { migrateOnFirstUse } from '../../platform/infrastructure/migrate-on-first-use.ts';
import { sqlIn } from '../../platform/shared/sql.ts';
import { webhookDecider, webhookHears, webhookStreamId, type WebhookState } from './webhook.decider.ts';
import type { WebhookPoster } from './webhook-sender.ts';
import { signedHeaders, signingSecrets, type WebhookKey } from './webhook-signing.ts';
import { WEBHOOKS_TABLE } from './webhooks.projection.ts';

export const WEBHOOK_DISPATCH_SCHEDULER = 'webhook-dispatch';

export const WEBHOOK_DELIVERY_STATUSES = ['PENDING', 'SENDING', 'RETRY', 'SENT', 'FAILED'] as const;
export type WebhookDeliveryStatus = (typeof WEBHOOK_DELIVERY_STATUSES)[number];
const UNFINISHED: readonly WebhookDeliveryStatus[] = ['PENDING', 'SENDING', 'RETRY'];

/** A claim this old is taken to have died with its process: sent again, with the same webhook-id. */
const CLAIM_EXPIRES_MS = 2 * 60_000;
/** Attempts before a delivery becomes a dead letter (about a day and a half with the backoff below). */
export const WEBHOOK_MAX_ATTEMPTS = 40;
/**
 * Events read from the log per query (fewer while the API is not quiet: background-work-gate.ts), and at most per
 * webhook per pass (the rest waits for the next pass).
 */
const LOG_PAGE = 500;
const LOG_EVENTS_PER_PASS = 5_000;
/** Deliveries claimed at once per webhook (fewer while the API is not quiet); the requests in flight are the gate's. */
const CLAIM_BATCH = 200;

export interface WebhookDispatchOptions {
  readonly events: GovernanceEventStore;
  readonly readModels: DataSource;
  readonly clock: Clock;
  readonly intervalMs: number;
  readonly key: () => Promise<WebhookKey>;
  readonly post: WebhookPoster;
  /** A webhook whose every attempt failed for this long is disabled, and whoever registered it is told. */
  readonly disableAfterMs: number;
  /** Where each request takes its turn, shared with the e-mail delivery; default: the process's gate. */
  readonly gate?: BackgroundWorkGate;
}

interface ActiveWebhook {
  readonly webhookId: string;
}

/**
 * Delivers the log to the webhooks, each event a webhook hears exactly once per webhook, in two steps:
 *
 * 1. Enqueue: each webhook has a cursor in the log (from its registration on). Under a lock on that cursor, the
 *    events after it are read, one delivery row per event it hears is inserted (its body fixed then: a retry sends
 *    the same bytes) and the cursor moves, in one transaction: an instance that dies mid-way enqueues nothing or all,
 *    and two instances never enqueue the same event twice (the message id is the row's key as well).
 * 2. Send: due rows are claimed (FOR UPDATE SKIP LOCKED: instances share the work), posted with Standard Webhooks
 *    signatures, and their outcome recorded. A process that dies between posting and recording leaves a claim that
 *    expires after CLAIM_EXPIRES_MS: the row is posted again with the same webhook-id, which receivers use to
 *    recognise the repeat (the specification's idempotency key).
 *
 * Failures are retried with exponential backoff (15 s doubling, at most hourly). A webhook whose every attempt has
 * failed for `disableAfterMs` is disabled by a WebhookDisabled event (FAILING), which tells whoever registered it; its
 * cursor stays where it was, so enabling it again delivers what was recorded meanwhile.
 *
 * The delivery tables live outside the read models: a rebuild of the read models posts nothing twice.
 */
export function createWebhookDispatch(options: WebhookDispatchOptions): DueWorkScheduler<ActiveWebhook> {
  const { readModels } = options;
  return new DueWorkScheduler<ActiveWebhook>({
    name: WEBHOOK_DISPATCH_SCHEDULER,
    clock: options.clock,
    intervalMs: options.intervalMs,
    findDue: async (_now, limit) => {
      await ensureDispatchSchema(readModels);
      const rows: { webhook_id: string }[] = await readModels.query(
        `SELECT webhook_id FROM read_models.${WEBHOOKS_TABLE} WHERE status = 'ACTIVE' ORDER BY webhook_id LIMIT $1`,
        [limit],
      );
      return rows.map((row) => ({ webhookId: row.webhook_id }));
    },
    handle: (webhook, now) => dispatch(options, webhook.webhookId, now),
    describe: (webhook) => `webhook ${webhook.webhookId}`,
  });
}

/**
 * The dispatch's own tables, outside the read models (a rebuild must post nothing twice), created by migrations on
 * first use. Version 1 says IF NOT EXISTS: databases from before the migrations already have it.
 */
const WEBHOOK_DISPATCH_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'cursors and deliveries',
    sql: `
      CREATE TABLE IF NOT EXISTS webhook_cursors (
        webhook_id      text PRIMARY KEY,
        after_position  text NOT NULL,
        failing_since   timestamptz,
        last_error      text,
        last_success_at timestamptz
      );
      CREATE TABLE IF NOT EXISTS webhook_deliveries (
        message_id      text        PRIMARY KEY,
        seq             bigserial   NOT NULL,
        webhook_id      text        NOT NULL,
        event_id        text        NOT NULL,
        event_type      text        NOT NULL,
        body            text        NOT NULL,
        status          text        NOT NULL,
        attempts        int         NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL,
        claimed_until   timestamptz,
        last_error      text,
        created_at      timestamptz NOT NULL,
        updated_at      timestamptz NOT NULL,
        sent_at         timestamptz
      );
      CREATE INDEX IF NOT EXISTS webhook_deliveries_due ON webhook_deliveries (webhook_id, seq) WHERE status IN ${sqlIn(UNFINISHED)};`,
  },
];

export function ensureDispatchSchema(readModels: DataSource): Promise<void> {
  return migrateOnFirstUse(readModels, 'webhooks', WEBHOOK_DISPATCH_MIGRATIONS);
}

/** The webhook-id of one event's delivery to one webhook: the same whichever instance enqueues it, however often. */
export function webhookMessageId(webhookId: string, eventId: string): string {
  return 'msg_' + createHash('sha256').update(`${webhookId}/${eventId}`).digest('base64url').slice(0, 32);
}

async function dispatch(options: WebhookDispatchOptions, webhookId: string, now: Date): Promise<void> {
  // The stream, not the read model, says whether it is active, where it goes and with which secret.
  const { state, events } = await loadState(options.events, webhookStreamId(webhookId), webhookDecider);
  if (!state.registered || state.status !== 'ACTIVE') return;
  const registration = events[0]!;
  await enqueue(options, state, registration, now);
  await send(options, state, now);
}

/** Step 1: the events after the cursor that the webhook hears become delivery rows, and the cursor moves, at once. */
async function enqueue(options: WebhookDispatchOptions, webhook: WebhookState, registration: StoredEvent, now: Date): Promise<void> {
  const { readModels, events } = options;
  await readModels.query(`INSERT INTO webhook_cursors (webhook_id, after_position) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [
    webhook.webhookId,
    positionToString(registration.position),
  ]);
  const gate = options.gate ?? deliveryGate();
  for (let read = 0; read < LOG_EVENTS_PER_PASS;) {
    // The transaction's insert holds back the log's readers until it commits, so the API's mutations wait for it: it
    // waits for them instead, and is kept small while they come.
    const maxCount = gate.stepSize(LOG_PAGE, await gate.giveWay());
    const more = await readModels.transaction(async (manager) => {
      // An advisory lock, not FOR UPDATE: a row lock would give this transaction an id before the log is read, and
      // the PostgreSQL store's reads stop below the oldest transaction still running (they would wait for this one).
      const [lock] = (await manager.query(`SELECT pg_try_advisory_xact_lock(hashtext('webhook-cursor'), hashtext($1)) AS locked`, [
        webhook.webhookId,
      ])) as { locked: boolean }[];
      if (!lock?.locked) return false; // another instance is enqueuing for this webhook right now
      const [cursor] = (await manager.query(`SELECT after_position FROM webhook_cursors WHERE webhook_id = $1`, [webhook.webhookId])) as {
        after_position: string;
      }[];
      const page = await events.readAll({ after: cursor ? parsePosition(cursor.after_position) : START, maxCount });
      read += page.events.length;
      const heard = page.events.filter((event) => webhookHears(webhook, event));
      if (heard.length > 0) await insertDeliveries(manager, options, webhook.webhookId, heard, now);
      await manager.query(`UPDATE webhook_cursors SET after_position = $2 WHERE webhook_id = $1`, [
        webhook.webhookId,
        positionToString(page.checkpoint),
      ]);
      return !page.isEnd;
    });
    if (!more) break;
  }
}

async function insertDeliveries(
  manager: EntityManager,
  options: WebhookDispatchOptions,
  webhookId: string,
  heard: readonly StoredEvent[],
  now: Date,
): Promise<void> {
  const rows = heard.map((event) => ({
    messageId: webhookMessageId(webhookId, event.id),
    eventId: event.id,
    eventType: event.type,
    body: JSON.stringify(payloadOf(event, options.events.personalFieldsOf(event.type))),
  }));
  await manager.query(
    `INSERT INTO webhook_deliveries (message_id, webhook_id, event_id, event_type, body, status, next_attempt_at, created_at, updated_at)
     SELECT m, $1, e, t, b, 'PENDING', $6, $6, $6 FROM unnest($2::text[], $3::text[], $4::text[], $5::text[]) WITH ORDINALITY AS r(m, e, t, b, n)
     ORDER BY n
     ON CONFLICT (message_id) DO NOTHING`,
    [webhookId, rows.map((r) => r.messageId), rows.map((r) => r.eventId), rows.map((r) => r.eventType), rows.map((r) => r.body), now],
  );
}

/**
 * The body of a webhook (the Standard Webhooks payload shape: type, timestamp, data): the event as the history shows
 * it, without its personal fields (named in `withheld`: the API gives them to whoever may read them) and without the
 * free-text reason of its metadata. Receivers are team channels: they hear what happened, by ids.
 */
export function payloadOf(event: StoredEvent, personalFields: readonly string[]): Record<string, unknown> {
  const data: Record<string, unknown> = {};
  const withheld: string[] = [];
  for (const [field, value] of Object.entries(event.data)) {
    if (personalFields.includes(field)) withheld.push(field);
    else data[field] = value;
  }
  return {
    type: `${streamCategory(event.streamId)}.${event.type}`,
    timestamp: event.recordedAt.toISOString(),
    data: {
      eventId: event.id,
      eventType: event.type,
      streamId: event.streamId,
      revision: event.revision,
      position: positionToString(event.position),
      occurredAt: event.metadata.occurredAt,
      actorId: event.metadata.actorId,
      authority: event.metadata.authority,
      correlationId: event.metadata.correlationId,
      data,
      withheld,
    },
  };
}

interface ClaimedDelivery {
  readonly message_id: string;
  readonly body: string;
  readonly attempts: number;
}

/** Step 2: the webhook's due deliveries, oldest first, a batch at a time, each request when the gate gives its turn. */
async function send(options: WebhookDispatchOptions, webhook: WebhookState, now: Date): Promise<void> {
  const key = await options.key();
  const secrets = signingSecrets(key, webhook, now);
  const gate = options.gate ?? deliveryGate();
  for (;;) {
    const limit = gate.claimSize(CLAIM_BATCH, await gate.giveWay());
    const claimed = (await options.readModels.query(
      `UPDATE webhook_deliveries d SET status = 'SENDING', attempts = d.attempts + 1, claimed_until = $3, updated_at = $2
        WHERE d.message_id IN (
          SELECT message_id FROM webhook_deliveries
           WHERE webhook_id = $1 AND status IN ${sqlIn(UNFINISHED)}
             AND ((status <> 'SENDING' AND next_attempt_at <= $2) OR (status = 'SENDING' AND claimed_until < $2))
           ORDER BY seq LIMIT $4 FOR UPDATE SKIP LOCKED)
        RETURNING d.message_id, d.body, d.attempts`,
      [webhook.webhookId, now, new Date(now.getTime() + CLAIM_EXPIRES_MS), limit],
    )) as [ClaimedDelivery[], number] | ClaimedDelivery[];
    const rows = Array.isArray(claimed[0]) ? (claimed[0] as ClaimedDelivery[]) : (claimed as ClaimedDelivery[]);
    if (rows.length === 0) return;
    let failures = 0;
    let next = 0;
    const sent: string[] = [];
    const worker = async () => {
      while (next < rows.length) {
        const row = rows[next++]!;
        if (await gate.run(() => attempt(options, webhook, secrets, row, now))) sent.push(row.message_id);
        else failures++;
      }
    };
    await Promise.all(Array.from({ length: Math.min(gate.settings.concurrency, rows.length) }, worker));
    await recordSent(options, webhook.webhookId, sent);
    if (failures > 0) {
      await disableWhenFailingTooLong(options, webhook, now);
      return; // the receiver is failing: what is left waits for its retry time rather than being hammered now
    }
    if (rows.length < limit) return;
  }
}

/**
 * Records the batch's deliveries the receiver took, in one statement, and the webhook's success in another. Recorded
 * one by one (two statements per delivery, from each request in flight, on the read side's pool of 10 connections
 * that the API's reads share too), a backlog went at about 340 deliveries a second on the development machine
 * (bench/notifications.bench.ts). Until this commits the batch's claims stand: a process that dies before it posts
 * them again after CLAIM_EXPIRES_MS, with the same webhook-ids.
 */
async function recordSent(options: WebhookDispatchOptions, webhookId: string, messageIds: readonly string[]): Promise<void> {
  if (messageIds.length === 0) return;
  await options.readModels.query(
    `UPDATE webhook_deliveries SET status = 'SENT', last_error = NULL, claimed_until = NULL, sent_at = now(), updated_at = now()
      WHERE message_id = ANY($1::text[])`,
    [messageIds],
  );
  await options.readModels.query(
    `UPDATE webhook_cursors SET failing_since = NULL, last_error = NULL, last_success_at = now() WHERE webhook_id = $1`,
    [webhookId],
  );
}

/** Posts one delivery; records the outcome of a failure (successes are recorded by batch); answers whether the receiver took it. */
async function attempt(
  options: WebhookDispatchOptions,
  webhook: WebhookState,
  secrets: readonly string[],
  row: ClaimedDelivery,
  now: Date,
): Promise<boolean> {
  const { readModels } = options;
  try {
    // Signed at the moment of sending: receivers refuse timestamps more than a few minutes old.
    await options.post({
      url: webhook.url,
      headers: signedHeaders(secrets, row.message_id, options.clock.now(), row.body),
      body: row.body,
    });
  } catch (error) {
    const reason = (error instanceof Error ? error.message : String(error)).slice(0, 500);
    const final = row.attempts >= WEBHOOK_MAX_ATTEMPTS;
    const retryAt = new Date(now.getTime() + Math.min(15_000 * 2 ** (row.attempts - 1), 3_600_000));
    await readModels.query(
      `UPDATE webhook_deliveries SET status = $2, last_error = $3, next_attempt_at = $4, claimed_until = NULL, updated_at = now() WHERE message_id = $1`,
      [row.message_id, final ? 'FAILED' : 'RETRY', reason, retryAt],
    );
    await readModels.query(
      `UPDATE webhook_cursors SET failing_since = COALESCE(failing_since, $2), last_error = $3 WHERE webhook_id = $1`,
      [webhook.webhookId, now, reason],
    );
    logger.warn('webhook: delivery failed', {
      webhookId: webhook.webhookId,
      messageId: row.message_id,
      attempts: row.attempts,
      error: reason,
    });
    return false;
  }
  return true;
}

/** A day (disableAfterMs) of nothing but failures: the webhook is disabled by the log, and its registrant told. */
async function disableWhenFailingTooLong(options: WebhookDispatchOptions, webhook: WebhookState, now: Date): Promise<void> {
  const [cursor] = (await options.readModels.query(`SELECT failing_since, last_error FROM webhook_cursors WHERE webhook_id = $1`, [
    webhook.webhookId,
  ])) as { failing_since: Date | null; last_error: string | null }[];
  if (!cursor?.failing_since || now.getTime() - new Date(cursor.failing_since).getTime() < options.disableAfterMs) return;
  const since = new Date(cursor.failing_since).toISOString();
  const correlationId = randomUUID();
  const metadata: EventMetadata = {
    actorId: 'system',
    actorRoles: [],
    authority: `webhook delivery: every attempt failed since ${since}`,
    reason: null,
    source: 'automation',
    correlationId,
    causationId: null,
    // Once per failing spell, whichever instance notices it first.
    commandId: `system/webhook-failing/${webhook.webhookId}/${since}`,
    occurredAt: now.toISOString(),
  };
  await logContext.run({ correlationId }, async () => {
    const result = await handleCommand({
      store: options.events,
      streamId: webhookStreamId(webhook.webhookId),
      decider: webhookDecider,
      command: {
        type: 'DisableWebhook',
        webhookId: webhook.webhookId,
        actorId: 'system',
        at: now.toISOString(),
        failing: { since, lastError: cursor.last_error ?? 'unknown' },
      },
      metadata,
      retryOnConflict: 3,
    });
    if (result.events.length > 0 && !result.idempotentReplay)
      logger.warn('webhook disabled after failing', { webhookId: webhook.webhookId, since });
  });
}
