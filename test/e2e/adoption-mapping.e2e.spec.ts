import { Role } from '../../src/platform/auth/role.ts';
import { createGroups } from '../support/groups.ts';
import { startTestService, type GraphQLResponse, type TestService } from '../support/test-service.ts';

const IMPORT = `mutation($input: ImportGroupActivityInput!) {
  importGroupActivity(input: $input) { rowsImported rowsUnmatched rowsRejected { row message } } }`;
const MAPPING_FIELDS = 'format externalId externalName groupId mappedBy mappedAt';
const MAP = `mutation($input: MapExternalGroupInput!) { mapExternalGroup(input: $input) { ${MAPPING_FIELDS} } }`;
const UNMAP = `mutation($input: UnmapExternalGroupInput!) { unmapExternalGroup(input: $input) { ${MAPPING_FIELDS} } }`;
const LIST = `query($first: Int, $after: String) { externalGroupMappings(first: $first, after: $after) {
  edges { cursor node { ${MAPPING_FIELDS} } } pageInfo { hasNextPage endCursor } totalCount } }`;

interface Mapping {
  format: string;
  externalId: string | null;
  externalName: string | null;
  groupId: string;
  mappedBy: string;
  mappedAt: string;
}
interface MappingPage {
  edges: { cursor: string; node: Mapping }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  totalCount: number;
}
interface ImportAnswer {
  rowsImported: number;
  rowsUnmatched: string[];
  rowsRejected: { row: number; message: string }[];
}

/** Viva Engage group ids are GUID-like and no group id of ours: what a platform's group id looks like. */
const GUID = '6e3f1c2a-9b7d-4f0e-8a1b-2c3d4e5f6a7b';
const GENERIC_WEEK = (week: string) =>
  `group_id,group_name,period_start,period_end,members,posts\n${GUID},Verkoop Nederland,${week},12,3\n`;
const VIVA_WEEK = [
  'Report Refresh Date,Group Display Name,Is Deleted,Owner Principal Name,Last Activity Date,Group Type,Office 365 Connected,Member Count,Posted Count,Read Count,Liked Count,Report Period',
  '2026-11-29,Ontwikkeling & Techniek,False,someone@contoso.example,2026-11-28,Public,True,40,5,90,6,7',
].join('\n');

