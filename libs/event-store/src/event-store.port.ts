import type { LogPosition } from './position.ts';

/**
 * The event-store port that domain code and the projection runner depend on. Two adapters implement it:
 * PostgreSQL (the default, embedded) and EventStoreDB. Both pass the same contract suite
 * (libs/event-store/test/contract).
 *
 * Revisions are 0-based per stream. Payloads are JSON text kept byte for byte, so a hash over the stored bytes
 * (the integrity chain of the serialisation layer) verifies on either adapter.
 */
export type ExpectedRevision = number | 'no_stream' | 'stream_exists' | 'any';

export interface EventToAppend {
  /**
   * Client-generated UUID. Appending the same ids to the same stream again is meant as an idempotent retry (the
   * original result), but how far each adapter recognises one differs; see appendToStream.
   */
  readonly id: string;
  readonly type: string;
  /** JSON text, stored and returned byte for byte. */
  readonly data: string;
  /** JSON text, stored and returned byte for byte. */
  readonly metadata: string;
}

export interface RecordedEvent {
  readonly id: string;
  readonly streamId: string;
  readonly revision: number;
  readonly type: string;
  readonly data: string;
  readonly metadata: string;
  readonly position: LogPosition;
  readonly recordedAt: Date;
}

export interface AppendResult {
  /** The revision of the last event of the stream after the append: the expected revision for the next one. */
  readonly nextExpectedRevision: number;
  /** Log position of the last appended event. */
  readonly position: LogPosition;
}

export interface ReadStreamOptions {
  /** Default `forwards`. */
  readonly direction?: 'forwards' | 'backwards';
  /** First revision to return (inclusive). Default: the start (forwards) or the end (backwards). */
  readonly fromRevision?: number;
  /** Last revision to return (inclusive), whatever the direction. */
  readonly toRevision?: number;
  readonly maxCount?: number;
}

export interface LogFilter {
  /** Stream categories: the part of the stream id before the first '-'. */
  readonly categories?: readonly string[];
  readonly eventTypes?: readonly string[];
}

/**
 * Whether a reader with `filter` may take something of what was written: one of its categories and, when the types
 * written are known, one of its types (both asked of the whole write, not of one event: a write of a category it takes
 * and of a type it takes may hold no event of both, a rare needless wake-up, never a missed one). No filter takes
 * everything.
 */
export function filterMayTake(
  filter: LogFilter | undefined,
  written: { readonly categories: Iterable<string>; readonly eventTypes?: Iterable<string> },
): boolean {
  const anyTaken = (values: Iterable<string>, taken: readonly string[]) => {
    for (const value of values) if (taken.includes(value)) return true;
    return false;
  };
  if (filter?.categories && !anyTaken(written.categories, filter.categories)) return false;
  if (filter?.eventTypes && written.eventTypes && !anyTaken(written.eventTypes, filter.eventTypes)) return false;
  return true;
}

export interface ReadAllOptions {
  /** Exclusive: read events after this position. Default START. */
  readonly after?: LogPosition;
  readonly maxCount: number;
  readonly filter?: LogFilter;
}

export interface ReadAllPage {
  readonly events: readonly RecordedEvent[];
  /**
   * Resume after this position to continue. It can be past the last returned event: with a filter, or at the
   * end of the log, it covers everything this read looked at, so a filtered reader does not rescan.
   */
  readonly checkpoint: LogPosition;
  /** True when the read reached the end of what is readable now (fewer than maxCount events came back). */
  readonly isEnd: boolean;
}

export type SubscriptionMessage =
  | { readonly kind: 'event'; readonly event: RecordedEvent }
  /** Everything up to `checkpoint` has been delivered; emitted at the switch from catch-up to live and after each batch. */
  | { readonly kind: 'checkpoint'; readonly checkpoint: LogPosition; readonly caughtUp: boolean };

export interface SubscribeOptions {
  /** Exclusive; default START. */
  readonly after?: LogPosition;
  readonly filter?: LogFilter;
}

/** Catch-up then live. Iterate it; `close()` (or leaving the loop) ends it. */
export interface Subscription extends AsyncIterable<SubscriptionMessage> {
  close(): Promise<void>;
}

export interface EventStore {
  /**
   * Appends atomically; answers after the events are durable. The expected revision is compared with the stream's
   * head inside the write on both adapters, so of appends that expect the same revision at most one is written.
   *
   * Repeated event ids (the same ids sent to the same stream again), by adapter:
   * - PostgreSQL: always recognised, whatever the expected revision and however long ago: a unique key on
   *   (stream, event id) in the same table. The original result is the answer; the ids stored by another append
   *   (other arrangement) are IdempotencyConflictError.
   * - EventStoreDB 24.10 (server: Services/Storage/ReaderIndex/IndexWriter.cs CheckCommit): with a revision the stream
   *   has moved past, recognised when the events at the following revisions carry these ids (cache, else the index:
   *   durable). With 'any' or 'stream_exists', only through an in-memory cache of recent ids (8 MiB, emptied by a
   *   restart): otherwise appended again. With the stream's current revision, never checked: appended again. A
   *   duplicate of an append written but not yet indexed gets no answer (the adapter reads the stream after the
   *   timeout; see the adapter).
   * So the port alone does not make a command idempotent. handleCommand (and the service's command pipeline) does,
   * on either adapter: it looks for the command's commandId in the stream it reads to decide, and appends only with
   * the exact revision it read.
   */
  appendToStream(streamId: string, events: readonly EventToAppend[], expectedRevision: ExpectedRevision): Promise<AppendResult>;
  /** Throws StreamNotFoundError when the stream has no events. */
  readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  /** The global log in its one total order, which never changes once read. */
  readAll(options: ReadAllOptions): Promise<ReadAllPage>;
  subscribeToAll(options?: SubscribeOptions): Subscription;
  /** The position of the newest readable event, START when empty. */
  headPosition(): Promise<LogPosition>;
  /** Events after `position` (exclusive) up to the head: the lag of a reader checkpointed there. */
  countEventsAfter(position: LogPosition, filter?: LogFilter): Promise<number>;
  /**
   * Tells other processes' subscriptions of this process's latest appends now, where the store coalesces its news of
   * them (PostgreSQL: one NOTIFY per `liveBatchingMs` under steady appends): a read-your-writes wait here is for a
   * read model another process runs. Absent where subscriptions hear of appends otherwise (EventStoreDB's server
   * pushes them).
   */
  announceAppendsNow?(): void;
  close(): Promise<void>;
}

export function streamCategory(streamId: string): string {
  const dash = streamId.indexOf('-');
  return dash === -1 ? streamId : streamId.slice(0, dash);
}
