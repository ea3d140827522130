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
 */
import type { DropWindow } from './client.ts';
import type { SoakDatabase, ServiceProcess } from './harness.ts';
import type { Subscriber } from './subscribers.ts';
import { withClient } from './harness.ts';
import { delay, errorMessage, log, now } from './util.ts';

const DAY_MS = 86_400_000;

export type FaultKind =
  'service-kill' | 'postgres-restart' | 'postgres-terminate-backends' | 'long-transaction' | 'drop-connections' | 'clock-jump';

type Plan =
  | { kind: 'service-kill' }
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

  constructor(
    private readonly service: ServiceProcess,
    private readonly database: SoakDatabase,
    private readonly drops: DropWindow,
    private readonly subscribers: readonly Subscriber[],
    private readonly options: FaultOptions,
  ) {}

  /** The service's environment for the current clock offset. */
  serviceEnv(): Record<string, string> {
    return { SCHEDULER_CLOCK_OFFSET_MS: String(this.clockOffsetMs) };
  }

  stop(): void {
    this.stopping = true;
  }

  async run(loadStart: number, loadEnd: number): Promise<void> {
    const lastStart = loadEnd - this.options.quietEndS * 1000;
    for (let i = 0; !this.stopping; i++) {
      const slot = loadStart + (this.options.firstAfterS + i * this.options.intervalS) * 1000;
      if (slot > lastStart) break;
      // Faults never overlap: a slow restart pushes the next one back (but never past the quiet end).
      const startAt = Math.max(slot, now());
      if (startAt > lastStart) break;
      await delay(startAt - now());
      if (this.stopping) break;
      await this.inject(CYCLE[i % CYCLE.length]!, loadStart);
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

  /** How long until the service answers /health/ready again (the database came back, the pools reconnected). */
  private async waitReady(): Promise<number> {
    const t0 = now();
    for (const deadline = now() + 60_000; now() < deadline;) {
      const ready = await fetch(`${this.service.url}/health/ready`, { signal: AbortSignal.timeout(2_000) }).then(
        (response) => response.ok,
        () => false,
      );
      if (ready) return Math.round(now() - t0);
      await delay(100);
    }
    throw new Error('the service was not ready again within 60 s');
  }

  private async recover(): Promise<void> {
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
