import { Role } from '../../src/platform/auth/role.ts';
import { startTestService, type GraphQLResponse, type TestService } from '../support/test-service.ts';
import { connectionPages, expectPagingBothWays } from '../support/paging.ts';

const AMBASSADOR_FIELDS = `memberId department status nominatedBy motivation since offboardReason revision enrolment nominatedAt
  history { enrolment department status nominatedBy nominatedAt since endedAt }`;
const NOMINATE = `mutation($input: NominateAmbassadorInput!) { nominateAmbassador(input: $input) { ${AMBASSADOR_FIELDS} } }`;
const decision = (name: string) => `mutation($input: AmbassadorDecisionInput!) { ${name}(input: $input) { ${AMBASSADOR_FIELDS} } }`;
const APPROVE = decision('approveAmbassador');
const REJECT = decision('rejectAmbassador');
const ACTIVATE = decision('activateAmbassador');
const DEACTIVATE = decision('deactivateAmbassador');
const REACTIVATE = decision('reactivateAmbassador');
const OFFBOARD = decision('offboardAmbassador');
const LIST = `query($status: [AmbassadorStatus!], $department: String, $first: Int, $after: String) {
  ambassadors(status: $status, department: $department, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { cursor node { memberId status department motivation offboardReason } } } }`;
const COVERAGE = `{ ambassadorCoverage { department activeAmbassadors } }`;

interface AmbassadorAnswer {
  memberId: string;
  department: string;
  status: string;
  nominatedBy: string;
  motivation: string | null;
  since: string | null;
  offboardReason: string | null;
  revision: number;
  enrolment: number;
  nominatedAt: string;
  history: {
    enrolment: number;
    department: string;
    status: string;
    nominatedBy: string;
    nominatedAt: string;
    since: string | null;
    endedAt: string | null;
  }[];
}
interface ListAnswer {
  ambassadors: {
    totalCount: number;
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
    edges: { cursor: string; node: Pick<AmbassadorAnswer, 'memberId' | 'status' | 'department' | 'motivation' | 'offboardReason'> }[];
  };
}

const cursor = (memberId: string) => Buffer.from(memberId, 'utf8').toString('base64url');

