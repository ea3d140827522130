import type { Role } from '../access.ts';
import {
  authorizationUrl,
  codeChallenge,
  discoveryUrl,
  isExpired,
  parseCallback,
  parseDiscovery,
  randomString,
  tokenRequestBody,
  type Discovery,
} from './pkce.ts';

export type SignInConfig =
  | { readonly mode: 'development' }
  | { readonly mode: 'oidc'; readonly issuer: string; readonly clientId: string; readonly audience: string }
  | { readonly mode: 'token'; readonly reason: string };

const TOKEN_KEY = 'governance-console.token';
const PKCE_KEY = 'governance-console.pkce';
const RETURN_KEY = 'governance-console.return-to';

/** The token lives in this tab's sessionStorage: closing the tab signs out. */
export function storedToken(): string | null {
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token && isExpired(token, Date.now())) {
    sessionStorage.removeItem(TOKEN_KEY);
    return null;
  }
  return token;
}

export function storeToken(token: string): void {
  sessionStorage.setItem(TOKEN_KEY, token);
}

export function clearToken(): void {
  sessionStorage.removeItem(TOKEN_KEY);
}

export async function loadSignInConfig(): Promise<SignInConfig> {
  const response = await fetch('/admin/config.json', { headers: { accept: 'application/json' } });
  if (!response.ok) throw new Error(`/admin/config.json answered HTTP ${response.status}`);
  return ((await response.json()) as { signIn: SignInConfig }).signIn;
}

export async function developmentToken(memberId: string, roles: readonly Role[]): Promise<string> {
  const response = await fetch('/admin/dev-token', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ memberId, roles }),
  });
  const body = (await response.json().catch(() => ({}))) as { token?: string; message?: string };
  if (!response.ok || !body.token) throw new Error(body.message ?? `HTTP ${response.status}`);
  return body.token;
}

async function discover(issuer: string): Promise<Discovery> {
  const response = await fetch(discoveryUrl(issuer), { headers: { accept: 'application/json' } });
  if (!response.ok) throw new Error(`the identity provider's discovery document answered HTTP ${response.status}`);
  return parseDiscovery(issuer, await response.json());
}

export function redirectUri(): string {
  return `${window.location.origin}/admin/callback`;
}

/** Sends the browser to the identity provider; it comes back to /admin/callback. */
export async function beginOidcSignIn(config: Extract<SignInConfig, { mode: 'oidc' }>, returnTo: string): Promise<void> {
  const discovery = await discover(config.issuer);
  const verifier = randomString(48);
  const state = randomString(16);
  const nonce = randomString(16);
  sessionStorage.setItem(PKCE_KEY, JSON.stringify({ verifier, state }));
  sessionStorage.setItem(RETURN_KEY, returnTo);
  const challenge = await codeChallenge(verifier);
  window.location.assign(
    authorizationUrl(discovery, {
      clientId: config.clientId,
      redirectUri: redirectUri(),
      audience: config.audience,
      state,
      nonce,
      challenge,
    }),
  );
}

/** Exchanges the code of /admin/callback for tokens; answers where to go next. */
export async function completeOidcSignIn(config: Extract<SignInConfig, { mode: 'oidc' }>, search: string): Promise<string> {
  const pending = JSON.parse(sessionStorage.getItem(PKCE_KEY) ?? 'null') as { verifier: string; state: string } | null;
  sessionStorage.removeItem(PKCE_KEY);
  const result = parseCallback(search, pending?.state ?? null);
  if ('error' in result) throw new Error(result.error);
  const discovery = await discover(config.issuer);
  const response = await fetch(discovery.token_endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: tokenRequestBody(result.code, pending!.verifier, config.clientId, redirectUri()),
  });
  const body = (await response.json().catch(() => ({}))) as { access_token?: string; error?: string; error_description?: string };
  if (!response.ok || !body.access_token) {
    throw new Error(`the identity provider refused the code: ${body.error_description ?? body.error ?? `HTTP ${response.status}`}`);
  }
  storeToken(body.access_token);
  const returnTo = sessionStorage.getItem(RETURN_KEY) ?? '/admin/';
  sessionStorage.removeItem(RETURN_KEY);
  return returnTo.startsWith('/admin') ? returnTo : '/admin/';
}
