import { START, type EventStore, type GovernanceEventStore, type LogPosition } from '#event-store';
import type { GovernanceEvent } from './governance-event.graphql.ts';
import { parseCursor, toGovernanceEvent } from './governance-history.ts';
import type { CompiledHistoryFilter } from './history-filter.ts';

export function parseAfterPosition(afterPosition: string | null | undefined): LogPosition {
  return parseCursor(afterPosition, 'afterPosition') ?? START;
}

/** Where a feed's events go: how much is still waiting to be sent, and how to drop the subscriber. */
export interface FeedSink {
  /** Bytes sent to the subscriber but not yet taken by its connection (a WebSocket's bufferedAmount). */
  pendingBytes(): number;
  disconnect(reason: string): void;
}

/**
 * More than this waiting for one subscriber means it reads slower than the log grows: it is dropped with a reason
 * (and may resume from its last position) rather than held in the service's memory.
 */
export const MAX_PENDING_BYTES = 1024 * 1024;

/**
 * Every matching event after `after`, history first and then live, from one ordered subscription of the log, so
 * the switch from replay to live neither skips nor repeats an event. The filter is governanceHistory's: the log
 * applies its categories and types, `matches` the rest. Leaving the iteration closes the subscription.
 */
export async function* governanceEventFeed(
  store: EventStore,
  events: GovernanceEventStore,
  after: LogPosition,
  filter: CompiledHistoryFilter,
  sink?: FeedSink,
): AsyncGenerator<GovernanceEvent> {
  const subscription = store.subscribeToAll({ after, ...(filter.log ? { filter: filter.log } : {}) });
  try {
    for await (const message of subscription) {
      if (message.kind !== 'event') continue;
      const event = await events.deserialize(message.event);
      if (!filter.matches(event)) continue;
      if (sink && sink.pendingBytes() > MAX_PENDING_BYTES) {
        sink.disconnect(`too slow: over ${MAX_PENDING_BYTES / 1024} KiB of events unread; resume with afterPosition`);
        return;
      }
      yield toGovernanceEvent(event);
    }
  } finally {
    await subscription.close();
  }
}
