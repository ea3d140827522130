import type { DataSource } from 'typeorm';
import { eventually } from '#testing';
import type { GovernanceEventStore, StoredEvent } from '#event-store';
import type { ProjectionRunner } from '#projections';
import { startTestEventSourcing, type TestEventSourcing } from '../../../test/support/test-event-sourcing.ts';
import { testMetadata } from '../../../test/support/event-metadata.ts';
import { MEMBER_EVENT_SCHEMAS } from '../members/index.ts';
import { NOTIFICATION_DIGEST_EVENT_SCHEMAS, notificationDigestStreamId } from './community-manager-digest.ts';
import {
  NOTIFICATION_OUTBOX_AUDIENCE_TABLE,
  NOTIFICATION_OUTBOX_PROJECTION,
  NOTIFICATION_OUTBOX_TABLE,
  notificationOutboxProjection,
} from './notification-outbox.projection.ts';
import { NOTIFICATION_PREFERENCES_EVENT_SCHEMAS, notificationPreferencesStreamId } from './notification-preferences.decider.ts';

// The digest's audience, fixed by the outbox at the digest's place in the log: the members subscribed then, but none
// who unsubscribed before it or had left; a subscription after it changes nothing; a rebuild finds the same.

describe("the outbox's audience of the community managers' digest", () => {
  let eventSourcing: TestEventSourcing;
  let readModels: DataSource;
  let governance: GovernanceEventStore;
  let runner: ProjectionRunner<StoredEvent>;

  beforeEach(async () => {
    eventSourcing = await startTestEventSourcing(
      {
        schemas: [...MEMBER_EVENT_SCHEMAS, ...NOTIFICATION_PREFERENCES_EVENT_SCHEMAS, ...NOTIFICATION_DIGEST_EVENT_SCHEMAS],
        projections: [notificationOutboxProjection],
      },
      'notification_digest_outbox',
    );
    ({ readModels, events: governance, runner } = eventSourcing);
  });
  afterEach(async () => {
    await eventSourcing.close();
  });

  let minute = 0;
  async function append(streamId: string, type: string, data: Record<string, unknown>): Promise<void> {
    const at = new Date(Date.UTC(2026, 11, 5, 6, minute++)).toISOString();
    const result = await governance.append(streamId, [{ type, data }], { expectedRevision: 'any', metadata: testMetadata(at) });
    await runner.waitForPosition(result.position, [NOTIFICATION_OUTBOX_PROJECTION]);
  }
  const subscribe = (memberId: string, optedIn: string[]) =>
    append(notificationPreferencesStreamId(memberId), 'NotificationSubscriptionsChanged', {
      memberId,
      optedIn,
      changedAt: '2026-12-05T06:00:00.000Z',
    });
  const digest = (day: string) =>
    append(notificationDigestStreamId(day), 'CommunityManagerDigestCompiled', {
      day,
      open: 1,
      inReview: 0,
      backlog: 1,
      appealed: 0,
      backlogTarget: null,
      waitingTargetDays: null,
      overTarget: null,
      oldestWaitingDays: 0.5,
      compiledAt: `${day}T07:00:00.000Z`,
    });
  const audiences = async () =>
    (await readModels.query(
      `SELECT o.data->>'day' AS day,
              ARRAY(SELECT a.member_id FROM read_models.${NOTIFICATION_OUTBOX_AUDIENCE_TABLE} a
                     WHERE a.event_id = o.event_id ORDER BY a.member_id) AS audience
         FROM read_models.${NOTIFICATION_OUTBOX_TABLE} o
        WHERE o.event_type = 'CommunityManagerDigestCompiled' ORDER BY o.occurred_at`,
    )) as { day: string; audience: string[] }[];

  test('the subscribers when it was compiled, not who unsubscribed or left before, nor who subscribed after', async () => {
    for (const memberId of ['cm-1', 'cm-2', 'cm-3', 'cm-4']) {
      await append(`member-${memberId}`, 'MemberRegistered', { memberId, displayName: memberId, department: 'Community' });
    }
    await subscribe('cm-1', ['COMMUNITY_MANAGER_DIGEST']);
    await subscribe('cm-2', ['COMMUNITY_MANAGER_DIGEST']);
    await subscribe('cm-3', ['COMMUNITY_MANAGER_DIGEST']);
    await subscribe('cm-2', []);
    await append('member-cm-3', 'MemberLeft', { memberId: 'cm-3', reason: null });
    // Subscribed without a registration the outbox saw (e.g. provisioned before the log began): kept, the delivery
    // then finds an address or records NOT_SENT_NO_ADDRESS.
    await subscribe('cm-5', ['COMMUNITY_MANAGER_DIGEST']);
    await digest('2026-12-05');
    await subscribe('cm-4', ['COMMUNITY_MANAGER_DIGEST']);
    await digest('2026-12-06');

    const expected = [
      { day: '2026-12-05', audience: ['cm-1', 'cm-5'] },
      { day: '2026-12-06', audience: ['cm-1', 'cm-4', 'cm-5'] },
    ];
    expect(await audiences()).toEqual(expected);

    await runner.requestRebuild(NOTIFICATION_OUTBOX_PROJECTION);
    await eventually(async () => {
      const [status] = await runner.status();
      expect(status).toMatchObject({ generation: 2, state: 'running', rebuild: null });
    });
    expect(await audiences()).toEqual(expected);
  });
});
