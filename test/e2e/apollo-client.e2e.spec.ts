// The API as a normalising client sees it: Apollo Client 4 with a default InMemoryCache (no typePolicies), which
// keys every object by __typename + id. A mutation's answer must land on the object the cached queries already
// reference (same __typename and id), so each cached query shows the change without a refetch; objects that are
// distinct (two programmes' "intro" modules) must never share an id. The one exception to "no configuration" is the
// paging test: merging pages of a Relay connection needs relayStylePagination() on that field, and nothing else.
import { randomUUID } from 'node:crypto';
import { ApolloClient, HttpLink, InMemoryCache, gql, type TypedDocumentNode } from '@apollo/client';
import { relayStylePagination } from '@apollo/client/utilities';
import { Role } from '../../src/platform/auth/role.ts';
import { startTestService, type TestService } from '../support/test-service.ts';

// Fragments shared by each query and the mutations that answer the same type: the mutation's answer then holds every
// field the query reads, so the cache can answer the query again on its own.
const MEMBER = gql`
  fragment DayMember on Member {
    id
    displayName
    department
    status
    revision
  }
`;
const GROUP = gql`
  fragment DayGroup on Group {
    id
    name
    owners
    archived
    revision
  }
`;
const PROGRAMME = gql`
  fragment DayProgramme on TrainingProgramme {
    id
    title
    revision
    modules {
      id
      programmeId
      moduleId
      title
      required
    }
  }
`;
const ENROLMENT = gql`
  fragment DayEnrolment on TrainingEnrolment {
    id
    memberId
    programmeId
    status
    completedModules
    remainingRequiredModules
    revision
  }
`;
const CERTIFICATION = gql`
  fragment DayCertification on Certification {
    id
    memberId
    status
    level
    expiresAt
    revision
  }
`;
const CASE = gql`
  fragment DayCase on ModerationCase {
    id
    status
    assignedTo
    contentStatus
    decision {
      outcome
      reason
    }
    revision
  }
`;
const STANDING = gql`
  fragment DayStanding on MemberStanding {
    id
    memberId
    suspended
    notes {
      id
      text
      retracted
    }
  }
`;

interface Member {
  id: string;
  displayName: string;
  department: string;
  status: string;
  revision: number;
}
interface Group {
  id: string;
  name: string;
  owners: string[];
  archived: boolean;
  revision: number;
}
interface Programme {
  id: string;
  title: string;
  revision: number;
  modules: { id: string; programmeId: string; moduleId: string; title: string; required: boolean }[];
}
interface Enrolment {
  id: string;
  memberId: string;
  programmeId: string;
  status: string;
  completedModules: string[];
  remainingRequiredModules: string[];
  revision: number;
}
interface Certification {
  id: string;
  memberId: string;
  status: string;
  level: number | null;
  expiresAt: string | null;
  revision: number;
}
interface Case {
  id: string;
  status: string;
  assignedTo: string | null;
  contentStatus: string;
  decision: { outcome: string; reason: string } | null;
  revision: number;
}
interface Standing {
  id: string;
  memberId: string;
  suspended: boolean;
  notes: { id: string; text: string; retracted: boolean }[];
}
type Input = Record<string, unknown>;

