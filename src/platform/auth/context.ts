import { randomUUID } from 'node:crypto';
import { GraphQLError } from 'graphql';
import type { RequestContext } from './request-context.ts';
import { Role } from './role.ts';
import { IdentityProviderUnavailableError, InvalidTokenError, type TokenVerifier } from './token-verifier.ts';

const CORRELATION_ID = /^[A-Za-z0-9._:-]{1,100}$/;
/** Roles of machine clients, which have endpoints of their own and no business in the GraphQL API. */
const MACHINE_ROLES: readonly Role[] = [Role.PROVISIONER];

interface HttpLikeRequest {
  headers: Record<string, string | string[] | undefined>;
}

/** The correlation id a client sent (x-correlation-id), when well-formed, or a new one. */
export function correlationIdOf(request: HttpLikeRequest): string {
  const sent = request.headers['x-correlation-id'];
  return typeof sent === 'string' && CORRELATION_ID.test(sent) ? sent : randomUUID();
}

/**
 * Builds the GraphQL context. No token: anonymous (resolvers that need one answer UNAUTHENTICATED). A token that
 * does not verify is refused for the whole request rather than silently treated as anonymous.
 */
export async function buildRequestContext(request: HttpLikeRequest, verifier: TokenVerifier): Promise<RequestContext> {
  const correlationId = (request as { correlationId?: string }).correlationId ?? correlationIdOf(request);
  const header = request.headers.authorization;
  if (typeof header !== 'string' || header.trim() === '') return { actor: null, correlationId };
  const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
  if (!match) throw unauthenticated('the Authorization header must be "Bearer <token>"');
  try {
    const actor = await verifier.verify(match[1]!);
    // A machine client's token (the directory's provisioning client) is for its own endpoint: it is nobody's member
    // token, and must not read what signed-in members may read.
    if (actor.roles.length > 0 && actor.roles.every((role) => MACHINE_ROLES.includes(role))) {
      throw new GraphQLError(`a token with only the role ${actor.roles.join(', ')} is for /scim/v2, not for the GraphQL API`, {
        extensions: { code: 'FORBIDDEN', http: { status: 403 } },
      });
    }
    return { actor, correlationId };
  } catch (error) {
    if (error instanceof GraphQLError) throw error;
    if (error instanceof InvalidTokenError) throw unauthenticated(error.message);
    if (error instanceof IdentityProviderUnavailableError) {
      // Not the client's fault and not a reason to sign in again: 503, retryable (see formatGraphQLError).
      throw new GraphQLError(error.message, { originalError: error, extensions: { code: 'INTERNAL_SERVER_ERROR', http: { status: 503 } } });
    }
    throw error;
  }
}

function unauthenticated(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });
}

/** A WebSocket client sends its token and correlation id as connection parameters, not headers. */
export function connectionHeaders(params: Record<string, unknown> | undefined, request: HttpLikeRequest): HttpLikeRequest['headers'] {
  const pick = (key: string) => {
    const value = params?.[key] ?? params?.[key.toLowerCase()];
    return typeof value === 'string' ? value : undefined;
  };
  return {
    authorization: pick('authorization') ?? pick('Authorization') ?? (request.headers.authorization as string | undefined),
    'x-correlation-id': pick('x-correlation-id'),
  };
}
