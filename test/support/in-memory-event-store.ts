import {
  comparePositions,
  START,
  StreamNotFoundError,
  streamCategory,
  WrongExpectedRevisionError,
  type AppendResult,
  type EventStore,
  type EventToAppend,
  type ExpectedRevision,
  type LogFilter,
  type LogPosition,
  type ReadAllOptions,
  type ReadAllPage,
  type ReadStreamOptions,
  type RecordedEvent,
} from '#event-store';

/**
 * Our own port in memory, for specs above it (the pipeline, handleCommand). Deliberately the least the port promises:
 * the expected revision is checked exactly, and event ids are never recognised, so appending the same ids again is
 * refused when the revision moved, and appended twice when it did not. That is EventStoreDB when its cache of recent
 * ids does not hold them (after a restart, or once evicted) and the expected revision equals the current one: code
 * that is correct here does not depend on any store's id check.
 */
export class InMemoryEventStore implements EventStore {
  readonly log: RecordedEvent[] = [];
  /** Called at the start of every readStream; a spec awaits here to line up concurrent commands. */
  beforeRead: (streamId: string) => Promise<void> = async () => undefined;
  appends = 0;

  async appendToStream(streamId: string, events: readonly EventToAppend[], expected: ExpectedRevision): Promise<AppendResult> {
    const current = this.streamOf(streamId).at(-1)?.revision ?? -1;
    const holds =
      expected === 'any' ||
      (expected === 'no_stream' && current === -1) ||
      (expected === 'stream_exists' && current >= 0) ||
      expected === current;
    if (!holds) throw new WrongExpectedRevisionError(streamId, expected, current === -1 ? undefined : current);
    this.appends++;
    for (const [index, event] of events.entries()) {
      const n = BigInt(this.log.length + 1);
      this.log.push({ ...event, streamId, revision: current + 1 + index, position: { commit: n, prepare: n }, recordedAt: new Date() });
    }
    const last = this.log.at(-1)!;
    return { nextExpectedRevision: last.revision, position: last.position };
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    await this.beforeRead(streamId);
    const stream = this.streamOf(streamId);
    if (stream.length === 0) throw new StreamNotFoundError(streamId);
    const backwards = options.direction === 'backwards';
    const inRange = stream.filter(
      (e) =>
        (options.toRevision === undefined || e.revision <= options.toRevision) &&
        (options.fromRevision === undefined || (backwards ? e.revision <= options.fromRevision : e.revision >= options.fromRevision)),
    );
    const ordered = backwards ? inRange.reverse() : inRange;
    return options.maxCount === undefined ? ordered : ordered.slice(0, options.maxCount);
  }

  async readAll(options: ReadAllOptions): Promise<ReadAllPage> {
    const after = options.after ?? START;
    const matching = this.log.filter((e) => comparePositions(e.position, after) > 0 && matches(e, options.filter));
    const events = matching.slice(0, options.maxCount);
    const isEnd = events.length < options.maxCount;
    return { events, checkpoint: isEnd ? (this.log.at(-1)?.position ?? after) : events.at(-1)!.position, isEnd };
  }

  subscribeToAll(): never {
    throw new Error('InMemoryEventStore has no subscriptions');
  }

  async headPosition(): Promise<LogPosition> {
    return this.log.at(-1)?.position ?? START;
  }

  async countEventsAfter(position: LogPosition, filter?: LogFilter): Promise<number> {
    return this.log.filter((e) => comparePositions(e.position, position) > 0 && matches(e, filter)).length;
  }

  async close(): Promise<void> {}

  private streamOf(streamId: string): RecordedEvent[] {
    return this.log.filter((e) => e.streamId === streamId);
  }
}

function matches(event: RecordedEvent, filter: LogFilter | undefined): boolean {
  if (filter?.categories && !filter.categories.includes(streamCategory(event.streamId))) return false;
  return !filter?.eventTypes || filter.eventTypes.includes(event.type);
}
