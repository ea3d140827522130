import { parsePosition, positionToString, type GovernanceEventStore, type LogPosition, type StoredEvent } from '#event-store';
import { isRole } from '../../platform/auth/role.ts';
import { badInput } from '../../platform/shared/domain-error.ts';
import { HistoryOrder, type GovernanceEvent, type GovernanceEventConnection } from './governance-event.graphql.ts';
import type { CompiledHistoryFilter } from './history-filter.ts';

/**
 * An event as governanceHistory and governanceEvents show it: the same id, hash, schema version and metadata (source
 * and occurredAt included) as its line of the NDJSON export (audit-export.ts exportLine).
 */
export function toGovernanceEvent(event: StoredEvent): GovernanceEvent {
  return {
    id: event.id,
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
      source: event.metadata.source,
      occurredAt: occurredAtOf(event.metadata.occurredAt),
    },
    recordedAt: event.recordedAt,
    schemaVersion: event.schemaVersion,
    // Only an event written around the serialisation layer has none; verifyHistory reports it, the history still shows it.
    hash: event.hash ?? '',
  };
}

/** The command's time as stored (ISO text); an event written around the layer may hold none, or something unreadable. */
function occurredAtOf(text: string): Date | null {
  const time = text === '' ? Number.NaN : Date.parse(text);
  return Number.isFinite(time) ? new Date(time) : null;
}

/** What a position's parts can hold in the stores' columns (xid8, bigint): a larger one names no event. */
const MAX_COMMIT = 2n ** 64n - 1n;
const MAX_PREPARE = 2n ** 63n - 1n;

/** A cursor of governanceHistory is an event's position; anything else is BAD_USER_INPUT on `field`. */
export function parseCursor(cursor: string | null | undefined, field: string): LogPosition | null {
  if (cursor === null || cursor === undefined) return null;
  let position: LogPosition | null;
  try {
    position = parsePosition(cursor);
  } catch {
    position = null;
  }
  // Out of range, PostgreSQL would refuse the number, and the page would fail as an internal error.
  if (position === null || position.commit > MAX_COMMIT || position.prepare > MAX_PREPARE) {
    throw badInput(`${field} is not a position of the log (use the cursor or position of an event you received)`, { field });
  }
  return position;
}

/**
 * One page of the history, in `order` (newest first by default), forward (`first`/`after`) or backward
 * (`last`/`before`). Cursors are positions in the log, so a page is one indexed range read from its cursor in the
 * log's order or its reverse, never a scan of the log: backward in NEWEST_FIRST reads the log forwards from the
 * cursor, and `last` alone reads from the far end of the list (the oldest events, NEWEST_FIRST).
 *
 * All four PageInfo fields are honest: one more event is read to know whether more lie beyond the page, and one
 * read of at most one event says whether any lie behind the cursor (the cursor's own event counts: it was on the page
 * the client came from). The log only grows at its head, so paging never skips or repeats an event; events recorded
 * meanwhile appear at the head's end of the list once each.
 */
export async function historyPage(
  events: Pick<GovernanceEventStore, 'readHistory'>,
  request: {
    readonly filter: CompiledHistoryFilter;
    readonly page: { readonly direction: 'forward' | 'backward'; readonly size: number; readonly cursor: LogPosition | null };
    readonly order: HistoryOrder;
  },
): Promise<GovernanceEventConnection> {
  const { filter, page, order } = request;
  const listDirection = order === HistoryOrder.OLDEST_FIRST ? 'forwards' : 'backwards';
  const forward = page.direction === 'forward';
  // Backward, the list is read from its far end towards its start: the log in the other direction.
  const reading = forward ? listDirection : listDirection === 'forwards' ? 'backwards' : 'forwards';
  const cursor = page.cursor;
  const [ahead, behind] = await Promise.all([
    events.readHistory({ direction: reading, maxCount: page.size, filter: filter.history, ...(cursor ? { after: cursor } : {}) }),
    // Any event at or behind the cursor: the same reading direction, from its start up to the cursor (inclusive).
    cursor
      ? events
          .readHistory({ direction: reading, maxCount: 1, filter: filter.history, until: cursor })
          .then((read) => read.events.length > 0)
      : Promise.resolve(false),
  ]);
  const read = ahead.events.map((event) => ({ cursor: positionToString(event.position), node: toGovernanceEvent(event) }));
  // A page lists its events in the list's order, whichever way it was read.
  const edges = forward ? read : read.reverse();
  return {
    edges,
    pageInfo: {
      hasNextPage: forward ? ahead.hasMore : behind,
      hasPreviousPage: forward ? behind : ahead.hasMore,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}

/** A GovernanceEvent's id as the store keeps and the API shows it: a UUID in lower case (the only form an id has). */
const EVENT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * The event whose own id is `eventId`, as governanceHistory shows it; null when none has it. One history query
 * filtered on the id (indexed on both stores: es_events migration 3, the log index's event id index), never a scan of
 * the log. Ids are unique per stream only ((stream, event id) is the stores' key): should two streams hold the same one
 * (they are UUIDs, name-based ones include the stream), the first in log order answers.
 */
export async function governanceEventById(
  events: Pick<GovernanceEventStore, 'readHistory'>,
  eventId: string,
): Promise<GovernanceEvent | null> {
  // Checked before the query: es_events reads the parameter as a uuid, and anything else would fail there.
  if (!EVENT_ID.test(eventId)) {
    throw badInput("id is not a GovernanceEvent's global id: GovernanceEvent/<the event's id, a lower-case UUID>", { field: 'id' });
  }
  const read = await events.readHistory({ direction: 'forwards', maxCount: 1, filter: { eventId } });
  const event = read.events[0];
  return event ? toGovernanceEvent(event) : null;
}
