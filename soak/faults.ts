/**
 * The fault injector: on a fixed schedule, one fault at a time, cycling through the kinds below. Each is recorded
 * with its start (ISO time and seconds into the load), how long it took until the service answered again, and what
 * exactly was done.
 *
 * - service-kill: SIGKILL the service (no shutdown at all), start it again at once.
 * - postgres-restart: stop PostgreSQL (fast: SIGINT; immediate: SIGQUIT, a crash without checkpoint, WAL recovery at
 *   the next start) and start it on the same data directory and port. On a server the soak does not own
 *   (DATABASE_URL), every session of the soak's database is ended instead (postgres-terminate-backends).
 * - long-transaction: a transaction that took a transaction id (`BEGIN; SELECT pg_current_xact_id()`) held open for
 *   some seconds: pg_snapshot_xmin stays behind it, so readers of the log (projections, subscriptions) must wait for
 *   it rather than skip what commits behind it; mutations may time out waiting for their read models.
 * - drop-connections: for a few seconds a share of HTTP requests is aborted 0-30 ms after being sent (mid-request:
 *   the service may or may not have committed), and every subscriber's WebSocket is cut.
 * - clock-jump: the service restarts (SIGTERM, an orderly restart) with SCHEDULER_CLOCK_OFFSET_MS, so the schedulers'
 *   clock jumps forwards (a renewal window opens, suspensions and certifications expire at once) or back.
 *
 * With several instances behind the load balancer (--instances N, ./cluster.ts) service-kill gives way to:
 * - instance-kill: SIGKILL one instance (each in turn) while the others serve; started again once every projection
 *   it ran has another runner (the time without one is recorded).
 * - rolling-restart: every instance in turn stopped (SIGTERM: readiness 503 for SHUTDOWN_GRACE_MS, then a drain)
 *   and started again, the next one only once the balancer sends the restarted one traffic; it carries the clock
 *   jumps (SCHEDULER_CLOCK_OFFSET_MS), so for some seconds the instances' schedulers disagree on the time.
 * - projection-holder-kill: the instance holding the most projections' locks SIGKILLed inside a projection batch
 *   (caught in pg_stat_activity, frozen, its transaction seen still in progress, then killed).
 */
import type { DropWindow } from './client.ts';
import type { ServiceCluster } from './cluster.ts';
import type { SoakDatabase, ServiceProcess } from './harness.ts';
import type { Subscriber } from './subscribers.ts';
import { withClient } from './harness.ts';
import { delay, errorMessage, log, now } from './util.ts';

const DAY_MS = 86_400_000;

export type FaultKind =
  | 'service-kill'
  | 'postgres-restart'
  | 'postgres-terminate-backends'
  | 'long-transaction'
  | 'drop-connections'
  | 'clock-jump'
  | 'instance-kill'
  | 'rolling-restart'
  | 'projection-holder-kill';

type Plan =
  | { kind: 'service-kill' }
  | { kind: 'instance-kill' }
  | { kind: 'rolling-restart'; offsetMs: number }
  | { kind: 'projection-holder-kill' }
  | { kind: 'postgres-restart'; mode: 'fast' | 'immediate' }
  | { kind: 'long-transaction' }
  | { kind: 'drop-connections' }
  | { kind: 'clock-jump'; offsetMs: number };

/** The order the kinds come in; a 60-second run gets the first eight (every kind at least once). */
const CYCLE: readonly Plan[] = [
  { kind: 'service-kill' },
  { kind: 'clock-jump', offsetMs: 25 * DAY_MS },
  { kind: 'long-transaction' },
  { kind: 'postgres-restart', mode: 'fast' },
  { kind: 'clock-jump', offsetMs: 35 * DAY_MS },
  { kind: 'drop-connections' },
  { kind: 'clock-jump', offsetMs: 0 },
  { kind: 'postgres-restart', mode: 'immediate' },
  { kind: 'service-kill' },
  { kind: 'long-transaction' },
  { kind: 'clock-jump', offsetMs: -3 * 3_600_000 },
  { kind: 'drop-connections' },
];

/**
 * With several instances: the cluster's faults first, then the others (a 60-second run gets about the first six: a
 * rolling restart is three stops and starts, 20 s on the development machine). The clock jumps ride on the rolling
 * restarts (a cluster restarts one instance at a time), in the single instance's order: +25 days, +35, back, -3 h.
 */
const CLUSTER_CYCLE: readonly Plan[] = [
  { kind: 'instance-kill' },
  { kind: 'rolling-restart', offsetMs: 25 * DAY_MS },
  { kind: 'projection-holder-kill' },
  { kind: 'postgres-restart', mode: 'fast' },
  { kind: 'drop-connections' },
  { kind: 'instance-kill' },
  { kind: 'rolling-restart', offsetMs: 35 * DAY_MS },
  { kind: 'long-transaction' },
  { kind: 'projection-holder-kill' },
  { kind: 'postgres-restart', mode: 'immediate' },
  { kind: 'rolling-restart', offsetMs: 0 },
  { kind: 'instance-kill' },
  { kind: 'drop-connections' },
  { kind: 'projection-holder-kill' },
  { kind: 'rolling-restart', offsetMs: -3 * 3_600_000 },
  { kind: 'long-transaction' },
];

