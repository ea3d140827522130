import { randomUUID } from 'node:crypto';
import { Role } from '../../src/platform/auth/role.ts';
import { overRead, StreamReadCounter, type StreamReads } from '../support/stream-read-counter.ts';
import { startTestService, type GraphQLResponse, type TestService } from '../support/test-service.ts';

const CASE_FIELDS = 'id status assignedTo revision flags { reporterId } decision { outcome } appeal { outcome }';
const REPORT = `mutation($input: ReportContentInput!) { reportContent(input: $input) { ${CASE_FIELDS} } }`;
const CLAIM = `mutation($input: ClaimModerationCaseInput!) { claimModerationCase(input: $input) { ${CASE_FIELDS} } }`;
const DECIDE = `mutation($input: DecideModerationCaseInput!) { decideModerationCase(input: $input) { ${CASE_FIELDS} } }`;
const APPEAL = `mutation($input: FileAppealInput!) { fileAppeal(input: $input) { ${CASE_FIELDS} } }`;
const DECIDE_APPEAL = `mutation($input: DecideAppealInput!) { decideAppeal(input: $input) { ${CASE_FIELDS} } }`;

/**
 * A moderation mutation reads each stream it needs once (issue 19): the case's stream once, for its authorization and
 * its decision alike, and each fact from another aggregate (the group's owners, the owner's certification) once, also
 * for the answer. The only second read is a retry's after a concurrent append, which must see the new events. Counted
 * through the store's port of the running service, so every path the request takes is included.
 */
