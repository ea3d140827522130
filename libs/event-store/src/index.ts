export type {
  AppendResult,
  EventStore,
  EventToAppend,
  ExpectedRevision,
  LogFilter,
  ReadAllOptions,
  ReadAllPage,
  ReadStreamOptions,
  RecordedEvent,
  SubscribeOptions,
  Subscription,
  SubscriptionMessage,
} from './event-store.port.ts';
export { filterMayTake, streamCategory } from './event-store.port.ts';
export {
  EventStoreError,
  EventStoreFailureError,
  EventStoreUnavailableError,
  IdempotencyConflictError,
  InvalidAppendError,
  StreamNotFoundError,
  WrongExpectedRevisionError,
} from './errors.ts';
export {
  hasHistoryCapability,
  logFilterOf,
  matchesHistoryFilter,
  readHistory,
  scanHistory,
  validateHistoryOptions,
  type HistoryCapable,
  type HistoryFilter,
  type HistoryPage,
  type ReadHistoryOptions,
} from './history.ts';
export { START, comparePositions, parsePosition, positionToString, InvalidPositionError, type LogPosition } from './position.ts';
export * from './serialization/index.ts';
export * from './command/index.ts';
// Checked by configuration at start-up; free of the EventStoreDB client.
export {
  checkConnectionString as checkEventStoreDbConnectionString,
  type ConnectionStringCheck as EventStoreDbConnectionStringCheck,
} from './eventstoredb/connection-string.ts';
// The adapters are imported on their own (`#event-store/postgres`, `#event-store/eventstoredb`), so that code using
// one does not load the other's driver.
