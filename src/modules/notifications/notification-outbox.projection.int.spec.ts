import type { DataSource } from 'typeorm';
import { eventually } from '#testing';
import type { GovernanceEventStore, StoredEvent } from '#event-store';
import type { ProjectionRunner } from '#projections';
import { startTestEventSourcing, type TestEventSourcing } from '../../../test/support/test-event-sourcing.ts';
import { testMetadata } from '../../../test/support/event-metadata.ts';
import { AGREEMENTS_EVENT_SCHEMAS } from '../agreements/index.ts';
import { AMBASSADOR_EVENT_SCHEMAS } from '../ambassadors/index.ts';
import { MEMBER_EVENT_SCHEMAS } from '../members/index.ts';
import { MODERATION_CASE_EVENT_SCHEMAS } from '../moderation/index.ts';
import {
  NOTIFICATION_OUTBOX_AUDIENCE_TABLE,
  NOTIFICATION_OUTBOX_PROJECTION,
  NOTIFICATION_OUTBOX_TABLE,
  notificationOutboxProjection,
} from './notification-outbox.projection.ts';

// The outbox fixes, at each event's place in the log, what the event does not name: the author of a decided or
// appealed case, a decision's reporters, and the members bound by an agreement version; a rebuild finds the same.

describe('notification outbox read model', () => {
  let eventSourcing: TestEventSourcing;
  let readModels: DataSource;
  let governance: GovernanceEventStore;
  let runner: ProjectionRunner<StoredEvent>;

  beforeEach(async () => {
    eventSourcing = await startTestEventSourcing(
      {
        schemas: [...MEMBER_EVENT_SCHEMAS, ...MODERATION_CASE_EVENT_SCHEMAS, ...AMBASSADOR_EVENT_SCHEMAS, ...AGREEMENTS_EVENT_SCHEMAS],
        projections: [notificationOutboxProjection],
      },
      'notification_outbox_read_model',
    );
    ({ readModels, events: governance, runner } = eventSourcing);
  });
  afterEach(async () => {
    await eventSourcing.close();
  });

  let minute = 0;
  async function append(streamId: string, type: string, data: Record<string, unknown>): Promise<void> {
    const at = new Date(Date.UTC(2026, 2, 1, 9, minute++)).toISOString();
    const result = await governance.append(streamId, [{ type, data }], { expectedRevision: 'any', metadata: testMetadata(at) });
    await runner.waitForPosition(result.position, [NOTIFICATION_OUTBOX_PROJECTION]);
  }
  const register = (memberId: string) =>
    append(`member-${memberId}`, 'MemberRegistered', { memberId, displayName: `Member ${memberId}`, department: 'Research' });
  const publish = (version: number, requiresReacceptance: boolean) =>
    append('agreement-coc', 'AgreementVersionPublished', {
      agreementId: 'coc',
      version,
      title: 'Code of conduct',
      body: `The whole text, version ${version}`,
      bodySha256: 'ab'.repeat(32),
      requiresReacceptance,
      publishedBy: 'cm-1',
      publishedAt: '2026-03-01T10:00:00.000Z',
    });

  /** Each outbox row in log order, with its audience. */
  const outbox = async () =>
    (await readModels.query(
      `SELECT o.event_type, o.data,
              ARRAY(SELECT a.member_id FROM read_models.${NOTIFICATION_OUTBOX_AUDIENCE_TABLE} a
                     WHERE a.event_id = o.event_id ORDER BY a.member_id) AS audience
         FROM read_models.${NOTIFICATION_OUTBOX_TABLE} o ORDER BY o.occurred_at, o.event_id`,
    )) as { event_type: string; data: Record<string, unknown>; audience: string[] }[];

  test('keeps authors, reporters and the members bound, leaves personal data and bodies out, and a rebuild finds the same', async () => {
    for (const memberId of ['m-1', 'm-2', 'm-3']) await register(memberId);
    const caseStream = 'moderation_case-case-1';
    await append(caseStream, 'ModerationCaseOpened', {
      caseId: 'case-1',
      caseNumber: 1,
      contentId: 'post-1',
      contentType: 'post',
      authorId: 'm-3',
      groupId: null,
      contentStatus: 'VISIBLE',
      openedAt: '2026-03-01T09:00:00.000Z',
    });
    for (const reporterId of ['m-2', 'm-1', 'm-2']) {
      await append(caseStream, 'ContentFlagged', {
        caseId: 'case-1',
        reporterId,
        reason: 'SPAM',
        note: 'A note of the reporter',
        flaggedAt: '2026-03-01T09:00:00.000Z',
      });
    }
    await append('member-m-2', 'MemberLeft', { memberId: 'm-2', reason: null });
    await append(caseStream, 'ModerationCaseDecided', {
      caseId: 'case-1',
      outcome: 'REMOVE_CONTENT',
      reason: 'Advertising',
      guideline: null,
      decidedBy: 'cm-2',
      decidedAt: '2026-03-01T10:00:00.000Z',
      contentStatus: 'REMOVED',
      sanction: null,
    });
    await append(caseStream, 'AppealDecided', {
      caseId: 'case-1',
      outcome: 'UPHELD',
      reason: 'It was advertising',
      decidedBy: 'cm-3',
      decidedAt: '2026-03-02T10:00:00.000Z',
      contentStatus: 'REMOVED',
    });
    await append('ambassador-m-1', 'AmbassadorOffboarded', {
      memberId: 'm-1',
      enrolment: 1,
      decidedBy: 'cm-1',
      decidedAt: '2026-03-03T10:00:00.000Z',
      reason: 'Burnout, needs a break',
    });
    await publish(1, false);
    await register('m-4');
    await publish(2, false);
    await publish(3, true);

    const expected = [
      // The decision: its author, and every reporter once (one who left since is still told their report was handled).
      { event_type: 'ModerationCaseDecided', data: expect.objectContaining({ authorId: 'm-3' }), audience: ['m-1', 'm-2'] },
      { event_type: 'AppealDecided', data: expect.objectContaining({ authorId: 'm-3', outcome: 'UPHELD' }), audience: [] },
      {
        event_type: 'AmbassadorOffboarded',
        data: { memberId: 'm-1', enrolment: 1, decidedBy: 'cm-1', decidedAt: expect.any(String) },
        audience: [],
      },
      // Version 1 binds the members active then (m-2 had left); version 2 binds nobody new; version 3 the members then.
      { event_type: 'AgreementVersionPublished', data: expect.objectContaining({ version: 1 }), audience: ['m-1', 'm-3'] },
      { event_type: 'AgreementVersionPublished', data: expect.objectContaining({ version: 2 }), audience: [] },
      { event_type: 'AgreementVersionPublished', data: expect.objectContaining({ version: 3 }), audience: ['m-1', 'm-3', 'm-4'] },
    ];
    const rows = await outbox();
    expect(rows).toEqual(expected);
    // Nothing personal is copied (the offboarding's reason is encrypted in the log; this copy would outlive an
    // erasure), nor an agreement's body; members, openings and flags are kept aside, not delivered.
    expect(JSON.stringify(rows)).not.toMatch(/Burnout|whole text|A note of the reporter|Member m-/);

    await runner.requestRebuild(NOTIFICATION_OUTBOX_PROJECTION);
    await eventually(async () => {
      const [status] = await runner.status();
      expect(status).toMatchObject({ generation: 2, state: 'running', rebuild: null });
    });
    expect(await outbox()).toEqual(rows);
  });
});
