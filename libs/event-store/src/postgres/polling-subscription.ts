import type { ReadAllPage, Subscription, SubscriptionMessage } from '../event-store.port.ts';
import { comparePositions, type LogPosition } from '../position.ts';
import type { AppendNotifier } from './notifier.ts';

interface PollingSubscriptionOptions {
  read(after: LogPosition, maxCount: number): Promise<ReadAllPage>;
  after: LogPosition;
  batchSize: number;
  pollMs: number;
  /**
   * Under a stream of appends (a live read that brought at least LIVE_BATCHING_MIN_EVENTS events), the least time
   * from one read to the next: fewer, larger pages. A live read that brought fewer is followed at once. Default 0.
   */
  liveBatchingMs?: number;
  notifier: AppendNotifier;
  onClose(subscription: PollingSubscription): void;
}

/** See `liveBatchingMs`: below this many events a page, appends come slowly enough to deliver each at once. */
export const LIVE_BATCHING_MIN_EVENTS = 10;

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
    let announced: LogPosition | undefined;
    let nextReadAt: number | undefined;
    try {
      while (!signal.aborted) {
        if (nextReadAt !== undefined) await this.pause(nextReadAt - performance.now());
        if (signal.aborted) return;
        const mark = this.options.notifier.mark();
        const readAt = performance.now();
        const page = await this.options.read(after, this.options.batchSize);
        for (const event of page.events) {
          if (signal.aborted) return;
          yield { kind: 'event', event };
        }
        if (comparePositions(page.checkpoint, after) > 0) after = page.checkpoint;
        if (!announced || comparePositions(after, announced) !== 0) {
          announced = after;
          yield { kind: 'checkpoint', checkpoint: after, caughtUp: page.isEnd };
        }
        const busy = page.isEnd && page.events.length >= LIVE_BATCHING_MIN_EVENTS;
        nextReadAt = busy ? readAt + (this.options.liveBatchingMs ?? 0) : undefined;
        if (page.isEnd) await this.options.notifier.wait(this.options.pollMs, signal, mark);
      }
    } finally {
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
