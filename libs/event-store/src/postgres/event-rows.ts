import type { LogFilter, RecordedEvent } from '../event-store.port.ts';

/**
 * An event as a PostgreSQL read of the log returns it, from es_events or from a copy of the log with the same columns
 * (the log index): ids and positions as text, and recorded_at as milliseconds since the epoch, as text (what the
 * driver's Date parser gave, at a fraction of its cost).
 */
export interface EventRow {
  transaction_id: string;
  global_position: string;
  stream_id: string;
  stream_revision: string;
  event_id: string;
  event_type: string;
  data: string;
  metadata: string;
  recorded_at: string;
}

export function toRecordedEvent(row: EventRow): RecordedEvent {
  return {
    id: row.event_id,
    streamId: row.stream_id,
    revision: Number(row.stream_revision),
    type: row.event_type,
    data: row.data,
    metadata: row.metadata,
    position: { commit: BigInt(row.transaction_id), prepare: BigInt(row.global_position) },
    recordedAt: new Date(Number(row.recorded_at)),
  };
}

/** The SQL conditions of a log filter on a table aliased `e` with category and event_type columns; `params` grows. */
export function filterConditions(filter: LogFilter | undefined, params: unknown[]): string {
  let sql = '';
  if (filter?.categories) {
    params.push(filter.categories);
    sql += ` AND e.category = ANY($${params.length}::text[])`;
  }
  if (filter?.eventTypes) {
    params.push(filter.eventTypes);
    sql += ` AND e.event_type = ANY($${params.length}::text[])`;
  }
  return sql;
}
