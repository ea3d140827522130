import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { getPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createTestDatabase, type TestDatabase } from '#testing';
import { signDevelopmentToken } from '../../src/platform/auth/development-token.ts';
import { Role } from '../../src/platform/auth/role.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MAIN = join(ROOT, 'dist/src/main.js');
const SECRET = 'startup-spec-secret-that-is-long-enough-0123456789';

/** Newest modification time of the TypeScript the build compiles (specs and tests aside). */
async function newestSource(dir: string): Promise<number> {
  let newest = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts') || entry.name.endsWith('.spec.ts')) continue;
    newest = Math.max(newest, (await stat(join(entry.parentPath, entry.name))).mtimeMs);
  }
  return newest;
}

/** Builds dist/ only when it is missing or older than the sources, so that the spawned main is this code. */
async function ensureBuilt(): Promise<void> {
  const built = await stat(MAIN).then(
    (s) => s.mtimeMs,
    () => 0,
  );
  const sources = Math.max(await newestSource(join(ROOT, 'src')), await newestSource(join(ROOT, 'libs')));
  if (built >= sources) return;
  await promisify(execFile)(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
    cwd: ROOT,
  }).catch((error: { stdout?: string; message: string }) => {
    throw new Error(`the build failed: ${error.stdout ?? error.message}`);
  });
}

interface Run {
  readonly child: ChildProcess;
  stdout: string;
  stderr: string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * `node dist/src/main.js` with only the environment given (none of the test runner's own). `ownProcessGroup`: as a
 * terminal runs it, the leader of its own process group, so that a Ctrl-C (SIGINT to the group) can be sent.
 */
function startMain(env: Record<string, string>, cwd: string, ownProcessGroup = false): Run {
  const child = spawn(process.execPath, ['--enable-source-maps', MAIN], {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? cwd, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: ownProcessGroup,
  });
  const run: Run = {
    child,
    stdout: '',
    stderr: '',
    exited: new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal }))),
  };
  child.stdout!.on('data', (chunk: Buffer) => (run.stdout += chunk.toString('utf8')));
  child.stderr!.on('data', (chunk: Buffer) => (run.stderr += chunk.toString('utf8')));
  return run;
}

/** The distinct nice values of a process's V8Worker threads and of its other threads (Linux). */
async function threadNices(pid: number): Promise<{ V8Worker: number[]; others: number[] }> {
  const found = { V8Worker: new Set<number>(), others: new Set<number>() };
  for (const tid of await readdir(`/proc/${pid}/task`)) {
    const name = (await readFile(`/proc/${pid}/task/${tid}/comm`, 'utf8')).trim();
    found[name === 'V8Worker' ? 'V8Worker' : 'others'].add(getPriority(Number(tid)));
  }
  return { V8Worker: [...found.V8Worker], others: [...found.others] };
}

