import { createRemoteJWKSet, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import type { AuthConfig } from '../config/config.ts';
import { isRole, type Role } from './role.ts';

export interface Actor {
  readonly id: string;
  readonly roles: readonly Role[];
}

export class InvalidTokenError extends Error {
  override readonly name = 'InvalidTokenError';
}

/**
 * Verifies bearer tokens: RS256 (and other asymmetric) tokens from the OIDC issuer's JWKS in production, HS256 tokens
 * signed with the configured or generated development secret otherwise. `sub` is the member id, `roles` the names of
 * the contract's Role enum (unknown names are ignored, not trusted).
 */
export class TokenVerifier {
  private readonly verifyToken: (token: string) => Promise<JWTPayload>;

  constructor(auth: AuthConfig) {
    if (auth.mode === 'hs256') {
      const key = new TextEncoder().encode(auth.secret);
      this.verifyToken = async (token) => (await jwtVerify(token, key, { algorithms: ['HS256'] })).payload;
    } else {
      let keys: JWTVerifyGetKey | undefined;
      const getKeys = async () => (keys ??= createRemoteJWKSet(new URL(auth.jwksUri ?? (await discoverJwksUri(auth.issuer)))));
      this.verifyToken = async (token) =>
        (
          await jwtVerify(token, await getKeys(), {
            issuer: auth.issuer,
            audience: auth.audience,
            algorithms: ['RS256', 'RS384', 'RS512', 'PS256', 'ES256', 'ES384', 'EdDSA'],
          })
        ).payload;
    }
  }

  async verify(token: string): Promise<Actor> {
    let payload: JWTPayload;
    try {
      payload = await this.verifyToken(token);
    } catch (error) {
      throw new InvalidTokenError(`the bearer token is not valid: ${(error as Error).message}`);
    }
    if (typeof payload.sub !== 'string' || payload.sub.length === 0) throw new InvalidTokenError('the bearer token has no subject (sub)');
    const claimed = (payload as { roles?: unknown }).roles;
    const roles = Array.isArray(claimed) ? claimed.filter(isRole) : [];
    return { id: payload.sub, roles: [...new Set(roles)] };
  }
}

async function discoverJwksUri(issuer: string): Promise<string> {
  const response = await fetch(new URL('.well-known/openid-configuration', issuer.endsWith('/') ? issuer : `${issuer}/`));
  if (!response.ok) throw new InvalidTokenError(`OIDC discovery at ${issuer} answered ${response.status}`);
  const document = (await response.json()) as { jwks_uri?: unknown };
  if (typeof document.jwks_uri !== 'string') throw new InvalidTokenError(`OIDC discovery at ${issuer} names no jwks_uri`);
  return document.jwks_uri;
}