export interface FaultRecord {
  readonly kind: FaultKind;
  readonly at: string;
  /** Seconds since the load started. */
  readonly t: number;
  /** From the start of the fault until the service answered /health/ready again (or the fault's own length). */
  readonly durationMs: number;
  readonly detail: Record<string, unknown>;
  readonly error?: string;
}

export interface FaultOptions {
  readonly firstAfterS: number;
  readonly intervalS: number;
  /** No fault starts later than this many seconds before the end of the load. */
  readonly quietEndS: number;
  readonly holdTransactionMs: number;
  readonly dropWindowMs: number;
  readonly dropProbability: number;
}

export class FaultInjector {
  readonly records: FaultRecord[] = [];
  /** The schedulers' clock offset the service runs with now (kept across restarts until the next clock jump). */
  clockOffsetMs = 0;
  private stopping = false;
  private instanceKills = 0;
  private readonly cluster: ServiceCluster | undefined;

  constructor(
    private readonly service: ServiceProcess | ServiceCluster,
    private readonly database: SoakDatabase,
    private readonly drops: DropWindow,
    private readonly subscribers: readonly Subscriber[],
    private readonly options: FaultOptions,
  ) {
    this.cluster = 'instances' in service ? service : undefined;
  }

  /** The service's environment for the current clock offset. */
  serviceEnv(): Record<string, string> {
    return { SCHEDULER_CLOCK_OFFSET_MS: String(this.clockOffsetMs) };
  }

  stop(): void {
    this.stopping = true;
  }

  /** Cluster faults left out because they would have outlasted the load (kind, when, how long it would take). */
  readonly skipped: { kind: FaultKind; t: number; expectedMs: number; left: number }[] = [];

  /** How long a fault is expected to take: the last one of its kind, else a guess from the development machine. */
  private expectedMs(plan: Plan): number {
    const last = this.records.findLast((r) => r.kind === plan.kind && !r.error)?.durationMs;
    if (last !== undefined) return last;
    const instances = this.cluster?.instances.length ?? 1;
    switch (plan.kind) {
      case 'rolling-restart':
        return instances * 7_000;
      case 'clock-jump':
      case 'instance-kill':
      case 'service-kill':
      case 'postgres-restart':
        return 7_000;
      case 'projection-holder-kill':
        return 9_000;
      case 'long-transaction':
        return this.options.holdTransactionMs;
      case 'drop-connections':
        return this.options.dropWindowMs;
    }
  }

  async run(loadStart: number, loadEnd: number): Promise<void> {
    const lastStart = loadEnd - this.options.quietEndS * 1000;
    for (let i = 0, slotIndex = 0; !this.stopping; i++) {
      const slot = loadStart + (this.options.firstAfterS + slotIndex * this.options.intervalS) * 1000;
      if (slot > lastStart) break;
      // Faults never overlap: a slow restart pushes the next one back (but never past the quiet end).
      const startAt = Math.max(slot, now());
      if (startAt > lastStart) break;
      await delay(startAt - now());
      if (this.stopping) break;
      if (!this.cluster) {
        await this.inject(CYCLE[i % CYCLE.length]!, loadStart);
        slotIndex++;
        continue;
      }
      // A cluster's restarts take long (a rolling restart is N stops and starts): a fault that would still run when
      // the load ends is left out, and the next kind that fits takes its slot.
      const plan = CLUSTER_CYCLE[i % CLUSTER_CYCLE.length]!;
      const expectedMs = this.expectedMs(plan);
      if (now() + expectedMs > loadEnd) {
        this.skipped.push({
          kind: plan.kind,
          t: Math.round((now() - loadStart) / 100) / 10,
          expectedMs,
          left: Math.round(loadEnd - now()),
        });
        if (this.skipped.length > CLUSTER_CYCLE.length) break;
        continue;
      }
      await this.inject(plan, loadStart);
      slotIndex++;
    }
  }

