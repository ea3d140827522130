import type pg from 'pg';
import type { StoredEvent } from '#event-store';
import type { ProjectionContext } from '#projections';
import { columns, readModelProjection, readModelTable } from '../../platform/infrastructure/read-model-table.ts';
import { bindsEveryMember, NOTIFYING_EVENT_TYPES } from './notification-rules.ts';

export const NOTIFICATION_OUTBOX_PROJECTION = 'notification_outbox';

const OUTBOX = readModelTable(
  'notification_outbox',
  {
    eventId: columns.text().primary(),
    eventType: columns.text(),
    data: columns.jsonb<Record<string, unknown>>(),
    occurredAt: columns.timestamptz(),
  },
  // Delivered oldest first. Every column comes from the events (no sequence: a rebuild must give the same rows).
  { indexes: ['(occurred_at, event_id)'] },
);
const CASE_AUTHORS = readModelTable('notification_case_authors', { caseId: columns.text().primary(), authorId: columns.text() });
const CASE_REPORTERS = readModelTable('notification_case_reporters', {
  caseId: columns.text().primary(),
  reporterId: columns.text().primary(),
});
const ACTIVE_MEMBERS = readModelTable('notification_active_members', { memberId: columns.text().primary(), active: columns.boolean() });
const OUTBOX_AUDIENCE = readModelTable('notification_outbox_audience', {
  eventId: columns.text().primary(),
  memberId: columns.text().primary(),
});
const DIGEST_SUBSCRIBERS = readModelTable('notification_digest_subscribers', { memberId: columns.text().primary() });

export const NOTIFICATION_OUTBOX_TABLE = OUTBOX.name;
export const NOTIFICATION_CASE_AUTHORS_TABLE = CASE_AUTHORS.name;
export const NOTIFICATION_CASE_REPORTERS_TABLE = CASE_REPORTERS.name;
export const NOTIFICATION_ACTIVE_MEMBERS_TABLE = ACTIVE_MEMBERS.name;
export const NOTIFICATION_OUTBOX_AUDIENCE_TABLE = OUTBOX_AUDIENCE.name;
export const NOTIFICATION_DIGEST_SUBSCRIBERS_TABLE = DIGEST_SUBSCRIBERS.name;

/**
 * Fields the outbox does not copy: personal data (encrypted in the log, shredded on erasure, where this copy would
 * outlive it) and bulk no message needs.
 */
const LEFT_OUT: Readonly<Record<string, readonly string[]>> = {
  AmbassadorOffboarded: ['reason'],
  AgreementVersionPublished: ['body'],
};

/**
 * The outbox: every event some notification rule reads, in log order, once (the projection engine's checkpoint moves
 * in the same transaction). Which notifications an event makes is decided again by the pure rules when it is
 * delivered; what was delivered lives outside the read models (notification-deliveries.ts), so a rebuild of this
 * table sends nothing twice.
 *
 * What an event does not name is fixed here, from this projection's own tables at the event's place in the log (no
 * other read model's lag can change it, and a rebuild finds the same): a decision's and an appeal's author (the
 * case's opening names them), and the event's audience, the members the rules may fan out to: a decided case's
 * reporters, and the members bound by an agreement version that binds everyone (the active members then, as the
 * agreements module counts them: registered and not left), and the subscribers of the community managers' digest
 * when it was compiled.
 */
export const notificationOutboxProjection = readModelProjection<StoredEvent>({
  name: NOTIFICATION_OUTBOX_PROJECTION,
  // 2: WebhookDisabled joined the events the rules read. 3: appeals, reports handled, ambassadors, certification
  // suspensions and agreement versions, with the case reporters, the active members and each event's audience.
  // 4: the community managers' digest, sent to its subscribers then.
  version: 4,
  tables: [OUTBOX, CASE_AUTHORS, CASE_REPORTERS, ACTIVE_MEMBERS, OUTBOX_AUDIENCE, DIGEST_SUBSCRIBERS],
  filter: {
    eventTypes: [
      'ModerationCaseOpened',
      'ContentFlagged',
      'MemberRegistered',
      'MemberLeft',
      'NotificationSubscriptionsChanged',
      ...NOTIFYING_EVENT_TYPES,
    ],
  },

  async apply(events, client, ctx) {
    for (const event of events) await applyEvent(event, client, ctx);
  },
});

