/**
 * `--instances N` (N > 1): N service instances on one database behind HAProxy (./load-balancer.ts), and the faults
 * only a cluster has: one instance SIGKILLed while the others serve, a rolling restart, and the instance holding
 * projections' locks killed in the middle of a projection batch.
 *
 * Who runs a projection is read from PostgreSQL, not from the service's word: a runner holds the session advisory
 * lock `hashtext('projection:<name>')` while it runs (libs/projections/src/projection-runner.ts; the others stand by
 * and try again every second), so `pg_locks` (a one-key lock shows its high half in classid, its low half in objid,
 * objsubid 1) joined with `pg_stat_activity` names the backend and, through the application name each instance is
 * started with (PGAPPNAME=soak-instance-<i>, which node-postgres sends), the instance. "Without a runner" after a
 * kill is from the SIGKILL (the runner is dead, whatever pg_locks still shows while PostgreSQL notices) until another
 * backend holds the lock; after an orderly stop, from the lock's release until it is held again.
 */
import pg from 'pg';
import type { ServiceBuild } from './harness.ts';
import { addCleanup, ServiceProcess } from './harness.ts';
import type { LoadBalancer } from './load-balancer.ts';
import { delay, errorMessage, log, now } from './util.ts';

/** The target for how long a projection may be without a runner after an instance is killed. */
export const TAKEOVER_TARGET_MS = 5_000;
const POLL_MS = 50;
const FROZEN_SETTLE_MS = 50;

const HOLDERS_SQL = `
  SELECT n.name, l.pid, a.application_name AS app
    FROM (SELECT DISTINCT name FROM projection_generations WHERE status = 'active') n
    LEFT JOIN pg_locks l
      ON l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
     AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
     AND ((l.classid::bigint << 32) | l.objid::bigint) = hashtext('projection:' || n.name)::bigint
    LEFT JOIN pg_stat_activity a ON a.pid = l.pid
   ORDER BY n.name`;

/**
 * A backend of the instance inside a projection batch: a transaction that has written (it has an xid) and holds
 * projection_generations' row-exclusive lock, which only the batch's guarded checkpoint advance takes and keeps to
 * its COMMIT. The tables it holds locks on name what the batch is writing.
 */
const IN_BATCH_SQL = `
  SELECT * FROM (
  SELECT a.pid, a.state, left(a.query, 160) AS query, a.backend_xid::text AS xid,
         pg_snapshot_xmax(pg_current_snapshot())::text AS xmax,
         array(SELECT c.relname::text FROM pg_locks l2 JOIN pg_class c ON c.oid = l2.relation
                WHERE l2.pid = a.pid AND l2.mode = 'RowExclusiveLock' AND c.relname <> 'projection_generations'
                  AND c.relkind = 'r' ORDER BY 1) AS tables
    FROM pg_stat_activity a
   WHERE a.application_name = $1 AND a.backend_xid IS NOT NULL
     AND EXISTS (SELECT 1 FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
                  WHERE l.pid = a.pid AND l.mode = 'RowExclusiveLock' AND c.relname = 'projection_generations')
  ) batches ORDER BY cardinality(tables) DESC LIMIT 1`;

export interface Holder {
  readonly pid: number;
  readonly instance: string | null;
}

/** How long each projection the stopped instance ran was without a runner, and who took it over. */
export interface Takeover {
  readonly projections: Record<string, { withoutRunnerMs: number | null; takenBy: string | null }>;
  /** The longest of them (null: it held none); null entries above were not taken over within the timeout. */
  readonly maxWithoutRunnerMs: number | null;
  readonly notTakenOver: readonly string[];
}

export class ProjectionLocks {
  private readonly pool: pg.Pool;

  constructor(databaseUrl: string) {
    this.pool = new pg.Pool({ connectionString: databaseUrl, max: 2, application_name: 'soak-monitor', connectionTimeoutMillis: 2_000 });
    this.pool.on('error', () => undefined);
    addCleanup(() => this.pool.end());
  }

