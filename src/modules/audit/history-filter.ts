import { logFilterOf, streamCategory, type HistoryFilter, type LogFilter, type StoredEvent } from '#event-store';
import { badInput } from '../../platform/shared/domain-error.ts';
import type { EventTypeCatalog } from './event-type-catalog.ts';
import type { GovernanceHistoryFilter } from './governance-event.graphql.ts';

/** A history filter checked once and in the forms its readers need: governanceHistory, governanceEvents, the export. */
export interface CompiledHistoryFilter {
  /** For the store's history query (every condition, indexed on PostgreSQL). */
  readonly history: HistoryFilter;
  /** The part a subscription of the log applies itself (categories, types); `matches` checks the rest. */
  readonly log: LogFilter | undefined;
  /** Every condition, on a deserialised event: the same answers as the history query. */
  matches(event: StoredEvent): boolean;
  readonly streamId: string | null;
}

export const MAX_EVENT_TYPES = 50;
const STREAM_ID_MAX = 300;
const VALUE_MAX = 200;
// A category is the part of a stream id before its first '-' (member, moderation_case...).
const CATEGORY = /^[A-Za-z0-9_.:@]{1,100}$/;

/**
 * Checks the filter (BAD_USER_INPUT naming the field) and compiles it. Empty strings and an empty list of types
 * are refused rather than read as "no condition", so that a client bug does not silently widen an audit query. An
 * event type the service does not store is refused too: it would match nothing, and an auditor who mistyped one would
 * read "no such event" as a fact about the log.
 */
export function compileHistoryFilter(
  filter: GovernanceHistoryFilter | null | undefined,
  eventTypeCatalog: EventTypeCatalog,
): CompiledHistoryFilter {
  const streamId = optionalValue(filter?.streamId, 'filter.streamId', STREAM_ID_MAX);
  const category = filter?.category ?? null;
  if (category !== null && !CATEGORY.test(category)) {
    throw badInput("filter.category must be a stream category: the part of a stream id before its first '-' (e.g. moderation_case)", {
      field: 'filter.category',
    });
  }
  if (streamId !== null && category !== null && streamCategory(streamId) !== category) {
    throw badInput(`filter.streamId ${streamId} is not in category ${category}`, { field: 'filter.streamId' });
  }
  const eventTypes = filter?.eventTypes ?? null;
  if (eventTypes !== null) {
    if (eventTypes.length === 0 || eventTypes.length > MAX_EVENT_TYPES) {
      throw badInput(`filter.eventTypes must name 1 to ${MAX_EVENT_TYPES} event types (leave it out for every type)`, {
        field: 'filter.eventTypes',
      });
    }
    for (const type of eventTypes) optionalValue(type, 'filter.eventTypes', VALUE_MAX);
    const unknown = [...new Set(eventTypes.filter((type) => !eventTypeCatalog.has(type)))];
    if (unknown.length > 0) {
      throw badInput(
        `filter.eventTypes: ${unknown.map((type) => JSON.stringify(type)).join(', ')} ${unknown.length === 1 ? 'is not an event type' : 'are not event types'} of the log; governanceEventTypes lists them`,
        { field: 'filter.eventTypes' },
      );
    }
  }
  const actorId = optionalValue(filter?.actorId, 'filter.actorId', VALUE_MAX);
  const correlationId = optionalValue(filter?.correlationId, 'filter.correlationId', VALUE_MAX);
  const from = optionalDate(filter?.from, 'filter.from');
  const to = optionalDate(filter?.to, 'filter.to');
  if (from && to && from.getTime() > to.getTime()) throw badInput('filter.from must not be after filter.to', { field: 'filter.from' });

  const history: HistoryFilter = {
    ...(streamId !== null ? { streamId } : {}),
    ...(category !== null ? { categories: [category] } : {}),
    ...(eventTypes !== null ? { eventTypes: [...new Set(eventTypes)] } : {}),
    ...(actorId !== null ? { actorId } : {}),
    ...(correlationId !== null ? { correlationId } : {}),
    ...(from ? { recordedFrom: from } : {}),
    ...(to ? { recordedTo: to } : {}),
  };
  return {
    history,
    log: logFilterOf(history),
    streamId,
    matches: (event) =>
      (streamId === null || event.streamId === streamId) &&
      (category === null || streamCategory(event.streamId) === category) &&
      (eventTypes === null || eventTypes.includes(event.type)) &&
      (actorId === null || event.metadata.actorId === actorId) &&
      (correlationId === null || event.metadata.correlationId === correlationId) &&
      (!from || event.recordedAt.getTime() >= from.getTime()) &&
      (!to || event.recordedAt.getTime() <= to.getTime()),
  };
}

function optionalValue(value: string | null | undefined, field: string, max: number): string | null {
  if (value === null || value === undefined) return null;
  // eslint-disable-next-line no-control-regex
  if (typeof value !== 'string' || value.length === 0 || value.length > max || /[\u0000-\u001F\u007F]/.test(value)) {
    throw badInput(`${field} must be 1 to ${max} characters without control characters`, { field });
  }
  return value;
}

/** The DateTime scalar gives a Date; one PostgreSQL cannot hold (or an invalid one) is refused here. */
function optionalDate(value: Date | null | undefined, field: string): Date | null {
  if (value === null || value === undefined) return null;
  const time = value instanceof Date ? value.getTime() : Number.NaN;
  if (!Number.isFinite(time) || time < Date.UTC(1970, 0, 1) || time >= Date.UTC(10000, 0, 1)) {
    throw badInput(`${field} must be a date-time from 1970 to 9999`, { field });
  }
  return value;
}
