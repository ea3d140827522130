import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { signDevelopmentToken } from './development-token.ts';
import { Role } from './role.ts';
import { IdentityProviderUnavailableError, InvalidTokenError, TokenVerifier } from './token-verifier.ts';

const AUDIENCE = 'governance-api';
const KID = 'issuer-key-1';
const SECRET = 'token-verifier-spec-secret-0123456789abcdef';

/** An OIDC issuer on 127.0.0.1: discovery document, JWKS at /jwks.json and a second JWKS at /other-jwks.json. */
class LocalIssuer {
  readonly requests: string[] = [];
  issuer = '';
  /** While set, every endpoint answers this status (an issuer having a bad moment). */
  failWith: number | undefined;
  private readonly server: Server;

  constructor(
    private readonly jwks: { keys: JWK[] },
    private readonly otherJwks: { keys: JWK[] },
  ) {
    this.server = createServer((request: IncomingMessage, response) => {
      const path = request.url ?? '/';
      this.requests.push(path);
      if (this.failWith) {
        response.writeHead(this.failWith);
        response.end();
        return;
      }
      const json = (body: unknown) => {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify(body));
      };
      if (path === '/.well-known/openid-configuration') json({ issuer: this.issuer, jwks_uri: `${this.issuer}/jwks.json` });
      else if (path === '/jwks.json') json(this.jwks);
      else if (path === '/other-jwks.json') json(this.otherJwks);
      else {
        response.writeHead(404);
        response.end();
      }
    });
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.issuer = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

interface Signing {
  key: CryptoKey | Uint8Array;
  alg?: string;
  kid?: string | undefined;
}

function sign(
  claims: Record<string, unknown>,
  { key, alg = 'RS256', kid = KID }: Signing,
  setup?: (jwt: SignJWT) => SignJWT,
): Promise<string> {
  let jwt = new SignJWT(claims).setProtectedHeader({ alg, typ: 'JWT', ...(kid ? { kid } : {}) }).setIssuedAt();
  jwt = setup ? setup(jwt) : jwt.setExpirationTime('5m');
  return jwt.sign(key);
}

/** The error `verify` rejects with, when it is of the class expected: the assertions look at its message. */
async function rejection(
  verifier: TokenVerifier,
  token: string,
  expected: typeof InvalidTokenError | typeof IdentityProviderUnavailableError,
) {
  try {
    const actor = await verifier.verify(token);
    throw new Error(`expected the token to be refused, it verified as ${JSON.stringify(actor)}`);
  } catch (error) {
    if (!(error instanceof expected)) throw error;
    return error;
  }
}
const refusal = (verifier: TokenVerifier, token: string) => rejection(verifier, token, InvalidTokenError);
const unavailable = (verifier: TokenVerifier, token: string) => rejection(verifier, token, IdentityProviderUnavailableError);

describe('TokenVerifier', () => {
  let issuer: LocalIssuer;
  let issuerKey: CryptoKey;
  let otherKey: CryptoKey;

  beforeAll(async () => {
    const pair = await generateKeyPair('RS256');
    const other = await generateKeyPair('RS256');
    issuerKey = pair.privateKey;
    otherKey = other.privateKey;
    const publicJwk = { ...(await exportJWK(pair.publicKey)), kid: KID, alg: 'RS256', use: 'sig' };
    const otherJwk = { ...(await exportJWK(other.publicKey)), kid: 'other-key', alg: 'RS256', use: 'sig' };
    issuer = new LocalIssuer({ keys: [publicJwk] }, { keys: [otherJwk] });
    await issuer.start();
  });
  afterAll(async () => {
    await issuer?.close();
  });

  describe('OIDC (issuer, audience, JWKS found by discovery)', () => {
    let verifier: TokenVerifier;
    const claims = () => ({ iss: issuer.issuer, aud: AUDIENCE, sub: 'm-42', roles: ['COMMUNITY_MANAGER', 'AUDITOR'] });

    beforeAll(() => {
      verifier = new TokenVerifier({ mode: 'oidc', issuer: issuer.issuer, audience: AUDIENCE, jwksUri: undefined });
    });

    test('a valid RS256 token from the issuer verifies to the member id and roles, with the JWKS found by discovery', async () => {
      const token = await sign(claims(), { key: issuerKey });
      await expect(verifier.verify(token)).resolves.toEqual({ id: 'm-42', roles: [Role.COMMUNITY_MANAGER, Role.AUDITOR] });
      expect(issuer.requests).toContain('/.well-known/openid-configuration');
      expect(issuer.requests).toContain('/jwks.json');
    });

    test('discovery and the key set are fetched once, not per token', async () => {
      const before = issuer.requests.length;
      await verifier.verify(await sign(claims(), { key: issuerKey }));
      await verifier.verify(await sign({ ...claims(), sub: 'm-43' }, { key: issuerKey }));
      expect(issuer.requests.slice(before)).toEqual([]);
    });

    test('unknown role names are dropped, duplicates collapse, a roles claim that is not a list gives no roles', async () => {
      const token = await sign({ ...claims(), roles: ['MEMBER', 'SUPERUSER', 'member', 42, 'MEMBER', null] }, { key: issuerKey });
      await expect(verifier.verify(token)).resolves.toEqual({ id: 'm-42', roles: [Role.MEMBER] });
      const scalar = await sign({ ...claims(), roles: 'COMMUNITY_MANAGER' }, { key: issuerKey });
      await expect(verifier.verify(scalar)).resolves.toEqual({ id: 'm-42', roles: [] });
      const none = await sign({ iss: issuer.issuer, aud: AUDIENCE, sub: 'm-42' }, { key: issuerKey });
      await expect(verifier.verify(none)).resolves.toEqual({ id: 'm-42', roles: [] });
    });

    test('a token for another audience is refused', async () => {
      const error = await refusal(verifier, await sign({ ...claims(), aud: 'some-other-api' }, { key: issuerKey }));
      expect(error.message).toMatch(/^the bearer token is not valid: .*"aud" claim/);
    });

    test('a token from another issuer is refused, even when signed with the right key', async () => {
      const error = await refusal(verifier, await sign({ ...claims(), iss: 'https://evil.example.com' }, { key: issuerKey }));
      expect(error.message).toMatch(/"iss" claim/);
    });

    test('an expired token is refused', async () => {
      const token = await sign(claims(), { key: issuerKey }, (jwt) =>
        jwt.setIssuedAt(Math.floor(Date.now() / 1000) - 3600).setExpirationTime(Math.floor(Date.now() / 1000) - 60),
      );
      const error = await refusal(verifier, token);
      expect(error.message).toMatch(/"exp" claim timestamp check failed/);
    });

    test('a token that is not valid yet (nbf in the future) is refused', async () => {
      const token = await sign(claims(), { key: issuerKey }, (jwt) =>
        jwt.setNotBefore(Math.floor(Date.now() / 1000) + 600).setExpirationTime('20m'),
      );
      expect((await refusal(verifier, token)).message).toMatch(/"nbf" claim/);
    });

    test('a token signed by another key is refused, whether it claims the issuer key id, another one or none', async () => {
      const sameKid = await refusal(verifier, await sign(claims(), { key: otherKey }));
      expect(sameKid.message).toMatch(/signature verification failed/);
      const otherKid = await refusal(verifier, await sign(claims(), { key: otherKey, kid: 'other-key' }));
      expect(otherKid.message).toMatch(/no applicable key found in the JSON Web Key Set/);
      const noKid = await refusal(verifier, await sign(claims(), { key: otherKey, kid: undefined }));
      expect(noKid.message).toMatch(/signature verification failed|no applicable key/);
    });

    test('a tampered payload is refused', async () => {
      const [header, , signature] = (await sign(claims(), { key: issuerKey })).split('.');
      const forged = Buffer.from(JSON.stringify({ ...claims(), roles: ['PRIVACY_OFFICER'], exp: 9_999_999_999 })).toString('base64url');
      expect((await refusal(verifier, `${header}.${forged}.${signature}`)).message).toMatch(/signature verification failed/);
    });

    test('an unsecured token (alg: none) is refused', async () => {
      const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
      const unsecured = `${encode({ alg: 'none', typ: 'JWT' })}.${encode({ ...claims(), exp: Math.floor(Date.now() / 1000) + 300 })}.`;
      expect((await refusal(verifier, unsecured)).message).toMatch(/"alg" \(Algorithm\) Header Parameter value not allowed/);
    });

    test('an HS256 token is refused by the OIDC configuration, whatever secret signed it', async () => {
      // Algorithm confusion: a token signed with a secret must not pass as if the secret were the issuer's public key.
      const hs256 = await sign(claims(), { key: new TextEncoder().encode(SECRET), alg: 'HS256' });
      expect((await refusal(verifier, hs256)).message).toMatch(/"alg" \(Algorithm\) Header Parameter value not allowed/);
      const development = await signDevelopmentToken(SECRET, 'm-42', [Role.COMMUNITY_MANAGER]);
      expect((await refusal(verifier, development)).message).toMatch(/not allowed/);
    });

    test('a token without a subject, or with an empty one, is refused', async () => {
      const { sub: _omitted, ...withoutSub } = claims();
      expect((await refusal(verifier, await sign(withoutSub, { key: issuerKey }))).message).toBe('the bearer token has no subject (sub)');
      expect((await refusal(verifier, await sign({ ...claims(), sub: '' }, { key: issuerKey }))).message).toBe(
        'the bearer token has no subject (sub)',
      );
    });

    test('what is not a JWT at all is refused', async () => {
      expect((await refusal(verifier, 'not-a-token')).message).toMatch(/^the bearer token is not valid: /);
      expect((await refusal(verifier, '')).message).toMatch(/^the bearer token is not valid: /);
    });
  });

  describe('OIDC with AUTH_JWKS_URI', () => {
    test('the configured JWKS is used instead of the discovered one', async () => {
      const verifier = new TokenVerifier({
        mode: 'oidc',
        issuer: issuer.issuer,
        audience: AUDIENCE,
        jwksUri: `${issuer.issuer}/other-jwks.json`,
      });
      const before = issuer.requests.length;
      const claims = { iss: issuer.issuer, aud: AUDIENCE, sub: 'm-7', roles: ['GROUP_OWNER'] };
      // The key the configured JWKS holds verifies ...
      await expect(verifier.verify(await sign(claims, { key: otherKey, kid: 'other-key' }))).resolves.toEqual({
        id: 'm-7',
        roles: [Role.GROUP_OWNER],
      });
      // ... the one only discovery would have found does not.
      expect((await refusal(verifier, await sign(claims, { key: issuerKey }))).message).toMatch(/no applicable key found/);
      expect(issuer.requests.slice(before)).not.toContain('/.well-known/openid-configuration');
      expect(issuer.requests.slice(before)).toContain('/other-jwks.json');
    });

    test('an issuer whose discovery fails is unavailable, not a reason to refuse the token; discovery is tried again', async () => {
      const tenant = `${issuer.issuer}/no-such-tenant`;
      const broken = new TokenVerifier({ mode: 'oidc', issuer: tenant, audience: AUDIENCE, jwksUri: undefined });
      const token = await sign({ iss: tenant, aud: AUDIENCE, sub: 'm-1' }, { key: issuerKey });
      expect((await unavailable(broken, token)).message).toBe(
        `OIDC discovery at ${tenant}/.well-known/openid-configuration failed: it answered 404`,
      );
      const before = issuer.requests.length;
      await unavailable(broken, token);
      expect(issuer.requests.slice(before)).toEqual(['/no-such-tenant/.well-known/openid-configuration']);
    });

    test('an issuer that cannot be reached is unavailable, with the reason', async () => {
      const gone = new LocalIssuer({ keys: [] }, { keys: [] });
      await gone.start();
      const address = gone.issuer;
      await gone.close();
      const verifier = new TokenVerifier({ mode: 'oidc', issuer: address, audience: AUDIENCE, jwksUri: undefined });
      const token = await sign({ iss: address, aud: AUDIENCE, sub: 'm-1' }, { key: issuerKey });
      expect((await unavailable(verifier, token)).message).toMatch(/^OIDC discovery at .* failed: fetch failed \(ECONNREFUSED\)$/);
    });

    test('a JWKS that answers 503 is unavailable; once it answers again, tokens verify', async () => {
      const verifier = new TokenVerifier({
        mode: 'oidc',
        issuer: issuer.issuer,
        audience: AUDIENCE,
        jwksUri: `${issuer.issuer}/jwks.json`,
      });
      const token = await sign({ iss: issuer.issuer, aud: AUDIENCE, sub: 'm-9', roles: ['AUDITOR'] }, { key: issuerKey });
      issuer.failWith = 503;
      try {
        expect((await unavailable(verifier, token)).message).toBe(
          `the JWKS at ${issuer.issuer}/jwks.json could not be read: Expected 200 OK from the JSON Web Key Set HTTP response`,
        );
      } finally {
        issuer.failWith = undefined;
      }
      await expect(verifier.verify(token)).resolves.toEqual({ id: 'm-9', roles: [Role.AUDITOR] });
    });
  });

  describe('HS256 (AUTH_JWT_SECRET or the generated development secret)', () => {
    const verifier = new TokenVerifier({ mode: 'hs256', secret: SECRET, source: 'AUTH_JWT_SECRET' });

    test('a development token signed with the secret verifies', async () => {
      const token = await signDevelopmentToken(SECRET, 'm-1', [Role.COMMUNITY_MANAGER, Role.MEMBER]);
      await expect(verifier.verify(token)).resolves.toEqual({ id: 'm-1', roles: [Role.COMMUNITY_MANAGER, Role.MEMBER] });
    });

    test('a token signed with another secret is refused', async () => {
      const token = await signDevelopmentToken(`${SECRET}-but-not-quite`, 'm-1', [Role.COMMUNITY_MANAGER]);
      expect((await refusal(verifier, token)).message).toMatch(/signature verification failed/);
    });

    test('an expired development token is refused', async () => {
      const token = await sign({ sub: 'm-1', roles: ['MEMBER'] }, { key: new TextEncoder().encode(SECRET), alg: 'HS256' }, (jwt) =>
        jwt.setExpirationTime(Math.floor(Date.now() / 1000) - 60),
      );
      expect((await refusal(verifier, token)).message).toMatch(/"exp" claim timestamp check failed/);
    });

    test('an RS256 token is refused, even one from a real issuer', async () => {
      const token = await sign({ iss: issuer.issuer, aud: AUDIENCE, sub: 'm-1', roles: ['MEMBER'] }, { key: issuerKey });
      expect((await refusal(verifier, token)).message).toMatch(/"alg" \(Algorithm\) Header Parameter value not allowed/);
    });

    test('a token without a subject is refused', async () => {
      const token = await sign({ roles: ['MEMBER'] }, { key: new TextEncoder().encode(SECRET), alg: 'HS256' });
      expect((await refusal(verifier, token)).message).toBe('the bearer token has no subject (sub)');
    });

    test('a verified token is kept and answered again, bounded in number; a refused one is not kept', async () => {
      const kept = new TokenVerifier({ mode: 'hs256', secret: SECRET, source: 'AUTH_JWT_SECRET' }, { cacheSize: 2 });
      const token = await signDevelopmentToken(SECRET, 'm-1', [Role.MEMBER]);
      await expect(kept.verify(token)).resolves.toEqual({ id: 'm-1', roles: [Role.MEMBER] });
      await expect(kept.verify(token)).resolves.toEqual({ id: 'm-1', roles: [Role.MEMBER] });
      expect(kept.cachedTokenCount).toBe(1);
      await refusal(kept, await signDevelopmentToken(`${SECRET}-but-not-quite`, 'm-1', [Role.MEMBER]));
      expect(kept.cachedTokenCount).toBe(1);
      for (const member of ['m-2', 'm-3']) await kept.verify(await signDevelopmentToken(SECRET, member, [Role.MEMBER]));
      expect(kept.cachedTokenCount).toBe(2);
    });

    test('a token answered from memory is refused once its exp has passed, as if it had never been seen', async () => {
      let now = Date.now();
      const kept = new TokenVerifier({ mode: 'hs256', secret: SECRET, source: 'AUTH_JWT_SECRET' }, { now: () => now });
      const exp = Math.floor(now / 1000) + 120;
      const token = await sign({ sub: 'm-1', roles: ['MEMBER'] }, { key: new TextEncoder().encode(SECRET), alg: 'HS256' }, (jwt) =>
        jwt.setExpirationTime(exp),
      );
      await expect(kept.verify(token)).resolves.toEqual({ id: 'm-1', roles: [Role.MEMBER] });
      now = exp * 1000 - 1;
      await expect(kept.verify(token)).resolves.toEqual({ id: 'm-1', roles: [Role.MEMBER] });
      now = exp * 1000;
      expect((await refusal(kept, token)).message).toMatch(/"exp" claim timestamp check failed/);
      expect(kept.cachedTokenCount).toBe(0);
    });

    test('a subject that is not a member id (control characters, 5,000 characters, a path) is refused', async () => {
      const key = new TextEncoder().encode(SECRET);
      for (const sub of ['m\u0000nul', 'm-1\r\nx', 'x'.repeat(5_000), 'x'.repeat(101), '../etc', 'm 1', '\uD800']) {
        const token = await sign({ sub, roles: ['MEMBER'] }, { key, alg: 'HS256' });
        expect((await refusal(verifier, token)).message).toMatch(/^the bearer token's subject \(sub\) is not a member id/);
      }
      // The longest id there may be, and every character an id may have, are taken.
      for (const sub of ['x'.repeat(100), 'a.b_c:d@e-F9']) {
        await expect(verifier.verify(await sign({ sub, roles: ['MEMBER'] }, { key, alg: 'HS256' }))).resolves.toEqual({
          id: sub,
          roles: ['MEMBER'],
        });
      }
    });
  });
});
