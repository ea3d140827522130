import { createClient } from 'graphql-ws';
import { memberIdFor } from '../../src/modules/provisioning/scim.controller.ts';
import { Role } from '../../src/platform/auth/role.ts';
import { startTestService, type TestService } from '../support/test-service.ts';

// SCIM 2.0 provisioning (issue 20) as the directories drive it: the request sequences Microsoft Entra ID's provisioning
// service and Okta send (bodies from their documentation), retries included, and who may call it.

const SCIM_TOKEN = 'scim-static-secret-for-the-e2e-suite-0123456789';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const CORE = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';

interface ScimAnswer {
  status: number;
  etag: string | null;
  location: string | null;
  contentType: string | null;
  body: Record<string, unknown> | null;
}

describe('SCIM 2.0 provisioning over HTTP', () => {
  let t: TestService;

  beforeAll(async () => {
    t = await startTestService({ env: { SCIM_TOKEN } });
  });
  afterAll(async () => {
    await t?.close();
  });

  async function scim(
    method: string,
    path: string,
    body?: unknown,
    options: { token?: string | null; headers?: Record<string, string> } = {},
  ): Promise<ScimAnswer> {
    const token = options.token === undefined ? SCIM_TOKEN : options.token;
    const response = await fetch(`${t.service.url}/scim/v2${path}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/scim+json' }),
        ...(token === null ? {} : { authorization: `Bearer ${token}` }),
        ...options.headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return {
      status: response.status,
      etag: response.headers.get('etag'),
      location: response.headers.get('location'),
      contentType: response.headers.get('content-type'),
      body: text === '' ? null : (JSON.parse(text) as Record<string, unknown>),
    };
  }
  const filter = (expression: string) => `/Users?filter=${encodeURIComponent(expression)}`;
  const memberEvents = (id: string) => t.storedEvents(`member-${id}`);

  // Microsoft Entra ID: "Tutorial: Develop and plan provisioning for a SCIM endpoint", request 1 (create user).
  const entraUser = (userName: string, externalId: string) => ({
    schemas: [CORE, ENTERPRISE],
    externalId,
    userName,
    active: true,
    emails: [{ primary: true, type: 'work', value: userName }],
    meta: { resourceType: 'User' },
    name: { formatted: 'givenName familyName', familyName: 'familyName', givenName: 'givenName' },
    roles: [],
  });

  test("Entra ID's cycle: look up, create, retried create, mover, the same change again, disable, delete twice", async () => {
    const userName = 'Test_User_dfeef4c5-5681-4387-b016-bdf221e82081@contoso.com';
    expect((await scim('GET', filter(`userName eq "${userName}"`))).body).toMatchObject({ totalResults: 0, Resources: [] });

    const created = await scim('POST', '/Users', entraUser(userName, '0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef'));
    expect(created.status).toBe(201);
    expect(created.contentType).toMatch(/^application\/scim\+json/);
    const id = String(created.body!['id']);
    expect(created.location).toBe(`${t.service.url}/scim/v2/Users/${id}`);
    expect(created.etag).toBe('W/"0"');
    expect(created.body).toMatchObject({
      userName,
      displayName: 'givenName familyName',
      active: true,
      emails: [{ value: userName, type: 'work', primary: true }],
    });
    const [registered] = await memberEvents(id);
    expect(registered).toMatchObject({ type: 'MemberRegistered', metadata: { source: 'provisioning', actorId: 'scim-provisioner' } });
    // Personal data is stored encrypted, as every personal field: the user name is not in the stored event.
    expect(registered!.data).not.toContain('Test_User');

    // The directory retries a create whose answer it lost: refused as a uniqueness conflict, nothing recorded.
    const again = await scim('POST', '/Users', entraUser(userName, '0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef'));
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ schemas: [ERROR], status: '409', scimType: 'uniqueness' });
    expect(await memberEvents(id)).toHaveLength(1);

    // Found by user name whatever its case (caseExact false), and by externalId.
    const found = await scim('GET', filter(`userName eq "${userName.toUpperCase()}"`));
    expect(found.body).toMatchObject({ totalResults: 1, startIndex: 1, itemsPerPage: 1, Resources: [{ id }] });
    expect((await scim('GET', filter('externalId eq "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef"'))).body).toMatchObject({ totalResults: 1 });

    // A mover, in Entra's forms: capitalised op, the enterprise attribute as a path, an e-mail by filter.
    const move = {
      schemas: [PATCH_OP],
      Operations: [
        { op: 'Replace', path: `${ENTERPRISE}:department`, value: 'Sales' },
        { op: 'Replace', path: 'emails[type eq "work"].value', value: 'alice.moved@contoso.com' },
      ],
    };
    const moved = await scim('PATCH', `/Users/${id}`, move);
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ [ENTERPRISE]: { department: 'Sales' }, emails: [{ value: 'alice.moved@contoso.com' }] });
    expect(moved.etag).toBe('W/"1"');
    expect((await memberEvents(id)).map((e) => [e.type, e.metadata['source']])).toEqual([
      ['MemberRegistered', 'provisioning'],
      ['MemberUpdated', 'provisioning'],
    ]);
    // The same PATCH again (a retry): the same answer, nothing recorded.
    expect((await scim('PATCH', `/Users/${id}`, move)).status).toBe(200);
    expect(await memberEvents(id)).toHaveLength(2);

    // Disabled with Entra's string boolean: the member left.
    const disabled = await scim('PATCH', `/Users/${id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'Replace', path: 'active', value: 'False' }],
    });
    expect(disabled.status).toBe(200);
    expect(disabled.body).toMatchObject({ active: false });
    expect((await memberEvents(id)).at(-1)).toMatchObject({ type: 'MemberLeft', metadata: { source: 'provisioning' } });
    const member = await t.graphql<{ member: { status: string } }>(
      `query($id: ID!) { member(id: $id) { status } }`,
      { id },
      {
        token: await t.token('cm-1', Role.COMMUNITY_MANAGER),
      },
    );
    expect(member.data?.member.status).toBe('LEFT');

    // Deleted, and deleted again: recorded once.
    expect((await scim('DELETE', `/Users/${id}`)).status).toBe(204);
    expect((await scim('DELETE', `/Users/${id}`)).status).toBe(204);
    expect(await memberEvents(id)).toHaveLength(3);
    // A leaver is not made active again.
    const back = await scim('PATCH', `/Users/${id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'active', value: true }] });
    expect(back.body).toMatchObject({ status: '400', scimType: 'mutability' });
    expect(await memberEvents(id)).toHaveLength(3);
  });

  test("Okta's cycle: create, replace with PUT, deactivate with a path-less replace", async () => {
    // Okta's SCIM 2.0 reference: create user.
    const created = await scim('POST', '/Users', {
      schemas: [CORE],
      userName: 'isaac.brock@example.com',
      name: { givenName: 'Isaac', familyName: 'Brock' },
      emails: [{ primary: true, value: 'isaac.brock@example.com', type: 'work' }],
      displayName: 'Isaac Brock',
      locale: 'en-US',
      externalId: '00ujl29u0le5T6Aj10h7',
      groups: [],
      password: '1mz050nq',
      active: true,
    });
    expect(created.status).toBe(201);
    const id = String(created.body!['id']);
    const replaced = await scim(
      'PUT',
      `/Users/${id}`,
      {
        schemas: [CORE, ENTERPRISE],
        id,
        userName: 'isaac.brock@example.com',
        name: { givenName: 'Isaac', familyName: 'Brock' },
        displayName: 'Isaac B. Brock',
        emails: [{ primary: true, value: 'isaac.brock@example.com', type: 'work' }],
        [ENTERPRISE]: { department: 'Engineering' },
        active: true,
      },
      { headers: { 'if-match': String(created.etag) } },
    );
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({ displayName: 'Isaac B. Brock', [ENTERPRISE]: { department: 'Engineering' } });
    // A PUT on what the client read before the change: the version moved on, refused as a failed precondition.
    const stale = await scim(
      'PUT',
      `/Users/${id}`,
      { schemas: [CORE], userName: 'isaac.brock@example.com', displayName: 'Stale' },
      {
        headers: { 'if-match': String(created.etag) },
      },
    );
    expect(stale.status).toBe(412);
    expect(stale.body).toMatchObject({ schemas: [ERROR], status: '412' });
    const deactivated = await scim('PATCH', `/Users/${id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'replace', value: { active: false } }],
    });
    expect(deactivated.body).toMatchObject({ active: false });
    expect((await memberEvents(id)).map((e) => e.type)).toEqual(['MemberRegistered', 'MemberUpdated', 'MemberLeft']);
  });

  test('only the provisioning client: no token 401, a member token 403, a wrong secret 401, a PROVISIONER token is taken', async () => {
    const none = await scim('GET', '/Users', undefined, { token: null });
    expect(none.status).toBe(401);
    expect(none.body).toMatchObject({ schemas: [ERROR], status: '401' });
    expect((await scim('GET', '/Users', undefined, { token: await t.token('cm-1', Role.COMMUNITY_MANAGER) })).status).toBe(403);
    expect((await scim('GET', '/Users', undefined, { token: `${SCIM_TOKEN}x` })).status).toBe(401);
    const provisioner = await t.token('entra-provisioning', Role.PROVISIONER);
    expect((await scim('GET', '/Users?count=1', undefined, { token: provisioner })).status).toBe(200);
  });

  test("the provisioning client's token is for /scim/v2 only: the GraphQL API refuses it, over HTTP and WebSocket alike", async () => {
    const provisioner = await t.token('entra-provisioning', Role.PROVISIONER);
    for (const query of ['query { members(first: 5) { totalCount } }', 'query { me { id } }']) {
      const answer = await t.graphql(query, {}, { token: provisioner });
      expect(answer.status).toBe(403);
      expect(answer.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      expect(answer.errors?.[0]?.message).toMatch(/\/scim\/v2/);
      expect(answer.data ?? null).toBeNull();
    }
    // Over WebSocket: the subscription is refused the same way.
    const client = createClient({
      url: `${t.service.url.replace('http', 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${provisioner}` },
      retryAttempts: 0,
    });
    try {
      const refusal = await new Promise<unknown>((resolve) => {
        client.subscribe(
          { query: 'subscription { governanceEvents { streamId } }' },
          { next: resolve, error: resolve, complete: () => resolve(null) },
        );
      });
      expect(JSON.stringify(refusal)).toMatch(/FORBIDDEN|\/scim\/v2/);
    } finally {
      await client.dispose();
    }
    // A person's token that also carries the role is that person's.
    const both = await t.token('cm-9', Role.COMMUNITY_MANAGER, Role.PROVISIONER);
    expect((await t.graphql('query { members(first: 1) { totalCount } }', {}, { token: both })).errors).toBeUndefined();
  });

  test('bad input is a SCIM error that records nothing: filters, paging, bodies, ids, paths', async () => {
    const members = async () => (await scim('GET', '/Users?count=0')).body!['totalResults'];
    const before = await members();
    const cases: [string, string, unknown, number, string | undefined][] = [
      ['GET', filter('userName co "a"'), undefined, 400, 'invalidFilter'],
      ['GET', '/Users?count=-1', undefined, 400, 'invalidValue'],
      ['POST', '/Users', { schemas: [CORE] }, 400, 'invalidValue'],
      ['POST', '/Users', { schemas: [CORE], userName: 'x'.repeat(300) }, 400, 'invalidValue'],
      ['POST', '/Users', { schemas: [CORE], userName: 'eve@example.com', emails: [{ value: 'not an address' }] }, 400, 'invalidValue'],
      ['PATCH', '/Users/nobody', { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'active', value: false }] }, 404, undefined],
      ['GET', '/Groups', undefined, 404, undefined],
    ];
    for (const [method, path, body, status, scimType] of cases) {
      const answer = await scim(method, path, body);
      expect([method, path, answer.status, answer.body?.['scimType']]).toEqual([method, path, status, scimType]);
      expect(answer.body).toMatchObject({ schemas: [ERROR], status: String(status) });
    }
    // A body that is no JSON at all fails in the parser, before the controller: still SCIM's error.
    const garbled = await fetch(`${t.service.url}/scim/v2/Users`, {
      method: 'POST',
      headers: { 'content-type': 'application/scim+json', authorization: `Bearer ${SCIM_TOKEN}` },
      body: '{"userName": ',
    });
    expect(garbled.status).toBe(400);
    expect(await garbled.json()).toMatchObject({ schemas: [ERROR], status: '400', scimType: 'invalidSyntax' });
    // Nothing recorded: no member more, and no stream for the user whose e-mail was refused.
    expect(await members()).toBe(before);
    expect(await memberEvents(memberIdFor('eve@example.com'))).toEqual([]);
  });

  test('discovery: ServiceProviderConfig, ResourceTypes and Schemas', async () => {
    expect((await scim('GET', '/ServiceProviderConfig')).body).toMatchObject({ patch: { supported: true }, filter: { supported: true } });
    expect((await scim('GET', '/ResourceTypes')).body).toMatchObject({ totalResults: 1 });
    expect((await scim('GET', '/Schemas')).status).toBe(200);
  });
});

