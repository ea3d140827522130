import type pg from 'pg';
import type { DataSource } from 'typeorm';
import { startTestEventSourcing, type TestEventSourcing } from '../../../../test/support/test-event-sourcing.ts';
import { handleCommand, REDACTED, type EventMetadata, type GovernanceEventStore, type StoredEvent } from '#event-store';
import type { ProjectionRunner } from '#projections';
import { MEMBER_EVENT_SCHEMAS, memberDecider, memberStreamId, type MemberCommand } from '../../members/member.decider.ts';
import { TRAINING_EVENT_SCHEMAS } from '../index.ts';
import {
  trainingEnrolmentDecider,
  trainingEnrolmentStreamId,
  type TrainingAuthority,
  type TrainingEnrolmentCommand,
} from '../training-enrolment.decider.ts';
import { trainingProgrammeDecider, trainingProgrammeStreamId, type TrainingModuleDefinition } from '../training-programme.decider.ts';
import { completedProgrammes, memberStatus, programmeExists, readEnrolment, readProgramme } from '../training-streams.ts';
import { TRAINING_PROJECTION, trainingProjection } from './training.projection.ts';
import {
  ENROLMENT_CURSORS,
  findTrainingEnrolment,
  findTrainingProgramme,
  listTrainingEnrolments,
  listTrainingProgrammes,
  type TrainingEnrolment,
  type TrainingEnrolmentFilter,
} from './training.queries.ts';
import { testMetadata } from '../../../../test/support/event-metadata.ts';
import { backward, expectPagingBothWays, forward } from '../../../../test/support/paging.ts';
import type { PageRequest } from '../../../platform/graphql/pagination.ts';

const CM = 'cm-1';
const MANAGER: TrainingAuthority = { kind: 'community_manager' };
const SELF: TrainingAuthority = { kind: 'self' };

const INTRO: TrainingModuleDefinition = { id: 'intro', title: 'Introduction', required: true, selfPaced: true };
const CASES: TrainingModuleDefinition = { id: 'cases', title: 'Handling cases', required: true, selfPaced: false };
const EXTRA: TrainingModuleDefinition = { id: 'extra', title: 'Further reading', required: false, selfPaced: true };
const APPEALS: TrainingModuleDefinition = { id: 'appeals', title: 'Appeals', required: true, selfPaced: false };

