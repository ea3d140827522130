// Authorization code with PKCE (RFC 7636), the pure parts: what the console sends to the identity provider and
// how it checks what comes back. Uses only Web Crypto, available in browsers and in Node (for the unit tests).

export function base64url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function randomString(byteLength = 32): string {
  const bytes = new Uint8Array(byteLength);
  crypto.getRandomValues(bytes);
  return base64url(bytes);
}

/** code_challenge = BASE64URL(SHA-256(code_verifier)), method S256. */
export async function codeChallenge(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return base64url(new Uint8Array(digest));
}

export interface Discovery {
  readonly issuer: string;
  readonly authorization_endpoint: string;
  readonly token_endpoint: string;
  readonly end_session_endpoint?: string;
}

export function discoveryUrl(issuer: string): string {
  return `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
}

/** Checks a discovery document: the endpoints the console needs, issued by the issuer the API trusts. */
export function parseDiscovery(issuer: string, body: unknown): Discovery {
  const d = (body ?? {}) as Record<string, unknown>;
  const strip = (s: string) => s.replace(/\/+$/, '');
  if (typeof d.issuer !== 'string' || strip(d.issuer) !== strip(issuer)) {
    throw new Error(`the discovery document names issuer ${String(d.issuer)}, not ${issuer}`);
  }
  for (const key of ['authorization_endpoint', 'token_endpoint'] as const) {
    if (typeof d[key] !== 'string' || !/^https?:\/\//.test(d[key])) throw new Error(`the discovery document has no ${key}`);
  }
  return {
    issuer: d.issuer,
    authorization_endpoint: d.authorization_endpoint as string,
    token_endpoint: d.token_endpoint as string,
    ...(typeof d.end_session_endpoint === 'string' ? { end_session_endpoint: d.end_session_endpoint } : {}),
  };
}

export interface AuthorizationRequest {
  readonly clientId: string;
  readonly redirectUri: string;
  readonly audience: string;
  readonly state: string;
  readonly nonce: string;
  readonly challenge: string;
}

export function authorizationUrl(discovery: Discovery, request: AuthorizationRequest): string {
  const url = new URL(discovery.authorization_endpoint);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', request.clientId);
  url.searchParams.set('redirect_uri', request.redirectUri);
  url.searchParams.set('scope', 'openid profile');
  url.searchParams.set('state', request.state);
  url.searchParams.set('nonce', request.nonce);
  url.searchParams.set('code_challenge', request.challenge);
  url.searchParams.set('code_challenge_method', 'S256');
  // Some providers issue access tokens for an API only when asked for its audience (or resource, RFC 8707).
  url.searchParams.set('audience', request.audience);
  return url.toString();
}

/** The code of the redirect back, once its state matches the one this tab sent; the provider's error otherwise. */
export function parseCallback(search: string, expectedState: string | null): { code: string } | { error: string } {
  const params = new URLSearchParams(search);
  const error = params.get('error');
  if (error) return { error: `${error}${params.get('error_description') ? `: ${params.get('error_description')}` : ''}` };
  const code = params.get('code');
  const state = params.get('state');
  if (!code) return { error: 'the identity provider sent no code' };
  if (!expectedState || state !== expectedState)
    return { error: 'the sign-in was not started from this tab (state mismatch); sign in again' };
  return { code };
}

export function tokenRequestBody(code: string, verifier: string, clientId: string, redirectUri: string): URLSearchParams {
  return new URLSearchParams({
    grant_type: 'authorization_code',
    code,
    code_verifier: verifier,
    client_id: clientId,
    redirect_uri: redirectUri,
  });
}

/** The claims of a JWT, read without verifying it (the API verifies; the console only wants exp and sub). */
export function jwtClaims(token: string): { sub?: string; exp?: number; roles?: unknown } | null {
  const part = token.split('.')[1];
  if (!part) return null;
  try {
    const json = atob(
      part
        .replace(/-/g, '+')
        .replace(/_/g, '/')
        .padEnd(Math.ceil(part.length / 4) * 4, '='),
    );
    const claims = JSON.parse(json) as unknown;
    return typeof claims === 'object' && claims !== null ? (claims as { sub?: string; exp?: number }) : null;
  } catch {
    return null;
  }
}

/** Whether a token has expired (or will within `skewSeconds`), by its exp claim; tokens without exp never do. */
export function isExpired(token: string, nowMs: number, skewSeconds = 30): boolean {
  const exp = jwtClaims(token)?.exp;
  return typeof exp === 'number' && exp * 1000 <= nowMs + skewSeconds * 1000;
}
