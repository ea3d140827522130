import { randomUUID } from 'node:crypto';
import { eventually } from '#testing';
import { Role } from '../../src/platform/auth/role.ts';
import { startTestService, type GraphQLResponse, type TestService } from '../support/test-service.ts';
import { connectionPages, expectPagingBothWays } from '../support/paging.ts';

const CASE_FIELDS = `id contentId contentType contentStatus groupId authorId status assignedTo revision openedAt
  flags { reporterId reason note flaggedAt }
  decision { outcome reason guideline { agreementId version section } decidedBy decidedAt }
  sanction { id memberId caseId kind until liftedAt active }
  appeal { statement filedAt outcome decidedBy decidedAt }`;
const STANDING_FIELDS = `memberId suspended
  activeSanctions { id caseId kind until active }
  sanctionHistory { id caseId kind until liftedAt active }
  notes { id memberId text authorId retracted }`;

const REPORT = `mutation($input: ReportContentInput!) { reportContent(input: $input) { ${CASE_FIELDS} } }`;
const CLAIM = `mutation($input: ClaimModerationCaseInput!) { claimModerationCase(input: $input) { ${CASE_FIELDS} } }`;
const DECIDE = `mutation($input: DecideModerationCaseInput!) { decideModerationCase(input: $input) { ${CASE_FIELDS} } }`;
const APPEAL = `mutation($input: FileAppealInput!) { fileAppeal(input: $input) { ${CASE_FIELDS} } }`;
const DECIDE_APPEAL = `mutation($input: DecideAppealInput!) { decideAppeal(input: $input) { ${CASE_FIELDS} } }`;
const ADD_NOTE = `mutation($input: AddModeratorNoteInput!) { addModeratorNote(input: $input) { ${STANDING_FIELDS} } }`;
const RETRACT_NOTE = `mutation($input: RetractModeratorNoteInput!) { retractModeratorNote(input: $input) { ${STANDING_FIELDS} } }`;
const CASE = `query($id: ID!) { moderationCase(id: $id) { ${CASE_FIELDS} } }`;
const STANDING = `query($memberId: ID!) { memberStanding(memberId: $memberId) { ${STANDING_FIELDS} } }`;
const QUEUE = `query($filter: ModerationQueueFilter, $first: Int, $after: String) {
  moderationQueue(filter: $filter, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id status groupId assignedTo } } } }`;

interface CaseAnswer {
  id: string;
  status: string;
  contentStatus: string;
  revision: number;
  assignedTo: string | null;
  flags: { reporterId: string; reason: string; note: string | null }[];
  decision: { outcome: string; decidedBy: string; reason: string } | null;
  sanction: { id: string; kind: string; until: string | null; liftedAt: string | null; active: boolean } | null;
  appeal: { statement: string; outcome: string | null; decidedBy: string | null } | null;
}

