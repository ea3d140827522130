import { randomUUID } from 'node:crypto';
import { Role } from '../../src/platform/auth/role.ts';
import type { PageInfo, PageRequest } from '../../src/platform/graphql/pagination.ts';
import { expectPagingBothWays } from '../support/paging.ts';
import { startTestService, type GraphQLResponse, type TestService } from '../support/test-service.ts';

// Issue 18, item 7 (no dead ends): FAILED and WITHDRAWN can be recorded, and programmes, enrolments, certifications,
// agreements and the caller's own groups can be listed. Each spec starts its own database, so totals are exact.

const ENROLMENT_FIELDS =
  'memberId programmeId status completedModules remainingRequiredModules completedAt endedAt revision programmeRevision';
const PAGE_INFO = 'pageInfo { hasNextPage hasPreviousPage startCursor endCursor } totalCount';

const DEFINE = `mutation($input: DefineTrainingProgrammeInput!) { defineTrainingProgramme(input: $input) { id } }`;
const ENROL = `mutation($input: EnrolInTrainingInput!) { enrolInTraining(input: $input) { ${ENROLMENT_FIELDS} } }`;
const COMPLETE = `mutation($input: CompleteTrainingModuleInput!) { completeTrainingModule(input: $input) { ${ENROLMENT_FIELDS} } }`;
const WITHDRAW = `mutation($input: EndTrainingEnrolmentInput!) { withdrawFromTraining(input: $input) { ${ENROLMENT_FIELDS} } }`;
const FAIL = `mutation($input: EndTrainingEnrolmentInput!) { recordTrainingFailed(input: $input) { ${ENROLMENT_FIELDS} } }`;
const PAGE_ARGS = '$first: Int, $after: String, $last: Int, $before: String';
const PAGE_VARS = 'first: $first, after: $after, last: $last, before: $before';
const PROGRAMMES = `query(${PAGE_ARGS}) { trainingProgrammes(${PAGE_VARS}) { edges { cursor node { id title } } ${PAGE_INFO} } }`;
const ENROLMENTS = `query($programmeId: ID, $memberId: ID, $status: [EnrolmentStatus!], ${PAGE_ARGS}) {
  trainingEnrolments(programmeId: $programmeId, memberId: $memberId, status: $status, ${PAGE_VARS}) {
    edges { cursor node { programmeId memberId status } } ${PAGE_INFO} } }`;
const CERTIFICATIONS = `query($status: [CertificationStatus!], $level: Int, ${PAGE_ARGS}) {
  certifications(status: $status, level: $level, ${PAGE_VARS}) {
    edges { cursor node { memberId status level nextLevel missingForNextLevel history { level status } } } ${PAGE_INFO} } }`;
const AGREEMENTS = `query(${PAGE_ARGS}) { agreements(${PAGE_VARS}) { edges { cursor node { id currentVersion { version } } } ${PAGE_INFO} } }`;
const ME = `query { me { id ownedGroups { id name owners } } }`;

interface EnrolmentAnswer {
  memberId: string;
  programmeId: string;
  status: string;
  completedModules: string[];
  remainingRequiredModules: string[];
  completedAt: string | null;
  endedAt: string | null;
  revision: number;
  programmeRevision: number;
}
interface ConnectionAnswer<Node> {
  edges: { cursor: string; node: Node }[];
  pageInfo: PageInfo;
  totalCount: number;
}

