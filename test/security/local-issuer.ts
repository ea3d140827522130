import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';

/** An OIDC issuer on 127.0.0.1 (discovery document and JWKS) whose key signs the tokens a test needs. */
export class LocalIssuer {
  issuer = '';
  readonly kid = 'security-spec-key';
  private server: Server | undefined;
  private privateKey: CryptoKey | undefined;

  async start(): Promise<void> {
    const pair = await generateKeyPair('RS256');
    this.privateKey = pair.privateKey;
    const jwks = { keys: [{ ...(await exportJWK(pair.publicKey)), kid: this.kid, alg: 'RS256', use: 'sig' }] };
    this.server = createServer((request, response) => {
      const send = (body: unknown) => {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify(body));
      };
      if (request.url === '/.well-known/openid-configuration') send({ issuer: this.issuer, jwks_uri: `${this.issuer}/jwks.json` });
      else if (request.url === '/jwks.json') send(jwks);
      else {
        response.writeHead(404);
        response.end();
      }
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.issuer = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** An RS256 token with the issuer's key; `claims` override iss/aud/sub/roles, `setup` the times (default: 5 minutes). */
  sign(claims: Record<string, unknown>, setup?: (jwt: SignJWT) => SignJWT, key: CryptoKey = this.privateKey!): Promise<string> {
    let jwt = new SignJWT(claims).setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: this.kid }).setIssuedAt();
    jwt = setup ? setup(jwt) : jwt.setExpirationTime('5m');
    return jwt.sign(key);
  }

  async close(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server!.close(resolve));
  }
}
