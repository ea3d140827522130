import type { StoredEvent } from '#event-store';
import { columns, readModelProjection, readModelTable, type RowOf } from '../../platform/infrastructure/read-model-table.ts';
import { WEBHOOK_EVENT_TYPES, type WebhookEvent } from './webhook.decider.ts';

export const WEBHOOKS_PROJECTION = 'webhooks';

export const WEBHOOKS = readModelTable('webhooks', {
  webhookId: columns.text().primary(),
  urlHint: columns.text(),
  description: columns.text().nullable(),
  eventTypes: columns.textArray(),
  categories: columns.textArray(),
  status: columns.text(),
  secretVersion: columns.int(),
  registeredBy: columns.text(),
  registeredAt: columns.timestamptz(),
  rotatedAt: columns.timestamptz().nullable(),
  disabledReason: columns.text().nullable(),
  disabledAt: columns.timestamptz().nullable(),
  lastError: columns.text().nullable(),
  revision: columns.int(),
});
export type WebhookRow = RowOf<typeof WEBHOOKS>;
export const WEBHOOKS_TABLE = WEBHOOKS.name;

/**
 * The webhooks as community managers list them: no URL (only its hint) and no secret (never stored anywhere). What a
 * delivery needs (the URL, the secret's version, whether it is active) it reads from the webhook's stream, so a
 * lagging read model never sends with a retired secret or to a disabled webhook.
 */
export const webhooksProjection = readModelProjection<StoredEvent>({
  name: WEBHOOKS_PROJECTION,
  version: 1,
  tables: [WEBHOOKS],
  filter: { eventTypes: [...WEBHOOK_EVENT_TYPES] },

  async apply(events, client, ctx) {
    const table = ctx.table(WEBHOOKS_TABLE);
    for (const stored of events) {
      const event = stored as unknown as WebhookEvent & { readonly revision: number };
      switch (event.type) {
        case 'WebhookRegistered': {
          const d = event.data;
          await client.query(
            `INSERT INTO ${table} (webhook_id, url_hint, description, event_types, categories, status, secret_version, registered_by, registered_at, revision)
             VALUES ($1, $2, $3, $4, $5, 'ACTIVE', $6, $7, $8, $9) ON CONFLICT (webhook_id) DO NOTHING`,
            [
              d.webhookId,
              d.urlHint,
              d.description,
              d.eventTypes,
              d.categories,
              d.secretVersion,
              d.registeredBy,
              d.registeredAt,
              stored.revision,
            ],
          );
          break;
        }
        case 'WebhookSecretRotated':
          await client.query(`UPDATE ${table} SET secret_version = $2, rotated_at = $3, revision = $4 WHERE webhook_id = $1`, [
            event.data.webhookId,
            event.data.secretVersion,
            event.data.rotatedAt,
            stored.revision,
          ]);
          break;
        case 'WebhookDisabled':
          await client.query(
            `UPDATE ${table} SET status = 'DISABLED', disabled_reason = $2, disabled_at = $3, last_error = $4, revision = $5 WHERE webhook_id = $1`,
            [event.data.webhookId, event.data.reason, event.data.disabledAt, event.data.lastError, stored.revision],
          );
          break;
        case 'WebhookEnabled':
          await client.query(
            `UPDATE ${table} SET status = 'ACTIVE', disabled_reason = NULL, disabled_at = NULL, last_error = NULL, revision = $2 WHERE webhook_id = $1`,
            [event.data.webhookId, stored.revision],
          );
          break;
      }
    }
  },
});
