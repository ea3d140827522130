import { Role } from '../../src/platform/auth/role.ts';
import { startTestService, type TestService } from '../support/test-service.ts';
import { connectionPages, expectPagingBothWays } from '../support/paging.ts';

const REGISTER = `mutation($input: RegisterMemberInput!) { registerMember(input: $input) { id } }`;
const CREATE_GROUP = `mutation($input: CreateGroupInput!) { createGroup(input: $input) { id } }`;
const ASSIGN = `mutation($input: AssignGroupOwnerInput!) { assignGroupOwner(input: $input) { id owners } }`;
const REMOVE = `mutation($input: AssignGroupOwnerInput!) { removeGroupOwner(input: $input) { id owners } }`;
const OWNERLESS = `query($first: Int, $after: String, $last: Int, $before: String) {
  ownerlessGroups(first: $first, after: $after, last: $last, before: $before) {
    totalCount edges { cursor node { id name owners archived } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`;

type Ownerless = { ownerlessGroups: { totalCount: number; edges: { node: { id: string; name: string; owners: string[] } }[] } };

// Issue #20: groups left without an owner are what community managers must find someone for. The service runs on a
// database of its own, so the list holds exactly the groups made here.
describe('ownerlessGroups over HTTP', () => {
  let t: TestService;
  let manager: string;

  beforeAll(async () => {
    t = await startTestService();
    manager = await t.token('cm-1', Role.COMMUNITY_MANAGER);
  });
  afterAll(async () => {
    await t?.close();
  });

  const run = async <T = Record<string, unknown>>(query: string, variables: Record<string, unknown>, token = manager) => {
    const answer = await t.graphql<T>(query, variables, { token });
    expect(answer.errors).toBeUndefined();
    return answer.data!;
  };

  test('lists the groups with no owner (never owned, or whose owner was removed), by id, paged both ways', async () => {
    expect(await run<Ownerless>(OWNERLESS, { first: 10 })).toEqual({
      ownerlessGroups: expect.objectContaining({ totalCount: 0, edges: [] }),
    });

    await run(REGISTER, { input: { memberId: 'owner-1', displayName: 'Owner', department: 'Sales' } });
    // Created out of id order: the list is by id, not by creation.
    for (const groupId of ['g-5', 'g-2', 'g-4', 'g-1', 'g-3', 'g-6']) {
      await run(CREATE_GROUP, { input: { groupId, name: `Group ${groupId}` } });
    }
    // g-2 and g-3 keep their owner; g-5 had one and lost it.
    for (const groupId of ['g-2', 'g-3', 'g-5']) await run(ASSIGN, { input: { groupId, memberId: 'owner-1' } });
    expect(await run(REMOVE, { input: { groupId: 'g-5', memberId: 'owner-1' } })).toEqual({ removeGroupOwner: { id: 'g-5', owners: [] } });

    const all = await run<Ownerless>(OWNERLESS, { first: 10 });
    expect(all.ownerlessGroups.totalCount).toBe(4);
    expect(all.ownerlessGroups.edges.map((edge) => edge.node)).toEqual(
      ['g-1', 'g-4', 'g-5', 'g-6'].map((id) => ({ id, name: `Group ${id}`, owners: [], archived: false })),
    );

    const pages = connectionPages((query, variables) => t.graphql(query, variables, { token: manager }), {
      query: OWNERLESS,
      field: 'ownerlessGroups',
      totalCount: 4,
    });
    await expectPagingBothWays(pages, ['g-1', 'g-4', 'g-5', 'g-6'], 3);

    // Given an owner again, a group leaves the list.
    await run(ASSIGN, { input: { groupId: 'g-4', memberId: 'owner-1' } });
    const after = await run<Ownerless>(OWNERLESS, { first: 10 });
    expect(after.ownerlessGroups.edges.map((edge) => edge.node.id)).toEqual(['g-1', 'g-5', 'g-6']);
    expect(after.ownerlessGroups.totalCount).toBe(3);
  });

  test('community managers and auditors read it; a member or a group owner is FORBIDDEN, and without a token UNAUTHENTICATED', async () => {
    const codeFor = async (token?: string) =>
      (await t.graphql(OWNERLESS, { first: 5 }, token === undefined ? {} : { token })).errors?.[0]?.extensions?.code;
    expect(await codeFor(await t.token('aud-1', Role.AUDITOR))).toBeUndefined();
    expect(await codeFor(manager)).toBeUndefined();
    const refused = await t.graphql(OWNERLESS, { first: 5 }, { token: await t.token('m-plain', Role.MEMBER) });
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(refused.errors?.[0]?.message).toMatch(/listing groups without an owner needs the role COMMUNITY_MANAGER or AUDITOR/);
    expect(refused.data).toBeNull();
    expect(await codeFor(await t.token('owner-1', Role.GROUP_OWNER))).toBe('FORBIDDEN');
    expect(await codeFor()).toBe('UNAUTHENTICATED');
  });

  test('page arguments out of range are BAD_USER_INPUT naming the argument', async () => {
    const refused = await t.graphql(OWNERLESS, { first: 101 }, { token: manager });
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
    const badCursor = await t.graphql(OWNERLESS, { after: 'not a cursor!' }, { token: manager });
    expect(badCursor.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
  });
});
