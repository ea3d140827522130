export {
  EventLogMismatchError,
  ProjectionRunner,
  ProjectionTimeoutError,
  UnknownProjectionError,
  type ProjectionRunnerOptions,
} from './projection-runner.ts';
export type { ProjectionContext, ProjectionDefinition, ProjectionState, ProjectionStatus } from './projection.ts';
export { READ_MODEL_SCHEMA } from './schema.ts';