describe('mapping the platform groups to ours, kept as events (issue 24)', () => {
  let t: TestService;
  let cm: string;

  function ok<T>(response: GraphQLResponse<T>): T {
    expect(response.errors).toBeUndefined();
    return response.data!;
  }
  function refused(response: GraphQLResponse, code: string, message?: RegExp) {
    expect(response.errors?.[0]?.extensions?.code).toBe(code);
    if (message) expect(response.errors?.[0]?.message).toMatch(message);
  }
  const importCsv = async (csv: string, format: string): Promise<ImportAnswer> =>
    ok(await t.graphql<{ importGroupActivity: ImportAnswer }>(IMPORT, { input: { csv, format } }, { token: cm })).importGroupActivity;
  const mapGroup = (input: Record<string, unknown>, token = cm) => t.graphql<{ mapExternalGroup: Mapping[] }>(MAP, { input }, { token });
  const unmapGroup = (input: Record<string, unknown>, token = cm) =>
    t.graphql<{ unmapExternalGroup: Mapping[] }>(UNMAP, { input }, { token });
  const mappingEvents = async (format: string) =>
    (await t.storedEvents(`group_mapping-${format}`)).map((event) => ({
      type: event.type,
      data: JSON.parse(event.data) as Record<string, unknown>,
      metadata: event.metadata,
    }));

  beforeAll(async () => {
    t = await startTestService();
    cm = await t.token('cm-1', Role.COMMUNITY_MANAGER);
    await createGroups(t, cm, [
      ['g-sales', 'Sales NL'],
      ['g-eng', 'Engineering'],
    ]);
  });
  afterAll(async () => {
    await t?.close();
  });

  test("the platform's id and name are not ours: the row is reported unmatched and nothing is recorded", async () => {
    const before = await t.eventCount();
    expect(await importCsv(GENERIC_WEEK('2026-11-23,2026-11-29'), 'GENERIC')).toEqual({
      rowsImported: 0,
      rowsUnmatched: ['Verkoop Nederland'],
      rowsRejected: [],
    });
    expect(await importCsv(VIVA_WEEK, 'VIVA_ENGAGE_GROUPS_ACTIVITY')).toMatchObject({
      rowsImported: 0,
      rowsUnmatched: ['Ontwikkeling & Techniek'],
    });
    expect(await t.eventCount()).toBe(before);
  });

  test('after mapping the external id, re-importing matches the row to our group', async () => {
    const answer = ok(await mapGroup({ format: 'GENERIC', externalId: GUID, groupId: 'g-sales', reason: 'Viva Engage id of Sales' }));
    expect(answer.mapExternalGroup).toEqual([
      { format: 'GENERIC', externalId: GUID, externalName: null, groupId: 'g-sales', mappedBy: 'cm-1', mappedAt: expect.any(String) },
    ]);
    expect(await importCsv(GENERIC_WEEK('2026-11-23,2026-11-29'), 'GENERIC')).toEqual({
      rowsImported: 1,
      rowsUnmatched: [],
      rowsRejected: [],
    });
    expect((await t.storedEvents('group_activity-g-sales')).map((event) => JSON.parse(event.data) as Record<string, unknown>)).toEqual([
      expect.objectContaining({ groupId: 'g-sales', periodStart: '2026-11-23', members: 12, posts: 3 }),
    ]);
  });

  test("the mapping's event carries what was mapped and who did it, in its data and its metadata", async () => {
    const [event] = await mappingEvents('GENERIC');
    expect(event).toMatchObject({
      type: 'ExternalGroupMapped',
      data: { format: 'GENERIC', externalId: GUID, externalName: null, groupId: 'g-sales', mappedBy: 'cm-1', mappedAt: expect.any(String) },
      metadata: { actorId: 'cm-1', authority: 'role:COMMUNITY_MANAGER', reason: 'Viva Engage id of Sales' },
    });
  });

  test('a Viva Engage name mapped (in another case) matches the report by name', async () => {
    ok(await mapGroup({ format: 'VIVA_ENGAGE_GROUPS_ACTIVITY', externalName: ' ontwikkeling & TECHNIEK ', groupId: 'g-eng' }));
    expect(await importCsv(VIVA_WEEK, 'VIVA_ENGAGE_GROUPS_ACTIVITY')).toEqual({ rowsImported: 1, rowsUnmatched: [], rowsRejected: [] });
    expect(await t.storedEvents('group_activity-g-eng')).toHaveLength(1);
  });

  test('mapping the same again appends nothing and answers the same', async () => {
    const before = await t.eventCount();
    const again = ok(await mapGroup({ format: 'GENERIC', externalId: GUID, groupId: 'g-sales' })).mapExternalGroup;
    expect(again.map((mapping) => mapping.externalId)).toEqual([GUID]);
    ok(await mapGroup({ format: 'VIVA_ENGAGE_GROUPS_ACTIVITY', externalName: 'Ontwikkeling & Techniek', groupId: 'g-eng' }));
    expect(await t.eventCount()).toBe(before);
  });

  test('community managers and auditors list the mappings, page by page', async () => {
    const auditor = await t.token('a-1', Role.AUDITOR);
    const first = ok(await t.graphql<{ externalGroupMappings: MappingPage }>(LIST, { first: 1 }, { token: auditor })).externalGroupMappings;
    expect(first.totalCount).toBe(2);
    expect(first.pageInfo.hasNextPage).toBe(true);
    const second = ok(
      await t.graphql<{ externalGroupMappings: MappingPage }>(LIST, { first: 1, after: first.pageInfo.endCursor }, { token: cm }),
    ).externalGroupMappings;
    expect([...first.edges, ...second.edges].map((edge) => [edge.node.format, edge.node.externalId ?? edge.node.externalName])).toEqual([
      ['GENERIC', GUID],
      ['VIVA_ENGAGE_GROUPS_ACTIVITY', 'ontwikkeling & TECHNIEK'],
    ]);
    expect(second.pageInfo.hasNextPage).toBe(false);
    refused(await t.graphql(LIST, { first: 1, after: 'not-a-cursor' }, { token: cm }), 'BAD_USER_INPUT');
  });

  test('refusals: bad input, an unknown group, a taken external id, a member; none appends anything', async () => {
    const before = await t.eventCount();
    refused(await mapGroup({ format: 'GENERIC', groupId: 'g-eng' }), 'BAD_USER_INPUT', /external group id, its name or both/);
    refused(await mapGroup({ format: 'GENERIC', externalId: 'has a space', groupId: 'g-eng' }), 'BAD_USER_INPUT');
    refused(
      await mapGroup({ format: 'VIVA_ENGAGE_GROUPS_ACTIVITY', externalId: GUID, groupId: 'g-eng' }),
      'BAD_USER_INPUT',
      /carries no group id/,
    );
    refused(await mapGroup({ format: 'GENERIC', externalId: 'x-1', groupId: 'g-nowhere' }), 'NOT_FOUND', /group g-nowhere does not exist/);
    refused(await mapGroup({ format: 'GENERIC', externalId: GUID, groupId: 'g-eng' }), 'CONFLICT', /already mapped to group g-sales/);
    refused(await unmapGroup({ format: 'GENERIC', externalId: GUID, groupId: 'g-eng' }), 'CONFLICT', /mapped to group g-sales/);
    for (const role of [Role.MEMBER, Role.GROUP_OWNER, Role.AUDITOR]) {
      const token = await t.token(`someone-${role}`, role);
      refused(await mapGroup({ format: 'GENERIC', externalId: 'x-2', groupId: 'g-eng' }, token), 'FORBIDDEN');
      refused(await unmapGroup({ format: 'GENERIC', externalId: GUID, groupId: 'g-sales' }, token), 'FORBIDDEN');
    }
    refused(await t.graphql(LIST, { first: 5 }, { token: await t.token('m-1', Role.MEMBER) }), 'FORBIDDEN');
    expect(await t.eventCount()).toBe(before);
  });

  test('unmapped, the row is unmatched again; the log keeps who mapped and who unmapped', async () => {
    const cm2 = await t.token('cm-2', Role.COMMUNITY_MANAGER);
    expect(ok(await unmapGroup({ format: 'GENERIC', externalId: GUID, groupId: 'g-sales' }, cm2)).unmapExternalGroup).toEqual([]);
    expect(await importCsv(GENERIC_WEEK('2026-11-30,2026-12-06'), 'GENERIC')).toMatchObject({
      rowsImported: 0,
      rowsUnmatched: ['Verkoop Nederland'],
    });
    expect((await mappingEvents('GENERIC')).map((event) => [event.type, event.metadata['actorId']])).toEqual([
      ['ExternalGroupMapped', 'cm-1'],
      ['ExternalGroupUnmapped', 'cm-2'],
    ]);
    // Now free, the id may name another group.
    expect(ok(await mapGroup({ format: 'GENERIC', externalId: GUID, groupId: 'g-eng' })).mapExternalGroup).toHaveLength(1);
  });
});
