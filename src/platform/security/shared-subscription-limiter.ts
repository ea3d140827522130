import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { logger } from '../observability/logger.ts';
import { HolderSession, type SessionIdentity } from './holder-session.ts';
import { withinMs } from './shared-rate-limiter.ts';
import { SubscriptionLimiter, type SubscriptionLimits } from './subscription-limiter.ts';

/**
 * How long a subscription's start waits for the shared count before this instance's own decides. Longer than the
 * rate limit's wait: a start is rare and not in a hurry, and it is when many subscribers start at once (reconnecting
 * after an instance died) that the database is slow and a shorter wait would admit them past the cap.
 */
export const SUBSCRIPTION_ANSWER_WAIT_MS = 5_000;
/** How often each instance deletes what it could not delete at once, and the rows of sessions that are gone. */
const RECONCILE_EVERY_MS = 30_000;
/** At most one warning a minute while the database does not answer. */
const WARN_EVERY_MS = 60_000;

/** A session that pg_stat_activity no longer shows: its instance stopped, or died. */
const HOLDER_GONE = `NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.pid = s.holder_pid AND a.backend_start = s.holder_started)`;

/**
 * Under the key's advisory lock (taken by the statement before, so that this one's snapshot sees every row committed
 * by whoever held it before): the key's rows of sessions that are gone are deleted, and the new row is inserted when
 * fewer than the cap remain.
 */
const INSERT_IF_ROOM = `
  WITH gone AS (DELETE FROM live_subscriptions s WHERE s.key = $2 AND ${HOLDER_GONE} RETURNING 1)
  INSERT INTO live_subscriptions (id, key, holder_pid, holder_started)
  SELECT $1, $2, $3, $4::timestamptz
  WHERE (SELECT count(*) FROM live_subscriptions WHERE key = $2) - (SELECT count(*) FROM gone) < $5`;

interface Held {
  readonly rowId: string;
  /** Settles when the row's insert has (its release waits for it, so that a late insert is never left behind). */
  readonly stored: Promise<unknown>;
}

/**
 * The cap on live subscriptions per key (a member id, or an address without a valid token) across every instance:
 * each live subscription is a row of live_subscriptions (see shared-limits-schema.ts), inserted when it starts if
 * the key holds fewer than `maxPerKey` and deleted when it ends. The rows are held by this instance's session
 * (HolderSession): rows whose session is gone do not count and are deleted, so an instance that was killed frees its
 * members' places as soon as the server sees its connections close, with no heartbeat to wait out.
 *
 * This instance's own count (SubscriptionLimiter) is checked first, and alone when the database does not answer
 * (fail open to the per-instance cap, as the rate limit does); those subscriptions get their rows when it answers
 * again, as do all of this instance's after its session was lost and reconnected.
 */
export class SharedSubscriptionLimiter implements SubscriptionLimits {
  private readonly local: SubscriptionLimiter;
  /** Per connection: subscription id → its row. */
  private readonly held = new WeakMap<object, Map<string, Held>>();
  /** Every subscription this instance serves: row id → key (what it registers again under a new session). */
  private readonly live = new Map<string, string>();
  /** Rows whose delete failed; deleted at the next reconciliation. */
  private readonly undeleted = new Set<string>();
  /** The session the live rows were last registered under (or some have no row: a new registration is due). */
  private registeredAs: SessionIdentity | undefined;
  private unregistered = false;
  private readonly session: HolderSession;
  private reconciler: NodeJS.Timeout | undefined;
  private reconciling: Promise<void> | undefined;
  private lastWarning = 0;

  constructor(
    readonly maxPerKey: number,
    private readonly pool: pg.Pool,
    private readonly answerWaitMs = SUBSCRIPTION_ANSWER_WAIT_MS,
  ) {
    this.local = new SubscriptionLimiter(maxPerKey);
    this.session = new HolderSession((pool as unknown as { options: pg.ClientConfig }).options, (identity) => {
      // The first session has nothing to register again; a later one (a reconnection) has every live subscription.
      if (this.registeredAs === undefined && this.live.size === 0) this.registeredAs = identity;
      void this.reconcile();
    });
  }

  async start(): Promise<void> {
    await this.session.open();
    this.reconciler = setInterval(() => void this.reconcile(), RECONCILE_EVERY_MS);
    this.reconciler.unref();
  }

  /** Deletes this instance's rows and ends its session (others would stop counting them anyway once it is gone). */
  async stop(): Promise<void> {
    clearInterval(this.reconciler);
    await this.reconciling;
    const identity = this.session.identity;
    if (identity) {
      await this.pool
        .query('DELETE FROM live_subscriptions WHERE holder_pid = $1 AND holder_started = $2::timestamptz', [
          identity.pid,
          identity.started,
        ])
        .catch(() => undefined);
    }
    await this.session.close();
  }