  /** projection → its lock's holder (null: nobody runs it now). */
  async holders(): Promise<Map<string, Holder | null>> {
    const { rows } = await this.pool.query<{ name: string; pid: number | null; app: string | null }>(HOLDERS_SQL);
    return new Map(rows.map((r) => [r.name, r.pid === null ? null : { pid: r.pid, instance: r.app?.replace(/^soak-/, '') ?? null }]));
  }

  async heldBy(instance: string): Promise<Map<string, Holder>> {
    const held = new Map<string, Holder>();
    for (const [name, holder] of await this.holders()) if (holder?.instance === instance) held.set(name, holder);
    return held;
  }

  /**
   * Polls until every projection of `before` is held by another backend. `killedAt`: the old runner died then (a
   * SIGKILL), so that is when it was without a runner from; else from the first poll that no longer shows its lock.
   */
  async watchTakeover(before: ReadonlyMap<string, Holder>, killedAt: number | null, timeoutMs = 30_000): Promise<Takeover> {
    const released = new Map<string, number>();
    const taken = new Map<string, { at: number; by: string | null }>();
    const t0 = now();
    while (taken.size < before.size && now() - t0 < timeoutMs) {
      const holders = await this.holders().catch(() => undefined);
      const at = now();
      if (holders) {
        for (const [name, old] of before) {
          if (taken.has(name)) continue;
          const holder = holders.get(name);
          if (holder?.pid === old.pid) continue;
          if (!released.has(name)) released.set(name, killedAt ?? at);
          if (holder) taken.set(name, { at, by: holder.instance });
        }
      }
      await delay(POLL_MS);
    }
    const projections: Takeover['projections'] = {};
    const gaps: number[] = [];
    for (const name of before.keys()) {
      const t = taken.get(name);
      const gap = t ? Math.round(t.at - (released.get(name) ?? t.at)) : null;
      if (gap !== null) gaps.push(gap);
      projections[name] = { withoutRunnerMs: gap, takenBy: t?.by ?? null };
    }
    return {
      projections,
      maxWithoutRunnerMs: gaps.length ? Math.max(...gaps) : null,
      notTakenOver: [...before.keys()].filter((n) => !taken.has(n)),
    };
  }

  /**
   * Waits until a backend of `instance` is inside a projection batch, freezes the instance (SIGSTOP) and asks
   * PostgreSQL whether that transaction is still in progress: if so the instance is SIGKILLed while frozen, so it
   * dies mid-batch for certain (PostgreSQL rolls the batch back); if it had committed in the meantime, the instance is
   * resumed (SIGCONT, a pause of a few milliseconds) and the watch goes on. Answers the evidence, or null when no
   * batch was caught in time (the caller kills it anyway).
   */
  async killMidBatch(instance: ServiceProcess, timeoutMs: number): Promise<(Record<string, unknown> & { killedAt: number }) | null> {
    const deadline = now() + timeoutMs;
    const preferWritingUntil = now() + timeoutMs / 2;
    let missed = 0;
    while (now() < deadline) {
      const pid = instance.pid;
      if (pid === undefined) return null;
      const { rows } = await this.pool
        .query<{ pid: number; state: string; query: string; xid: string; xmax: string; tables: string[] }>(IN_BATCH_SQL, [
          `soak-${instance.name}`,
        ])
        .catch(() => ({ rows: [] }));
      const row = rows[0];
      // For the first half of the time only a batch already writing read-model rows will do (not one between its
      // checkpoint's advance and its first write); then any batch.
      if (!row || (row.tables.length === 0 && now() < preferWritingUntil)) {
        await delay(5);
        continue;
      }
      process.kill(pid, 'SIGSTOP');
      const frozenAt = now();
      // What the instance had sent before it froze (a COMMIT, say) reaches PostgreSQL within these milliseconds; after
      // them a backend idle in its transaction waits for a client that can send nothing more.
      await delay(FROZEN_SETTLE_MS);
      const status = await this.transactionStatus(row.xid, row.xmax).catch((e: unknown) => `unknown: ${errorMessage(e)}`);
      const state = await this.pool.query<{ state: string }>('SELECT state FROM pg_stat_activity WHERE pid = $1', [row.pid]).then(
        (r) => r.rows[0]?.state ?? 'gone',
        () => 'unknown',
      );
      if (status === 'in progress' && state === 'idle in transaction') {
        const killedAt = now();
        await instance.kill();
        return {
          midBatch: true,
          batchBackendPid: row.pid,
          backendStateAtKill: state,
          transactionId: row.xid,
          transactionAtKill: status,
          transactionAfterKill: await this.transactionStatusSoon(row.xid, row.xmax),
          writing: row.tables,
          lastStatement: row.query,
          frozenMs: Math.round(killedAt - frozenAt),
          batchesMissedBefore: missed,
          killedAt,
        };
      }
      process.kill(pid, 'SIGCONT');
      missed++;
    }
    return null;
  }

