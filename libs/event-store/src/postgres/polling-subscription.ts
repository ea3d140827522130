import { filterMayTake, type LogFilter, type ReadAllPage, type Subscription, type SubscriptionMessage } from '../event-store.port.ts';
import { comparePositions, type LogPosition } from '../position.ts';
import type { AppendedBatch, AppendNotifier } from './notifier.ts';

interface PollingSubscriptionOptions {
  read(after: LogPosition, maxCount: number): Promise<ReadAllPage>;
  /**
   * The same page, filtered, from a read of the log's tail shared with the store's other caught-up subscriptions
   * (SharedTailRead). Used only while the previous page reached the end: a subscription behind reads on its own.
   */
  readTail?(after: LogPosition): Promise<ReadAllPage>;
  after: LogPosition;
  batchSize: number;
  pollMs: number;
  /**
   * Under a stream of appends, the least time from one read to the next: fewer, larger pages. Its whole after a live
   * read of LIVE_BATCHING_FULL_EVENTS events or more, a share after a smaller one (liveBatchingPauseMs), nothing after
   * one of fewer than LIVE_BATCHING_MIN_EVENTS. Default 0.
   */
  liveBatchingMs?: number;
  notifier: AppendNotifier;
  /** The subscription's filter: this process's appends of nothing it takes do not wake it (see `messages`). */
  filter?: LogFilter;
  onClose(subscription: PollingSubscription): void;
}

/** See `liveBatchingMs`: below this many events a page, appends come slowly enough to deliver each at once. */
export const LIVE_BATCHING_MIN_EVENTS = 10;
/** See `liveBatchingMs`: from this many events a page on, the next read waits the whole of it. */
export const LIVE_BATCHING_FULL_EVENTS = 50;

/**
 * How long after a live read of `events` events the next one waits: in proportion to the page, up to
 * `liveBatchingMs` (a millisecond an event with the defaults, 50 ms for 50 events or more).
 *
 * In proportion, because a fixed pause after any page of LIVE_BATCHING_MIN_EVENTS caught the service in it at the very
 * rate it was measured at: 10 events in 50 ms is 200 a second, so at 200 mutations a second one stall of the service
 * that let 10 events gather made the next read wait 50 ms, in which 10 more gathered, and so on about every other
 * time; mutations, which wait for their read models, then waited up to 50 ms more (the mechanism, held by the unit
 * spec; alternated service benchmarks on 2026-12-06 showed no latency change either way). With the pause in
 * proportion, a read that waits p ms finds about rate × p events: the pages shrink back to one or two below 1,000
 * events a second, and above it they grow to the full pause, where batching pays (projections commit about 20 batches
 * a second, not hundreds).
 */
export function liveBatchingPauseMs(events: number, liveBatchingMs: number): number {
  if (events < LIVE_BATCHING_MIN_EVENTS) return 0;
  return (liveBatchingMs * Math.min(events, LIVE_BATCHING_FULL_EVENTS)) / LIVE_BATCHING_FULL_EVENTS;
}

/**
 * Catch-up then live over the ordered, horizon-bounded readAll: the same query serves both phases, so the switch
 * from history to live can neither skip nor repeat an event.
 */
export class PollingSubscription implements Subscription {
  private readonly abort = new AbortController();
  private iterating = false;

  constructor(private readonly options: PollingSubscriptionOptions) {}

  async close(): Promise<void> {
    if (this.abort.signal.aborted) return;
    this.abort.abort();
    this.options.onClose(this);
  }

  [Symbol.asyncIterator](): AsyncIterator<SubscriptionMessage> {
    if (this.iterating) throw new Error('a subscription can be iterated once');
    this.iterating = true;
    return this.messages();
  }

  private async *messages(): AsyncGenerator<SubscriptionMessage> {
    const { signal } = this.abort;
    let after = this.options.after;
    /** The highest position of an append of this process that this subscription has to see and has not yet read. */
    let awaited: LogPosition | undefined;
    const { filter } = this.options;
    const doorbell = this.options.notifier.doorbell((batch: AppendedBatch | undefined) => {
      if (!batch || filterMayTake(filter, { categories: batch.categories, eventTypes: batch.types })) {
        if (batch && (!awaited || comparePositions(batch.position, awaited) > 0)) awaited = batch.position;
        return true;
      }
      // Nothing it takes. It matters all the same while an append of ours is still unread: a read can miss it while
      // an older transaction runs (reads stop below the oldest one running), and that transaction's commit, whatever
      // it wrote, is what lets the next read see it.
      return awaited !== undefined && comparePositions(awaited, after) > 0;
    });
    let announced: LogPosition | undefined;
    let nextReadAt: number | undefined;
    let caughtUp = false;
    try {
      while (!signal.aborted) {
        if (nextReadAt !== undefined) await this.pause(nextReadAt - performance.now());
        if (signal.aborted) return;
        const mark = doorbell.mark();
        const readAt = performance.now();
        const { readTail } = this.options;
        const page: ReadAllPage = caughtUp && readTail ? await readTail(after) : await this.options.read(after, this.options.batchSize);
        caughtUp = page.isEnd;
        for (const event of page.events) {
          if (signal.aborted) return;
          yield { kind: 'event', event };
        }
        if (comparePositions(page.checkpoint, after) > 0) after = page.checkpoint;
        if (!announced || comparePositions(after, announced) !== 0) {
          announced = after;
          yield { kind: 'checkpoint', checkpoint: after, caughtUp: page.isEnd };
        }
        const pauseMs = page.isEnd ? liveBatchingPauseMs(page.events.length, this.options.liveBatchingMs ?? 0) : 0;
        nextReadAt = pauseMs > 0 ? readAt + pauseMs : undefined;
        if (page.isEnd) await doorbell.wait(this.options.pollMs, signal, mark);
      }
    } finally {
      doorbell.close();
      await this.close();
    }
  }

  /** Waits `ms` (if positive), or less if the subscription is closed meanwhile. */
  private async pause(ms: number): Promise<void> {
    if (ms <= 0) return;
    const { signal } = this.abort;
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
    });
  }
}
