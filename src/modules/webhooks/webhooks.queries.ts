import type { DataSource } from 'typeorm';
import { boundOperator, keysetPage, type CursorCodec, type PageInfo, type PageRequest } from '../../platform/graphql/pagination.ts';
import { badInput, conflict, notFound } from '../../platform/shared/domain-error.ts';
import { requireListSize } from '../../platform/shared/id-cursor.ts';
import type { WebhookDisabledReason, WebhookStatus } from './webhook.decider.ts';
import type { WebhookDeliveryStatus } from './webhook-dispatch.ts';
import type { Webhook } from './webhooks.graphql.ts';
import { WEBHOOKS, type WebhookRow } from './webhooks.projection.ts';

/** Webhooks are registered by hand, a handful per organisation: listed whole, up to this many. */
export const MAX_WEBHOOKS_LISTED = 500;

export async function listWebhooks(db: DataSource): Promise<Webhook[]> {
  const rows = await db
    .getRepository(WEBHOOKS.entity)
    .find({ order: { registeredAt: 'ASC', webhookId: 'ASC' }, take: MAX_WEBHOOKS_LISTED });
  return rows.map(toWebhook);
}

/** NOT_FOUND on `webhookId` for a webhook the read model does not hold. */
export async function webhookOf(db: DataSource, webhookId: string): Promise<Webhook> {
  const row = await db.getRepository(WEBHOOKS.entity).findOneBy({ webhookId });
  if (!row) throw notFound(`webhook ${webhookId} does not exist`, { field: 'webhookId' });
  return toWebhook(row);
}

/** The row as the API shows it; the status and reason columns hold only the decider's values (the projection writes them). */
function toWebhook(row: WebhookRow): Webhook {
  return {
    ...row,
    status: row.status as WebhookStatus,
    disabledReason: row.disabledReason as WebhookDisabledReason | null,
  };
}

export interface WebhookDeliveryView {
  readonly messageId: string;
  readonly webhookId: string;
  readonly eventId: string;
  readonly eventType: string;
  readonly status: WebhookDeliveryStatus;
  readonly attempts: number;
  readonly lastError: string | null;
  readonly nextAttemptAt: Date | null;
  readonly sentAt: Date | null;
  readonly createdAt: Date;
  /** The key of the page: deliveries in the order they were enqueued (the log's order per webhook). */
  readonly seq: string;
}

/** A cursor is the delivery's place in the order it was enqueued, as base64url text checked by a round trip. */
export const DELIVERY_CURSORS: CursorCodec<string> = {
  encode: (seq) => Buffer.from(seq, 'utf8').toString('base64url'),
  decode: (cursor, field) => {
    const seq = /^[A-Za-z0-9_-]{1,40}$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
    if (!/^[1-9][0-9]{0,17}$/.test(seq) || Buffer.from(seq, 'utf8').toString('base64url') !== cursor) {
      throw badInput(`${field} is not a valid cursor`, { field });
    }
    return seq;
  },
};

/** The delivery log, oldest first, optionally of one webhook and of some statuses; empty before the first pass made it. */
export async function listWebhookDeliveries(
  db: DataSource,
  requested: PageRequest,
  filter: { readonly webhookId: string | null; readonly statuses: readonly WebhookDeliveryStatus[] | null },
): Promise<{ nodes: WebhookDeliveryView[]; totalCount: number } & PageInfo> {
  const request = { ...requested, size: requireListSize(requested.size, 100) };
  if (!(await deliveryTableExists(db))) {
    return { nodes: [], totalCount: 0, hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null };
  }
  const statuses = filter.statuses === null || filter.statuses.length === 0 ? null : [...filter.statuses];
  const where = ['($1::text IS NULL OR webhook_id = $1)', '($2::text[] IS NULL OR status = ANY ($2))'];
  const page = await keysetPage(
    request,
    (row: WebhookDeliveryView) => row.seq,
    async ({ bound, order, limit }) => {
      const conditions = [...where];
      const params: unknown[] = [filter.webhookId, statuses];
      if (bound !== null) {
        params.push(bound.key);
        conditions.push(`seq ${boundOperator(bound)} $${params.length}::bigint`);
      }
      params.push(limit);
      const rows = (await db.query(
        `SELECT seq::text, message_id, webhook_id, event_id, event_type, status, attempts, last_error, next_attempt_at, sent_at, created_at
           FROM webhook_deliveries WHERE ${conditions.join(' AND ')} ORDER BY seq ${order} LIMIT $${params.length}`,
        params,
      )) as Record<string, unknown>[];
      return rows.map(toDelivery);
    },
    DELIVERY_CURSORS,
  );
  const [count] = (await db.query(`SELECT count(*)::int AS n FROM webhook_deliveries WHERE ${where.join(' AND ')}`, [
    filter.webhookId,
    statuses,
  ])) as { n: number }[];
  return { nodes: page.rows, ...page.pageInfo, totalCount: count?.n ?? 0 };
}

/**
 * A dead letter (FAILED) made due now, its attempts counted afresh; NOT_FOUND for an unknown message id, CONFLICT
 * for a delivery that is not a dead letter (sent, or still being tried).
 */
export async function retryWebhookDelivery(db: DataSource, messageId: string): Promise<WebhookDeliveryView> {
  if (await deliveryTableExists(db)) {
    const updated = (await db.query(
      `UPDATE webhook_deliveries SET status = 'RETRY', attempts = 0, next_attempt_at = now(), updated_at = now()
        WHERE message_id = $1 AND status = 'FAILED'
        RETURNING seq::text, message_id, webhook_id, event_id, event_type, status, attempts, last_error, next_attempt_at, sent_at, created_at`,
      [messageId],
    )) as [Record<string, unknown>[], number];
    const row = updated[0]?.[0];
    if (row) return toDelivery(row);
    const [existing] = (await db.query('SELECT status FROM webhook_deliveries WHERE message_id = $1', [messageId])) as { status: string }[];
    if (existing) {
      throw conflict(`delivery ${messageId} is ${existing.status}: only a FAILED delivery is retried by hand`, { field: 'messageId' });
    }
  }
  throw notFound(`webhook delivery ${messageId} does not exist`, { field: 'messageId' });
}

async function deliveryTableExists(db: DataSource): Promise<boolean> {
  const [row] = (await db.query(`SELECT to_regclass('webhook_deliveries') IS NOT NULL AS exists`)) as { exists: boolean }[];
  return row?.exists ?? false;
}

function toDelivery(row: Record<string, unknown>): WebhookDeliveryView {
  const date = (value: unknown) => (value === null || value === undefined ? null : new Date(value as string));
  return {
    seq: String(row['seq']),
    messageId: String(row['message_id']),
    webhookId: String(row['webhook_id']),
    eventId: String(row['event_id']),
    eventType: String(row['event_type']),
    status: row['status'] as WebhookDeliveryStatus,
    attempts: Number(row['attempts']),
    lastError: (row['last_error'] as string | null) ?? null,
    nextAttemptAt: row['status'] === 'PENDING' || row['status'] === 'RETRY' ? date(row['next_attempt_at']) : null,
    sentAt: date(row['sent_at']),
    createdAt: new Date(row['created_at'] as string),
  };
}
