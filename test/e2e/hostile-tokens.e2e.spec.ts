import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { createClient } from 'graphql-ws';
import { generateKeyPair, SignJWT } from 'jose';
import { Role } from '../../src/platform/auth/role.ts';
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

  test.each([
    ['a NUL', 'm\u0000nul'],
    ['a bell', 'm\u0007bell'],
    ['a line break', 'm-1\nforged-log-line'],
    ['5,000 characters', 'x'.repeat(5_000)],
    ['10,000 characters', 'x'.repeat(10_000)],
    ['a lone surrogate', '\uD800'],
    ['a path', '../../etc/passwd'],
    ['a space', 'm 1'],
  ])('a subject (sub) with %s is not a member id: 401 UNAUTHENTICATED, nothing appended', async (_what, sub) => {
    const answer = await expectRefusedAt401(t, await hs({ sub, roles: ['COMMUNITY_MANAGER'] }));
    expect(answer.text).not.toContain(sub);
    for (const query of ['{ me { id } }', '{ myCertification { status } }', '{ myPendingAgreements { id } }']) {
      const read = await post(t, JSON.stringify({ query }), await hs({ sub, roles: ['MEMBER'] }));
      expect({ query, status: read.status, codes: read.codes }).toEqual({ query, status: 401, codes: ['UNAUTHENTICATED'] });
    }
  });

  test('over WebSocket, a token whose subject is not a member id is refused as UNAUTHENTICATED', async () => {
    const client = createClient({
      url: `${t.service.url.replace('http', 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${await hs({ sub: 'auditor\u0000ws', roles: ['AUDITOR'] })}` },
      retryAttempts: 0,
    });
    try {
      // An accepted subscription would just wait for events: after 5 s without a refusal, that is the answer.
      const errors = await new Promise<unknown>((resolve) => {
        const accepted = setTimeout(() => resolve('subscribed, not refused'), 5_000);
        const settle = (value: unknown) => {
          clearTimeout(accepted);
          resolve(value);
        };
        client.subscribe(
          { query: 'subscription { governanceEvents { position } }' },
          { next: () => undefined, error: settle, complete: () => settle([]) },
        );
      });
      expect(errors).toEqual([expect.objectContaining({ extensions: { code: 'UNAUTHENTICATED' } })]);
    } finally {
      await client.dispose();
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

/**
 * POST /admin/dev-token against DNS rebinding: a page of another site whose name the attacker points at 127.0.0.1
 * reaches the service with its own Host (and Origin). Only loopback names, or a configured admin origin, get a token.
 * Node's fetch may not set Host: these requests go through node:http.
 */
describe('the development sign-in (POST /admin/dev-token) answers only to loopback or a configured origin', () => {
  let t: TestService;
  const BODY = JSON.stringify({ memberId: 'cm-dev', roles: ['COMMUNITY_MANAGER'] });

  beforeAll(async () => {
    t = await startTestService({
      auth: { mode: 'hs256', secret: SECRET, source: 'generated development secret' },
      env: { ADMIN_ORIGIN: 'https://admin.example.org, http://console.test:8080' },
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  function devToken(headers: Record<string, string>): Promise<{ status: number; body: string }> {
    const { port } = new URL(t.service.url);
    return new Promise((resolve, reject) => {
      const request = httpRequest(
        { host: '127.0.0.1', port, path: '/admin/dev-token', method: 'POST', headers: { 'content-type': 'application/json', ...headers } },
        (response) => {
          let body = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => (body += chunk));
          response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
        },
      );
      request.on('error', reject);
      request.end(BODY);
    });
  }

  test.each([
    ['localhost', { host: 'localhost:3000' }],
    ['127.0.0.1 without a port', { host: '127.0.0.1' }],
    ['[::1]', { host: '[::1]:3000' }],
    ['LOCALHOST, with a loopback Origin', { host: 'LOCALHOST:3000', origin: 'http://localhost:5173' }],
    ['the host of a configured admin origin, from that origin', { host: 'admin.example.org', origin: 'https://admin.example.org' }],
    ['127.0.0.1, from a configured origin', { host: '127.0.0.1:3000', origin: 'http://console.test:8080' }],
  ])('Host %s: a token', async (_what, headers) => {
    const answer = await devToken(headers);
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ token: expect.any(String) });
  });

  test.each([
    ['another name (DNS rebinding)', { host: 'attacker.example:3000' }, /Host/],
    ['a name that merely starts like localhost', { host: 'localhost.attacker.example' }, /Host/],
    ['a LAN address', { host: '192.168.1.20:3000' }, /Host/],
    ['0.0.0.0', { host: '0.0.0.0:3000' }, /Host/],
    ['with user info', { host: 'localhost@attacker.example' }, /Host/],
    ['loopback, from another site', { host: '127.0.0.1:3000', origin: 'http://attacker.example' }, /Origin/],
    ['loopback, from an opaque origin', { host: 'localhost:3000', origin: 'null' }, /Origin/],
    ['loopback, from a configured host on another scheme', { host: 'localhost', origin: 'http://admin.example.org' }, /Origin/],
    ['a configured host, from another site', { host: 'admin.example.org', origin: 'https://attacker.example' }, /Origin/],
  ])('Host %s: 403 with the reason, no token', async (_what, headers, reason) => {
    const answer = await devToken(headers);
    expect(answer.status).toBe(403);
    const body = JSON.parse(answer.body) as { message: string; token?: string };
    expect(body.token).toBeUndefined();
    expect(body.message).toMatch(reason);
    expect(body.message).not.toContain('attacker');
  });
});
