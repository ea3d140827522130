import type pg from 'pg';
import type { DataSource } from 'typeorm';
import { startTestEventSourcing, type TestEventSourcing } from '../../../../test/support/test-event-sourcing.ts';
import { handleCommand, type EventMetadata, type GovernanceEventStore, type StoredEvent } from '#event-store';
import type { ProjectionRunner } from '#projections';
import { MEMBER_EVENT_SCHEMAS, memberDecider, memberStreamId, type MemberCommand } from '../../members/member.decider.ts';
import { GROUP_EVENT_SCHEMAS, groupDecider, groupStreamId, type GroupCommand } from '../group.decider.ts';
import { ownerCandidate } from '../owner-candidate.ts';
import { groupsProjection } from './groups.projection.ts';
import { findGroup, listGroups } from './groups.queries.ts';
import { testMetadata } from '../../../../test/support/event-metadata.ts';
import { backward, expectPagingBothWays, forward } from '../../../../test/support/paging.ts';

describe('groups read model', () => {
  let eventSourcing: TestEventSourcing;
  let pool: pg.Pool;
  let readModels: DataSource;
  let governance: GovernanceEventStore;
  let runner: ProjectionRunner<StoredEvent>;

  beforeEach(async () => {
    eventSourcing = await startTestEventSourcing(
      { schemas: [...MEMBER_EVENT_SCHEMAS, ...GROUP_EVENT_SCHEMAS], projections: [groupsProjection] },
      'groups_read_model',
    );
    ({ pool, readModels, events: governance, runner } = eventSourcing);
  });

  afterEach(async () => {
    await eventSourcing.close();
  });

  const metadata = (occurredAt: string): EventMetadata => testMetadata(occurredAt, { authority: 'COMMUNITY_MANAGER' });

  async function runMember(command: MemberCommand) {
    await handleCommand({
      store: governance,
      streamId: memberStreamId(command.memberId),
      decider: memberDecider,
      command,
      metadata: metadata('2025-03-01T08:00:00.000Z'),
    });
  }

  async function run(command: GroupCommand, occurredAt = '2025-03-01T09:00:00.000Z') {
    const result = await handleCommand({
      store: governance,
      streamId: groupStreamId(command.groupId),
      decider: groupDecider,
      command,
      metadata: metadata(occurredAt),
    });
    await runner.waitForPosition(result.position, ['groups']);
    return result;
  }

  const assign = async (groupId: string, memberId: string, occurredAt?: string) =>
    run({ type: 'AssignGroupOwner', groupId, memberId, candidate: await ownerCandidate(governance, memberId) }, occurredAt);

  test('follows creation and owner changes', async () => {
    await runMember({ type: 'RegisterMember', memberId: 'm-1', displayName: 'Ada', department: 'Research' });
    await runMember({ type: 'RegisterMember', memberId: 'm-2', displayName: 'Grace', department: 'Engineering' });
    await runMember({ type: 'RegisterMember', memberId: 'm-3', displayName: 'Linus', department: 'Engineering' });
    await runMember({ type: 'RecordMemberLeft', memberId: 'm-3' });

    await run({ type: 'CreateGroup', groupId: 'g-42', name: 'Platform guild' }, '2025-03-01T09:00:00.000Z');
    expect(await findGroup(readModels, 'g-42')).toEqual({
      id: 'g-42',
      name: 'Platform guild',
      owners: [],
      archived: false,
      requiresCertification: false,
      revision: 0,
    });

    await assign('g-42', 'm-2');
    await assign('g-42', 'm-1');
    expect((await assign('g-42', 'm-2')).events).toEqual([]);
    await expect(assign('g-42', 'm-3')).rejects.toMatchObject({
      code: 'CONFLICT',
      message: 'only a registered, active member can own a group (m-3 has left)',
    });
    await expect(assign('g-42', 'm-9')).rejects.toMatchObject({
      code: 'CONFLICT',
      message: 'only a registered, active member can own a group (m-9 is not registered)',
    });
    expect(await findGroup(readModels, 'g-42')).toMatchObject({ owners: ['m-2', 'm-1'], revision: 2 });

    await run({ type: 'RemoveGroupOwner', groupId: 'g-42', memberId: 'm-2' }, '2025-03-05T12:00:00.000Z');
    expect(await findGroup(readModels, 'g-42')).toEqual({
      id: 'g-42',
      name: 'Platform guild',
      owners: ['m-1'],
      archived: false,
      requiresCertification: false,
      revision: 3,
    });

    await run({ type: 'SetGroupCertificationRequirement', groupId: 'g-42', required: true }, '2025-03-06T12:00:00.000Z');
    expect(await findGroup(readModels, 'g-42')).toMatchObject({ requiresCertification: true, revision: 4 });

    const { rows } = await pool.query<{ created_at: Date; updated_at: Date }>(
      'SELECT created_at, updated_at FROM read_models.groups WHERE group_id = $1',
      ['g-42'],
    );
    expect(rows[0]?.created_at.toISOString()).toBe('2025-03-01T09:00:00.000Z');
    expect(rows[0]?.updated_at.toISOString()).toBe('2025-03-06T12:00:00.000Z');
    expect(await findGroup(readModels, 'g-unknown')).toBeNull();
  });

  test('lists groups page by page with the total', async () => {
    for (const id of ['g-5', 'g-1', 'g-4', 'g-2', 'g-3']) await run({ type: 'CreateGroup', groupId: id, name: `Group ${id}` });

    const pages: string[][] = [];
    let after: string | null = null;
    for (;;) {
      const page = await listGroups(readModels, { page: forward(2, after) });
      expect(page.totalCount).toBe(5);
      pages.push(page.nodes.map((g) => g.id));
      if (!page.hasNextPage) break;
      after = page.endCursor;
    }
    expect(pages).toEqual([['g-1', 'g-2'], ['g-3', 'g-4'], ['g-5']]);
    expect((await listGroups(readModels, { page: forward(10) })).endCursor).toBe(Buffer.from('g-5').toString('base64url'));
  });

  test('refuses a malformed cursor as bad input', async () => {
    await expect(listGroups(readModels, { page: forward(2, '***') })).rejects.toMatchObject({
      code: 'BAD_USER_INPUT',
      message: 'after is not a valid cursor',
    });
    await expect(listGroups(readModels, { page: backward(2, '***') })).rejects.toMatchObject({
      code: 'BAD_USER_INPUT',
      message: 'before is not a valid cursor',
      details: { field: 'before' },
    });
  });

  test('pages backward too: the end with last, back to the start with before, the same nodes as forward', async () => {
    const ids = ['g-1', 'g-2', 'g-3', 'g-4', 'g-5', 'g-6', 'g-7'];
    for (const id of ['g-6', 'g-1', 'g-4', 'g-7', 'g-2', 'g-5', 'g-3'])
      await run({ type: 'CreateGroup', groupId: id, name: `Group ${id}` });
    await expectPagingBothWays(
      async (page) => {
        const listed = await listGroups(readModels, { page });
        expect(listed.totalCount).toBe(7);
        return { ids: listed.nodes.map((g) => g.id), pageInfo: listed };
      },
      ids,
      3,
    );
    const end = await listGroups(readModels, { page: backward(2) });
    expect(end).toMatchObject({ hasNextPage: false, hasPreviousPage: true, startCursor: Buffer.from('g-6').toString('base64url') });
    expect(end.nodes.map((g) => g.id)).toEqual(['g-6', 'g-7']);
  });
});
