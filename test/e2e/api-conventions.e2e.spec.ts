import { randomUUID } from 'node:crypto';
import { getIntrospectionQuery } from 'graphql';
import { Role } from '../../src/auth/role.ts';
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
});