  private async inject(plan: Plan, loadStart: number): Promise<void> {
    const at = new Date().toISOString();
    const t = Math.round((now() - loadStart) / 100) / 10;
    const t0 = now();
    let kind: FaultKind = plan.kind;
    const detail: Record<string, unknown> = {};
    let error: string | undefined;
    try {
      switch (plan.kind) {
        case 'service-kill': {
          detail.pid = this.service.pid;
          await this.service.kill();
          detail.startMs = await this.service.start(this.serviceEnv());
          break;
        }
        case 'instance-kill': {
          // Each in turn, from the next one on that runs projections (a kill that frees no lock shows no takeover).
          const cluster = this.need(plan.kind);
          const n = cluster.instances.length;
          const holding = new Set([...(await cluster.locks.holders().catch(() => new Map())).values()].map((h) => h?.instance));
          const order = cluster.instances.map((_, k) => cluster.instances[(this.instanceKills + k) % n]!);
          const instance = order.find((i) => holding.has(i.name)) ?? order[0]!;
          this.instanceKills = cluster.instances.indexOf(instance) + 1;
          Object.assign(detail, await cluster.killOne(instance, this.serviceEnv()));
          break;
        }
        case 'projection-holder-kill': {
          Object.assign(detail, await this.need(plan.kind).killOne('lock-holder', this.serviceEnv()));
          break;
        }
        case 'rolling-restart': {
          const cluster = this.need(plan.kind);
          if (plan.offsetMs !== this.clockOffsetMs) {
            detail.fromOffsetMs = this.clockOffsetMs;
            detail.toOffsetMs = plan.offsetMs;
            detail.toOffset = describeOffset(plan.offsetMs);
            this.clockOffsetMs = plan.offsetMs;
          }
          detail.steps = await cluster.rollingRestart(this.serviceEnv());
          break;
        }
        case 'postgres-restart': {
          if (!this.database.restartable) {
            kind = 'postgres-terminate-backends';
            detail.terminated = await this.database.terminateBackends();
          } else {
            detail.mode = plan.mode;
            detail.serverDownMs = (await this.database.restart(plan.mode, 1_000)).downMs;
          }
          detail.serviceReadyAfterMs = await this.waitReady();
          break;
        }
        case 'long-transaction': {
          detail.holdMs = this.options.holdTransactionMs;
          await withClient(this.database.url, async (client) => {
            await client.query('BEGIN');
            const { rows } = await client.query<{ xid: string; xmin: string }>(
              'SELECT pg_current_xact_id()::text AS xid, pg_snapshot_xmin(pg_current_snapshot())::text AS xmin',
            );
            detail.transactionId = rows[0]?.xid;
            await delay(this.options.holdTransactionMs);
            await client.query('COMMIT');
          });
          break;
        }
        case 'drop-connections': {
          const before = this.drops.dropped;
          this.drops.open(this.options.dropWindowMs, this.options.dropProbability);
          for (const subscriber of this.subscribers) subscriber.drop();
          detail.subscribersCut = this.subscribers.length;
          detail.windowMs = this.options.dropWindowMs;
          detail.probability = this.options.dropProbability;
          await delay(this.options.dropWindowMs);
          detail.requestsDropped = this.drops.dropped - before;
          break;
        }
        case 'clock-jump': {
          detail.fromOffsetMs = this.clockOffsetMs;
          detail.toOffsetMs = plan.offsetMs;
          detail.toOffset = describeOffset(plan.offsetMs);
          this.clockOffsetMs = plan.offsetMs;
          await this.service.stop();
          detail.startMs = await this.service.start(this.serviceEnv());
          break;
        }
      }
    } catch (caught) {
      error = errorMessage(caught);
      log(`fault ${kind} failed: ${error}`);
      // Whatever happened, the run goes on with a service that answers.
      await this.recover();
    }
    const record: FaultRecord = { kind, at, t, durationMs: Math.round(now() - t0), detail, ...(error ? { error } : {}) };
    this.records.push(record);
    log(`fault ${kind} at t=${t}s took ${record.durationMs} ms ${JSON.stringify(detail)}`);
  }

  private need(kind: FaultKind): ServiceCluster {
    if (!this.cluster) throw new Error(`${kind} needs --instances > 1`);
    return this.cluster;
  }

  /** How long until the service (every instance) answers /health/ready again (the database came back, the pools reconnected). */
  private async waitReady(): Promise<number> {
    const t0 = now();
    const urls = this.cluster ? this.cluster.instances.map((i) => i.url) : [this.service.url];
    for (const deadline = now() + 60_000; now() < deadline;) {
      const ready = await Promise.all(
        urls.map((url) =>
          fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(2_000) }).then(
            (response) => response.ok,
            () => false,
          ),
        ),
      );
      if (ready.every(Boolean)) return Math.round(now() - t0);
      await delay(100);
    }
    throw new Error('the service was not ready again within 60 s');
  }

  private async recover(): Promise<void> {
    if (this.cluster) return this.cluster.recover(this.serviceEnv());
    if (this.service.pid === undefined)
      await this.service.start(this.serviceEnv()).catch((e: unknown) => log(`restart failed: ${errorMessage(e)}`));
  }
}

export function describeOffset(offsetMs: number): string {
  if (offsetMs === 0) return 'none (the real time)';
  const sign = offsetMs > 0 ? '+' : '-';
  const abs = Math.abs(offsetMs);
  return abs >= DAY_MS ? `${sign}${Math.round(abs / DAY_MS)} days` : `${sign}${Math.round(abs / 3_600_000)} hours`;
}
