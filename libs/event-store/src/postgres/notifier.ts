import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import pg from 'pg';
import { comparePositions, type LogPosition } from '../position.ts';

/** What one append transaction of this process wrote: its streams' categories, its events' types, its highest position. */
export interface AppendedBatch {
  readonly categories: ReadonlySet<string>;
  readonly types: ReadonlySet<string>;
  readonly position: LogPosition;
}

/**
 * A waiter's own view of the notifications: it counts and wakes on those its `relevant` test accepts. A notification
 * from another process carries no detail (`undefined`) and should always be relevant.
 */
export interface Doorbell {
  /**
   * Call before reading; pass the answer to `wait`, which then returns at once if a relevant notification arrived in
   * between (an append that committed after the read's snapshot must not wait for the next poll).
   */
  mark(): number;
  /** Resolves on the next relevant notification (or at once if one came after `since`) or after `timeoutMs`. */
  wait(timeoutMs: number, signal?: AbortSignal, since?: number): Promise<void>;
  close(): void;
}

/**
 * Wakes subscriptions when events were appended, instead of at their next poll: this process's own appends wake
 * its subscriptions directly, and other processes hear of them through one LISTEN connection per store. The NOTIFY
 * is sent after the append committed, in a transaction of its own (a notifying transaction's commit is serialised
 * by PostgreSQL), and coalesced: at most one every `minIntervalMs`, the last one after the last append. Each store
 * signs its notifications and ignores its own, which its subscriptions have already heard of. Notifications are
 * only a hint (the poll still runs), so a lost one costs latency, never events.
 *
 * A notification says what the appends it stands for wrote (their categories and event types, and the highest
 * position: see NotificationPayload), so that another process wakes only the subscriptions that take some of it, as
 * its own appends do. A plain one (an older version's, or appends whose detail is unknown) wakes every subscription.
 */
export class AppendNotifier {
  private readonly emitter = new EventEmitter();
  private client: pg.Client | undefined;
  private connecting: Promise<void> | undefined;
  private closed = false;
  private announcing = false;
  private announceAgain = false;
  /** Set by hurry(): the next NOTIFY goes without waiting for the interval. */
  private hurried = false;
  private lastAnnouncedAt = -Infinity;
  private announceTimer: { timer: NodeJS.Timeout; resolve(): void } | undefined;
  /** What the appends not announced yet wrote, together; `unknown` once one of them came without its detail. */
  private unannounced: MutableBatch | 'unknown' | undefined;
  /** Begins every notification of this store (NotificationPayload). */
  readonly signature = randomUUID();

  constructor(
    private readonly connectionString: string,
    /** Sends a NOTIFY with this payload to other processes. */
    private readonly sendNotify: (payload: string) => Promise<unknown>,
    /** Least time between two NOTIFYs: under load, one per interval instead of one per append transaction. */
    private readonly minIntervalMs = 0,
  ) {
    this.emitter.setMaxListeners(0);
  }

  /** Call after an append committed, with what it wrote (without it, every waiter wakes). */
  appended(batch?: AppendedBatch): void {
    this.wakeLocal(batch);
    this.unannounced = mergedBatch(this.unannounced, batch);
    this.announceAgain = true;
    if (this.announcing || this.closed) return;
    this.announcing = true;
    void this.announce();
  }

  /**
   * Announces the appends not announced yet now, not at the end of the interval: a waiter here needs another process
   * to take them (a read-your-writes wait for a read model another instance runs), and under steady appends the
   * interval alone made it wait up to `minIntervalMs` for that process to hear of them. A NOTIFY per such wait at most;
   * nothing when everything was announced.
   */
  hurry(): void {
    if (!this.announceAgain || this.closed) return;
    this.hurried = true;
    if (this.announceTimer) {
      clearTimeout(this.announceTimer.timer);
      this.announceTimer.resolve();
    }
  }

  private async announce(): Promise<void> {
    try {
      while (this.announceAgain && !this.closed) {
        const wait = this.hurried ? 0 : this.lastAnnouncedAt + this.minIntervalMs - performance.now();
        if (wait > 0) {
          await new Promise<void>((resolve) => (this.announceTimer = { timer: setTimeout(resolve, wait), resolve }));
          this.announceTimer = undefined;
          if (this.closed) return;
        }
        this.hurried = false;
        this.announceAgain = false;
        this.lastAnnouncedAt = performance.now();
        const payload = notificationPayload(this.signature, this.unannounced);
        this.unannounced = undefined;
        await this.sendNotify(payload).catch(() => undefined);
      }
    } finally {
      this.announcing = false;
    }
  }

