import { streamCategory, type EventStore, type LogFilter, type RecordedEvent } from './event-store.port.ts';
import { comparePositions, START, type LogPosition } from './position.ts';

/**
 * What the audit asks of the log: every condition at once (AND). Actor and correlation id are read from the stored
 * metadata JSON (its `actorId` and `correlationId` keys), so they apply to events written by the serialisation
 * layer; an event without them never matches such a condition.
 */
export interface HistoryFilter {
  readonly streamId?: string;
  /**
   * The event's own id (a UUID). Unique per stream only (the stores' key is (stream, event id)): a page read forwards
   * answers the first event in log order that carries it.
   */
  readonly eventId?: string;
  /** Stream categories: the part of the stream id before the first '-'. */
  readonly categories?: readonly string[];
  readonly eventTypes?: readonly string[];
  readonly actorId?: string;
  /** The actor acted with this role (one of the metadata's `actorRoles`). */
  readonly actorRole?: string;
  readonly correlationId?: string;
  /**
   * Inclusive bounds on `recordedAt`, compared at the millisecond precision the port reports `recordedAt` in:
   * an event the port shows at 12:00:00.123 is inside `recordedTo: 12:00:00.123`, whatever its microseconds.
   */
  readonly recordedFrom?: Date;
  readonly recordedTo?: Date;
}

export interface ReadHistoryOptions {
  readonly direction: 'forwards' | 'backwards';
  /** Exclusive start, in the reading direction: forwards, events after it; backwards, events before it. Default: the start (forwards) or the head (backwards). */
  readonly after?: LogPosition;
  /** Inclusive end, in the reading direction: forwards, no event after it; backwards, no event before it. */
  readonly until?: LogPosition;
  readonly maxCount: number;
  readonly filter?: HistoryFilter;
}

export interface HistoryPage {
  /** In the reading direction. */
  readonly events: readonly RecordedEvent[];
  /** True when more matching events follow in the reading direction (among those readable now). */
  readonly hasMore: boolean;
}

/**
 * An event store that answers history queries itself (with indexes). The service gives a store without it (EventStoreDB)
 * this capability from the log index, a read model of the log in PostgreSQL (libs/projections/src/log-index.ts);
 * `scanHistory`, which reads the log in order and filters in the process (O(events scanned)), is left for tools and
 * tests on small logs.
 */
export interface HistoryCapable {
  readHistory(options: ReadHistoryOptions): Promise<HistoryPage>;
}

export function hasHistoryCapability(store: EventStore): store is EventStore & HistoryCapable {
  return typeof (store as Partial<HistoryCapable>).readHistory === 'function';
}

/**
 * The history page: from the store's own query when it has one (PostgreSQL: indexed; the log index for EventStoreDB),
 * else from `scanHistory`.
 *
 * Paging is stable whatever the direction: both read only what `readAll` can read (on PostgreSQL, events of
 * transactions older than the oldest one running), and positions are only ever taken after that horizon, so the
 * events before a cursor never change and the ones after it only grow at the far end.
 */
export function readHistory(store: EventStore, options: ReadHistoryOptions): Promise<HistoryPage> {
  validateHistoryOptions(options);
  return hasHistoryCapability(store) ? store.readHistory(options) : scanHistory(store, options);
}

export function validateHistoryOptions(options: ReadHistoryOptions): void {
  if (!Number.isSafeInteger(options.maxCount) || options.maxCount < 1) throw new RangeError('maxCount must be a whole number >= 1');
  if (options.direction !== 'forwards' && options.direction !== 'backwards')
    throw new RangeError("direction must be 'forwards' or 'backwards'");
  for (const bound of [options.filter?.recordedFrom, options.filter?.recordedTo]) {
    if (bound !== undefined && !(bound instanceof Date && Number.isFinite(bound.getTime())))
      throw new RangeError('recordedFrom and recordedTo must be valid dates');
  }
}

