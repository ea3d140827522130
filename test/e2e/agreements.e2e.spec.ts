import { createHash } from 'node:crypto';
import { Role } from '../../src/platform/auth/role.ts';
import { startTestService, type GraphQLResponse, type TestService } from '../support/test-service.ts';

const VERSION_FIELDS = 'version title body requiresReacceptance publishedAt bodySha256 publishedBy';
const AGREEMENT_FIELDS = `id revision bindingVersion acceptedCount pendingCount currentVersion { ${VERSION_FIELDS} } versions { ${VERSION_FIELDS} }`;
const ACCEPTANCE_FIELDS = 'agreementId memberId acceptedVersion acceptedAt pending bindingVersion';

const PUBLISH = `mutation($input: PublishAgreementVersionInput!) { publishAgreementVersion(input: $input) { ${AGREEMENT_FIELDS} } }`;
const ACCEPT = `mutation($input: AcceptAgreementInput!) { acceptAgreement(input: $input) { ${ACCEPTANCE_FIELDS} } }`;
const AGREEMENT = `query($id: ID!) { agreement(id: $id) { ${AGREEMENT_FIELDS} } }`;
const ACCEPTANCE = `query($agreementId: ID!, $memberId: ID!) { agreementAcceptance(agreementId: $agreementId, memberId: $memberId) { ${ACCEPTANCE_FIELDS} } }`;
const PENDING = `{ myPendingAgreements { id currentVersion { version } bindingVersion acceptedCount pendingCount } }`;

