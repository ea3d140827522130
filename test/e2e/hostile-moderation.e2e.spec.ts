import { randomUUID } from 'node:crypto';
import { Role } from '../../src/platform/auth/role.ts';
import { eventCount } from '../security/schema-operations.ts';
import { startTestService, type GraphQLResponse, type TestService } from '../support/test-service.ts';

/**
 * Issue 15, moderation: conflicts of interest (item 2), whose appeal statement it is (item 3) and authorization before
 * validation (item 15), each as a hostile caller would try it over HTTP.
 */

const CASE_FIELDS = `id status contentStatus assignedTo
  flags { reporterId }
  decision { outcome decidedBy }
  appeal { statement filedAt outcome reason decidedBy decidedAt }`;
const REPORT = `mutation($input: ReportContentInput!) { reportContent(input: $input) { ${CASE_FIELDS} } }`;
const CLAIM = `mutation($input: ClaimModerationCaseInput!) { claimModerationCase(input: $input) { ${CASE_FIELDS} } }`;
const DECIDE = `mutation($input: DecideModerationCaseInput!) { decideModerationCase(input: $input) { ${CASE_FIELDS} } }`;
const APPEAL = `mutation($input: FileAppealInput!) { fileAppeal(input: $input) { ${CASE_FIELDS} } }`;
const DECIDE_APPEAL = `mutation($input: DecideAppealInput!) { decideAppeal(input: $input) { ${CASE_FIELDS} } }`;
const ADD_NOTE = `mutation($input: AddModeratorNoteInput!) { addModeratorNote(input: $input) { memberId } }`;
const RETRACT_NOTE = `mutation($input: RetractModeratorNoteInput!) { retractModeratorNote(input: $input) { memberId } }`;
const CASE = `query($id: ID!) { moderationCase(id: $id) { ${CASE_FIELDS} } }`;
const STANDING = `query($memberId: ID!) { memberStanding(memberId: $memberId) { memberId } }`;
const QUEUE = `query($filter: ModerationQueueFilter) { moderationQueue(filter: $filter) { totalCount } }`;
const REGISTER = `mutation($input: RegisterMemberInput!) { registerMember(input: $input) { id } }`;

interface CaseAnswer {
  id: string;
  status: string;
  appeal: { statement: string; filedAt: string; outcome: string | null; decidedAt: string | null } | null;
}

/** Ids that src/platform/shared/identifiers.ts refuses: a space and a "!", and one too long. */
const MALFORMED = ['bad id!', 'x'.repeat(200)];

