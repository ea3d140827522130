/** The subscription cap as Security uses it: this instance's count (SubscriptionLimiter), or every instance's. */
export interface SubscriptionLimits {
  readonly maxPerKey: number;
  /** Takes a place for subscription `id` of `connection`; false when `key` holds `maxPerKey` already. */
  acquire(connection: object, id: string, key: string): boolean | Promise<boolean>;
  /** Gives the place back (nothing when it holds none); safe to call more than once. */
  release(connection: object, id: string): void;
  releaseAll(connection: object): void;
}

/**
 * Counts the live subscriptions of each key (a member id, or an address without a valid token) across all of its
 * WebSocket connections, and refuses one more than `maxPerKey`. A subscription is released when it completes, however
 * it ends (the client completes it, the server ends it, it fails) and, at the latest, when its connection closes.
 * This instance's only: the service counts every instance's in PostgreSQL (shared-subscription-limiter.ts).
 */
export class SubscriptionLimiter implements SubscriptionLimits {
  private readonly live = new Map<string, number>();
  /** Per connection: subscription id → key. */
  private readonly held = new WeakMap<object, Map<string, string>>();

  constructor(readonly maxPerKey: number) {}

  /** Takes a place for subscription `id` of `connection`; false when `key` already holds `maxPerKey`. */
  acquire(connection: object, id: string, key: string): boolean {
    let ids = this.held.get(connection);
    if (ids?.has(id)) return true;
    const count = this.live.get(key) ?? 0;
    if (count >= this.maxPerKey) return false;
    this.live.set(key, count + 1);
    if (!ids) this.held.set(connection, (ids = new Map()));
    ids.set(id, key);
    return true;
  }

  release(connection: object, id: string): void {
    const ids = this.held.get(connection);
    const key = ids?.get(id);
    if (key === undefined) return;
    ids!.delete(id);
    const count = (this.live.get(key) ?? 1) - 1;
    if (count <= 0) this.live.delete(key);
    else this.live.set(key, count);
  }

  releaseAll(connection: object): void {
    for (const id of [...(this.held.get(connection)?.keys() ?? [])]) this.release(connection, id);
  }

  count(key: string): number {
    return this.live.get(key) ?? 0;
  }
}
