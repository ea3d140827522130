import type pg from 'pg';
import { logger } from '../observability/logger.ts';
import { RateLimiter, type RateDecision, type RateLimit } from './rate-limiter.ts';

/** How long a request waits for the shared bucket before this instance's own decides: a slow database must not hold every request. */
export const SHARED_ANSWER_WAIT_MS = 500;
/** How often each instance deletes the buckets that are full again (a missing row is a full bucket). */
const SWEEP_EVERY_MS = 60_000;
/** At most this many keys remembered as refused (a flood of addresses must not grow memory without bound). */
const MAX_REFUSED_KEYS = 10_000;
/** At most one warning a minute while the database does not answer. */
const WARN_EVERY_MS = 60_000;

/**
 * One statement, one round trip, atomic per key (the row is locked by ON CONFLICT): the request is allowed when
 * pushing the bucket's full moment one interval later keeps it within a minute's worth of intervals from now, and then
 * the row is pushed. A refused request changes nothing; the second column (the row as it was before this statement,
 * from the statement's snapshot) says when one more would pass. Times in whole microseconds, so that a minute's worth
 * is exactly `perMinute` intervals.
 */
const TAKE = `
  WITH taken AS (
    INSERT INTO rate_limit_buckets AS b (key, full_at)
    VALUES ($1, now() + $2::bigint * interval '1 microsecond')
    ON CONFLICT (key) DO UPDATE SET full_at = greatest(b.full_at, now()) + $2::bigint * interval '1 microsecond'
      WHERE greatest(b.full_at, now()) + $2::bigint * interval '1 microsecond' <= now() + $3::bigint * interval '1 microsecond'
    RETURNING full_at
  )
  SELECT (extract(epoch FROM (SELECT full_at FROM taken) - now()) * 1000000)::bigint AS taken_full_in_us,
         (extract(epoch FROM (SELECT full_at FROM rate_limit_buckets WHERE key = $1) - now()) * 1000000)::bigint AS full_in_us`;

/**
 * The rate limit of every instance together: each key's token bucket is a row of rate_limit_buckets (see
 * shared-limits-schema.ts), so a member's requests count the same whichever instance serves them. The same bucket as
 * RateLimiter's (a minute's worth at once, then `perMinute` a minute), exact across instances: each request is one
 * atomic statement.
 *
 * A key refused once is refused here without asking again until its bucket could have a request's worth (other
 * instances can only take from it meanwhile): a flood from one caller costs the database one statement per refill
 * interval, not one per request.
 *
 * When the database does not answer (an error, or not within SHARED_ANSWER_WAIT_MS) this instance's own buckets
 * decide: fail open to the per-instance limit, deliberately. Failing closed would refuse every request during a
 * database blip, including those the service could still answer, while the per-instance bucket still bounds what one
 * member can do (n instances allow n times the rate, for as long as the outage lasts).
 */
export class SharedRateLimiter implements RateLimit {
  private readonly local: RateLimiter;
  private readonly intervalUs: number;
  private readonly windowUs: number;
  /** Key → when (this process's clock, ms) its bucket could have a request's worth again, at the earliest. */
  private readonly refusedUntil = new Map<string, number>();
  /** Per key: the decision last asked for, until it is given (see take). */
  private readonly lastDecision = new Map<string, Promise<RateDecision>>();
  private sweeper: NodeJS.Timeout | undefined;
  private lastWarning = 0;

  constructor(
    readonly perMinute: number,
    private readonly pool: pg.Pool,
    private readonly answerWaitMs = SHARED_ANSWER_WAIT_MS,
  ) {
    this.local = new RateLimiter(perMinute);
    this.intervalUs = perMinute > 0 ? Math.round(60_000_000 / perMinute) : 0;
    this.windowUs = this.intervalUs * perMinute;
  }

  get enabled(): boolean {
    return this.perMinute > 0;
  }

