import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import type { AuthConfig } from '../config/config.ts';
import { isId } from '../shared/identifiers.ts';
import { isRole, type Role } from './role.ts';

export interface Actor {
  readonly id: string;
  readonly roles: readonly Role[];
}

export class InvalidTokenError extends Error {
  override readonly name = 'InvalidTokenError';
}

/**
 * The token could not be checked because the OIDC issuer (discovery or JWKS) did not answer as it should: nothing
 * is known to be wrong with the token, so the client is told to try again rather than to sign in again.
 */
export class IdentityProviderUnavailableError extends Error {
  override readonly name = 'IdentityProviderUnavailableError';
}

/**
 * Verifies bearer tokens: RS256 (and other asymmetric) tokens from the OIDC issuer's JWKS in production, HS256 tokens
 * signed with the configured or generated development secret otherwise. `sub` is the member id (refused unless it is
 * one), `roles` the names of the contract's Role enum (unknown names are ignored, not trusted).
 */
export class TokenVerifier {
  private readonly verifyToken: (token: string) => Promise<JWTPayload>;

  constructor(auth: AuthConfig) {
    if (auth.mode === 'hs256') {
      const key = new TextEncoder().encode(auth.secret);
      this.verifyToken = async (token) => (await jwtVerify(token, key, { algorithms: ['HS256'], requiredClaims: ['exp'] })).payload;
    } else {
      let keys: JWTVerifyGetKey | undefined;
      const getKeys = async () => (keys ??= issuerKeys(new URL(auth.jwksUri ?? (await discoverJwksUri(auth.issuer)))));
      this.verifyToken = async (token) =>
        (
          await jwtVerify(token, await getKeys(), {
            issuer: auth.issuer,
            audience: auth.audience,
            algorithms: ['RS256', 'RS384', 'RS512', 'PS256', 'ES256', 'ES384', 'EdDSA'],
            // A token that never expires would stay valid after the person left: refuse it.
            requiredClaims: ['exp'],
          })
        ).payload;
    }
  }

  async verify(token: string): Promise<Actor> {
    let payload: JWTPayload;
    try {
      payload = await this.verifyToken(token);
    } catch (error) {
      if (error instanceof IdentityProviderUnavailableError) throw error;
      throw new InvalidTokenError(`the bearer token is not valid: ${(error as Error).message}`);
    }
    if (typeof payload.sub !== 'string' || payload.sub.length === 0) throw new InvalidTokenError('the bearer token has no subject (sub)');
    // The subject becomes the actor id in event metadata, logs and stream ids: it must be an id like any other, or a
    // token could carry control characters or kilobytes of text into all of them. Not quoted back: it is not one.
    if (!isId(payload.sub)) {
      throw new InvalidTokenError("the bearer token's subject (sub) is not a member id: 1 to 100 letters, digits or . _ : @ - characters");
    }
    const claimed = (payload as { roles?: unknown }).roles;
    const roles = Array.isArray(claimed) ? claimed.filter(isRole) : [];
    return { id: payload.sub, roles: [...new Set(roles)] };
  }
}

/**
 * The issuer's key set. A key the token names but the set lacks is the token's fault; a set that cannot be fetched
 * or read is the issuer's (JWKSMultipleMatchingKeys is jose's own signal to try each matching key: passed through).
 */
function issuerKeys(jwksUri: URL): JWTVerifyGetKey {
  const remote = createRemoteJWKSet(jwksUri);
  return async (header, token) => {
    try {
      return await remote(header, token);
    } catch (error) {
      if (
        error instanceof errors.JWKSNoMatchingKey ||
        error instanceof errors.JWKSMultipleMatchingKeys ||
        error instanceof errors.JOSENotSupported
      )
        throw error;
      throw new IdentityProviderUnavailableError(`the JWKS at ${jwksUri.href} could not be read: ${describe(error)}`, { cause: error });
    }
  };
}

async function discoverJwksUri(issuer: string): Promise<string> {
  const url = new URL('.well-known/openid-configuration', issuer.endsWith('/') ? issuer : `${issuer}/`);
  let document: { jwks_uri?: unknown };
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
    if (!response.ok) throw new Error(`it answered ${response.status}`);
    document = (await response.json()) as { jwks_uri?: unknown };
  } catch (error) {
    throw new IdentityProviderUnavailableError(`OIDC discovery at ${url.href} failed: ${describe(error)}`, { cause: error });
  }
  if (typeof document.jwks_uri !== 'string' || !URL.canParse(document.jwks_uri))
    throw new IdentityProviderUnavailableError(`OIDC discovery at ${url.href} names no valid jwks_uri`);
  return document.jwks_uri;
}

/**
 * fetch reports a refused connection as "fetch failed" with the reason in `cause`. Duck-typed: errors of Node's own
 * fetch may come from another realm (test VMs), failing instanceof.
 */
function describe(error: unknown): string {
  const { message, cause } = (typeof error === 'object' && error !== null ? error : {}) as { message?: unknown; cause?: unknown };
  if (typeof message !== 'string') return String(error);
  const { code, message: causeMessage } = (typeof cause === 'object' && cause !== null ? cause : {}) as {
    code?: unknown;
    message?: unknown;
  };
  const detail = typeof code === 'string' ? code : typeof causeMessage === 'string' ? causeMessage : undefined;
  return detail ? `${message} (${detail})` : message;
}