  async acquire(connection: object, id: string, key: string): Promise<boolean> {
    if (this.held.get(connection)?.has(id)) return true;
    if (!this.local.acquire(connection, id, key)) return false;
    const rowId = randomUUID();
    const identity = this.session.identity;
    const inserted = identity ? this.insertIfRoom(rowId, key, identity) : Promise.reject(new Error('no session with the database'));
    let ids = this.held.get(connection);
    if (!ids) this.held.set(connection, (ids = new Map()));
    ids.set(id, { rowId, stored: inserted.catch(() => undefined) });
    this.live.set(rowId, key);
    try {
      if (await withinMs(inserted, this.answerWaitMs)) return true;
      this.forget(connection, id);
      return false;
    } catch (error) {
      this.warn(error);
      this.unregistered = true;
      return true;
    }
  }

  release(connection: object, id: string): void {
    const held = this.forget(connection, id);
    void held?.stored
      .then(() => this.pool.query('DELETE FROM live_subscriptions WHERE id = $1', [held.rowId]))
      .catch(() => this.undeleted.add(held.rowId));
  }

  /** Takes the subscription out of this instance's count; its row, if any, is the caller's business. */
  private forget(connection: object, id: string): Held | undefined {
    const ids = this.held.get(connection);
    const held = ids?.get(id);
    if (!held) return undefined;
    ids!.delete(id);
    this.live.delete(held.rowId);
    this.local.release(connection, id);
    return held;
  }

  releaseAll(connection: object): void {
    for (const id of [...(this.held.get(connection)?.keys() ?? [])]) this.release(connection, id);
  }

  /** This instance's live subscriptions of `key`. */
  count(key: string): number {
    return this.local.count(key);
  }

  /**
   * Brings the shared rows in line with this instance: its live subscriptions registered under its current session
   * (after a reconnection, or ones admitted while the database did not answer), failed deletes done, and the rows of
   * sessions that are gone deleted (every instance does it; the first to come deletes them).
   */
  reconcile(): Promise<void> {
    this.reconciling ??= this.reconcileOnce()
      .catch((error: unknown) => this.warn(error))
      .finally(() => (this.reconciling = undefined));
    return this.reconciling;
  }

  private async reconcileOnce(): Promise<void> {
    const identity = this.session.identity;
    if (!identity) return;
    if (this.unregistered || !sameSession(this.registeredAs, identity)) {
      this.unregistered = false;
      const rows = [...this.live];
      await this.pool.query(
        `INSERT INTO live_subscriptions (id, key, holder_pid, holder_started)
         SELECT id, key, $3, $4::timestamptz FROM unnest($1::uuid[], $2::text[]) AS r (id, key)
         ON CONFLICT (id) DO UPDATE SET holder_pid = excluded.holder_pid, holder_started = excluded.holder_started`,
        [rows.map(([rowId]) => rowId), rows.map(([, key]) => key), identity.pid, identity.started],
      );
      this.registeredAs = identity;
      // Released while they were being registered: their delete may have come first.
      for (const [rowId] of rows) if (!this.live.has(rowId)) this.undeleted.add(rowId);
    }
    if (this.undeleted.size > 0) {
      const rowIds = [...this.undeleted];
      await this.pool.query('DELETE FROM live_subscriptions WHERE id = ANY($1::uuid[])', [rowIds]);
      for (const rowId of rowIds) this.undeleted.delete(rowId);
    }
    await this.pool.query(`DELETE FROM live_subscriptions s WHERE ${HOLDER_GONE}`);
  }

  private async insertIfRoom(rowId: string, key: string, identity: SessionIdentity): Promise<boolean> {
    const client = await this.pool.connect();
    let broken = false;
    try {
      await client.query('BEGIN');
      // Two instances admitting the same member's subscriptions at once take turns: neither counts before the other's row.
      await client.query(`SELECT pg_advisory_xact_lock(hashtext('live_subscriptions'), hashtext($1))`, [key]);
      const result = await client.query(INSERT_IF_ROOM, [rowId, key, identity.pid, identity.started, this.maxPerKey]);
      await client.query('COMMIT');
      return result.rowCount === 1;
    } catch (error) {
      broken = true;
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release(broken);
    }
  }

  private warn(error: unknown): void {
    const now = Date.now();
    if (now - this.lastWarning < WARN_EVERY_MS) return;
    this.lastWarning = now;
    logger.warn('subscription cap: the shared count does not answer; this instance caps on its own meanwhile', {
      error: (error as Error).message,
    });
  }
}

function sameSession(a: SessionIdentity | undefined, b: SessionIdentity): boolean {
  return a !== undefined && a.pid === b.pid && a.started === b.started;
}