describe('SCIM and the rate limit', () => {
  let t: TestService;
  const LIMIT = 5;

  beforeAll(async () => {
    t = await startTestService({ env: { SCIM_TOKEN, RATE_LIMIT_PER_MINUTE: String(LIMIT) } });
  });
  afterAll(async () => {
    await t?.close();
  });

  const list = (token: string | null) =>
    fetch(`${t.service.url}/scim/v2/Users?count=1`, { headers: token === null ? {} : { authorization: `Bearer ${token}` } });

  test('the directory provisions at its own pace: the per-member limit for people does not cut an initial sync', async () => {
    const provisioner = await t.token('entra-sync', Role.PROVISIONER);
    for (const token of [SCIM_TOKEN, provisioner]) {
      const statuses = await Promise.all(Array.from({ length: LIMIT * 4 }, async () => (await list(token)).status));
      expect(statuses.filter((status) => status !== 200)).toEqual([]);
    }
  });

  test('a caller without a valid SCIM credential is counted per address and refused in SCIM format, with retry-after', async () => {
    const answers = [];
    for (let i = 0; i < LIMIT + 3; i++) answers.push(await list(i % 2 === 0 ? 'guessed-token' : null));
    expect(answers.slice(0, LIMIT).map((a) => a.status)).toEqual(Array.from({ length: LIMIT }, () => 401));
    const refused = answers.at(-1)!;
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(refused.headers.get('content-type')).toMatch(/^application\/scim\+json/);
    expect(await refused.json()).toMatchObject({ schemas: [ERROR], status: '429', detail: expect.stringMatching(/retry after/) });
    // The provisioning client from the same address is not held back by someone else's guesses.
    expect((await list(SCIM_TOKEN)).status).toBe(200);
  });
});