  /** Starts deleting full buckets now and then (every instance does; deleting a full bucket changes nothing). */
  start(): void {
    if (!this.enabled || this.sweeper) return;
    this.sweeper = setInterval(() => void this.sweep(), SWEEP_EVERY_MS);
    this.sweeper.unref();
  }

  stop(): void {
    clearInterval(this.sweeper);
    this.sweeper = undefined;
  }

  /**
   * A key's decisions are given in the order they were asked for (each statement runs at once; an answer that comes
   * back early waits for the ones asked before it): what a member sent first is decided first, as with the buckets in
   * memory, so that three subscriptions started at once meet the cap in the order they came.
   */
  take(key: string): Promise<RateDecision> {
    if (!this.enabled) return Promise.resolve({ allowed: true, remaining: Number.POSITIVE_INFINITY, retryAfterSeconds: 0 });
    const decision = this.decide(key);
    const previous = this.lastDecision.get(key);
    const inOrder = previous ? previous.then(() => decision) : decision;
    this.lastDecision.set(key, inOrder);
    void inOrder.finally(() => {
      if (this.lastDecision.get(key) === inOrder) this.lastDecision.delete(key);
    });
    return inOrder;
  }

  private async decide(key: string): Promise<RateDecision> {
    const asked = Date.now();
    const until = this.refusedUntil.get(key);
    if (until !== undefined) {
      if (asked < until) return refusal(until - asked);
      this.refusedUntil.delete(key);
    }
    let row: { taken_full_in_us: string | null; full_in_us: string | null } | undefined;
    try {
      row = await withinMs(
        this.pool.query<{ taken_full_in_us: string | null; full_in_us: string | null }>(TAKE, [key, this.intervalUs, this.windowUs]),
        this.answerWaitMs,
      ).then((result) => result.rows[0]);
    } catch (error) {
      this.warn(error);
      return this.local.take(key);
    }
    if (row?.taken_full_in_us != null) {
      return {
        allowed: true,
        remaining: Math.floor((this.windowUs - Number(row.taken_full_in_us)) / this.intervalUs),
        retryAfterSeconds: 0,
      };
    }
    // From the snapshot the statement started with: never later than the bucket as it is, so never refused too long.
    const waitMs = (Math.max(0, Number(row?.full_in_us ?? 0)) + this.intervalUs - this.windowUs) / 1000;
    this.rememberRefused(key, asked + waitMs);
    return refusal(waitMs);
  }

  /** Deletes the buckets that are full again; what it deletes is what a missing row means. */
  async sweep(): Promise<number> {
    try {
      const result = await this.pool.query('DELETE FROM rate_limit_buckets WHERE full_at < now()');
      return result.rowCount ?? 0;
    } catch (error) {
      this.warn(error);
      return 0;
    }
  }

  private rememberRefused(key: string, until: number): void {
    if (this.refusedUntil.size >= MAX_REFUSED_KEYS) {
      const now = Date.now();
      for (const [other, at] of this.refusedUntil) if (at <= now) this.refusedUntil.delete(other);
      // Still full (a flood of addresses): the oldest go; forgetting one only means asking the database again.
      for (const other of this.refusedUntil.keys()) {
        if (this.refusedUntil.size < MAX_REFUSED_KEYS * 0.9) break;
        this.refusedUntil.delete(other);
      }
    }
    this.refusedUntil.set(key, until);
  }

  private warn(error: unknown): void {
    const now = Date.now();
    if (now - this.lastWarning < WARN_EVERY_MS) return;
    this.lastWarning = now;
    logger.warn('rate limit: the shared buckets do not answer; this instance limits on its own meanwhile', {
      error: (error as Error).message,
    });
  }
}

function refusal(waitMs: number): RateDecision {
  return { allowed: false, remaining: 0, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) };
}

/** `promise`, or a rejection once `ms` have passed (the promise itself goes on: its answer is then ignored). */
export function withinMs<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  promise.catch(() => undefined);
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
