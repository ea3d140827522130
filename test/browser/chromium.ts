import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';

/**
 * Debian's Chromium for the browser specs: the `chromium` binary that PATH finds (as `which chromium` would). When
 * it is missing and this process may install packages (root, apt-get), it installs Debian's package once, as
 * `.ci/run` on a clean clone needs; otherwise the caller skips its spec and prints why.
 */
export type ChromiumLookup =
  { readonly kind: 'found'; readonly path: string; readonly installedInMs?: number } | { readonly kind: 'missing'; readonly why: string };

const INSTALL_TIMEOUT_MS = 10 * 60_000;
const APT_ENV = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
const run = promisify(execFile);

export function onPath(command: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, command);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return null;
}

export async function findOrInstallChromium(): Promise<ChromiumLookup> {
  const present = onPath('chromium');
  if (present) return { kind: 'found', path: present };
  if (process.platform !== 'linux')
    return { kind: 'missing', why: `chromium is not on PATH (and installing it needs Debian, not ${process.platform})` };
  const aptGet = onPath('apt-get');
  if (!aptGet) return { kind: 'missing', why: 'chromium is not on PATH and apt-get is not available to install it' };
  if (process.getuid?.() !== 0) {
    return { kind: 'missing', why: 'chromium is not on PATH and installing it needs root (run: sudo apt-get install -y chromium)' };
  }
  const started = Date.now();
  const install = () =>
    run(aptGet, ['-o', 'DPkg::Lock::Timeout=120', 'install', '-y', '--no-install-recommends', 'chromium'], {
      env: APT_ENV,
      timeout: INSTALL_TIMEOUT_MS,
      maxBuffer: 64 * 1024 * 1024,
    });
  try {
    try {
      await install();
    } catch (error) {
      // A fresh container has no package lists yet: read them, then try once more.
      if (!/Unable to locate package|no installation candidate/i.test(outputOf(error))) throw error;
      await run(aptGet, ['update'], { env: APT_ENV, timeout: INSTALL_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024 });
      await install();
    }
  } catch (error) {
    const last = outputOf(error).trim().split('\n').at(-1) ?? '';
    return {
      kind: 'missing',
      why: `chromium is not on PATH and \`apt-get install chromium\` failed after ${Date.now() - started} ms: ${last}`,
    };
  }
  const installed = onPath('chromium');
  if (!installed) return { kind: 'missing', why: 'apt-get installed chromium, but no chromium binary is on PATH' };
  return { kind: 'found', path: installed, installedInMs: Date.now() - started };
}

function outputOf(error: unknown): string {
  const e = error as { stderr?: string; stdout?: string; message?: string; killed?: boolean };
  if (e.killed) return `timed out after ${INSTALL_TIMEOUT_MS / 1000} s`;
  return e.stderr || e.message || e.stdout || String(error);
}
