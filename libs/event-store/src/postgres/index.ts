export { PostgresEventStore, POSTGRES_EVENT_STORE_DEFAULTS, type PostgresEventStoreOptions } from './postgres-event-store.ts';
export { EVENT_STORE_MIGRATIONS } from './schema.ts';
export { HISTORY_QUERY_DEFAULTS, historyQuery, type HistoryQueryTuning } from './history-query.ts';
