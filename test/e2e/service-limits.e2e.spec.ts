import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Role } from '../../src/platform/auth/role.ts';
import { startTestService, type TestService } from '../support/test-service.ts';

const REGISTER = `mutation($input: RegisterMemberInput!) { registerMember(input: $input) { id displayName } }`;

interface RawResponse {
  status: number;
  contentType: string | null;
  text: string;
  json: { errors?: { message: string; extensions?: { code?: string; [key: string]: unknown } }[]; data?: unknown } | undefined;
}

/** What a stack trace, a file path or SQL would look like in a response body. */
const LEAKS: [string, RegExp][] = [
  ['a stack frame', /\bat [\w$.<>]+ \(|\n\s+at /],
  ['node_modules', /node_modules/],
  ['a source path', /\/work\/|\.ts:\d+|\.js:\d+/],
  ['SELECT', /\bSELECT\b/i],
  ['INSERT', /\bINSERT\b/i],
  ['another SQL keyword', /\b(UPDATE|DELETE FROM|WHERE|es_events|read_models)\b/],
  ['a PostgreSQL error', /invalid byte sequence|QueryFailedError|relation "|syntax error at or near/i],
];

describe('service limits and error hygiene over HTTP', () => {
  let t: TestService;
  let manager: string;
  /** How many error responses were checked for leaks (each one is, as it arrives). */
  let checked = 0;

  beforeAll(async () => {
    t = await startTestService();
    manager = await t.token('cm-limits', Role.COMMUNITY_MANAGER);
  });
  afterAll(async () => {
    await t?.close();
  });

  const id = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;

  async function post(name: string, body: string, headers: Record<string, string> = {}): Promise<RawResponse> {
    const response = await fetch(`${t.service.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${manager}`, ...headers },
      body,
    });
    const text = await response.text();
    let json: RawResponse['json'];
    try {
      json = JSON.parse(text) as RawResponse['json'];
    } catch {
      json = undefined;
    }
    if (response.status >= 400 || (json?.errors?.length ?? 0) > 0) {
      checked++;
      for (const [what, pattern] of LEAKS) {
        if (pattern.test(text)) throw new Error(`the "${name}" error response contains ${what}: ${text.slice(0, 500)}`);
      }
    }
    return { status: response.status, contentType: response.headers.get('content-type'), text, json };
  }
  const graphql = (name: string, query: string, variables?: Record<string, unknown>) => post(name, JSON.stringify({ query, variables }));

  test('a request body over the limit (2 MiB by default) is refused with 413 before it runs; nothing is appended', async () => {
    const memberId = id('m-huge');
    const displayName = 'a'.repeat(3_000_000);
    const body = JSON.stringify({ query: REGISTER, variables: { input: { memberId, displayName, department: 'Ops' } } });
    expect(body.length).toBeGreaterThan(2 * 1024 * 1024);
    const response = await post('oversized body', body);
    expect(response.status).toBe(413);
    expect(response.contentType).toMatch(/application\/json/);
    expect(response.json).toMatchObject({ statusCode: 413, message: 'request entity too large' });
    expect(response.text.length).toBeLessThan(1000);
    expect(await t.storedEvents(`member-${memberId}`)).toHaveLength(0);
    // The service still answers afterwards.
    expect((await graphql('after 413', '{ me { id } }')).json?.data).toEqual({ me: { id: 'cm-limits' } });
  });

  test('a body that is not JSON is a 400 with a short message', async () => {
    const response = await post('malformed JSON', '{"query": "{ me { id } ');
    expect(response.status).toBe(400);
    expect(response.json).toMatchObject({ statusCode: 400, error: 'Bad Request' });
  });

  test('a 1 MB displayName is BAD_USER_INPUT naming the field and the maximum; the value is not echoed; nothing is appended', async () => {
    const memberId = id('m-long');
    const response = await graphql('1 MB displayName', REGISTER, {
      input: { memberId, displayName: 'b'.repeat(1_000_000), department: 'Ops' },
    });
    expect(response.status).toBe(200);
    expect(response.json?.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'displayName' });
    expect(response.json?.errors?.[0]?.message).toBe('displayName must be at most 200 characters');
    expect(response.text.length).toBeLessThan(1000);
    expect(await t.storedEvents(`member-${memberId}`)).toHaveLength(0);
    // 200 characters is the limit, not one under it.
    const atLimit = await graphql('200 characters', REGISTER, { input: { memberId, displayName: 'c'.repeat(200), department: 'Ops' } });
    expect(atLimit.json?.errors).toBeUndefined();
    expect(await t.storedEvents(`member-${memberId}`)).toHaveLength(1);
  });

  test('a GraphQL syntax error is GRAPHQL_PARSE_FAILED (400)', async () => {
    const response = await graphql('syntax error', '{ me { id ');
    expect(response.status).toBe(400);
    expect(response.json?.errors).toEqual([
      {
        message: 'Syntax Error: Expected Name, found <EOF>.',
        locations: [{ line: 1, column: 11 }],
        extensions: { code: 'GRAPHQL_PARSE_FAILED' },
      },
    ]);
  });

  test('an unknown field is GRAPHQL_VALIDATION_FAILED (400), and nothing runs', async () => {
    const memberId = id('m-unknown-field');
    const response = await graphql(
      'unknown field',
      `mutation { registerMember(input: { memberId: "${memberId}", displayName: "A", department: "B" }) { id shoeSize } }`,
    );
    expect(response.status).toBe(400);
    expect(response.json?.errors?.[0]?.extensions).toEqual({ code: 'GRAPHQL_VALIDATION_FAILED' });
    expect(response.json?.errors?.[0]?.message).toBe('Cannot query field "shoeSize" on type "Member".');
    expect(await t.storedEvents(`member-${memberId}`)).toHaveLength(0);
  });

  test('a variable of the wrong type is BAD_USER_INPUT (400)', async () => {
    const response = await graphql('wrong variable type', 'query($first: Int) { members(first: $first) { totalCount } }', { first: 'ten' });
    expect(response.status).toBe(400);
    expect(response.json?.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT' });
  });

  test.each([
    ['members', 0],
    ['members', 101],
    ['members', -1],
    ['groups', 0],
    ['groups', 101],
  ])('%s(first: %i) is BAD_USER_INPUT on first', async (field, first) => {
    const response = await graphql(`${field} first ${first}`, `{ ${field}(first: ${first}) { totalCount } }`);
    expect(response.json?.errors).toHaveLength(1);
    expect(response.json?.errors?.[0]).toMatchObject({
      message: 'first must be from 1 to 100',
      extensions: { code: 'BAD_USER_INPUT', field: 'first' },
    });
    expect(response.json?.data).toBeNull();
  });

  test('first: 1 and first: 100 are accepted', async () => {
    for (const first of [1, 100]) {
      const response = await graphql(
        `first ${first}`,
        `{ members(first: ${first}) { totalCount } groups(first: ${first}) { totalCount } }`,
      );
      expect(response.json?.errors).toBeUndefined();
    }
  });

  // Every error response above and below went through the leak check in `post`.
  test('text the database cannot store (a NUL byte) is refused as bad input before it reaches SQL', async () => {
    const before = checked;
    const response = await graphql('nul filter', 'query($d: String) { members(department: $d) { totalCount } }', { d: 'a\u0000b' });
    expect(response.json?.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'department' });
    const lookups = await graphql('nul ids', 'query($id: ID!) { member(id: $id) { id } group(id: $id) { id } }', { id: 'a\u0000b' });
    expect(lookups.json?.errors).toBeUndefined();
    expect(lookups.json?.data).toEqual({ member: null, group: null });
    expect(checked).toBe(before + 1); // only the refused filter was an error response
  });
});

describe('an OIDC issuer that does not answer', () => {
  let t: TestService;
  let issuer: string;

  beforeAll(async () => {
    // A port that nothing listens on: taken, then let go.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    issuer = `http://127.0.0.1:${(probe.address() as AddressInfo).port}`;
    await new Promise((resolve) => probe.close(resolve));
    t = await startTestService({ auth: { mode: 'oidc', issuer, audience: 'governance-api', jwksUri: undefined } });
  });
  afterAll(async () => {
    await t?.close();
  });

  test('a request with a token answers 503, retryable, without naming the issuer; one without a token is still anonymous', async () => {
    const response = await fetch(`${t.service.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer a.b.c' },
      body: JSON.stringify({ query: '{ me { id } }' }),
    });
    expect(response.status).toBe(503);
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({
      errors: [
        {
          message: 'the service cannot check sign-ins with the identity provider right now; try again shortly',
          extensions: { code: 'INTERNAL_SERVER_ERROR', retryable: true },
        },
      ],
    });
    expect(text).not.toContain(issuer);
    const anonymous = await t.graphql('{ me { id } }');
    expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});
