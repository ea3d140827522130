import { IdempotencyConflictError, StreamNotFoundError, WrongExpectedRevisionError } from './errors.ts';
import type {
  AppendResult,
  EventStore,
  EventToAppend,
  ExpectedRevision,
  LogFilter,
  ReadAllOptions,
  ReadAllPage,
  ReadStreamOptions,
  RecordedEvent,
  SubscribeOptions,
  Subscription,
  SubscriptionMessage,
} from './event-store.port.ts';
import { comparePositions, START, type LogPosition } from './position.ts';

const NAMESPACE = /^[A-Za-z0-9]{1,40}$/;

/**
 * One event store seen as several, for services that share one EventStoreDB server (which has no databases to give
 * each its own log, as PostgreSQL does): the e2e suite's test services, which all use the same member ids. Streams
 * are stored as `<namespace>.<stream id>`, so a category `member` is `<namespace>.member` below this; reads give back
 * only this namespace's events, under their own ids. Positions are the store's (the log is still one); a reader
 * resumes past other namespaces' events through the checkpoints the store gives. Set only by the test harness.
 */
export class NamespacedEventStore implements EventStore {
  private readonly prefix: string;
  /** headPosition's progress: the newest event of ours seen, and how far the log has been read for it. */
  private head: LogPosition = START;
  private scannedTo: LogPosition = START;

  constructor(
    private readonly inner: EventStore,
    readonly namespace: string,
  ) {
    // Letters and digits only: no namespace's prefix is another's, and none looks like a category (they hold '_').
    if (!NAMESPACE.test(namespace)) throw new TypeError(`stream namespace "${namespace}" must be 1 to 40 letters or digits`);
    this.prefix = `${namespace}.`;
  }

  appendToStream(streamId: string, events: readonly EventToAppend[], expectedRevision: ExpectedRevision): Promise<AppendResult> {
    return this.inner.appendToStream(this.stored(streamId), events, expectedRevision).catch((error: unknown) => {
      throw underOwnId(error, streamId);
    });
  }

  async readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]> {
    const events = await this.inner.readStream(this.stored(streamId), options).catch((error: unknown) => {
      throw underOwnId(error, streamId);
    });
    return events.map((event) => this.own(event)!);
  }

  async readAll(options: ReadAllOptions): Promise<ReadAllPage> {
    const page = await this.inner.readAll({ ...options, filter: this.storedFilter(options.filter) });
    // Fewer events than the store gave when others' were among them; the checkpoint and isEnd still hold for the page.
    return { ...page, events: this.ownOnly(page.events) };
  }

  subscribeToAll(options: SubscribeOptions = {}): Subscription {
    const inner = this.inner.subscribeToAll({ ...options, filter: this.storedFilter(options.filter) });
    const own = (event: RecordedEvent) => this.own(event);
    return {
      close: () => inner.close(),
      async *[Symbol.asyncIterator](): AsyncIterator<SubscriptionMessage> {
        for await (const message of inner) {
          if (message.kind === 'checkpoint') {
            yield message;
            continue;
          }
          const event = own(message.event);
          if (event) yield { kind: 'event', event };
        }
      },
    };
  }

  /**
   * The position of this namespace's newest event (not the store's head, which may be another namespace's: an export
   * "through" it would name an event it does not hold). Found by reading the log on from where the last call stopped.
   */
  async headPosition(): Promise<LogPosition> {
    for (;;) {
      const from = this.scannedTo;
      const page = await this.readAll({ after: from, maxCount: 1000 });
      const newest = page.events.at(-1)?.position;
      if (newest && comparePositions(newest, this.head) > 0) this.head = newest;
      if (comparePositions(page.checkpoint, this.scannedTo) > 0) this.scannedTo = page.checkpoint;
      if (page.isEnd) return this.head;
    }
  }

  async countEventsAfter(position: LogPosition, filter?: LogFilter): Promise<number> {
    if (filter?.categories) return this.inner.countEventsAfter(position, this.storedFilter(filter));
    // Without categories the store cannot tell namespaces apart: count this namespace's events by reading them.
    let count = 0;
    for (let after = position; ;) {
      const page = await this.readAll({ after, maxCount: 1000, ...(filter ? { filter } : {}) });
      count += page.events.length;
      if (page.isEnd) return count;
      after = page.checkpoint;
    }
  }

  announceAppendsNow(): void {
    this.inner.announceAppendsNow?.();
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  private stored(streamId: string): string {
    // Left as it is, so that the store refuses what it refuses ('' or a reserved '$' name), as it would without us.
    if (streamId === '' || streamId.startsWith('$')) return streamId;
    return this.prefix + streamId;
  }

  private storedFilter(filter: LogFilter | undefined): LogFilter | undefined {
    if (!filter?.categories) return filter;
    return { ...filter, categories: filter.categories.map((category) => this.prefix + category) };
  }

  private own(event: RecordedEvent): RecordedEvent | undefined {
    if (!event.streamId.startsWith(this.prefix)) return undefined;
    return { ...event, streamId: event.streamId.slice(this.prefix.length) };
  }

  private ownOnly(events: readonly RecordedEvent[]): RecordedEvent[] {
    const result: RecordedEvent[] = [];
    for (const event of events) {
      const own = this.own(event);
      if (own) result.push(own);
    }
    return result;
  }
}

/** The port's errors name the stream: the caller's id, not the stored one. */
function underOwnId(error: unknown, streamId: string): unknown {
  if (error instanceof WrongExpectedRevisionError) return new WrongExpectedRevisionError(streamId, error.expected, error.actual);
  if (error instanceof StreamNotFoundError) return new StreamNotFoundError(streamId);
  if (error instanceof IdempotencyConflictError) return new IdempotencyConflictError(streamId, error.eventId);
  return error;
}
