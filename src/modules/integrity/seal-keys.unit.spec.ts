import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../platform/config/config.ts';
import { developmentKeyPath, keyIdOf, loadSealKey } from './seal-keys.ts';

const production = { NODE_ENV: 'production', AUTH_ISSUER: 'https://id.example.org', AUTH_AUDIENCE: 'governance' };

describe('the seal key', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'seal-keys-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  test('production without LOG_SEAL_PRIVATE_KEY_FILE refuses to start, unless LOG_SEALING=off is explicit', () => {
    expect(() => loadConfig(production)).toThrow(/NODE_ENV=production needs LOG_SEAL_PRIVATE_KEY_FILE .* or LOG_SEALING=off/);
    expect(loadConfig({ ...production, LOG_SEALING: 'off' }).logSeal.enabled).toBe(false);
    expect(loadConfig({ ...production, LOG_SEAL_PRIVATE_KEY_FILE: '/run/secrets/seal.pem' }).logSeal).toMatchObject({
      enabled: true,
      privateKeyFile: '/run/secrets/seal.pem',
      intervalMs: 60_000,
      everyEvents: 10_000,
      witnessDir: undefined,
    });
  });

  test('on by default outside tests, off by default under NODE_ENV=test; bad values are named', () => {
    expect(loadConfig({ NODE_ENV: 'development' }).logSeal.enabled).toBe(true);
    expect(loadConfig({ NODE_ENV: 'test' }).logSeal.enabled).toBe(false);
    expect(() => loadConfig({ LOG_SEALING: 'maybe', LOG_SEAL_INTERVAL_MS: '5', LOG_SEAL_EVERY_EVENTS: '0' })).toThrow(
      /LOG_SEALING must be one of on, off[\s\S]*LOG_SEAL_INTERVAL_MS must be a whole number from 100[\s\S]*LOG_SEAL_EVERY_EVENTS must be a whole number from 1/,
    );
  });

  test('development: generated once under DATA_DIR, readable by its owner only, the same key at the next start', async () => {
    const first = await loadSealKey({ privateKeyFile: undefined, dataDir: dir });
    const again = await loadSealKey({ privateKeyFile: undefined, dataDir: dir });
    expect(again.keyId).toBe(first.keyId);
    expect(first.keyId).toBe(keyIdOf(first.publicKeyJwk));
    expect((await stat(developmentKeyPath(dir))).mode & 0o777).toBe(0o600);
    expect(await readFile(developmentKeyPath(dir), 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----/);
  });

  test('LOG_SEAL_PRIVATE_KEY_FILE: an Ed25519 PKCS#8 PEM; another kind of key is refused with what is wanted', async () => {
    const ed = join(dir, 'ed.pem');
    await writeFile(ed, generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }) as string);
    expect((await loadSealKey({ privateKeyFile: ed, dataDir: dir })).publicKeyJwk).toMatchObject({ kty: 'OKP', crv: 'Ed25519' });
    const rsa = join(dir, 'rsa.pem');
    await writeFile(rsa, generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'pem', type: 'pkcs8' }) as string);
    await expect(loadSealKey({ privateKeyFile: rsa, dataDir: dir })).rejects.toThrow(/holds a rsa key; seals are signed with Ed25519/);
  });
});
