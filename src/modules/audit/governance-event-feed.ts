import { comparePositions, type EventStore, type GovernanceEventStore, type LogPosition, type RecordedEvent } from '#event-store';
import type { GovernanceEvent } from './governance-event.graphql.ts';
import { parseCursor, toGovernanceEvent } from './governance-history.ts';
import type { CompiledHistoryFilter } from './history-filter.ts';

/** The position a subscription resumes after, or null without one (it then starts at the log's head). */
export function parseAfterPosition(afterPosition: string | null | undefined): LogPosition | null {
  return parseCursor(afterPosition, 'afterPosition') ?? null;
}

/** Where a feed's events go: how much is still waiting to be sent, and how to drop the subscriber. */
export interface FeedSink {
  /** Bytes handed to the subscriber's connection but not yet sent by it (a WebSocket's bufferedAmount). */
  pendingBytes(): number;
  disconnect(reason: string, pendingBytes: number): void;
}

/**
 * More than this waiting for one subscriber means it reads slower than the log grows: it is dropped with a reason
 * (and may resume from its last position) rather than held in the service's memory.
 */
export const MAX_PENDING_BYTES = 1024 * 1024;

export const TOO_SLOW = `too slow: over ${MAX_PENDING_BYTES / 1024} KiB of events unread; resume with afterPosition`;

/**
 * Every matching event after `after`, history first and then live, from one ordered subscription of the log, so
 * the switch from replay to live neither skips nor repeats an event. The filter is governanceHistory's: the log
 * applies its categories and types, `matches` the rest. Leaving the iteration closes the subscription.
 *
 * What a subscriber has not yet taken must be measurable, or a subscriber that stops reading goes unnoticed: graphql-ws
 * awaits each send, so a stalled connection simply stops asking for events and the backlog sits in the kernel's
 * buffers. So the feed reads the live log ahead into a queue of its own, whatever the subscriber's pace, and what is
 * pending is that queue plus what the connection still holds (`sink.pendingBytes`). History (the log up to its head
 * when the feed starts) is read at the subscriber's pace instead: it is in the log already, and a long replay to a
 * subscriber that reads it as fast as its network allows is no reason to drop it.
 */
export async function* governanceEventFeed(
  store: EventStore,
  events: GovernanceEventStore,
  after: LogPosition,
  filter: CompiledHistoryFilter,
  sink?: FeedSink,
): AsyncGenerator<GovernanceEvent> {
  const head = await store.headPosition();
  const subscription = store.subscribeToAll({ after, ...(filter.log ? { filter: filter.log } : {}) });
  const queue = new FeedQueue();
  const reading = (async () => {
    for await (const message of subscription) {
      if (queue.ended) return;
      // Measured between the pages the log is read in (each ends with a checkpoint), not within one: a burst read at
      // once is no reason to drop a subscriber that is taking it.
      if (message.kind === 'checkpoint' && sink) {
        const pending = queue.bytes + sink.pendingBytes();
        if (pending > MAX_PENDING_BYTES) {
          sink.disconnect(TOO_SLOW, pending);
          // Nothing of it will be delivered: the connection is closing.
          queue.discard();
          return;
        }
      }
      if (message.kind !== 'event') continue;
      const event = await events.deserialize(message.event);
      if (!filter.matches(event)) continue;
      queue.push(toGovernanceEvent(event), storedBytes(message.event));
      // Without a sink nothing would ever say "too much": never read ahead then.
      if (!sink || comparePositions(message.event.position, head) <= 0) await queue.drained();
    }
  })().then(
    () => queue.end(),
    (error: unknown) => queue.end(error),
  );
  try {
    for (let event = await queue.take(); event; event = await queue.take()) yield event;
  } finally {
    queue.end();
    await subscription.close();
    await reading;
  }
}

/** An event's size as stored: close to what it weighs as JSON on the wire, and known without serialising it again. */
function storedBytes(event: RecordedEvent): number {
  return Buffer.byteLength(event.data) + Buffer.byteLength(event.metadata);
}

/** The events read for one subscriber and not yet taken by it, with their size. */
class FeedQueue {
  private readonly items: { event: GovernanceEvent; bytes: number }[] = [];
  private waiting: (() => void)[] = [];
  private failure: { error: unknown } | undefined;
  bytes = 0;
  ended = false;

  push(event: GovernanceEvent, bytes: number): void {
    this.items.push({ event, bytes });
    this.bytes += bytes;
    this.wake();
  }

  discard(): void {
    this.items.length = 0;
    this.bytes = 0;
    this.end();
  }

  end(error?: unknown): void {
    if (this.ended) return;
    this.ended = true;
    if (error !== undefined) this.failure = { error };
    this.wake();
  }

  /** The next event; undefined once the queue ended and is empty. Throws what ended the reading, if it failed. */
  async take(): Promise<GovernanceEvent | undefined> {
    while (this.items.length === 0 && !this.ended) await this.signal();
    const item = this.items.shift();
    if (item) {
      this.bytes -= item.bytes;
      this.wake();
      return item.event;
    }
    if (this.failure) throw this.failure.error;
    return undefined;
  }

  /** Resolves when the subscriber has taken everything queued (or the queue ended). */
  async drained(): Promise<void> {
    while (this.items.length > 0 && !this.ended) await this.signal();
  }

  /** Every change wakes every waiter, which then checks what it waits for again. */
  private signal(): Promise<void> {
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private wake(): void {
    for (const resolve of this.waiting.splice(0)) resolve();
  }
}
