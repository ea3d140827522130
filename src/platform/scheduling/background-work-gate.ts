import { processForegroundLoad, type ForegroundLoad } from './foreground-load.ts';

/** How the deliveries of one instance (webhooks and e-mails together) share its event loop with the API. */
export interface DeliverySettings {
  /** DELIVERY_CONCURRENCY: sends in flight at once while the instance is quiet (no request for a moment). */
  readonly concurrency: number;
  /** DELIVERY_MAX_PER_SECOND: sends started per second at most, whatever the load; 0 is no cap. */
  readonly maxPerSecond: number;
}

export const DEFAULT_DELIVERY_SETTINGS: DeliverySettings = { concurrency: 16, maxPerSecond: 0 };

/**
 * While the instance is busy, one send starts per BUSY_SPACING_MS at most: a delivery never stops altogether (an
 * instance that is never idle still delivers about 20 a second), but takes next to nothing from the requests.
 */
export const BUSY_SPACING_MS = 50;
/** The longest a bulk step (a page of the log or the outbox, a batch of claims) waits for the instance to be idle. */
export const BUSY_WAIT_MAX_MS = 200;
/**
 * Requests come in waves: until none has been in flight for QUIET_MS, the instance is settling, and deliveries stay
 * slow and small (one send at a time, one per SETTLING_SPACING_MS at most, steps of SMALL_STEP items), so that the
 * next request finds little ahead of it. Under a steady stream of requests the instance is never quiet. Not only the
 * event loop is shared: a send costs the receiver's side, the database's and the machine's CPU too (on 2 CPUs, one
 * send at a time unpaced, about 1,000 a second, still tripled a mutation's p99: bench/notifications.bench.ts).
 */
export const QUIET_MS = 250;
export const SETTLING_CONCURRENCY = 1;
export const SETTLING_SPACING_MS = 10;
/**
 * Items a bulk step takes while the instance is not quiet: its statements end within a few milliseconds (a write
 * holds back the log's readers while it runs), its rows are sent within seconds.
 */
export const SMALL_STEP = 25;
/** With a cap, a claim takes no more than this long's worth of sends (claims must not expire before they are sent). */
export const CAPPED_STEP_SECONDS = 30;

export interface GateTimers {
  /** Milliseconds, monotonic. */
  now(): number;
  /** Calls `fn` after `ms`; answers the function that cancels it. */
  setTimeout(fn: () => void, ms: number): () => void;
}

const realTimers: GateTimers = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => {
    const timer = setTimeout(fn, ms);
    return () => clearTimeout(timer);
  },
};

export type Release = () => void;

/**
 * Background work gives way to the API. A delivery costs CPU on the same event loop as the requests (about 0.35 ms
 * per webhook), and its statements hold back the log's readers while they run (the PostgreSQL store reads below the
 * oldest running transaction, and a mutation waits for its read model): delivered at full speed, a backlog raised the
 * p99 of a mutation two- to eightfold (bench/notifications.bench.ts). So each send takes a slot here, and each bulk
 * step asks `giveWay` first:
 *
 * - busy (a request in flight): one send per BUSY_SPACING_MS, and a bulk step waits until no
 *   request is in flight (woken as soon as the last one ends; at most BUSY_WAIT_MAX_MS), then takes a small one;
 * - settling (the last request ended less than QUIET_MS ago): one send per SETTLING_SPACING_MS, one at a time, small
 *   steps;
 * - quiet: up to `concurrency` sends at once, whole steps.
 *
 * `maxPerSecond`, when set, caps the sends whatever the state.
 *
 * Only when a send or a step starts is decided here: what is claimed, sent and recorded is the deliveries' business,
 * so their exactly-once guarantees do not depend on it.
 */
export class BackgroundWorkGate {
  private inFlight = 0;
  private lastStartAt = Number.NEGATIVE_INFINITY;
  private tokens: number;
  private tokensAt: number;
  private readonly capacity: number;
  private readonly slotWaiters: ((release: Release) => void)[] = [];
  private readonly stepWaiters: { readonly since: number; readonly resolve: (busy: boolean) => void }[] = [];
  private cancelTimer: (() => void) | undefined;
  private stopListening: (() => void) | undefined;

  constructor(
    readonly settings: DeliverySettings,
    private readonly load: ForegroundLoad,
    private readonly timers: GateTimers = realTimers,
  ) {
    if (!Number.isSafeInteger(settings.concurrency) || settings.concurrency < 1)
      throw new Error('concurrency must be a whole number from 1');
    if (!Number.isFinite(settings.maxPerSecond) || settings.maxPerSecond < 0) throw new Error('maxPerSecond must be 0 or more');
    // A tenth of a second's worth may start at once (at least one): a cap, not a metronome.
    this.capacity = Math.max(1, Math.ceil(settings.maxPerSecond / 10));
    this.tokens = this.capacity;
    this.tokensAt = timers.now();
  }

  /** Sends in flight through this gate. */
  get sending(): number {
    return this.inFlight;
  }

