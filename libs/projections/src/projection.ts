import type pg from 'pg';
import type { LogFilter, RecordedEvent } from '#event-store';

/** Where a projection writes: its tables live in a schema of their own per generation (see the runner). */
export interface ProjectionContext {
  /** Quoted, schema-qualified name of one of this projection's tables in the generation being written. */
  table(name: string): string;
  readonly generation: number;
}

/**
 * A read model fed by the global log. `apply` runs inside the transaction that also stores the checkpoint,
 * so its writes and the checkpoint commit together or not at all; it must use only the client it is given.
 */
export interface ProjectionDefinition<Event = RecordedEvent> {
  /** Lower-case letters, digits and underscores. */
  readonly name: string;
  /** Bump it when the tables or the logic change: the runner rebuilds from the start while the old one serves. */
  readonly version: number;
  /** Table names; each is also exposed as the view `read_models.<table>`, which readers query. */
  readonly tables: readonly string[];
  readonly filter?: LogFilter;
  setup(client: pg.ClientBase, context: ProjectionContext): Promise<void>;
  apply(events: readonly Event[], client: pg.ClientBase, context: ProjectionContext): Promise<void>;
}

/**
 * A projection that receives the events as the store recorded them (their stored bytes: nothing decrypted, upcast or
 * parsed), whatever the runner's `deserialize`: for a copy of the log, which must keep personal fields sealed and the
 * bytes the integrity chain hashes.
 */
export interface RecordedEventProjection extends ProjectionDefinition<RecordedEvent> {
  readonly input: 'recorded';
}

/** What a runner feeds: projections of its deserialised events, and projections of the recorded ones. */
export type AnyProjection<Event> = ProjectionDefinition<Event> | RecordedEventProjection;

export function receivesRecordedEvents<Event>(projection: AnyProjection<Event>): projection is RecordedEventProjection {
  return (projection as Partial<RecordedEventProjection>).input === 'recorded';
}

/**
 * A projection's state across the instances that share the database (see ProjectionRunner.status): what the instance
 * holding it does, as far as the database tells, whichever instance is asked.
 * - running: an instance runs it and follows the log;
 * - catching_up: an instance runs it and is working through a backlog (a lag of at least `catchingUpLag` events);
 * - rebuilding: an instance builds a new generation while the current one serves;
 * - failed: an event failed (the error is stored), whoever runs it;
 * - standby: no instance runs it right now, and the one asked is waiting to take it over (it tries every
 *   `standbyRetryMs`): a takeover under way;
 * - stopped: no instance runs it, and the one asked does not run projections either (its runner is not started).
 */
export type ProjectionState = 'running' | 'rebuilding' | 'catching_up' | 'failed' | 'standby' | 'stopped';

export interface ProjectionStatus {
  readonly name: string;
  readonly version: number;
  readonly generation: number;
  readonly checkpoint: string | null;
  readonly lag: number;
  readonly state: ProjectionState;
  /**
   * The instance that runs it (holds its lock): the `application_name` of that instance's lock session, its runner's
   * `instanceName`. Null when no instance runs it (standby, stopped).
   */
  readonly runner: string | null;
  readonly error: string | null;
  readonly failedEventId: string | null;
  readonly failedPosition: string | null;
  readonly rebuild: {
    readonly generation: number;
    readonly version: number;
    readonly checkpoint: string | null;
    readonly lag: number;
  } | null;
}
