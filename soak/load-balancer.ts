/**
 * The load balancer in front of the service's instances when the soak runs more than one (`--instances N`): HAProxy
 * from the distribution's packages, installed when missing (apt-get, as root; as the browser spec installs Chromium),
 * run in the foreground with a configuration the soak writes for its local ports. Shaped like docker/haproxy.cfg
 * (leastconn, an instance gets traffic only while /health/ready answers 200), with shorter check intervals so that a
 * restart is noticed within a second, and `retries` + `option redispatch`: a connection refused by a killed instance
 * is tried on another one (a refused connection never reached the service, so retrying it is always safe).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { findFreePort } from '#postgres';
import { addCleanup } from './harness.ts';
import { delay, log, now } from './util.ts';

const run = promisify(execFile);
const APT_ENV = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
const INSTALL_TIMEOUT_MS = 10 * 60_000;
/** How often HAProxy asks each instance /health/ready; two failures take it out, two successes put it back. */
export const CHECK_INTERVAL_MS = 500;
/**
 * The instances' SHUTDOWN_GRACE_MS: readiness answers 503 this long after SIGTERM while requests are still served,
 * longer than HAProxy needs to notice (two checks, up to 2 × CHECK_INTERVAL_MS plus a check's own time).
 */
export const SHUTDOWN_GRACE_MS = 2_000;

