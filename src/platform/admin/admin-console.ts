import { resolve, sep } from 'node:path';
import type { AppConfig } from '../config/config.ts';
import { isRole, type Role } from '../auth/role.ts';
import { isId } from '../shared/identifiers.ts';

/** How the console signs people in, as it reads it from GET /admin/config.json. */
export type AdminSignIn =
  | { readonly mode: 'development' }
  | { readonly mode: 'oidc'; readonly issuer: string; readonly clientId: string; readonly audience: string }
  | { readonly mode: 'token'; readonly reason: string };

/**
 * The development sign-in (POST /admin/dev-token) exists only while the service signs its tokens itself with the
 * secret it generated under the data directory (no authentication configured), and never in production.
 */
export function developmentSignInEnabled(config: Pick<AppConfig, 'nodeEnv' | 'auth'>): boolean {
  return config.nodeEnv !== 'production' && config.auth.mode === 'hs256' && config.auth.source === 'generated development secret';
}

export function adminSignIn(config: Pick<AppConfig, 'nodeEnv' | 'auth' | 'admin'>): AdminSignIn {
  if (developmentSignInEnabled(config)) return { mode: 'development' };
  if (config.auth.mode === 'oidc') {
    if (config.admin.oidcClientId) {
      return { mode: 'oidc', issuer: config.auth.issuer, clientId: config.admin.oidcClientId, audience: config.auth.audience };
    }
    return { mode: 'token', reason: 'ADMIN_OIDC_CLIENT_ID is not configured: paste an access token from the identity provider' };
  }
  return { mode: 'token', reason: 'tokens are signed with AUTH_JWT_SECRET: paste a token (npm run token -- --sub <id> --role <ROLE>)' };
}

/**
 * The headers of everything under /admin: the console loads only its own files and talks only to this service
 * (and, with OIDC, to the identity provider's discovery and token endpoints).
 */
export function adminSecurityHeaders(config: Pick<AppConfig, 'auth'>): Record<string, string> {
  const connect = ["'self'"];
  if (config.auth.mode === 'oidc') connect.push(new URL(config.auth.issuer).origin);
  const csp = [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src ${connect.join(' ')}`,
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
  return {
    'content-security-policy': csp,
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
    'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=()',
  };
}

export interface DevelopmentTokenRequest {
  readonly memberId: string;
  readonly roles: readonly Role[];
}

/** Checks the body of POST /admin/dev-token; answers the problem in words, or the request. */
export function parseDevelopmentTokenRequest(body: unknown): DevelopmentTokenRequest | string {
  if (typeof body !== 'object' || body === null) return 'the body must be a JSON object { memberId, roles }';
  const { memberId, roles } = body as Record<string, unknown>;
  if (!isId(memberId)) return 'memberId must be 1 to 100 letters, digits or . _ : @ - characters';
  if (!Array.isArray(roles) || roles.length === 0 || roles.length > 5 || !roles.every(isRole)) {
    return 'roles must be a non-empty list of COMMUNITY_MANAGER, GROUP_OWNER, MEMBER, AUDITOR, PRIVACY_OFFICER';
  }
  return { memberId, roles: [...new Set(roles)] };
}

/** The names a browser on this machine reaches the service by; a name that resolves here is not enough (rebinding). */
const LOOPBACK_HOSTNAMES = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Who may ask for a development token, as the request's headers say: a page of another site cannot read the answer
 * (no CORS for it), but with DNS rebinding its own name points at 127.0.0.1 and the page becomes same-origin with
 * the service. Its requests then carry that name as Host and the page's origin as Origin. So the Host must be a
 * loopback name (any port) or the host of a configured admin origin, and an Origin, when sent, loopback or exactly a
 * configured origin. Answers the reason for a refusal (never quoting the headers), or null.
 */
export function developmentTokenCallerProblem(
  headers: { readonly host?: string | undefined; readonly origin?: string | undefined },
  adminOrigins: readonly string[],
): string | null {
  // By name, whatever the port: rebinding is about the name, and a proxy in front may change the port.
  const configuredHostnames = new Set(adminOrigins.map((origin) => new URL(origin).hostname));
  const host = parseHost(headers.host);
  if (!host || !(LOOPBACK_HOSTNAMES.has(host.hostname) || configuredHostnames.has(host.hostname))) {
    return `the development sign-in answers only to a Host of this machine (localhost, 127.0.0.1, [::1]) or of ADMIN_ORIGIN`;
  }
  if (headers.origin === undefined) return null;
  const origin = URL.canParse(headers.origin) ? new URL(headers.origin) : undefined;
  const allowed =
    origin !== undefined &&
    /^https?:$/.test(origin.protocol) &&
    (LOOPBACK_HOSTNAMES.has(origin.hostname) || adminOrigins.includes(origin.origin));
  return allowed
    ? null
    : `the development sign-in answers only to pages of an Origin of this machine (localhost, 127.0.0.1, [::1]) or of ADMIN_ORIGIN`;
}

/** `host[:port]` as a Host header carries it, or undefined for anything else (user info, a path, a bad port). */
function parseHost(value: string | undefined): URL | undefined {
  if (!value || value.length > 255 || !/^[A-Za-z0-9.:[\]-]+$/.test(value)) return undefined;
  const url = URL.canParse(`http://${value}`) ? new URL(`http://${value}`) : undefined;
  return url && url.pathname === '/' && !url.username && !url.password ? url : undefined;
}

/**
 * The file of the bundle a path under /admin names, or null for anything that could leave the bundle's directory
 * (.., dot files, empty segments): such paths are client routes at most, never files.
 */
export function bundlePath(bundleDir: string, segments: readonly string[]): string | null {
  if (segments.length === 0 || segments.length > 8) return null;
  if (segments.some((s) => s === '' || s.startsWith('.') || s.includes('/') || s.includes('\\') || s.includes('\0'))) return null;
  const root = resolve(bundleDir);
  const file = resolve(root, ...segments);
  return file.startsWith(root + sep) ? file : null;
}

/** The content codings the console's build writes next to its files (admin/vite.config.ts), by file suffix. */
export const PRECOMPRESSED = { br: '.br', gzip: '.gz' } as const;
export type ContentCoding = keyof typeof PRECOMPRESSED;

/**
 * Which of the precompressed copies to send for an Accept-Encoding header (RFC 9110 §12.5.3), or null for the file
 * as it is: a coding the client does not name (nor `*`), or names with q=0, is not acceptable. Of the acceptable
 * ones the highest q wins, brotli on a tie (it is the smaller). No header at all: identity.
 */
export function negotiateEncoding(acceptEncoding: string | undefined, available: readonly ContentCoding[]): ContentCoding | null {
  if (!acceptEncoding || available.length === 0) return null;
  const weights = new Map<string, number>();
  for (const part of acceptEncoding.split(',')) {
    const [name, ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    if (!name) continue;
    const q = params.find((p) => p.startsWith('q='));
    const weight = q === undefined ? 1 : Number(q.slice(2));
    weights.set(name === 'x-gzip' ? 'gzip' : name, Number.isFinite(weight) ? Math.min(Math.max(weight, 0), 1) : 0);
  }
  let best: ContentCoding | null = null;
  let bestWeight = 0;
  for (const coding of (['br', 'gzip'] as const).filter((c) => available.includes(c))) {
    const weight = weights.get(coding) ?? weights.get('*') ?? 0;
    if (weight > bestWeight) {
      best = coding;
      bestWeight = weight;
    }
  }
  return best;
}
