import {
  BACKWARDS,
  END,
  ErrorType,
  EventStoreDBClient,
  FORWARDS,
  START as CLIENT_START,
  binaryEvent,
  convertToCommandError,
  isCommandError,
  type AllStreamResolvedEvent,
  type AppendResult as AppendToStreamResult,
  type ResolvedEvent,
  type StreamingRead,
} from '@eventstore/db-client';
import {
  EventStoreFailureError,
  EventStoreUnavailableError,
  IdempotencyConflictError,
  StreamNotFoundError,
  WrongExpectedRevisionError,
  type EventStoreError,
} from '../errors.ts';
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
} from '../event-store.port.ts';
import { START, type LogPosition } from '../position.ts';
import {
  ReadAllPageCollector,
  classifyPriorAppend,
  encodeEvent,
  fromClientPosition,
  isAfter,
  isSystemRecord,
  isVisible,
  mapClientError,
  toClientExpectedRevision,
  toClientReadPosition,
  toRecordedEvent,
  validateAppend,
  type ErrorContext,
} from './eventstoredb-mapping.ts';
import { EventStoreDbSubscription } from './eventstoredb-subscription.ts';
import { checkConnectionString } from './connection-string.ts';

export interface AppendRetryOptions {
  /**
   * Waits before each new attempt of an append that timed out or found the server unavailable (after checking
   * that it was not written meanwhile); their number is the number of retries.
   */
  readonly retryDelaysMs?: readonly number[];
}

/** About 3 s of waiting over 5 retries: a restarting server or a busy one gets time; a caller is not held for long. */
const DEFAULT_RETRY_DELAYS_MS: readonly number[] = [50, 150, 400, 900, 1500];

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The event-store port on EventStoreDB, through the official gRPC client.
 *
 * - Payloads are sent as binary events so they come back byte for byte (see encodeEvent for metadata).
 * - EventStoreDB orders $all by commit, so a reader never sees an earlier position appear later; there is no
 *   "transaction held open" window as on PostgreSQL.
 * - System records (streams or event types starting with '$') are invisible through the port.
 * - readAll and countEventsAfter filter on the client: the client's readAll has no server-side filter, so both read
 *   every event after their position. No request of the service reads $all through them.
 * - No history query of its own (the optional HistoryCapable). The service therefore keeps the log index
 *   (libs/projections/src/log-index.ts), a copy of the log in PostgreSQL fed by a subscription like any read model:
 *   the audit's history, the insights and the moderation's evidence are indexed queries there, and the projection
 *   runner counts the read models' lags there (capped), not with countEventsAfter.
 */
export class EventStoreDbEventStore implements EventStore {
  private readonly subscriptions = new Set<EventStoreDbSubscription>();
  private closed = false;

  private readonly retryDelaysMs: readonly number[];

  constructor(
    private readonly client: EventStoreDBClient,
    options: AppendRetryOptions = {},
  ) {
    this.retryDelaysMs = options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
  }

  /**
   * Connects lazily (on the first call), e.g. `esdb://localhost:2113?tls=false` or `kurrentdb://...`. Options the
   * adapter cannot run with are refused here (see checkConnectionString).
   */
  static connect(connectionString: string, options: AppendRetryOptions = {}): EventStoreDbEventStore {
    const check = checkConnectionString(connectionString);
    if (!check.ok) throw new EventStoreFailureError(`invalid EventStoreDB connection string: it ${check.problem}`);
    let client: EventStoreDBClient;
    try {
      client = EventStoreDBClient.connectionString(check.clientConnectionString);
    } catch (error) {
      throw new EventStoreFailureError(`invalid EventStoreDB connection string: ${(error as Error)?.message ?? String(error)}`, {
        cause: error,
      });
    }
    return new EventStoreDbEventStore(client, options);
  }

