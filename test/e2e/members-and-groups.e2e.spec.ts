import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { Role } from '../../src/platform/auth/role.ts';
import { startTestService, type TestService } from '../support/test-service.ts';
import { connectionPages, expectPagingBothWays } from '../support/paging.ts';

const REGISTER = `mutation($input: RegisterMemberInput!) { registerMember(input: $input) { id displayName department status revision } }`;
const UPDATE = `mutation($input: UpdateMemberInput!) { updateMember(input: $input) { id displayName department status revision } }`;
const LEFT = `mutation($input: RecordMemberLeftInput!) { recordMemberLeft(input: $input) { id status revision } }`;
const CREATE_GROUP = `mutation($input: CreateGroupInput!) { createGroup(input: $input) { id name owners archived revision } }`;
const ASSIGN = `mutation($input: AssignGroupOwnerInput!) { assignGroupOwner(input: $input) { id owners revision } }`;
const REMOVE = `mutation($input: AssignGroupOwnerInput!) { removeGroupOwner(input: $input) { id owners revision } }`;

describe('members and groups over HTTP', () => {
  let t: TestService;
  let manager: string;
  let member: string;

  beforeAll(async () => {
    t = await startTestService();
    manager = await t.token('cm-1', Role.COMMUNITY_MANAGER);
    member = await t.token('m-plain', Role.MEMBER);
  });
  afterAll(async () => {
    await t?.close();
  });

  const id = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;
  const register = (memberId: string, extra: Record<string, unknown> = {}, token = manager) =>
    t.graphql(REGISTER, { input: { memberId, displayName: 'Zoë Ørsted', department: 'Sales', ...extra } }, { token });

  test('the committed schema.gql is the schema the code serves', async () => {
    const committed = await readFile(new URL('../../schema.gql', import.meta.url), 'utf8');
    expect(t.service.schemaSdl()).toBe(committed);
  });

  test('me answers who the token says; no token is UNAUTHENTICATED; a forged token is refused with 401', async () => {
    expect((await t.graphql('{ me { id roles } }', {}, { token: manager })).data).toEqual({
      me: { id: 'cm-1', roles: ['COMMUNITY_MANAGER'] },
    });
    expect((await t.graphql('{ me { id } }')).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const forged = await t.graphql('{ me { id } }', {}, { token: `${manager.slice(0, -4)}AAAA` });
    expect(forged.status).toBe(401);
    expect(forged.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  test('a community manager registers a member and reads it back, with the event recorded with its metadata', async () => {
    const memberId = id('m');
    const answer = await register(memberId, {}, manager);
    expect(answer.data).toEqual({
      registerMember: { id: memberId, displayName: 'Zoë Ørsted', department: 'Sales', status: 'ACTIVE', revision: 0 },
    });
    // Not listed in the directory (the default): the member themself and staff read it, other members do not.
    const read = async (token: string) =>
      (await t.graphql(`query($id: ID!) { member(id: $id) { id displayName status } }`, { id: memberId }, { token })).data;
    const found = { member: { id: memberId, displayName: 'Zoë Ørsted', status: 'ACTIVE' } };
    expect(await read(manager)).toEqual(found);
    expect(await read(await t.token(memberId, Role.MEMBER))).toEqual(found);
    expect(await read(member)).toEqual({ member: null });
    const [stored] = await t.storedEvents(`member-${memberId}`);
    expect(stored?.type).toBe('MemberRegistered');
    expect(stored?.metadata).toMatchObject({
      actorId: 'cm-1',
      actorRoles: ['COMMUNITY_MANAGER'],
      authority: 'role:COMMUNITY_MANAGER',
      source: 'api',
    });
  });

  test('the correlation id a client sends is recorded on the events and echoed back', async () => {
    const memberId = id('m');
    await t.graphql(
      REGISTER,
      { input: { memberId, displayName: 'A', department: 'Ops' } },
      { token: manager, headers: { 'x-correlation-id': 'ui-req-42' } },
    );
    expect((await t.storedEvents(`member-${memberId}`))[0]?.metadata.correlationId).toBe('ui-req-42');
  });

  test('a commandId retry appends nothing and answers the same result', async () => {
    const memberId = id('m');
    const first = await register(memberId, { commandId: 'cmd-1' });
    const again = await register(memberId, { commandId: 'cmd-1' });
    expect(again.data).toEqual(first.data);
    expect(again.errors).toBeUndefined();
    const update = { memberId, department: 'Legal', commandId: 'cmd-2' };
    const updated = await t.graphql(UPDATE, { input: update }, { token: manager });
    expect((await t.graphql(UPDATE, { input: update }, { token: manager })).data).toEqual(updated.data);
    expect((await t.storedEvents(`member-${memberId}`)).map((e) => e.type)).toEqual(['MemberRegistered', 'MemberUpdated']);
  });

  test('registering the same member twice without a commandId is CONFLICT', async () => {
    const memberId = id('m');
    await register(memberId);
    const second = await register(memberId);
    expect(second.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    expect(second.errors?.[0]?.message).toMatch(/already registered/);
    expect(await t.storedEvents(`member-${memberId}`)).toHaveLength(1);
  });

  test('a stale expectedRevision is CONFLICT and appends nothing', async () => {
    const memberId = id('m');
    await register(memberId);
    await t.graphql(UPDATE, { input: { memberId, department: 'Finance', expectedRevision: 0 } }, { token: manager });
    const stale = await t.graphql(UPDATE, { input: { memberId, department: 'HR', expectedRevision: 0 } }, { token: manager });
    expect(stale.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', actualRevision: 1 });
    expect(await t.storedEvents(`member-${memberId}`)).toHaveLength(2);
  });

  test('a MEMBER may not register members: FORBIDDEN, nothing appended', async () => {
    const memberId = id('m');
    const refused = await register(memberId, {}, member);
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(refused.errors?.[0]?.message).toMatch(/needs the role COMMUNITY_MANAGER/);
    expect(await t.storedEvents(`member-${memberId}`)).toHaveLength(0);
  });

  test('bad input is BAD_USER_INPUT naming the field, nothing appended', async () => {
    const memberId = id('m');
    const empty = await register(memberId, { displayName: '   ' });
    expect(empty.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'displayName' });
    const badId = await register('spaces are not ids');
    expect(badId.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'memberId' });
    const wrongType = await t.graphql(REGISTER, { input: { memberId, displayName: 5, department: 'x' } }, { token: manager });
    expect(wrongType.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(await t.storedEvents(`member-${memberId}`)).toHaveLength(0);
  });

  test('members pages with first/after, filters by department and counts', async () => {
    const department = id('dept');
    const ids = [];
    for (let i = 0; i < 5; i++) {
      ids.push(`${department}-m${i}`);
      await register(`${department}-m${i}`, { department });
    }
    const page = `query($department: String, $after: String) { members(department: $department, first: 2, after: $after) { totalCount edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }`;
    type Page = {
      members: { totalCount: number; edges: { node: { id: string } }[]; pageInfo: { hasNextPage: boolean; endCursor: string } };
    };
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      // A community manager sees every member, listed in the directory or not.
      const response: { data?: Page | null } = await t.graphql<Page>(page, { department, after }, { token: manager });
      const members: Page['members'] = response.data!.members;
      expect(members.totalCount).toBe(5);
      seen.push(...members.edges.map((e) => e.node.id));
      if (!members.pageInfo.hasNextPage) break;
      after = members.pageInfo.endCursor;
    }
    expect(seen).toEqual(ids);
    const tooMany = await t.graphql(`{ members(first: 101) { totalCount } }`, {}, { token: member });
    expect(tooMany.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
    const badCursor = await t.graphql(`{ members(after: "not a cursor!") { totalCount } }`, {}, { token: member });
    expect(badCursor.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  test('members search by part of the name, case-insensitively, or by the whole id; wildcards match themselves; unlisted members stay hidden', async () => {
    const department = id('dept');
    const people: [string, string][] = [
      [`${department}-a`, 'Anneke de Vries'],
      [`${department}-b`, 'Jan Devriendt'],
      [`${department}-c`, 'Percent 100% Sure'],
      [`${department}-d`, 'Piet Jansen'],
    ];
    for (const [memberId, displayName] of people) {
      expect((await t.graphql(REGISTER, { input: { memberId, displayName, department } }, { token: manager })).errors).toBeUndefined();
    }
    const search = async (text: string, token = manager) => {
      const answer = await t.graphql<{ members: { totalCount: number; edges: { node: { id: string } }[] } }>(
        `query($department: String, $search: String) { members(department: $department, search: $search) { totalCount edges { node { id } } } }`,
        { department, search: text },
        { token },
      );
      expect(answer.errors).toBeUndefined();
      return answer.data!.members.edges.map((edge) => edge.node.id);
    };
    expect(await search('DEVRI')).toEqual([`${department}-b`]);
    expect(await search('de v')).toEqual([`${department}-a`]);
    expect(await search('jan')).toEqual([`${department}-b`, `${department}-d`]);
    expect(await search('0%')).toEqual([`${department}-c`]);
    expect(await search('%')).toEqual([`${department}-c`]);
    expect(await search('_')).toEqual([]);
    expect(await search(`${department}-d`)).toEqual([`${department}-d`]);
    // Not listed in the directory (the default): another member finds nobody, staff find them.
    expect(await search('jan', member)).toEqual([]);
    const blank = await t.graphql(`{ members(search: "  ") { totalCount } }`, {}, { token: manager });
    expect(blank.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'search' });
  });

  test('members and groups page backward with last/before: the end, back to the start, the same nodes as forward', async () => {
    const department = id('dept');
    const ids = ['m4', 'm1', 'm6', 'm3', 'm5', 'm2', 'm0'].map((suffix) => `${department}-${suffix}`);
    for (const memberId of ids) await register(memberId, { department });
    const sorted = [...ids].sort();
    const members = connectionPages((query, variables) => t.graphql(query, variables, { token: manager }), {
      query: `query($department: String, $first: Int, $after: String, $last: Int, $before: String) {
        members(department: $department, first: $first, after: $after, last: $last, before: $before) {
          totalCount edges { cursor node { id } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`,
      field: 'members',
      totalCount: 7,
      variables: { department },
    });
    await expectPagingBothWays(members, sorted, 3);
    // Without first, the schema's default of 20 applies; last alone reads the end of the list.
    const end = await t.graphql(
      `query($department: String) { members(department: $department, last: 2) { edges { node { id } } pageInfo { hasNextPage hasPreviousPage } } }`,
      { department },
      { token: manager },
    );
    expect(end.data).toEqual({
      members: {
        edges: sorted.slice(-2).map((memberId) => ({ node: { id: memberId } })),
        pageInfo: { hasNextPage: false, hasPreviousPage: true },
      },
    });

    for (const prefix of ['gb-3', 'gb-1', 'gb-2']) {
      await t.graphql(CREATE_GROUP, { input: { groupId: `${prefix}-${department}`, name: prefix } }, { token: manager });
    }
    const allGroups = await t.graphql<{ groups: { totalCount: number; edges: { node: { id: string } }[] } }>(
      `{ groups(first: 100) { totalCount edges { node { id } } } }`,
      {},
      { token: member },
    );
    const groupIds = allGroups.data!.groups.edges.map((edge) => edge.node.id);
    expect(groupIds).toHaveLength(allGroups.data!.groups.totalCount);
    const groups = connectionPages((query, variables) => t.graphql(query, variables, { token: member }), {
      query: `query($first: Int, $after: String, $last: Int, $before: String) {
        groups(first: $first, after: $after, last: $last, before: $before) {
          totalCount edges { cursor node { id } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`,
      field: 'groups',
      totalCount: groupIds.length,
    });
    await expectPagingBothWays(groups, groupIds, 2);
  });

  test('page arguments out of range or mixed are BAD_USER_INPUT naming the argument', async () => {
    const refusal = async (args: string) =>
      (await t.graphql(`{ members(${args}) { totalCount } }`, {}, { token: manager })).errors?.[0]?.extensions;
    expect(await refusal('last: 0')).toMatchObject({ code: 'BAD_USER_INPUT', field: 'last' });
    expect(await refusal('last: 101')).toMatchObject({ code: 'BAD_USER_INPUT', field: 'last' });
    expect(await refusal('before: "not a cursor!"')).toMatchObject({ code: 'BAD_USER_INPUT', field: 'before' });
    expect(await refusal('after: "bS0x", before: "bS0y"')).toMatchObject({ code: 'BAD_USER_INPUT', field: 'before' });
    expect(await refusal('after: "bS0x", last: 2')).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
    const groups = await t.graphql(`{ groups(last: 0) { totalCount } }`, {}, { token: manager });
    expect(groups.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'last' });
  });

  test('groups: only a registered, active member can own one; owners are assigned and removed', async () => {
    const groupId = id('g');
    const owner = id('m');
    const created = await t.graphql(CREATE_GROUP, { input: { groupId, name: 'Cyclists' } }, { token: manager });
    expect(created.data).toEqual({ createGroup: { id: groupId, name: 'Cyclists', owners: [], archived: false, revision: 0 } });

    const unregistered = await t.graphql(ASSIGN, { input: { groupId, memberId: owner } }, { token: manager });
    expect(unregistered.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    expect(unregistered.errors?.[0]?.message).toMatch(/only a registered, active member can own a group/);

    await register(owner);
    const assigned = await t.graphql(ASSIGN, { input: { groupId, memberId: owner, reason: 'runs the Friday rides' } }, { token: manager });
    expect(assigned.data).toEqual({ assignGroupOwner: { id: groupId, owners: [owner], revision: 1 } });
    expect((await t.storedEvents(`group-${groupId}`))[1]?.metadata).toMatchObject({ reason: 'runs the Friday rides' });

    const removed = await t.graphql(REMOVE, { input: { groupId, memberId: owner } }, { token: manager });
    expect(removed.data).toEqual({ removeGroupOwner: { id: groupId, owners: [], revision: 2 } });

    await t.graphql(LEFT, { input: { memberId: owner, reason: 'moved on' } }, { token: manager });
    // The reason for leaving is personal data: encrypted in the event, never copied into the plain metadata.
    expect((await t.storedEvents(`member-${owner}`)).at(-1)).toMatchObject({ type: 'MemberLeft', metadata: { reason: null } });
    const left = await t.graphql(ASSIGN, { input: { groupId, memberId: owner } }, { token: manager });
    expect(left.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    expect(await t.storedEvents(`group-${groupId}`)).toHaveLength(3);

    const forbidden = await t.graphql(CREATE_GROUP, { input: { name: 'Mine' } }, { token: member });
    expect(forbidden.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    const read = await t.graphql(
      `query($id: ID!) { group(id: $id) { id name owners } groups(first: 100) { totalCount } }`,
      { id: groupId },
      { token: member },
    );
    expect(read.data).toMatchObject({ group: { id: groupId, name: 'Cyclists', owners: [] } });
  });

  test('createGroup without an id generates one; with a commandId a retry lands on the same group', async () => {
    const first = await t.graphql<{ createGroup: { id: string } }>(
      CREATE_GROUP,
      { input: { name: 'Readers', commandId: 'grp-cmd-1' } },
      { token: manager },
    );
    const retry = await t.graphql<{ createGroup: { id: string } }>(
      CREATE_GROUP,
      { input: { name: 'Readers', commandId: 'grp-cmd-1' } },
      { token: manager },
    );
    expect(retry.data).toEqual(first.data);
    expect(await t.storedEvents(`group-${first.data!.createGroup.id}`)).toHaveLength(1);
  });

  test('over-deep queries are refused before they run', async () => {
    const deep = `{ groups { edges { node { id } pageInfo: __typename } pageInfo { endCursor } } }`;
    expect((await t.graphql(deep, {}, { token: member })).errors).toBeUndefined();
    // 15 levels. Introspection no longer counts (codegen's query is 15 deep) and the schema has no cycles: unknown fields.
    const nested = `{ groups { edges { node ${'{ nested '.repeat(11)}{ id }${' }'.repeat(11)} } } }`;
    const refused = await t.graphql(nested, {}, { token: member });
    expect(refused.errors?.map((error) => error.message)).toContainEqual(
      expect.stringMatching(/nested 15 levels deep; at most 12 are allowed/),
    );
  });

  test('over-expensive queries are refused before they run; ordinary pages pass', async () => {
    const fine = await t.graphql(
      `{ groups(first: 100) { edges { cursor node { id name owners archived revision } } pageInfo { hasNextPage } totalCount } }`,
      {},
      { token: member },
    );
    expect(fine.errors).toBeUndefined();
    const aliases = Array.from(
      { length: 40 },
      (_, i) => `a${i}: members(first: 100) { edges { node { id displayName department status revision } } }`,
    ).join(' ');
    const refused = await t.graphql(`{ ${aliases} }`, {}, { token: member });
    expect(refused.errors?.[0]?.message).toMatch(/query is too expensive \(estimated cost \d+, at most 20000\)/);
    expect(refused.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  test('health: live, and ready with the database, the event store and the projections up', async () => {
    expect((await fetch(`${t.service.url}/health/live`)).status).toBe(200);
    const ready = await fetch(`${t.service.url}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({
      status: 'ok',
      checks: { database: { ok: true }, eventStore: { ok: true }, projections: { ok: true } },
    });
  });
});
