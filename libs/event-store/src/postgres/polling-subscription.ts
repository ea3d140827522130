import type { ReadAllPage, Subscription, SubscriptionMessage } from '../event-store.port.ts';
import { comparePositions, type LogPosition } from '../position.ts';
import type { AppendNotifier } from './notifier.ts';

interface PollingSubscriptionOptions {
  read(after: LogPosition, maxCount: number): Promise<ReadAllPage>;
  after: LogPosition;
  batchSize: number;
  pollMs: number;
  notifier: AppendNotifier;
  onClose(subscription: PollingSubscription): void;
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
    let announced: LogPosition | undefined;
    try {
      while (!signal.aborted) {
        const mark = this.options.notifier.mark();
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
        if (page.isEnd) await this.options.notifier.wait(this.options.pollMs, signal, mark);
      }
    } finally {
      await this.close();
    }
  }
}
