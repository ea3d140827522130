import { startTestEventSourcing, type TestEventSourcing } from '../../../test/support/test-event-sourcing.ts';
import { eventually, FakeClock } from '#testing';
import { handleCommand, type EventMetadata, type GovernanceEventStore, type StoredEvent } from '#event-store';
import { loadConfig } from '../../platform/config/config.ts';
import { createEventSourcing, type EventSourcing, type EventSourcingParts } from '../../platform/infrastructure/event-sourcing.ts';
import { MODULES } from '../index.ts';
import type { Clock } from '../../platform/shared/clock.ts';
import { CERTIFICATION_LEVEL_EVENT_SCHEMAS } from './certification-level.decider.ts';
import {
  CERTIFICATION_DUE_AUTHORITY,
  CERTIFICATION_EXPIRY_AUTHORITY,
  certificationDueCommandId,
  createCertificationRenewalScheduler,
  findDueCertifications,
  recordDueCertification,
  type DueCertification,
} from './certification-renewal.ts';
import {
  CERTIFICATION_EVENT_SCHEMAS,
  certificationDecider,
  certificationStreamId,
  type CertificationCommand,
} from './certification.decider.ts';
import { CERTIFICATION_PROJECTION, certificationProjection } from './read-models/certification.projection.ts';
import { testMetadata } from '../../../test/support/event-metadata.ts';

const AWARDED_AT = '2025-01-10T09:00:00.000Z';
const EXPIRES_AT = '2026-01-10T09:00:00.000Z';
const DUE_FROM = '2025-11-11T09:00:00.000Z'; // 60 days before
const WINDOW = 60;
const LEVELS = [{ level: 1, name: 'Moderator', requiredProgrammes: [], validityMonths: 12 }];

const parts: EventSourcingParts = {
  schemas: [...CERTIFICATION_LEVEL_EVENT_SCHEMAS, ...CERTIFICATION_EVENT_SCHEMAS],
  projections: [certificationProjection],
  readModelEntities: MODULES.flatMap((module) => module.readModelEntities),
};

