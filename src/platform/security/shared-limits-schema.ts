import type pg from 'pg';
import { runMigrations, type Migration } from '#postgres';

/**
 * The limits every instance shares (shared-rate-limiter.ts, shared-subscription-limiter.ts): two small tables beside
 * the read models, never part of them (no projection writes or rebuilds them). UNLOGGED: no WAL, so a request's
 * bucket update costs no flush, and neither is replicated; after a crash or a failover they start empty, which gives
 * each member a full bucket once and lets each instance register its live subscriptions again (it does on reconnect).
 */
const SHARED_LIMITS_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'rate_limit_buckets and live_subscriptions',
    sql: `
      -- A token bucket as the moment it is full again: a request pushes it one interval later, and is allowed while
      -- that stays within a minute's worth of intervals from now. A row whose moment has passed is a full bucket.
      CREATE UNLOGGED TABLE IF NOT EXISTS rate_limit_buckets (
        key     text PRIMARY KEY,
        full_at timestamptz NOT NULL
      );
      -- One row per live subscription, held by the session (pid and start) of the instance serving it: a row whose
      -- session is gone belongs to an instance that stopped or died and does not count.
      CREATE UNLOGGED TABLE IF NOT EXISTS live_subscriptions (
        id             uuid PRIMARY KEY,
        key            text NOT NULL,
        holder_pid     int NOT NULL,
        holder_started timestamptz NOT NULL,
        started_at     timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX IF NOT EXISTS live_subscriptions_key ON live_subscriptions (key);
      CREATE INDEX IF NOT EXISTS live_subscriptions_holder ON live_subscriptions (holder_pid, holder_started);`,
  },
];

export async function ensureSharedLimitsSchema(pool: pg.Pool): Promise<void> {
  await runMigrations(pool, 'security-limits', SHARED_LIMITS_MIGRATIONS);
}
