import { createHash, randomUUID } from 'node:crypto';
import { createClient, type Client } from 'graphql-ws';
import { comparePositions, foldState, parsePosition, positionToString, streamCategory } from '#event-store';
import { eventually } from '#testing';
import { LOG_INDEX_PROJECTION } from '#projections';
import { Role } from '../../src/platform/auth/role.ts';
import { SERVICE_PARTS } from '../../src/bootstrap.ts';
import { EventTypeCatalog } from '../../src/modules/audit/event-type-catalog.ts';
import { GOVERNANCE_STREAMS } from '../../src/modules/index.ts';
import { moderationCaseDecider } from '../../src/modules/moderation/index.ts';
import { onPostgresOnly } from '../support/test-event-store.ts';
import { startTestService, type GraphQLResponse, type TestService } from '../support/test-service.ts';

const HISTORY = `query($filter: GovernanceHistoryFilter, $first: Int, $after: String, $order: HistoryOrder) {
  governanceHistory(filter: $filter, first: $first, after: $after, order: $order) {
    edges { cursor node { position streamId revision type data
      metadata { actorId actorRoles authority reason correlationId causationId commandId } recordedAt } }
    pageInfo { hasNextPage endCursor } } }`;
const STATE_AT = `query($streamId: String!, $at: DateTime, $revision: Int) {
  streamStateAt(streamId: $streamId, at: $at, revision: $revision) { streamId revision at state } }`;
const VERIFY = `query($streamId: String) { verifyHistory(streamId: $streamId) { verifiedEvents ok firstBrokenPosition } }`;
const PROJECTIONS = `query { projections { name checkpoint lag state } }`;
const REBUILD = `mutation($input: RebuildProjectionInput!) { rebuildProjection(input: $input) { name checkpoint lag state } }`;
const SUBSCRIPTION = `subscription($filter: GovernanceHistoryFilter, $after: String) {
  governanceEvents(filter: $filter, afterPosition: $after) { position streamId type } }`;