async function applyEvent(event: StoredEvent, client: pg.ClientBase, ctx: ProjectionContext): Promise<void> {
  const data = event.data;
  switch (event.type) {
    case 'ModerationCaseOpened':
      await client.query(
        `INSERT INTO ${ctx.table(NOTIFICATION_CASE_AUTHORS_TABLE)} (case_id, author_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`,
        [data['caseId'], data['authorId']],
      );
      return;
    case 'ContentFlagged':
      await client.query(
        `INSERT INTO ${ctx.table(NOTIFICATION_CASE_REPORTERS_TABLE)} (case_id, reporter_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`,
        [data['caseId'], data['reporterId']],
      );
      return;
    // As the agreements module counts who is bound: a member is active from registration until they leave.
    case 'MemberRegistered':
      await client.query(
        `INSERT INTO ${ctx.table(NOTIFICATION_ACTIVE_MEMBERS_TABLE)} (member_id, active) VALUES ($1, true) ON CONFLICT DO NOTHING`,
        [data['memberId']],
      );
      return;
    case 'MemberLeft':
      await client.query(`UPDATE ${ctx.table(NOTIFICATION_ACTIVE_MEMBERS_TABLE)} SET active = false WHERE member_id = $1`, [
        data['memberId'],
      ]);
      return;
    case 'ModerationCaseDecided':
      await record(event, await withAuthor(data, client, ctx), client, ctx);
      await client.query(
        `INSERT INTO ${ctx.table(NOTIFICATION_OUTBOX_AUDIENCE_TABLE)} (event_id, member_id)
         SELECT $1, reporter_id FROM ${ctx.table(NOTIFICATION_CASE_REPORTERS_TABLE)} WHERE case_id = $2
         ON CONFLICT DO NOTHING`,
        [event.id, data['caseId']],
      );
      return;
    case 'AppealDecided':
      await record(event, await withAuthor(data, client, ctx), client, ctx);
      return;
    // Who subscribed to the digest (with a community manager's token then): the digest's audience.
    case 'NotificationSubscriptionsChanged':
      if ((data['optedIn'] as readonly string[]).includes('COMMUNITY_MANAGER_DIGEST')) {
        await client.query(
          `INSERT INTO ${ctx.table(NOTIFICATION_DIGEST_SUBSCRIBERS_TABLE)} (member_id) VALUES ($1) ON CONFLICT DO NOTHING`,
          [data['memberId']],
        );
      } else {
        await client.query(`DELETE FROM ${ctx.table(NOTIFICATION_DIGEST_SUBSCRIBERS_TABLE)} WHERE member_id = $1`, [data['memberId']]);
      }
      return;
    // The subscribers when the day's digest was compiled, but none known to have left (they keep no inbox here).
    case 'CommunityManagerDigestCompiled':
      await record(event, data, client, ctx);
      await client.query(
        `INSERT INTO ${ctx.table(NOTIFICATION_OUTBOX_AUDIENCE_TABLE)} (event_id, member_id)
         SELECT $1, s.member_id FROM ${ctx.table(NOTIFICATION_DIGEST_SUBSCRIBERS_TABLE)} s
          WHERE NOT EXISTS (SELECT 1 FROM ${ctx.table(NOTIFICATION_ACTIVE_MEMBERS_TABLE)} m WHERE m.member_id = s.member_id AND NOT m.active)
         ON CONFLICT DO NOTHING`,
        [event.id],
      );
      return;
    case 'AgreementVersionPublished':
      await record(event, data, client, ctx);
      if (bindsEveryMember({ version: Number(data['version']), requiresReacceptance: data['requiresReacceptance'] === true })) {
        await client.query(
          `INSERT INTO ${ctx.table(NOTIFICATION_OUTBOX_AUDIENCE_TABLE)} (event_id, member_id)
           SELECT $1, member_id FROM ${ctx.table(NOTIFICATION_ACTIVE_MEMBERS_TABLE)} WHERE active
           ON CONFLICT DO NOTHING`,
          [event.id],
        );
      }
      return;
    default:
      await record(event, data, client, ctx);
  }
}

/** A decision and an appeal name no author; their case's opening did. */
async function withAuthor(data: Record<string, unknown>, client: pg.ClientBase, ctx: ProjectionContext): Promise<Record<string, unknown>> {
  const { rows } = await client.query<{ author_id: string }>(
    `SELECT author_id FROM ${ctx.table(NOTIFICATION_CASE_AUTHORS_TABLE)} WHERE case_id = $1`,
    [data['caseId']],
  );
  return rows[0] ? { ...data, authorId: rows[0].author_id } : data;
}

async function record(event: StoredEvent, data: Record<string, unknown>, client: pg.ClientBase, ctx: ProjectionContext): Promise<void> {
  const kept = { ...data };
  for (const field of LEFT_OUT[event.type] ?? []) delete kept[field];
  await client.query(
    `INSERT INTO ${ctx.table(NOTIFICATION_OUTBOX_TABLE)} (event_id, event_type, data, occurred_at) VALUES ($1, $2, $3, $4)
     ON CONFLICT DO NOTHING`,
    [event.id, event.type, JSON.stringify(kept), event.metadata.occurredAt],
  );
}
