import type pg from 'pg';
import type { DataSource } from 'typeorm';
import { startTestEventSourcing, type TestEventSourcing } from '../../../../test/support/test-event-sourcing.ts';
import { handleCommand, REDACTED, type EventMetadata, type GovernanceEventStore, type StoredEvent } from '#event-store';
import type { ProjectionRunner } from '#projections';
import { eventually } from '#testing';
import { MEMBER_EVENT_SCHEMAS, memberDecider, memberStreamId, type MemberCommand } from '../../members/index.ts';
import { PRIVACY_EVENT_SCHEMAS, privacyStreamId } from '../../privacy/privacy.decider.ts';
import { DomainError } from '../../../platform/shared/domain-error.ts';
import { AMBASSADOR_EVENT_SCHEMAS, ambassadorDecider, ambassadorStreamId, type AmbassadorCommand } from '../ambassador.decider.ts';
import { AMBASSADORS_PROJECTION, ambassadorsProjection } from './ambassadors.projection.ts';
import {
  ambassadorCoverage,
  encodeAmbassadorCursor,
  findAmbassador,
  listAmbassadors,
  type AmbassadorAnswer,
  type ListAmbassadorsOptions,
} from './ambassadors.queries.ts';
import type { AmbassadorEnrolment } from '../ambassadors.graphql.ts';
import { testMetadata } from '../../../../test/support/event-metadata.ts';
import { backward, expectPagingBothWays, forward } from '../../../../test/support/paging.ts';
import type { PageRequest } from '../../../platform/graphql/pagination.ts';

