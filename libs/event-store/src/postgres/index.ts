export { PostgresEventStore, POSTGRES_EVENT_STORE_DEFAULTS, type PostgresEventStoreOptions } from './postgres-event-store.ts';
export { EVENT_STORE_MIGRATIONS } from './schema.ts';
export {
  ES_EVENTS_HISTORY,
  HISTORY_QUERY_DEFAULTS,
  historyQuery,
  RECORDED_DAY,
  type HistoryQueryTuning,
  type HistoryTable,
} from './history-query.ts';
export { filterConditions, toRecordedEvent, type EventRow } from './event-rows.ts';
