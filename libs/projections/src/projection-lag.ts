import {
  comparePositions,
  START,
  streamCategory,
  type EventStore,
  type LogFilter,
  type LogPosition,
  type RecordedEvent,
} from '#event-store';
import type { LogIndex } from './log-index.ts';

/** One lag to count: the events a projection with `filter` takes after `after`. */
export interface LagQuery {
  readonly after: LogPosition;
  readonly filter?: LogFilter;
}

/** Counts the lags that status() reports, all in one go (they can share the reads). */
export interface LagCounter {
  count(queries: readonly LagQuery[]): Promise<number[]>;
}

/**
 * Where a lag is counted by reading events, a count stops at this many: a request (the `projections` query) must never
 * read the log through, and a rebuild from the start would. A lag is then never above it, and one that reached it is
 * a lower bound.
 */
export const LAG_COUNT_LIMIT = 10_000;

/** The store's own count, exact: on PostgreSQL one indexed count per checkpoint, without reading the events. */
export function storeLagCounter(store: EventStore): LagCounter {
  return { count: (queries) => Promise.all(queries.map((q) => store.countEventsAfter(q.after, q.filter))) };
}

/**
 * For a store that can count only by reading its log (EventStoreDB: the client's reads of $all have no server-side
 * filter, so countEventsAfter reads every event after the checkpoint: the whole log during a rebuild). The events the
 * log index holds are counted there, in PostgreSQL, up to the index's checkpoint; those after it (the index's own
 * lag) in one read of the store after that checkpoint, only when the store's head is past it. Each count stops at
 * `limit`, so a request reads at most `limit` rows of the index per projection and `limit` events of the store.
 * Without a log index, each projection's lag is one such capped read of the store after its checkpoint.
 */
export function boundedLagCounter(store: EventStore, index: LogIndex | undefined, limit = LAG_COUNT_LIMIT): LagCounter {
  return {
    async count(queries) {
      const [head, indexed] = await Promise.all([store.headPosition(), index ? index.checkpoint() : START]);
      if (!index) return Promise.all(queries.map(async (q) => (await tailOf(store, q.after, head, limit)).count(q)));
      const tail = await tailOf(store, indexed, head, limit);
      return Promise.all(
        queries.map(async (q) => {
          // The index holds the events up to `indexed`, read once: it only grows at its head, so the two parts of the
          // count never overlap nor leave a gap, whatever the index does meanwhile.
          const inIndex = comparePositions(q.after, indexed) < 0 ? await index.countBetween(q.after, indexed, q.filter, limit) : 0;
          return Math.min(limit, inIndex + tail.count(q));
        }),
      );
    },
  };
}

/** The events of the store after `from` (at most `limit`, none read when `from` is at the head). */
async function tailOf(store: EventStore, from: LogPosition, head: LogPosition, limit: number): Promise<{ count(q: LagQuery): number }> {
  let events: readonly RecordedEvent[] = [];
  // Read unfiltered: a filtered read of a store without a server-side filter reads on until it has `limit` matches.
  if (comparePositions(head, from) > 0) events = (await store.readAll({ after: from, maxCount: limit })).events;
  return {
    count: (q) => events.filter((e) => comparePositions(e.position, q.after) > 0 && takes(q.filter, e)).length,
  };
}

function takes(filter: LogFilter | undefined, event: RecordedEvent): boolean {
  if (filter?.categories && !filter.categories.includes(streamCategory(event.streamId))) return false;
  if (filter?.eventTypes && !filter.eventTypes.includes(event.type)) return false;
  return true;
}
