import { logger } from '../observability/logger.ts';
import type { Clock } from '../shared/clock.ts';

export const DEFAULT_DUE_WORK_BATCH_SIZE = 100;

export interface DueWorkSchedulerOptions<Item> {
  /** Names the scheduler in log lines, e.g. `sanction-expiry`. */
  readonly name: string;
  readonly clock: Clock;
  /** Pause between the end of one pass and the start of the next. */
  readonly intervalMs: number;
  /** Items per findDue call. Default DEFAULT_DUE_WORK_BATCH_SIZE. */
  readonly batchSize?: number;
  /**
   * Up to `limit` items due at `now`, oldest first. Usually read from a read model, which may lag behind the log:
   * `handle` must therefore be safe to repeat (it re-checks against the source of truth and does nothing twice).
   */
  findDue(now: Date, limit: number): Promise<readonly Item[]>;
  /** Does the work of one item; throws to report a failure (the item is then tried again next pass). */
  handle(item: Item, now: Date): Promise<void>;
  /** Names one item in log lines; also what tells items apart within a pass, so it must be unique per item. */
  describe(item: Item): string;
}

type State = 'idle' | 'running' | 'stopping';

/**
 * Looks for work that has fallen due (a sanction's end date, a certification's renewal date...) and hands each item
 * to `handle`, every `intervalMs`. It guarantees neither exactly-once nor a single instance: every instance of the
 * service runs its own scheduler, and `handle` is what makes doing an item twice harmless (for event-sourced work,
 * a decider that records nothing when there is nothing left to do, appended with optimistic concurrency).
 */
export class DueWorkScheduler<Item> {
  private readonly batchSize: number;
  private state: State = 'idle';
  private timer: NodeJS.Timeout | undefined;
  /** Bumped by start and stop, so the timer chain of an earlier start never schedules itself again. */
  private chain = 0;
  private inFlight: Promise<number> | undefined;
  /** At most one pass waits behind the one in flight; further callers share it. */
  private queued: Promise<number> | undefined;

  constructor(private readonly options: DueWorkSchedulerOptions<Item>) {
    const batchSize = options.batchSize ?? DEFAULT_DUE_WORK_BATCH_SIZE;
    if (!Number.isSafeInteger(batchSize) || batchSize < 1) throw new Error(`${options.name}: batchSize must be a whole number from 1`);
    if (!Number.isFinite(options.intervalMs) || options.intervalMs < 0) throw new Error(`${options.name}: intervalMs must be 0 or more`);
    this.batchSize = batchSize;
  }

  get name(): string {
    return this.options.name;
  }

  /** Runs a first pass now (work that fell due while no instance was running), then one every intervalMs. */
  start(): void {
    if (this.state === 'running') return;
    this.state = 'running';
    this.tick(++this.chain);
  }

  /**
   * One pass: looks for due items and handles them, batch after batch while batches come back full, so that a
   * backlog (after downtime) drains in one pass rather than one batch per interval. Resolves with the number of items
   * handled without error; never rejects (failures are logged). Called while a pass is in flight, it runs a new pass
   * after that one, so its result reflects the clock at or after the call, and passes never overlap.
   */
  runOnce(): Promise<number> {
    if (this.queued) return this.queued;
    if (!this.inFlight) return this.launch();
    const queued = this.inFlight.then(() => {
      this.queued = undefined;
      return this.launch();
    });
    this.queued = queued;
    return queued;
  }

  /**
   * No further pass is scheduled, and the pass in flight ends after the batch it is handling (a shutdown should not
   * wait for a whole backlog). Resolves once it has ended, so the database can be closed after it. A later runOnce
   * runs a full pass again; start resumes the schedule.
   */
  async stop(): Promise<void> {
    this.chain++;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.state === 'idle' && !this.inFlight) return;
    this.state = 'stopping';
    // Both settle (a pass never rejects); a pass queued behind the one in flight stops after its first batch too.
    await (this.queued ?? this.inFlight);
    if (this.state === 'stopping') this.state = 'idle';
  }

  private tick(chain: number): void {
    this.timer = undefined;
    // The next pass is timed from the end of this one (a setTimeout chain, not setInterval): a slow pass delays the
    // next instead of piling passes up.
    void this.runOnce().then(() => {
      if (chain !== this.chain || this.state !== 'running') return;
      this.timer = setTimeout(() => this.tick(chain), this.options.intervalMs);
      // A pending pass must not keep the process alive: shutdown calls stop, but a forgotten scheduler should not hang it.
      this.timer.unref();
    });
  }

  private launch(): Promise<number> {
    const pass = this.pass().finally(() => {
      if (this.inFlight === pass) this.inFlight = undefined;
    });
    this.inFlight = pass;
    return pass;
  }

  private async pass(): Promise<number> {
    const { name } = this.options;
    let handled = 0;
    let failed = 0;
    // Items tried in this pass (successfully or not). The read model behind findDue may not show the effect of a
    // handled item yet, and a failing item stays due: without this, a full batch of either would be found again and
    // again within one pass. Such items wait for the next pass, and a batch with nothing new ends this one.
    const tried = new Set<string>();
    try {
      for (;;) {
        const now = this.options.clock.now();
        let batch: readonly Item[];
        try {
          batch = await this.options.findDue(now, this.batchSize);
        } catch (error) {
          // E.g. the database is unavailable: the next interval tries again; nothing is lost, the items stay due.
          logger.warn(`${name}: could not look for due work; trying again at the next interval`, {
            scheduler: name,
            error: message(error),
          });
          break;
        }
        let fresh = 0;
        // One at a time: the work is rarely urgent to the second, and this keeps the load on the database flat.
        for (const item of batch) {
          const description = describeSafely(this.options.describe, item);
          if (tried.has(description)) continue;
          tried.add(description);
          fresh++;
          try {
            await this.options.handle(item, now);
            handled++;
          } catch (error) {
            // One bad item must not hold up the others; it is still due, so the next pass tries it again.
            failed++;
            logger.warn(`${name}: could not handle ${description}; trying again at the next pass`, {
              scheduler: name,
              item: description,
              error: message(error),
            });
          }
        }
        if (batch.length < this.batchSize || fresh === 0 || this.state === 'stopping') break;
      }
    } catch (error) {
      // Only a bug gets here (findDue, handle and describe failures are caught above); the schedule must go on.
      logger.error(`${name}: pass failed`, { scheduler: name, error: message(error) });
    }
    if (handled > 0 || failed > 0) logger.info(`${name}: pass done`, { scheduler: name, handled, failed });
    return handled;
  }
}

function describeSafely<Item>(describe: (item: Item) => string, item: Item): string {
  try {
    return describe(item);
  } catch {
    return String(item);
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