  /** pg_xact_status of a 32-bit xid seen in pg_stat_activity, widened with the epoch of the current snapshot. */
  private async transactionStatus(xid: string, xmax: string): Promise<string> {
    const max = BigInt(xmax);
    let full = ((max >> 32n) << 32n) | BigInt(xid);
    if (full > max) full -= 1n << 32n;
    const { rows } = await this.pool.query<{ status: string | null }>('SELECT pg_xact_status($1::text::xid8) AS status', [full.toString()]);
    return rows[0]?.status ?? 'unknown';
  }

  /** After the kill: PostgreSQL notices the closed connection and rolls the transaction back. */
  private async transactionStatusSoon(xid: string, xmax: string): Promise<string> {
    let status = 'unknown';
    for (const deadline = now() + 5_000; now() < deadline;) {
      status = await this.transactionStatus(xid, xmax).catch(() => 'unknown');
      if (status !== 'in progress') return status;
      await delay(20);
    }
    return status;
  }
}

/**
 * The instances and their load balancer, used where the soak uses one ServiceProcess: `url` is the balancer's,
 * start/stop/kill act on every instance (the drain and settle phases restart them all).
 */
export class ServiceCluster {
  private launched: LoadBalancer | undefined;

  private constructor(
    readonly instances: readonly ServiceProcess[],
    readonly locks: ProjectionLocks,
    private readonly launchBalancer: (servers: { name: string; port: number }[]) => Promise<LoadBalancer>,
  ) {}

  /** The instances (not started: each has its port), each with PGAPPNAME=soak-<name> so its sessions can be told apart. */
  static async create(
    build: ServiceBuild,
    env: Record<string, string>,
    count: number,
    launchBalancer: (servers: { name: string; port: number }[]) => Promise<LoadBalancer>,
  ): Promise<ServiceCluster> {
    const instances: ServiceProcess[] = [];
    for (let i = 1; i <= count; i++) {
      const name = `instance-${i}`;
      instances.push(await ServiceProcess.create(build, { ...env, PGAPPNAME: `soak-${name}` }, name));
    }
    return new ServiceCluster(instances, new ProjectionLocks(env.DATABASE_URL!), launchBalancer);
  }

  get balancer(): LoadBalancer {
    if (!this.launched) throw new Error('the load balancer is started with the instances');
    return this.launched;
  }

  get url(): string {
    return this.balancer.url;
  }

  /** Defined while every instance runs. */
  get pid(): number | undefined {
    return this.instances.every((i) => i.pid !== undefined) ? this.instances[0]!.pid : undefined;
  }

  get starts(): number {
    return this.instances.reduce((n, i) => n + i.starts, 0);
  }

  get crashes(): ServiceProcess['crashes'] {
    return this.instances.flatMap((i) => i.crashes.map((c) => ({ ...c, lastErrors: [`(${i.name})`, ...c.lastErrors] })));
  }

