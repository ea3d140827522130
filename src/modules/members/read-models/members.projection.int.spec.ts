import type pg from 'pg';
import type { DataSource } from 'typeorm';
import { startTestEventSourcing, type TestEventSourcing } from '../../../../test/support/test-event-sourcing.ts';
import { handleCommand, REDACTED, type EventMetadata, type EventStore, type GovernanceEventStore, type StoredEvent } from '#event-store';
import type { ProjectionRunner } from '#projections';
import { eventually } from '#testing';
import { DomainError } from '../../../platform/shared/domain-error.ts';
import { MEMBER_EVENT_SCHEMAS, memberDecider, memberStreamId, type MemberCommand } from '../member.decider.ts';
import { membersProjection } from './members.projection.ts';
import { EVERY_MEMBER, findMember, listMembers } from './members.queries.ts';
import { testMetadata } from '../../../../test/support/event-metadata.ts';
import { backward, expectPagingBothWays, forward } from '../../../../test/support/paging.ts';
import { pageRequest } from '../../../platform/graphql/pagination.ts';

describe('members read model', () => {
  let eventSourcing: TestEventSourcing;
  let port: EventStore;
  let pool: pg.Pool;
  let readModels: DataSource;
  let governance: GovernanceEventStore;
  let runner: ProjectionRunner<StoredEvent>;

  beforeEach(async () => {
    eventSourcing = await startTestEventSourcing(
      { schemas: [...MEMBER_EVENT_SCHEMAS], projections: [membersProjection] },
      'members_read_model',
    );
    ({ store: port, pool, readModels, events: governance, runner } = eventSourcing);
  });

  afterEach(async () => {
    await eventSourcing.close();
  });

  const metadata = (occurredAt: string): EventMetadata => testMetadata(occurredAt, { authority: 'COMMUNITY_MANAGER' });

  /** What a resolver will do: decide, append, and answer once the read model has the events. */
  async function run(command: MemberCommand, occurredAt = '2025-03-01T09:00:00.000Z') {
    const result = await handleCommand({
      store: governance,
      streamId: memberStreamId(command.memberId),
      decider: memberDecider,
      command,
      metadata: metadata(occurredAt),
    });
    await runner.waitForPosition(result.position, ['members']);
    return result;
  }

  const register = (memberId: string, displayName: string, department: string) =>
    run({ type: 'RegisterMember', memberId, displayName, department });

  test('follows registration, updates and leaving', async () => {
    await run({ type: 'RegisterMember', memberId: 'm-1', displayName: 'Ada Lovelace', department: 'Research' }, '2025-03-01T09:00:00.000Z');
    expect(await findMember(readModels, 'm-1', EVERY_MEMBER)).toEqual({
      id: 'm-1',
      displayName: 'Ada Lovelace',
      department: 'Research',
      status: 'ACTIVE',
      revision: 0,
    });

    await run({ type: 'UpdateMember', memberId: 'm-1', department: 'Engineering' }, '2025-03-02T10:00:00.000Z');
    expect(await findMember(readModels, 'm-1', EVERY_MEMBER)).toMatchObject({
      displayName: 'Ada Lovelace',
      department: 'Engineering',
      revision: 1,
    });

    const unchanged = await run({ type: 'UpdateMember', memberId: 'm-1', department: 'Engineering' }, '2025-03-02T11:00:00.000Z');
    expect(unchanged.events).toEqual([]);

    await run({ type: 'UpdateMember', memberId: 'm-1', displayName: 'Ada King' }, '2025-03-03T10:00:00.000Z');
    await run({ type: 'RecordMemberLeft', memberId: 'm-1', reason: 'moved abroad' }, '2025-03-04T10:00:00.000Z');
    expect(await findMember(readModels, 'm-1', EVERY_MEMBER)).toEqual({
      id: 'm-1',
      displayName: 'Ada King',
      department: 'Engineering',
      status: 'LEFT',
      revision: 3,
    });

    const { rows } = await pool.query<{ registered_at: Date; updated_at: Date }>(
      'SELECT registered_at, updated_at FROM read_models.members WHERE member_id = $1',
      ['m-1'],
    );
    expect(rows[0]?.registered_at.toISOString()).toBe('2025-03-01T09:00:00.000Z');
    expect(rows[0]?.updated_at.toISOString()).toBe('2025-03-04T10:00:00.000Z');
    expect(await findMember(readModels, 'm-unknown', EVERY_MEMBER)).toBeNull();
  });

  test('the display name is stored encrypted, not as plain text in the log', async () => {
    await register('m-1', 'Ada Lovelace', 'Research');
    const [raw] = await port.readStream(memberStreamId('m-1'));
    expect(raw?.data).not.toContain('Ada Lovelace');
    expect(raw?.data).toContain('Research');
  });

  test('lists members page by page, by department, with the total', async () => {
    for (const [id, department] of [
      ['m-5', 'Research'],
      ['m-1', 'Research'],
      ['m-4', 'Sales'],
      ['m-2', 'Research'],
      ['m-3', 'Sales'],
    ] as const) {
      await register(id, `Member ${id}`, department);
    }

    const pages: string[][] = [];
    let after: string | null = null;
    for (;;) {
      const page = await listMembers(readModels, { reader: EVERY_MEMBER, page: pageRequest({ first: 2, after }) });
      expect(page.totalCount).toBe(5);
      pages.push(page.nodes.map((m) => m.id));
      if (!page.hasNextPage) break;
      after = page.endCursor;
    }
    expect(pages).toEqual([['m-1', 'm-2'], ['m-3', 'm-4'], ['m-5']]);

    const research = await listMembers(readModels, { reader: EVERY_MEMBER, department: 'Research', page: pageRequest({ first: 2 }) });
    expect(research).toMatchObject({ hasNextPage: true, totalCount: 3 });
    expect(research.nodes.map((m) => m.id)).toEqual(['m-1', 'm-2']);
    const rest = await listMembers(readModels, {
      reader: EVERY_MEMBER,
      department: 'Research',
      page: pageRequest({ first: 2, after: research.endCursor }),
    });
    expect(rest).toMatchObject({ hasNextPage: false, totalCount: 3 });
    expect(rest.nodes).toEqual([{ id: 'm-5', displayName: 'Member m-5', department: 'Research', status: 'ACTIVE', revision: 0 }]);

    const empty = await listMembers(readModels, { reader: EVERY_MEMBER, department: 'Legal', page: pageRequest({ first: 10 }) });
    expect(empty).toEqual({ nodes: [], hasNextPage: false, endCursor: null, hasPreviousPage: false, startCursor: null, totalCount: 0 });
    expect((await listMembers(readModels, { reader: EVERY_MEMBER, page: forward(0) })).nodes).toEqual([]);
  });

  test('pages backward too: the end with last, back to the start with before, the same nodes as forward', async () => {
    for (const id of ['m-4', 'm-1', 'm-6', 'm-3', 'm-7', 'm-2', 'm-5'])
      await register(id, `Member ${id}`, id === 'm-3' ? 'Sales' : 'Research');
    const list = async (department: string | null, page: ReturnType<typeof forward>) => {
      const listed = await listMembers(readModels, { reader: EVERY_MEMBER, department, page });
      return { ids: listed.nodes.map((m) => m.id), pageInfo: listed };
    };
    await expectPagingBothWays((page) => list(null, page), ['m-1', 'm-2', 'm-3', 'm-4', 'm-5', 'm-6', 'm-7'], 3);
    // The filter holds both ways, and the total is the filter's, whatever the page.
    await expectPagingBothWays((page) => list('Research', page), ['m-1', 'm-2', 'm-4', 'm-5', 'm-6', 'm-7'], 4);
    const end = await listMembers(readModels, { reader: EVERY_MEMBER, department: 'Research', page: pageRequest({ last: 2 }) });
    expect(end).toMatchObject({ hasNextPage: false, hasPreviousPage: true, totalCount: 6 });
    expect(end.nodes.map((m) => m.id)).toEqual(['m-6', 'm-7']);
    const all = await listMembers(readModels, { reader: EVERY_MEMBER, page: backward(50) });
    expect(all).toMatchObject({ hasNextPage: false, hasPreviousPage: false, totalCount: 7 });
    expect(all.nodes).toHaveLength(7);
    for (const before of ['%%%', Buffer.from('m-1').toString('base64') + '=']) {
      await expect(listMembers(readModels, { reader: EVERY_MEMBER, page: backward(2, before) })).rejects.toMatchObject({
        code: 'BAD_USER_INPUT',
        message: 'before is not a valid cursor',
        details: { field: 'before' },
      });
    }
  });

  test('refuses a malformed cursor and a bad page size as bad input', async () => {
    await register('m-1', 'Ada', 'Research');
    for (const after of ['%%%', 'not a cursor', Buffer.from('a b').toString('base64url'), Buffer.from('m-1').toString('base64') + '=']) {
      await expect(listMembers(readModels, { reader: EVERY_MEMBER, page: pageRequest({ first: 2, after }) })).rejects.toMatchObject({
        code: 'BAD_USER_INPUT',
        message: 'after is not a valid cursor',
      });
    }
    await expect(listMembers(readModels, { reader: EVERY_MEMBER, page: forward(-1) })).rejects.toBeInstanceOf(DomainError);
    await expect(listMembers(readModels, { reader: EVERY_MEMBER, page: forward(1.5) })).rejects.toBeInstanceOf(DomainError);
  });

  test('after erasure, a rebuild purges the plain display name from the read model', async () => {
    await register('m-1', 'Ada Lovelace', 'Research');
    await register('m-2', 'Grace Hopper', 'Engineering');
    await run({ type: 'UpdateMember', memberId: 'm-2', displayName: 'Grace B. Hopper' });

    await governance.forgetSubject('m-2');
    await runner.requestRebuild('members');

    await eventually(async () => {
      const [status] = await runner.status();
      expect(status).toMatchObject({ generation: 2, state: 'running', rebuild: null });
    });
    expect(await findMember(readModels, 'm-2', EVERY_MEMBER)).toEqual({
      id: 'm-2',
      displayName: REDACTED,
      department: 'Engineering',
      status: 'ACTIVE',
      revision: 1,
    });
    expect(await findMember(readModels, 'm-1', EVERY_MEMBER)).toMatchObject({ displayName: 'Ada Lovelace' });

    // The member's own stream reads redacted too, and still folds.
    const history = await governance.readStream(memberStreamId('m-2'));
    expect(history.map((e) => e.data['displayName'])).toEqual([REDACTED, REDACTED]);
    const left = await run({ type: 'RecordMemberLeft', memberId: 'm-2' });
    expect(left.state).toMatchObject({ status: 'left', displayName: REDACTED });
    expect(await findMember(readModels, 'm-2', EVERY_MEMBER)).toMatchObject({ status: 'LEFT', revision: 2 });
  });
});