describe('certification renewal scheduler', () => {
  let eventSourcing: TestEventSourcing;
  let events: GovernanceEventStore;

  beforeEach(async () => {
    eventSourcing = await startTestEventSourcing(parts, 'certification_renewal');
    ({ events } = eventSourcing);
  });

  afterEach(async () => {
    await eventSourcing.close();
  });

  const metadata = (occurredAt: string, commandId: string | null = null): EventMetadata => testMetadata(occurredAt, { commandId });

  async function run(memberId: string, command: CertificationCommand & { readonly at: string }) {
    const result = await handleCommand({
      store: events,
      streamId: certificationStreamId(memberId),
      decider: certificationDecider,
      command,
      metadata: metadata(command.at),
    });
    await eventSourcing.runner.waitForPosition(result.position, [CERTIFICATION_PROJECTION]);
    return result;
  }

  const award = (memberId: string, at = AWARDED_AT) =>
    run(memberId, {
      type: 'AwardCertification',
      memberId,
      level: 1,
      evidence: null,
      member: 'active',
      levels: LEVELS,
      completedProgrammes: [],
      actorId: 'cm-1',
      at,
    });

  const stream = (memberId: string) => events.readStream(certificationStreamId(memberId));
  const ofType = async (memberId: string, type: string): Promise<StoredEvent[]> => (await stream(memberId)).filter((e) => e.type === type);
  const dueEvents = (memberId: string) => ofType(memberId, 'CertificationDueForRenewal');
  const expiries = (memberId: string) => ofType(memberId, 'CertificationExpired');
  const statusRow = async (memberId: string) =>
    (
      await eventSourcing.pool.query<{ status: string; expires_at: Date }>(
        'SELECT status, expires_at FROM read_models.certifications WHERE member_id = $1',
        [memberId],
      )
    ).rows[0];
  const scheduler = (clock: Clock, store: GovernanceEventStore = events, readModels = eventSourcing.readModels) =>
    createCertificationRenewalScheduler({ events: store, readModels, clock, intervalMs: 60_000, renewalWindowDays: WINDOW });
  const item = (memberId: string, kind: DueCertification['kind'], expiresAt = EXPIRES_AT): DueCertification => ({
    kind,
    memberId,
    recordId: `${memberId}:1`,
    expiresAt: new Date(expiresAt),
  });
  const waitForLast = async (memberId: string) => {
    const last = (await stream(memberId)).at(-1)!;
    await eventSourcing.runner.waitForPosition(last.position, [CERTIFICATION_PROJECTION]);
  };

  test('nothing before the window; then the renewal window once, then the expiry once, as the system, dated by the certification', async () => {
    await award('m-1');
    const clock = new FakeClock('2025-11-11T08:59:59.999Z');
    const renewal = scheduler(clock);

    expect(await renewal.runOnce()).toBe(0);
    // Even if the read model said it was due, the stream refuses to record it early.
    await recordDueCertification(events, item('m-1', 'renewal'), clock.now(), WINDOW);
    await recordDueCertification(events, item('m-1', 'expiry'), clock.now(), WINDOW);
    expect((await stream('m-1')).map((e) => e.type)).toEqual(['CertificationAwarded']);

    clock.set('2025-11-20T00:00:00.000Z');
    expect(await findDueCertifications(eventSourcing.readModels, clock.now(), WINDOW, 10)).toEqual([item('m-1', 'renewal')]);
    expect(await renewal.runOnce()).toBe(1);
    const [due, ...moreDue] = await dueEvents('m-1');
    expect(moreDue).toEqual([]);
    expect(due?.data).toEqual({ memberId: 'm-1', recordId: 'm-1:1', level: 1, expiresAt: EXPIRES_AT, dueFrom: DUE_FROM });
    expect(due?.metadata).toEqual({
      actorId: 'system',
      actorRoles: [],
      authority: CERTIFICATION_DUE_AUTHORITY,
      reason: null,
      source: 'automation',
      correlationId: expect.any(String),
      causationId: null,
      commandId: `system/certification-due-for-renewal/m-1:1/${EXPIRES_AT}`,
      occurredAt: '2025-11-20T00:00:00.000Z',
    });
    await waitForLast('m-1');
    expect(await statusRow('m-1')).toEqual({ status: 'DUE_FOR_RENEWAL', expires_at: new Date(EXPIRES_AT) });
    expect(await findDueCertifications(eventSourcing.readModels, clock.now(), WINDOW, 10)).toEqual([]);
    expect(await renewal.runOnce()).toBe(0);

    clock.set('2026-01-10T09:00:00.000Z');
    expect(await renewal.runOnce()).toBe(1);
    const [expired, ...moreExpired] = await expiries('m-1');
    expect(moreExpired).toEqual([]);
    expect(expired?.data).toEqual({ memberId: 'm-1', recordId: 'm-1:1', level: 1, expiredAt: EXPIRES_AT });
    expect(expired?.metadata).toMatchObject({
      actorId: 'system',
      authority: CERTIFICATION_EXPIRY_AUTHORITY,
      source: 'automation',
      commandId: `system/expire-certification/m-1:1/${EXPIRES_AT}`,
      occurredAt: '2026-01-10T09:00:00.000Z',
    });
    await waitForLast('m-1');
    expect(await statusRow('m-1')).toEqual({ status: 'EXPIRED', expires_at: new Date(EXPIRES_AT) });
    clock.set('2027-01-01T00:00:00.000Z');
    expect(await renewal.runOnce()).toBe(0);
    expect((await stream('m-1')).map((e) => e.type)).toEqual([
      'CertificationAwarded',
      'CertificationDueForRenewal',
      'CertificationExpired',
    ]);
  });

  test('a certification found past its expiry is expired without passing through the renewal window', async () => {
    await award('m-late');
    expect(await scheduler(new FakeClock('2026-03-01T00:00:00.000Z')).runOnce()).toBe(1);
    expect((await stream('m-late')).map((e) => e.type)).toEqual(['CertificationAwarded', 'CertificationExpired']);
  });

  test('the commandId depends only on the award, its expiry date and the kind of work', () => {
    expect(certificationDueCommandId(item('m-1', 'renewal'))).toBe(`system/certification-due-for-renewal/m-1:1/${EXPIRES_AT}`);
    expect(certificationDueCommandId(item('m-1', 'expiry', '2027-01-10T09:00:00.000Z'))).toBe(
      'system/expire-certification/m-1:1/2027-01-10T09:00:00.000Z',
    );
  });

  test('two instances running passes at the same time record each window and each expiry once', async () => {
    // Two awards about to expire, two inside their renewal window.
    const expiring = ['m-a', 'm-b'];
    const due = ['m-c', 'm-d'];
    await Promise.all(expiring.map((m) => award(m)));
    await Promise.all(due.map((m) => award(m, '2025-03-01T00:00:00.000Z')));
    const second: EventSourcing = await createEventSourcing(loadConfig({ NODE_ENV: 'test' }), eventSourcing.database.url, parts);
    try {
      const clock = new FakeClock('2026-02-01T00:00:00.000Z');
      const one = scheduler(clock);
      const other = scheduler(clock, second.events, second.readModels);
      expect(await findDueCertifications(eventSourcing.readModels, clock.now(), WINDOW, 10)).toHaveLength(4);
      // Both read the same due work before either has recorded anything, so every stream sees two writers.
      await Promise.all([one.runOnce(), other.runOnce(), one.runOnce(), other.runOnce()]);
      // And the worst case for one stream: four appends racing from two processes, for each kind of work.
      await Promise.all(
        [events, second.events, events, second.events].flatMap((store) => [
          recordDueCertification(store, item('m-a', 'expiry'), clock.now(), WINDOW),
          recordDueCertification(store, item('m-c', 'renewal', '2026-03-01T00:00:00.000Z'), clock.now(), WINDOW),
        ]),
      );
      for (const m of expiring) expect((await stream(m)).map((e) => e.type)).toEqual(['CertificationAwarded', 'CertificationExpired']);
      for (const m of due) expect((await stream(m)).map((e) => e.type)).toEqual(['CertificationAwarded', 'CertificationDueForRenewal']);
    } finally {
      await second.close();
    }
  });

  test('after a restart, a read model that still shows the work due leads to nothing more', async () => {
    await award('m-2');
    // The projection is held back, so the read model keeps listing the certification as live and due.
    await eventSourcing.runner.stop();
    const clock = new FakeClock('2026-02-01T00:00:00.000Z');
    expect(await scheduler(clock).runOnce()).toBe(1);
    expect(await expiries('m-2')).toHaveLength(1);

    clock.set('2026-02-02T00:00:00.000Z');
    const restarted = scheduler(clock);
    expect(await findDueCertifications(eventSourcing.readModels, clock.now(), WINDOW, 10)).toEqual([item('m-2', 'expiry')]);
    expect(await restarted.runOnce()).toBe(1); // handled: looked at, and nothing left to record
    // Not only the commandId: the same command under another id is refused by the stream's state too.
    const again = await handleCommand({
      store: events,
      streamId: certificationStreamId('m-2'),
      decider: certificationDecider,
      command: { type: 'ExpireCertification', memberId: 'm-2', recordId: 'm-2:1', expiresAt: EXPIRES_AT, at: clock.now().toISOString() },
      metadata: metadata(clock.now().toISOString(), 'system/other-attempt'),
    });
    expect(again.events).toEqual([]);
    const [expired, ...more] = await expiries('m-2');
    expect(more).toEqual([]);
    expect(expired?.metadata.occurredAt).toBe('2026-02-01T00:00:00.000Z');

    eventSourcing.runner.start();
    await eventSourcing.runner.waitForPosition(expired!.position, [CERTIFICATION_PROJECTION]);
    expect(await statusRow('m-2')).toMatchObject({ status: 'EXPIRED' });
    expect(await restarted.runOnce()).toBe(0);
  });

  test('a suspended certification never enters its renewal window but still expires at its date', async () => {
    await award('m-3');
    await run('m-3', { type: 'SuspendCertification', memberId: 'm-3', reason: 'review', actorId: 'cm-1', at: '2025-06-01T00:00:00.000Z' });
    const clock = new FakeClock('2025-12-01T00:00:00.000Z');
    expect(await findDueCertifications(eventSourcing.readModels, clock.now(), WINDOW, 10)).toEqual([]);
    expect(await scheduler(clock).runOnce()).toBe(0);
    await recordDueCertification(events, item('m-3', 'renewal'), clock.now(), WINDOW);
    expect(await dueEvents('m-3')).toEqual([]);

    clock.set('2026-01-11T00:00:00.000Z');
    expect(await scheduler(clock).runOnce()).toBe(1);
    expect((await stream('m-3')).map((e) => e.type)).toEqual(['CertificationAwarded', 'CertificationSuspended', 'CertificationExpired']);
  });

  test('renewed between the read and the handling: the stale item records nothing; the new expiry has its own window', async () => {
    await award('m-4');
    const clock = new FakeClock('2025-12-01T00:00:00.000Z');
    const [stale] = await findDueCertifications(eventSourcing.readModels, clock.now(), WINDOW, 10);
    expect(stale).toEqual(item('m-4', 'renewal'));
    await run('m-4', {
      type: 'RenewCertification',
      memberId: 'm-4',
      reason: 'refresher',
      levels: LEVELS,
      actorId: 'cm-1',
      at: '2025-11-30T00:00:00.000Z',
    });
    await recordDueCertification(events, stale!, clock.now(), WINDOW);
    await recordDueCertification(events, item('m-4', 'expiry'), new Date('2026-02-01T00:00:00.000Z'), WINDOW);
    expect((await stream('m-4')).map((e) => e.type)).toEqual(['CertificationAwarded', 'CertificationRenewed']);
    expect(await statusRow('m-4')).toEqual({ status: 'CERTIFIED', expires_at: new Date('2027-01-10T09:00:00.000Z') });

    clock.set('2026-12-01T00:00:00.000Z');
    expect(await scheduler(clock).runOnce()).toBe(1);
    const [due] = await dueEvents('m-4');
    expect(due?.data).toMatchObject({ expiresAt: '2027-01-10T09:00:00.000Z', dueFrom: '2026-11-11T09:00:00.000Z' });
    expect(due?.metadata.commandId).toBe('system/certification-due-for-renewal/m-4:1/2027-01-10T09:00:00.000Z');
  });

  test('a revoked certification is never due', async () => {
    await award('m-5');
    await run('m-5', { type: 'RevokeCertification', memberId: 'm-5', reason: 'fraud', actorId: 'cm-1', at: '2025-06-01T00:00:00.000Z' });
    const clock = new FakeClock('2027-01-01T00:00:00.000Z');
    expect(await scheduler(clock).runOnce()).toBe(0);
    await recordDueCertification(events, item('m-5', 'expiry'), clock.now(), WINDOW);
    expect((await stream('m-5')).map((e) => e.type)).toEqual(['CertificationAwarded', 'CertificationRevoked']);
  });

  test('started, it records what fell due while no instance was running, in batches', async () => {
    const members = Array.from({ length: 5 }, (_, i) => `m-backlog-${i}`);
    await Promise.all(members.map((m) => award(m)));
    const renewal = createCertificationRenewalScheduler({
      events,
      readModels: eventSourcing.readModels,
      clock: new FakeClock('2026-06-01T00:00:00.000Z'),
      intervalMs: 50,
      renewalWindowDays: WINDOW,
      batchSize: 2,
    });
    renewal.start();
    try {
      await eventually(async () => {
        for (const m of members) expect(await expiries(m)).toHaveLength(1);
      });
    } finally {
      await renewal.stop();
    }
  });
});