describe('training read model', () => {
  let eventSourcing: TestEventSourcing;
  let pool: pg.Pool;
  let readModels: DataSource;
  let governance: GovernanceEventStore;
  let runner: ProjectionRunner<StoredEvent>;

  beforeEach(async () => {
    eventSourcing = await startTestEventSourcing(
      { schemas: [...MEMBER_EVENT_SCHEMAS, ...TRAINING_EVENT_SCHEMAS], projections: [trainingProjection] },
      'training_read_model',
    );
    ({ pool, readModels, events: governance, runner } = eventSourcing);
  });

  afterEach(async () => {
    await eventSourcing.close();
  });

  const metadata = (actorId: string, occurredAt: string): EventMetadata => testMetadata(occurredAt, { actorId });

  async function member(command: MemberCommand) {
    await handleCommand({
      store: governance,
      streamId: memberStreamId(command.memberId),
      decider: memberDecider,
      command,
      metadata: metadata(CM, '2025-01-01T00:00:00.000Z'),
    });
  }

  async function define(programmeId: string, title: string, modules: TrainingModuleDefinition[], at: string) {
    const result = await handleCommand({
      store: governance,
      streamId: trainingProgrammeStreamId(programmeId),
      decider: trainingProgrammeDecider,
      command: { type: 'DefineTrainingProgramme', programmeId, title, modules, actorId: CM, at },
      metadata: metadata(CM, at),
    });
    await runner.waitForPosition(result.position, [TRAINING_PROJECTION]);
    return result;
  }

  async function run(command: TrainingEnrolmentCommand) {
    const result = await handleCommand({
      store: governance,
      streamId: trainingEnrolmentStreamId(command.programmeId, command.memberId),
      decider: trainingEnrolmentDecider,
      command,
      metadata: metadata(command.actorId, command.at),
    });
    await runner.waitForPosition(result.position, [TRAINING_PROJECTION]);
    return result;
  }

  /** What the enrol handler does: the programme and the member as their streams say now. */
  async function enrol(programmeId: string, memberId: string, at: string, authority: TrainingAuthority = MANAGER) {
    const programme = await readProgramme(governance, programmeId);
    return run({
      type: 'EnrolInTraining',
      programmeId,
      memberId,
      programme: programme && { revision: programme.revision, modules: programme.modules },
      member: await memberStatus(governance, memberId),
      actorId: authority.kind === 'self' ? memberId : CM,
      authority,
      at,
    });
  }

  const complete = (programmeId: string, memberId: string, moduleId: string, at: string, evidence: string | null = null) =>
    run({ type: 'CompleteTrainingModule', programmeId, memberId, moduleId, evidence, actorId: CM, authority: MANAGER, at });

  test('a programme: defined, redefined as a new revision, the same definition adding nothing', async () => {
    expect(await findTrainingProgramme(readModels, 'basics')).toBeNull();
    expect(await programmeExists(governance, 'basics')).toBe(false);

    await define('basics', 'Moderation basics', [INTRO, CASES, EXTRA], '2025-02-01T09:00:00.000Z');
    // Each module as the read model gives it: with its programme and the revision it belongs to (its global id's key).
    const inRevision = (revision: number, ...modules: (typeof INTRO)[]) =>
      modules.map(({ id, ...module }) => ({ ...module, moduleId: id, programmeId: 'basics', programmeRevision: revision }));
    const first = { id: 'basics', title: 'Moderation basics', modules: inRevision(0, INTRO, CASES, EXTRA), revision: 0 };
    expect(await findTrainingProgramme(readModels, 'basics')).toEqual(first);
    expect(await programmeExists(governance, 'basics')).toBe(true);

    const same = await define('basics', 'Moderation basics', [INTRO, CASES, EXTRA], '2025-02-02T09:00:00.000Z');
    expect(same.events).toEqual([]);
    expect(await findTrainingProgramme(readModels, 'basics')).toEqual(first);

    const changed = await define('basics', 'Moderation essentials', [CASES, APPEALS], '2025-02-10T09:00:00.000Z');
    expect(changed.events.map((event) => event.type)).toEqual(['TrainingProgrammeRedefined']);
    expect(await findTrainingProgramme(readModels, 'basics')).toEqual({
      id: 'basics',
      title: 'Moderation essentials',
      modules: inRevision(1, CASES, APPEALS),
      revision: 1,
    });
    expect(await readProgramme(governance, 'basics')).toEqual({
      status: 'defined',
      programmeId: 'basics',
      title: 'Moderation essentials',
      modules: [CASES, APPEALS],
      definitions: 2,
      revision: 1,
    });

    const { rows } = await pool.query('SELECT defined_at, updated_at, revision FROM read_models.training_programmes');
    expect(rows).toEqual([
      { defined_at: new Date('2025-02-01T09:00:00.000Z'), updated_at: new Date('2025-02-10T09:00:00.000Z'), revision: 1 },
    ]);
    expect(await findTrainingProgramme(readModels, 'not an id')).toBeNull();
    expect(await readProgramme(governance, 'not an id')).toBeNull();
    expect(await programmeExists(governance, 'elsewhere')).toBe(false);
  });

  test('an enrolment keeps its revision when the programme is redefined, and completes with its required modules', async () => {
    await member({ type: 'RegisterMember', memberId: 'm-ada', displayName: 'Ada', department: 'Support' });
    await define('basics', 'Moderation basics', [INTRO, CASES, EXTRA], '2025-02-01T09:00:00.000Z');
    await enrol('basics', 'm-ada', '2025-02-05T09:00:00.000Z');
    // A later revision drops `intro` and adds a required module: Ada's enrolment is still the first revision's.
    await define('basics', 'Moderation essentials', [CASES, APPEALS], '2025-02-10T09:00:00.000Z');

    const enrolled: TrainingEnrolment = {
      memberId: 'm-ada',
      programmeId: 'basics',
      status: 'ENROLLED',
      programmeRevision: 0,
      completedModules: [],
      remainingRequiredModules: ['intro', 'cases'],
      enrolledAt: new Date('2025-02-05T09:00:00.000Z'),
      completedAt: null,
      endedAt: null,
      revision: 0,
    };
    expect(await findTrainingEnrolment(readModels, 'basics', 'm-ada')).toEqual(enrolled);

    await complete('basics', 'm-ada', 'cases', '2025-02-11T09:00:00.000Z', 'Handled three cases under supervision');
    const inProgress = {
      ...enrolled,
      status: 'IN_PROGRESS',
      completedModules: ['cases'],
      remainingRequiredModules: ['intro'],
      revision: 1,
    };
    expect(await findTrainingEnrolment(readModels, 'basics', 'm-ada')).toEqual(inProgress);
    expect(await completedProgrammes(governance, 'm-ada', ['basics'])).toEqual(new Set());

    const last = await run({
      type: 'CompleteTrainingModule',
      programmeId: 'basics',
      memberId: 'm-ada',
      moduleId: 'intro',
      evidence: 'Read the guide',
      actorId: 'm-ada',
      authority: SELF,
      at: '2025-02-12T09:00:00.000Z',
    });
    expect(last.events.map((event) => event.type)).toEqual(['TrainingModuleCompleted', 'TrainingEnrolmentCompleted']);
    const completed = {
      ...enrolled,
      status: 'COMPLETED',
      completedModules: ['cases', 'intro'],
      remainingRequiredModules: [],
      completedAt: new Date('2025-02-12T09:00:00.000Z'),
      revision: 3,
    };
    expect(await findTrainingEnrolment(readModels, 'basics', 'm-ada')).toEqual(completed);

    // An optional module afterwards: listed, still completed once.
    await complete('basics', 'm-ada', 'extra', '2025-02-20T09:00:00.000Z');
    expect(await findTrainingEnrolment(readModels, 'basics', 'm-ada')).toEqual({
      ...completed,
      completedModules: ['cases', 'intro', 'extra'],
      revision: 4,
    });
    const { rows } = await pool.query('SELECT completed_at, updated_at FROM read_models.training_enrolments');
    expect(rows).toEqual([{ completed_at: new Date('2025-02-12T09:00:00.000Z'), updated_at: new Date('2025-02-20T09:00:00.000Z') }]);

    expect(await readEnrolment(governance, 'basics', 'm-ada')).toEqual({
      status: 'COMPLETED',
      programmeId: 'basics',
      memberId: 'm-ada',
      programmeRevision: 0,
      modules: [
        { id: 'intro', required: true, selfPaced: true },
        { id: 'cases', required: true, selfPaced: false },
        { id: 'extra', required: false, selfPaced: true },
      ],
      completedModules: ['cases', 'intro', 'extra'],
      enrolledAt: '2025-02-05T09:00:00.000Z',
      completedAt: '2025-02-12T09:00:00.000Z',
      endedAt: null,
      revision: 4,
    });
    expect(await completedProgrammes(governance, 'm-ada', ['basics', 'basics', 'other', 'not an id'])).toEqual(new Set(['basics']));

    // Evidence is stored encrypted with Ada's key, never copied to the read model; erasing her makes it read redacted.
    const streamId = trainingEnrolmentStreamId('basics', 'm-ada');
    const stored = (await eventSourcing.store.readStream(streamId)).map((event) => event.data).join('\n');
    expect(stored).not.toContain('Handled three cases');
    expect(stored).not.toContain('Read the guide');
    expect(stored).toContain('"$pd"');
    const evidence = async () =>
      (await governance.readStream(streamId)).map((event) => ('evidence' in event.data ? event.data['evidence'] : '-'));
    expect(await evidence()).toEqual(['-', 'Handled three cases under supervision', 'Read the guide', '-', null]);
    const columns = await pool.query(
      `SELECT column_name FROM information_schema.columns WHERE table_schema = 'read_models' AND table_name = 'training_enrolments'`,
    );
    expect(columns.rows.map((row: { column_name: string }) => row.column_name)).not.toContain('evidence');
    await governance.forgetSubject('m-ada');
    // No evidence stays no evidence.
    expect(await evidence()).toEqual(['-', REDACTED, REDACTED, '-', null]);
    expect(await completedProgrammes(governance, 'm-ada', ['basics'])).toEqual(new Set(['basics']));
  });

  test('enrolments are per member and programme; the member is read from their own stream', async () => {
    await member({ type: 'RegisterMember', memberId: 'm-ada', displayName: 'Ada', department: 'Support' });
    await member({ type: 'RegisterMember', memberId: 'm-bob', displayName: 'Bob', department: 'Sales' });
    await member({ type: 'RegisterMember', memberId: 'm-cy', displayName: 'Cy', department: 'Sales' });
    await member({ type: 'RecordMemberLeft', memberId: 'm-cy', reason: null });
    expect(await memberStatus(governance, 'm-ada')).toBe('active');
    expect(await memberStatus(governance, 'm-cy')).toBe('left');
    expect(await memberStatus(governance, 'm-nobody')).toBe('unregistered');
    expect(await memberStatus(governance, 'not an id')).toBe('unregistered');

    await define('basics', 'Moderation basics', [INTRO, CASES], '2025-02-01T09:00:00.000Z');
    await define('short', 'Short course', [{ ...INTRO, id: 'only' }], '2025-02-01T09:00:00.000Z');
    await enrol('basics', 'm-ada', '2025-02-05T09:00:00.000Z');
    await enrol('short', 'm-ada', '2025-02-05T10:00:00.000Z', SELF);
    await enrol('basics', 'm-bob', '2025-02-06T09:00:00.000Z', SELF);
    expect((await enrol('basics', 'm-bob', '2025-02-07T09:00:00.000Z')).events).toEqual([]);
    await expect(enrol('basics', 'm-cy', '2025-02-07T09:00:00.000Z')).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(enrol('basics', 'm-nobody', '2025-02-07T09:00:00.000Z')).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(enrol('missing', 'm-ada', '2025-02-07T09:00:00.000Z')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await complete('short', 'm-ada', 'only', '2025-02-08T09:00:00.000Z');
    await complete('basics', 'm-bob', 'intro', '2025-02-08T09:00:00.000Z');
    await complete('basics', 'm-bob', 'cases', '2025-02-09T09:00:00.000Z');

    expect(await completedProgrammes(governance, 'm-ada', ['basics', 'short', 'missing'])).toEqual(new Set(['short']));
    expect(await completedProgrammes(governance, 'm-bob', ['basics', 'short'])).toEqual(new Set(['basics']));
    expect(await completedProgrammes(governance, 'm-cy', ['basics'])).toEqual(new Set());
    expect(await completedProgrammes(governance, 'm-ada', [])).toEqual(new Set());

    const { rows } = await pool.query(
      'SELECT programme_id, member_id, status, revision FROM read_models.training_enrolments ORDER BY programme_id, member_id',
    );
    expect(rows).toEqual([
      { programme_id: 'basics', member_id: 'm-ada', status: 'ENROLLED', revision: 0 },
      { programme_id: 'basics', member_id: 'm-bob', status: 'COMPLETED', revision: 3 },
      { programme_id: 'short', member_id: 'm-ada', status: 'COMPLETED', revision: 2 },
    ]);
    expect(await findTrainingEnrolment(readModels, 'basics', 'm-cy')).toBeNull();
    expect(await findTrainingEnrolment(readModels, 'missing', 'm-ada')).toBeNull();
    expect(await findTrainingEnrolment(readModels, 'basics', 'not an id')).toBeNull();
    expect(await readEnrolment(governance, 'basics', 'm-cy')).toBeNull();
  });

  test('withdrawn and failed enrolments: ended in the read model, the reason only in the event, encrypted; enrolling again starts over', async () => {
    await member({ type: 'RegisterMember', memberId: 'm-ada', displayName: 'Ada', department: 'Support' });
    await define('basics', 'Moderation basics', [INTRO, CASES], '2025-02-01T09:00:00.000Z');
    await enrol('basics', 'm-ada', '2025-02-05T09:00:00.000Z');
    await complete('basics', 'm-ada', 'intro', '2025-02-06T09:00:00.000Z');
    await run({
      type: 'WithdrawFromTraining',
      programmeId: 'basics',
      memberId: 'm-ada',
      reason: 'Moving to another team',
      actorId: 'm-ada',
      authority: SELF,
      at: '2025-02-07T09:00:00.000Z',
    });
    const withdrawn = await findTrainingEnrolment(readModels, 'basics', 'm-ada');
    expect(withdrawn).toMatchObject({
      status: 'WITHDRAWN',
      completedModules: ['intro'],
      endedAt: new Date('2025-02-07T09:00:00.000Z'),
      revision: 2,
    });
    expect(await completedProgrammes(governance, 'm-ada', ['basics'])).toEqual(new Set());

    // The programme changed meanwhile: enrolling again takes it as it is now, with nothing completed.
    await define('basics', 'Moderation essentials', [CASES, APPEALS], '2025-02-08T09:00:00.000Z');
    await enrol('basics', 'm-ada', '2025-02-09T09:00:00.000Z', SELF);
    expect(await findTrainingEnrolment(readModels, 'basics', 'm-ada')).toEqual({
      memberId: 'm-ada',
      programmeId: 'basics',
      status: 'ENROLLED',
      programmeRevision: 1,
      completedModules: [],
      remainingRequiredModules: ['cases', 'appeals'],
      enrolledAt: new Date('2025-02-09T09:00:00.000Z'),
      completedAt: null,
      endedAt: null,
      revision: 3,
    });

    await run({
      type: 'RecordTrainingFailed',
      programmeId: 'basics',
      memberId: 'm-ada',
      reason: 'Did not pass the assessment',
      actorId: CM,
      authority: MANAGER,
      at: '2025-02-10T09:00:00.000Z',
    });
    expect(await findTrainingEnrolment(readModels, 'basics', 'm-ada')).toMatchObject({
      status: 'FAILED',
      endedAt: new Date('2025-02-10T09:00:00.000Z'),
    });
    expect((await readEnrolment(governance, 'basics', 'm-ada'))?.status).toBe('FAILED');

    const streamId = trainingEnrolmentStreamId('basics', 'm-ada');
    const stored = (await eventSourcing.store.readStream(streamId)).map((event) => event.data).join('\n');
    expect(stored).not.toContain('Moving to another team');
    expect(stored).not.toContain('Did not pass');
    const reasons = async () =>
      (await governance.readStream(streamId)).filter((event) => 'reason' in event.data).map((event) => event.data['reason']);
    expect(await reasons()).toEqual(['Moving to another team', 'Did not pass the assessment']);
    const metadataReasons = (await governance.readStream(streamId)).map((event) => event.metadata.reason);
    expect(metadataReasons.join('')).not.toContain('Did not pass');
    await governance.forgetSubject('m-ada');
    expect(await reasons()).toEqual([REDACTED, REDACTED]);
  });

  test('lists: programmes by id and enrolments by programme then member, filtered, both ways, with the total', async () => {
    for (const memberId of ['m-a', 'm-b', 'm-c'])
      await member({ type: 'RegisterMember', memberId, displayName: memberId, department: 'Support' });
    for (const programmeId of ['p-4', 'p-1', 'p-3', 'p-2', 'p-5'])
      await define(programmeId, `Programme ${programmeId}`, [INTRO], '2025-02-01T09:00:00.000Z');
    const programmes = async (page: PageRequest) => {
      const listed = await listTrainingProgrammes(readModels, page);
      expect(listed.totalCount).toBe(5);
      return { ids: listed.edges.map(({ node }) => node.id), pageInfo: listed.pageInfo };
    };
    await expectPagingBothWays(programmes, ['p-1', 'p-2', 'p-3', 'p-4', 'p-5'], 2);

    for (const [programmeId, memberId] of [
      ['p-2', 'm-b'],
      ['p-1', 'm-c'],
      ['p-2', 'm-a'],
      ['p-1', 'm-a'],
      ['p-3', 'm-a'],
    ]) {
      await enrol(programmeId!, memberId!, '2025-02-05T09:00:00.000Z');
    }
    await complete('p-1', 'm-a', 'intro', '2025-02-06T09:00:00.000Z');
    await run({
      type: 'RecordTrainingFailed',
      programmeId: 'p-2',
      memberId: 'm-b',
      reason: null,
      actorId: CM,
      authority: MANAGER,
      at: '2025-02-07T09:00:00.000Z',
    });
    const enrolments = (filter: TrainingEnrolmentFilter, total: number) => async (page: PageRequest) => {
      const listed = await listTrainingEnrolments(readModels, filter, page);
      expect(listed.totalCount).toBe(total);
      return { ids: listed.edges.map(({ node: e }) => `${e.programmeId}/${e.memberId}/${e.status}`), pageInfo: listed.pageInfo };
    };
    await expectPagingBothWays(
      enrolments({}, 5),
      ['p-1/m-a/COMPLETED', 'p-1/m-c/ENROLLED', 'p-2/m-a/ENROLLED', 'p-2/m-b/FAILED', 'p-3/m-a/ENROLLED'],
      2,
    );
    await expectPagingBothWays(enrolments({ memberId: 'm-a' }, 3), ['p-1/m-a/COMPLETED', 'p-2/m-a/ENROLLED', 'p-3/m-a/ENROLLED'], 2);
    await expectPagingBothWays(enrolments({ programmeId: 'p-2' }, 2), ['p-2/m-a/ENROLLED', 'p-2/m-b/FAILED'], 1);
    await expectPagingBothWays(
      enrolments({ statuses: ['ENROLLED', 'FAILED'] }, 4),
      ['p-1/m-c/ENROLLED', 'p-2/m-a/ENROLLED', 'p-2/m-b/FAILED', 'p-3/m-a/ENROLLED'],
      3,
    );
    expect(
      (await listTrainingEnrolments(readModels, { programmeId: 'p-1', memberId: 'm-c', statuses: [] }, forward(10))).edges,
    ).toHaveLength(1);
    expect(await listTrainingEnrolments(readModels, { programmeId: 'p-5' }, forward(10))).toEqual({
      edges: [],
      pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null },
      totalCount: 0,
    });

    // A cursor is a pair of ids in its one canonical form: anything else is bad input on its argument.
    const pair = ENROLMENT_CURSORS.encode(['p-1', 'm-a']);
    expect(ENROLMENT_CURSORS.decode(pair, 'after')).toEqual(['p-1', 'm-a']);
    const json = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    for (const before of [
      '%%%',
      Buffer.from('p-1').toString('base64url'),
      json(['p-1']),
      json(['p 1', 'm-a']),
      json({ 0: 'p-1', 1: 'm-a' }),
      `${pair}A`,
    ]) {
      await expect(listTrainingEnrolments(readModels, {}, backward(2, before))).rejects.toMatchObject({
        code: 'BAD_USER_INPUT',
        message: 'before is not a valid cursor',
        details: { field: 'before' },
      });
    }
  });
});