describe('moderation over HTTP', () => {
  let t: TestService;
  let tokens: Record<string, string>;

  const uid = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;
  const register = (memberId: string, department = 'Sales') =>
    t.graphql(
      `mutation($input: RegisterMemberInput!) { registerMember(input: $input) { id } }`,
      { input: { memberId, displayName: `Member ${memberId}`, department } },
      { token: tokens['cm-1'] },
    );
  const tokenFor = async (subject: string, ...roles: Role[]) => (tokens[subject] ??= await t.token(subject, ...roles));

  /** A group with `ownerId` as its owner (registered first). */
  async function groupOwnedBy(ownerId: string): Promise<string> {
    const groupId = uid('g');
    await register(ownerId);
    await t.graphql(
      `mutation($input: CreateGroupInput!) { createGroup(input: $input) { id } }`,
      { input: { groupId, name: 'Riders' } },
      {
        token: tokens['cm-1'],
      },
    );
    const assigned = await t.graphql(
      `mutation($input: AssignGroupOwnerInput!) { assignGroupOwner(input: $input) { owners } }`,
      { input: { groupId, memberId: ownerId } },
      { token: tokens['cm-1'] },
    );
    expect(assigned.errors).toBeUndefined();
    return groupId;
  }

  async function report(reporter: string, content: { contentId: string; authorId: string; groupId?: string }, extra = {}) {
    return t.graphql<{ reportContent: CaseAnswer }>(
      REPORT,
      { input: { contentType: 'post', reason: 'HARASSMENT', ...content, ...extra } },
      { token: await tokenFor(reporter, Role.MEMBER) },
    );
  }

  function ok<T>(response: GraphQLResponse<T>): T {
    expect(response.errors).toBeUndefined();
    return response.data!;
  }

  function refused(response: GraphQLResponse, code: string, message?: RegExp) {
    expect(response.errors?.[0]?.extensions?.code).toBe(code);
    if (message) expect(response.errors?.[0]?.message).toMatch(message);
  }

  const stored = (caseId: string) => t.storedEvents(`moderation_case-${caseId}`);

  beforeAll(async () => {
    t = await startTestService({ env: { SCHEDULER_INTERVAL_MS: '100' } });
    tokens = {
      'cm-1': await t.token('cm-1', Role.COMMUNITY_MANAGER),
      'cm-2': await t.token('cm-2', Role.COMMUNITY_MANAGER),
      auditor: await t.token('auditor-1', Role.AUDITOR),
    };
  });
  afterAll(async () => {
    await t?.close();
  });

  test('report → claim → decide with suspension → appeal → overturn, each answer and read model current at once', async () => {
    const author = uid('author');
    const contentId = uid('post');
    const content = { contentId, authorId: author };

    const first = ok(await report('r-1', content, { note: 'called me names in the thread' })).reportContent;
    expect(first).toMatchObject({
      id: `${contentId}:1`,
      status: 'OPEN',
      contentStatus: 'VISIBLE',
      revision: 1,
      flags: [{ reporterId: 'r-1', reason: 'HARASSMENT', note: 'called me names in the thread' }],
    });
    const caseId = first.id;
    // A second reporter joins the open case and sees only their own flag; the same reporter again adds nothing.
    const second = ok(await report('r-2', content, { reason: 'SPAM' })).reportContent;
    expect(second).toMatchObject({ id: caseId, revision: 2, flags: [{ reporterId: 'r-2', reason: 'SPAM' }] });
    expect(ok(await report('r-1', content)).reportContent).toMatchObject({ id: caseId, revision: 2 });
    expect((await stored(caseId)).map((e) => e.type)).toEqual(['ModerationCaseOpened', 'ContentFlagged', 'ContentFlagged']);
    // The reporter's note is personal data: encrypted in the stored event.
    expect((await stored(caseId))[1]?.data).not.toContain('called me names');

    const claimed = ok(await t.graphql<{ claimModerationCase: CaseAnswer }>(CLAIM, { input: { caseId } }, { token: tokens['cm-1'] }));
    expect(claimed.claimModerationCase).toMatchObject({ status: 'IN_REVIEW', assignedTo: 'cm-1', revision: 3 });
    expect(claimed.claimModerationCase.flags.map((f) => f.reporterId)).toEqual(['r-1', 'r-2']);

    // The decision cites a published version of the code of conduct.
    for (const version of [1, 2]) {
      ok(
        await t.graphql(
          `mutation($input: PublishAgreementVersionInput!) { publishAgreementVersion(input: $input) { id } }`,
          {
            input: { agreementId: 'code-of-conduct', title: 'Code of conduct', body: `Be kind (v${version})`, requiresReacceptance: true },
          },
          { token: tokens['cm-2'] },
        ),
      );
    }
    const until = new Date(Date.now() + 7 * 86_400_000).toISOString();
    const decided = ok(
      await t.graphql<{ decideModerationCase: CaseAnswer }>(
        DECIDE,
        {
          input: {
            caseId,
            outcome: 'SUSPEND_MEMBER',
            reason: 'repeated harassment after a warning',
            guideline: { agreementId: 'code-of-conduct', version: 2, section: '3.1' },
            suspendUntil: until,
            expectedRevision: 3,
          },
        },
        { token: tokens['cm-1'] },
      ),
    ).decideModerationCase;
    expect(decided).toMatchObject({
      status: 'DECIDED',
      revision: 4,
      decision: { outcome: 'SUSPEND_MEMBER', decidedBy: 'cm-1', reason: 'repeated harassment after a warning' },
      sanction: { id: `${caseId}:sanction`, kind: 'SUSPENSION', until, liftedAt: null, active: true },
    });
    expect((await stored(caseId)).at(-1)?.metadata).toMatchObject({
      actorId: 'cm-1',
      authority: 'role:COMMUNITY_MANAGER',
      reason: 'repeated harassment after a warning',
    });
    const suspended = ok(
      await t.graphql<{ memberStanding: Record<string, unknown> }>(STANDING, { memberId: author }, { token: tokens['cm-2'] }),
    );
    expect(suspended.memberStanding).toMatchObject({
      memberId: author,
      suspended: true,
      activeSanctions: [{ id: `${caseId}:sanction`, caseId, kind: 'SUSPENSION', active: true }],
    });

    const authorToken = await tokenFor(author, Role.MEMBER);
    const appealed = ok(
      await t.graphql<{ fileAppeal: CaseAnswer }>(
        APPEAL,
        { input: { caseId, statement: 'It was a joke between friends' } },
        { token: authorToken },
      ),
    ).fileAppeal;
    // The author sees the outcome and their appeal, but not who reported them.
    expect(appealed).toMatchObject({
      status: 'APPEALED',
      flags: [],
      appeal: { statement: 'It was a joke between friends', outcome: null },
    });

    // Four eyes: the manager who decided cannot decide the appeal; nothing is appended.
    const own = await t.graphql(
      DECIDE_APPEAL,
      { input: { caseId, outcome: 'OVERTURNED', reason: 'on reflection' } },
      { token: tokens['cm-1'] },
    );
    refused(own, 'FORBIDDEN', /four eyes/);
    expect(await stored(caseId)).toHaveLength(6);

    const overturned = ok(
      await t.graphql<{ decideAppeal: CaseAnswer }>(
        DECIDE_APPEAL,
        { input: { caseId, outcome: 'OVERTURNED', reason: 'context shows banter', expectedRevision: 5 } },
        { token: tokens['cm-2'] },
      ),
    ).decideAppeal;
    expect(overturned).toMatchObject({
      status: 'CLOSED',
      revision: 7,
      appeal: { outcome: 'OVERTURNED', decidedBy: 'cm-2' },
      sanction: { active: false },
    });
    expect(overturned.sanction?.liftedAt).not.toBeNull();
    expect((await stored(caseId)).slice(-2).map((e) => e.type)).toEqual(['AppealDecided', 'SanctionLifted']);

    const standing = ok(
      await t.graphql<{ memberStanding: Record<string, unknown> }>(STANDING, { memberId: author }, { token: authorToken }),
    );
    expect(standing.memberStanding).toMatchObject({
      suspended: false,
      activeSanctions: [],
      sanctionHistory: [{ id: `${caseId}:sanction`, caseId, active: false }],
      notes: [],
    });
    const read = ok(await t.graphql<{ moderationCase: CaseAnswer }>(CASE, { id: caseId }, { token: tokens.auditor! }));
    expect(read.moderationCase).toMatchObject({ status: 'CLOSED', revision: 7 });
  });

  test('a group owner moderates the cases of their group, under an authority the record names, but cannot suspend', async () => {
    const owner = uid('owner');
    const groupId = await groupOwnedBy(owner);
    const ownerToken = await tokenFor(owner, Role.GROUP_OWNER);
    const contentId = uid('post');
    const author = uid('author');
    const caseId = ok(await report('r-1', { contentId, authorId: author, groupId })).reportContent.id;

    const suspend = await t.graphql(DECIDE, { input: { caseId, outcome: 'SUSPEND_MEMBER', reason: 'too far' } }, { token: ownerToken });
    refused(suspend, 'FORBIDDEN', /reserved to community managers/);
    expect(await stored(caseId)).toHaveLength(2);

    const hidden = ok(
      await t.graphql<{ decideModerationCase: CaseAnswer }>(
        DECIDE,
        { input: { caseId, outcome: 'HIDE_CONTENT', reason: 'off-topic insult' } },
        { token: ownerToken },
      ),
    ).decideModerationCase;
    // Deciding an open case claims it on the way.
    expect(hidden).toMatchObject({ status: 'DECIDED', contentStatus: 'HIDDEN', assignedTo: owner, sanction: null });
    const events = await stored(caseId);
    expect(events.slice(-2).map((e) => e.type)).toEqual(['ModerationCaseClaimed', 'ModerationCaseDecided']);
    expect(events.at(-1)?.metadata.authority).toBe(`owner of group ${groupId} since revision 1`);

    // A new report on the same content after the decision opens case 2, which starts from the hidden status.
    const next = ok(await report('r-3', { contentId, authorId: author, groupId })).reportContent;
    expect(next).toMatchObject({ id: `${contentId}:2`, status: 'OPEN', contentStatus: 'HIDDEN' });

    // The owner of another group may not touch it; nor may an auditor or a plain member.
    const otherOwner = uid('owner');
    await groupOwnedBy(otherOwner);
    for (const token of [await tokenFor(otherOwner, Role.GROUP_OWNER), tokens.auditor!, await tokenFor('m-plain', Role.MEMBER)]) {
      refused(await t.graphql(CLAIM, { input: { caseId: next.id } }, { token }), 'FORBIDDEN');
    }
    expect(await stored(next.id)).toHaveLength(2);
  });

  test('an overturned appeal restores hidden content; an upheld one closes the case as it was', async () => {
    const author = uid('author');
    const authorToken = await tokenFor(author, Role.MEMBER);
    const hide = async () => {
      const caseId = ok(await report('r-1', { contentId: uid('post'), authorId: author })).reportContent.id;
      ok(await t.graphql(DECIDE, { input: { caseId, outcome: 'REMOVE_CONTENT', reason: 'spam link' } }, { token: tokens['cm-1'] }));
      ok(await t.graphql(APPEAL, { input: { caseId, statement: 'It is our team wiki' } }, { token: authorToken }));
      return caseId;
    };
    const restored = await hide();
    const overturned = ok(
      await t.graphql<{ decideAppeal: CaseAnswer }>(
        DECIDE_APPEAL,
        { input: { caseId: restored, outcome: 'OVERTURNED', reason: 'internal link' } },
        { token: tokens['cm-2'] },
      ),
    );
    expect(overturned.decideAppeal).toMatchObject({ status: 'CLOSED', contentStatus: 'VISIBLE', sanction: null });
    const kept = await hide();
    const upheld = ok(
      await t.graphql<{ decideAppeal: CaseAnswer }>(
        DECIDE_APPEAL,
        { input: { caseId: kept, outcome: 'UPHELD', reason: 'external spam' } },
        { token: tokens['cm-2'] },
      ),
    );
    expect(upheld.decideAppeal).toMatchObject({ status: 'CLOSED', contentStatus: 'REMOVED', appeal: { outcome: 'UPHELD' } });
    refused(await t.graphql(APPEAL, { input: { caseId: kept, statement: 'again' } }, { token: authorToken }), 'CONFLICT', /appealed once/);
  });

  test('two managers deciding one case at once: exactly one wins, the other gets CONFLICT', async () => {
    const caseId = ok(await report('r-1', { contentId: uid('post'), authorId: uid('author') })).reportContent.id;
    const [a, b] = await Promise.all([
      t.graphql(DECIDE, { input: { caseId, outcome: 'HIDE_CONTENT', reason: 'manager one' } }, { token: tokens['cm-1'] }),
      t.graphql(DECIDE, { input: { caseId, outcome: 'NO_ACTION', reason: 'manager two' } }, { token: tokens['cm-2'] }),
    ]);
    const outcomes = [a, b].map((r) => (r.errors ? r.errors[0]?.extensions?.code : 'OK')).sort();
    expect(outcomes).toEqual(['CONFLICT', 'OK']);
    expect((await stored(caseId)).filter((e) => e.type === 'ModerationCaseDecided')).toHaveLength(1);
  });

  test('authorization: each role is refused what it may not do, and nothing is appended', async () => {
    const author = uid('author');
    const authorToken = await tokenFor(author, Role.MEMBER);
    const owner = uid('owner');
    const groupId = await groupOwnedBy(owner);
    const caseId = ok(await report('r-1', { contentId: uid('post'), authorId: author, groupId })).reportContent.id;
    const appealed = ok(await report('r-1', { contentId: uid('post'), authorId: author, groupId })).reportContent.id;
    ok(await t.graphql(DECIDE, { input: { caseId: appealed, outcome: 'WARN_MEMBER', reason: 'tone' } }, { token: tokens['cm-1'] }));
    ok(await t.graphql(APPEAL, { input: { caseId: appealed, statement: 'I was provoked' } }, { token: authorToken }));
    const before = [(await stored(caseId)).length, (await stored(appealed)).length];

    const otherOwner = uid('owner');
    await groupOwnedBy(otherOwner);
    const roles: [string, string][] = [
      ['member', await tokenFor(uid('m'), Role.MEMBER)],
      ['auditor', tokens.auditor!],
      ['privacy officer', await tokenFor(uid('po'), Role.PRIVACY_OFFICER)],
      ['owner of another group', await tokenFor(otherOwner, Role.GROUP_OWNER)],
    ];
    for (const [name, token] of roles) {
      refused(await t.graphql(CLAIM, { input: { caseId } }, { token }), 'FORBIDDEN');
      refused(await t.graphql(DECIDE, { input: { caseId, outcome: 'NO_ACTION', reason: 'fine' } }, { token }), 'FORBIDDEN');
      refused(await t.graphql(DECIDE_APPEAL, { input: { caseId: appealed, outcome: 'UPHELD', reason: 'ok' } }, { token }), 'FORBIDDEN');
      refused(await t.graphql(ADD_NOTE, { input: { memberId: author, text: 'note' } }, { token }), 'FORBIDDEN');
      const standing = await t.graphql(STANDING, { memberId: author }, { token });
      // Auditors read every member's standing; the others only their own.
      if (name === 'auditor') expect(standing.errors).toBeUndefined();
      else refused(standing, 'FORBIDDEN');
    }
    // The owner of the case's group moderates it but does not decide appeals (community managers only).
    const ownerToken = await tokenFor(owner, Role.GROUP_OWNER);
    refused(
      await t.graphql(DECIDE_APPEAL, { input: { caseId: appealed, outcome: 'UPHELD', reason: 'ok' } }, { token: ownerToken }),
      'FORBIDDEN',
    );
    // Only the author appeals; the author never moderates their own case, whatever their role.
    refused(await t.graphql(APPEAL, { input: { caseId: appealed, statement: 'me too' } }, { token: tokens['cm-2'] }), 'FORBIDDEN');
    const authorAsManager = await t.token(author, Role.COMMUNITY_MANAGER);
    refused(await t.graphql(CLAIM, { input: { caseId } }, { token: authorAsManager }), 'FORBIDDEN', /your own content/);
    refused(
      await t.graphql(DECIDE_APPEAL, { input: { caseId: appealed, outcome: 'OVERTURNED', reason: 'mine' } }, { token: authorAsManager }),
      'FORBIDDEN',
    );
    // Anyone not involved cannot read a case at all.
    refused(await t.graphql(CASE, { id: caseId }, { token: await tokenFor(uid('m'), Role.MEMBER) }), 'FORBIDDEN');
    expect([(await stored(caseId)).length, (await stored(appealed)).length]).toEqual(before);
  });

  test('certification gate: a suspended owner cannot moderate; a group that requires certification bars an owner who has none', async () => {
    const manager = { token: tokens['cm-1'] };
    const programmeId = uid('prog');
    ok(
      await t.graphql(
        `mutation($input: DefineTrainingProgrammeInput!) { defineTrainingProgramme(input: $input) { id } }`,
        { input: { programmeId, title: 'Owner basics', modules: [{ id: 'intro', title: 'Introduction', required: true }] } },
        manager,
      ),
    );
    ok(
      await t.graphql(
        `mutation($input: DefineCertificationLevelInput!) { defineCertificationLevel(input: $input) { level } }`,
        { input: { level: 1, name: 'Certified owner', requiredProgrammes: [programmeId], validityMonths: 12 } },
        manager,
      ),
    );
    const owner = uid('owner');
    const groupId = await groupOwnedBy(owner);
    const ownerToken = await tokenFor(owner, Role.GROUP_OWNER);
    ok(
      await t.graphql(
        `mutation($input: EnrolInTrainingInput!) { enrolInTraining(input: $input) { status } }`,
        { input: { programmeId, memberId: owner } },
        manager,
      ),
    );
    ok(
      await t.graphql(
        `mutation($input: CompleteTrainingModuleInput!) { completeTrainingModule(input: $input) { status } }`,
        { input: { programmeId, memberId: owner, moduleId: 'intro' } },
        manager,
      ),
    );
    ok(
      await t.graphql(
        `mutation($input: AwardCertificationInput!) { awardCertification(input: $input) { status } }`,
        { input: { memberId: owner, level: 1 } },
        manager,
      ),
    );

    const decide = async (caseId: string, token: string) =>
      t.graphql(DECIDE, { input: { caseId, outcome: 'HIDE_CONTENT', reason: 'off-topic' } }, { token });
    const certified = ok(await report('r-1', { contentId: uid('post'), authorId: uid('author'), groupId })).reportContent.id;
    ok(await decide(certified, ownerToken));

    ok(
      await t.graphql(
        `mutation($input: ChangeCertificationInput!) { suspendCertification(input: $input) { status } }`,
        { input: { memberId: owner, reason: 'complaints under review' } },
        manager,
      ),
    );
    const suspended = ok(await report('r-1', { contentId: uid('post'), authorId: uid('author'), groupId })).reportContent.id;
    refused(
      await t.graphql(CLAIM, { input: { caseId: suspended } }, { token: ownerToken }),
      'FORBIDDEN',
      /your certification is suspended/,
    );
    refused(await decide(suspended, ownerToken), 'FORBIDDEN', /only while certified/);
    expect(await stored(suspended)).toHaveLength(2);

    // An owner who was never certified moderates, until the group requires certified owners.
    const newcomer = uid('owner');
    const otherGroup = await groupOwnedBy(newcomer);
    const newcomerToken = await tokenFor(newcomer, Role.GROUP_OWNER);
    ok(
      await decide(
        ok(await report('r-1', { contentId: uid('post'), authorId: uid('author'), groupId: otherGroup })).reportContent.id,
        newcomerToken,
      ),
    );
    const required = ok(
      await t.graphql<{ setGroupCertificationRequirement: { requiresCertification: boolean } }>(
        `mutation($input: SetGroupCertificationRequirementInput!) { setGroupCertificationRequirement(input: $input) { requiresCertification } }`,
        { input: { groupId: otherGroup, required: true } },
        manager,
      ),
    );
    expect(required.setGroupCertificationRequirement.requiresCertification).toBe(true);
    const barred = ok(await report('r-1', { contentId: uid('post'), authorId: uid('author'), groupId: otherGroup })).reportContent.id;
    refused(await decide(barred, newcomerToken), 'FORBIDDEN', new RegExp(`group ${otherGroup} requires certified owners`));
    expect(await stored(barred)).toHaveLength(2);
    // Community managers are not gated.
    ok(await decide(barred, tokens['cm-2']!));

    // Community managers see which groups are run by owners who are not currently certified.
    const coverage = `query($after: String) { groupsWithUncertifiedOwners(first: 100, after: $after) {
      totalCount pageInfo { hasNextPage endCursor } edges { node { group { id } uncertifiedOwners { memberId status } } } } }`;
    const gaps = new Map<string, unknown>();
    for (let after: string | null = null; ;) {
      const page: {
        groupsWithUncertifiedOwners: {
          pageInfo: { hasNextPage: boolean; endCursor: string };
          edges: { node: { group: { id: string }; uncertifiedOwners: unknown } }[];
        };
      } = ok(await t.graphql(coverage, { after }, { token: tokens.auditor! }));
      for (const edge of page.groupsWithUncertifiedOwners.edges) gaps.set(edge.node.group.id, edge.node.uncertifiedOwners);
      if (!page.groupsWithUncertifiedOwners.pageInfo.hasNextPage) break;
      after = page.groupsWithUncertifiedOwners.pageInfo.endCursor;
    }
    expect(gaps.get(groupId)).toEqual([{ memberId: owner, status: 'SUSPENDED' }]);
    expect(gaps.get(otherGroup)).toEqual([{ memberId: newcomer, status: 'NOT_CERTIFIED' }]);
    refused(await t.graphql(coverage, {}, { token: ownerToken }), 'FORBIDDEN');
    ok(
      await t.graphql(
        `mutation($input: ChangeCertificationInput!) { reinstateCertification(input: $input) { status } }`,
        { input: { memberId: owner, reason: 'complaints unfounded' } },
        manager,
      ),
    );
    const reinstated = ok(
      await t.graphql<{ groupsWithUncertifiedOwners: { edges: { node: { group: { id: string } } }[] } }>(coverage, {}, manager),
    );
    expect(reinstated.groupsWithUncertifiedOwners.edges.map((e) => e.node.group.id)).not.toContain(groupId);
  });

  test('bad input answers the right code and appends nothing', async () => {
    const author = uid('author');
    const caseId = ok(await report('r-1', { contentId: uid('post'), authorId: author })).reportContent.id;
    const decide = (input: Record<string, unknown>) =>
      t.graphql(DECIDE, { input: { caseId, outcome: 'HIDE_CONTENT', reason: 'fine', ...input } }, { token: tokens['cm-1'] });

    refused(await decide({ caseId: 'no-such-case:1' }), 'NOT_FOUND', /does not exist/);
    refused(await decide({ reason: '   ' }), 'BAD_USER_INPUT', /reason must not be empty/);
    refused(await decide({ reason: 'x'.repeat(2001) }), 'BAD_USER_INPUT', /reason must be at most 2000 characters/);
    refused(await decide({ outcome: 'BAN_FOREVER' }), 'BAD_USER_INPUT');
    refused(await decide({ outcome: 'SUSPEND_MEMBER', suspendUntil: '2020-01-01T00:00:00Z' }), 'BAD_USER_INPUT', /in the future/);
    refused(
      await decide({ suspendUntil: new Date(Date.now() + 86_400_000).toISOString() }),
      'BAD_USER_INPUT',
      /only to the outcome SUSPEND_MEMBER/,
    );
    refused(await decide({ suspendUntil: 'next tuesday' }), 'BAD_USER_INPUT');
    refused(await decide({ guideline: { agreementId: 'coc', version: 0 } }), 'BAD_USER_INPUT', /guideline.version/);
    refused(await decide({ guideline: { agreementId: 'coc-unpublished', version: 1 } }), 'BAD_USER_INPUT', /no published version 1/);
    refused(await decide({ expectedRevision: 0 }), 'CONFLICT');
    refused(await report('r-2', { contentId: 'bad id with spaces', authorId: author }), 'BAD_USER_INPUT', /contentId/);
    refused(await report(author, { contentId: uid('post'), authorId: author }), 'FORBIDDEN', /your own content/);
    refused(await report('r-2', { contentId: uid('post'), authorId: author, groupId: 'g-missing' }), 'NOT_FOUND', /group g-missing/);
    refused(await report('r-2', { contentId: uid('post'), authorId: author }, { note: 'n'.repeat(2001) }), 'BAD_USER_INPUT', /note/);
    expect(await stored(caseId)).toHaveLength(2);
    refused(await t.graphql(CLAIM, { input: { caseId } }), 'UNAUTHENTICATED');
    refused(
      await t.graphql(APPEAL, { input: { caseId, statement: 'unfair' } }, { token: await tokenFor(author, Role.MEMBER) }),
      'CONFLICT',
      /not decided yet/,
    );
    expect(await stored(caseId)).toHaveLength(2);
  });

  test('the queue filters by status, group and assignee, oldest first, with a total; owners see their groups only', async () => {
    const owner = uid('owner');
    const groupId = await groupOwnedBy(owner);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++)
      ids.push(ok(await report('r-1', { contentId: uid('post'), authorId: uid('author'), groupId })).reportContent.id);
    ok(await t.graphql(CLAIM, { input: { caseId: ids[1] } }, { token: tokens['cm-2'] }));

    const inGroup = ok(
      await t.graphql<{ moderationQueue: { totalCount: number; edges: { node: { id: string } }[] } }>(
        QUEUE,
        { filter: { groupId } },
        { token: tokens['cm-1'] },
      ),
    );
    expect(inGroup.moderationQueue.totalCount).toBe(3);
    expect(inGroup.moderationQueue.edges.map((e) => e.node.id)).toEqual(ids);

    const open = ok(
      await t.graphql<{ moderationQueue: { edges: { node: { id: string } }[] } }>(
        QUEUE,
        { filter: { groupId, status: ['OPEN'] } },
        { token: tokens['cm-1'] },
      ),
    );
    expect(open.moderationQueue.edges.map((e) => e.node.id)).toEqual([ids[0], ids[2]]);
    const mine = ok(
      await t.graphql<{ moderationQueue: { edges: { node: { id: string; assignedTo: string } }[] } }>(
        QUEUE,
        { filter: { groupId, assignedTo: 'cm-2' } },
        { token: tokens['cm-1'] },
      ),
    );
    expect(mine.moderationQueue.edges.map((e) => e.node)).toEqual([{ id: ids[1], status: 'IN_REVIEW', groupId, assignedTo: 'cm-2' }]);

    // Paging: two pages of the group's cases, no gap, no repeat.
    const page1 = ok(
      await t.graphql<{ moderationQueue: { pageInfo: { hasNextPage: boolean; endCursor: string }; edges: { node: { id: string } }[] } }>(
        QUEUE,
        { filter: { groupId }, first: 2 },
        { token: tokens['cm-1'] },
      ),
    );
    const page2 = ok(
      await t.graphql<{ moderationQueue: { pageInfo: { hasNextPage: boolean }; edges: { node: { id: string } }[] } }>(
        QUEUE,
        { filter: { groupId }, first: 2, after: page1.moderationQueue.pageInfo.endCursor },
        { token: tokens['cm-1'] },
      ),
    );
    expect([...page1.moderationQueue.edges, ...page2.moderationQueue.edges].map((e) => e.node.id)).toEqual(ids);
    expect([page1.moderationQueue.pageInfo.hasNextPage, page2.moderationQueue.pageInfo.hasNextPage]).toEqual([true, false]);

    // The owner sees their group's cases without naming it, and nothing of other groups.
    const ownerToken = await tokenFor(owner, Role.GROUP_OWNER);
    const ownerQueue = ok(await t.graphql<{ moderationQueue: { totalCount: number } }>(QUEUE, {}, { token: ownerToken }));
    expect(ownerQueue.moderationQueue.totalCount).toBe(3);
    refused(await t.graphql(QUEUE, { filter: { groupId: 'g-someone-else' } }, { token: ownerToken }), 'FORBIDDEN');
    refused(await t.graphql(QUEUE, {}, { token: await tokenFor('m-plain', Role.MEMBER) }), 'FORBIDDEN');
    refused(await t.graphql(QUEUE, { after: 'not-a-cursor' }, { token: tokens['cm-1'] }), 'BAD_USER_INPUT');
  });

  test('the queue and the uncertified-owner list page backward with last/before, as forward, for staff and owners', async () => {
    const owner = uid('owner');
    const groupId = await groupOwnedBy(owner);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++)
      ids.push(ok(await report('r-1', { contentId: uid('post'), authorId: uid('author'), groupId })).reportContent.id);
    const queueQuery = `query($filter: ModerationQueueFilter, $first: Int, $after: String, $last: Int, $before: String) {
      moderationQueue(filter: $filter, first: $first, after: $after, last: $last, before: $before) {
        totalCount edges { cursor node { id } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`;
    const queue = (token: string, filter: Record<string, unknown>) =>
      connectionPages((query, variables) => t.graphql(query, variables, { token }), {
        query: queueQuery,
        field: 'moderationQueue',
        totalCount: 5,
        variables: { filter },
      });
    // Oldest first, whichever way it is read; the owner (no filter: their groups) reads the same list.
    await expectPagingBothWays(queue(tokens['cm-1']!, { groupId }), ids, 2);
    await expectPagingBothWays(queue(await tokenFor(owner, Role.GROUP_OWNER), {}), ids, 3);
    const end = ok(
      await t.graphql<{ moderationQueue: { edges: { node: { id: string } }[]; pageInfo: Record<string, unknown> } }>(
        queueQuery,
        { filter: { groupId }, last: 2 },
        { token: tokens.auditor },
      ),
    );
    expect(end.moderationQueue.edges.map((edge) => edge.node.id)).toEqual(ids.slice(-2));
    expect(end.moderationQueue.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
    refused(await t.graphql(queueQuery, { filter: { groupId }, before: 'bm90IGEgY3Vyc29y' }, { token: tokens['cm-1'] }), 'BAD_USER_INPUT');
    refused(await t.graphql(queueQuery, { filter: { groupId }, last: 101 }, { token: tokens['cm-1'] }), 'BAD_USER_INPUT');

    // Groups whose owners are not certified (these three owners never were), by group id both ways.
    for (let i = 0; i < 3; i++) await groupOwnedBy(uid('owner'));
    const coverageQuery = `query($first: Int, $after: String, $last: Int, $before: String) {
      groupsWithUncertifiedOwners(first: $first, after: $after, last: $last, before: $before) {
        totalCount edges { cursor node { group { id } } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`;
    const everyGap: string[] = [];
    for (let after: string | null = null; ;) {
      const page: {
        groupsWithUncertifiedOwners: {
          edges: { node: { group: { id: string } } }[];
          pageInfo: { hasNextPage: boolean; endCursor: string };
        };
      } = ok(await t.graphql(coverageQuery, { first: 100, after }, { token: tokens.auditor }));
      everyGap.push(...page.groupsWithUncertifiedOwners.edges.map((edge) => edge.node.group.id));
      if (!page.groupsWithUncertifiedOwners.pageInfo.hasNextPage) break;
      after = page.groupsWithUncertifiedOwners.pageInfo.endCursor;
    }
    expect(everyGap).toContain(groupId);
    const coverage = connectionPages((query, variables) => t.graphql(query, variables, { token: tokens['cm-1'] }), {
      query: coverageQuery,
      field: 'groupsWithUncertifiedOwners',
      totalCount: everyGap.length,
      idOf: (node) => (node.group as { id: string }).id,
    });
    await expectPagingBothWays(coverage, everyGap, 3);
    refused(await t.graphql(coverageQuery, { before: '***' }, { token: tokens['cm-1'] }), 'BAD_USER_INPUT');
    refused(await t.graphql(coverageQuery, { last: 0 }, { token: tokens['cm-1'] }), 'BAD_USER_INPUT');
  });

  test('moderator notes: staff only, encrypted, never edited, retracted by a new event', async () => {
    const memberId = uid('m');
    await register(memberId);
    const text = 'Spoke with them about tone on 3 March';
    const added = ok(
      await t.graphql<{ addModeratorNote: { notes: { id: string; text: string; retracted: boolean }[] } }>(
        ADD_NOTE,
        { input: { memberId, text } },
        { token: tokens['cm-1'] },
      ),
    );
    expect(added.addModeratorNote.notes).toMatchObject([{ memberId, text, authorId: 'cm-1', retracted: false }]);
    const noteId = added.addModeratorNote.notes[0]!.id;
    const [event] = await t.storedEvents(`moderator_notes-${memberId}`);
    expect(event?.data).not.toContain('Spoke with them');

    const memberToken = await tokenFor(memberId, Role.MEMBER);
    expect(
      ok(await t.graphql<{ memberStanding: { notes: unknown[] } }>(STANDING, { memberId }, { token: memberToken })).memberStanding.notes,
    ).toEqual([]);
    refused(await t.graphql(STANDING, { memberId }, { token: await tokenFor('m-plain', Role.MEMBER) }), 'FORBIDDEN');
    refused(
      await t.graphql(ADD_NOTE, { input: { memberId, text: 'me too' } }, { token: await tokenFor(uid('owner'), Role.GROUP_OWNER) }),
      'FORBIDDEN',
    );
    refused(
      await t.graphql(ADD_NOTE, { input: { memberId: uid('ghost'), text } }, { token: tokens['cm-1'] }),
      'NOT_FOUND',
      /not registered/,
    );
    refused(await t.graphql(ADD_NOTE, { input: { memberId, text: ' ' } }, { token: tokens['cm-1'] }), 'BAD_USER_INPUT');

    const retracted = ok(
      await t.graphql<{ retractModeratorNote: { notes: { id: string; retracted: boolean }[] } }>(
        RETRACT_NOTE,
        { input: { memberId, noteId, reason: 'wrong member' } },
        { token: tokens['cm-2'] },
      ),
    );
    expect(retracted.retractModeratorNote.notes).toMatchObject([{ id: noteId, text, retracted: true }]);
    refused(await t.graphql(RETRACT_NOTE, { input: { memberId, noteId } }, { token: tokens['cm-2'] }), 'CONFLICT', /already retracted/);
    const events = await t.storedEvents(`moderator_notes-${memberId}`);
    expect(events.map((e) => e.type)).toEqual(['ModeratorNoteAdded', 'ModeratorNoteRetracted']);
    expect(events[1]?.metadata.reason).toBeNull();
    expect(events[1]?.data).not.toContain('wrong member');
  });

  test('a suspension with an end date expires by itself, recorded once by the system', async () => {
    const author = uid('author');
    const caseId = ok(await report('r-1', { contentId: uid('post'), authorId: author })).reportContent.id;
    const until = new Date(Date.now() + 1500).toISOString();
    ok(
      await t.graphql(
        DECIDE,
        { input: { caseId, outcome: 'SUSPEND_MEMBER', reason: 'cool-off', suspendUntil: until } },
        { token: tokens['cm-1'] },
      ),
    );
    await eventually(
      async () => {
        const events = await stored(caseId);
        expect(events.at(-1)).toMatchObject({ type: 'SanctionExpired', metadata: { actorId: 'system', source: 'automation' } });
      },
      10_000,
      100,
    );
    const standing = ok(
      await t.graphql<{ memberStanding: { suspended: boolean } }>(STANDING, { memberId: author }, { token: tokens['cm-1'] }),
    );
    expect(standing.memberStanding.suspended).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await stored(caseId)).filter((e) => e.type === 'SanctionExpired')).toHaveLength(1);
  });
});