  async appendToStream(streamId: string, events: readonly EventToAppend[], expectedRevision: ExpectedRevision): Promise<AppendResult> {
    validateAppend(streamId, events, expectedRevision);
    const encoded = events.map(encodeEvent);
    const ids = encoded.map((e) => e.id);
    const context: ErrorContext = { streamId, expected: expectedRevision };
    for (let attempt = 0; ; attempt++) {
      let result: AppendToStreamResult;
      try {
        result = await this.client.appendToStream(
          streamId,
          encoded.map((e) => binaryEvent({ id: e.id, type: e.type, data: e.data, metadata: e.metadata })),
          { expectedRevision: toClientExpectedRevision(expectedRevision) },
        );
      } catch (error) {
        const mapped = mapClientError(error, context);
        if (!(mapped instanceof EventStoreUnavailableError)) return this.answerRefusedAppend(streamId, ids, error, context);
        // Timed out or not served: the append may still have been written. If the stream holds it, that is the
        // answer; if not, the same ids are sent again (the server recognises them if the first one lands after all).
        const settled = await this.settleUncertainAppend(streamId, ids, mapped);
        if (settled) return settled;
        const delay = this.retryDelaysMs[attempt];
        if (delay === undefined || this.closed) throw mapped;
        await sleep(delay);
        continue;
      }
      if (!result.success) {
        // Only with throwOnAppendFailure=false, which connect() refuses: never report a refused append as done.
        throw new EventStoreFailureError(`stream ${streamId}: EventStoreDB reported the append as not written`);
      }
      const nextExpectedRevision = Number(result.nextExpectedRevision);
      // 24.10 answers the last event's log position, for a fresh write and for one it recognised as a retry, and
      // reads report that event at the same (commit, prepare) pair. Server code paths (EventStore v24.10.x,
      // src/EventStore.Core/): Services/Storage/StorageChaser.cs ProcessPrepareRecord (CommitAck at the
      // TransactionEnd prepare's LogPosition) -> Services/Storage/IndexCommitterService.cs (CommitIndexed) ->
      // Services/RequestManager/Managers/WriteEvents.cs ClientSuccessMsg (that position as commit and prepare);
      // retries: Services/Storage/ReaderIndex/IndexWriter.cs CheckCommit (the last event's LogPosition) ->
      // StorageWriterService.cs AlreadyCommitted; reads: Services/Storage/ReaderIndex/AllReader.cs (an implicitly
      // committed prepare at (LogPosition, LogPosition)). The answer has no position only when the server found
      // none for a retry (NoPosition): then the stream is read.
      const position = result.position
        ? fromClientPosition(result.position)
        : await this.positionOf(streamId, nextExpectedRevision, context);
      return { nextExpectedRevision, position };
    }
  }

  /**
   * After an append that timed out or was not served, whether the stream holds it: the original result when it
   * does, IdempotencyConflictError when its ids are there in another arrangement, undefined when it is absent (or
   * the stream cannot be read now either), so the caller retries.
   *
   * Why a timeout is common with 24.10: while the original of an identical append is written but not yet indexed,
   * the server drops the duplicate without an answer (Services/Storage/StorageWriterService.cs
   * ActOnCommitCheckFailure, CommitDecision.IdempotentNotReady, EventStore v24.10.x) and the client hears
   * "timeout" after the server's write timeout (Services/Transport/Grpc/Streams.BatchAppend.cs ClientWriteRequest).
   */
  private async settleUncertainAppend(
    streamId: string,
    ids: readonly string[],
    failure: EventStoreUnavailableError,
  ): Promise<AppendResult | undefined> {
    let stored: RecordedEvent[];
    try {
      stored = await this.readStream(streamId);
    } catch (error) {
      if (error instanceof StreamNotFoundError || error instanceof EventStoreUnavailableError) return undefined;
      throw error;
    }
    const prior = classifyPriorAppend(
      stored.map((e) => e.id.toLowerCase()),
      ids,
    );
    switch (prior.kind) {
      case 'absent':
        return undefined;
      case 'conflict':
        throw new IdempotencyConflictError(streamId, prior.eventId);
      case 'same': {
        const last = stored[prior.lastRevision];
        if (!last) throw failure;
        return { nextExpectedRevision: last.revision, position: last.position };
      }
    }
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const backwards = options.direction === 'backwards';
    // Revisions are whole numbers: round a fractional bound inwards, as a comparison on the revision would.
    const fromRevision =
      options.fromRevision === undefined
        ? undefined
        : backwards
          ? Math.floor(options.fromRevision)
          : Math.max(0, Math.ceil(options.fromRevision));
    const toRevision = options.toRevision;
    let count = options.maxCount === undefined ? Number.POSITIVE_INFINITY : Math.floor(options.maxCount);
    if (fromRevision !== undefined && toRevision !== undefined)
      count = Math.min(count, Math.floor(backwards ? fromRevision - toRevision : toRevision - fromRevision) + 1);
    if (backwards && fromRevision !== undefined && fromRevision < 0) count = 0;
    const context: ErrorContext = { streamId };

    if (count <= 0) {
      // Nothing can be returned, but a missing stream is still an error.
      await this.drain(this.client.readStream(streamId, { maxCount: 1 }), () => false, context);
      return [];
    }

    const events: RecordedEvent[] = [];
    const read = this.client.readStream(streamId, {
      direction: backwards ? BACKWARDS : FORWARDS,
      fromRevision: fromRevision === undefined ? (backwards ? END : CLIENT_START) : BigInt(fromRevision),
      ...(Number.isFinite(count) ? { maxCount: count } : {}),
    });
    await this.drain(
      read,
      (resolved: ResolvedEvent) => {
        const record = resolved.event;
        if (!record) return true;
        const revision = Number(record.revision);
        if (toRevision !== undefined && (backwards ? revision < toRevision : revision > toRevision)) return false;
        events.push(toRecordedEvent(record));
        return events.length < count;
      },
      context,
    );
    return events;
  }