describe('ambassadors read model', () => {
  let eventSourcing: TestEventSourcing;
  let pool: pg.Pool;
  let readModels: DataSource;
  let governance: GovernanceEventStore;
  let runner: ProjectionRunner<StoredEvent>;

  beforeEach(async () => {
    eventSourcing = await startTestEventSourcing(
      { schemas: [...MEMBER_EVENT_SCHEMAS, ...AMBASSADOR_EVENT_SCHEMAS, ...PRIVACY_EVENT_SCHEMAS], projections: [ambassadorsProjection] },
      'ambassadors_read_model',
    );
    ({ pool, readModels, events: governance, runner } = eventSourcing);
  });
  afterEach(async () => {
    await eventSourcing.close();
  });

  const metadata = (actorId: string, occurredAt: string): EventMetadata => testMetadata(occurredAt, { actorId });

  async function member(command: MemberCommand, at = '2025-01-01T09:00:00.000Z') {
    const result = await handleCommand({
      store: governance,
      streamId: memberStreamId(command.memberId),
      decider: memberDecider,
      command,
      metadata: metadata('cm-1', at),
    });
    await runner.waitForPosition(result.position, [AMBASSADORS_PROJECTION]);
  }
  const register = (memberId: string, department: string) =>
    member({ type: 'RegisterMember', memberId, displayName: `Member ${memberId}`, department });

  async function run(command: AmbassadorCommand) {
    const result = await handleCommand({
      store: governance,
      streamId: ambassadorStreamId(command.memberId),
      decider: ambassadorDecider,
      command,
      metadata: metadata(command.actorId, command.at),
    });
    await runner.waitForPosition(result.position, [AMBASSADORS_PROJECTION]);
    return result;
  }
  const nominate = (memberId: string, department: string, at: string, extra: { motivation?: string | null; actorId?: string } = {}) =>
    run({
      type: 'NominateAmbassador',
      memberId,
      department,
      motivation: extra.motivation === undefined ? `Why ${memberId}` : extra.motivation,
      nominee: 'active',
      actorId: extra.actorId ?? 'm-nominator',
      at,
    });
  const approve = (memberId: string, at: string) => run({ type: 'ApproveAmbassador', memberId, member: 'active', actorId: 'cm-1', at });
  const reject = (memberId: string, at: string) => run({ type: 'RejectAmbassador', memberId, actorId: 'cm-1', at });
  const activate = (memberId: string, at: string) => run({ type: 'ActivateAmbassador', memberId, member: 'active', actorId: 'cm-1', at });
  const deactivate = (memberId: string, at: string) => run({ type: 'DeactivateAmbassador', memberId, actorId: 'cm-1', at });
  const reactivate = (memberId: string, at: string) =>
    run({ type: 'ReactivateAmbassador', memberId, member: 'active', actorId: 'cm-1', at });
  const offboard = (memberId: string, at: string, reason = 'Changed teams') =>
    run({ type: 'OffboardAmbassador', memberId, reason, actorId: 'cm-1', at });
  /** Nominated, approved and activated. */
  const enlist = async (memberId: string, department: string, day: number) => {
    await nominate(memberId, department, `2025-02-${String(day).padStart(2, '0')}T09:00:00.000Z`);
    await approve(memberId, `2025-02-${String(day).padStart(2, '0')}T10:00:00.000Z`);
    await activate(memberId, `2025-02-${String(day).padStart(2, '0')}T11:00:00.000Z`);
  };

  type ListOptions = Partial<Omit<ListAmbassadorsOptions, 'page'>> & { first?: number; after?: string | null; page?: PageRequest };
  const list = ({ first = 50, after = null, page, ...filter }: ListOptions = {}) =>
    listAmbassadors(readModels, { ...filter, page: page ?? forward(first, after) });
  const ids = (page: { nodes: readonly AmbassadorAnswer[] }) => page.nodes.map((node) => node.memberId);

  test('follows an enrolment from nomination to offboarding, and keeps it in the history when the member is nominated again', async () => {
    await register('m-ada', 'Research');
    await nominate('m-ada', 'Research', '2025-03-01T09:00:00.000Z', { motivation: 'Runs the lunch talks' });
    const enrolment1: AmbassadorEnrolment = {
      enrolment: 1,
      department: 'Research',
      status: 'NOMINATED',
      nominatedBy: 'm-nominator',
      nominatedAt: new Date('2025-03-01T09:00:00.000Z'),
      since: null,
      endedAt: null,
    };
    const nominated: AmbassadorAnswer = {
      memberId: 'm-ada',
      enrolment: 1,
      department: 'Research',
      status: 'NOMINATED',
      nominatedBy: 'm-nominator',
      motivation: 'Runs the lunch talks',
      nominatedAt: new Date('2025-03-01T09:00:00.000Z'),
      since: null,
      offboardReason: null,
      revision: 0,
      history: [enrolment1],
    };
    expect(await findAmbassador(readModels, 'm-ada')).toEqual(nominated);

    await approve('m-ada', '2025-03-02T09:00:00.000Z');
    expect(await findAmbassador(readModels, 'm-ada')).toEqual({
      ...nominated,
      status: 'APPROVED',
      revision: 1,
      history: [{ ...enrolment1, status: 'APPROVED' }],
    });

    await activate('m-ada', '2025-03-03T09:00:00.000Z');
    const since = new Date('2025-03-03T09:00:00.000Z');
    const active = { ...nominated, status: 'ACTIVE', since, revision: 2, history: [{ ...enrolment1, status: 'ACTIVE', since }] };
    expect(await findAmbassador(readModels, 'm-ada')).toEqual(active);

    await deactivate('m-ada', '2025-03-04T09:00:00.000Z');
    expect(await findAmbassador(readModels, 'm-ada')).toEqual({
      ...active,
      status: 'INACTIVE',
      revision: 3,
      history: [{ ...enrolment1, status: 'INACTIVE', since }],
    });
    // Reactivating keeps the first activation as "since".
    await reactivate('m-ada', '2025-03-05T09:00:00.000Z');
    expect(await findAmbassador(readModels, 'm-ada')).toEqual({ ...active, revision: 4 });

    await offboard('m-ada', '2025-03-06T09:00:00.000Z', 'Moved to another role');
    const endedAt = new Date('2025-03-06T09:00:00.000Z');
    const offboarded = {
      ...active,
      status: 'OFFBOARDED',
      offboardReason: 'Moved to another role',
      revision: 5,
      history: [{ ...enrolment1, status: 'OFFBOARDED', since, endedAt }],
    };
    expect(await findAmbassador(readModels, 'm-ada')).toEqual(offboarded);

    // Enrolment 2 replaces the current view; enrolment 1 stays in the history.
    await nominate('m-ada', 'Sales', '2025-04-01T09:00:00.000Z', { motivation: null, actorId: 'm-ada' });
    expect(await findAmbassador(readModels, 'm-ada')).toEqual({
      memberId: 'm-ada',
      enrolment: 2,
      department: 'Sales',
      status: 'NOMINATED',
      nominatedBy: 'm-ada',
      motivation: null,
      nominatedAt: new Date('2025-04-01T09:00:00.000Z'),
      since: null,
      offboardReason: null,
      revision: 6,
      history: [
        { ...enrolment1, status: 'OFFBOARDED', since, endedAt },
        {
          enrolment: 2,
          department: 'Sales',
          status: 'NOMINATED',
          nominatedBy: 'm-ada',
          nominatedAt: new Date('2025-04-01T09:00:00.000Z'),
          since: null,
          endedAt: null,
        },
      ],
    });
    await reject('m-ada', '2025-04-02T09:00:00.000Z');
    expect((await findAmbassador(readModels, 'm-ada'))?.history.map((e) => [e.enrolment, e.status, e.endedAt])).toEqual([
      [1, 'OFFBOARDED', endedAt],
      [2, 'REJECTED', new Date('2025-04-02T09:00:00.000Z')],
    ]);

    // The motivation and the offboard reason are stored encrypted; the read model holds them decrypted.
    const stored = (await eventSourcing.store.readStream(ambassadorStreamId('m-ada'))).map((event) => event.data).join('\n');
    expect(stored).not.toContain('Runs the lunch talks');
    expect(stored).not.toContain('Moved to another role');
    expect(stored).toContain('"$pd"');

    expect(await findAmbassador(readModels, 'm-nobody')).toBeNull();
    expect(await findAmbassador(readModels, 'not an id')).toBeNull();
  });

  test('lists by member id, filtered by status and department, with a total and stable pages', async () => {
    for (const [id, department] of [
      ['m-e', 'Sales'],
      ['m-a', 'Research'],
      ['m-c', 'Sales'],
      ['m-b', 'Research'],
      ['m-d', 'Support'],
    ] as const) {
      await register(id, department);
    }
    await enlist('m-a', 'Research', 1);
    await enlist('m-c', 'Sales', 2);
    await deactivate('m-c', '2025-02-10T09:00:00.000Z');
    await nominate('m-b', 'Research', '2025-02-03T09:00:00.000Z');
    await nominate('m-e', 'Sales', '2025-02-04T09:00:00.000Z');
    await reject('m-e', '2025-02-05T09:00:00.000Z');
    await nominate('m-d', 'Support', '2025-02-06T09:00:00.000Z');
    await approve('m-d', '2025-02-07T09:00:00.000Z');

    const all = await list();
    expect(ids(all)).toEqual(['m-a', 'm-b', 'm-c', 'm-d', 'm-e']);
    expect(all.nodes.map((node) => node.status)).toEqual(['ACTIVE', 'NOMINATED', 'INACTIVE', 'APPROVED', 'REJECTED']);
    expect(all).toMatchObject({ hasNextPage: false, totalCount: 5, endCursor: encodeAmbassadorCursor('m-e') });

    const check = async (options: ListOptions, expected: string[]) => {
      const page = await list(options);
      expect({ ids: ids(page), totalCount: page.totalCount }).toEqual({ ids: expected, totalCount: expected.length });
    };
    await check({ statuses: [] }, ['m-a', 'm-b', 'm-c', 'm-d', 'm-e']);
    await check({ statuses: ['ACTIVE'] }, ['m-a']);
    await check({ statuses: ['ACTIVE', 'INACTIVE'] }, ['m-a', 'm-c']);
    await check({ statuses: ['OFFBOARDED'] }, []);
    await check({ department: 'Research' }, ['m-a', 'm-b']);
    await check({ department: 'Sales', statuses: ['REJECTED', 'ACTIVE'] }, ['m-e']);
    await check({ department: 'Nowhere' }, []);
    await check({ statuses: null, department: null }, ['m-a', 'm-b', 'm-c', 'm-d', 'm-e']);

    const first = await list({ first: 2 });
    expect(first).toMatchObject({ hasNextPage: true, totalCount: 5, endCursor: encodeAmbassadorCursor('m-b') });
    expect(ids(first)).toEqual(['m-a', 'm-b']);
    // A member nominated meanwhile sorts into place; the next page neither repeats nor skips.
    await register('m-aa', 'Sales');
    await nominate('m-aa', 'Sales', '2025-02-20T09:00:00.000Z');
    const second = await list({ first: 2, after: first.endCursor });
    expect(ids(second)).toEqual(['m-c', 'm-d']);
    expect(second).toMatchObject({ hasNextPage: true, totalCount: 6 });
    const third = await list({ first: 2, after: second.endCursor });
    expect(third).toMatchObject({ hasNextPage: false, totalCount: 6, endCursor: encodeAmbassadorCursor('m-e') });
    expect(ids(third)).toEqual(['m-e']);
    expect(await list({ first: 0 })).toEqual({
      nodes: [],
      hasNextPage: true,
      endCursor: null,
      hasPreviousPage: false,
      startCursor: null,
      totalCount: 6,
    });

    for (const after of ['', 'not a cursor', '%%%', encodeAmbassadorCursor('m-a') + '=']) {
      await expect(list({ after })).rejects.toMatchObject({ code: 'BAD_USER_INPUT', message: 'after is not a valid cursor' });
    }
    await expect(list({ first: -1 })).rejects.toBeInstanceOf(DomainError);
    await expect(list({ page: backward(2, 'not a cursor') })).rejects.toMatchObject({
      code: 'BAD_USER_INPUT',
      message: 'before is not a valid cursor',
      details: { field: 'before' },
    });
  });

  test('pages backward too, filter and all: the end with last, back to the start with before, the same nodes as forward', async () => {
    const research = ['m-1', 'm-2', 'm-4', 'm-5', 'm-7'];
    for (const [id, day] of [
      ['m-5', 1],
      ['m-3', 2],
      ['m-1', 3],
      ['m-7', 4],
      ['m-2', 5],
      ['m-6', 6],
      ['m-4', 7],
    ] as const) {
      const department = research.includes(id) ? 'Research' : 'Sales';
      await register(id, department);
      await enlist(id, department, day);
    }
    const pagesOf = (department: string | null) => async (page: PageRequest) => {
      const listed = await list({ department, page });
      return { ids: ids(listed), pageInfo: listed };
    };
    await expectPagingBothWays(pagesOf(null), ['m-1', 'm-2', 'm-3', 'm-4', 'm-5', 'm-6', 'm-7'], 2);
    await expectPagingBothWays(pagesOf('Research'), research, 2);
    const end = await list({ department: 'Research', page: backward(3) });
    expect(ids(end)).toEqual(['m-4', 'm-5', 'm-7']);
    expect(end).toMatchObject({ hasPreviousPage: true, hasNextPage: false, totalCount: 5, startCursor: encodeAmbassadorCursor('m-4') });
  });

  test('coverage counts ACTIVE ambassadors per department, with every department of the directory', async () => {
    expect(await ambassadorCoverage(readModels)).toEqual([]);
    await register('m-1', 'Research');
    await register('m-2', 'Research');
    await register('m-3', 'Sales');
    await register('m-4', 'Support');
    await register('m-5', 'Legal');
    await register('m-6', 'Finance');
    await enlist('m-1', 'Research', 1);
    await enlist('m-2', 'Research', 2);
    await enlist('m-3', 'Sales', 3);
    await enlist('m-4', 'Support', 4);
    // An ambassador may represent a department no current member belongs to.
    await enlist('m-5', 'Outreach', 5);
    expect(await ambassadorCoverage(readModels)).toEqual([
      { department: 'Finance', activeAmbassadors: 0 },
      { department: 'Legal', activeAmbassadors: 0 },
      { department: 'Outreach', activeAmbassadors: 1 },
      { department: 'Research', activeAmbassadors: 2 },
      { department: 'Sales', activeAmbassadors: 1 },
      { department: 'Support', activeAmbassadors: 1 },
    ]);

    // Paused, offboarded, merely nominated or approved ambassadors do not count; nor one who left the community.
    await deactivate('m-1', '2025-03-01T09:00:00.000Z');
    await offboard('m-3', '2025-03-01T10:00:00.000Z');
    await nominate('m-6', 'Finance', '2025-03-01T11:00:00.000Z');
    await approve('m-6', '2025-03-01T12:00:00.000Z');
    await member({ type: 'RecordMemberLeft', memberId: 'm-4', reason: null });
    // A department that only a member who left had is gone from the directory.
    await member({ type: 'RecordMemberLeft', memberId: 'm-5', reason: null });
    // The directory follows a member's move to another department.
    await member({ type: 'UpdateMember', memberId: 'm-6', department: 'Treasury' });
    expect(await ambassadorCoverage(readModels)).toEqual([
      { department: 'Research', activeAmbassadors: 1 },
      { department: 'Sales', activeAmbassadors: 0 },
      { department: 'Treasury', activeAmbassadors: 0 },
    ]);

    await reactivate('m-1', '2025-03-02T09:00:00.000Z');
    await activate('m-6', '2025-03-02T10:00:00.000Z');
    expect(await ambassadorCoverage(readModels)).toEqual([
      { department: 'Finance', activeAmbassadors: 1 },
      { department: 'Research', activeAmbassadors: 2 },
      { department: 'Sales', activeAmbassadors: 0 },
      { department: 'Treasury', activeAmbassadors: 0 },
    ]);
  });

  test('an erasure purges the motivation and the offboard reason, and a rebuild reads them redacted too', async () => {
    await register('m-ada', 'Research');
    await register('m-bob', 'Sales');
    await nominate('m-ada', 'Research', '2025-03-01T09:00:00.000Z', { motivation: 'Runs the lunch talks' });
    await approve('m-ada', '2025-03-01T10:00:00.000Z');
    await offboard('m-ada', '2025-03-01T11:00:00.000Z', 'Burnout, needs a break');
    await nominate('m-bob', 'Sales', '2025-03-01T12:00:00.000Z', { motivation: 'Knows everyone' });
    const rows = async () =>
      (
        await pool.query<{ member_id: string; motivation: string | null; offboard_reason: string | null }>(
          'SELECT member_id, motivation, offboard_reason FROM read_models.ambassadors ORDER BY member_id',
        )
      ).rows;
    expect(await rows()).toEqual([
      { member_id: 'm-ada', motivation: 'Runs the lunch talks', offboard_reason: 'Burnout, needs a break' },
      { member_id: 'm-bob', motivation: 'Knows everyone', offboard_reason: null },
    ]);

    await governance.forgetSubject('m-ada');
    const erased = await governance.append(
      privacyStreamId('m-ada'),
      [{ type: 'ErasureCompleted', data: { memberId: 'm-ada', completedAt: '2025-03-02T09:00:00.000Z' } }],
      { expectedRevision: 'any', metadata: metadata('m-ada', '2025-03-02T09:00:00.000Z') },
    );
    await runner.waitForPosition(erased.position, [AMBASSADORS_PROJECTION]);
    const purged = [
      { member_id: 'm-ada', motivation: REDACTED, offboard_reason: REDACTED },
      { member_id: 'm-bob', motivation: 'Knows everyone', offboard_reason: null },
    ];
    expect(await rows()).toEqual(purged);

    await runner.requestRebuild(AMBASSADORS_PROJECTION);
    await eventually(async () => {
      const [status] = await runner.status();
      expect(status).toMatchObject({ generation: 2, state: 'running', rebuild: null });
    });
    expect(await rows()).toEqual(purged);

    // A new enrolment without a motivation has none: no motivation stays no motivation.
    await nominate('m-ada', 'Research', '2025-03-03T09:00:00.000Z', { motivation: null });
    expect(await rows()).toEqual([{ member_id: 'm-ada', motivation: null, offboard_reason: null }, purged[1]]);
  });
});
