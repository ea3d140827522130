import type pg from 'pg';
import type { DataSource } from 'typeorm';
import { startTestEventSourcing, type TestEventSourcing } from '../../../../test/support/test-event-sourcing.ts';
import { handleCommand, type Decider, type DeciderEvent, type EventMetadata, type GovernanceEventStore } from '#event-store';
import { MEMBER_EVENT_SCHEMAS } from '../../members/member.decider.ts';
import {
  TRAINING_EVENT_SCHEMAS,
  trainingEnrolmentDecider,
  trainingEnrolmentStreamId,
  trainingProgrammeDecider,
  trainingProgrammeStreamId,
} from '../../training/index.ts';
import { certificationView } from '../certification-access.ts';
import {
  CERTIFICATION_LEVEL_EVENT_SCHEMAS,
  certificationLevelDecider,
  certificationLevelStreamId,
  type CertificationLevelDefinition,
} from '../certification-level.decider.ts';
import {
  CERTIFICATION_EVENT_SCHEMAS,
  certificationDecider,
  certificationStreamId,
  type CertificationCommand,
} from '../certification.decider.ts';
import { CERTIFICATION_PROJECTION, certificationProjection } from './certification.projection.ts';
import {
  certificationStatuses,
  findCertification,
  findCertificationLevel,
  listCertificationLevels,
  liveLevel,
  nextLevelAbove,
} from './certification.queries.ts';
import type { CertificationRecord } from '../certification.graphql.ts';
import { testMetadata } from '../../../../test/support/event-metadata.ts';

const LEVEL_1: CertificationLevelDefinition = { level: 1, name: 'Moderator', requiredProgrammes: ['prog-a'], validityMonths: 12 };
const LEVEL_2: CertificationLevelDefinition = { level: 2, name: 'Senior moderator', requiredProgrammes: ['prog-b'], validityMonths: 24 };
const LEVELS = [LEVEL_1, LEVEL_2];

const AWARDED_AT = '2025-01-10T09:00:00.000Z';
const EXPIRES_AT = '2026-01-10T09:00:00.000Z';

