import type { DataSource } from 'typeorm';
import { boundOperator, keysetPage, type CursorCodec, type PageInfo, type PageRequest } from '../../platform/graphql/pagination.ts';
import { badInput } from '../../platform/shared/domain-error.ts';
import { requireListSize } from '../../platform/shared/id-cursor.ts';
import type { DeliveryStatus } from './notification-delivery.ts';
import type { NotificationKind } from './notification-rules.ts';

export interface NotificationDeliveryView {
  readonly notificationId: string;
  readonly eventId: string;
  readonly kind: NotificationKind;
  readonly recipientId: string;
  readonly channel: string;
  readonly status: DeliveryStatus;
  readonly attempts: number;
  readonly lastError: string | null;
  readonly sentAt: Date | null;
  readonly createdAt: Date;
}

const MAX_PAGE = 100;

export const encodeNotificationCursor = (id: string): string => Buffer.from(id, 'utf8').toString('base64url');

/** Notification ids hold slashes: their cursors are their base64url form, checked by a round trip. */
const NOTIFICATION_CURSORS: CursorCodec<string> = {
  encode: encodeNotificationCursor,
  decode: (cursor, field) => {
    const id = /^[A-Za-z0-9_-]{1,2000}$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
    if (id === '' || encodeNotificationCursor(id) !== cursor) throw badInput(`${field} is not a valid cursor`, { field });
    return id;
  },
};

/** The delivery log, by notification id, optionally of some statuses; empty before the first delivery pass made it. */
export async function listNotificationDeliveries(
  db: DataSource,
  requested: PageRequest,
  statuses: readonly DeliveryStatus[] | null,
): Promise<{ nodes: NotificationDeliveryView[]; totalCount: number } & PageInfo> {
  const request = { ...requested, size: requireListSize(requested.size, MAX_PAGE) };
  const [exists] = (await db.query(`SELECT to_regclass('notification_deliveries') IS NOT NULL AS exists`)) as { exists: boolean }[];
  if (!exists?.exists) {
    return { nodes: [], totalCount: 0, hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null };
  }
  const statusFilter = statuses === null || statuses.length === 0 ? null : [...statuses];
  const page = await keysetPage(
    request,
    (row: NotificationDeliveryView) => row.notificationId,
    async ({ bound, order, limit }) => {
      const conditions = ['($1::text[] IS NULL OR status = ANY ($1))'];
      const params: unknown[] = [statusFilter];
      if (bound !== null) {
        params.push(bound.key);
        conditions.push(`notification_id ${boundOperator(bound)} $${params.length}`);
      }
      params.push(limit);
      const rows = (await db.query(
        `SELECT notification_id, event_id, kind, recipient_id, channel, status, attempts, last_error, sent_at, created_at
           FROM notification_deliveries WHERE ${conditions.join(' AND ')}
          ORDER BY notification_id ${order} LIMIT $${params.length}`,
        params,
      )) as Record<string, unknown>[];
      return rows.map(toView);
    },
    NOTIFICATION_CURSORS,
  );
  const [count] = (await db.query(
    'SELECT count(*)::int AS n FROM notification_deliveries WHERE ($1::text[] IS NULL OR status = ANY ($1))',
    [statusFilter],
  )) as { n: number }[];
  return { nodes: page.rows, ...page.pageInfo, totalCount: count?.n ?? 0 };
}

function toView(row: Record<string, unknown>): NotificationDeliveryView {
  return {
    notificationId: String(row['notification_id']),
    eventId: String(row['event_id']),
    kind: row['kind'] as NotificationKind,
    recipientId: String(row['recipient_id']),
    channel: String(row['channel']),
    status: row['status'] as DeliveryStatus,
    attempts: Number(row['attempts']),
    lastError: (row['last_error'] as string | null) ?? null,
    sentAt: row['sent_at'] === null ? null : new Date(row['sent_at'] as string),
    createdAt: new Date(row['created_at'] as string),
  };
}
