import type pg from 'pg';

/**
 * The PostgreSQL event store reads only below the oldest transaction still running on the *server* (its stable
 * head: nothing can commit behind a reader's checkpoint), and PostgreSQL's transaction ids are server-wide. So one
 * long write transaction in any database of the same server (another application's batch, a session left "idle in
 * transaction") holds every read model of the service back: mutations then answer "the views did not catch up in
 * time" while nothing in the service is wrong. This watch notices a stable head that stopped while transactions kept
 * committing past it, and says what holds it, where PostgreSQL lets this role see that, so an operator can act.
 */
export interface StableHeadHolder {
  readonly heldForMs: number;
  /** The holder, when this role may see it (a superuser or pg_read_all_stats sees every session). */
  readonly pid: number | null;
  readonly database: string | null;
  readonly application: string | null;
  readonly state: string | null;
  readonly transactionAgeMs: number | null;
}

export interface StableHeadWatchOptions {
  /** How often the stable head is looked at. */
  readonly intervalMs: number;
  /** How long the head may stand still, while later transactions commit, before it is reported. */
  readonly thresholdMs: number;
  /** Told once per stop of the head (and again if the same holder is still there after ten thresholds). */
  readonly onHeld: (holder: StableHeadHolder) => void;
  /** Told when a head that was reported moves again. */
  readonly onReleased: (heldForMs: number) => void;
}

interface Sample {
  readonly xmin: bigint;
  readonly xmax: bigint;
}

export class StableHeadWatch {
  private timer: NodeJS.Timeout | undefined;
  private looking = false;
  /** The head as first seen at its current value, and when. */
  private since: { readonly xmin: bigint; readonly at: number } | undefined;
  private reportedAt: number | undefined;

  constructor(
    private readonly pool: pg.Pool,
    private readonly options: StableHeadWatchOptions,
    private readonly now: () => number = () => performance.now(),
  ) {}

  start(): void {
    this.timer ??= setInterval(() => void this.look(), this.options.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One look (the timer's; tests call it directly). Database errors are ignored: the next look tries again. */
  async look(): Promise<void> {
    if (this.looking) return;
    this.looking = true;
    try {
      const sample = await this.sample();
      const at = this.now();
      if (!this.since || sample.xmin !== this.since.xmin) {
        if (this.reportedAt !== undefined && this.since) this.options.onReleased(Math.round(at - this.since.at));
        this.since = { xmin: sample.xmin, at };
        this.reportedAt = undefined;
        return;
      }
      // Standing still with nothing committing after it is an idle server, not a held one.
      const heldForMs = at - this.since.at;
      if (sample.xmax <= sample.xmin + 1n || heldForMs < this.options.thresholdMs) return;
      if (this.reportedAt !== undefined && at - this.reportedAt < 10 * this.options.thresholdMs) return;
      this.reportedAt = at;
      this.options.onHeld({ heldForMs: Math.round(heldForMs), ...(await this.holder(sample.xmin)) });
    } catch {
      // The database is away (a restart): nothing to say about its transactions.
    } finally {
      this.looking = false;
    }
  }

  private async sample(): Promise<Sample> {
    const { rows } = await this.pool.query<{ xmin: string; xmax: string }>(
      `SELECT pg_snapshot_xmin(s)::text AS xmin, pg_snapshot_xmax(s)::text AS xmax FROM pg_current_snapshot() s`,
    );
    return { xmin: BigInt(rows[0]!.xmin), xmax: BigInt(rows[0]!.xmax) };
  }

  private async holder(xmin: bigint): Promise<Omit<StableHeadHolder, 'heldForMs'>> {
    // backend_xid is the 32-bit form of the 64-bit id the snapshot gives.
    const { rows } = await this.pool.query<{
      pid: number;
      datname: string | null;
      application_name: string | null;
      state: string | null;
      age_ms: string | null;
    }>(
      `SELECT pid, datname, application_name, state,
              round(extract(epoch FROM clock_timestamp() - xact_start) * 1000)::text AS age_ms
         FROM pg_stat_activity WHERE backend_xid::text = $1 LIMIT 1`,
      [(xmin % 2n ** 32n).toString()],
    );
    const row = rows[0];
    return {
      pid: row?.pid ?? null,
      database: row?.datname ?? null,
      application: row?.application_name || null,
      state: row?.state ?? null,
      transactionAgeMs: row?.age_ms ? Number(row.age_ms) : null,
    };
  }
}