interface VersionAnswer {
  version: number;
  title: string;
  body: string;
  requiresReacceptance: boolean;
  publishedAt: string;
  bodySha256: string;
  publishedBy: string;
}
interface AgreementAnswer {
  id: string;
  revision: number;
  bindingVersion: number;
  acceptedCount: number;
  pendingCount: number;
  currentVersion: VersionAnswer;
  versions: VersionAnswer[];
}
interface AcceptanceAnswer {
  agreementId: string;
  memberId: string;
  acceptedVersion: number | null;
  acceptedAt: string | null;
  pending: boolean;
  bindingVersion: number;
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

describe('agreements over HTTP', () => {
  let t: TestService;
  let cm: string;
  let auditor: string;
  const tokens: Record<string, string> = {};

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

  const graphql = <T = Record<string, unknown>>(query: string, variables: Record<string, unknown>, token: string) =>
    t.graphql<T>(query, variables, { token });
  const publish = async (input: Record<string, unknown>) =>
    ok(await graphql<{ publishAgreementVersion: AgreementAnswer }>(PUBLISH, { input }, cm)).publishAgreementVersion;
  const accept = async (memberId: string, agreementId: string, version: number, extra: Record<string, unknown> = {}) =>
    ok(await graphql<{ acceptAgreement: AcceptanceAnswer }>(ACCEPT, { input: { agreementId, version, ...extra } }, tokens[memberId]!))
      .acceptAgreement;
  const agreement = async (id: string, token = cm) =>
    ok(await graphql<{ agreement: AgreementAnswer | null }>(AGREEMENT, { id }, token)).agreement;
  const acceptance = async (agreementId: string, memberId: string, token = cm) =>
    ok(await graphql<{ agreementAcceptance: AcceptanceAnswer }>(ACCEPTANCE, { agreementId, memberId }, token)).agreementAcceptance;
  const pending = async (memberId: string) =>
    ok(await graphql<{ myPendingAgreements: { id: string }[] }>(PENDING, {}, tokens[memberId]!)).myPendingAgreements;
  const counts = async (id: string) => {
    const found = await agreement(id);
    return { acceptedCount: found?.acceptedCount, pendingCount: found?.pendingCount };
  };
  const stored = (streamId: string) => t.storedEvents(streamId);

  beforeAll(async () => {
    t = await startTestService();
    cm = await t.token('cm-1', Role.COMMUNITY_MANAGER);
    auditor = await t.token('auditor-1', Role.AUDITOR);
    // Three active members are bound by every agreement; Dan has left.
    for (const memberId of ['m-ann', 'm-ben', 'm-cat', 'm-dan']) {
      ok(
        await graphql(
          `
            mutation ($input: RegisterMemberInput!) {
              registerMember(input: $input) {
                id
              }
            }
          `,
          { input: { memberId, displayName: `Member ${memberId}`, department: 'Research' } },
          cm,
        ),
      );
      tokens[memberId] = await t.token(memberId, Role.MEMBER);
    }
    ok(
      await graphql(
        `
          mutation ($input: RecordMemberLeftInput!) {
            recordMemberLeft(input: $input) {
              id
            }
          }
        `,
        { input: { memberId: 'm-dan' } },
        cm,
      ),
    );
  });
  afterAll(async () => {
    await t?.close();
  });

  test('publish v1 → accept → v2 with re-acceptance → pending → accept → v3 without → not pending', async () => {
    const v1Body = 'Be kind to each other.';
    const v1 = await publish({
      agreementId: 'coc',
      title: 'Code of conduct',
      body: v1Body,
      requiresReacceptance: false,
      commandId: 'coc-v1',
    });
    const version1: VersionAnswer = {
      version: 1,
      title: 'Code of conduct',
      body: v1Body,
      requiresReacceptance: false,
      publishedAt: v1.currentVersion.publishedAt,
      bodySha256: sha256(v1Body),
      publishedBy: 'cm-1',
    };
    expect(v1).toEqual({
      id: 'coc',
      revision: 0,
      bindingVersion: 1,
      acceptedCount: 0,
      pendingCount: 3,
      currentVersion: version1,
      versions: [version1],
    });
    // Retried with the same commandId: the same answer, no version 2.
    expect(
      await publish({ agreementId: 'coc', title: 'Code of conduct', body: v1Body, requiresReacceptance: false, commandId: 'coc-v1' }),
    ).toEqual(v1);
    const [published] = await stored('agreement-coc');
    expect(JSON.parse(published!.data)).toMatchObject({ version: 1, bodySha256: sha256(v1Body), requiresReacceptance: false });
    expect(published!.metadata).toMatchObject({ actorId: 'cm-1', authority: 'role:COMMUNITY_MANAGER' });
    expect(await pending('m-ann')).toEqual([
      { id: 'coc', currentVersion: { version: 1 }, bindingVersion: 1, acceptedCount: 0, pendingCount: 3 },
    ]);

    const annV1 = await accept('m-ann', 'coc', 1);
    expect(annV1).toEqual({
      agreementId: 'coc',
      memberId: 'm-ann',
      acceptedVersion: 1,
      acceptedAt: annV1.acceptedAt,
      pending: false,
      bindingVersion: 1,
    });
    // Accepting twice adds nothing.
    expect(await accept('m-ann', 'coc', 1)).toEqual(annV1);
    const annStream = 'acceptance-coc-m-ann';
    expect((await stored(annStream)).map((event) => event.type)).toEqual(['AgreementAccepted']);
    expect((await stored(annStream))[0]?.metadata).toMatchObject({ actorId: 'm-ann', authority: 'self' });
    expect(await counts('coc')).toEqual({ acceptedCount: 1, pendingCount: 2 });
    expect(await pending('m-ann')).toEqual([]);

    // Version 2 requires re-acceptance: Ann is pending again.
    const v2Body = 'Be kind to each other. Meetings start on time.';
    const v2 = await publish({
      agreementId: 'coc',
      title: 'Code of conduct',
      body: v2Body,
      requiresReacceptance: true,
      expectedRevision: 0,
    });
    expect(v2).toMatchObject({
      revision: 1,
      bindingVersion: 2,
      acceptedCount: 0,
      pendingCount: 3,
      currentVersion: { version: 2, requiresReacceptance: true },
    });
    expect(v2.versions.map((version) => version.version)).toEqual([1, 2]);
    expect(await pending('m-ann')).toEqual([
      { id: 'coc', currentVersion: { version: 2 }, bindingVersion: 2, acceptedCount: 0, pendingCount: 3 },
    ]);
    expect(await acceptance('coc', 'm-ann', tokens['m-ann'])).toEqual({ ...annV1, pending: true, bindingVersion: 2 });
    // Version 1 is no longer current.
    refused(
      await graphql(ACCEPT, { input: { agreementId: 'coc', version: 1 } }, tokens['m-ann']!),
      'CONFLICT',
      'version 1 of agreement coc is no longer current: read and accept version 2',
    );
    expect(await stored(annStream)).toHaveLength(1);

    const annV2 = await accept('m-ann', 'coc', 2);
    expect(annV2).toEqual({
      agreementId: 'coc',
      memberId: 'm-ann',
      acceptedVersion: 2,
      acceptedAt: annV2.acceptedAt,
      pending: false,
      bindingVersion: 2,
    });
    await accept('m-ben', 'coc', 2);
    expect(await counts('coc')).toEqual({ acceptedCount: 2, pendingCount: 1 });
    expect(await pending('m-ann')).toEqual([]);
    expect(await pending('m-cat')).toEqual([
      { id: 'coc', currentVersion: { version: 2 }, bindingVersion: 2, acceptedCount: 2, pendingCount: 1 },
    ]);

    // Version 3 does not require re-acceptance: whoever accepted version 2 stays in good standing.
    const v3 = await publish({
      agreementId: 'coc',
      title: 'Code of conduct',
      body: `${v2Body} (Typos fixed.)`,
      requiresReacceptance: false,
    });
    expect(v3).toMatchObject({
      revision: 2,
      bindingVersion: 2,
      acceptedCount: 2,
      pendingCount: 1,
      currentVersion: { version: 3, requiresReacceptance: false },
    });
    expect(await acceptance('coc', 'm-ann', auditor)).toEqual(annV2);
    expect(await pending('m-ann')).toEqual([]);
    expect(await pending('m-cat')).toEqual([
      { id: 'coc', currentVersion: { version: 3 }, bindingVersion: 2, acceptedCount: 2, pendingCount: 1 },
    ]);
    // Cat accepts the current version 3, which clears version 2's obligation too.
    expect(await accept('m-cat', 'coc', 3)).toMatchObject({ acceptedVersion: 3, pending: false, bindingVersion: 2 });
    expect(await counts('coc')).toEqual({ acceptedCount: 3, pendingCount: 0 });
    expect(await pending('m-cat')).toEqual([]);
    expect((await stored('agreement-coc')).map((event) => event.type)).toEqual([
      'AgreementVersionPublished',
      'AgreementVersionPublished',
      'AgreementVersionPublished',
    ]);
  });

  test('authorization per role, and nothing appended when refused', async () => {
    await publish({ agreementId: 'guidelines', title: 'Community guidelines', body: 'Stay on topic.', requiresReacceptance: false });
    const before = await stored('agreement-guidelines');
    for (const token of [
      tokens['m-ann']!,
      auditor,
      await t.token('po-1', Role.PRIVACY_OFFICER),
      await t.token('owner-1', Role.GROUP_OWNER),
    ]) {
      refused(
        await graphql(PUBLISH, { input: { agreementId: 'guidelines', title: 'Mine', body: 'Mine', requiresReacceptance: true } }, token),
        'FORBIDDEN',
        // An auditor's token is read-only: every mutation refuses it first (src/platform/security/read-only-roles.ts).
        token === auditor
          ? 'a token with the role AUDITOR is read-only: auditors change nothing (act with another token)'
          : 'publishing an agreement version needs the role COMMUNITY_MANAGER',
      );
    }
    expect(await stored('agreement-guidelines')).toEqual(before);

    // Whether a member accepted: the member, community managers and auditors.
    expect(await acceptance('guidelines', 'm-ben', tokens['m-ben'])).toMatchObject({ memberId: 'm-ben', pending: true });
    expect(await acceptance('guidelines', 'm-ben', cm)).toMatchObject({ memberId: 'm-ben', pending: true });
    expect(await acceptance('guidelines', 'm-ben', auditor)).toMatchObject({ memberId: 'm-ben', pending: true });
    for (const token of [tokens['m-ann']!, await t.token('po-1', Role.PRIVACY_OFFICER), await t.token('owner-1', Role.GROUP_OWNER)]) {
      refused(
        await graphql(ACCEPTANCE, { agreementId: 'guidelines', memberId: 'm-ben' }, token),
        'FORBIDDEN',
        "reading a member's agreement acceptance is for the member themself or the role COMMUNITY_MANAGER or AUDITOR",
      );
    }

    // Only registered, active members accept, and only for themselves.
    refused(
      await graphql(ACCEPT, { input: { agreementId: 'guidelines', version: 1 } }, tokens['m-dan']!),
      'FORBIDDEN',
      'accepting an agreement is for active members: m-dan has left',
    );
    refused(
      await graphql(ACCEPT, { input: { agreementId: 'guidelines', version: 1 } }, cm),
      'FORBIDDEN',
      'accepting an agreement is for registered members: cm-1 is not in the member directory',
    );
    expect(await stored('acceptance-guidelines-m-dan')).toEqual([]);
    expect(await stored('acceptance-guidelines-cm-1')).toEqual([]);
    // Nothing is pending for someone who left or who is not a member.
    expect(await pending('m-dan')).toEqual([]);
    expect(ok(await graphql<{ myPendingAgreements: unknown[] }>(PENDING, {}, cm)).myPendingAgreements).toEqual([]);
    expect(await acceptance('guidelines', 'm-dan')).toMatchObject({ acceptedVersion: null, pending: false });

    // Without a token: nothing.
    refused(await t.graphql(AGREEMENT, { id: 'guidelines' }), 'UNAUTHENTICATED');
    refused(await t.graphql(PENDING, {}), 'UNAUTHENTICATED');
    refused(await t.graphql(ACCEPTANCE, { agreementId: 'guidelines', memberId: 'm-ben' }), 'UNAUTHENTICATED');
    refused(await t.graphql(ACCEPT, { input: { agreementId: 'guidelines', version: 1 } }), 'UNAUTHENTICATED');
    refused(
      await t.graphql(PUBLISH, { input: { agreementId: 'guidelines', title: 'T', body: 'B', requiresReacceptance: false } }),
      'UNAUTHENTICATED',
    );
    expect(await stored('agreement-guidelines')).toEqual(before);
  });

  test('bad inputs answer the right code and append nothing', async () => {
    await publish({ agreementId: 'notice', title: 'Privacy notice', body: 'We keep little.', requiresReacceptance: false });
    const notice = await stored('agreement-notice');
    const publishing = (input: Record<string, unknown>) =>
      graphql(
        PUBLISH,
        { input: { agreementId: 'notice', title: 'Privacy notice', body: 'We keep less.', requiresReacceptance: false, ...input } },
        cm,
      );

    refused(await publishing({ title: 't'.repeat(201) }), 'BAD_USER_INPUT', 'title must be at most 200 characters');
    refused(await publishing({ title: '   ' }), 'BAD_USER_INPUT', 'title must not be empty');
    refused(await publishing({ body: 'b'.repeat(100_001) }), 'BAD_USER_INPUT', 'body must be at most 100000 characters');
    refused(await publishing({ body: '' }), 'BAD_USER_INPUT', 'body must not be empty');
    refused(
      await publishing({ agreementId: 'privacy notice' }),
      'BAD_USER_INPUT',
      'agreementId must be 1 to 100 letters, digits or . _ : @ - characters',
    );
    refused(await publishing({ requiresReacceptance: null }), 'BAD_USER_INPUT');
    refused(await publishing({ expectedRevision: 5 }), 'CONFLICT', /changed meanwhile \(now at revision 0, you saw 5\)/);
    refused(await publishing({ agreementId: 'brand-new', expectedRevision: 0 }), 'CONFLICT');
    expect(await stored('agreement-notice')).toEqual(notice);
    expect(await stored('agreement-brand-new')).toEqual([]);

    const ann = tokens['m-ann']!;
    refused(await graphql(ACCEPT, { input: { agreementId: 'missing', version: 1 } }, ann), 'NOT_FOUND', 'agreement missing does not exist');
    refused(
      await graphql(ACCEPT, { input: { agreementId: 'notice', version: 2 } }, ann),
      'CONFLICT',
      'agreement notice has no version 2: the current version is 1',
    );
    refused(
      await graphql(ACCEPT, { input: { agreementId: 'notice', version: 0 } }, ann),
      'BAD_USER_INPUT',
      'version must be a whole number from 1',
    );
    refused(await graphql(ACCEPT, { input: { agreementId: 'notice' } }, ann), 'BAD_USER_INPUT');
    refused(await graphql(ACCEPT, { input: { agreementId: 'no tice', version: 1 } }, ann), 'BAD_USER_INPUT');
    expect(await stored('acceptance-notice-m-ann')).toEqual([]);
    expect(await stored('acceptance-missing-m-ann')).toEqual([]);

    refused(await graphql(ACCEPTANCE, { agreementId: 'missing', memberId: 'm-ann' }, cm), 'NOT_FOUND', 'agreement missing does not exist');
    refused(
      await graphql(ACCEPTANCE, { agreementId: 'notice', memberId: 'm-nobody' }, cm),
      'NOT_FOUND',
      'member m-nobody is not registered',
    );
    refused(await graphql(ACCEPTANCE, { agreementId: 'notice', memberId: 'm nobody' }, cm), 'BAD_USER_INPUT');
    expect(await agreement('missing')).toBeNull();
    expect(await agreement('not an id')).toBeNull();
  });
});