interface HistoryEvent {
  position: string;
  streamId: string;
  revision: number;
  type: string;
  data: Record<string, unknown>;
  metadata: { actorId: string | null; actorRoles: string[]; authority: string | null; reason: string | null; correlationId: string };
  recordedAt: string;
}
interface HistoryAnswer {
  governanceHistory: { edges: { cursor: string; node: HistoryEvent }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
}
interface StateAnswer {
  streamStateAt: { streamId: string; revision: number; at: string | null; state: Record<string, unknown> };
}

describe('audit over HTTP: history, time travel, integrity, export, read models', () => {
  let t: TestService;
  const run = randomUUID().slice(0, 8);
  const id = (prefix: string) => `${prefix}-${run}`;
  // Actors of this run only, so that filters on them are exact whatever else the database holds.
  const managerA = id('cm-a');
  const managerB = id('cm-b');
  const author = id('author');
  const owner = id('owner');
  const reporter = id('reporter');
  const groupId = id('g');
  const contentId = id('post');
  const tokens: Record<string, string> = {};
  const clients: Client[] = [];
  let caseId: string;

  const ok = <T>(response: GraphQLResponse<T>): T => {
    expect(response.errors).toBeUndefined();
    return response.data!;
  };
  const refused = <T>(response: GraphQLResponse<T>, code: string, message?: RegExp) => {
    expect(response.errors?.[0]?.extensions?.code).toBe(code);
    if (message) expect(response.errors?.[0]?.message).toMatch(message);
    expect(response.data ?? null).toBeNull();
  };
  /** A mutation with its own correlation id, which its events carry. */
  const act = async <T = Record<string, unknown>>(token: string, correlation: string, query: string, input: Record<string, unknown>) =>
    ok(await t.graphql<T>(query, { input }, { token, headers: { 'x-correlation-id': `${run}-${correlation}` } }));
  const history = async (token: string, variables: Record<string, unknown>) =>
    ok(await t.graphql<HistoryAnswer>(HISTORY, variables, { token })).governanceHistory;
  /** Every page of a history query, `first` at a time. */
  const allPages = async (token: string, filter: Record<string, unknown>, order: string, first = 2) => {
    const nodes: HistoryEvent[] = [];
    let after: string | null = null;
    for (;;) {
      const page = await history(token, { filter, order, first, after });
      nodes.push(...page.edges.map((e) => e.node));
      expect(page.edges.map((e) => e.cursor)).toEqual(page.edges.map((e) => e.node.position));
      if (!page.pageInfo.hasNextPage) return nodes;
      after = page.pageInfo.endCursor;
    }
  };
  const typesOf = (nodes: HistoryEvent[]) => nodes.map((n) => `${n.streamId}:${n.type}`);
  const stateAt = (token: string, variables: Record<string, unknown>) => t.graphql<StateAnswer>(STATE_AT, variables, { token });
  const exportLog = (query: string, token?: string) =>
    fetch(`${t.service.url}/audit/export${query}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });

  const REGISTER = `mutation($input: RegisterMemberInput!) { registerMember(input: $input) { id } }`;
  const UPDATE_MEMBER = `mutation($input: UpdateMemberInput!) { updateMember(input: $input) { id } }`;

  beforeAll(async () => {
    t = await startTestService();
    tokens.a = await t.token(managerA, Role.COMMUNITY_MANAGER);
    tokens.b = await t.token(managerB, Role.COMMUNITY_MANAGER);
    tokens.auditor = await t.token(id('auditor'), Role.AUDITOR);
    tokens.officer = await t.token(id('po'), Role.PRIVACY_OFFICER);
    tokens.member = await t.token(id('member'), Role.MEMBER);
    tokens.groupOwner = await t.token(owner, Role.GROUP_OWNER);
    tokens.author = await t.token(author, Role.MEMBER);
    tokens.reporter = await t.token(reporter, Role.MEMBER);

    // The story: members, a group and its owner, a report, a decision with a suspension, an appeal that overturns it.
    await act(tokens.a, 'register-author', REGISTER, { memberId: author, displayName: 'Ada Author', department: 'Sales' });
    await act(tokens.a, 'register-owner', REGISTER, { memberId: owner, displayName: 'Olu Owner', department: 'Ops' });
    await act(tokens.a, 'group', `mutation($input: CreateGroupInput!) { createGroup(input: $input) { id } }`, { groupId, name: 'Riders' });
    await act(tokens.a, 'owner', `mutation($input: AssignGroupOwnerInput!) { assignGroupOwner(input: $input) { id } }`, {
      groupId,
      memberId: owner,
    });
    const reported = await act<{ reportContent: { id: string } }>(
      tokens.reporter,
      'report',
      `mutation($input: ReportContentInput!) { reportContent(input: $input) { id } }`,
      { contentId, contentType: 'post', authorId: author, groupId, reason: 'HARASSMENT', note: 'called me names' },
    );
    caseId = reported.reportContent.id;
    await act(tokens.a, 'claim', `mutation($input: ClaimModerationCaseInput!) { claimModerationCase(input: $input) { id } }`, { caseId });
    await act(tokens.a, 'decide', `mutation($input: DecideModerationCaseInput!) { decideModerationCase(input: $input) { id } }`, {
      caseId,
      outcome: 'SUSPEND_MEMBER',
      reason: 'repeated harassment',
      suspendUntil: new Date(Date.now() + 7 * 86_400_000).toISOString(),
    });
    await act(tokens.author, 'appeal', `mutation($input: FileAppealInput!) { fileAppeal(input: $input) { id } }`, {
      caseId,
      statement: 'it was a joke between friends',
    });
    await act(tokens.b, 'appeal-decision', `mutation($input: DecideAppealInput!) { decideAppeal(input: $input) { id } }`, {
      caseId,
      outcome: 'OVERTURNED',
      reason: 'context shows banter',
    });
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.dispose()));
    await t?.close();
  });

  const CASE_EVENTS = [
    'ModerationCaseOpened',
    'ContentFlagged',
    'ModerationCaseClaimed',
    'ModerationCaseDecided',
    'AppealFiled',
    'AppealDecided',
    'SanctionLifted',
  ];

  describe('governanceHistory', () => {
    test('one stream, oldest and newest first, with who, on what authority, why and in which request', async () => {
      const stream = `moderation_case-${caseId}`;
      const oldest = await allPages(tokens.auditor!, { streamId: stream }, 'OLDEST_FIRST', 3);
      expect(oldest.map((n) => n.type)).toEqual(CASE_EVENTS);
      expect(oldest.map((n) => n.revision)).toEqual([0, 1, 2, 3, 4, 5, 6]);
      const newest = await allPages(tokens.auditor!, { streamId: stream }, 'NEWEST_FIRST', 3);
      expect(newest).toEqual([...oldest].reverse());
      // NEWEST_FIRST is the default order.
      expect((await history(tokens.auditor!, { filter: { streamId: stream }, first: 1 })).edges[0]?.node.type).toBe('SanctionLifted');

      expect(oldest[3]).toMatchObject({
        type: 'ModerationCaseDecided',
        data: { caseId, outcome: 'SUSPEND_MEMBER', reason: 'repeated harassment', decidedBy: managerA },
        metadata: {
          actorId: managerA,
          actorRoles: ['COMMUNITY_MANAGER'],
          authority: 'role:COMMUNITY_MANAGER',
          reason: 'repeated harassment',
          correlationId: `${run}-decide`,
        },
      });
      // Personal fields read decrypted for the auditor while the member's key exists.
      expect(oldest[1]?.data).toMatchObject({ reporterId: reporter, note: 'called me names' });
      expect(oldest[4]).toMatchObject({
        metadata: { actorId: author, correlationId: `${run}-appeal` },
        data: { statement: 'it was a joke between friends' },
      });
    });

    test('filtered by actor, correlation id, category and types, and time window', async () => {
      const byB = await allPages(tokens.auditor!, { actorId: managerB }, 'OLDEST_FIRST');
      expect(typesOf(byB)).toEqual([`moderation_case-${caseId}:AppealDecided`, `moderation_case-${caseId}:SanctionLifted`]);

      const byA = await allPages(tokens.a!, { actorId: managerA }, 'OLDEST_FIRST', 4);
      expect(typesOf(byA)).toEqual([
        `member-${author}:MemberRegistered`,
        `member-${owner}:MemberRegistered`,
        `group-${groupId}:GroupCreated`,
        `group-${groupId}:GroupOwnerAssigned`,
        `moderation_case-${caseId}:ModerationCaseClaimed`,
        `moderation_case-${caseId}:ModerationCaseDecided`,
      ]);
      expect(await allPages(tokens.a!, { actorId: managerA }, 'NEWEST_FIRST', 4)).toEqual([...byA].reverse());

      const registrations = await allPages(
        tokens.auditor!,
        { category: 'member', eventTypes: ['MemberRegistered'], actorId: managerA },
        'OLDEST_FIRST',
      );
      expect(typesOf(registrations)).toEqual([`member-${author}:MemberRegistered`, `member-${owner}:MemberRegistered`]);
      expect(
        await allPages(tokens.auditor!, { category: 'group', actorId: managerA, eventTypes: ['GroupOwnerAssigned'] }, 'NEWEST_FIRST'),
      ).toEqual([byA[3]]);

      const report = await allPages(tokens.auditor!, { correlationId: `${run}-report` }, 'OLDEST_FIRST');
      expect(typesOf(report)).toEqual([`moderation_case-${caseId}:ModerationCaseOpened`, `moderation_case-${caseId}:ContentFlagged`]);
      expect(report.map((n) => n.metadata.actorId)).toEqual([reporter, reporter]);

      // The time window is inclusive at both ends, on the recorded time the API shows.
      const stream = await allPages(tokens.auditor!, { streamId: `moderation_case-${caseId}` }, 'OLDEST_FIRST', 10);
      const window = { streamId: `moderation_case-${caseId}`, from: stream[2]!.recordedAt, to: stream[4]!.recordedAt };
      expect((await allPages(tokens.auditor!, window, 'OLDEST_FIRST')).map((n) => n.type)).toEqual([
        'ModerationCaseClaimed',
        'ModerationCaseDecided',
        'AppealFiled',
      ]);
      expect(
        await allPages(
          tokens.auditor!,
          { ...window, from: new Date(Date.parse(stream[6]!.recordedAt) + 1).toISOString(), to: null },
          'NEWEST_FIRST',
        ),
      ).toEqual([]);
    });

    test('paging while events are recorded between pages neither skips nor repeats, in both orders', async () => {
      const filter = { category: 'member', actorId: managerA };
      const before = await allPages(tokens.auditor!, filter, 'OLDEST_FIRST', 100);
      expect(before).toHaveLength(2);
      const newest: HistoryEvent[] = [];
      const oldest: HistoryEvent[] = [];
      let newestCursor: string | null = null;
      let oldestCursor: string | null = null;
      for (let round = 0; round < 4; round++) {
        const n = await history(tokens.auditor!, { filter, order: 'NEWEST_FIRST', first: 1, after: newestCursor });
        newest.push(...n.edges.map((e) => e.node));
        newestCursor = n.pageInfo.endCursor ?? newestCursor;
        const o = await history(tokens.auditor!, { filter, order: 'OLDEST_FIRST', first: 1, after: oldestCursor });
        oldest.push(...o.edges.map((e) => e.node));
        oldestCursor = o.pageInfo.endCursor ?? oldestCursor;
        if (round < 2) await act(tokens.a!, `update-${round}`, UPDATE_MEMBER, { memberId: owner, department: `Dept ${round}` });
      }
      const after = await allPages(tokens.auditor!, filter, 'OLDEST_FIRST', 100);
      expect(after.map((n) => n.type)).toEqual(['MemberRegistered', 'MemberRegistered', 'MemberUpdated', 'MemberUpdated']);
      // Oldest first reaches what was recorded meanwhile, once each; newest first walks back from where it began.
      expect(oldest).toEqual(after);
      expect(newest).toEqual([...before].reverse());
    });

    test('bad filters and cursors are BAD_USER_INPUT, with the same checks as the live feed', async () => {
      refused(await t.graphql(HISTORY, { after: 'page-2' }, { token: tokens.auditor }), 'BAD_USER_INPUT', /after is not a position/);
      refused(await t.graphql(HISTORY, { first: 101 }, { token: tokens.auditor }), 'BAD_USER_INPUT', /first must be from 1 to 100/);
      const inverted = { from: '2025-02-01T00:00:00Z', to: '2025-01-01T00:00:00Z' };
      refused(
        await t.graphql(HISTORY, { filter: inverted }, { token: tokens.auditor }),
        'BAD_USER_INPUT',
        /filter.from must not be after filter.to/,
      );
      refused(
        await t.graphql(HISTORY, { filter: { streamId: `member-${author}`, category: 'group' } }, { token: tokens.auditor }),
        'BAD_USER_INPUT',
        /is not in category group/,
      );
      refused(await t.graphql(HISTORY, { filter: { eventTypes: [] } }, { token: tokens.auditor }), 'BAD_USER_INPUT', /filter.eventTypes/);
      refused(
        await t.graphql(HISTORY, { filter: { category: 'member-x' } }, { token: tokens.auditor }),
        'BAD_USER_INPUT',
        /filter.category/,
      );
      const feed = subscribe(tokens.auditor!, { filter: inverted });
      await eventually(() => expect(feed.errors.length).toBeGreaterThan(0));
      expect(JSON.stringify(feed.errors)).toMatch(/filter.from must not be after filter.to/);
    });

    test('the live feed with the same filter delivers exactly what the history lists', async () => {
      const filter = { category: 'moderation_case', actorId: managerA };
      const listed = await allPages(tokens.auditor!, filter, 'OLDEST_FIRST');
      const feed = subscribe(tokens.auditor!, { filter, after: '0:0' });
      await eventually(() => expect(feed.events).toHaveLength(listed.length));
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(feed.events).toEqual(listed.map((n) => ({ position: n.position, streamId: n.streamId, type: n.type })));
    });
  });

  describe('one event, the same everywhere: history, live feed and export (#18.6)', () => {
    const FULL_EVENT = `id position streamId revision type schemaVersion hash recordedAt
      metadata { actorId actorRoles authority reason correlationId causationId commandId source occurredAt }`;
    const FULL_HISTORY = `query($filter: GovernanceHistoryFilter, $first: Int, $after: String, $last: Int, $before: String, $order: HistoryOrder) {
      governanceHistory(filter: $filter, first: $first, after: $after, last: $last, before: $before, order: $order) {
        edges { cursor node { ${FULL_EVENT} } }
        pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`;
    const FULL_SUBSCRIPTION = `subscription($filter: GovernanceHistoryFilter, $after: String) {
      governanceEvents(filter: $filter, afterPosition: $after) { ${FULL_EVENT} } }`;
    const EVENT_TYPES = `query { governanceEventTypes { category type schemaVersion } }`;
    type FullEvent = Record<string, unknown> & { position: string; metadata: Record<string, unknown> };
    interface FullPage {
      governanceHistory: {
        edges: { cursor: string; node: FullEvent }[];
        pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
      };
    }
    const page = async (variables: Record<string, unknown>) =>
      ok(await t.graphql<FullPage>(FULL_HISTORY, variables, { token: tokens.auditor })).governanceHistory;

    test('governanceHistory, governanceEvents and the NDJSON line show the same id, hash, schemaVersion, source and occurredAt', async () => {
      const streamId = `moderation_case-${caseId}`;
      const listed = (await page({ filter: { streamId }, order: 'OLDEST_FIRST', first: 20 })).edges.map((edge) => edge.node);
      expect(listed.map((node) => node.type)).toEqual(CASE_EVENTS);

      const exported = (await (await exportLog('?category=moderation_case', tokens.auditor)).text())
        .split('\n')
        .filter((line) => line.includes(`"streamId":"${streamId}"`))
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      // The line's own fields, as the GraphQL event has them (the line adds the stored bytes and previous hash).
      expect(listed).toEqual(
        exported.map((line) => ({
          id: line.id,
          position: line.position,
          streamId: line.streamId,
          revision: line.revision,
          type: line.type,
          schemaVersion: line.schemaVersion,
          hash: line.hash,
          recordedAt: line.recordedAt,
          metadata: line.metadata,
        })),
      );
      for (const node of listed) {
        expect(node.id).toMatch(/^[0-9a-f-]{36}$/);
        expect(node.hash).toMatch(/^[0-9a-f]{64}$/);
        expect(node.schemaVersion).toBe(1);
        expect(node.metadata).toMatchObject({ source: 'api', occurredAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T.*Z$/) });
      }

      const feed = subscribe(tokens.auditor!, { filter: { streamId }, after: '0:0' }, FULL_SUBSCRIPTION);
      await eventually(() => expect(feed.events).toHaveLength(listed.length));
      expect(feed.errors).toEqual([]);
      expect(feed.events).toEqual(listed);
    });

    test('governanceEventTypes lists every stored type with its category and version; every event of the log is of one', async () => {
      const listed = ok(
        await t.graphql<{ governanceEventTypes: { category: string; type: string; schemaVersion: number }[] }>(
          EVENT_TYPES,
          {},
          { token: tokens.auditor },
        ),
      ).governanceEventTypes;
      expect(listed).toEqual(new EventTypeCatalog(GOVERNANCE_STREAMS).entries);
      expect(listed).toContainEqual({ category: 'moderation_case', type: 'ModerationCaseDecided', schemaVersion: 1 });
      // Each event the story recorded (and the service's own: seals, the export records) is listed, in its own category.
      const text = await (await exportLog('', tokens.auditor)).text();
      const lines = text
        .slice(0, -1)
        .split('\n')
        .slice(0, -1)
        .map((line) => JSON.parse(line) as { streamId: string; type: string });
      const categoryOf = new Map(listed.map((entry) => [entry.type, entry.category]));
      const unlisted = lines.filter((line) => categoryOf.get(line.type) !== streamCategory(line.streamId));
      expect(unlisted).toEqual([]);

      // Whoever may read some history: auditors, community managers, privacy officers.
      for (const role of ['a', 'officer'])
        expect(ok(await t.graphql(EVENT_TYPES, {}, { token: tokens[role] }))).toEqual({ governanceEventTypes: listed });
      for (const role of ['member', 'groupOwner']) {
        refused(
          await t.graphql(EVENT_TYPES, {}, { token: tokens[role] }),
          'FORBIDDEN',
          /listing the governance event types needs the role/,
        );
      }
      refused(await t.graphql(EVENT_TYPES, {}), 'UNAUTHENTICATED');
    });

    test('an event type the log does not store is BAD_USER_INPUT naming governanceEventTypes, in the history and the feed', async () => {
      const filter = { eventTypes: ['ModerationCaseDecided', 'ModerationCaseDecied'] };
      const answer = await t.graphql(FULL_HISTORY, { filter }, { token: tokens.auditor });
      refused(answer, 'BAD_USER_INPUT', /"ModerationCaseDecied" is not an event type of the log; governanceEventTypes lists them/);
      expect(answer.errors?.[0]?.extensions?.field).toBe('filter.eventTypes');
      const feed = subscribe(tokens.auditor!, { filter }, FULL_SUBSCRIPTION);
      await eventually(() => expect(feed.errors.length).toBeGreaterThan(0));
      expect(JSON.stringify(feed.errors)).toMatch(/governanceEventTypes lists them/);
    });

    test('paging backward with last/before over a filter: the same events as forward, walking back to the start', async () => {
      const filter = { actorId: managerA, eventTypes: ['MemberRegistered', 'GroupCreated', 'GroupOwnerAssigned', 'ModerationCaseDecided'] };
      for (const order of ['NEWEST_FIRST', 'OLDEST_FIRST']) {
        const all = (await page({ filter, order, first: 100 })).edges.map((edge) => edge.node.position);
        expect(all.length).toBeGreaterThanOrEqual(3);

        const forward: string[] = [];
        for (let after: string | null = null; ;) {
          const p = await page({ filter, order, first: 2, after });
          expect(p.pageInfo.hasPreviousPage).toBe(after !== null);
          forward.push(...p.edges.map((edge) => edge.cursor));
          if (!p.pageInfo.hasNextPage) break;
          after = p.pageInfo.endCursor;
        }
        const backward: string[][] = [];
        for (let before: string | null = null; ;) {
          const p = await page({ filter, order, last: 2, before });
          expect(p.pageInfo.hasNextPage).toBe(before !== null);
          expect(p.pageInfo.startCursor).toBe(p.edges[0]!.cursor);
          expect(p.pageInfo.endCursor).toBe(p.edges.at(-1)!.cursor);
          backward.unshift(p.edges.map((edge) => edge.cursor));
          if (!p.pageInfo.hasPreviousPage) break;
          before = p.pageInfo.startCursor;
        }
        expect(forward).toEqual(all);
        expect(backward.flat()).toEqual(all);
        // last alone is the end of the list; the start of the walk back is the list's first events.
        expect(backward.at(-1)).toEqual(all.slice(-2));
        expect(backward[0]).toEqual(all.slice(0, backward[0]!.length));
      }
    });

    test('bad paging arguments are BAD_USER_INPUT on the argument', async () => {
      const expectRefused = async (variables: Record<string, unknown>, field: string, message: RegExp) => {
        const answer = await t.graphql(FULL_HISTORY, variables, { token: tokens.auditor });
        refused(answer, 'BAD_USER_INPUT', message);
        expect(answer.errors?.[0]?.extensions?.field).toBe(field);
      };
      await expectRefused({ last: 0 }, 'last', /last must be from 1 to 100/);
      await expectRefused({ last: 101 }, 'last', /last must be from 1 to 100/);
      await expectRefused({ before: 'page-1' }, 'before', /before is not a position of the log/);
      // Digits, but past what a log position can hold (PostgreSQL would refuse the number: an internal error).
      await expectRefused({ before: '99999999999999999999:1' }, 'before', /before is not a position of the log/);
      await expectRefused({ after: '1:99999999999999999999' }, 'after', /after is not a position of the log/);
      await expectRefused({ after: '1:1', before: '2:2' }, 'before', /after and before cannot be given together/);
    });
  });

  describe('streamStateAt', () => {
    test('a certification award, then its suspension: the state at each revision, and the history of the award', async () => {
      const programmeId = id('prog');
      const manager = tokens.a!;
      await act(manager, 'award-1', `mutation($input: RegisterMemberInput!) { registerMember(input: $input) { id } }`, {
        memberId: `${owner}-cert`,
        displayName: 'Certified owner',
        department: 'Ops',
      });
      const member = `${owner}-cert`;
      await act(manager, 'award-2', `mutation($input: DefineTrainingProgrammeInput!) { defineTrainingProgramme(input: $input) { id } }`, {
        programmeId,
        title: 'Owner basics',
        modules: [{ id: 'intro', title: 'Introduction', required: true }],
      });
      await act(manager, 'award-3', `mutation($input: EnrolInTrainingInput!) { enrolInTraining(input: $input) { status } }`, {
        programmeId,
        memberId: member,
      });
      await act(manager, 'award-4', `mutation($input: CompleteTrainingModuleInput!) { completeTrainingModule(input: $input) { status } }`, {
        programmeId,
        memberId: member,
        moduleId: 'intro',
      });
      await act(
        manager,
        'award-5',
        `mutation($input: DefineCertificationLevelInput!) { defineCertificationLevel(input: $input) { level } }`,
        {
          level: 1,
          name: 'Certified owner',
          requiredProgrammes: [programmeId],
          validityMonths: 12,
        },
      );
      await act(manager, 'award-6', `mutation($input: AwardCertificationInput!) { awardCertification(input: $input) { status } }`, {
        memberId: member,
        level: 1,
      });
      await act(manager, 'award-7', `mutation($input: ChangeCertificationInput!) { suspendCertification(input: $input) { status } }`, {
        memberId: member,
        reason: 'under review',
      });

      const streamId = `certification-${member}`;
      const awarded = ok(await stateAt(tokens.auditor!, { streamId, revision: 0 })).streamStateAt;
      expect(awarded).toMatchObject({ streamId, revision: 0, state: { status: 'CERTIFIED', current: { level: 1, status: 'CERTIFIED' } } });
      const suspended = ok(await stateAt(tokens.auditor!, { streamId, revision: 1 })).streamStateAt;
      expect(suspended).toMatchObject({ revision: 1, state: { status: 'SUSPENDED' } });
      expect(typesOf(await allPages(tokens.auditor!, { streamId }, 'OLDEST_FIRST'))).toEqual([
        `${streamId}:CertificationAwarded`,
        `${streamId}:CertificationSuspended`,
      ]);
      expect(
        ok(await t.graphql<{ verifyHistory: { ok: boolean } }>(VERIFY, { streamId }, { token: tokens.auditor! })).verifyHistory.ok,
      ).toBe(true);
    });

    test("before and after each step, folded with the module's own decider, by revision and by moment", async () => {
      const streamId = `moderation_case-${caseId}`;
      const stored = await t.service.eventSourcing.events.readStream(streamId);
      const statuses: string[] = [];
      for (const event of stored) {
        const answer = ok(await stateAt(tokens.auditor!, { streamId, revision: event.revision })).streamStateAt;
        // Exactly what the command side folds from the same events.
        const expected = foldState(moderationCaseDecider, stored.slice(0, event.revision + 1));
        expect(answer).toEqual({
          streamId,
          revision: event.revision,
          at: event.recordedAt.toISOString(),
          state: JSON.parse(JSON.stringify(expected)),
        });
        statuses.push(answer.state.status as string);
        // By the moment it was recorded: the same state (the last event recorded at that millisecond).
        const byTime = ok(await stateAt(tokens.a!, { streamId, at: event.recordedAt.toISOString() })).streamStateAt;
        const lastAtThatMoment = stored.filter((e) => e.recordedAt.getTime() <= event.recordedAt.getTime()).at(-1)!;
        expect(byTime.revision).toBe(lastAtThatMoment.revision);
      }
      expect(statuses).toEqual(['OPEN', 'OPEN', 'IN_REVIEW', 'DECIDED', 'APPEALED', 'CLOSED', 'CLOSED']);
      const decided = ok(await stateAt(tokens.auditor!, { streamId, revision: 3 })).streamStateAt.state;
      expect(decided).toMatchObject({
        assignee: managerA,
        decision: { outcome: 'SUSPEND_MEMBER', decidedBy: managerA },
        sanction: { state: 'active' },
      });
      const now = ok(await stateAt(tokens.auditor!, { streamId })).streamStateAt;
      expect(now).toMatchObject({
        revision: 6,
        state: { status: 'CLOSED', sanction: { state: 'lifted' }, appeal: { outcome: 'OVERTURNED' } },
      });

      // Before the stream's first event: the decider's initial state, revision -1.
      const before = new Date(stored[0]!.recordedAt.getTime() - 1).toISOString();
      expect(ok(await stateAt(tokens.auditor!, { streamId, at: before })).streamStateAt).toEqual({
        streamId,
        revision: -1,
        at: null,
        state: { status: 'absent' },
      });
      const group = ok(await stateAt(tokens.auditor!, { streamId: `group-${groupId}`, revision: 0 })).streamStateAt;
      expect(group.state).toEqual({ status: 'active', groupId, name: 'Riders', owners: [] });
    });

    test('NOT_FOUND for a stream with no event; BAD_USER_INPUT for at with revision, an unknown category, a revision past the end', async () => {
      refused(await stateAt(tokens.auditor!, { streamId: `member-${id('nobody')}` }), 'NOT_FOUND', /does not exist/);
      refused(
        await stateAt(tokens.auditor!, { streamId: `member-${author}`, revision: 0, at: new Date().toISOString() }),
        'BAD_USER_INPUT',
        /either at or revision, not both/,
      );
      refused(await stateAt(tokens.auditor!, { streamId: `widget-${run}` }), 'BAD_USER_INPUT', /category .* is none of/);
      refused(
        await stateAt(tokens.auditor!, { streamId: `member-${author}`, revision: 9 }),
        'BAD_USER_INPUT',
        /revision must be from 0 to 0/,
      );
      refused(await stateAt(tokens.auditor!, { streamId: `member-${author}`, revision: -1 }), 'BAD_USER_INPUT', /revision must be/);
    });
  });

  describe('verifyHistory', () => {
    test('a stored event altered in PostgreSQL is reported at its position; restored, the chain verifies again', async () => {
      const streamId = `moderation_case-${caseId}`;
      expect(ok(await t.graphql(VERIFY, { streamId }, { token: tokens.auditor }))).toEqual({
        verifyHistory: { verifiedEvents: 7, ok: true, firstBrokenPosition: null },
      });
      const whole = ok(await t.graphql<{ verifyHistory: { ok: boolean; verifiedEvents: number } }>(VERIFY, {}, { token: tokens.auditor }));
      expect(whole.verifyHistory).toEqual({ ok: true, verifiedEvents: await t.eventCount(), firstBrokenPosition: null });
      refused(await t.graphql(VERIFY, { streamId: `member-${id('nobody')}` }, { token: tokens.auditor }), 'NOT_FOUND');
      if (!onPostgresOnly('verifyHistory finding an event altered in the store', 'EventStoreDB has no way to change a written event')) {
        return;
      }

      const pool = t.service.eventSourcing.pool;
      const { rows } = await pool.query<{ data: string; position: string }>(
        `SELECT data::text AS data, transaction_id::text || ':' || global_position::text AS position
           FROM es_events WHERE stream_id = $1 AND stream_revision = 3`,
        [streamId],
      );
      const original = rows[0]!;
      // Someone with database access softens the decision after the fact.
      await pool.query(`UPDATE es_events SET data = $2::json WHERE stream_id = $1 AND stream_revision = 3`, [
        streamId,
        original.data.replace('SUSPEND_MEMBER', 'WARN'),
      ]);
      try {
        expect(ok(await t.graphql(VERIFY, { streamId }, { token: tokens.a }))).toEqual({
          verifyHistory: { verifiedEvents: 3, ok: false, firstBrokenPosition: original.position },
        });
        const all = ok(
          await t.graphql<{ verifyHistory: { ok: boolean; firstBrokenPosition: string } }>(VERIFY, {}, { token: tokens.auditor }),
        );
        expect(all.verifyHistory).toMatchObject({ ok: false, firstBrokenPosition: original.position });
      } finally {
        await pool.query(`UPDATE es_events SET data = $2::json WHERE stream_id = $1 AND stream_revision = 3`, [streamId, original.data]);
      }
      expect(ok(await t.graphql(VERIFY, { streamId }, { token: tokens.auditor }))).toEqual({
        verifyHistory: { verifiedEvents: 7, ok: true, firstBrokenPosition: null },
      });
    });
  });

  describe('GET /audit/export', () => {
    const parse = async (response: Response) => {
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('application/x-ndjson; charset=utf-8');
      const text = await response.text();
      expect(text.endsWith('\n')).toBe(true);
      const lines = text.slice(0, -1).split('\n');
      const summary = JSON.parse(lines.at(-1)!) as { count: number; sha256: string; through: string };
      const body = text.slice(0, text.length - lines.at(-1)!.length - 1);
      return { events: lines.slice(0, -1).map((l) => JSON.parse(l) as Record<string, unknown>), summary, body };
    };

    test('every event once, oldest first, with metadata and hash; the last line counts them and digests their bytes', async () => {
      const { events, summary, body } = await parse(await exportLog('', tokens.auditor));
      expect(events).toHaveLength(await t.eventCount());
      expect(summary.count).toBe(events.length);
      expect(summary.sha256).toBe(createHash('sha256').update(body, 'utf8').digest('hex'));
      expect(summary.through).toBe(events.at(-1)!.position);
      expect(new Set(events.map((e) => e.position)).size).toBe(events.length);

      const decided = events.find((e) => e.streamId === `moderation_case-${caseId}` && e.revision === 3)!;
      const [stored] = await t.service.eventSourcing.events.readStream(`moderation_case-${caseId}`, { fromRevision: 3, maxCount: 1 });
      expect(decided).toEqual({
        position: positionToString(stored!.position),
        id: stored!.id,
        streamId: `moderation_case-${caseId}`,
        revision: 3,
        type: 'ModerationCaseDecided',
        schemaVersion: stored!.schemaVersion,
        data: JSON.parse(JSON.stringify(stored!.data)),
        metadata: {
          actorId: managerA,
          actorRoles: ['COMMUNITY_MANAGER'],
          authority: 'role:COMMUNITY_MANAGER',
          reason: 'repeated harassment',
          source: 'api',
          correlationId: `${run}-decide`,
          causationId: null,
          commandId: null,
          occurredAt: stored!.metadata.occurredAt,
        },
        hash: stored!.hash,
        recordedAt: stored!.recordedAt.toISOString(),
        // What the offline check (npm run verify-export) recomputes the hash from.
        previousHash: expect.stringMatching(/^[0-9a-f]{64}$/),
        stored: { data: expect.any(String), metadata: expect.any(String) },
      });
      expect(decided.hash).toMatch(/^[0-9a-f]{64}$/);
    });

    test('filtered by category and time window: the same events as the history', async () => {
      const stream = await allPages(tokens.auditor!, { streamId: `moderation_case-${caseId}` }, 'OLDEST_FIRST', 10);
      // Events of one append share their recorded time: the claim, the decision and the appeal each came alone.
      const from = stream[2]!.recordedAt;
      const to = stream[4]!.recordedAt;
      const listed = await allPages(tokens.auditor!, { category: 'moderation_case', from, to }, 'OLDEST_FIRST', 100);
      const { events, summary, body } = await parse(
        await exportLog(`?category=moderation_case&from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`, tokens.a),
      );
      expect(events.map((e) => e.position)).toEqual(listed.map((n) => n.position));
      expect(events.map((e) => e.type)).toEqual(CASE_EVENTS.slice(2, 5));
      expect(summary).toEqual({ count: 3, sha256: createHash('sha256').update(body, 'utf8').digest('hex'), through: summary.through });
      // `through` is the log's head when the export started, not its last line: here past it (later events, the
      // export's own record), and not past the head now.
      const through = parsePosition(summary.through);
      expect(comparePositions(through, parsePosition(events.at(-1)!.position as string))).toBeGreaterThan(0);
      const [record] = (await allPages(tokens.auditor!, { streamId: 'operator-log_exports' }, 'NEWEST_FIRST', 1)).slice(0, 1);
      expect(comparePositions(through, parsePosition(record!.position))).toBeGreaterThanOrEqual(0);
      expect(comparePositions(through, await t.service.eventSourcing.store.headPosition())).toBeLessThanOrEqual(0);
    });

    test('a log of several pages, read slowly, with events recorded meanwhile: one consistent cut, counted and digested', async () => {
      const bulk = `group-bulk-${run}`;
      const metadata = {
        actorId: managerA,
        actorRoles: ['COMMUNITY_MANAGER'],
        authority: 'role:COMMUNITY_MANAGER',
        reason: null,
        source: 'api',
        correlationId: `${run}-bulk`,
        causationId: null,
        commandId: null,
        occurredAt: new Date().toISOString(),
      };
      const toggles = (n: number, from: number) =>
        Array.from({ length: n }, (_, i) => ({
          type: 'GroupCertificationRequirementSet',
          data: { groupId: `bulk-${run}`, required: (from + i) % 2 === 0 },
        }));
      const bulkAppend = await t.service.eventSourcing.events.append(bulk, toggles(1200, 0), { expectedRevision: 'no_stream', metadata });
      // The export covers the log up to its readable head, which waits for every older transaction of the PostgreSQL
      // server (other tests' included): counted once the bulk is readable, else the count below includes what it cannot.
      await eventually(async () =>
        expect(comparePositions(await t.service.eventSourcing.store.headPosition(), bulkAppend.position)).toBeGreaterThanOrEqual(0),
      );
      const before = await t.eventCount();

      const response = await exportLog('', tokens.auditor);
      expect(response.status).toBe(200);
      const reader = response.body!.getReader();
      const chunks: Uint8Array[] = [];
      let appended = false;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        chunks.push(value);
        if (!appended) {
          appended = true;
          await t.service.eventSourcing.events.append(bulk, toggles(3, 1200), { expectedRevision: 1199, metadata });
        }
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      const text = Buffer.concat(chunks).toString('utf8');
      const lines = text.slice(0, -1).split('\n');
      const summary = JSON.parse(lines.at(-1)!) as { count: number; sha256: string; through: string };
      const body = text.slice(0, text.length - lines.at(-1)!.length - 1);
      // The export is recorded first (GovernanceLogExported, operator-log_exports) and holds that record too.
      expect(summary.count).toBe(before + 1);
      expect(lines).toHaveLength(before + 2);
      const exportRecords = lines.slice(0, -1).filter((line) => (JSON.parse(line) as { type: string }).type === 'GovernanceLogExported');
      expect(exportRecords).toHaveLength((await t.storedEvents('operator-log_exports')).length);
      expect(summary.sha256).toBe(createHash('sha256').update(body, 'utf8').digest('hex'));
      const bulkLines = lines.slice(0, -1).filter((line) => line.includes(`"streamId":"${bulk}"`));
      expect(bulkLines.map((line) => (JSON.parse(line) as { revision: number }).revision)).toEqual(
        Array.from({ length: 1200 }, (_, i) => i),
      );
    });

    test('a refused export answers like GraphQL, errors[].extensions.code, with the status of its code', async () => {
      const refusal = async (response: Response, status: number, code: string, message: RegExp, field?: string) => {
        expect(response.status).toBe(status);
        expect(response.headers.get('content-type')).toMatch(/^application\/json/);
        expect(await response.json()).toEqual({
          errors: [{ message: expect.stringMatching(message) as unknown, extensions: { code, ...(field ? { field } : {}) } }],
        });
      };
      const noToken = await exportLog('');
      expect(noToken.headers.get('www-authenticate')).toBe('Bearer');
      await refusal(noToken, 401, 'UNAUTHENTICATED', /bearer token/);
      await refusal(await exportLog('', 'not-a-token'), 401, 'UNAUTHENTICATED', /token/);
      for (const role of ['member', 'officer', 'groupOwner']) {
        await refusal(
          await exportLog('', tokens[role]),
          403,
          'FORBIDDEN',
          /^exporting the governance log needs the role AUDITOR or COMMUNITY_MANAGER$/,
        );
      }
      await refusal(
        await exportLog('?from=yesterday', tokens.auditor),
        400,
        'BAD_USER_INPUT',
        /from must be an ISO 8601 date-time/,
        'from',
      );
      await refusal(
        await exportLog('?from=2025-02-01T00:00:00Z&to=2025-01-01T00:00:00Z', tokens.auditor),
        400,
        'BAD_USER_INPUT',
        /from must not be after to/,
        'from',
      );
      await refusal(await exportLog('?category=member&category=group', tokens.auditor), 400, 'BAD_USER_INPUT', /given once/, 'category');
      await refusal(
        await exportLog('?category=member-1', tokens.auditor),
        400,
        'BAD_USER_INPUT',
        /^category must be a stream category/,
        'category',
      );
      await refusal(await exportLog('?stream=x', tokens.auditor), 400, 'BAD_USER_INPUT', /unknown parameter stream/, 'stream');
    });
  });

  describe('who may see what', () => {
    test('AUDITOR and COMMUNITY_MANAGER read; MEMBER, GROUP_OWNER and anonymous callers are refused', async () => {
      const streamId = `member-${author}`;
      for (const token of [tokens.auditor, tokens.a]) {
        ok(await t.graphql(HISTORY, { first: 1 }, { token }));
        ok(await stateAt(token!, { streamId }));
        ok(await t.graphql(VERIFY, { streamId }, { token }));
        ok(await t.graphql(PROJECTIONS, {}, { token }));
      }
      for (const token of [tokens.member, tokens.groupOwner]) {
        refused(
          await t.graphql(HISTORY, {}, { token }),
          'FORBIDDEN',
          /reading the governance history needs the role AUDITOR or COMMUNITY_MANAGER/,
        );
        refused(await stateAt(token!, { streamId }), 'FORBIDDEN');
        refused(await t.graphql(VERIFY, { streamId }, { token }), 'FORBIDDEN');
        refused(await t.graphql(VERIFY, {}, { token }), 'FORBIDDEN');
        refused(await t.graphql(PROJECTIONS, {}, { token }), 'FORBIDDEN');
      }
      refused(await t.graphql(HISTORY, {}), 'UNAUTHENTICATED');
      // AUDITOR changes nothing (a read-only credential); only a COMMUNITY_MANAGER rebuilds.
      refused(await t.graphql(REBUILD, { input: { name: 'members' } }, { token: tokens.auditor }), 'FORBIDDEN');
      refused(
        await t.graphql(REBUILD, { input: { name: 'members' } }, { token: tokens.groupOwner }),
        'FORBIDDEN',
        /rebuilding a read model needs the role COMMUNITY_MANAGER/,
      );
      refused(await t.graphql(REBUILD, { input: { name: 'members' } }, { token: tokens.officer }), 'FORBIDDEN');
    });

    test('a PRIVACY_OFFICER reads the streams of a member who made a privacy request, and nothing else', async () => {
      const memberId = id('requester');
      await act(tokens.a!, 'register-requester', REGISTER, { memberId, displayName: 'Rae Requester', department: 'Legal' });
      const po = tokens.officer!;
      refused(await t.graphql(HISTORY, {}, { token: po }), 'FORBIDDEN', /name the stream in streamId/);
      refused(
        await t.graphql(HISTORY, { filter: { streamId: `member-${memberId}` } }, { token: po }),
        'FORBIDDEN',
        /has made no privacy request/,
      );

      const self = await t.token(memberId, Role.MEMBER);
      ok(
        await t.graphql(
          `mutation($input: ConsentInput!) { giveConsent(input: $input) { purpose } }`,
          { input: { memberId, purpose: 'newsletter' } },
          { token: self },
        ),
      );
      // A consent is the member's own choice, not a request: it opens nothing. An erasure request does.
      refused(
        await t.graphql(HISTORY, { filter: { streamId: `privacy-${memberId}` } }, { token: po }),
        'FORBIDDEN',
        /has made no privacy request/,
      );
      ok(
        await t.graphql(
          `mutation($input: RequestErasureInput!) { requestErasure(input: $input) { status } }`,
          { input: { memberId } },
          { token: self },
        ),
      );
      const member = await allPages(po, { streamId: `member-${memberId}` }, 'OLDEST_FIRST');
      expect(member.map((n) => n.type)).toEqual(['MemberRegistered']);
      const privacy = await allPages(po, { streamId: `privacy-${memberId}` }, 'NEWEST_FIRST');
      expect(privacy.map((n) => n.type)).toEqual(['ErasureCompleted', 'ErasureRequested', 'ConsentGiven']);
      expect(ok(await stateAt(po, { streamId: `privacy-${memberId}` })).streamStateAt).toMatchObject({
        revision: 2,
        state: { consents: { newsletter: { given: true } }, erasure: { status: 'COMPLETED' } },
      });
      ok(await t.graphql(VERIFY, { streamId: `privacy-${memberId}` }, { token: po }));

      refused(
        await t.graphql(HISTORY, { filter: { streamId: `moderation_case-${caseId}` } }, { token: po }),
        'FORBIDDEN',
        /is not one of them/,
      );
      refused(await t.graphql(HISTORY, { filter: { actorId: memberId } }, { token: po }), 'FORBIDDEN');
      refused(await stateAt(po, { streamId: `member-${author}` }), 'FORBIDDEN', /has made no privacy request/);
      refused(await t.graphql(VERIFY, {}, { token: po }), 'FORBIDDEN');
      refused(await t.graphql(PROJECTIONS, {}, { token: po }), 'FORBIDDEN');
    });

    test("after an erasure the member's personal fields read [redacted] in the history, the state and the export", async () => {
      const memberId = id('erased');
      await act(tokens.a!, 'register-erased', REGISTER, { memberId, displayName: 'Eve Erased', department: 'Legal' });
      ok(
        await t.graphql(
          `mutation($input: RequestErasureInput!) { requestErasure(input: $input) { status } }`,
          { input: { memberId } },
          { token: tokens.officer },
        ),
      );
      const [registered] = await allPages(tokens.auditor!, { streamId: `member-${memberId}` }, 'OLDEST_FIRST');
      expect(registered?.data).toEqual({ memberId, displayName: '[redacted]', department: 'Legal' });
      expect(ok(await stateAt(tokens.auditor!, { streamId: `member-${memberId}` })).streamStateAt.state).toMatchObject({
        displayName: '[redacted]',
      });
      const text = await (await exportLog('?category=member', tokens.auditor)).text();
      const line = text.split('\n').find((l) => l.includes(`"streamId":"member-${memberId}"`))!;
      expect((JSON.parse(line) as { data: unknown }).data).toEqual({ memberId, displayName: '[redacted]', department: 'Legal' });
      expect(text).not.toContain('Eve Erased');
      // The chain still verifies: no stored byte changed.
      expect(ok(await t.graphql(VERIFY, { streamId: `member-${memberId}` }, { token: tokens.auditor }))).toEqual({
        verifyHistory: { verifiedEvents: 1, ok: true, firstBrokenPosition: null },
      });
    });
  });

  describe('projections', () => {
    test('the status of every read model; a rebuild keeps the current one serving until the new one has caught up', async () => {
      // The log index is a read model too where the store cannot answer history itself (EventStoreDB).
      const names = [
        ...SERVICE_PARTS.projections.map((p) => p.name),
        ...(t.service.eventSourcing.logIndex ? [LOG_INDEX_PROJECTION] : []),
      ].sort();
      await eventually(async () => {
        const statuses = ok(
          await t.graphql<{ projections: { name: string; lag: number; state: string; checkpoint: string | null }[] }>(
            PROJECTIONS,
            {},
            { token: tokens.auditor },
          ),
        ).projections;
        expect(statuses.map((s) => s.name).sort()).toEqual(names);
        for (const status of statuses) expect(status).toMatchObject({ lag: 0, state: 'RUNNING' });
      });
      const generation = async () =>
        (
          await t.service.eventSourcing.pool.query<{ generation: number }>(
            `SELECT generation FROM projection_generations WHERE name = 'members' AND status = 'active'`,
          )
        ).rows[0]!.generation;
      const before = await generation();

      const answer = ok(
        await t.graphql<{ rebuildProjection: { name: string; state: string } }>(
          REBUILD,
          { input: { name: 'members', commandId: `${run}-rebuild` } },
          { token: tokens.a },
        ),
      );
      expect(answer.rebuildProjection).toMatchObject({ name: 'members', state: 'REBUILDING' });
      // The members read model answers throughout.
      const member = ok(
        await t.graphql<{ member: { id: string } }>(`query($id: ID!) { member(id: $id) { id } }`, { id: author }, { token: tokens.a }),
      );
      expect(member.member).toEqual({ id: author });
      await eventually(async () => expect(await generation()).toBe(before + 1));
      await eventually(async () => {
        const statuses = ok(
          await t.graphql<{ projections: { name: string; lag: number; state: string }[] }>(PROJECTIONS, {}, { token: tokens.a }),
        ).projections;
        expect(statuses.find((s) => s.name === 'members')).toMatchObject({ lag: 0, state: 'RUNNING' });
      });
      expect(
        ok(await t.graphql<{ member: { id: string } }>(`query($id: ID!) { member(id: $id) { id } }`, { id: owner }, { token: tokens.a }))
          .member,
      ).toEqual({ id: owner });

      refused(await t.graphql(REBUILD, { input: { name: 'nope' } }, { token: tokens.a }), 'NOT_FOUND', /there is no read model "nope"/);
    });
  });

  function subscribe(token: string, variables: Record<string, unknown>, query = SUBSCRIPTION) {
    const client = createClient({
      url: `${t.service.url.replace('http', 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${token}` },
      retryAttempts: 0,
    });
    clients.push(client);
    const state = { events: [] as { position: string; streamId: string; type: string }[], errors: [] as unknown[] };
    client.subscribe<{ governanceEvents: { position: string; streamId: string; type: string } }>(
      { query, variables },
      {
        next: (message) => {
          if (message.errors) state.errors.push(...message.errors);
          if (message.data) state.events.push(message.data.governanceEvents);
        },
        error: (error) => state.errors.push(error),
        complete: () => undefined,
      },
    );
    return state;
  }
});