  async readAll(options: ReadAllOptions): Promise<ReadAllPage> {
    const collector = new ReadAllPageCollector(options.after, options.maxCount, options.filter);
    if (options.maxCount <= 0) return collector.page();
    const pageSize = Math.min(1024, Math.max(64, options.maxCount + 1));
    for (;;) {
      const from = collector.resumeFrom;
      let received = 0;
      await this.drain(
        this.client.readAll({ fromPosition: toClientReadPosition(from), maxCount: pageSize, direction: FORWARDS }),
        (resolved: AllStreamResolvedEvent) => {
          received++;
          const record = resolved.event;
          if (record) collector.offer(fromClientPosition(record.position), record.streamId, record.type, () => toRecordedEvent(record));
          return !collector.isFull;
        },
        {},
      );
      // A short page is the end of the log; a full one that moved nothing forward would loop forever.
      if (collector.isFull || received < pageSize || collector.resumeFrom === from) return collector.page();
    }
  }

  subscribeToAll(options: SubscribeOptions = {}): Subscription {
    const subscription = new EventStoreDbSubscription(this.client, options, (s) => this.subscriptions.delete(s));
    this.subscriptions.add(subscription);
    return subscription;
  }

  async headPosition(): Promise<LogPosition> {
    let head: LogPosition = START;
    await this.drain(
      this.client.readAll({ fromPosition: END, direction: BACKWARDS }),
      (resolved: AllStreamResolvedEvent) => {
        const record = resolved.event;
        if (!record || isSystemRecord(record.streamId, record.type)) return true;
        head = fromClientPosition(record.position);
        return false;
      },
      {},
    );
    return head;
  }

  /**
   * Reads forward from `position` and counts: O(events after it). For tests and tools (the soak's check of an empty
   * log); the projection runner counts lags in the log index on this store (see boundedLagCounter).
   */
  async countEventsAfter(position: LogPosition, filter?: LogFilter): Promise<number> {
    let count = 0;
    await this.drain(
      this.client.readAll({ fromPosition: toClientReadPosition(position), direction: FORWARDS }),
      (resolved: AllStreamResolvedEvent) => {
        const record = resolved.event;
        if (record && isAfter(fromClientPosition(record.position), position) && isVisible(record.streamId, record.type, filter)) count++;
        return true;
      },
      {},
    );
    return count;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.subscriptions].map((s) => s.close()));
    try {
      await this.client.dispose();
    } catch {
      // Closing: a connection that is already broken has nothing left to release.
    }
  }

  /**
   * Consumes a client read until `visit` answers false or the read ends, cancelling the server side when it
   * stops early. Errors of the read, and of `visit`, leave as errors of the port.
   */
  private async drain<T>(read: StreamingRead<T>, visit: (item: T) => boolean, context: ErrorContext): Promise<void> {
    let stoppedEarly = false;
    try {
      for await (const item of read) {
        if (!visit(item)) {
          stoppedEarly = true;
          break;
        }
      }
    } catch (error) {
      stoppedEarly = true;
      throw mapClientError(error, context);
    } finally {
      if (stoppedEarly) await read.cancel().catch(() => undefined);
    }
  }

  /** The position of the event at `revision`, as reads report it. */
  private async positionOf(streamId: string, revision: number, context: ErrorContext): Promise<LogPosition> {
    const [event] = await this.readStream(streamId, { fromRevision: revision, maxCount: 1 }).catch((error: unknown) => {
      throw mapClientError(error, context);
    });
    if (!event || event.revision !== revision)
      throw new EventStoreFailureError(`stream ${streamId}: the appended event at revision ${revision} could not be read back`);
    return event.position;
  }

  /**
   * EventStoreDB answers a wrong expected version both for a real conflict and for ids it already holds in a
   * different arrangement; the stream itself tells them apart, as the port requires.
   */
  private async answerRefusedAppend(
    streamId: string,
    ids: readonly string[],
    error: unknown,
    context: ErrorContext,
  ): Promise<AppendResult> {
    const mapped: EventStoreError = mapClientError(error, context);
    const converted = error instanceof Error ? convertToCommandError(error) : error;
    const invalidTransaction = converted instanceof Error && isCommandError(converted) && converted.type === ErrorType.INVALID_TRANSACTION;
    if (!(mapped instanceof WrongExpectedRevisionError) && !invalidTransaction) throw mapped;

    let stored: RecordedEvent[];
    try {
      stored = await this.readStream(streamId);
    } catch (readError) {
      if (readError instanceof StreamNotFoundError) throw mapped;
      throw readError;
    }
    const prior = classifyPriorAppend(
      stored.map((e) => e.id.toLowerCase()),
      ids,
    );
    switch (prior.kind) {
      case 'absent':
        throw mapped;
      case 'conflict':
        throw new IdempotencyConflictError(streamId, prior.eventId);
      case 'same': {
        const last = stored[prior.lastRevision];
        if (!last) throw mapped;
        return { nextExpectedRevision: last.revision, position: last.position };
      }
    }
  }
}