describe('hostile callers of moderation', () => {
  let t: TestService;
  let manager: string;
  let otherManager: string;

  const uid = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;
  const token = (subject: string, ...roles: Role[]) => t.token(subject, ...roles);
  const stored = (caseId: string) => t.storedEvents(`moderation_case-${caseId}`);

  function ok<T>(response: GraphQLResponse<T>): T {
    expect(response.errors).toBeUndefined();
    return response.data!;
  }

  function refused(response: GraphQLResponse, code: string, message?: RegExp) {
    expect({ code: response.errors?.[0]?.extensions?.code, message: response.errors?.[0]?.message }).toEqual({
      code,
      message: message ? expect.stringMatching(message) : expect.any(String),
    });
  }

  /** A group owned by `ownerIds` (the first assigned first), created by a community manager. */
  async function groupOwnedBy(...ownerIds: string[]): Promise<string> {
    const groupId = uid('g');
    ok(
      await t.graphql(
        `mutation($input: CreateGroupInput!) { createGroup(input: $input) { id } }`,
        { input: { groupId, name: 'Riders' } },
        { token: manager },
      ),
    );
    for (const memberId of ownerIds) {
      ok(await t.graphql(REGISTER, { input: { memberId, displayName: `Member ${memberId}`, department: 'Sales' } }, { token: manager }));
      ok(
        await t.graphql(
          `mutation($input: AssignGroupOwnerInput!) { assignGroupOwner(input: $input) { owners } }`,
          { input: { groupId, memberId } },
          { token: manager },
        ),
      );
    }
    return groupId;
  }

  /** A community manager as the log knows one: someone who has acted with that role (here, registering a member). */
  async function actingCommunityManager(): Promise<{ id: string; token: string }> {
    const id = uid('cm');
    const cmToken = await token(id, Role.COMMUNITY_MANAGER);
    ok(await t.graphql(REGISTER, { input: { memberId: uid('m'), displayName: 'Newcomer', department: 'Ops' } }, { token: cmToken }));
    return { id, token: cmToken };
  }

  async function report(
    reporterToken: string,
    content: { authorId: string; groupId?: string | null; contentId?: string },
  ): Promise<string> {
    const answer = ok(
      await t.graphql<{ reportContent: CaseAnswer }>(
        REPORT,
        { input: { contentId: content.contentId ?? uid('post'), contentType: 'post', reason: 'HARASSMENT', ...content } },
        { token: reporterToken },
      ),
    );
    return answer.reportContent.id;
  }

  beforeAll(async () => {
    t = await startTestService({ env: { SCHEDULER_INTERVAL_MS: '3600000' } });
    manager = await t.token('cm-hostile-1', Role.COMMUNITY_MANAGER);
    otherManager = await t.token('cm-hostile-2', Role.COMMUNITY_MANAGER);
  });
  afterAll(async () => {
    await t?.close();
  });

  describe('conflicts of interest (item 2)', () => {
    test("the review's scenario: an owner reports invented content by a community manager in their group, then cannot claim or decide it", async () => {
      const owner = uid('owner');
      const groupId = await groupOwnedBy(owner);
      const ownerToken = await token(owner, Role.GROUP_OWNER);
      const communityManager = await actingCommunityManager();
      const caseId = await report(ownerToken, { authorId: communityManager.id, groupId });
      const before = await stored(caseId);

      refused(await t.graphql(CLAIM, { input: { caseId } }, { token: ownerToken }), 'FORBIDDEN', /you reported it/);
      for (const outcome of ['WARN_MEMBER', 'REMOVE_CONTENT']) {
        refused(
          await t.graphql(DECIDE, { input: { caseId, outcome, reason: 'invented' } }, { token: ownerToken }),
          'FORBIDDEN',
          /you reported it/,
        );
      }
      expect(await stored(caseId)).toEqual(before);
      // Another moderator decides it.
      ok(await t.graphql(DECIDE, { input: { caseId, outcome: 'NO_ACTION', reason: 'nothing wrong' } }, { token: manager }));
    });

    test('a community manager who reported a case neither claims nor decides it, nor decides its appeal', async () => {
      const reporter = await actingCommunityManager();
      const author = uid('author');
      const caseId = await report(reporter.token, { authorId: author });
      refused(await t.graphql(CLAIM, { input: { caseId } }, { token: reporter.token }), 'FORBIDDEN', /you reported it/);
      refused(
        await t.graphql(DECIDE, { input: { caseId, outcome: 'HIDE_CONTENT', reason: 'mine to judge' } }, { token: reporter.token }),
        'FORBIDDEN',
        /you reported it/,
      );
      expect(await stored(caseId)).toHaveLength(2);

      // A manager who claimed a case and then reports its content too cannot decide it: another one takes it over.
      const contentId = uid('post');
      const claimedThenReported = await report(await token(uid('m'), Role.MEMBER), { authorId: author, contentId });
      ok(await t.graphql(CLAIM, { input: { caseId: claimedThenReported } }, { token: reporter.token }));
      expect(await report(reporter.token, { authorId: author, contentId })).toBe(claimedThenReported);
      refused(
        await t.graphql(
          DECIDE,
          { input: { caseId: claimedThenReported, outcome: 'HIDE_CONTENT', reason: 'x' } },
          { token: reporter.token },
        ),
        'FORBIDDEN',
        /you reported it/,
      );
      ok(await t.graphql(CLAIM, { input: { caseId: claimedThenReported } }, { token: manager }));
      ok(await t.graphql(DECIDE, { input: { caseId: claimedThenReported, outcome: 'HIDE_CONTENT', reason: 'x' } }, { token: manager }));

      ok(await t.graphql(DECIDE, { input: { caseId, outcome: 'HIDE_CONTENT', reason: 'off-topic' } }, { token: manager }));
      ok(await t.graphql(APPEAL, { input: { caseId, statement: 'It was on topic' } }, { token: await token(author, Role.MEMBER) }));
      const appealed = await stored(caseId);
      // The complainant does not judge the appeal against their own complaint.
      refused(
        await t.graphql(DECIDE_APPEAL, { input: { caseId, outcome: 'UPHELD', reason: 'still off-topic' } }, { token: reporter.token }),
        'FORBIDDEN',
        /you reported it/,
      );
      expect(await stored(caseId)).toEqual(appealed);
      ok(await t.graphql(DECIDE_APPEAL, { input: { caseId, outcome: 'UPHELD', reason: 'still off-topic' } }, { token: otherManager }));
    });

    test("an owner's authority covers the content of their group but never a sanction (a warning, hiding or removing) against a community manager or a co-owner", async () => {
      const owner = uid('owner');
      const coOwner = uid('owner');
      const groupId = await groupOwnedBy(owner, coOwner);
      const ownerToken = await token(owner, Role.GROUP_OWNER);
      const communityManager = await actingCommunityManager();
      const reporter = await token(uid('m'), Role.MEMBER);

      for (const [who, authorId, rule] of [
        ['a community manager', communityManager.id, /never covers a sanction against a community manager/],
        ['a co-owner', coOwner, new RegExp(`never covers a sanction against another owner of group ${groupId}`)],
      ] as const) {
        const warned = await report(reporter, { authorId, groupId });
        for (const outcome of ['WARN_MEMBER', 'HIDE_CONTENT', 'REMOVE_CONTENT']) {
          refused(
            await t.graphql(DECIDE, { input: { caseId: warned, outcome, reason: `${outcome} against ${who}` } }, { token: ownerToken }),
            'FORBIDDEN',
            rule,
          );
        }
        expect(await stored(warned)).toHaveLength(2);
        // A community manager may; the owner may still dismiss a report against a peer.
        ok(await t.graphql(DECIDE, { input: { caseId: warned, outcome: 'WARN_MEMBER', reason: 'tone' } }, { token: manager }));
        const dismissed = await report(reporter, { authorId, groupId });
        ok(
          await t.graphql(
            DECIDE,
            { input: { caseId: dismissed, outcome: 'NO_ACTION', reason: 'within the rules' } },
            { token: ownerToken },
          ),
        );
      }
      // The control: an ordinary member of the group is warned by its owner.
      const ordinary = await report(reporter, { authorId: uid('author'), groupId });
      ok(await t.graphql(DECIDE, { input: { caseId: ordinary, outcome: 'WARN_MEMBER', reason: 'tone' } }, { token: ownerToken }));
      // The authority recorded on the events stays as it was.
      expect((await stored(ordinary)).at(-1)?.metadata.authority).toBe(`owner of group ${groupId} since revision 1`);
    });
  });

  describe("appeal statements are the author's (item 3)", () => {
    test('a reporter sees the outcome and dates of an appeal, and its statement withheld; the author, staff and the owner read it', async () => {
      const owner = uid('owner');
      const groupId = await groupOwnedBy(owner);
      const author = uid('author');
      const authorToken = await token(author, Role.MEMBER);
      const reporterToken = await token(uid('reporter'), Role.MEMBER);
      const caseId = await report(reporterToken, { authorId: author, groupId });
      ok(await t.graphql(DECIDE, { input: { caseId, outcome: 'REMOVE_CONTENT', reason: 'insult' } }, { token: manager }));
      const statement = 'My manager knows about my health issue; that is why I wrote it';
      ok(await t.graphql(APPEAL, { input: { caseId, statement } }, { token: authorToken }));
      ok(await t.graphql(DECIDE_APPEAL, { input: { caseId, outcome: 'UPHELD', reason: 'still an insult' } }, { token: otherManager }));

      const seenByReporter = ok(
        await t.graphql<{ moderationCase: CaseAnswer }>(CASE, { id: caseId }, { token: reporterToken }),
      ).moderationCase;
      expect(seenByReporter.appeal).toMatchObject({ statement: '[withheld]', outcome: 'UPHELD' });
      expect(new Date(seenByReporter.appeal!.filedAt).getTime()).not.toBeNaN();
      expect(new Date(seenByReporter.appeal!.decidedAt!).getTime()).not.toBeNaN();

      const readers = [authorToken, manager, await token(uid('auditor'), Role.AUDITOR), await token(owner, Role.GROUP_OWNER)];
      for (const reader of readers) {
        const seen = ok(await t.graphql<{ moderationCase: CaseAnswer }>(CASE, { id: caseId }, { token: reader })).moderationCase;
        expect(seen.appeal?.statement).toBe(statement);
      }
    });
  });

  describe('authorization before validation (item 15)', () => {
    /** Every moderation operation with all its ids malformed, for each refused caller: FORBIDDEN, and nothing appended. */
    test('a caller without the right role is refused before its ids are validated; a caller who may act gets BAD_USER_INPUT', async () => {
      const owner = uid('owner');
      await groupOwnedBy(owner);
      const callers = {
        member: await token(uid('m'), Role.MEMBER),
        owner: await token(owner, Role.GROUP_OWNER),
        auditor: await token(uid('auditor'), Role.AUDITOR),
        privacyOfficer: await token(uid('po'), Role.PRIVACY_OFFICER),
        auditorAndManager: await token(uid('auditor'), Role.AUDITOR, Role.COMMUNITY_MANAGER),
      };
      type Who = keyof typeof callers;
      const all = Object.keys(callers) as Who[];
      const probes: { name: string; query: string; variables: (id: string) => Record<string, unknown>; refused: Who[] }[] = [
        {
          name: 'reportContent',
          query: REPORT,
          variables: (id) => ({ input: { contentId: id, contentType: 'post', authorId: id, groupId: id, reason: 'SPAM' } }),
          refused: ['auditor', 'auditorAndManager'],
        },
        { name: 'claimModerationCase', query: CLAIM, variables: (id) => ({ input: { caseId: id } }), refused: all },
        {
          name: 'decideModerationCase',
          query: DECIDE,
          variables: (id) => ({ input: { caseId: id, outcome: 'HIDE_CONTENT', reason: 'x', guideline: { agreementId: id, version: 1 } } }),
          refused: all,
        },
        { name: 'fileAppeal', query: APPEAL, variables: (id) => ({ input: { caseId: id, statement: 'unfair' } }), refused: all },
        {
          name: 'decideAppeal',
          query: DECIDE_APPEAL,
          variables: (id) => ({ input: { caseId: id, outcome: 'UPHELD', reason: 'x' } }),
          refused: all,
        },
        { name: 'addModeratorNote', query: ADD_NOTE, variables: (id) => ({ input: { memberId: id, text: 'note' } }), refused: all },
        {
          name: 'retractModeratorNote',
          query: RETRACT_NOTE,
          variables: (id) => ({ input: { memberId: id, noteId: id } }),
          refused: all,
        },
        { name: 'memberStanding', query: STANDING, variables: (id) => ({ memberId: id }), refused: ['member', 'owner', 'privacyOfficer'] },
        {
          name: 'moderationQueue',
          query: QUEUE,
          variables: (id) => ({ filter: { groupId: id, assignedTo: id } }),
          refused: ['member', 'owner', 'privacyOfficer'],
        },
        { name: 'moderationCase', query: CASE, variables: (id) => ({ id }), refused: ['member', 'owner', 'privacyOfficer'] },
      ];
      const mismatches: string[] = [];
      const before = await eventCount(t);
      for (const probe of probes) {
        for (const id of MALFORMED) {
          const anonymous = await t.graphql(probe.query, probe.variables(id));
          const anonymousCode = anonymous.errors?.[0]?.extensions?.code;
          if (anonymousCode !== 'UNAUTHENTICATED') mismatches.push(`${probe.name} without a token: ${anonymousCode ?? 'answered'}`);
          for (const who of probe.refused) {
            const answer = await t.graphql(probe.query, probe.variables(id), { token: callers[who] });
            const code = answer.errors?.[0]?.extensions?.code;
            if (code !== 'FORBIDDEN') mismatches.push(`${probe.name} as ${who} (id ${id.slice(0, 8)}): ${code ?? 'answered'}`);
          }
        }
      }
      expect(mismatches).toEqual([]);
      expect(await eventCount(t)).toBe(before);

      // Who may act still learns that the input is malformed.
      for (const [query, variables] of [
        [CLAIM, { input: { caseId: 'bad id!' } }],
        [DECIDE, { input: { caseId: 'bad id!', outcome: 'HIDE_CONTENT', reason: 'x' } }],
        [DECIDE_APPEAL, { input: { caseId: 'bad id!', outcome: 'UPHELD', reason: 'x' } }],
        [ADD_NOTE, { input: { memberId: 'bad id!', text: 'note' } }],
        [STANDING, { memberId: 'bad id!' }],
        [QUEUE, { filter: { groupId: 'bad id!' } }],
      ] as const) {
        refused(await t.graphql(query, variables, { token: manager }), 'BAD_USER_INPUT');
      }
      refused(
        await t.graphql(
          REPORT,
          { input: { contentId: 'bad id!', contentType: 'post', authorId: 'x', reason: 'SPAM' } },
          { token: callers.member },
        ),
        'BAD_USER_INPUT',
      );
      expect(await eventCount(t)).toBe(before);
    });

    test('whether a case exists is not told to who may not see or moderate it', async () => {
      const caseId = await report(await token(uid('m'), Role.MEMBER), { authorId: uid('author') });
      const stranger = await token(uid('m'), Role.MEMBER);
      const otherOwner = uid('owner');
      await groupOwnedBy(otherOwner);
      const answers: string[][] = [];
      for (const id of [caseId, `${uid('never-reported')}:1`]) {
        const seen: string[] = [];
        for (const [query, variables, who] of [
          [CASE, { id }, stranger],
          [CLAIM, { input: { caseId: id } }, stranger],
          [DECIDE, { input: { caseId: id, outcome: 'HIDE_CONTENT', reason: 'x' } }, await token(otherOwner, Role.GROUP_OWNER)],
          [APPEAL, { input: { caseId: id, statement: 'unfair' } }, stranger],
        ] as const) {
          const answer = await t.graphql(query, variables, { token: who });
          refused(answer, 'FORBIDDEN');
          seen.push(answer.errors![0]!.message.replace(id, '<id>'));
        }
        answers.push(seen);
      }
      // The same refusals, word for word, for the case that exists and the one that does not.
      expect(answers[0]).toEqual(answers[1]);
      // Staff are told.
      expect(
        ok(await t.graphql<{ moderationCase: null }>(CASE, { id: `${uid('never-reported')}:1` }, { token: manager })).moderationCase,
      ).toBeNull();
    });
  });
});