describe('training endings and the lists that had no way in, over HTTP', () => {
  let t: TestService;
  let cm: string;
  let auditor: string;

  const uid = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;

  function ok<T>(response: GraphQLResponse<T>): T {
    expect(response.errors).toBeUndefined();
    return response.data!;
  }

  function refused(response: GraphQLResponse, code: string, field?: string) {
    expect(response.errors?.[0]?.extensions?.code).toBe(code);
    if (field !== undefined) expect(response.errors?.[0]?.extensions?.['field']).toBe(field);
    expect(Object.values(response.data ?? {}).filter((value) => value !== null)).toEqual([]);
  }

  const gql = <T>(query: string, variables: Record<string, unknown>, token: string) => t.graphql<T>(query, variables, { token });
  const register = async (memberId: string) =>
    ok(
      await gql(
        `mutation($input: RegisterMemberInput!) { registerMember(input: $input) { id } }`,
        { input: { memberId, displayName: `Member ${memberId}`, department: 'Support' } },
        cm,
      ),
    );
  const defineProgramme = async (
    programmeId: string,
    modules = [{ id: 'intro', title: 'Introduction', required: true, selfPaced: true }],
  ) => ok(await gql(DEFINE, { input: { programmeId, title: `Programme ${programmeId}`, modules } }, cm));
  const enrol = (programmeId: string, memberId: string, token = cm) =>
    gql<{ enrolInTraining: EnrolmentAnswer }>(ENROL, { input: { programmeId, memberId } }, token);
  const complete = (programmeId: string, memberId: string, moduleId: string, token = cm) =>
    gql<{ completeTrainingModule: EnrolmentAnswer }>(COMPLETE, { input: { programmeId, memberId, moduleId } }, token);
  const withdraw = (input: Record<string, unknown>, token: string) =>
    gql<{ withdrawFromTraining: EnrolmentAnswer }>(WITHDRAW, { input }, token);
  const fail = (input: Record<string, unknown>, token: string) => gql<{ recordTrainingFailed: EnrolmentAnswer }>(FAIL, { input }, token);
  const enrolmentEvents = async (programmeId: string, memberId: string) =>
    (await t.storedEvents(`training_enrolment-${programmeId}-${memberId}`)).map((event) => event.type);

  /** A list as expectPagingBothWays walks it: forward with first/after, backward with last/before. */
  function pager<Node>(query: string, field: string, idOf: (node: Node) => string, token: string, variables: Record<string, unknown> = {}) {
    return async (request: PageRequest) => {
      const page =
        request.direction === 'forward' ? { first: request.size, after: request.cursor } : { last: request.size, before: request.cursor };
      const connection = ok(await gql<Record<string, ConnectionAnswer<Node>>>(query, { ...variables, ...page }, token))[field]!;
      // Every edge's cursor pages on from that edge: the page's ends are its first and last edges' cursors.
      expect(connection.pageInfo.startCursor).toBe(connection.edges[0]?.cursor ?? null);
      expect(connection.pageInfo.endCursor).toBe(connection.edges.at(-1)?.cursor ?? null);
      return { ids: connection.edges.map((edge) => idOf(edge.node)), pageInfo: connection.pageInfo, totalCount: connection.totalCount };
    };
  }

  beforeAll(async () => {
    t = await startTestService();
    cm = await t.token('cm-1', Role.COMMUNITY_MANAGER);
    auditor = await t.token('auditor-1', Role.AUDITOR);
  });
  afterAll(async () => {
    await t?.close();
  });

  describe('withdrawFromTraining and recordTrainingFailed', () => {
    const MODULES = [
      { id: 'intro', title: 'Introduction', required: true, selfPaced: true },
      { id: 'cases', title: 'Handling cases', required: true, selfPaced: false },
    ];

    test('a member withdraws, enrols again and starts over; a community manager records a failure; they enrol again', async () => {
      const programmeId = uid('prog');
      const ada = uid('ada');
      await register(ada);
      await defineProgramme(programmeId, MODULES);
      const adaToken = await t.token(ada, Role.MEMBER);
      ok(await enrol(programmeId, ada, adaToken));
      ok(await complete(programmeId, ada, 'intro', adaToken));

      const withdrawn = ok(await withdraw({ programmeId, memberId: ada, reason: 'Moving to another team', expectedRevision: 1 }, adaToken));
      expect(withdrawn.withdrawFromTraining).toMatchObject({
        status: 'WITHDRAWN',
        completedModules: ['intro'],
        completedAt: null,
        endedAt: expect.any(String),
        revision: 2,
      });
      // Sent again: already withdrawn, nothing appended.
      expect(ok(await withdraw({ programmeId, memberId: ada }, adaToken)).withdrawFromTraining.revision).toBe(2);
      // No module until they enrol again.
      refused(await complete(programmeId, ada, 'cases'), 'CONFLICT');

      const again = ok(await enrol(programmeId, ada, adaToken)).enrolInTraining;
      expect(again).toMatchObject({
        status: 'ENROLLED',
        completedModules: [],
        remainingRequiredModules: ['intro', 'cases'],
        endedAt: null,
        revision: 3,
      });

      const failed = ok(await fail({ programmeId, memberId: ada, reason: 'Did not pass the assessment' }, cm)).recordTrainingFailed;
      expect(failed).toMatchObject({ status: 'FAILED', endedAt: expect.any(String), revision: 4 });
      expect(ok(await enrol(programmeId, ada, adaToken)).enrolInTraining).toMatchObject({ status: 'ENROLLED', revision: 5 });

      expect(await enrolmentEvents(programmeId, ada)).toEqual([
        'MemberEnrolledInTraining',
        'TrainingModuleCompleted',
        'MemberWithdrewFromTraining',
        'MemberEnrolledInTraining',
        'TrainingEnrolmentFailed',
        'MemberEnrolledInTraining',
      ]);
      // The reasons are the member's personal data: encrypted in the events, not in the metadata.
      const stored = JSON.stringify(await t.storedEvents(`training_enrolment-${programmeId}-${ada}`));
      expect(stored).not.toContain('Moving to another team');
      expect(stored).not.toContain('Did not pass');
    });

    test('a community manager withdraws a member; a withdrawn programme is missing for certification', async () => {
      const programmeId = uid('prog');
      const bob = uid('bob');
      await register(bob);
      await defineProgramme(programmeId);
      ok(await enrol(programmeId, bob));
      expect(ok(await withdraw({ programmeId, memberId: bob }, cm)).withdrawFromTraining.status).toBe('WITHDRAWN');
      ok(
        await gql(
          `mutation($input: DefineCertificationLevelInput!) { defineCertificationLevel(input: $input) { level } }`,
          { input: { level: 1, name: 'Moderator', requiredProgrammes: [programmeId], validityMonths: 12 } },
          cm,
        ),
      );
      const certification = ok(
        await gql<{ certification: { missingForNextLevel: string[] } }>(
          `query($m: ID!) { certification(memberId: $m) { missingForNextLevel } }`,
          { m: bob },
          cm,
        ),
      );
      expect(certification.certification.missingForNextLevel).toEqual([programmeId]);
      refused(
        await gql(
          `mutation($input: AwardCertificationInput!) { awardCertification(input: $input) { status } }`,
          { input: { memberId: bob, level: 1 } },
          cm,
        ),
        'CONFLICT',
      );
    });

    test('refusals change nothing: unknown enrolment, someone else, a member failing, a completed one, a bad reason, a stale revision', async () => {
      const programmeId = uid('prog');
      const cy = uid('cy');
      const dee = uid('dee');
      await register(cy);
      await register(dee);
      await defineProgramme(programmeId);
      const cyToken = await t.token(cy, Role.MEMBER);
      ok(await enrol(programmeId, cy));

      refused(await withdraw({ programmeId, memberId: dee }, cm), 'NOT_FOUND', 'memberId');
      refused(await fail({ programmeId: uid('nothing'), memberId: cy }, cm), 'NOT_FOUND', 'memberId');
      // A member acts for nobody else, and records no failure, not even their own.
      refused(await withdraw({ programmeId, memberId: dee }, cyToken), 'FORBIDDEN');
      refused(await fail({ programmeId, memberId: dee }, cyToken), 'FORBIDDEN');
      refused(await fail({ programmeId, memberId: cy }, cyToken), 'FORBIDDEN');
      refused(await fail({ programmeId, memberId: cy }, auditor), 'FORBIDDEN');
      refused(await withdraw({ programmeId, memberId: cy }, auditor), 'FORBIDDEN');
      refused(await fail({ programmeId, memberId: cy, reason: 'x'.repeat(2001) }, cm), 'BAD_USER_INPUT', 'reason');
      refused(await withdraw({ programmeId, memberId: cy, reason: 'bad\u0000' }, cyToken), 'BAD_USER_INPUT', 'reason');
      refused(await withdraw({ programmeId, memberId: 'not an id' }, cm), 'BAD_USER_INPUT', 'memberId');
      refused(await fail({ programmeId, memberId: cy, expectedRevision: 7 }, cm), 'CONFLICT');
      expect(await enrolmentEvents(programmeId, cy)).toEqual(['MemberEnrolledInTraining']);

      ok(await complete(programmeId, cy, 'intro', cyToken));
      refused(await withdraw({ programmeId, memberId: cy }, cyToken), 'CONFLICT', 'memberId');
      refused(await fail({ programmeId, memberId: cy }, cm), 'CONFLICT', 'memberId');
      expect(await enrolmentEvents(programmeId, cy)).toEqual([
        'MemberEnrolledInTraining',
        'TrainingModuleCompleted',
        'TrainingEnrolmentCompleted',
      ]);
      expect(ok(await enrol(programmeId, cy, cyToken)).enrolInTraining).toMatchObject({ status: 'COMPLETED', revision: 2 });
    });
  });

  describe('lists', () => {
    // Registered by the first test below, which the others build on.
    const members = ['m-1', 'm-2', 'm-3', 'm-4'];
    const programmes = ['list-p-3', 'list-p-1', 'list-p-2'];

    test('trainingProgrammes and trainingEnrolments: filters, who sees what, both ways, with the total', async () => {
      for (const memberId of members) await register(memberId);
      for (const programmeId of programmes) await defineProgramme(programmeId);
      for (const [programmeId, memberId] of [
        ['list-p-2', 'm-1'],
        ['list-p-1', 'm-2'],
        ['list-p-1', 'm-1'],
        ['list-p-3', 'm-1'],
        ['list-p-2', 'm-3'],
      ] as const) {
        ok(await enrol(programmeId, memberId));
      }
      ok(await complete('list-p-1', 'm-1', 'intro'));
      ok(await fail({ programmeId: 'list-p-2', memberId: 'm-3' }, cm));
      ok(await withdraw({ programmeId: 'list-p-3', memberId: 'm-1' }, cm));

      // Every programme: this suite's and the earlier tests' (each database is the suite's own).
      const everyProgramme = ok(await gql<{ trainingProgrammes: ConnectionAnswer<{ id: string }> }>(PROGRAMMES, { first: 100 }, auditor));
      const programmeIds = everyProgramme.trainingProgrammes.edges.map((edge) => edge.node.id);
      expect(programmeIds.filter((id) => id.startsWith('list-'))).toEqual(['list-p-1', 'list-p-2', 'list-p-3']);
      expect(everyProgramme.trainingProgrammes.totalCount).toBe(programmeIds.length);
      const memberToken = await t.token('m-4', Role.MEMBER);
      await expectPagingBothWays(
        pager(PROGRAMMES, 'trainingProgrammes', (node: { id: string }) => node.id, memberToken),
        programmeIds,
        2,
      );

      const key = (node: { programmeId: string; memberId: string; status: string }) =>
        `${node.programmeId}/${node.memberId}/${node.status}`;
      const inLists = (variables: Record<string, unknown>, token: string) => pager(ENROLMENTS, 'trainingEnrolments', key, token, variables);
      const ofM1 = ['list-p-1/m-1/COMPLETED', 'list-p-2/m-1/ENROLLED', 'list-p-3/m-1/WITHDRAWN'];
      await expectPagingBothWays(inLists({ memberId: 'm-1' }, cm), ofM1, 2);
      await expectPagingBothWays(inLists({ programmeId: 'list-p-2' }, auditor), ['list-p-2/m-1/ENROLLED', 'list-p-2/m-3/FAILED'], 1);
      await expectPagingBothWays(
        inLists({ memberId: 'm-1', status: ['ENROLLED', 'WITHDRAWN'] }, auditor),
        ['list-p-2/m-1/ENROLLED', 'list-p-3/m-1/WITHDRAWN'],
        1,
      );
      // Everyone's (the earlier tests' too), by programme then member, the same both ways.
      const everyone = ok(
        await gql<{ trainingEnrolments: ConnectionAnswer<{ programmeId: string; memberId: string; status: string }> }>(
          ENROLMENTS,
          { first: 100 },
          cm,
        ),
      ).trainingEnrolments;
      const all = everyone.edges.map((edge) => key(edge.node));
      expect(everyone.totalCount).toBe(all.length);
      expect(all.filter((id) => id.startsWith('list-'))).toEqual([
        'list-p-1/m-1/COMPLETED',
        'list-p-1/m-2/ENROLLED',
        'list-p-2/m-1/ENROLLED',
        'list-p-2/m-3/FAILED',
        'list-p-3/m-1/WITHDRAWN',
      ]);
      await expectPagingBothWays(inLists({}, auditor), all, 3);
      const ended = ok(
        await gql<{ trainingEnrolments: ConnectionAnswer<{ status: string }> }>(
          ENROLMENTS,
          { status: ['FAILED', 'WITHDRAWN'], first: 100 },
          cm,
        ),
      );
      expect(ended.trainingEnrolments.edges.map((edge) => edge.node.status).sort()).toEqual(
        everyone.edges
          .map((edge) => edge.node.status)
          .filter((status) => status === 'FAILED' || status === 'WITHDRAWN')
          .sort(),
      );
      const totals = async (variables: Record<string, unknown>, token: string) =>
        ok(await gql<{ trainingEnrolments: ConnectionAnswer<unknown> }>(ENROLMENTS, { ...variables, first: 1 }, token)).trainingEnrolments
          .totalCount;
      expect(await totals({ memberId: 'm-1', status: ['COMPLETED'] }, cm)).toBe(1);
      expect(await totals({ programmeId: 'list-p-2', status: [] }, cm)).toBe(2);
      expect(await totals({ programmeId: 'list-p-1', memberId: 'm-2' }, cm)).toBe(1);
      expect(await totals({ programmeId: 'list-p-9' }, cm)).toBe(0);

      // A member: their own, asked for with their id or without one; someone else's is FORBIDDEN, whatever the filter.
      const m1 = await t.token('m-1', Role.MEMBER);
      await expectPagingBothWays(inLists({}, m1), ofM1, 2);
      await expectPagingBothWays(inLists({ memberId: 'm-1' }, m1), ofM1, 1);
      expect(await totals({ programmeId: 'list-p-2' }, m1)).toBe(1);
      refused(await gql(ENROLMENTS, { memberId: 'm-3' }, m1), 'FORBIDDEN');
      refused(await gql(ENROLMENTS, { memberId: 'not an id' }, m1), 'FORBIDDEN');
      refused(await gql(ENROLMENTS, { memberId: 'not an id' }, cm), 'BAD_USER_INPUT', 'memberId');
      refused(await gql(ENROLMENTS, { programmeId: 'not an id' }, cm), 'BAD_USER_INPUT', 'programmeId');
      refused(await gql(ENROLMENTS, { first: 101 }, cm), 'BAD_USER_INPUT', 'first');
      refused(await gql(ENROLMENTS, { before: 'bm90IGEgY3Vyc29y' }, cm), 'BAD_USER_INPUT', 'before');
      expect((await gql(ENROLMENTS, {}, '')).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    });

    test('certifications: community managers and auditors, by status as of now and level, both ways', async () => {
      const define = (level: number) =>
        gql(
          `mutation($input: DefineCertificationLevelInput!) { defineCertificationLevel(input: $input) { level } }`,
          { input: { level, name: `Level ${level}`, requiredProgrammes: [], validityMonths: 12 } },
          cm,
        );
      // Level 1 may exist already (an earlier test defined it with a programme): redefine it without one.
      ok(await define(1));
      ok(await define(2));
      const award = (memberId: string, level: number) =>
        gql(
          `mutation($input: AwardCertificationInput!) { awardCertification(input: $input) { status } }`,
          { input: { memberId, level } },
          cm,
        );
      for (const memberId of members) ok(await award(memberId, 1));
      ok(await award('m-2', 2));
      ok(
        await gql(
          `mutation($input: ChangeCertificationInput!) { suspendCertification(input: $input) { status } }`,
          { input: { memberId: 'm-3', reason: 'under review' } },
          cm,
        ),
      );

      const certifiedBy = (variables: Record<string, unknown>, token: string) =>
        pager(
          CERTIFICATIONS,
          'certifications',
          (node: { memberId: string; status: string; level: number }) => `${node.memberId}/${node.status}/${node.level}`,
          token,
          variables,
        );
      await expectPagingBothWays(certifiedBy({}, cm), ['m-1/CERTIFIED/1', 'm-2/CERTIFIED/2', 'm-3/SUSPENDED/1', 'm-4/CERTIFIED/1'], 3);
      await expectPagingBothWays(certifiedBy({ status: ['CERTIFIED'], level: 1 }, auditor), ['m-1/CERTIFIED/1', 'm-4/CERTIFIED/1'], 1);
      const only = async (variables: Record<string, unknown>) =>
        ok(
          await gql<{ certifications: ConnectionAnswer<{ memberId: string; nextLevel: number | null; history: unknown[] }> }>(
            CERTIFICATIONS,
            variables,
            cm,
          ),
        ).certifications;
      const suspended = await only({ status: ['SUSPENDED'] });
      expect(suspended.totalCount).toBe(1);
      expect(suspended.edges.map((edge) => edge.node.memberId)).toEqual(['m-3']);
      // The nodes are whole certifications: history and the next level too.
      const m2 = await only({ level: 2 });
      expect(m2.edges.map((edge) => edge.node)).toEqual([
        {
          memberId: 'm-2',
          status: 'CERTIFIED',
          level: 2,
          nextLevel: null,
          missingForNextLevel: [],
          history: [
            { level: 2, status: 'CERTIFIED' },
            { level: 1, status: 'CERTIFIED' },
          ],
        },
      ]);
      expect((await only({ status: ['NOT_CERTIFIED'] })).totalCount).toBe(0);
      expect((await only({ status: [] })).totalCount).toBe(4);

      refused(await gql(CERTIFICATIONS, {}, await t.token('m-1', Role.MEMBER)), 'FORBIDDEN');
      refused(await gql(CERTIFICATIONS, {}, await t.token('owner-1', Role.GROUP_OWNER)), 'FORBIDDEN');
      refused(await gql(CERTIFICATIONS, { level: 0 }, cm), 'BAD_USER_INPUT', 'level');
      refused(await gql(CERTIFICATIONS, { last: 0 }, cm), 'BAD_USER_INPUT', 'last');
    });

    test('agreements: every agreement by id, for any signed-in member, both ways', async () => {
      const ids = ['agr-c', 'agr-a', 'agr-d', 'agr-b'];
      for (const agreementId of ids) {
        ok(
          await gql(
            `mutation($input: PublishAgreementVersionInput!) { publishAgreementVersion(input: $input) { id } }`,
            { input: { agreementId, title: `Agreement ${agreementId}`, body: 'Be kind.', requiresReacceptance: false } },
            cm,
          ),
        );
      }
      const member = await t.token('m-1', Role.MEMBER);
      const agreements = pager(AGREEMENTS, 'agreements', (node: { id: string }) => node.id, member);
      await expectPagingBothWays(agreements, ['agr-a', 'agr-b', 'agr-c', 'agr-d'], 3);
      const all = ok(
        await gql<{ agreements: ConnectionAnswer<{ id: string; currentVersion: { version: number } }> }>(AGREEMENTS, {}, member),
      );
      expect(all.agreements.totalCount).toBe(4);
      expect(all.agreements.edges[0]!.node).toEqual({ id: 'agr-a', currentVersion: { version: 1 } });
      refused(
        await gql(AGREEMENTS, { after: all.agreements.edges[0]!.cursor, before: all.agreements.edges[1]!.cursor }, member),
        'BAD_USER_INPUT',
        'before',
      );
      expect((await gql(AGREEMENTS, {}, '')).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    });
  });

  test('me.ownedGroups: the groups the caller owns now, from governance state', async () => {
    const owner = uid('owner');
    await register(owner);
    const ownerToken = await t.token(owner, Role.GROUP_OWNER);
    expect(ok(await gql<{ me: unknown }>(ME, {}, ownerToken)).me).toEqual({ id: owner, ownedGroups: [] });

    const [g1, g2, g3] = ['g-b', 'g-a', 'g-c'].map((suffix) => `${owner}-${suffix}`);
    for (const groupId of [g1!, g2!, g3!]) {
      ok(
        await gql(
          `mutation($input: CreateGroupInput!) { createGroup(input: $input) { id } }`,
          { input: { groupId, name: `Group ${groupId}` } },
          cm,
        ),
      );
    }
    const assign = (groupId: string, remove = false) =>
      gql(
        `mutation($input: AssignGroupOwnerInput!) { ${remove ? 'removeGroupOwner' : 'assignGroupOwner'}(input: $input) { id } }`,
        { input: { groupId, memberId: owner } },
        cm,
      );
    ok(await assign(g1!));
    ok(await assign(g2!));
    expect(ok(await gql<{ me: unknown }>(ME, {}, ownerToken)).me).toEqual({
      id: owner,
      ownedGroups: [
        { id: g2, name: `Group ${g2}`, owners: [owner] },
        { id: g1, name: `Group ${g1}`, owners: [owner] },
      ],
    });
    ok(await assign(g2!, true));
    expect(ok(await gql<{ me: { ownedGroups: { id: string }[] } }>(ME, {}, ownerToken)).me.ownedGroups.map((group) => group.id)).toEqual([
      g1,
    ]);
    // A token's role is not ownership: the same member with a plain member token owns the same groups.
    const plain = await t.token(owner, Role.MEMBER);
    expect(ok(await gql<{ me: { ownedGroups: { id: string }[] } }>(ME, {}, plain)).me.ownedGroups.map((group) => group.id)).toEqual([g1]);
    expect(ok(await gql<{ me: { ownedGroups: unknown[] } }>(ME, {}, cm)).me.ownedGroups).toEqual([]);
  });
});
