import { GraphQLError } from 'graphql';
import { formatGraphQLError } from '../graphql/format-error.ts';
import { buildRequestContext, correlationIdOf } from './context.ts';
import { Role } from './role.ts';
import { IdentityProviderUnavailableError, InvalidTokenError, type Actor, type TokenVerifier } from './token-verifier.ts';

/** A verifier that answers what the test says, and remembers the tokens it was asked about. */
function verifier(answer: (token: string) => Promise<Actor>): TokenVerifier & { seen: string[] } {
  const seen: string[] = [];
  return {
    seen,
    verify: (token: string) => {
      seen.push(token);
      return answer(token);
    },
  } as unknown as TokenVerifier & { seen: string[] };
}

async function thrown(promise: Promise<unknown>): Promise<GraphQLError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof GraphQLError) return error;
    throw error;
  }
  throw new Error('expected a GraphQLError');
}

const ada: Actor = { id: 'm-1', roles: [Role.COMMUNITY_MANAGER] };

describe('buildRequestContext', () => {
  test('no Authorization header: anonymous, without asking the verifier', async () => {
    const tokens = verifier(async () => ada);
    const context = await buildRequestContext({ headers: { 'x-correlation-id': 'ui-1' } }, tokens);
    expect(context).toEqual({ actor: null, correlationId: 'ui-1' });
    expect(await buildRequestContext({ headers: { authorization: '   ' } }, tokens)).toMatchObject({ actor: null });
    expect(tokens.seen).toEqual([]);
  });

  test('a bearer token that verifies gives its actor', async () => {
    const tokens = verifier(async () => ada);
    expect(await buildRequestContext({ headers: { authorization: 'bearer  abc.def.ghi ' } }, tokens)).toMatchObject({ actor: ada });
    expect(tokens.seen).toEqual(['abc.def.ghi']);
  });

  test('an Authorization header that is not "Bearer <token>" is UNAUTHENTICATED (401)', async () => {
    const error = await thrown(
      buildRequestContext(
        { headers: { authorization: 'Basic dXNlcjpwYXNz' } },
        verifier(async () => ada),
      ),
    );
    expect(error.message).toBe('the Authorization header must be "Bearer <token>"');
    expect(error.extensions).toEqual({ code: 'UNAUTHENTICATED', http: { status: 401 } });
  });

  test('a token that does not verify is UNAUTHENTICATED (401) with the reason, not anonymous', async () => {
    const tokens = verifier(async () => {
      throw new InvalidTokenError('the bearer token is not valid: "exp" claim timestamp check failed');
    });
    const error = await thrown(buildRequestContext({ headers: { authorization: 'Bearer x.y.z' } }, tokens));
    expect(error.message).toBe('the bearer token is not valid: "exp" claim timestamp check failed');
    expect(error.extensions).toEqual({ code: 'UNAUTHENTICATED', http: { status: 401 } });
  });

  test('an identity provider that does not answer is a retryable 503, not UNAUTHENTICATED', async () => {
    const tokens = verifier(async () => {
      throw new IdentityProviderUnavailableError('the JWKS at https://idp.example.com/jwks could not be read: fetch failed (ECONNREFUSED)');
    });
    const error = await thrown(buildRequestContext({ headers: { authorization: 'Bearer x.y.z' } }, tokens));
    expect(error.extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR', http: { status: 503 } });
    // What the client reads: a message to act on, the code of the contract, retryable; the IdP's address stays in the log.
    expect(formatGraphQLError({ message: error.message, extensions: { code: 'INTERNAL_SERVER_ERROR' } }, error)).toEqual({
      message: 'the service cannot check sign-ins with the identity provider right now; try again shortly',
      extensions: { code: 'INTERNAL_SERVER_ERROR', retryable: true },
    });
  });

  test('anything else the verifier throws is not turned into a verdict on the token', async () => {
    const tokens = verifier(async () => {
      throw new RangeError('bug');
    });
    await expect(buildRequestContext({ headers: { authorization: 'Bearer x.y.z' } }, tokens)).rejects.toThrow(RangeError);
  });
});

describe('correlationIdOf', () => {
  test('a well-formed x-correlation-id is kept; anything else gets a new UUID', () => {
    expect(correlationIdOf({ headers: { 'x-correlation-id': 'req:42_a.b-c' } })).toBe('req:42_a.b-c');
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
    expect(correlationIdOf({ headers: {} })).toMatch(uuid);
    expect(correlationIdOf({ headers: { 'x-correlation-id': 'has spaces' } })).toMatch(uuid);
    expect(correlationIdOf({ headers: { 'x-correlation-id': 'x'.repeat(101) } })).toMatch(uuid);
    expect(correlationIdOf({ headers: { 'x-correlation-id': ['a', 'b'] } })).toMatch(uuid);
  });
});
