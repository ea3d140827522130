import { randomUUID } from 'node:crypto';
import { createClient } from 'graphql-ws';
import { generateKeyPair, SignJWT } from 'jose';
import { Role } from '../../src/auth/role.ts';
import { startTestService, type TestService } from '../support/test-service.ts';
import { LocalIssuer } from '../security/local-issuer.ts';
import { eventCount, post } from '../security/schema-operations.ts';
import { buildWorld, must, type World } from '../security/world.ts';

/** The secret test/support/test-service.ts signs development tokens with (HS256). */
const SECRET = 'e2e-secret-that-is-long-enough-for-hs256-0123456789';
const AUDIENCE = 'governance-api';
const REGISTER = `mutation($input: RegisterMemberInput!) { registerMember(input: $input) { id } }`;
const now = () => Math.floor(Date.now() / 1000);
const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

function hs(claims: Record<string, unknown>, options: { secret?: string; alg?: string; setup?: (jwt: SignJWT) => SignJWT } = {}) {
  let jwt = new SignJWT(claims).setProtectedHeader({ alg: options.alg ?? 'HS256', typ: 'JWT' }).setIssuedAt();
  jwt = options.setup ? options.setup(jwt) : jwt.setExpirationTime('5m');
  return jwt.sign(new TextEncoder().encode(options.secret ?? SECRET));
}

/** A token that tries to register a member (a community manager's command) must be refused with 401 and append nothing. */
async function expectRefusedAt401(t: TestService, token: string | undefined, authorization?: string) {
  const memberId = `m-${randomUUID().slice(0, 8)}`;
  const before = await eventCount(t);
  const headers: Record<string, string> = authorization === undefined ? {} : { authorization };
  const answer = await post(
    t,
    JSON.stringify({ query: REGISTER, variables: { input: { memberId, displayName: 'X', department: 'Y' } } }),
    token ?? null,
    headers,
  );
  expect({ status: answer.status, codes: answer.codes }).toEqual({ status: 401, codes: ['UNAUTHENTICATED'] });
  expect(answer.json?.data).toBeUndefined();
  expect(await eventCount(t)).toBe(before);
  expect(await t.storedEvents(`member-${memberId}`)).toHaveLength(0);
  return answer;
}

