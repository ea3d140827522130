export interface RateDecision {
  readonly allowed: boolean;
  /** Whole requests left in the bucket after this one. */
  readonly remaining: number;
  /** When refused: how long until the next request would be allowed. */
  readonly retryAfterSeconds: number;
}

/** A rate limit as Security uses it: this instance's buckets (RateLimiter), or every instance's (SharedRateLimiter). */
export interface RateLimit {
  readonly perMinute: number;
  readonly enabled: boolean;
  take(key: string): RateDecision | Promise<RateDecision>;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

/**
 * A token bucket per key (a member id, or an address for requests without a valid token), in memory: each bucket holds
 * up to `perMinute` requests and refills continuously at `perMinute` per minute, so a burst of a minute's worth passes
 * and the sustained rate is `perMinute`. Per instance: behind a load balancer of n instances the limit is n times as
 * much, which is still a limit (the service shares its buckets in PostgreSQL, shared-rate-limiter.ts, and falls back
 * to these while the database does not answer). `perMinute` 0 turns it off.
 */
export class RateLimiter implements RateLimit {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    readonly perMinute: number,
    private readonly now: () => number = Date.now,
    /** Beyond this many keys, idle buckets are forgotten (a forgotten bucket is a full one: nothing is lost). */
    private readonly maxKeys = 50_000,
  ) {}

  get enabled(): boolean {
    return this.perMinute > 0;
  }

  take(key: string): RateDecision {
    if (!this.enabled) return { allowed: true, remaining: Number.POSITIVE_INFINITY, retryAfterSeconds: 0 };
    const now = this.now();
    const perMs = this.perMinute / 60_000;
    let bucket = this.buckets.get(key);
    if (bucket) {
      bucket.tokens = Math.min(this.perMinute, bucket.tokens + Math.max(0, now - bucket.updatedAt) * perMs);
      bucket.updatedAt = now;
      // Most recently used last: eviction takes the oldest first.
      this.buckets.delete(key);
      this.buckets.set(key, bucket);
    } else {
      if (this.buckets.size >= this.maxKeys) this.evict(now);
      bucket = { tokens: this.perMinute, updatedAt: now };
      this.buckets.set(key, bucket);
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true, remaining: Math.floor(bucket.tokens), retryAfterSeconds: 0 };
    }
    return { allowed: false, remaining: 0, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / perMs / 1000)) };
  }

  /** How many keys have a bucket (for tests and metrics). */
  get size(): number {
    return this.buckets.size;
  }

  private evict(now: number): void {
    // A bucket untouched for a minute is full again: forgetting it changes nothing.
    for (const [key, bucket] of this.buckets) {
      if (now - bucket.updatedAt >= 60_000) this.buckets.delete(key);
    }
    // Still too many (a flood of new keys): the least recently used go, which at worst gives them a fresh bucket.
    // Down to 90%, so that a flood does not scan every bucket for each new key.
    for (const key of this.buckets.keys()) {
      if (this.buckets.size < this.maxKeys * 0.9) break;
      this.buckets.delete(key);
    }
  }
}