function logLines(run: Run): Record<string, unknown>[] {
  return run.stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

// A start on a fresh database migrates it (the event store's, the read models'): a few seconds, but a loaded clean-clone
// run once took more than 15.
async function waitFor<T>(what: string, run: Run, probe: () => T | undefined, timeoutMs = 40_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = probe();
    if (found !== undefined) return found;
    if (run.child.exitCode !== null || Date.now() > deadline) {
      throw new Error(`${what} did not happen (exit code ${run.child.exitCode}):\n${run.stdout}\n${run.stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('node dist/src/main.js', () => {
  let dir: string;
  const running: Run[] = [];

  beforeAll(async () => {
    await ensureBuilt();
    dir = await mkdtemp(join(tmpdir(), 'governance-startup-'));
  });
  afterAll(async () => {
    for (const run of running) if (run.child.exitCode === null) run.child.kill('SIGKILL');
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('NODE_ENV=production without authentication exits with code 1 and says what to configure, before it starts anything', async () => {
    const dataDir = join(dir, 'no-auth');
    const run = startMain({ NODE_ENV: 'production', DATA_DIR: dataDir }, dir);
    running.push(run);
    expect(await run.exited).toEqual({ code: 1, signal: null });
    expect(run.stderr).toContain('invalid configuration:');
    expect(run.stderr).toContain(
      'NODE_ENV=production needs authentication configured: AUTH_ISSUER and AUTH_AUDIENCE (OIDC), or AUTH_JWT_SECRET',
    );
    // No embedded database was started, no development secret was written.
    await expect(stat(dataDir)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(run.stdout).not.toMatch(/listens on/);
  });

  test('every invalid setting is reported at once, and the process exits with code 1', async () => {
    const run = startMain({ NODE_ENV: 'production', PORT: 'eighty', AUTH_JWT_SECRET: 'short', DATA_DIR: join(dir, 'bad') }, dir);
    running.push(run);
    expect(await run.exited).toEqual({ code: 1, signal: null });
    expect(run.stderr).toMatch(/PORT must be a whole number from 0 to 65535 \(got "eighty"\)/);
    expect(run.stderr).toMatch(/AUTH_JWT_SECRET must be at least 32 characters/);
  });

  test('NODE_ENV=production with a shared secret (AUTH_JWT_SECRET) exits with code 1 unless that is allowed explicitly', async () => {
    const dataDir = join(dir, 'shared-secret');
    const run = startMain({ NODE_ENV: 'production', AUTH_JWT_SECRET: SECRET, DATA_DIR: dataDir }, dir);
    running.push(run);
    expect(await run.exited).toEqual({ code: 1, signal: null });
    expect(run.stderr).toContain('invalid configuration:');
    expect(run.stderr).toContain('AUTH_ALLOW_SHARED_SECRET_IN_PRODUCTION=true');
    await expect(stat(dataDir)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(run.stdout).not.toMatch(/listens on/);
    expect(run.stdout).not.toMatch(/development token/);
  });

  describe('with a database', () => {
    let database: TestDatabase;

    beforeAll(async () => {
      database = await createTestDatabase('startup');
    });
    afterAll(async () => {
      await database?.drop();
    });

    test('it serves, and SIGTERM stops it cleanly: exit code 0, "stopped" logged, no warning or error', async () => {
      const run = startMain(
        {
          NODE_ENV: 'production',
          PORT: '0',
          DATABASE_URL: database.url,
          // OIDC: the issuer is only asked for its keys when a token arrives, and none does here.
          AUTH_ISSUER: 'http://127.0.0.1:9/realms/governance',
          AUTH_AUDIENCE: 'governance-api',
          DATA_DIR: join(dir, 'serving'),
          LOG_SEALING: 'off',
          LOG_LEVEL: 'info',
        },
        dir,
      );
      running.push(run);
      const url = await waitFor('listening', run, () => /GraphQL listens on (http:\/\/\S+)\/graphql/.exec(run.stdout)?.[1]);
      expect((await fetch(`${url}/health/ready`)).status).toBe(200);
      if (process.platform === 'linux') {
        // V8's compiler and GC helper threads run below the event loop (V8_WORKER_NICE, default 19); the rest as started.
        expect(await threadNices(run.child.pid!)).toEqual({ V8Worker: [19], others: [getPriority(0)] });
      }

      run.child.kill('SIGTERM');
      const stoppedAt = Date.now();
      expect(await run.exited).toEqual({ code: 0, signal: null });
      expect(Date.now() - stoppedAt).toBeLessThan(5_000);
      const lines = logLines(run);
      expect(lines.map((l) => l.message)).toEqual(expect.arrayContaining(['SIGTERM: shutting down', 'stopped']));
      expect(lines.filter((l) => l.level === 'warn' || l.level === 'error')).toEqual([]);
      expect(run.stderr).toBe('');
      expect(run.stdout).not.toMatch(/development token/);
    });

    test('production with AUTH_ALLOW_SHARED_SECRET_IN_PRODUCTION=true starts, warns once, and never hints at development tokens', async () => {
      const run = startMain(
        {
          NODE_ENV: 'production',
          PORT: '0',
          DATABASE_URL: database.url,
          AUTH_JWT_SECRET: SECRET,
          AUTH_ALLOW_SHARED_SECRET_IN_PRODUCTION: 'true',
          DATA_DIR: join(dir, 'shared-secret-allowed'),
          LOG_SEALING: 'off',
          LOG_LEVEL: 'info',
        },
        dir,
      );
      running.push(run);
      const url = await waitFor('listening', run, () => /GraphQL listens on (http:\/\/\S+)\/graphql/.exec(run.stdout)?.[1]);
      expect((await fetch(`${url}/health/ready`)).status).toBe(200);
      run.child.kill('SIGTERM');
      expect(await run.exited).toEqual({ code: 0, signal: null });
      const warnings = logLines(run).filter((l) => l.level === 'warn');
      expect(warnings).toEqual([expect.objectContaining({ message: expect.stringMatching(/AUTH_JWT_SECRET.*any member.*any role/) })]);
      expect(run.stdout).not.toMatch(/development token|npm run token/);
    });
  });

  describe('on the embedded PostgreSQL', () => {
    test('Ctrl-C in a terminal stops the service first and the database after it: exit code 0, no error, no server left', async () => {
      const dataDir = join(dir, 'embedded');
      const run = startMain({ PORT: '0', DATA_DIR: dataDir, LOG_SEALING: 'off', LOG_LEVEL: 'info' }, dir, true);
      running.push(run);
      const url = await waitFor('listening', run, () => /GraphQL listens on (http:\/\/\S+)\/graphql/.exec(run.stdout)?.[1], 90_000);
      // A first session's work (a mutation and its read-your-writes wait, the console), then a few seconds of quiet:
      // the pools then hold idle connections when the service is stopped.
      const secret = (await readFile(join(dataDir, 'dev-jwt-secret'), 'utf8')).trim();
      const token = await signDevelopmentToken(secret, 'cm-1', [Role.COMMUNITY_MANAGER]);
      const registered = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({
          query: 'mutation { registerMember(input: {memberId: "m-1", displayName: "Z", department: "Sales"}) { id } }',
        }),
      });
      expect(await registered.json()).toEqual({ data: { registerMember: { id: 'm-1' } } });
      await fetch(`${url}/admin/`);
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      const postmaster = Number((await readFile(join(dataDir, 'postgres', 'postmaster.pid'), 'utf8')).split('\n')[0]);
      expect(postmaster).toBeGreaterThan(0);

      // What a terminal does on Ctrl-C: SIGINT to every process of the foreground group.
      process.kill(-run.child.pid!, 'SIGINT');
      expect(await run.exited).toEqual({ code: 0, signal: null });
      const lines = logLines(run);
      expect(lines.map((l) => l.message)).toEqual(expect.arrayContaining(['SIGINT: shutting down', 'stopped']));
      // Before the change every projection stopped with an error as the database went down under the service; and
      // pool.end() resolved before its connections had closed, so the database's stop reached some of them first
      // ("idle read-model connection lost" warnings, seen at every Ctrl-C after a few requests).
      expect(lines.filter((l) => l.level === 'error' || l.level === 'warn')).toEqual([]);
      // The database was stopped, and after the service: its own shutdown, not the terminal's signal.
      for (const deadline = Date.now() + 15_000; isAlive(postmaster) && Date.now() < deadline;)
        await new Promise((r) => setTimeout(r, 100));
      expect(isAlive(postmaster)).toBe(false);
    }, 120_000);
  });
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
