import { createRemoteJWKSet, errors, jwtVerify, type CryptoKey, type JWTPayload, type JWTVerifyGetKey } from 'jose';
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
  /**
   * Tokens verified lately, with what they verified to and until when that answer holds. A client sends the same
   * token with every request until it expires, and checking it again each time was the largest single cost of a
   * query (the service benchmark's CPU profile at 1,000 `group(id)`/s: about 30 % of the service's busy time in jose
   * and WebCrypto). Only tokens that verified are kept, under their whole text, never past their `exp`, and for at
   * most `cacheMs` (so a key the issuer withdrew stops being honoured soon after); the oldest go first when full.
   */
  private readonly verified = new Map<string, { readonly actor: Actor; readonly until: number }>();
  private readonly now: () => number;
  private readonly cacheMs: number;
  private readonly cacheSize: number;

  constructor(auth: AuthConfig, options: TokenVerifierOptions = {}) {
    this.now = options.now ?? Date.now;
    this.cacheMs = options.cacheMs ?? VERIFIED_TOKEN_CACHE_MS;
    this.cacheSize = options.cacheSize ?? VERIFIED_TOKEN_CACHE_SIZE;
    // jose checks exp and nbf against this clock too, so that the cache and the check never disagree on the time.
    const currentDate = () => new Date(this.now());
    if (auth.mode === 'hs256') {
      // Imported once: given the raw secret, jose imports it into WebCrypto again for every token.
      let key: Promise<CryptoKey> | undefined;
      const hmacKey = () =>
        (key ??= crypto.subtle.importKey('raw', new TextEncoder().encode(auth.secret), { name: 'HMAC', hash: 'SHA-256' }, false, [
          'verify',
        ]));
      this.verifyToken = async (token) =>
        (await jwtVerify(token, await hmacKey(), { algorithms: ['HS256'], requiredClaims: ['exp'], currentDate: currentDate() })).payload;
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
            currentDate: currentDate(),
          })
        ).payload;
    }
  }

  /** How many verified tokens are kept (see `verified`). */
  get cachedTokenCount(): number {
    return this.verified.size;
  }

  async verify(token: string): Promise<Actor> {
    const now = this.now();
    const cached = this.verified.get(token);
    if (cached) {
      if (now < cached.until) return cached.actor;
      this.verified.delete(token);
    }
    const actor = await this.check(token);
    this.remember(token, actor.actor, Math.min(actor.expiresAt, now + this.cacheMs));
    return actor.actor;
  }

  private remember(token: string, actor: Actor, until: number): void {
    if (this.cacheMs <= 0 || this.cacheSize <= 0) return;
    while (this.verified.size >= this.cacheSize) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(token, { actor, until });
  }

  private async check(token: string): Promise<{ readonly actor: Actor; readonly expiresAt: number }> {
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
    // exp is required by both configurations, so jose has checked that it is there and a number.
    return { actor: { id: payload.sub, roles: [...new Set(roles)] }, expiresAt: payload.exp! * 1000 };
  }
}

export interface TokenVerifierOptions {
  /** The clock (tests); Date.now by default. */
  readonly now?: () => number;
  /** The longest a verified token is answered from memory (default VERIFIED_TOKEN_CACHE_MS); 0: never. */
  readonly cacheMs?: number;
  /** The most verified tokens kept (default VERIFIED_TOKEN_CACHE_SIZE). */
  readonly cacheSize?: number;
}

/** See TokenVerifier's `verified`. */
export const VERIFIED_TOKEN_CACHE_MS = 60_000;
/** About 15 MB at most with tokens of 1.5 kB (an Entra ID access token is 1–2 kB). */
export const VERIFIED_TOKEN_CACHE_SIZE = 10_000;

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
