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
export { streamCategory } from './event-store.port.ts';
export {
  EventStoreError,
  EventStoreFailureError,
  EventStoreUnavailableError,
  IdempotencyConflictError,
  InvalidAppendError,
  StreamNotFoundError,
  WrongExpectedRevisionError,
} from './errors.ts';
export { START, comparePositions, parsePosition, positionToString, InvalidPositionError, type LogPosition } from './position.ts';
