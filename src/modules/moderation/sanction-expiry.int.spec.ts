import { startTestEventSourcing, type TestEventSourcing } from '../../../test/support/test-event-sourcing.ts';
import { eventually, FakeClock } from '#testing';
import { handleCommand, type EventMetadata, type GovernanceEventStore, type StoredEvent } from '#event-store';
import { loadConfig } from '../../platform/config/config.ts';
import { createEventSourcing, type EventSourcing, type EventSourcingParts } from '../../platform/infrastructure/event-sourcing.ts';
import { MODULES } from '../index.ts';
import type { Clock } from '../../platform/shared/clock.ts';
import {
  MODERATION_CASE_EVENT_SCHEMAS,
  moderationCaseDecider,
  moderationCaseStreamId,
  type ModerationCaseCommand,
  type ModerationOutcome,
} from './moderation-case.decider.ts';
import { MODERATOR_NOTE_EVENT_SCHEMAS } from './moderator-notes.decider.ts';
import { moderationProjection } from './read-models/moderation.projection.ts';
import { createSanctionExpiryScheduler, expireSanction, findDueSanctions, SANCTION_EXPIRY_AUTHORITY } from './sanction-expiry.ts';
import { testMetadata } from '../../../test/support/event-metadata.ts';

const REPORTED_AT = '2025-05-01T09:00:00.000Z';
const DECIDED_AT = '2025-05-01T10:00:00.000Z';
const UNTIL = '2025-05-08T10:00:00.000Z';

const parts: EventSourcingParts = {
  schemas: [...MODERATION_CASE_EVENT_SCHEMAS, ...MODERATOR_NOTE_EVENT_SCHEMAS],
  projections: [moderationProjection],
  readModelEntities: MODULES.flatMap((module) => module.readModelEntities),
};