  /**
   * Starts every instance that is not running (at once: they race for the projections' locks) and, the first time,
   * the balancer after them (so it never sees an instance that has not started yet); answers when it sees all up.
   */
  async start(extraEnv: Record<string, string> = {}): Promise<number> {
    const t0 = now();
    await Promise.all(this.instances.filter((i) => i.pid === undefined).map((i) => i.start(extraEnv)));
    this.launched ??= await this.launchBalancer(this.instances.map((i) => ({ name: i.name, port: i.port })));
    await this.balancer.waitUp();
    return Math.round(now() - t0);
  }

  async stop(): Promise<void> {
    await Promise.all(this.instances.map((i) => i.stop()));
  }

  async kill(): Promise<void> {
    await Promise.all(this.instances.map((i) => i.kill()));
  }

  supervise(env: (() => Record<string, string>) | undefined): void {
    for (const instance of this.instances) instance.supervise(env);
  }

  logSummary(): Record<string, ReturnType<ServiceProcess['logSummary']>> {
    return Object.fromEntries(this.instances.map((i) => [i.name, i.logSummary()]));
  }

  /**
   * SIGKILL one instance while the others serve; once its projections are taken over (or 30 s passed), it is
   * started again. `lock-holder`: the instance holding the most projection locks, killed inside a projection batch.
   */
  async killOne(target: ServiceProcess | 'lock-holder', env: Record<string, string>): Promise<Record<string, unknown>> {
    const detail: Record<string, unknown> = {};
    let instance: ServiceProcess;
    if (target === 'lock-holder') {
      const counts = new Map<string, number>();
      for (const holder of (await this.locks.holders()).values()) {
        if (holder?.instance) counts.set(holder.instance, (counts.get(holder.instance) ?? 0) + 1);
      }
      const busiest = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
      instance = this.instances.find((i) => i.name === busiest) ?? this.instances[0]!;
    } else {
      instance = target;
    }
    detail.instance = instance.name;
    detail.pid = instance.pid;
    const held = await this.locks.heldBy(instance.name);
    detail.projectionLocksHeld = [...held.keys()];
    // From the SIGKILL on (not from its exit being noticed) the instance runs nothing.
    let killedAt: number;
    const evidence = target === 'lock-holder' ? await this.locks.killMidBatch(instance, 10_000) : null;
    if (evidence) {
      const { killedAt: at, ...rest } = evidence;
      killedAt = at;
      Object.assign(detail, rest);
    } else {
      if (target === 'lock-holder') detail.midBatch = false;
      killedAt = now();
      await instance.kill();
    }
    const takeover = await this.locks.watchTakeover(held, killedAt);
    detail.takeover = takeover;
    const t1 = now();
    detail.restartMs = await instance.start(env);
    detail.upInBalancerMs = Math.round(now() - t1) + (await this.balancer.waitUp(instance.name));
    return detail;
  }

  /**
   * One instance after another: SIGTERM (readiness 503 for SHUTDOWN_GRACE_MS while it still serves, so the balancer
   * stops sending it requests, then a drain), start again with `env`, and on to the next once the balancer sends it
   * traffic again. Each step's projections are watched until another instance holds them.
   */
  async rollingRestart(env: Record<string, string>): Promise<Record<string, unknown>[]> {
    const steps: Record<string, unknown>[] = [];
    for (const instance of this.instances) {
      const held = await this.locks.heldBy(instance.name).catch(() => new Map<string, Holder>());
      const takeover = this.locks.watchTakeover(held, null);
      const t0 = now();
      await instance.stop();
      const stopMs = Math.round(now() - t0);
      const startMs = await instance.start(env);
      const upInBalancerMs = startMs + (await this.balancer.waitUp(instance.name));
      steps.push({ instance: instance.name, stopMs, startMs, upInBalancerMs, takeover: await takeover });
    }
    return steps;
  }

  /** Starts any instance that is down (after a fault that failed half-way). */
  async recover(env: Record<string, string>): Promise<void> {
    for (const instance of this.instances) {
      if (instance.pid === undefined)
        await instance.start(env).catch((e: unknown) => log(`restart of ${instance.name} failed: ${errorMessage(e)}`));
    }
  }
}