describe('moderation mutations read each stream once', () => {
  let t: TestService;
  let counter: StreamReadCounter;
  let manager: string;

  const uid = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;
  const ok = <T>(response: GraphQLResponse<T>): T => {
    expect(response.errors).toBeUndefined();
    return response.data!;
  };
  const asManager = (query: string, input: Record<string, unknown>) => t.graphql(query, { input }, { token: manager });

  /** Every mutation measured in the current test, checked together at its end so that one failure shows them all. */
  let measurements: ({ mutation: string } & StreamReads)[] = [];

  /** The mutation's answer and the reads it made (also kept in `measurements`). */
  async function measured<T>(mutation: string, request: () => Promise<GraphQLResponse<T>>) {
    const { result, reads, conflicts } = await counter.during(request);
    measurements.push({ mutation, reads, conflicts });
    return { data: ok(result), reads };
  }

  /** Each measured mutation read each stream once, but for a retry's read after a concurrent append. */
  function expectEachStreamReadOnce() {
    // The whole picture in a failure message: every mutation, everything it read, what it read too often.
    const seen = measurements.map((measurement) => ({ ...measurement, overRead: overRead(measurement) }));
    expect(seen).toEqual(measurements.map((measurement) => ({ ...measurement, overRead: {} })));
  }

  /** A group with `owner` (registered) as its owner, and a case reported in it. */
  async function caseInGroupOf(owner: string, author: string) {
    const groupId = uid('g');
    ok(
      await asManager(`mutation($input: RegisterMemberInput!) { registerMember(input: $input) { id } }`, {
        memberId: owner,
        displayName: `Member ${owner}`,
        department: 'Sales',
      }),
    );
    ok(await asManager(`mutation($input: CreateGroupInput!) { createGroup(input: $input) { id } }`, { groupId, name: 'Riders' }));
    ok(
      await asManager(`mutation($input: AssignGroupOwnerInput!) { assignGroupOwner(input: $input) { owners } }`, {
        groupId,
        memberId: owner,
      }),
    );
    const reporter = await t.token(uid('r'), Role.MEMBER);
    const { data, reads } = await measured('reportContent', () =>
      t.graphql<{ reportContent: { id: string } }>(
        REPORT,
        { input: { contentType: 'post', contentId: uid('post'), authorId: author, groupId, reason: 'HARASSMENT' } },
        { token: reporter },
      ),
    );
    return { groupId, caseId: data.reportContent.id, reads };
  }

  beforeAll(async () => {
    // No scheduler run during a measurement: its reads would be counted as the mutation's.
    t = await startTestService({ env: { SCHEDULER_INTERVAL_MS: '3600000', CERTIFICATION_GATE: 'on' } });
    counter = new StreamReadCounter(t.service.eventSourcing.store);
    manager = await t.token('cm-1', Role.COMMUNITY_MANAGER);
  });
  beforeEach(() => {
    measurements = [];
  });
  afterAll(async () => {
    await t?.close();
  });

  test("a group owner claims and decides a case of their group: the case, the group and the owner's certification once each", async () => {
    const owner = uid('owner');
    const author = uid('author');
    const { groupId, caseId, reads: reported } = await caseInGroupOf(owner, author);
    const ownerToken = await t.token(owner, Role.GROUP_OWNER);
    const caseStream = `moderation_case-${caseId}`;

    const claim = await measured('claimModerationCase (owner)', () => t.graphql(CLAIM, { input: { caseId } }, { token: ownerToken }));

    const decide = await measured('decideModerationCase (owner)', () =>
      t.graphql(
        DECIDE,
        { input: { caseId, outcome: 'HIDE_CONTENT', reason: 'off-topic insult', commandId: 'decide-1' } },
        { token: ownerToken },
      ),
    );

    // The same command again is answered from the case's history: read once as well.
    const replay = await measured('decideModerationCase (owner, replayed)', () =>
      t.graphql(
        DECIDE,
        { input: { caseId, outcome: 'HIDE_CONTENT', reason: 'off-topic insult', commandId: 'decide-1' } },
        { token: ownerToken },
      ),
    );

    const appeal = await measured('fileAppeal', async () =>
      t.graphql(APPEAL, { input: { caseId, statement: 'It was a joke' } }, { token: await t.token(author, Role.MEMBER) }),
    );

    const decided = await measured('decideAppeal', () => asManager(DECIDE_APPEAL, { caseId, outcome: 'UPHELD', reason: 'it was not' }));

    expectEachStreamReadOnce();
    // And each of them read what it needs: the case, and for the owner its group and its certification.
    expect(reported[caseStream]).toBe(1);
    const asOwner = { [caseStream]: 1, [`group-${groupId}`]: 1, [`certification-${owner}`]: 1 };
    expect([claim.reads, decide.reads]).toEqual([asOwner, asOwner]);
    expect(replay.reads).toEqual(asOwner);
    // The author's answer depends on whether they own the group; the manager's does not.
    expect([appeal.reads, decided.reads]).toEqual([{ [caseStream]: 1, [`group-${groupId}`]: 1 }, { [caseStream]: 1 }]);
  });

  test('the API says whether owners are held to their certification (CERTIFICATION_GATE on here), to anyone signed in', async () => {
    const member = await t.token(uid('member'), Role.MEMBER);
    expect(await t.graphql('{ certificationGate }', {}, { token: member })).toMatchObject({ data: { certificationGate: true } });
  });

  test('a community manager claims and decides a case: its stream once, nothing else', async () => {
    const { caseId } = await caseInGroupOf(uid('owner'), uid('author'));
    const caseStream = `moderation_case-${caseId}`;
    const claim = await measured('claimModerationCase (manager)', () => asManager(CLAIM, { caseId }));
    const decide = await measured('decideModerationCase (manager)', () =>
      asManager(DECIDE, { caseId, outcome: 'WARN_MEMBER', reason: 'tone', expectedRevision: 2 }),
    );
    expectEachStreamReadOnce();
    // The role is their authority and they see every case whole: the group's owners are not theirs to read.
    expect([claim.reads, decide.reads]).toEqual([{ [caseStream]: 1 }, { [caseStream]: 1 }]);
  });

  test('two reports racing for one new case: a second read of the case only for an append refused meanwhile', async () => {
    const contentId = uid('post');
    const input = { contentType: 'post', contentId, authorId: uid('author'), reason: 'SPAM' };
    const reporters = [await t.token(uid('r'), Role.MEMBER), await t.token(uid('r'), Role.MEMBER)];
    const { result, reads, conflicts } = await counter.during(() =>
      Promise.all(reporters.map((token) => t.graphql(REPORT, { input }, { token }))),
    );
    for (const answer of result) expect(answer.errors).toBeUndefined();
    const caseStream = `moderation_case-${contentId}:1`;
    // Each report reads the case once, and once more per append of its that the other's refused.
    expect(reads[caseStream]).toBeLessThanOrEqual(2 + (conflicts[caseStream] ?? 0));
  });
});