/** Whether a recorded event satisfies every condition of the filter. */
export function matchesHistoryFilter(event: RecordedEvent, filter: HistoryFilter | undefined): boolean {
  if (!filter) return true;
  if (filter.streamId !== undefined && event.streamId !== filter.streamId) return false;
  if (filter.eventId !== undefined && event.id !== filter.eventId) return false;
  if (filter.categories && !filter.categories.includes(streamCategory(event.streamId))) return false;
  if (filter.eventTypes && !filter.eventTypes.includes(event.type)) return false;
  const at = event.recordedAt.getTime();
  if (filter.recordedFrom && at < filter.recordedFrom.getTime()) return false;
  if (filter.recordedTo && at > filter.recordedTo.getTime()) return false;
  if (filter.actorId !== undefined || filter.correlationId !== undefined || filter.actorRole !== undefined) {
    const metadata = metadataKeys(event.metadata);
    if (filter.actorId !== undefined && metadata.actorId !== filter.actorId) return false;
    if (filter.correlationId !== undefined && metadata.correlationId !== filter.correlationId) return false;
    if (filter.actorRole !== undefined && !(Array.isArray(metadata.actorRoles) && metadata.actorRoles.includes(filter.actorRole)))
      return false;
  }
  return true;
}

function metadataKeys(text: string): { actorId?: unknown; correlationId?: unknown; actorRoles?: unknown } {
  try {
    const parsed = JSON.parse(text) as unknown;
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** The part of a history filter the port's `readAll` can apply itself (categories and types). */
export function logFilterOf(filter: HistoryFilter | undefined): LogFilter | undefined {
  const categories = filter?.streamId !== undefined ? [streamCategory(filter.streamId)] : filter?.categories;
  if (filter?.streamId !== undefined && filter.categories && !filter.categories.includes(categories![0]!)) return { categories: [] };
  const result: { categories?: readonly string[]; eventTypes?: readonly string[] } = {};
  if (categories) result.categories = categories;
  if (filter?.eventTypes) result.eventTypes = filter.eventTypes;
  return result.categories || result.eventTypes ? result : undefined;
}

const SCAN_PAGE = 1000;

/**
 * History by reading the log through `readAll` and filtering here: the fallback for a store without a query of its
 * own and without the log index (never a request path of the service). Forwards it reads from the cursor until the page is full; backwards it reads from the
 * start up to the cursor, keeping the last `maxCount + 1` matches, so its time grows with the log (O(n)) while
 * its memory stays O(maxCount + page).
 */
export async function scanHistory(store: Pick<EventStore, 'readAll'>, options: ReadHistoryOptions): Promise<HistoryPage> {
  validateHistoryOptions(options);
  const filter = options.filter;
  const logFilter = logFilterOf(filter);
  if (logFilter?.categories?.length === 0 || filter?.eventTypes?.length === 0 || filter?.categories?.length === 0) {
    return { events: [], hasMore: false };
  }
  const read = (after: LogPosition) => store.readAll({ after, maxCount: SCAN_PAGE, ...(logFilter ? { filter: logFilter } : {}) });

  if (options.direction === 'forwards') {
    const found: RecordedEvent[] = [];
    for (let after = options.after ?? START; ;) {
      const page = await read(after);
      for (const event of page.events) {
        if (options.until && comparePositions(event.position, options.until) > 0) return { events: found, hasMore: false };
        if (!matchesHistoryFilter(event, filter)) continue;
        if (found.length === options.maxCount) return { events: found, hasMore: true };
        found.push(event);
      }
      if (page.isEnd) return { events: found, hasMore: false };
      after = page.checkpoint;
    }
  }

  // Backwards: the matches in [until, after), of which the last maxCount + 1 are kept (a ring buffer).
  const keep = options.maxCount + 1;
  const ring: RecordedEvent[] = [];
  let next = 0;
  let matched = 0;
  scan: for (let after = START; ;) {
    const page = await read(after);
    for (const event of page.events) {
      if (options.after && comparePositions(event.position, options.after) >= 0) break scan;
      if (options.until && comparePositions(event.position, options.until) < 0) continue;
      if (!matchesHistoryFilter(event, filter)) continue;
      matched++;
      if (ring.length < keep) ring.push(event);
      else ring[next] = event;
      next = (next + 1) % keep;
    }
    if (page.isEnd) break;
    after = page.checkpoint;
  }
  const ordered = ring.length < keep ? ring : [...ring.slice(next), ...ring.slice(0, next)];
  const newestFirst = ordered.reverse().slice(0, options.maxCount);
  return { events: newestFirst, hasMore: matched > options.maxCount };
}
