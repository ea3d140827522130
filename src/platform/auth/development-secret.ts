import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const FILE = 'dev-jwt-secret';

/**
 * The secret that signs development tokens when no authentication is configured: generated once per checkout
 * under the data directory (never committed), so the README's first session needs no configuration.
 */
export async function developmentSecret(dataDir: string, create: boolean): Promise<string | undefined> {
  const path = join(dataDir, FILE);
  try {
    const secret = (await readFile(path, 'utf8')).trim();
    if (secret.length >= 32) return secret;
  } catch {
    // not there yet
  }
  if (!create) return undefined;
  await mkdir(dataDir, { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  await writeFile(path, `${secret}\n`, { mode: 0o600 });
  return secret;
}
