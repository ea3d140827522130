import { join } from 'node:path';
import { loadConfig } from '../config/config.ts';
import {
  adminSecurityHeaders,
  adminSignIn,
  bundlePath,
  developmentSignInEnabled,
  developmentTokenCallerProblem,
  negotiateEncoding,
  parseDevelopmentTokenRequest,
} from './admin-console.ts';

const generated = { mode: 'hs256', secret: 'x'.repeat(48), source: 'generated development secret' } as const;
const configured = { mode: 'hs256', secret: 'x'.repeat(48), source: 'AUTH_JWT_SECRET' } as const;
const oidc = { mode: 'oidc', issuer: 'https://id.example.org/realms/x', audience: 'governance', jwksUri: undefined } as const;
const admin = { bundleDir: '/tmp/admin', oidcClientId: undefined };

describe('the development sign-in', () => {
  test('only with the generated development secret, and never in production', () => {
    expect(developmentSignInEnabled({ nodeEnv: 'development', auth: generated })).toBe(true);
    expect(developmentSignInEnabled({ nodeEnv: 'test', auth: generated })).toBe(true);
    expect(developmentSignInEnabled({ nodeEnv: 'production', auth: generated })).toBe(false);
    expect(developmentSignInEnabled({ nodeEnv: 'development', auth: configured })).toBe(false);
    expect(developmentSignInEnabled({ nodeEnv: 'development', auth: oidc })).toBe(false);
    expect(developmentSignInEnabled({ nodeEnv: 'development', auth: { mode: 'development' } })).toBe(false);
  });

  test('the console signs in with OIDC when a client id is configured, else asks for a token', () => {
    expect(adminSignIn({ nodeEnv: 'development', auth: generated, admin })).toEqual({ mode: 'development' });
    expect(adminSignIn({ nodeEnv: 'production', auth: oidc, admin: { ...admin, oidcClientId: 'console' } })).toEqual({
      mode: 'oidc',
      issuer: oidc.issuer,
      clientId: 'console',
      audience: 'governance',
    });
    expect(adminSignIn({ nodeEnv: 'production', auth: oidc, admin })).toMatchObject({
      mode: 'token',
      reason: expect.stringMatching(/ADMIN_OIDC_CLIENT_ID/),
    });
    expect(adminSignIn({ nodeEnv: 'production', auth: configured, admin })).toMatchObject({ mode: 'token' });
  });

  test('the request names a member id and known roles', () => {
    expect(parseDevelopmentTokenRequest({ memberId: 'cm-1', roles: ['COMMUNITY_MANAGER', 'AUDITOR', 'AUDITOR'] })).toEqual({
      memberId: 'cm-1',
      roles: ['COMMUNITY_MANAGER', 'AUDITOR'],
    });
    expect(parseDevelopmentTokenRequest({ memberId: 'cm 1', roles: ['MEMBER'] })).toMatch(/memberId/);
    expect(parseDevelopmentTokenRequest({ memberId: 'cm-1', roles: [] })).toMatch(/roles/);
    expect(parseDevelopmentTokenRequest({ memberId: 'cm-1', roles: ['ROOT'] })).toMatch(/roles/);
    expect(parseDevelopmentTokenRequest(null)).toMatch(/JSON object/);
  });
});

describe('who may ask for a development token (against DNS rebinding)', () => {
  const origins = ['https://admin.example.org', 'http://console.test:8080'];
  const problem = (host: string | undefined, origin?: string) => developmentTokenCallerProblem({ host, origin }, origins);

  test('a loopback Host (any port), or the host of a configured origin; an Origin, when sent, loopback or configured', () => {
    for (const host of ['localhost', 'localhost:3000', 'LocalHost:5173', '127.0.0.1', '127.0.0.1:3000', '[::1]', '[::1]:3000']) {
      expect({ host, problem: problem(host) }).toEqual({ host, problem: null });
    }
    expect(problem('admin.example.org')).toBeNull();
    expect(problem('console.test:8080')).toBeNull();
    for (const origin of ['http://localhost:5173', 'http://127.0.0.1:3000', 'http://[::1]:3000', 'https://admin.example.org']) {
      expect({ origin, problem: problem('127.0.0.1:3000', origin) }).toEqual({ origin, problem: null });
    }
  });

  test('anything else is refused with the reason', () => {
    for (const host of [
      undefined,
      '',
      'attacker.example',
      'localhost.attacker.example',
      'attacker.localhost.example',
      '127.0.0.1.attacker.example',
      '192.168.1.20',
      '0.0.0.0:3000',
      '[::]',
      'localhost@attacker.example',
      'localhost/path',
      'localhost:99999',
      'x'.repeat(300),
    ]) {
      expect({ host, problem: problem(host) }).toEqual({
        host,
        problem: expect.stringMatching(/^the development sign-in answers only to a Host/),
      });
    }
    for (const origin of ['null', 'http://attacker.example', 'http://admin.example.org', 'https://admin.example.org:8443', 'not a url']) {
      expect({ origin, problem: problem('localhost:3000', origin) }).toEqual({
        origin,
        problem: expect.stringMatching(/^the development sign-in answers only to pages of an Origin/),
      });
    }
  });
});