const MEMBER_QUERY: TypedDocumentNode<{ member: Member | null }, { id: string }> = gql`
  query DayMember($id: ID!) {
    member(id: $id) {
      ...DayMember
    }
  }
  ${MEMBER}
`;
const GROUP_QUERY: TypedDocumentNode<{ group: Group | null }, { id: string }> = gql`
  query DayGroup($id: ID!) {
    group(id: $id) {
      ...DayGroup
    }
  }
  ${GROUP}
`;
const PROGRAMME_QUERY: TypedDocumentNode<{ trainingProgramme: Programme | null }, { id: string }> = gql`
  query DayProgramme($id: ID!) {
    trainingProgramme(id: $id) {
      ...DayProgramme
    }
  }
  ${PROGRAMME}
`;
const ENROLMENT_QUERY: TypedDocumentNode<{ trainingEnrolment: Enrolment | null }, { programmeId: string; memberId: string }> = gql`
  query DayEnrolment($programmeId: ID!, $memberId: ID!) {
    trainingEnrolment(programmeId: $programmeId, memberId: $memberId) {
      ...DayEnrolment
    }
  }
  ${ENROLMENT}
`;
const CERTIFICATION_QUERY: TypedDocumentNode<{ certification: Certification }, { memberId: string }> = gql`
  query DayCertification($memberId: ID!) {
    certification(memberId: $memberId) {
      ...DayCertification
    }
  }
  ${CERTIFICATION}
`;
const CASE_QUERY: TypedDocumentNode<{ moderationCase: Case | null }, { id: string }> = gql`
  query DayCase($id: ID!) {
    moderationCase(id: $id) {
      ...DayCase
    }
  }
  ${CASE}
`;
const STANDING_QUERY: TypedDocumentNode<{ memberStanding: Standing }, { memberId: string }> = gql`
  query DayStanding($memberId: ID!) {
    memberStanding(memberId: $memberId) {
      ...DayStanding
    }
  }
  ${STANDING}
`;

/** A mutation `name(input: $input)` answering the fragment's type. */
function mutation<T>(name: string, inputType: string, fragment: TypedDocumentNode | ReturnType<typeof gql>, fragmentName: string) {
  return gql`
    mutation ${name[0]!.toUpperCase() + name.slice(1)}($input: ${inputType}!) {
      ${name}(input: $input) {
        ...${fragmentName}
      }
    }
    ${fragment}
  ` as TypedDocumentNode<Record<string, T>, { input: Input }>;
}

const REGISTER_MEMBER = mutation<Member>('registerMember', 'RegisterMemberInput', MEMBER, 'DayMember');
const UPDATE_MEMBER = mutation<Member>('updateMember', 'UpdateMemberInput', MEMBER, 'DayMember');
const CREATE_GROUP = mutation<Group>('createGroup', 'CreateGroupInput', GROUP, 'DayGroup');
const ASSIGN_GROUP_OWNER = mutation<Group>('assignGroupOwner', 'AssignGroupOwnerInput', GROUP, 'DayGroup');
const DEFINE_PROGRAMME = mutation<Programme>('defineTrainingProgramme', 'DefineTrainingProgrammeInput', PROGRAMME, 'DayProgramme');
const ENROL = mutation<Enrolment>('enrolInTraining', 'EnrolInTrainingInput', ENROLMENT, 'DayEnrolment');
const COMPLETE_MODULE = mutation<Enrolment>('completeTrainingModule', 'CompleteTrainingModuleInput', ENROLMENT, 'DayEnrolment');
const AWARD = mutation<Certification>('awardCertification', 'AwardCertificationInput', CERTIFICATION, 'DayCertification');
const REPORT = mutation<Case>('reportContent', 'ReportContentInput', CASE, 'DayCase');
const CLAIM = mutation<Case>('claimModerationCase', 'ClaimModerationCaseInput', CASE, 'DayCase');
const DECIDE = mutation<Case>('decideModerationCase', 'DecideModerationCaseInput', CASE, 'DayCase');
const ADD_NOTE = mutation<Standing>('addModeratorNote', 'AddModeratorNoteInput', STANDING, 'DayStanding');
const DEFINE_LEVEL = gql`
  mutation DefineCertificationLevel($input: DefineCertificationLevelInput!) {
    defineCertificationLevel(input: $input) {
      id
      level
      name
      requiredProgrammes
      validityMonths
    }
  }
` as TypedDocumentNode<Record<string, unknown>, { input: Input }>;

interface MemberPage {
  members: {
    totalCount: number;
    pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
    edges: { cursor: string; node: { id: string; displayName: string } }[];
  };
}
const MEMBER_PAGE: TypedDocumentNode<MemberPage, { department: string; first?: number; after?: string; last?: number; before?: string }> =
  gql`
    query MemberPage($department: String, $first: Int, $after: String, $last: Int, $before: String) {
      members(department: $department, first: $first, after: $after, last: $last, before: $before) {
        totalCount
        pageInfo {
          hasNextPage
          hasPreviousPage
          startCursor
          endCursor
        }
        edges {
          cursor
          node {
            id
            displayName
          }
        }
      }
    }
  `;