describe('hostile tokens, HS256 (AUTH_JWT_SECRET)', () => {
  let t: TestService;

  beforeAll(async () => {
    t = await startTestService({ env: { SCHEDULER_INTERVAL_MS: '3600000' } });
  });
  afterAll(async () => {
    await t?.close();
  });

  const manager = { sub: 'cm-tokens', roles: ['COMMUNITY_MANAGER'] };

  test('a valid token of a community manager registers a member (the control case)', async () => {
    const answer = await post(
      t,
      JSON.stringify({
        query: REGISTER,
        variables: { input: { memberId: `m-${randomUUID().slice(0, 8)}`, displayName: 'X', department: 'Y' } },
      }),
      await hs(manager),
    );
    expect(answer.codes).toEqual([]);
  });

  test.each([
    ['signed with another secret', () => hs(manager, { secret: `${SECRET}-but-not-quite` })],
    ['HS512 with the right secret (only HS256 is taken)', () => hs(manager, { alg: 'HS512' })],
    ['HS384 with the right secret', () => hs(manager, { alg: 'HS384' })],
    ['expired a minute ago', () => hs(manager, { setup: (jwt) => jwt.setIssuedAt(now() - 3600).setExpirationTime(now() - 60) })],
    [
      'not valid for another ten minutes (nbf)',
      () => hs(manager, { setup: (jwt) => jwt.setNotBefore(now() + 600).setExpirationTime('20m') }),
    ],
    ['without an expiry', () => hs(manager, { setup: (jwt) => jwt })],
    ['without a subject', () => hs({ roles: ['COMMUNITY_MANAGER'] })],
    ['with an empty subject', () => hs({ ...manager, sub: '' })],
    ['unsecured (alg: none)', async () => `${encode({ alg: 'none', typ: 'JWT' })}.${encode({ ...manager, exp: now() + 300 })}.`],
    [
      'unsecured (alg: none) with a signature part',
      async () => `${encode({ alg: 'none' })}.${encode({ ...manager, exp: now() + 300 })}.c2ln`,
    ],
    [
      'a member token whose payload was rewritten to claim COMMUNITY_MANAGER',
      async () => {
        const [header, , signature] = (await hs({ sub: 'm-1', roles: ['MEMBER'] })).split('.');
        return `${header}.${encode({ sub: 'm-1', roles: ['COMMUNITY_MANAGER'], exp: now() + 300 })}.${signature}`;
      },
    ],
    [
      'RS256 from a key the service does not know',
      async () => {
        const { privateKey } = await generateKeyPair('RS256');
        return new SignJWT(manager).setProtectedHeader({ alg: 'RS256' }).setExpirationTime('5m').sign(privateKey);
      },
    ],
    ['not a JWT at all', async () => 'not-a-token'],
    ['three dots of nothing', async () => '..'],
    // Under Node's 16 KiB header limit (beyond it Node itself answers 431), so it reaches the verifier.
    ['with a header part of 8,000 characters', async () => `${'e'.repeat(8_000)}.${encode(manager)}.sig`],
  ])('a token %s is refused with 401 UNAUTHENTICATED; nothing is appended', async (_what, make) => {
    await expectRefusedAt401(t, await make());
  });

  test.each([
    ['Bearer with nothing after it', 'Bearer'],
    ['two tokens', 'Bearer a.b.c d.e.f'],
    ['another scheme', 'Basic Y206c2VjcmV0'],
  ])('an Authorization header of %s is refused with 401', async (_what, header) => {
    await expectRefusedAt401(t, undefined, header);
  });

  test('unknown role names grant nothing: the token is valid, the roles are dropped, a manager command is FORBIDDEN', async () => {
    const token = await hs({ sub: 'm-pretender', roles: ['ADMIN', 'SUPERUSER', 'community_manager', 'COMMUNITY_MANAGER ', 42, null] });
    const me = await t.graphql<{ me: { id: string; roles: string[] } }>('{ me { id roles } }', {}, { token });
    expect(me.data?.me).toEqual({ id: 'm-pretender', roles: [] });
    const before = await eventCount(t);
    const memberId = `m-${randomUUID().slice(0, 8)}`;
    const answer = await t.graphql(REGISTER, { input: { memberId, displayName: 'X', department: 'Y' } }, { token });
    expect(answer.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(await eventCount(t)).toBe(before);
  });

  test('a subject with control characters, or of 10,000 characters, is answered as a client error, never an internal one', async () => {
    for (const sub of ['m\u0000nul', 'm\u0007bell', 'x'.repeat(10_000), '\uD800', '../../etc/passwd']) {
      const token = await hs({ sub, roles: ['MEMBER'] });
      const before = await eventCount(t);
      for (const query of ['{ me { id } }', '{ myCertification { status } }', '{ myPendingAgreements { id } }']) {
        const answer = await post(t, JSON.stringify({ query }), token);
        expect({ sub: sub.slice(0, 20), query, codes: answer.codes.filter((c) => c === 'INTERNAL_SERVER_ERROR') }).toEqual({
          sub: sub.slice(0, 20),
          query,
          codes: [],
        });
        expect(answer.status).toBeLessThan(500);
      }
      const reported = await post(
        t,
        JSON.stringify({
          query: `mutation($input: ReportContentInput!) { reportContent(input: $input) { id } }`,
          variables: { input: { contentId: `c-${randomUUID().slice(0, 8)}`, contentType: 'post', authorId: 'm-someone', reason: 'SPAM' } },
        }),
        token,
      );
      expect(reported.status).toBeLessThan(500);
      expect(reported.codes).not.toContain('INTERNAL_SERVER_ERROR');
      if (reported.codes.length > 0) expect(await eventCount(t)).toBe(before);
    }
  });

  test('over WebSocket, an expired token is refused as UNAUTHENTICATED, formatted as over HTTP', async () => {
    const expired = await hs(
      { sub: 'auditor-ws', roles: ['AUDITOR'] },
      { setup: (jwt) => jwt.setIssuedAt(now() - 3600).setExpirationTime(now() - 60) },
    );
    const client = createClient({
      url: `${t.service.url.replace('http', 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${expired}` },
      retryAttempts: 0,
    });
    try {
      const errors = await new Promise<unknown>((resolve) => {
        client.subscribe(
          { query: 'subscription { governanceEvents { position } }' },
          { next: () => undefined, error: resolve, complete: () => resolve([]) },
        );
      });
      expect(errors).toEqual([expect.objectContaining({ extensions: { code: 'UNAUTHENTICATED' } })]);
    } finally {
      await client.dispose();
    }
  });
});