function onPath(command: string): string | null {
  // /usr/sbin too: HAProxy lives there, and a non-root PATH often lacks it.
  for (const dir of [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin']) {
    if (!dir) continue;
    try {
      accessSync(join(dir, command), constants.X_OK);
      return join(dir, command);
    } catch {
      // not in this directory
    }
  }
  return null;
}

/** The haproxy binary, installed with apt-get when missing and this process is root; else an error saying why not. */
export async function findOrInstallHaproxy(): Promise<{ path: string; version: string; installedInMs?: number }> {
  const version = async (path: string) => (await run(path, ['-v'])).stdout.split('\n')[0]!.trim();
  const present = onPath('haproxy');
  if (present) return { path: present, version: await version(present) };
  const aptGet = process.platform === 'linux' ? onPath('apt-get') : null;
  if (!aptGet) throw new Error('--instances > 1 needs HAProxy: haproxy is not installed and apt-get is not available to install it');
  if (process.getuid?.() !== 0) {
    throw new Error(
      '--instances > 1 needs HAProxy: haproxy is not installed and installing it needs root (sudo apt-get install -y haproxy)',
    );
  }
  log('haproxy is missing: installing the distribution’s package (apt-get install -y haproxy)');
  const t0 = now();
  const install = () =>
    run(aptGet, ['-o', 'DPkg::Lock::Timeout=120', 'install', '-y', '--no-install-recommends', 'haproxy'], {
      env: APT_ENV,
      timeout: INSTALL_TIMEOUT_MS,
      maxBuffer: 64 * 1024 * 1024,
    });
  try {
    await install();
  } catch (error) {
    // A fresh container has no package lists yet: read them, then try once more.
    if (!/Unable to locate package|no installation candidate/i.test(String((error as { stderr?: string }).stderr ?? error))) throw error;
    await run(aptGet, ['update'], { env: APT_ENV, timeout: INSTALL_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024 });
    await install();
  }
  const installed = onPath('haproxy');
  if (!installed) throw new Error('apt-get installed haproxy, but no haproxy binary was found');
  return { path: installed, version: await version(installed), installedInMs: Math.round(now() - t0) };
}

/** One server's line of `show stat`, the fields the soak reports. */
export interface ServerStats {
  readonly name: string;
  readonly status: string;
  /** Sessions (requests on a keep-alive connection count once per connection) sent to it. */
  readonly sessions: number;
  readonly responses5xx: number;
  /** Connections retried (wretr) and redispatched to another server (wredis). */
  readonly retries: number;
  readonly redispatches: number;
  /** Times it went down, and seconds it was down in all. */
  readonly downTransitions: number;
  readonly downtimeS: number;
}

/** What a caller other than the soak may change; the defaults are the soak's configuration. */
export interface LoadBalancerOptions {
  /** `leastconn` (the soak, as docker/haproxy.cfg) or `roundrobin` (a benchmark that wants an even split). */
  readonly balance?: 'leastconn' | 'roundrobin';
  /** Each answer names the server that gave it in an `X-Served-By` header, so a client can tell the instances apart. */
  readonly servedByHeader?: boolean;
  /**
   * How often each instance's /health/ready is asked (default CHECK_INTERVAL_MS). It is also how long an answer may
   * take: a loaded instance slower than that twice is taken out of the balance.
   */
  readonly checkIntervalMs?: number;
  /** Where the balancer's stop and the removal of its directory are registered (default: the soak's cleanup). */
  readonly addCleanup?: (step: () => Promise<unknown>) => void;
}

export class LoadBalancer {
  private child: ChildProcess | undefined;
  private readonly output: string[] = [];

  private constructor(
    private readonly binary: string,
    private readonly dir: string,
    readonly port: number,
    readonly servers: readonly { name: string; port: number }[],
    private readonly options: LoadBalancerOptions,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  private get socket(): string {
    return join(this.dir, 'admin.sock');
  }

  static async start(
    binary: string,
    servers: readonly { name: string; port: number }[],
    options: LoadBalancerOptions = {},
  ): Promise<LoadBalancer> {
    const cleanup = options.addCleanup ?? addCleanup;
    const dir = await mkdtemp(join(tmpdir(), 'governance-soak-haproxy-'));
    cleanup(() => rm(dir, { recursive: true, force: true }));
    const balancer = new LoadBalancer(binary, dir, await findFreePort(), servers, options);
    cleanup(() => balancer.stop());
    await writeFile(join(dir, 'haproxy.cfg'), balancer.config());
    await balancer.launch();
    return balancer;
  }

  private config(): string {
    return `global
  stats socket ${this.socket} mode 600 level admin
  maxconn 2000

defaults
  mode http
  timeout connect 2s
  timeout client 60s
  timeout server 60s
  # Subscriptions are WebSockets: once upgraded, a tunnel that may stay quiet between events.
  timeout tunnel 1h
  # A refused connection (an instance just killed, its port closed) is tried again, on another instance.
  retries 3
  option redispatch 1

frontend soak
  bind 127.0.0.1:${this.port}
  default_backend instances

backend instances
  balance ${this.options.balance ?? 'leastconn'}
${this.options.servedByHeader ? '  http-response set-header X-Served-By %s\n' : ''}  option httpchk GET /health/ready
  http-check expect status 200
  default-server check inter ${this.options.checkIntervalMs ?? CHECK_INTERVAL_MS} fall 2 rise 2
${this.servers.map((s) => `  server ${s.name} 127.0.0.1:${s.port}`).join('\n')}
`;
  }

  private async launch(): Promise<void> {
    const child = spawn(this.binary, ['-db', '-f', join(this.dir, 'haproxy.cfg')], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    for (const stream of [child.stdout, child.stderr]) {
      stream.setEncoding('utf8').on('data', (chunk: string) => {
        for (const line of chunk.split('\n')) if (line.trim() && this.output.length < 200) this.output.push(line.slice(0, 300));
      });
    }
    child.on('exit', (code, signal) => {
      if (this.child === child) {
        this.child = undefined;
        log(`haproxy exited (code ${code}, signal ${signal}): ${this.output.slice(-3).join(' | ')}`);
      }
    });
    for (const deadline = now() + 10_000; ;) {
      if (!this.child) throw new Error(`haproxy did not start: ${this.output.slice(-5).join('\n')}`);
      if (
        await this.stats().then(
          () => true,
          () => false,
        )
      )
        return;
      if (now() > deadline) throw new Error(`haproxy's admin socket did not answer within 10 s: ${this.output.slice(-5).join('\n')}`);
      await delay(100);
    }
  }

  /** The admin socket's `show stat`, one entry per server of the backend. */
  async stats(): Promise<ServerStats[]> {
    const csv = await this.command('show stat');
    const lines = csv.split('\n').filter((l) => l.trim());
    const header = lines[0]!.replace(/^# /, '').split(',');
    const at = (name: string) => header.indexOf(name);
    return lines
      .slice(1)
      .map((line) => line.split(','))
      .filter((f) => f[at('pxname')] === 'instances' && f[at('svname')] !== 'BACKEND')
      .map((f) => ({
        name: f[at('svname')]!,
        status: f[at('status')]!,
        sessions: Number(f[at('stot')]),
        responses5xx: Number(f[at('hrsp_5xx')]),
        retries: Number(f[at('wretr')]),
        redispatches: Number(f[at('wredis')]),
        downTransitions: Number(f[at('chkdown')]),
        downtimeS: Number(f[at('downtime')]),
      }));
  }

  /**
   * Answers per server (every HTTP status class), counted per request: HAProxy balances each request of a keep-alive
   * connection on its own, so these show the split where `sessions` would not.
   */
  async responsesByServer(): Promise<Record<string, number>> {
    const csv = await this.command('show stat');
    const lines = csv.split('\n').filter((l) => l.trim());
    const header = lines[0]!.replace(/^# /, '').split(',');
    const classes = ['hrsp_1xx', 'hrsp_2xx', 'hrsp_3xx', 'hrsp_4xx', 'hrsp_5xx', 'hrsp_other'].map((name) => header.indexOf(name));
    return Object.fromEntries(
      lines
        .slice(1)
        .map((line) => line.split(','))
        .filter((f) => f[0] === 'instances' && f[1] !== 'BACKEND')
        .map((f) => [f[1]!, classes.reduce((sum, i) => sum + Number(f[i] || 0), 0)]),
    );
  }

  /** The frontend's totals: what the clients were answered (5xx are the proxy's own 502/503 plus the service's). */
  async frontend(): Promise<{ requests: number; responses5xx: number; responses4xx: number }> {
    const csv = await this.command('show stat');
    const lines = csv.split('\n').filter((l) => l.trim());
    const header = lines[0]!.replace(/^# /, '').split(',');
    const f = lines.map((l) => l.split(',')).find((x) => x[0] === 'soak' && x[1] === 'FRONTEND') ?? [];
    const n = (name: string) => Number(f[header.indexOf(name)] ?? 0);
    return { requests: n('req_tot'), responses5xx: n('hrsp_5xx'), responses4xx: n('hrsp_4xx') };
  }

  /** Until HAProxy's checks see `name` (or every server) UP, i.e. it is given traffic; answers how long that took. */
  async waitUp(name?: string, timeoutMs = 30_000): Promise<number> {
    const t0 = now();
    for (;;) {
      const servers = await this.stats().catch(() => []);
      const wanted = servers.filter((s) => name === undefined || s.name === name);
      if (wanted.length > 0 && wanted.every((s) => s.status === 'UP')) return Math.round(now() - t0);
      if (now() - t0 > timeoutMs) throw new Error(`haproxy did not see ${name ?? 'every instance'} UP within ${timeoutMs} ms`);
      await delay(100);
    }
  }

  private command(text: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const socket = createConnection(this.socket);
      let answer = '';
      socket.setEncoding('utf8');
      socket.setTimeout(3_000, () => socket.destroy(new Error('the haproxy admin socket did not answer')));
      socket.on('connect', () => socket.write(`${text}\n`));
      socket.on('data', (chunk: string) => (answer += chunk));
      socket.on('end', () => resolve(answer));
      socket.on('error', reject);
    });
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = undefined;
    const exited = new Promise((resolve) => child.on('exit', resolve));
    child.kill('SIGTERM');
    await Promise.race([exited, delay(5_000)]);
  }
}