describe('ambassadors over HTTP', () => {
  let t: TestService;
  let cm: string;
  let cm2: string;
  let auditor: string;

  function ok<T>(response: GraphQLResponse<T>): T {
    expect(response.errors).toBeUndefined();
    return response.data!;
  }

  function refused(response: GraphQLResponse, code: string, message?: string | RegExp) {
    expect(response.errors?.[0]?.extensions?.code).toBe(code);
    if (typeof message === 'string') expect(response.errors?.[0]?.message).toBe(message);
    else if (message) expect(response.errors?.[0]?.message).toMatch(message);
    expect(Object.values(response.data ?? {}).filter((value) => value !== null)).toEqual([]);
  }

  const register = async (memberId: string, department: string) =>
    ok(
      await t.graphql(
        `mutation($input: RegisterMemberInput!) { registerMember(input: $input) { id } }`,
        { input: { memberId, displayName: `Member ${memberId}`, department } },
        { token: cm },
      ),
    );
  const leave = async (memberId: string) =>
    ok(
      await t.graphql(
        `mutation($input: RecordMemberLeftInput!) { recordMemberLeft(input: $input) { id } }`,
        { input: { memberId } },
        { token: cm },
      ),
    );
  const member = (memberId: string) => t.token(memberId, Role.MEMBER);
  const stored = (memberId: string) => t.storedEvents(`ambassador-${memberId}`);
  const types = async (memberId: string) => (await stored(memberId)).map((event) => event.type);

  async function nominate(token: string, input: Record<string, unknown>) {
    return ok(await t.graphql<{ nominateAmbassador: AmbassadorAnswer }>(NOMINATE, { input }, { token })).nominateAmbassador;
  }
  async function decide(mutation: string, input: Record<string, unknown>, token = cm): Promise<AmbassadorAnswer> {
    const data = ok(await t.graphql<Record<string, AmbassadorAnswer>>(mutation, { input }, { token }));
    return Object.values(data)[0]!;
  }
  /** Nominated by themself, approved and activated. */
  async function enlist(memberId: string, department: string) {
    await nominate(await member(memberId), { memberId, department });
    await decide(APPROVE, { memberId });
    return decide(ACTIVATE, { memberId });
  }

  beforeAll(async () => {
    t = await startTestService();
    cm = await t.token('cm-1', Role.COMMUNITY_MANAGER);
    cm2 = await t.token('cm-2', Role.COMMUNITY_MANAGER);
    auditor = await t.token('auditor-1', Role.AUDITOR);
  });
  afterAll(async () => {
    await t?.close();
  });

  test('nominate → approve → activate → deactivate → reactivate → offboard → re-nominate, keeping the history', async () => {
    await register('m-ada', 'Research');
    await register('m-bob', 'Research');
    const bob = await member('m-bob');
    const ada = await member('m-ada');

    // A colleague nominates Ada; the motivation is Ada's personal data, so Bob's answer does not show it.
    const nominated = await nominate(bob, {
      memberId: 'm-ada',
      department: ' Research ',
      motivation: 'Runs the lunch talks',
      commandId: 'nominate-ada',
    });
    const enrolment1 = {
      enrolment: 1,
      department: 'Research',
      status: 'NOMINATED',
      nominatedBy: 'm-bob',
      nominatedAt: nominated.nominatedAt,
      since: null,
      endedAt: null,
    };
    expect(nominated).toEqual({
      memberId: 'm-ada',
      department: 'Research',
      status: 'NOMINATED',
      nominatedBy: 'm-bob',
      motivation: null,
      since: null,
      offboardReason: null,
      revision: 0,
      enrolment: 1,
      nominatedAt: nominated.nominatedAt,
      history: [enrolment1],
    });
    // The same commandId again (a retry: the same input) answers the same and appends nothing.
    expect(
      await nominate(bob, { memberId: 'm-ada', department: ' Research ', motivation: 'Runs the lunch talks', commandId: 'nominate-ada' }),
    ).toEqual(nominated);
    const [nominatedEvent] = await stored('m-ada');
    expect(nominatedEvent?.type).toBe('AmbassadorNominated');
    expect(nominatedEvent?.data).not.toContain('Runs the lunch talks');
    expect(nominatedEvent?.metadata).toMatchObject({ actorId: 'm-bob', authority: 'any signed-in member may nominate', reason: null });

    const approved = await decide(APPROVE, { memberId: 'm-ada', reason: 'Great fit for Research', expectedRevision: 0 });
    // Community managers see the motivation.
    expect(approved).toEqual({
      ...nominated,
      status: 'APPROVED',
      motivation: 'Runs the lunch talks',
      revision: 1,
      history: [{ ...enrolment1, status: 'APPROVED' }],
    });
    expect((await stored('m-ada'))[1]?.metadata).toMatchObject({
      actorId: 'cm-1',
      authority: 'role:COMMUNITY_MANAGER',
      reason: 'Great fit for Research',
    });

    const activated = await decide(ACTIVATE, { memberId: 'm-ada', reason: 'Onboarding done', expectedRevision: 1 });
    const since = activated.since!;
    expect(Date.parse(since)).toBeGreaterThanOrEqual(Date.parse(nominated.nominatedAt));
    const active = {
      ...approved,
      status: 'ACTIVE',
      since,
      revision: 2,
      history: [{ ...enrolment1, status: 'ACTIVE', since }],
    };
    expect(activated).toEqual(active);

    expect(await decide(DEACTIVATE, { memberId: 'm-ada', reason: 'Parental leave' }, cm2)).toEqual({
      ...active,
      status: 'INACTIVE',
      revision: 3,
      history: [{ ...enrolment1, status: 'INACTIVE', since }],
    });
    // Back from leave: "since" stays the first activation.
    expect(await decide(REACTIVATE, { memberId: 'm-ada' })).toEqual({ ...active, revision: 4 });

    const offboarded = await decide(OFFBOARD, { memberId: 'm-ada', reason: 'Moved to another role', expectedRevision: 4 });
    const endedAt = offboarded.history[0]!.endedAt!;
    expect(offboarded).toEqual({
      ...active,
      status: 'OFFBOARDED',
      offboardReason: 'Moved to another role',
      revision: 5,
      history: [{ ...enrolment1, status: 'OFFBOARDED', since, endedAt }],
    });
    // The offboard reason is about Ada: encrypted in the event, not in the metadata.
    const offboardEvent = (await stored('m-ada'))[5]!;
    expect(offboardEvent.data).not.toContain('Moved to another role');
    expect(offboardEvent.metadata).toMatchObject({ actorId: 'cm-1', reason: null });

    // Ada sees her own motivation and offboard reason; another member sees neither.
    const asAda = ok(await t.graphql<ListAnswer>(LIST, { department: 'Research' }, { token: ada })).ambassadors.edges[0]?.node;
    expect(asAda).toEqual({
      memberId: 'm-ada',
      status: 'OFFBOARDED',
      department: 'Research',
      motivation: 'Runs the lunch talks',
      offboardReason: 'Moved to another role',
    });
    const asBob = ok(await t.graphql<ListAnswer>(LIST, { department: 'Research' }, { token: bob })).ambassadors.edges[0]?.node;
    expect(asBob).toEqual({ ...asAda, motivation: null, offboardReason: null });
    const asAuditor = ok(await t.graphql<ListAnswer>(LIST, { department: 'Research' }, { token: auditor })).ambassadors.edges[0]?.node;
    expect(asAuditor).toEqual({ ...asAda, motivation: null, offboardReason: null });

    // Ada nominates herself again: enrolment 2 in the same stream, enrolment 1 kept.
    const renominated = await nominate(ada, { memberId: 'm-ada', department: 'Sales', motivation: 'I miss it' });
    expect(renominated).toEqual({
      memberId: 'm-ada',
      department: 'Sales',
      status: 'NOMINATED',
      nominatedBy: 'm-ada',
      motivation: 'I miss it',
      since: null,
      offboardReason: null,
      revision: 6,
      enrolment: 2,
      nominatedAt: renominated.nominatedAt,
      history: [
        { ...enrolment1, status: 'OFFBOARDED', since, endedAt },
        {
          enrolment: 2,
          department: 'Sales',
          status: 'NOMINATED',
          nominatedBy: 'm-ada',
          nominatedAt: renominated.nominatedAt,
          since: null,
          endedAt: null,
        },
      ],
    });
    expect(await types('m-ada')).toEqual([
      'AmbassadorNominated',
      'AmbassadorApproved',
      'AmbassadorActivated',
      'AmbassadorDeactivated',
      'AmbassadorReactivated',
      'AmbassadorOffboarded',
      'AmbassadorNominated',
    ]);
    expect((await stored('m-ada'))[6]?.metadata).toMatchObject({ actorId: 'm-ada', authority: 'self' });

    // Rejected, then nominated once more: enrolment 3.
    expect(await decide(REJECT, { memberId: 'm-ada', reason: 'Sales has enough ambassadors' })).toMatchObject({
      status: 'REJECTED',
      enrolment: 2,
      revision: 7,
    });
    const third = await nominate(bob, { memberId: 'm-ada', department: 'Research' });
    expect(third).toMatchObject({ status: 'NOMINATED', enrolment: 3, nominatedBy: 'm-bob', motivation: null, revision: 8 });
    // Bob nominated the third, not the turned-down second: he is not shown that one (the staff are, below).
    expect(third.history.map((h) => [h.enrolment, h.department, h.status])).toEqual([
      [1, 'Research', 'OFFBOARDED'],
      [3, 'Research', 'NOMINATED'],
    ]);
    const HISTORY = `query { ambassadors(department: "Research", first: 10) { edges { node { memberId history { enrolment status } } } } }`;
    const staffView = ok(
      await t.graphql<{ ambassadors: { edges: { node: { memberId: string; history: unknown[] } }[] } }>(HISTORY, {}, { token: cm }),
    );
    expect(staffView.ambassadors.edges.find((edge) => edge.node.memberId === 'm-ada')!.node.history).toEqual([
      { enrolment: 1, status: 'OFFBOARDED' },
      { enrolment: 2, status: 'REJECTED' },
      { enrolment: 3, status: 'NOMINATED' },
    ]);
  });

  test('coverage counts ACTIVE ambassadors per department, including a department of the directory with none', async () => {
    // Research (Ada, Bob) exists from the first test, without an active ambassador.
    expect(ok(await t.graphql(COVERAGE, {}, { token: await member('m-bob') }))).toEqual({
      ambassadorCoverage: [{ department: 'Research', activeAmbassadors: 0 }],
    });
    await register('m-cy', 'Support');
    await register('m-dee', 'Support');
    await register('m-eve', 'Legal');
    await enlist('m-cy', 'Support');
    await enlist('m-dee', 'Support');
    await enlist('m-bob', 'Research');
    expect(ok(await t.graphql(COVERAGE, {}, { token: await member('m-eve') }))).toEqual({
      ambassadorCoverage: [
        { department: 'Legal', activeAmbassadors: 0 },
        { department: 'Research', activeAmbassadors: 1 },
        { department: 'Support', activeAmbassadors: 2 },
      ],
    });
    // A paused ambassador does not count; nor one who left the community.
    await decide(DEACTIVATE, { memberId: 'm-cy' });
    await leave('m-bob');
    expect(ok(await t.graphql(COVERAGE, {}, { token: auditor }))).toEqual({
      ambassadorCoverage: [
        { department: 'Legal', activeAmbassadors: 0 },
        { department: 'Research', activeAmbassadors: 0 },
        { department: 'Support', activeAmbassadors: 1 },
      ],
    });
  });

  test('the list filters by status and department, by member id, in pages with a total', async () => {
    // Now: m-ada NOMINATED (Research), m-bob ACTIVE (Research, left), m-cy INACTIVE, m-dee ACTIVE (Support). Read by a
    // community manager, who sees every enrolment (what a member is shown: the test after this one).
    const token = cm;
    const all = ok(await t.graphql<ListAnswer>(LIST, {}, { token })).ambassadors;
    expect(all.edges.map((edge) => [edge.node.memberId, edge.node.status])).toEqual([
      ['m-ada', 'NOMINATED'],
      ['m-bob', 'ACTIVE'],
      ['m-cy', 'INACTIVE'],
      ['m-dee', 'ACTIVE'],
    ]);
    expect(all).toMatchObject({ totalCount: 4, pageInfo: { hasNextPage: false, endCursor: cursor('m-dee') } });
    expect(all.edges.map((edge) => edge.cursor)).toEqual(['m-ada', 'm-bob', 'm-cy', 'm-dee'].map(cursor));

    const ids = async (variables: Record<string, unknown>) => {
      const page = ok(await t.graphql<ListAnswer>(LIST, variables, { token })).ambassadors;
      return { ids: page.edges.map((edge) => edge.node.memberId), totalCount: page.totalCount, hasNextPage: page.pageInfo.hasNextPage };
    };
    expect(await ids({ status: ['ACTIVE'] })).toEqual({ ids: ['m-bob', 'm-dee'], totalCount: 2, hasNextPage: false });
    expect(await ids({ status: ['ACTIVE', 'INACTIVE'], department: 'Support' })).toEqual({
      ids: ['m-cy', 'm-dee'],
      totalCount: 2,
      hasNextPage: false,
    });
    expect(await ids({ status: [] })).toEqual({ ids: ['m-ada', 'm-bob', 'm-cy', 'm-dee'], totalCount: 4, hasNextPage: false });
    expect(await ids({ department: 'Legal' })).toEqual({ ids: [], totalCount: 0, hasNextPage: false });
    expect(await ids({ first: 3 })).toEqual({ ids: ['m-ada', 'm-bob', 'm-cy'], totalCount: 4, hasNextPage: true });
    expect(await ids({ first: 3, after: cursor('m-cy') })).toEqual({ ids: ['m-dee'], totalCount: 4, hasNextPage: false });

    // Backward with last/before: the end of the list, back to its start, the same members in the same order.
    const pagesOf = (variables: Record<string, unknown>, totalCount: number) =>
      connectionPages((query, pageVariables) => t.graphql(query, pageVariables, { token }), {
        query: `query($status: [AmbassadorStatus!], $first: Int, $after: String, $last: Int, $before: String) {
          ambassadors(status: $status, first: $first, after: $after, last: $last, before: $before) {
            totalCount edges { cursor node { memberId } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`,
        field: 'ambassadors',
        totalCount,
        variables,
        idOf: (node) => node.memberId as string,
      });
    await expectPagingBothWays(pagesOf({}, 4), ['m-ada', 'm-bob', 'm-cy', 'm-dee'], 3);
    await expectPagingBothWays(pagesOf({ status: ['ACTIVE', 'NOMINATED'] }, 3), ['m-ada', 'm-bob', 'm-dee'], 1);
  });

  test('a nomination still considered or turned down is shown to the nominee, the nominator and the staff, not to colleagues', async () => {
    for (const id of ['m-vis-pending', 'm-vis-rejected', 'm-vis-active', 'm-vis-nominator', 'm-vis-colleague'])
      await register(id, 'Visibility');
    const nominator = await member('m-vis-nominator');
    await nominate(nominator, { memberId: 'm-vis-pending', department: 'Visibility' });
    await nominate(nominator, { memberId: 'm-vis-rejected', department: 'Visibility' });
    await decide(REJECT, { memberId: 'm-vis-rejected', reason: 'not this year' });
    // An ambassador now, whose first nomination had been turned down: that earlier enrolment stays private too.
    await nominate(await member('m-vis-active'), { memberId: 'm-vis-active', department: 'Visibility' });
    await decide(REJECT, { memberId: 'm-vis-active', reason: 'not yet' });
    await enlist('m-vis-active', 'Visibility');

    const listed = async (token: string) => {
      const answer = ok(await t.graphql<ListAnswer>(LIST, { department: 'Visibility', first: 50 }, { token })).ambassadors;
      expect(answer.totalCount).toBe(answer.edges.length);
      return answer.edges.map((edge) => `${edge.node.memberId}:${edge.node.status}`);
    };
    const all = ['m-vis-active:ACTIVE', 'm-vis-pending:NOMINATED', 'm-vis-rejected:REJECTED'];
    expect(await listed(cm)).toEqual(all);
    expect(await listed(auditor)).toEqual(all);
    expect(await listed(nominator)).toEqual(all);
    expect(await listed(await member('m-vis-colleague'))).toEqual(['m-vis-active:ACTIVE']);
    expect(await listed(await member('m-vis-pending'))).toEqual(['m-vis-active:ACTIVE', 'm-vis-pending:NOMINATED']);
    // Asked for by status, a colleague still gets none of them.
    const colleague = await member('m-vis-colleague');
    const rejected = ok(
      await t.graphql<ListAnswer>(LIST, { department: 'Visibility', status: ['REJECTED', 'NOMINATED'] }, { token: colleague }),
    );
    expect(rejected.ambassadors).toMatchObject({ totalCount: 0, edges: [] });

    // By node id: null for a colleague, the enrolment for the nominee; an ambassador's history without the turned-down one.
    const NODE = `query($id: ID!) { node(id: $id) { ... on Ambassador { memberId status history { status } } } }`;
    const nodeId = async (memberId: string) =>
      ok(
        await t.graphql<{ ambassadors: { edges: { node: { id: string } }[] } }>(
          `query { ambassadors(department: "Visibility", first: 50) { edges { node { id memberId } } } }`,
          {},
          { token: cm },
        ),
      ).ambassadors.edges.find((edge) => (edge.node as { memberId?: string }).memberId === memberId)!.node.id;
    expect(ok(await t.graphql<{ node: unknown }>(NODE, { id: await nodeId('m-vis-pending') }, { token: colleague })).node).toBeNull();
    expect(
      ok(await t.graphql<{ node: unknown }>(NODE, { id: await nodeId('m-vis-pending') }, { token: await member('m-vis-pending') })).node,
    ).toMatchObject({ status: 'NOMINATED' });
    expect(
      ok(await t.graphql<{ node: { history: { status: string }[] } }>(NODE, { id: await nodeId('m-vis-active') }, { token: colleague }))
        .node.history,
    ).toEqual([{ status: 'ACTIVE' }]);
    expect(
      ok(await t.graphql<{ node: { history: { status: string }[] } }>(NODE, { id: await nodeId('m-vis-active') }, { token: auditor })).node
        .history,
    ).toEqual([{ status: 'REJECTED' }, { status: 'ACTIVE' }]);
  });

  test('authorization: decisions are for community managers only; reading needs a sign-in; nothing is appended', async () => {
    await register('m-fay', 'Legal');
    await nominate(await member('m-eve'), { memberId: 'm-fay', department: 'Legal', motivation: 'Patient and fair' });
    const before = await stored('m-fay');
    const roles: [string, string][] = [
      ['member', await member('m-eve')],
      ['the nominee', await member('m-fay')],
      ['auditor', auditor],
      ['privacy officer', await t.token('po-1', Role.PRIVACY_OFFICER)],
      ['group owner', await t.token('owner-1', Role.GROUP_OWNER)],
    ];
    for (const [name, token] of roles) {
      for (const [mutation, action] of [
        [APPROVE, 'approving an ambassador'],
        [REJECT, 'rejecting an ambassador nomination'],
        [ACTIVATE, 'activating an ambassador'],
        [DEACTIVATE, 'deactivating an ambassador'],
        [REACTIVATE, 'reactivating an ambassador'],
        [OFFBOARD, 'offboarding an ambassador'],
      ] as const) {
        refused(
          await t.graphql(mutation, { input: { memberId: 'm-fay', reason: 'because' } }, { token }),
          'FORBIDDEN',
          // An auditor's token is read-only: every mutation refuses it first (src/platform/security/read-only-roles.ts).
          name === 'auditor'
            ? 'a token with the role AUDITOR is read-only: auditors change nothing (act with another token)'
            : `${action} needs the role COMMUNITY_MANAGER`,
        );
      }
    }
    expect(await stored('m-fay')).toEqual(before);

    // Without a token: nothing, not even the list.
    refused(await t.graphql(NOMINATE, { input: { memberId: 'm-eve', department: 'Legal' } }), 'UNAUTHENTICATED');
    refused(await t.graphql(APPROVE, { input: { memberId: 'm-fay' } }), 'UNAUTHENTICATED');
    refused(await t.graphql(LIST, {}), 'UNAUTHENTICATED');
    refused(await t.graphql(COVERAGE, {}), 'UNAUTHENTICATED');
    expect(await stored('m-eve')).toEqual([]);
    expect(await stored('m-fay')).toEqual(before);
  });

  test('bad inputs answer the right code and append nothing', async () => {
    const token = await member('m-eve');
    await register('m-gus', 'Legal');
    await register('m-gone', 'Legal');
    await leave('m-gone');
    await enlist('m-gus', 'Legal');
    const gus = await stored('m-gus');

    // Nominations.
    refused(
      await t.graphql(NOMINATE, { input: { memberId: 'm-nobody', department: 'Legal' } }, { token }),
      'NOT_FOUND',
      'member m-nobody is not registered',
    );
    refused(
      await t.graphql(NOMINATE, { input: { memberId: 'm-gone', department: 'Legal' } }, { token }),
      'CONFLICT',
      'member m-gone has left: only active members can be nominated',
    );
    refused(
      await t.graphql(NOMINATE, { input: { memberId: 'm-gus', department: 'Legal' } }, { token }),
      'CONFLICT',
      'member m-gus already has an ambassador enrolment (ACTIVE): a new nomination waits until it is rejected or offboarded',
    );
    refused(
      await t.graphql(NOMINATE, { input: { memberId: 'm-eve', department: '  ' } }, { token }),
      'BAD_USER_INPUT',
      'department must not be empty',
    );
    refused(
      await t.graphql(NOMINATE, { input: { memberId: 'm-eve', department: 'Legal', motivation: 'x'.repeat(4001) } }, { token }),
      'BAD_USER_INPUT',
      'motivation must be at most 4000 characters',
    );
    refused(
      await t.graphql(NOMINATE, { input: { memberId: 'm eve', department: 'Legal' } }, { token }),
      'BAD_USER_INPUT',
      'memberId must be 1 to 100 letters, digits or . _ : @ - characters',
    );
    refused(
      await t.graphql(NOMINATE, { input: { memberId: 'm-eve', department: 'Legal', commandId: 'not ok!' } }, { token }),
      'BAD_USER_INPUT',
    );
    refused(await t.graphql(NOMINATE, { input: { memberId: 'm-eve' } }, { token }), 'BAD_USER_INPUT');

    // Decisions.
    refused(await t.graphql(OFFBOARD, { input: { memberId: 'm-gus' } }, { token: cm }), 'BAD_USER_INPUT', 'reason must not be empty');
    refused(
      await t.graphql(APPROVE, { input: { memberId: 'm-gus' } }, { token: cm }),
      'CONFLICT',
      'cannot approve the ambassador m-gus: they are ACTIVE (an active ambassador is deactivated or offboarded)',
    );
    refused(
      await t.graphql(REACTIVATE, { input: { memberId: 'm-gus' } }, { token: cm }),
      'CONFLICT',
      'cannot reactivate the ambassador m-gus: they are ACTIVE (an active ambassador is deactivated or offboarded)',
    );
    refused(
      await t.graphql(DEACTIVATE, { input: { memberId: 'm-gus', expectedRevision: 1 } }, { token: cm }),
      'CONFLICT',
      /changed meanwhile \(now at revision 2, you saw 1\)/,
    );
    refused(
      await t.graphql(APPROVE, { input: { memberId: 'm-eve' } }, { token: cm }),
      'NOT_FOUND',
      'member m-eve was never nominated as an ambassador',
    );
    refused(await t.graphql(APPROVE, { input: { memberId: 'bad id' } }, { token: cm }), 'BAD_USER_INPUT');
    refused(await t.graphql(APPROVE, { input: { memberId: 'm-gus', expectedRevision: -5 } }, { token: cm }), 'BAD_USER_INPUT');

    // The list.
    refused(await t.graphql(LIST, { first: 0 }, { token }), 'BAD_USER_INPUT', 'first must be from 1 to 100');
    refused(await t.graphql(LIST, { first: 101 }, { token }), 'BAD_USER_INPUT');
    refused(await t.graphql(LIST, { after: 'not a cursor' }, { token }), 'BAD_USER_INPUT', 'after is not a valid cursor');
    refused(await t.graphql(LIST, { status: ['RETIRED'] }, { token }), 'BAD_USER_INPUT');

    expect(await stored('m-gus')).toEqual(gus);
    expect(await stored('m-eve')).toEqual([]);
    expect(await stored('m-nobody')).toEqual([]);
    expect(await stored('m-gone')).toEqual([]);
  });
});