describe('roles claimed in a token that governance state does not grant', () => {
  let t: TestService;
  let world: World;

  beforeAll(async () => {
    t = await startTestService({ env: { SCHEDULER_INTERVAL_MS: '3600000' } });
    world = await buildWorld(t, 'gs');
  });
  afterAll(async () => {
    await t?.close();
  });

  const CLAIM = `mutation($input: ClaimModerationCaseInput!) { claimModerationCase(input: $input) { id } }`;
  const DECIDE = `mutation($input: DecideModerationCaseInput!) { decideModerationCase(input: $input) { id } }`;

  async function moderateAs(token: string) {
    const before = await eventCount(t);
    const { ids } = world;
    const claim = await t.graphql(CLAIM, { input: { caseId: ids.caseId } }, { token });
    const decide = await t.graphql(
      DECIDE,
      {
        input: { caseId: ids.caseId, outcome: 'REMOVE_CONTENT', reason: 'I say so', guideline: { agreementId: ids.agreement, version: 1 } },
      },
      { token },
    );
    const read = await t.graphql(`query($id: ID!) { moderationCase(id: $id) { id } }`, { id: ids.caseId }, { token });
    const queue = await t.graphql(`query($g: ID) { moderationQueue(filter: { groupId: $g }) { totalCount } }`, { g: ids.group }, { token });
    expect([claim, decide, read, queue].map((answer) => answer.errors?.[0]?.extensions?.code)).toEqual([
      'FORBIDDEN',
      'FORBIDDEN',
      'FORBIDDEN',
      'FORBIDDEN',
    ]);
    expect(await eventCount(t)).toBe(before);
  }

  test('GROUP_OWNER claimed by a member who owns no group: cannot see, claim or decide a group case', async () => {
    await moderateAs(await t.token(world.ids.callers.MEMBER, Role.GROUP_OWNER));
  });

  test("GROUP_OWNER of another group: cannot see, claim or decide this group's case", async () => {
    await moderateAs(world.tokens.OTHER_GROUP_OWNER!);
  });

  test('a removed owner keeps a GROUP_OWNER token and loses the authority at once', async () => {
    const { ids, tokens } = world;
    const formerOwner = ids.spare;
    const input = { groupId: ids.group, memberId: formerOwner };
    await must(
      t,
      'assign',
      `mutation($input: AssignGroupOwnerInput!) { assignGroupOwner(input: $input) { id } }`,
      { input },
      tokens.COMMUNITY_MANAGER!,
    );
    const token = await t.token(formerOwner, Role.GROUP_OWNER);
    const read = await t.graphql(`query($id: ID!) { moderationCase(id: $id) { id } }`, { id: ids.caseId }, { token });
    expect(read.errors).toBeUndefined();
    await must(
      t,
      'remove',
      `mutation($input: AssignGroupOwnerInput!) { removeGroupOwner(input: $input) { id } }`,
      { input },
      tokens.COMMUNITY_MANAGER!,
    );
    await moderateAs(token);
  });

  test('a token for someone who left, or who was never registered, cannot accept an agreement', async () => {
    const { ids, tokens } = world;
    await must(
      t,
      'left',
      `mutation($input: RecordMemberLeftInput!) { recordMemberLeft(input: $input) { id } }`,
      { input: { memberId: ids.leaver } },
      tokens.COMMUNITY_MANAGER!,
    );
    for (const memberId of [ids.leaver, 'gs-never-registered']) {
      const before = await eventCount(t);
      const answer = await t.graphql(
        `mutation($input: AcceptAgreementInput!) { acceptAgreement(input: $input) { pending } }`,
        { input: { agreementId: ids.agreement, version: 1 } },
        { token: await t.token(memberId, Role.MEMBER) },
      );
      expect(answer.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      expect(await eventCount(t)).toBe(before);
    }
  });

  test('an AUDITOR token that also claims COMMUNITY_MANAGER is still read-only', async () => {
    const token = await t.token('gs-auditor-cm', Role.AUDITOR, Role.COMMUNITY_MANAGER);
    const before = await eventCount(t);
    const answer = await t.graphql(REGISTER, { input: { memberId: 'gs-by-auditor', displayName: 'X', department: 'Y' } }, { token });
    expect(answer.errors?.[0]).toMatchObject({ extensions: { code: 'FORBIDDEN' }, message: expect.stringMatching(/AUDITOR is read-only/) });
    expect(await eventCount(t)).toBe(before);
    // Reading is what an auditor does.
    expect((await t.graphql('{ verifyHistory { ok } }', {}, { token })).errors).toBeUndefined();
  });
});

describe('hostile tokens, OIDC (RS256 from the issuer, for the audience)', () => {
  let t: TestService;
  const issuer = new LocalIssuer();

  beforeAll(async () => {
    await issuer.start();
    t = await startTestService({ auth: { mode: 'oidc', issuer: issuer.issuer, audience: AUDIENCE, jwksUri: undefined } });
  });
  afterAll(async () => {
    await t?.close();
    await issuer.close();
  });

  const claims = () => ({ iss: issuer.issuer, aud: AUDIENCE, sub: 'cm-oidc', roles: ['COMMUNITY_MANAGER'] });

  test('a token of the issuer for the audience registers a member (the control case)', async () => {
    const answer = await post(
      t,
      JSON.stringify({
        query: REGISTER,
        variables: { input: { memberId: `m-${randomUUID().slice(0, 8)}`, displayName: 'X', department: 'Y' } },
      }),
      await issuer.sign(claims()),
    );
    expect(answer.codes).toEqual([]);
  });

  test.each([
    ['from another issuer', () => issuer.sign({ ...claims(), iss: 'https://login.example.org' })],
    ['for another audience', () => issuer.sign({ ...claims(), aud: 'another-api' })],
    ['without an audience', () => issuer.sign({ iss: issuer.issuer, sub: 'cm-oidc', roles: ['COMMUNITY_MANAGER'] })],
    ['expired', () => issuer.sign(claims(), (jwt) => jwt.setIssuedAt(now() - 3600).setExpirationTime(now() - 60))],
    ['not valid yet', () => issuer.sign(claims(), (jwt) => jwt.setNotBefore(now() + 600).setExpirationTime('20m'))],
    ['without an expiry', () => issuer.sign(claims(), (jwt) => jwt)],
    [
      "signed by another key under the issuer's key id",
      async () => issuer.sign(claims(), undefined, (await generateKeyPair('RS256')).privateKey),
    ],
    ['unsecured (alg: none)', async () => `${encode({ alg: 'none', typ: 'JWT' })}.${encode({ ...claims(), exp: now() + 300 })}.`],
    ['HS256 signed with a guessed secret', () => hs(claims(), { secret: 'x'.repeat(32) })],
  ])('a token %s is refused with 401 UNAUTHENTICATED; nothing is appended', async (_what, make) => {
    await expectRefusedAt401(t, await make());
  });
});
