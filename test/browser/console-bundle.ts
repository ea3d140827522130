import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');

/**
 * A temporary directory for the console's bundle (the service's ADMIN_BUNDLE_DIR) and its build, as
 * `npm run build:admin` builds it. The service reads the bundle per request, so it may start before the build ends.
 */
export async function consoleBundle(): Promise<{ dir: string; build: () => Promise<void>; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'governance-console-'));
  return {
    dir,
    build: async () => {
      await run(
        process.execPath,
        [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'admin/vite.config.ts', '--outDir', dir, '--logLevel', 'warn'],
        // As npm runs it: Jest's NODE_ENV=test would otherwise make Vite bundle React's development build (twice the size).
        { cwd: ROOT, env: { ...process.env, NODE_ENV: 'production' } },
      );
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