  /** A waiter that wakes only on the notifications `relevant` accepts (see Doorbell). */
  doorbell(relevant: (batch: AppendedBatch | undefined) => boolean): Doorbell {
    let rung = 0; // relevant notifications so far: tells `wait` that one came while the waiter was not waiting
    const bell = new EventEmitter();
    bell.setMaxListeners(0);
    const listener = (batch: AppendedBatch | undefined) => {
      if (!relevant(batch)) return;
      rung++;
      bell.emit('ring');
    };
    this.emitter.on('append', listener);
    return {
      mark: () => {
        void this.ensureListening();
        return rung;
      },
      wait: async (timeoutMs, signal, since) => {
        void this.ensureListening();
        if (since !== undefined && rung !== since) return;
        await new Promise<void>((resolve) => {
          const done = () => {
            clearTimeout(timer);
            bell.off('ring', done);
            signal?.removeEventListener('abort', done);
            resolve();
          };
          const timer = setTimeout(done, timeoutMs);
          bell.once('ring', done);
          signal?.addEventListener('abort', done, { once: true });
        });
      },
      close: () => {
        this.emitter.off('append', listener);
        bell.emit('ring');
      },
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.announceTimer) {
      clearTimeout(this.announceTimer.timer);
      this.announceTimer.resolve();
    }
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private wakeLocal(batch?: AppendedBatch): void {
    this.emitter.emit('append', batch);
  }

  /** Resolves once the LISTEN connection is up (or failed to come up: the poll covers it); doorbells start it too. */
  listening(): Promise<void> {
    return this.ensureListening();
  }

  private ensureListening(): Promise<void> {
    if (this.client || this.closed) return Promise.resolve();
    this.connecting ??= (async () => {
      const client = new pg.Client({ connectionString: this.connectionString });
      client.on('notification', (message) => {
        const payload = message.payload ?? '';
        if (payload === this.signature || payload.startsWith(`${this.signature} `)) return;
        this.wakeLocal(batchOfPayload(payload));
      });
      client.on('error', () => {
        // Dropped: forget it; the next wait() reconnects. Polling covers the gap.
        if (this.client === client) this.client = undefined;
      });
      try {
        await client.connect();
        await client.query('LISTEN es_events');
        if (this.closed) await client.end();
        else this.client = client;
      } catch {
        await client.end().catch(() => undefined);
      } finally {
        this.connecting = undefined;
      }
    })();
    return this.connecting;
  }
}

interface MutableBatch {
  readonly categories: Set<string>;
  readonly types: Set<string>;
  position: LogPosition;
}

function mergedBatch(into: MutableBatch | 'unknown' | undefined, batch: AppendedBatch | undefined): MutableBatch | 'unknown' {
  if (!batch || into === 'unknown') return 'unknown';
  if (!into) return { categories: new Set(batch.categories), types: new Set(batch.types), position: batch.position };
  for (const category of batch.categories) into.categories.add(category);
  for (const type of batch.types) into.types.add(type);
  if (comparePositions(batch.position, into.position) > 0) into.position = batch.position;
  return into;
}

/**
 * NotificationPayload: `<signature>` alone, or `<signature> <commit>:<prepare> <JSON [categories, types]>`. PostgreSQL
 * takes payloads below 8,000 bytes: a detail that would not fit is left out (the notification then wakes everyone).
 */
function notificationPayload(signature: string, batch: MutableBatch | 'unknown' | undefined): string {
  if (!batch || batch === 'unknown') return signature;
  const payload = `${signature} ${batch.position.commit}:${batch.position.prepare} ${JSON.stringify([[...batch.categories], [...batch.types]])}`;
  return Buffer.byteLength(payload) < MAX_PAYLOAD_BYTES ? payload : signature;
}

const MAX_PAYLOAD_BYTES = 7_900;

/** What another process's notification says was written; undefined when it does not say (or says it unreadably). */
function batchOfPayload(payload: string): AppendedBatch | undefined {
  const match = /^\S+ (\d+):(\d+) (\[.*\])$/s.exec(payload);
  if (!match) return undefined;
  try {
    const [categories, types] = JSON.parse(match[3]!) as unknown[];
    const strings = (value: unknown): value is string[] => Array.isArray(value) && value.every((v) => typeof v === 'string');
    if (!strings(categories) || !strings(types)) return undefined;
    return { categories: new Set(categories), types: new Set(types), position: { commit: BigInt(match[1]!), prepare: BigInt(match[2]!) } };
  } catch {
    return undefined;
  }
}