describe('Apollo Client 4 with a default InMemoryCache', () => {
  let t: TestService;
  let cmToken: string;
  const uid = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;

  /**
   * A client as an admin UI would build it. `sent` lists the operation name of every request that reached the
   * service: a cache-first read that lists nothing was answered from the cache alone.
   */
  function apolloClient(cache: InMemoryCache = new InMemoryCache(), token = cmToken) {
    const sent: string[] = [];
    const client = new ApolloClient({
      cache,
      link: new HttpLink({
        uri: `${t.service.url}/graphql`,
        headers: { authorization: `Bearer ${token}` },
        fetch: async (input, init) => {
          sent.push((JSON.parse(String(init?.body)) as { operationName: string }).operationName);
          return fetch(input, init);
        },
      }),
    });
    return { client, sent };
  }

  beforeAll(async () => {
    t = await startTestService();
    cmToken = await t.token('cm-1', Role.COMMUNITY_MANAGER);
  });
  afterAll(async () => {
    await t?.close();
  });

  test("a community manager's day: every cached query shows each mutation's change with no refetch", async () => {
    const { client, sent } = apolloClient();
    const mutate = async <T>(document: TypedDocumentNode<Record<string, T>, { input: Input }>, input: Input) => {
      const { data } = await client.mutate({ mutation: document, variables: { input } });
      return Object.values(data!)[0]!;
    };
    /** The query as the cache alone answers it now: it must send nothing. */
    const fromCache = async <T, V extends Record<string, unknown>>(query: TypedDocumentNode<T, V>, variables: V): Promise<T> => {
      const before = sent.length;
      const { data } = await client.query({ query, variables, fetchPolicy: 'cache-first' });
      expect(sent.slice(before)).toEqual([]);
      return data as T;
    };
    /** The first read of a query: from the service, then kept in the cache. */
    const fromService = async <T, V extends Record<string, unknown>>(query: TypedDocumentNode<T, V>, variables: V): Promise<T> => {
      const before = sent.length;
      const { data } = await client.query({ query, variables, fetchPolicy: 'cache-first' });
      expect(sent.slice(before)).toHaveLength(1);
      return data as T;
    };

    // Members: a registration, then a correction of the name while the member's page is open.
    const owner = uid('owner');
    const learner = uid('learner');
    await mutate(REGISTER_MEMBER, { memberId: owner, displayName: 'Ada Owner', department: 'Support' });
    await mutate(REGISTER_MEMBER, { memberId: learner, displayName: 'Lin Learner', department: 'Support' });
    expect((await fromService(MEMBER_QUERY, { id: owner })).member).toMatchObject({ displayName: 'Ada Owner', status: 'ACTIVE' });
    await mutate(UPDATE_MEMBER, { memberId: owner, displayName: 'Ada Owner-Smith' });
    expect((await fromCache(MEMBER_QUERY, { id: owner })).member).toMatchObject({ displayName: 'Ada Owner-Smith', revision: 1 });

    // A group, then its owner.
    const groupId = uid('g');
    await mutate(CREATE_GROUP, { groupId, name: 'Cyclists' });
    expect((await fromService(GROUP_QUERY, { id: groupId })).group).toMatchObject({ name: 'Cyclists', owners: [] });
    await mutate(ASSIGN_GROUP_OWNER, { groupId, memberId: owner });
    expect((await fromCache(GROUP_QUERY, { id: groupId })).group).toMatchObject({ owners: [owner] });

    // A programme of two modules; the learner enrols and completes them one by one.
    const programmeId = uid('prog');
    await mutate(DEFINE_PROGRAMME, {
      programmeId,
      title: 'Moderation basics',
      modules: [
        { id: 'intro', title: 'Intro', required: true },
        { id: 'practice', title: 'Practice', required: true },
      ],
    });
    // Not yet cached as a root field: read once from the service (the mutation's answer is cached under its id).
    const programme = (await fromService(PROGRAMME_QUERY, { id: programmeId })).trainingProgramme!;
    expect(programme.modules.map((module) => [module.moduleId, module.programmeId])).toEqual([
      ['intro', programme.id],
      ['practice', programme.id],
    ]);

    await mutate(ENROL, { programmeId, memberId: learner });
    const enrolmentKey = { programmeId, memberId: learner };
    expect((await fromService(ENROLMENT_QUERY, enrolmentKey)).trainingEnrolment).toMatchObject({
      status: 'ENROLLED',
      completedModules: [],
    });
    await mutate(COMPLETE_MODULE, { programmeId, memberId: learner, moduleId: 'intro' });
    expect((await fromCache(ENROLMENT_QUERY, enrolmentKey)).trainingEnrolment).toMatchObject({
      status: 'IN_PROGRESS',
      completedModules: ['intro'],
      remainingRequiredModules: ['practice'],
    });
    await mutate(COMPLETE_MODULE, { programmeId, memberId: learner, moduleId: 'practice' });
    expect((await fromCache(ENROLMENT_QUERY, enrolmentKey)).trainingEnrolment).toMatchObject({
      status: 'COMPLETED',
      remainingRequiredModules: [],
    });

    // The certification the manager has open before the award: the award's answer must be that same object
    // (the bug of the issue: the two had different ids, and the open page kept showing NOT_CERTIFIED).
    expect((await fromService(CERTIFICATION_QUERY, { memberId: learner })).certification).toMatchObject({
      memberId: learner,
      status: 'NOT_CERTIFIED',
      level: null,
    });
    // Levels are global to the service's database: this test is the only one here that defines one.
    await mutate(DEFINE_LEVEL, { level: 1, name: 'Moderator', requiredProgrammes: [programmeId], validityMonths: 12 });
    const awarded = await mutate(AWARD, { memberId: learner, level: 1 });
    const certification = (await fromCache(CERTIFICATION_QUERY, { memberId: learner })).certification;
    expect(certification).toMatchObject({ memberId: learner, status: 'CERTIFIED', level: 1 });
    expect(certification).toEqual(awarded);

    // A report about the owner: the case page stays current through claim and decision.
    // The learner reports (a manager may not moderate a case they reported), from a client of their own.
    const { client: learnerClient } = apolloClient(new InMemoryCache(), await t.token(learner, Role.MEMBER));
    const reported = (
      await learnerClient.mutate({
        mutation: REPORT,
        variables: { input: { contentId: uid('post'), contentType: 'post', authorId: owner, groupId, reason: 'SPAM' } },
      })
    ).data!['reportContent']!;
    expect((await fromService(CASE_QUERY, { id: reported.id })).moderationCase).toMatchObject({ status: 'OPEN', assignedTo: null });
    await mutate(CLAIM, { caseId: reported.id });
    expect((await fromCache(CASE_QUERY, { id: reported.id })).moderationCase).toMatchObject({ status: 'IN_REVIEW', assignedTo: 'cm-1' });
    await mutate(DECIDE, { caseId: reported.id, outcome: 'HIDE_CONTENT', reason: 'advertising in the group' });
    expect((await fromCache(CASE_QUERY, { id: reported.id })).moderationCase).toMatchObject({
      status: 'DECIDED',
      contentStatus: 'HIDDEN',
      decision: { outcome: 'HIDE_CONTENT', reason: 'advertising in the group' },
    });

    // The owner's standing page, then a note on it.
    expect((await fromService(STANDING_QUERY, { memberId: owner })).memberStanding).toMatchObject({ notes: [] });
    await mutate(ADD_NOTE, { memberId: owner, text: 'Talked about promotion rules' });
    expect((await fromCache(STANDING_QUERY, { memberId: owner })).memberStanding.notes).toMatchObject([
      { text: 'Talked about promotion rules', retracted: false },
    ]);
  });

  test('two programmes with the same module ids keep their modules apart in the cache', async () => {
    const { client } = apolloClient();
    const define = async (programmeId: string, introTitle: string) =>
      (
        await client.mutate({
          mutation: DEFINE_PROGRAMME,
          variables: {
            input: {
              programmeId,
              title: `Programme ${introTitle}`,
              modules: [
                { id: 'intro', title: introTitle, required: true },
                { id: 'quiz', title: `${introTitle} quiz`, required: false },
              ],
            },
          },
        })
      ).data!['defineTrainingProgramme']!;
    const first = uid('prog');
    const second = uid('prog');
    await define(first, 'Welcome to moderation');
    await define(second, 'Welcome to ambassadors');

    // Each read goes to the service and is written into the same cache, the second after the first.
    const read = async (id: string, fetchPolicy: 'network-only' | 'cache-only') =>
      (await client.query({ query: PROGRAMME_QUERY, variables: { id }, fetchPolicy })).data!.trainingProgramme!;
    await read(first, 'network-only');
    await read(second, 'network-only');

    const titles = (programme: Programme) => programme.modules.map((module) => [module.moduleId, module.title]);
    expect(titles(await read(first, 'cache-only'))).toEqual([
      ['intro', 'Welcome to moderation'],
      ['quiz', 'Welcome to moderation quiz'],
    ]);
    expect(titles(await read(second, 'cache-only'))).toEqual([
      ['intro', 'Welcome to ambassadors'],
      ['quiz', 'Welcome to ambassadors quiz'],
    ]);
  });

  test('a member list read page by page merges with relayStylePagination, forward and backward', async () => {
    // Members of a department of their own, so that other tests' members stay out of the list.
    const department = uid('dept');
    const { client: registrar } = apolloClient();
    const names: string[] = [];
    for (let i = 0; i < 5; i++) {
      const memberId = uid(`m${i}`);
      names.push(`Member ${i}`);
      await registrar.mutate({ mutation: REGISTER_MEMBER, variables: { input: { memberId, displayName: `Member ${i}`, department } } });
    }
    const pagedCache = () =>
      // The only configuration a Relay connection needs: merge pages of `members` per department.
      new InMemoryCache({ typePolicies: { Query: { fields: { members: relayStylePagination(['department']) } } } });

    // The list's order is the service's: read it whole once to know it.
    const whole = await registrar.query({ query: MEMBER_PAGE, variables: { department, first: 20 } });
    const order = whole.data!.members.edges.map((edge) => edge.node.displayName);
    expect([...order].sort()).toEqual(names);

    async function watch(variables: { department: string; first?: number; last?: number }) {
      const { client, sent } = apolloClient(pagedCache());
      const query = client.watchQuery({ query: MEMBER_PAGE, variables });
      // A watched query runs once subscribed (Apollo Client 4): wait for its first complete answer.
      let subscription!: { unsubscribe(): void };
      await new Promise<void>((resolve, reject) => {
        subscription = query.subscribe({
          next: ({ dataState }) => {
            if (dataState === 'complete') resolve();
          },
          error: reject,
        });
      });
      // What the cache holds for the list now, through relayStylePagination's read (the watched query's next
      // emission shows the same, a tick later).
      const current = () => client.readQuery({ query: MEMBER_PAGE, variables })!.members;
      return { query, current, subscription, sent };
    }
    const displayed = (page: MemberPage['members']) => page.edges.map((edge) => edge.node.displayName);

    const forward = await watch({ department, first: 2 });
    expect(displayed(forward.current())).toEqual(order.slice(0, 2));
    for (const shown of [4, 5]) {
      await forward.query.fetchMore({ variables: { after: forward.current().pageInfo.endCursor! } });
      expect(displayed(forward.current())).toEqual(order.slice(0, shown));
    }
    expect(forward.current().pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: false });
    expect(forward.current().totalCount).toBe(5);
    expect(forward.sent).toEqual(['MemberPage', 'MemberPage', 'MemberPage']);
    forward.subscription.unsubscribe();

    const backward = await watch({ department, last: 2 });
    expect(displayed(backward.current())).toEqual(order.slice(3));
    expect(backward.current().pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
    for (const shown of [4, 5]) {
      await backward.query.fetchMore({ variables: { last: 2, before: backward.current().pageInfo.startCursor! } });
      expect(displayed(backward.current())).toEqual(order.slice(5 - shown));
    }
    expect(backward.current().pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: false });
    backward.subscription.unsubscribe();
  });
});
