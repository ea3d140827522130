import { randomUUID } from 'node:crypto';
import { getIntrospectionQuery } from 'graphql';
import pg from 'pg';
import { Role } from '../../src/platform/auth/role.ts';
import { startTestService, type GraphQLResponse, type TestService } from '../support/test-service.ts';

/** The contract's conventions as client developers meet them (issue 18): tooling, idempotency keys, unknown ids. */
describe('the API as client developers meet it (development)', () => {
  let t: TestService;
  let manager: string;

  const uid = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;
  const ok = <T>(response: GraphQLResponse<T>): T => {
    expect(response.errors).toBeUndefined();
    return response.data!;
  };
  const codesOf = (response: GraphQLResponse) => (response.errors ?? []).map((error) => error.extensions?.code);

  const REGISTER = `mutation($input: RegisterMemberInput!) { registerMember(input: $input) { id displayName department revision } }`;
  const register = async (memberId: string) =>
    ok(await t.graphql(REGISTER, { input: { memberId, displayName: 'Ada', department: 'Ops' } }, { token: manager }));

  beforeAll(async () => {
    t = await startTestService({ env: { NODE_ENV: 'development', LOG_SEALING: 'off', RATE_LIMIT_PER_MINUTE: '0' } });
    manager = await t.token('cm-conventions', Role.COMMUNITY_MANAGER);
  });
  afterAll(async () => {
    await t?.close();
  });

  describe('introspection (codegen, GraphiQL, IDE plugins, Rover)', () => {
    test.each([
      ['the standard introspection query', getIntrospectionQuery()],
      [
        'the standard introspection query with every option',
        getIntrospectionQuery({
          descriptions: true,
          specifiedByUrl: true,
          directiveIsRepeatable: true,
          schemaDescription: true,
          inputValueDeprecation: true,
        }),
      ],
    ])('%s (15 levels deep) answers the schema', async (_name, query) => {
      const answer = await t.graphql<{ __schema: { queryType: { name: string }; types: { name: string }[] } }>(
        query,
        {},
        { token: manager },
      );
      expect(answer.errors).toBeUndefined();
      expect(answer.status).toBe(200);
      expect(answer.data?.__schema.queryType.name).toBe('Query');
      expect(answer.data?.__schema.types.map((type) => type.name)).toEqual(expect.arrayContaining(['Member', 'Group', 'ModerationCase']));
    });

    test('also without a token: the schema is no secret in development', async () => {
      const answer = await t.graphql<{ __schema: unknown }>(getIntrospectionQuery(), {}, {});
      expect({ status: answer.status, errors: answer.errors }).toEqual({ status: 200, errors: undefined });
      expect(answer.data?.__schema).toBeDefined();
    });

    test("introspection that recurses (types of fields of types ...) is refused before it runs (GraphQL's own rule)", async () => {
      const answer = await t.graphql(
        `{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }`,
        {},
        { token: manager },
      );
      expect(answer.status).toBe(400);
      expect(answer.errors?.map((error) => [error.extensions?.code, error.message])).toEqual([
        ['GRAPHQL_VALIDATION_FAILED', 'Maximum introspection depth exceeded'],
      ]);
    });
  });

  test('no GraphQL answer may be kept by a browser or a proxy: each says cache-control: no-store, errors and refusals too', async () => {
    const memberId = uid('m');
    await register(memberId);
    const post = (body: object, token?: string) =>
      fetch(`${t.service.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify(body),
      });
    const answers = [
      await post({ query: `query($id: ID!) { member(id: $id) { id displayName } }`, variables: { id: memberId } }, manager),
      await post({ query: `query { member(id: "nobody") { id } }` }, manager),
      await post({ query: `query { member(id: "x") { id } }` }),
      await post({ query: `query { nonsense }` }, manager),
      await post({ query: REGISTER, variables: { input: { memberId: uid('m'), displayName: 'Bo', department: 'Ops' } } }, manager),
    ];
    expect(answers.map((answer) => [answer.status, answer.headers.get('cache-control')])).toEqual([
      [200, 'no-store'],
      [200, 'no-store'],
      [200, 'no-store'],
      [400, 'no-store'],
      [200, 'no-store'],
    ]);
    const first = (await answers[0]!.json()) as GraphQLResponse<{ member: { id: string } }>;
    expect(first.data?.member.id).toBe(memberId);
  });

  describe('an id that names nobody is NOT_FOUND, never a clean default record', () => {
    const QUERIES = [
      { name: 'memberStanding', query: `query($memberId: ID!) { memberStanding(memberId: $memberId) { memberId suspended } }` },
      { name: 'certification', query: `query($memberId: ID!) { certification(memberId: $memberId) { memberId level status revision } }` },
      {
        name: 'privacySettings',
        query: `query($memberId: ID!) { privacySettings(memberId: $memberId) { memberId directoryListed revision } }`,
      },
    ];

    test.each(QUERIES)('$name: NOT_FOUND for an unknown member, asked by staff or by that id itself', async ({ query }) => {
      const nobody = uid('m-nobody');
      for (const token of [manager, await t.token(nobody, Role.MEMBER)]) {
        const answer = await t.graphql(query, { memberId: nobody }, { token });
        expect(answer.errors).toEqual([
          expect.objectContaining({ message: `member ${nobody} is not registered`, extensions: { code: 'NOT_FOUND', field: 'memberId' } }),
        ]);
      }
    });

    test.each(QUERIES)('$name: a registered member with no data yet still gets their default record', async ({ name, query }) => {
      const memberId = uid('m');
      await register(memberId);
      for (const token of [manager, await t.token(memberId, Role.MEMBER)]) {
        const answer = ok(await t.graphql<Record<string, { memberId: string }>>(query, { memberId }, { token }));
        expect(answer[name]).toMatchObject({ memberId });
      }
    });

    test.each(QUERIES)('$name: a caller who may not ask is FORBIDDEN, whether the member exists or not', async ({ query }) => {
      const stranger = await t.token(uid('m-stranger'), Role.MEMBER);
      const existing = uid('m');
      await register(existing);
      for (const memberId of [existing, uid('m-nobody')]) {
        expect(codesOf(await t.graphql(query, { memberId }, { token: stranger }))).toEqual(['FORBIDDEN']);
      }
    });
  });
  describe('a commandId is bound to its input (18.4)', () => {
    const UPDATE = `mutation($input: UpdateMemberInput!) { updateMember(input: $input) { id displayName department revision } }`;
    const ERASE = `mutation($input: RequestErasureInput!) { requestErasure(input: $input) { memberId status } }`;
    const registerWith = (input: Record<string, unknown>, token = manager) => t.graphql(REGISTER, { input }, { token });

    test('the same commandId with another input is CONFLICT and appends nothing; the same input is answered as before', async () => {
      const memberId = uid('m');
      const commandId = uid('register');
      const first = ok(await registerWith({ memberId, displayName: 'Ada', department: 'Ops', commandId }));

      const other = await registerWith({ memberId, displayName: 'Grace', department: 'Ops', commandId });
      expect(other.errors).toEqual([
        expect.objectContaining({
          message: `commandId ${commandId} was already used for another input of registerMember: send a new commandId for a new command`,
          extensions: { code: 'CONFLICT', field: 'commandId' },
        }),
      ]);
      // Also on another stream: the key is the caller's, not the stream's.
      expect(codesOf(await registerWith({ memberId: uid('m'), displayName: 'Ada', department: 'Ops', commandId }))).toEqual(['CONFLICT']);
      // And for another mutation.
      expect(codesOf(await t.graphql(UPDATE, { input: { memberId, department: 'Sales', commandId } }, { token: manager }))).toEqual([
        'CONFLICT',
      ]);
      // A retry (fields in another order, an explicit null for an absent one) is answered with the original result.
      expect(ok(await registerWith({ department: 'Ops', displayName: 'Ada', memberId, commandId }))).toEqual(first);
      expect((await t.storedEvents(`member-${memberId}`)).map((event) => event.type)).toEqual(['MemberRegistered']);
      // Another caller's identical key is theirs: keys are namespaced by actor.
      const otherManager = await t.token(uid('cm'), Role.COMMUNITY_MANAGER);
      ok(await registerWith({ memberId: uid('m'), displayName: 'Ada', department: 'Ops', commandId }, otherManager));
    });

    test('a refused command leaves its commandId free for the corrected input', async () => {
      const memberId = uid('m');
      await register(memberId);
      const commandId = uid('update');
      // Wrong expected revision: refused, nothing appended.
      expect(
        codesOf(await t.graphql(UPDATE, { input: { memberId, department: 'Sales', expectedRevision: 7, commandId } }, { token: manager })),
      ).toEqual(['CONFLICT']);
      const corrected = ok(
        await t.graphql<{ updateMember: { department: string; revision: number } }>(
          UPDATE,
          { input: { memberId, department: 'Support', expectedRevision: 0, commandId } },
          { token: manager },
        ),
      );
      expect(corrected.updateMember).toMatchObject({ department: 'Support', revision: 1 });
    });

    test('past the retention (or after an erasure) a used commandId is refused, never answered with the old result', async () => {
      const memberId = uid('m');
      const commandId = uid('register');
      ok(await registerWith({ memberId, displayName: 'Ada', department: 'Ops', commandId }));
      const pool = new pg.Pool({ connectionString: t.database.url, max: 1 });
      try {
        // What a day's wait does: the binding is past the retention.
        await pool.query(`UPDATE command_inputs SET bound_at = now() - interval '25 hours'`);
      } finally {
        await pool.end();
      }
      const late = await registerWith({ memberId, displayName: 'Grace', department: 'Ops', commandId });
      expect(late.errors?.[0]).toMatchObject({ extensions: { code: 'CONFLICT', field: 'commandId' } });
      expect(late.errors?.[0]?.message).toContain('its input can no longer be compared');
      expect((await t.storedEvents(`member-${memberId}`)).map((event) => event.type)).toEqual(['MemberRegistered']);
    });

    test('an erasure leaves no digest of any input behind', async () => {
      const memberId = uid('m');
      const pool = new pg.Pool({ connectionString: t.database.url, max: 1 });
      const bindings = async () => (await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM command_inputs')).rows[0]!.n;
      try {
        ok(await registerWith({ memberId, displayName: 'Ada Lovelace', department: 'Ops', commandId: uid('register') }));
        expect(await bindings()).toBeGreaterThan(0);
        const officer = await t.token(uid('po'), Role.PRIVACY_OFFICER);
        ok(await t.graphql(ERASE, { input: { memberId, reason: 'asked by Ada', commandId: uid('erase') } }, { token: officer }));
        expect(await bindings()).toBe(0);
      } finally {
        await pool.end();
      }
    });
  });
});