  /** Whether the instance is serving requests. */
  busy(): boolean {
    return this.load.requestsInFlight() > 0;
  }

  state(): 'busy' | 'settling' | 'quiet' {
    if (this.busy()) return 'busy';
    return this.load.msSinceLastRequest() < QUIET_MS ? 'settling' : 'quiet';
  }

  /** Waits for the turn of one send; the answer must be called once it has ended, however it ended. */
  slot(): Promise<Release> {
    return new Promise((resolve) => {
      this.slotWaiters.push(resolve);
      this.pump();
    });
  }

  async run<T>(send: () => Promise<T>): Promise<T> {
    const release = await this.slot();
    try {
      return await send();
    } finally {
      release();
    }
  }

  /**
   * Before a bulk step: waits while the instance is busy, at most BUSY_WAIT_MAX_MS. Answers whether the step should
   * be small (the instance is not quiet): pass it to stepSize or claimSize.
   */
  giveWay(): Promise<boolean> {
    if (!this.busy()) return Promise.resolve(this.state() !== 'quiet');
    return new Promise((resolve) => {
      this.stepWaiters.push({ since: this.timers.now(), resolve });
      this.pump();
    });
  }

  /** How many items a bulk step takes: `full`, or SMALL_STEP when giveWay said small. */
  stepSize(full: number, small: boolean): number {
    return Math.max(1, small ? Math.min(full, SMALL_STEP) : full);
  }

  /** How many deliveries to claim at once: a step's size, no more than a cap lets through in CAPPED_STEP_SECONDS. */
  claimSize(full: number, small: boolean): number {
    const size = this.stepSize(full, small);
    const rate = this.settings.maxPerSecond;
    return rate > 0 ? Math.max(1, Math.min(size, Math.floor(rate * CAPPED_STEP_SECONDS))) : size;
  }

  private pump(): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    const now = this.timers.now();
    const busy = this.busy();
    let wakeIn = Number.POSITIVE_INFINITY;

    for (let i = 0; i < this.stepWaiters.length;) {
      const waiter = this.stepWaiters[i]!;
      const waited = now - waiter.since;
      if (!busy || waited >= BUSY_WAIT_MAX_MS) {
        this.stepWaiters.splice(i, 1);
        waiter.resolve(true); // busy until now: small
      } else {
        wakeIn = Math.min(wakeIn, BUSY_WAIT_MAX_MS - waited);
        i++;
      }
    }

    while (this.slotWaiters.length > 0) {
      const wait = this.waitBeforeStart(now, busy);
      if (wait > 0) {
        wakeIn = Math.min(wakeIn, wait); // Infinity when a send must end first: its release pumps
        break;
      }
      this.inFlight++;
      this.lastStartAt = now;
      if (this.settings.maxPerSecond > 0) this.tokens--;
      this.slotWaiters.shift()!(this.releaser());
    }

    if (Number.isFinite(wakeIn)) this.cancelTimer = this.timers.setTimeout(() => this.pump(), Math.max(1, wakeIn));
    const waiting = this.slotWaiters.length + this.stepWaiters.length > 0;
    // Woken the moment the last request ends, rather than at the next spacing.
    if (waiting && !this.stopListening) this.stopListening = this.load.onIdle(() => this.pump());
    else if (!waiting && this.stopListening) {
      this.stopListening();
      this.stopListening = undefined;
    }
  }

  /** 0: a send may start now; otherwise how long until it may (Infinity: until a send in flight ends). */
  private waitBeforeStart(now: number, busy: boolean): number {
    const settling = !busy && this.load.msSinceLastRequest() < QUIET_MS;
    const limit = settling ? Math.min(SETTLING_CONCURRENCY, this.settings.concurrency) : this.settings.concurrency;
    if (this.inFlight >= limit) return Number.POSITIVE_INFINITY;
    const spacing = busy ? BUSY_SPACING_MS : settling ? SETTLING_SPACING_MS : 0;
    let wait = Math.max(0, this.lastStartAt + spacing - now);
    const rate = this.settings.maxPerSecond;
    if (rate > 0) {
      this.tokens = Math.min(this.capacity, this.tokens + ((now - this.tokensAt) * rate) / 1000);
      this.tokensAt = now;
      if (this.tokens < 1) wait = Math.max(wait, ((1 - this.tokens) * 1000) / rate);
    }
    return wait;
  }

  private releaser(): Release {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.inFlight--;
      this.pump();
    };
  }
}

const gates = new Map<string, BackgroundWorkGate>();

/**
 * The gate of this process for these settings: the webhook and e-mail deliveries of an instance share one, so
 * `concurrency` and `maxPerSecond` hold for both together.
 */
export function deliveryGate(settings: DeliverySettings = DEFAULT_DELIVERY_SETTINGS): BackgroundWorkGate {
  const key = `${settings.concurrency}/${settings.maxPerSecond}`;
  let gate = gates.get(key);
  if (!gate) gates.set(key, (gate = new BackgroundWorkGate(settings, processForegroundLoad())));
  return gate;
}
