export {
  CATCHING_UP_LAG,
  EventLogMismatchError,
  ProjectionRunner,
  ProjectionTimeoutError,
  UnknownProjectionError,
  type ProjectionRunnerOptions,
} from './projection-runner.ts';
export type {
  AnyProjection,
  ProjectionContext,
  ProjectionDefinition,
  ProjectionState,
  ProjectionStatus,
  RecordedEventProjection,
} from './projection.ts';
export { receivesRecordedEvents } from './projection.ts';
export { READ_MODEL_SCHEMA } from './schema.ts';
export {
  LOG_INDEX_PROJECTION,
  LogIndex,
  LogIndexedEventStore,
  logIndexProjection,
  needsLogIndex,
  type LogIndexOptions,
  type LogIndexedStoreOptions,
} from './log-index.ts';
export { Pause } from './pause.ts';
