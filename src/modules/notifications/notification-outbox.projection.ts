import type { StoredEvent } from '#event-store';
import type { ProjectionDefinition } from '#projections';
import { NOTIFYING_EVENT_TYPES } from './notification-rules.ts';

export const NOTIFICATION_OUTBOX_PROJECTION = 'notification_outbox';
export const NOTIFICATION_OUTBOX_TABLE = 'notification_outbox';
export const NOTIFICATION_CASE_AUTHORS_TABLE = 'notification_case_authors';

/**
 * The outbox: every event some notification rule reads, in log order, once (the projection engine's checkpoint moves
 * in the same transaction). Which notifications an event makes is decided again by the pure rules when it is
 * delivered; what was delivered lives outside the read models (notification-deliveries.ts), so a rebuild of this
 * table sends nothing twice. A decision names no author, its case's opening does: the authors are kept here, so no
 * other read model's lag can lose a recipient.
 */
export const notificationOutboxProjection: ProjectionDefinition<StoredEvent> = {
  name: NOTIFICATION_OUTBOX_PROJECTION,
  // 2: WebhookDisabled joined the events the rules read.
  version: 2,
  tables: [NOTIFICATION_OUTBOX_TABLE, NOTIFICATION_CASE_AUTHORS_TABLE],
  filter: { eventTypes: ['ModerationCaseOpened', ...NOTIFYING_EVENT_TYPES] },

  async setup(client, ctx) {
    await client.query(`
      CREATE TABLE ${ctx.table(NOTIFICATION_OUTBOX_TABLE)} (
        event_id    text        PRIMARY KEY,
        event_type  text        NOT NULL,
        data        jsonb       NOT NULL,
        occurred_at timestamptz NOT NULL
      )`);
    // Delivered oldest first. Every column comes from the events (no sequence: a rebuild must give the same rows).
    await client.query(`CREATE INDEX ON ${ctx.table(NOTIFICATION_OUTBOX_TABLE)} (occurred_at, event_id)`);
    await client.query(`
      CREATE TABLE ${ctx.table(NOTIFICATION_CASE_AUTHORS_TABLE)} (
        case_id   text PRIMARY KEY,
        author_id text NOT NULL
      )`);
  },

  async apply(events, client, ctx) {
    for (const event of events) {
      if (event.type === 'ModerationCaseOpened') {
        await client.query(
          `INSERT INTO ${ctx.table(NOTIFICATION_CASE_AUTHORS_TABLE)} (case_id, author_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`,
          [event.data['caseId'], event.data['authorId']],
        );
        continue;
      }
      let data = event.data;
      if (event.type === 'ModerationCaseDecided') {
        const { rows } = await client.query<{ author_id: string }>(
          `SELECT author_id FROM ${ctx.table(NOTIFICATION_CASE_AUTHORS_TABLE)} WHERE case_id = $1`,
          [event.data['caseId']],
        );
        if (rows[0]) data = { ...data, authorId: rows[0].author_id };
      }
      await client.query(
        `INSERT INTO ${ctx.table(NOTIFICATION_OUTBOX_TABLE)} (event_id, event_type, data, occurred_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT DO NOTHING`,
        [event.id, event.type, JSON.stringify(data), event.metadata.occurredAt],
      );
    }
  },
};
