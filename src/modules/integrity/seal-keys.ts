import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { SEAL_ALGORITHM } from './log-seal.ts';

/** The key seals are signed with. The private half never goes to the database. */
export interface SealSigningKey {
  readonly keyId: string;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  readonly publicKeyJwk: PublicJwk;
  /** Where it came from: the configured file, or the development key generated under DATA_DIR. */
  readonly source: string;
}

export interface PublicJwk {
  readonly kty: 'OKP';
  readonly crv: 'Ed25519';
  readonly x: string;
}

/** RFC 7638 JWK thumbprint (SHA-256, base64url): a key id anyone can recompute from the public key. */
export function keyIdOf(jwk: PublicJwk): string {
  return createHash('sha256')
    .update(JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x }))
    .digest('base64url');
}

export function publicJwkOf(key: KeyObject): PublicJwk {
  const jwk = key.export({ format: 'jwk' });
  if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || typeof jwk.x !== 'string') throw new Error('the seal key must be an Ed25519 key');
  return { kty: 'OKP', crv: 'Ed25519', x: jwk.x };
}

export function publicKeyFromJwk(jwk: unknown): KeyObject {
  const candidate = jwk as Record<string, unknown> | null;
  if (!candidate || candidate['kty'] !== 'OKP' || candidate['crv'] !== 'Ed25519' || typeof candidate['x'] !== 'string') {
    throw new Error('the public key must be an Ed25519 JWK ({"kty":"OKP","crv":"Ed25519","x":"..."})');
  }
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: candidate['x'] }, format: 'jwk' });
}

function fromPrivate(privateKey: KeyObject, source: string): SealSigningKey {
  if (privateKey.asymmetricKeyType !== 'ed25519') {
    throw new Error(`${source} holds a ${privateKey.asymmetricKeyType ?? 'non-asymmetric'} key; seals are signed with ${SEAL_ALGORITHM}`);
  }
  const publicKey = createPublicKey(privateKey);
  const publicKeyJwk = publicJwkOf(publicKey);
  return { keyId: keyIdOf(publicKeyJwk), privateKey, publicKey, publicKeyJwk, source };
}

/** The development key's file under DATA_DIR. */
export function developmentKeyPath(dataDir: string): string {
  return join(dataDir, 'log-seal', 'seal-key.pem');
}

/**
 * LOG_SEAL_PRIVATE_KEY_FILE (PKCS#8 PEM) when set; otherwise the development key under DATA_DIR, made on first use
 * (readable by this user only). Production without a file is refused by the configuration, not here.
 */
export async function loadSealKey(options: { privateKeyFile: string | undefined; dataDir: string }): Promise<SealSigningKey> {
  if (options.privateKeyFile) {
    const pem = await readFile(options.privateKeyFile, 'utf8');
    return fromPrivate(createPrivateKey({ key: pem, format: 'pem' }), `LOG_SEAL_PRIVATE_KEY_FILE ${options.privateKeyFile}`);
  }
  const path = developmentKeyPath(options.dataDir);
  try {
    return fromPrivate(createPrivateKey({ key: await readFile(path, 'utf8'), format: 'pem' }), `development key ${path}`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const { privateKey } = generateKeyPairSync('ed25519');
  const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  // Written aside then renamed: two instances starting together never read half a key; the last rename wins for both.
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, pem, { mode: 0o600 });
  await chmod(temporary, 0o600);
  await rename(temporary, path);
  return fromPrivate(createPrivateKey({ key: await readFile(path, 'utf8'), format: 'pem' }), `development key ${path}`);
}