describe('certification read model', () => {
  let eventSourcing: TestEventSourcing;
  let pool: pg.Pool;
  let readModels: DataSource;
  let events: GovernanceEventStore;

  beforeEach(async () => {
    eventSourcing = await startTestEventSourcing(
      {
        schemas: [...MEMBER_EVENT_SCHEMAS, ...TRAINING_EVENT_SCHEMAS, ...CERTIFICATION_LEVEL_EVENT_SCHEMAS, ...CERTIFICATION_EVENT_SCHEMAS],
        projections: [certificationProjection],
      },
      'certification_read_model',
    );
    ({ pool, readModels, events } = eventSourcing);
  });

  afterEach(async () => {
    await eventSourcing.close();
  });

  const metadata = (occurredAt: string): EventMetadata => testMetadata(occurredAt);

  async function run<C extends { readonly at: string }, S, E extends DeciderEvent>(
    streamId: string,
    decider: Decider<C, S, E>,
    command: C,
  ) {
    const result = await handleCommand({ store: events, streamId, decider, command, metadata: metadata(command.at) });
    await eventSourcing.runner.waitForPosition(result.position, [CERTIFICATION_PROJECTION]);
    return result;
  }

  const defineLevel = (definition: CertificationLevelDefinition, at = AWARDED_AT) =>
    run(certificationLevelStreamId(definition.level), certificationLevelDecider, {
      type: 'DefineCertificationLevel',
      ...definition,
      previousLevelDefined: true,
      unknownProgrammes: [],
      actorId: 'cm-1',
      at,
    });

  const certify = (memberId: string, command: CertificationCommand) => run(certificationStreamId(memberId), certificationDecider, command);

  const award = (memberId: string, level: number, at: string) =>
    certify(memberId, {
      type: 'AwardCertification',
      memberId,
      level,
      evidence: 'assessed in person',
      member: 'active',
      levels: LEVELS,
      completedProgrammes: ['prog-a', 'prog-b'],
      actorId: 'cm-1',
      at,
    });

  const change = (
    type: 'RenewCertification' | 'SuspendCertification' | 'ReinstateCertification' | 'RevokeCertification',
    memberId: string,
    at: string,
    reason: string,
  ) => certify(memberId, { type, memberId, reason, actorId: 'cm-1', at, levels: LEVELS } as CertificationCommand);

  const record = (view: Partial<CertificationRecord> & Pick<CertificationRecord, 'id'>): CertificationRecord => ({
    level: 1,
    status: 'CERTIFIED',
    awardedAt: new Date(AWARDED_AT),
    expiresAt: new Date(EXPIRES_AT),
    endedAt: null,
    reason: null,
    replacedByLevel: null,
    ...view,
  });

  test('levels: one row each, a redefinition replacing the definition and counting as a revision', async () => {
    await defineLevel(LEVEL_1);
    await defineLevel(LEVEL_2);
    await defineLevel({ ...LEVEL_1, requiredProgrammes: ['prog-a', 'prog-c'], validityMonths: 6 }, '2025-02-01T00:00:00.000Z');

    expect(await listCertificationLevels(readModels)).toEqual([
      { level: 1, name: 'Moderator', requiredProgrammes: ['prog-a', 'prog-c'], validityMonths: 6, revision: 1 },
      { level: 2, name: 'Senior moderator', requiredProgrammes: ['prog-b'], validityMonths: 24, revision: 0 },
    ]);
    expect(await findCertificationLevel(readModels, 2)).toEqual({
      level: 2,
      name: 'Senior moderator',
      requiredProgrammes: ['prog-b'],
      validityMonths: 24,
      revision: 0,
    });
    expect(await findCertificationLevel(readModels, 3)).toBeNull();
    const { rows } = await pool.query('SELECT defined_at, updated_at FROM read_models.certification_levels WHERE level = 1');
    expect(rows).toEqual([{ defined_at: new Date(AWARDED_AT), updated_at: new Date('2025-02-01T00:00:00.000Z') }]);
  });

  test('a member never certified, or an id that cannot be one: NOT_CERTIFIED, no history, revision -1', async () => {
    for (const memberId of ['m-nobody', 'not an id']) {
      expect(await findCertification(readModels, memberId, new Date())).toEqual({
        memberId,
        status: 'NOT_CERTIFIED',
        level: null,
        expiresAt: null,
        history: [],
        revision: -1,
      });
    }
  });

  test('follows a member through award, renewal window, renewal, suspension, reinstatement, a higher level and revocation', async () => {
    const m = 'm-1';
    await award(m, 1, AWARDED_AT);
    expect(await findCertification(readModels, m, new Date('2025-02-01T00:00:00.000Z'))).toEqual({
      memberId: m,
      status: 'CERTIFIED',
      level: 1,
      expiresAt: new Date(EXPIRES_AT),
      history: [record({ id: 'm-1:1' })],
      revision: 0,
    });

    await certify(m, {
      type: 'MarkCertificationDueForRenewal',
      memberId: m,
      recordId: 'm-1:1',
      expiresAt: EXPIRES_AT,
      renewalWindowDays: 60,
      at: '2025-12-01T00:00:00.000Z',
    });
    expect(await findCertification(readModels, m, new Date('2025-12-01T00:00:00.000Z'))).toMatchObject({
      status: 'DUE_FOR_RENEWAL',
      revision: 1,
      history: [record({ id: 'm-1:1', status: 'DUE_FOR_RENEWAL' })],
    });

    await change('RenewCertification', m, '2025-12-02T00:00:00.000Z', 'refresher done');
    await change('SuspendCertification', m, '2026-01-05T00:00:00.000Z', 'complaint under review');
    const suspended = await findCertification(readModels, m, new Date('2026-01-05T00:00:00.000Z'));
    expect(suspended).toEqual({
      memberId: m,
      status: 'SUSPENDED',
      level: 1,
      expiresAt: new Date('2027-01-10T09:00:00.000Z'),
      history: [
        record({ id: 'm-1:1', status: 'SUSPENDED', expiresAt: new Date('2027-01-10T09:00:00.000Z'), reason: 'complaint under review' }),
      ],
      revision: 3,
    });
    expect(liveLevel(suspended)).toBe(1);

    await change('ReinstateCertification', m, '2026-01-20T00:00:00.000Z', 'complaint dismissed');
    await award(m, 2, '2026-02-01T00:00:00.000Z');
    await change('RevokeCertification', m, '2026-03-01T00:00:00.000Z', 'abused moderation rights');
    const revoked = await findCertification(readModels, m, new Date('2026-03-02T00:00:00.000Z'));
    expect(revoked).toEqual({
      memberId: m,
      status: 'REVOKED',
      level: 2,
      expiresAt: new Date('2028-02-01T00:00:00.000Z'),
      history: [
        record({
          id: 'm-1:2',
          level: 2,
          status: 'REVOKED',
          awardedAt: new Date('2026-02-01T00:00:00.000Z'),
          expiresAt: new Date('2028-02-01T00:00:00.000Z'),
          endedAt: new Date('2026-03-01T00:00:00.000Z'),
          reason: 'abused moderation rights',
        }),
        record({
          id: 'm-1:1',
          expiresAt: new Date('2027-01-10T09:00:00.000Z'),
          endedAt: new Date('2026-02-01T00:00:00.000Z'),
          reason: 'complaint dismissed',
          replacedByLevel: 2,
        }),
      ],
      revision: 6,
    });
    expect(liveLevel(revoked)).toBeNull();

    // A new award after a revocation starts a third record; the history keeps all of them.
    await award(m, 1, '2026-04-01T00:00:00.000Z');
    const again = await findCertification(readModels, m, new Date('2026-04-01T00:00:00.000Z'));
    expect(again).toMatchObject({ status: 'CERTIFIED', level: 1, expiresAt: new Date('2027-04-01T00:00:00.000Z'), revision: 7 });
    expect(again.history.map((r) => [r.id, r.status, r.level])).toEqual([
      ['m-1:3', 'CERTIFIED', 1],
      ['m-1:2', 'REVOKED', 2],
      ['m-1:1', 'CERTIFIED', 1],
    ]);
  });

  test('an award past its expiry reads as EXPIRED, ended at its expiry, before and after the expiry is recorded', async () => {
    const m = 'm-2';
    await award(m, 1, AWARDED_AT);
    const expected = {
      memberId: m,
      status: 'EXPIRED',
      level: 1,
      expiresAt: new Date(EXPIRES_AT),
      history: [record({ id: 'm-2:1', status: 'EXPIRED', endedAt: new Date(EXPIRES_AT) })],
    };
    const later = new Date('2026-02-01T00:00:00.000Z');
    expect(await findCertification(readModels, m, later)).toEqual({ ...expected, revision: 0 });
    expect(await findCertification(readModels, m, new Date('2026-01-10T08:59:59.999Z'))).toMatchObject({ status: 'CERTIFIED' });

    await certify(m, { type: 'ExpireCertification', memberId: m, recordId: 'm-2:1', expiresAt: EXPIRES_AT, at: later.toISOString() });
    expect(await findCertification(readModels, m, later)).toEqual({ ...expected, revision: 1 });
    // Recorded: it stays expired whatever moment is asked about.
    expect(await findCertification(readModels, m, new Date(AWARDED_AT))).toMatchObject({ status: 'EXPIRED' });
  });

  test('renewed after expiring: the same record lives again', async () => {
    const m = 'm-3';
    await award(m, 1, AWARDED_AT);
    await certify(m, {
      type: 'ExpireCertification',
      memberId: m,
      recordId: 'm-3:1',
      expiresAt: EXPIRES_AT,
      at: '2026-02-01T00:00:00.000Z',
    });
    await change('RenewCertification', m, '2026-03-01T00:00:00.000Z', 'back from leave');
    expect(await findCertification(readModels, m, new Date('2026-03-01T00:00:00.000Z'))).toEqual({
      memberId: m,
      status: 'CERTIFIED',
      level: 1,
      expiresAt: new Date('2027-03-01T00:00:00.000Z'),
      history: [record({ id: 'm-3:1', expiresAt: new Date('2027-03-01T00:00:00.000Z'), reason: 'back from leave' })],
      revision: 2,
    });
  });

  test('statuses of many members at once, NOT_CERTIFIED for the others', async () => {
    await award('m-ok', 1, '2025-06-01T00:00:00.000Z');
    await award('m-old', 1, AWARDED_AT);
    await award('m-susp', 1, '2025-06-01T00:00:00.000Z');
    await change('SuspendCertification', 'm-susp', '2025-07-01T00:00:00.000Z', 'review');
    await award('m-rev', 1, '2025-06-01T00:00:00.000Z');
    await change('RevokeCertification', 'm-rev', '2025-07-01T00:00:00.000Z', 'fraud');

    const at = new Date('2026-02-01T00:00:00.000Z');
    const statuses = await certificationStatuses(readModels, ['m-ok', 'm-old', 'm-susp', 'm-rev', 'm-none', 'not an id', 'm-ok'], at);
    expect(statuses).toEqual(
      new Map([
        ['m-ok', 'CERTIFIED'],
        ['m-old', 'EXPIRED'],
        ['m-susp', 'SUSPENDED'],
        ['m-rev', 'REVOKED'],
        ['m-none', 'NOT_CERTIFIED'],
        ['not an id', 'NOT_CERTIFIED'],
      ]),
    );
    expect(await certificationStatuses(readModels, [])).toEqual(new Map());
  });

  test('the next level and what it still needs, from the levels and the training completed', async () => {
    await defineLevel(LEVEL_1);
    await defineLevel(LEVEL_2);
    const m = 'm-4';
    const at = new Date('2025-02-01T00:00:00.000Z');
    expect(await certificationView(readModels, events, m, at)).toMatchObject({
      status: 'NOT_CERTIFIED',
      nextLevel: 1,
      missingForNextLevel: ['prog-a'],
    });

    await completeProgramme(m, 'prog-a');
    expect(await certificationView(readModels, events, m, at)).toMatchObject({ nextLevel: 1, missingForNextLevel: [] });

    await award(m, 1, AWARDED_AT);
    expect(await certificationView(readModels, events, m, at)).toMatchObject({
      status: 'CERTIFIED',
      level: 1,
      nextLevel: 2,
      missingForNextLevel: ['prog-b'],
    });
    // Once expired, no level is live: the next is level 1 again.
    expect(await certificationView(readModels, events, m, new Date('2026-02-01T00:00:00.000Z'))).toMatchObject({
      status: 'EXPIRED',
      level: 1,
      nextLevel: 1,
      missingForNextLevel: [],
    });

    await award(m, 2, '2025-03-01T00:00:00.000Z');
    expect(await certificationView(readModels, events, m, at)).toMatchObject({ level: 2, nextLevel: null, missingForNextLevel: [] });
  });

  test('next level: the lowest defined level above the live one', () => {
    const levels = [{ level: 1 }, { level: 2 }, { level: 3 }];
    expect(nextLevelAbove(levels, null)).toBe(1);
    expect(nextLevelAbove(levels, 2)).toBe(3);
    expect(nextLevelAbove(levels, 3)).toBeNull();
    expect(nextLevelAbove([], null)).toBeNull();
    expect(liveLevel({ status: 'DUE_FOR_RENEWAL', level: 2 })).toBe(2);
    expect(liveLevel({ status: 'EXPIRED', level: 2 })).toBeNull();
    expect(liveLevel({ status: 'NOT_CERTIFIED', level: null })).toBeNull();
  });

  /** Defines a one-module programme (if needed), enrols the member and completes it, through the training deciders. */
  async function completeProgramme(memberId: string, programmeId: string) {
    const modules = [{ id: 'intro', title: 'Introduction', required: true, selfPaced: false }];
    const defined = await handleCommand({
      store: events,
      streamId: trainingProgrammeStreamId(programmeId),
      decider: trainingProgrammeDecider,
      command: { type: 'DefineTrainingProgramme', programmeId, title: programmeId, modules, actorId: 'cm-1', at: AWARDED_AT },
      metadata: metadata(AWARDED_AT),
    });
    const streamId = trainingEnrolmentStreamId(programmeId, memberId);
    const authority = { kind: 'community_manager' } as const;
    for (const command of [
      {
        type: 'EnrolInTraining',
        programmeId,
        memberId,
        programme: { revision: defined.nextExpectedRevision, modules },
        member: 'active',
        actorId: 'cm-1',
        authority,
        at: AWARDED_AT,
      },
      {
        type: 'CompleteTrainingModule',
        programmeId,
        memberId,
        moduleId: 'intro',
        evidence: null,
        actorId: 'cm-1',
        authority,
        at: AWARDED_AT,
      },
    ] as const) {
      await handleCommand({ store: events, streamId, decider: trainingEnrolmentDecider, command, metadata: metadata(AWARDED_AT) });
    }
  }
});
