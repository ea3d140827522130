import { parsePosition, positionToString, type GovernanceEventStore, type LogPosition, type StoredEvent } from '#event-store';
import { isRole } from '../auth/role.ts';
import { badInput } from '../shared/domain-error.ts';
import { HistoryOrder, type GovernanceEvent, type GovernanceEventConnection } from './governance-event.graphql.ts';
import type { CompiledHistoryFilter } from './history-filter.ts';

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

/** A cursor of governanceHistory is an event's position; anything else is BAD_USER_INPUT on `field`. */
export function parseCursor(cursor: string | null | undefined, field: string): LogPosition | null {
  if (cursor === null || cursor === undefined) return null;
  try {
    return parsePosition(cursor);
  } catch {
    throw badInput(`${field} is not a position of the log (use the cursor or position of an event you received)`, { field });
  }
}

/**
 * One page of the history. The cursor is the position of the page's last event; the next page continues from it
 * in the same order. Newest first, a page never changes once read (only older events follow the cursor, and the
 * log only grows at its head); oldest first, events recorded meanwhile come after the cursor, once each.
 */
export async function historyPage(
  events: GovernanceEventStore,
  request: {
    readonly filter: CompiledHistoryFilter;
    readonly first: number;
    readonly after: LogPosition | null;
    readonly order: HistoryOrder;
  },
): Promise<GovernanceEventConnection> {
  const page = await events.readHistory({
    direction: request.order === HistoryOrder.OLDEST_FIRST ? 'forwards' : 'backwards',
    maxCount: request.first,
    filter: request.filter.history,
    ...(request.after ? { after: request.after } : {}),
  });
  const edges = page.events.map((event) => ({ cursor: positionToString(event.position), node: toGovernanceEvent(event) }));
  return { edges, pageInfo: { hasNextPage: page.hasMore, endCursor: edges.at(-1)?.cursor ?? null } };
}