describe('serving the bundle', () => {
  test('files inside the bundle directory only', () => {
    expect(bundlePath('/srv/admin', ['assets', 'index-1.js'])).toBe(join('/srv/admin', 'assets', 'index-1.js'));
    expect(bundlePath('/srv/admin', ['..', 'package.json'])).toBeNull();
    expect(bundlePath('/srv/admin', ['assets', '..', '..', 'x'])).toBeNull();
    expect(bundlePath('/srv/admin', ['../package.json'])).toBeNull();
    expect(bundlePath('/srv/admin', ['.env'])).toBeNull();
    expect(bundlePath('/srv/admin', ['a\\..\\b'])).toBeNull();
    expect(bundlePath('/srv/admin', [])).toBeNull();
  });

  test('the CSP allows only the service itself, and the identity provider for the OIDC sign-in', () => {
    const development = adminSecurityHeaders({ auth: generated })['content-security-policy'];
    expect(development).toContain("default-src 'self'");
    expect(development).toContain("script-src 'self'");
    expect(development).toContain("connect-src 'self';");
    expect(development).toContain("frame-ancestors 'none'");
    expect(development).not.toContain('unsafe-inline');
    expect(adminSecurityHeaders({ auth: oidc })['content-security-policy']).toContain("connect-src 'self' https://id.example.org;");
  });

  test('ADMIN_BUNDLE_DIR and ADMIN_OIDC_CLIENT_ID are read from the environment', () => {
    expect(loadConfig({}).admin.bundleDir).toMatch(/dist[\\/]admin$/);
    expect(loadConfig({ ADMIN_BUNDLE_DIR: '/srv/console', ADMIN_OIDC_CLIENT_ID: 'governance-console' }).admin).toEqual({
      bundleDir: '/srv/console',
      oidcClientId: 'governance-console',
    });
    expect(() => loadConfig({ ADMIN_OIDC_CLIENT_ID: 'has space' })).toThrow(/ADMIN_OIDC_CLIENT_ID/);
  });
});

describe('choosing the precompressed copy (Accept-Encoding)', () => {
  const both = ['br', 'gzip'] as const;

  test('brotli when the client takes it, gzip when it takes only that, the file itself otherwise', () => {
    expect(negotiateEncoding('gzip, deflate, br, zstd', both)).toBe('br');
    expect(negotiateEncoding('gzip, deflate', both)).toBe('gzip');
    expect(negotiateEncoding('x-gzip', both)).toBe('gzip');
    expect(negotiateEncoding('deflate, zstd', both)).toBeNull();
    expect(negotiateEncoding('identity', both)).toBeNull();
    expect(negotiateEncoding('', both)).toBeNull();
    expect(negotiateEncoding(undefined, both)).toBeNull();
  });

  test('q-values: q=0 refuses a coding, the highest q wins, brotli on a tie, * stands for the codings not named', () => {
    expect(negotiateEncoding('br;q=0, gzip', both)).toBe('gzip');
    expect(negotiateEncoding('br;q=0.5, gzip;q=0.8', both)).toBe('gzip');
    expect(negotiateEncoding('BR;Q=0.8, gzip;q=0.8', both)).toBe('br');
    expect(negotiateEncoding('*', both)).toBe('br');
    expect(negotiateEncoding('*;q=0', both)).toBeNull();
    expect(negotiateEncoding('gzip;q=0, *', both)).toBe('br');
    expect(negotiateEncoding('br;q=0, *;q=0.1', both)).toBe('gzip');
    expect(negotiateEncoding('br;q=zero, gzip;q=0', both)).toBeNull();
  });

  test('only a copy that exists', () => {
    expect(negotiateEncoding('br, gzip', ['gzip'])).toBe('gzip');
    expect(negotiateEncoding('br', ['gzip'])).toBeNull();
    expect(negotiateEncoding('br, gzip', [])).toBeNull();
  });
});
