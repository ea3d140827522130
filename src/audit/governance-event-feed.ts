import {
  parsePosition,
  positionToString,
  START,
  streamCategory,
  type EventStore,
  type GovernanceEventStore,
  type LogFilter,
  type LogPosition,
  type StoredEvent,
} from '#event-store';
import { isRole } from '../auth/role.ts';
import { badInput } from '../shared/domain-error.ts';
import type { GovernanceEvent, GovernanceHistoryFilter } from './governance-event.graphql.ts';

/** The store-side part of a history filter (indexed), and a check for the rest, applied to deserialised events. */
export function compileFilter(filter: GovernanceHistoryFilter | null | undefined): {
  log: LogFilter;
  matches(event: StoredEvent): boolean;
} {
  const streamId = filter?.streamId ?? null;
  const categories = [filter?.category, streamId ? streamCategory(streamId) : null].filter((c): c is string => !!c);
  if (streamId && filter?.category && streamCategory(streamId) !== filter.category) {
    throw badInput(`streamId ${streamId} is not in category ${filter.category}`, { field: 'filter' });
  }
  if (filter?.from && filter?.to && filter.from > filter.to) throw badInput('filter.from must not be after filter.to', { field: 'filter' });
  const log: LogFilter = {
    ...(categories.length ? { categories: [categories[0]!] } : {}),
    ...(filter?.eventTypes?.length ? { eventTypes: filter.eventTypes } : {}),
  };
  return {
    log,
    matches: (event) =>
      (!streamId || event.streamId === streamId) &&
      (!filter?.actorId || event.metadata.actorId === filter.actorId) &&
      (!filter?.correlationId || event.metadata.correlationId === filter.correlationId) &&
      (!filter?.from || event.recordedAt >= filter.from) &&
      (!filter?.to || event.recordedAt <= filter.to),
  };
}

export function parseAfterPosition(afterPosition: string | null | undefined): LogPosition {
  if (afterPosition === null || afterPosition === undefined) return START;
  try {
    return parsePosition(afterPosition);
  } catch {
    throw badInput('afterPosition is not a position of the log (use the position of an event you received)', { field: 'afterPosition' });
  }
}

export function toGovernanceEvent(event: StoredEvent): GovernanceEvent {
  return {
    position: positionToString(event.position),
    streamId: event.streamId,
    revision: event.revision,
    type: event.type,
    data: event.data,
    metadata: {
      actorId: event.metadata.actorId,
      actorRoles: event.metadata.actorRoles.filter(isRole),
      authority: event.metadata.authority,
      reason: event.metadata.reason,
      correlationId: event.metadata.correlationId,
      causationId: event.metadata.causationId,
      commandId: event.metadata.commandId,
    },
    recordedAt: event.recordedAt,
  };
}

/**
 * Every matching event after `after`, history first and then live, from one ordered subscription of the log, so
 * the switch from replay to live neither skips nor repeats an event. Leaving the iteration closes the subscription.
 */
export async function* governanceEventFeed(
  store: EventStore,
  events: GovernanceEventStore,
  after: LogPosition,
  filter: ReturnType<typeof compileFilter>,
): AsyncGenerator<GovernanceEvent> {
  const subscription = store.subscribeToAll({ after, filter: filter.log });
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
