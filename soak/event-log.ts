/**
 * The log as the checker reads it: through the event-store port, so that the same checks hold on PostgreSQL and on
 * EventStoreDB (never through PostgreSQL's es_events table, which EventStoreDB does not have).
 */
import { positionToString, START, streamCategory, type EventStore } from '#event-store';

export const SOAK_EVENT_STORES = ['postgres', 'eventstoredb'] as const;
export type SoakEventStore = (typeof SOAK_EVENT_STORES)[number];

/** One stored event, with what the checks need of its metadata. `data` is the stored JSON (personal fields encrypted). */
export interface LogEvent {
  readonly id: string;
  readonly streamId: string;
  readonly category: string;
  readonly revision: number;
  readonly type: string;
  /** `<commit>:<prepare>`, as the service's subscriptions and cursors write it. */
  readonly position: string;
  readonly commandId: string | null;
  readonly actorId: string | null;
  /** The event that caused this one (a scheduler's consequence names the event it follows from), or null. */
  readonly causationId: string | null;
  /** Who or what allowed it, as the metadata records it (a scheduler's `automation: ...`). */
  readonly authority: string | null;
  readonly data: string;
}

export async function openEventLog(kind: SoakEventStore, databaseUrl: string): Promise<EventStore> {
  if (kind === 'eventstoredb') {
    const { EventStoreDbEventStore } = await import('#event-store/eventstoredb');
    return EventStoreDbEventStore.connect(eventStoreDbConnectionString());
  }
  const { PostgresEventStore } = await import('#event-store/postgres');
  return PostgresEventStore.create({ connectionString: databaseUrl });
}

export function eventStoreDbConnectionString(): string {
  const value = process.env.EVENTSTORE_CONNECTION_STRING?.trim();
  if (!value) throw new Error('--event-store eventstoredb needs EVENTSTORE_CONNECTION_STRING (e.g. esdb://127.0.0.1:2113?tls=false)');
  return value;
}

/** The whole log in its one order. */
export async function readLog(store: EventStore): Promise<LogEvent[]> {
  const events: LogEvent[] = [];
  for (let after = START; ;) {
    const page = await store.readAll({ after, maxCount: 2_000 });
    for (const event of page.events) {
      const metadata = JSON.parse(event.metadata) as { commandId?: unknown; actorId?: unknown; causationId?: unknown; authority?: unknown };
      events.push({
        id: event.id,
        streamId: event.streamId,
        category: streamCategory(event.streamId),
        revision: event.revision,
        type: event.type,
        position: positionToString(event.position),
        commandId: typeof metadata.commandId === 'string' ? metadata.commandId : null,
        actorId: typeof metadata.actorId === 'string' ? metadata.actorId : null,
        causationId: typeof metadata.causationId === 'string' ? metadata.causationId : null,
        authority: typeof metadata.authority === 'string' ? metadata.authority : null,
        data: event.data,
      });
    }
    if (page.isEnd) return events;
    after = page.checkpoint;
  }
}
