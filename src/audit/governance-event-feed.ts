import { START, type EventStore, type GovernanceEventStore, type LogPosition } from '#event-store';
import type { GovernanceEvent } from './governance-event.graphql.ts';
import { parseCursor, toGovernanceEvent } from './governance-history.ts';
import type { CompiledHistoryFilter } from './history-filter.ts';

export function parseAfterPosition(afterPosition: string | null | undefined): LogPosition {
  return parseCursor(afterPosition, 'afterPosition') ?? START;
}

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
): AsyncGenerator<GovernanceEvent> {
  const subscription = store.subscribeToAll({ after, ...(filter.log ? { filter: filter.log } : {}) });
  try {
    for await (const message of subscription) {
      if (message.kind !== 'event') continue;
      const event = await events.deserialize(message.event);
      if (filter.matches(event)) yield toGovernanceEvent(event);
    }
  } finally {
    await subscription.close();
  }
}