describe('sanction expiry scheduler', () => {
  let eventSourcing: TestEventSourcing;
  let events: GovernanceEventStore;

  beforeEach(async () => {
    eventSourcing = await startTestEventSourcing(parts, 'sanction_expiry');
    ({ events } = eventSourcing);
  });

  afterEach(async () => {
    await eventSourcing.close();
  });

  const metadata = (actorId: string, occurredAt: string): EventMetadata =>
    testMetadata(occurredAt, { actorId, authority: 'COMMUNITY_MANAGER' });

  async function run(command: ModerationCaseCommand & { readonly at: string }, actorId = 'cm-1') {
    const result = await handleCommand({
      store: events,
      streamId: moderationCaseStreamId(command.caseId),
      decider: moderationCaseDecider,
      command,
      metadata: metadata(actorId, command.at),
    });
    await eventSourcing.runner.waitForPosition(result.position, ['moderation']);
    return result;
  }

  /** Reports content of `m-<contentId>` and decides its case; answers the case id and the sanction id. */
  async function decidedCase(contentId: string, outcome: ModerationOutcome = 'SUSPEND_MEMBER', suspendUntil: string | null = UNTIL) {
    const caseId = `${contentId}:1`;
    await run({
      type: 'ReportContent',
      caseId,
      caseNumber: 1,
      contentId,
      contentType: 'post',
      authorId: `m-${contentId}`,
      groupId: null,
      contentStatus: 'VISIBLE',
      reporterId: 'm-reporter',
      reason: 'HARASSMENT',
      note: null,
      at: REPORTED_AT,
    });
    await run({
      type: 'DecideCase',
      caseId,
      actorId: 'cm-1',
      authority: { kind: 'community_manager' },
      outcome,
      reason: 'repeated harassment',
      guideline: null,
      suspendUntil,
      at: DECIDED_AT,
    });
    return { caseId, sanctionId: `${caseId}:sanction` };
  }

  const caseEvents = (caseId: string) => events.readStream(moderationCaseStreamId(caseId));
  const expiries = async (caseId: string): Promise<StoredEvent[]> => (await caseEvents(caseId)).filter((e) => e.type === 'SanctionExpired');
  const sanctionRow = async (sanctionId: string) =>
    (
      await eventSourcing.pool.query<{ state: string; expired_at: Date | null }>(
        'SELECT state, expired_at FROM read_models.moderation_sanctions WHERE sanction_id = $1',
        [sanctionId],
      )
    ).rows[0];
  const scheduler = (clock: Clock, store: GovernanceEventStore = events, readModels = eventSourcing.readModels) =>
    createSanctionExpiryScheduler({ events: store, readModels, clock, intervalMs: 60_000 });

  test('records nothing before the end date, then the expiry once, as the system, dated at the end date', async () => {
    const { caseId, sanctionId } = await decidedCase('post-1');
    const clock = new FakeClock('2025-05-08T09:59:59.999Z');
    const expiry = scheduler(clock);

    expect(await expiry.runOnce()).toBe(0);
    // Even if the read model said it was due, the case's stream refuses to expire it early.
    await expireSanction(events, { caseId, sanctionId, until: new Date(UNTIL) }, clock.now());
    expect(await expiries(caseId)).toEqual([]);

    clock.set('2025-05-08T10:05:00.000Z');
    expect(await expiry.runOnce()).toBe(1);
    const [expired, ...more] = await expiries(caseId);
    expect(more).toEqual([]);
    expect(expired?.data).toEqual({ caseId, sanctionId, memberId: 'm-post-1', expiredAt: UNTIL });
    expect(expired?.metadata).toEqual({
      actorId: 'system',
      actorRoles: [],
      authority: SANCTION_EXPIRY_AUTHORITY,
      reason: null,
      source: 'automation',
      correlationId: expect.any(String),
      causationId: null,
      commandId: `system/expire-sanction/${sanctionId}`,
      occurredAt: '2025-05-08T10:05:00.000Z',
    });

    // The projection follows; the sanction is then no longer due.
    await eventSourcing.runner.waitForPosition(expired!.position, ['moderation']);
    expect(await sanctionRow(sanctionId)).toEqual({ state: 'expired', expired_at: new Date(UNTIL) });
    expect(await findDueSanctions(eventSourcing.readModels, clock.now(), 10)).toEqual([]);
    expect(await expiry.runOnce()).toBe(0);
    expect(await expiries(caseId)).toHaveLength(1);
  });

  test('two instances running passes at the same time record each expiry once', async () => {
    const cases = await Promise.all(['post-a', 'post-b', 'post-c', 'post-d'].map((id) => decidedCase(id)));
    const second: EventSourcing = await createEventSourcing(loadConfig({ NODE_ENV: 'test' }), eventSourcing.database.url, parts);
    try {
      const clock = new FakeClock('2025-05-09T00:00:00.000Z');
      const one = scheduler(clock);
      const other = scheduler(clock, second.events, second.readModels);
      // Both read the same due sanctions before either has recorded anything, so every stream sees two writers.
      await Promise.all([one.runOnce(), other.runOnce(), one.runOnce(), other.runOnce()]);
      // And the worst case for one stream: four appends racing from two processes.
      const [first] = cases;
      const due = { ...first!, until: new Date(UNTIL) };
      await Promise.all([
        expireSanction(events, due, clock.now()),
        expireSanction(second.events, due, clock.now()),
        expireSanction(events, due, clock.now()),
        expireSanction(second.events, due, clock.now()),
      ]);
      for (const { caseId } of cases) expect(await expiries(caseId)).toHaveLength(1);
    } finally {
      await second.close();
    }
  });

  test('after a restart, a read model that still shows the sanction active leads to nothing more', async () => {
    const { caseId, sanctionId } = await decidedCase('post-2');
    // The projection is held back, so the read model keeps listing the sanction as active and due.
    await eventSourcing.runner.stop();
    const clock = new FakeClock('2025-05-10T00:00:00.000Z');
    expect(await scheduler(clock).runOnce()).toBe(1);
    expect(await expiries(caseId)).toHaveLength(1);

    clock.set('2025-05-11T00:00:00.000Z');
    const restarted = scheduler(clock);
    expect(await findDueSanctions(eventSourcing.readModels, clock.now(), 10)).toEqual([{ caseId, sanctionId, until: new Date(UNTIL) }]);
    expect(await restarted.runOnce()).toBe(1); // handled: looked at, and nothing left to record
    // Not only the commandId: the same command under another id is refused by the case's state too.
    const again = await handleCommand({
      store: events,
      streamId: moderationCaseStreamId(caseId),
      decider: moderationCaseDecider,
      command: { type: 'ExpireSanction', caseId, sanctionId, at: clock.now().toISOString() },
      metadata: { ...metadata('system', clock.now().toISOString()), commandId: 'system/other-attempt' },
    });
    expect(again.events).toEqual([]);
    const [expired, ...more] = await expiries(caseId);
    expect(more).toEqual([]);
    expect(expired?.metadata.occurredAt).toBe('2025-05-10T00:00:00.000Z');

    eventSourcing.runner.start();
    await eventSourcing.runner.waitForPosition(expired!.position, ['moderation']);
    expect(await sanctionRow(sanctionId)).toMatchObject({ state: 'expired' });
    expect(await restarted.runOnce()).toBe(0);
  });

  test('a permanent suspension and a warning never expire', async () => {
    const permanent = await decidedCase('post-3', 'SUSPEND_MEMBER', null);
    const warning = await decidedCase('post-4', 'WARN_MEMBER', null);
    const clock = new FakeClock('2035-01-01T00:00:00.000Z');

    expect(await scheduler(clock).runOnce()).toBe(0);
    // Nor when asked directly (a wrong read model row).
    for (const { caseId, sanctionId } of [permanent, warning]) {
      await expireSanction(events, { caseId, sanctionId, until: new Date(UNTIL) }, clock.now());
      expect(await expiries(caseId)).toEqual([]);
      expect(await sanctionRow(sanctionId)).toMatchObject({ state: 'active' });
    }
  });

  test('a sanction lifted by an overturned appeal never expires', async () => {
    const { caseId, sanctionId } = await decidedCase('post-5');
    await run(
      {
        type: 'FileAppeal',
        caseId,
        actorId: 'm-post-5',
        statement: 'it was a quote',
        appealWindowDays: 30,
        at: '2025-05-02T08:00:00.000Z',
      },
      'm-post-5',
    );
    const appeal = await run(
      {
        type: 'DecideAppeal',
        caseId,
        actorId: 'cm-2',
        outcome: 'OVERTURNED',
        reason: 'context shows a quote',
        at: '2025-05-03T08:00:00.000Z',
      },
      'cm-2',
    );
    expect(appeal.events.map((e) => e.type)).toEqual(['AppealDecided', 'SanctionLifted']);
    expect(await sanctionRow(sanctionId)).toMatchObject({ state: 'lifted' });

    const clock = new FakeClock('2025-06-01T00:00:00.000Z');
    expect(await scheduler(clock).runOnce()).toBe(0);
    // Lifted while the read model still showed it active: the stream refuses all the same.
    await expireSanction(events, { caseId, sanctionId, until: new Date(UNTIL) }, clock.now());
    expect(await expiries(caseId)).toEqual([]);
  });

  test('an expiry racing an overturned appeal: the sanction ends once, one way or the other', async () => {
    const cases = await Promise.all(['post-r1', 'post-r2', 'post-r3', 'post-r4'].map((id) => decidedCase(id)));
    for (const { caseId } of cases) {
      const authorId = `m-${caseId.split(':')[0]}`;
      await run(
        { type: 'FileAppeal', caseId, actorId: authorId, statement: 'please review', appealWindowDays: 30, at: '2025-05-02T08:00:00.000Z' },
        authorId,
      );
    }
    const now = new Date('2025-05-09T00:00:00.000Z');
    await Promise.all(
      cases.flatMap(({ caseId, sanctionId }) => [
        expireSanction(events, { caseId, sanctionId, until: new Date(UNTIL) }, now),
        handleCommand({
          store: events,
          streamId: moderationCaseStreamId(caseId),
          decider: moderationCaseDecider,
          command: { type: 'DecideAppeal', caseId, actorId: 'cm-2', outcome: 'OVERTURNED', reason: 'a quote', at: now.toISOString() },
          metadata: metadata('cm-2', now.toISOString()),
          retryOnConflict: 3,
        }),
      ]),
    );
    for (const { caseId } of cases) {
      const ends = (await caseEvents(caseId)).filter((e) => e.type === 'SanctionExpired' || e.type === 'SanctionLifted');
      expect(ends).toHaveLength(1);
    }
  });

  test('started, it expires what fell due while no instance was running, in batches', async () => {
    const cases = await Promise.all(Array.from({ length: 5 }, (_, i) => decidedCase(`post-backlog-${i}`)));
    const expiry = createSanctionExpiryScheduler({
      events,
      readModels: eventSourcing.readModels,
      clock: new FakeClock('2025-06-01T00:00:00.000Z'),
      intervalMs: 50,
      batchSize: 2,
    });
    expiry.start();
    try {
      // The read model may still list a handled sanction when the next batch is read: such a batch has nothing new,
      // and the rest waits for the next interval (50 ms here).
      await eventually(async () => {
        for (const { caseId } of cases) expect(await expiries(caseId)).toHaveLength(1);
      });
    } finally {
      await expiry.stop();
    }
  });
});
