import { StreamNotFoundError, WrongExpectedRevisionError } from '../errors.ts';
import { START, type LogPosition } from '../position.ts';
import type { EventMetadata } from '../serialization/event-metadata.ts';
import type { AppendedEvent, GovernanceEventStore, StoredEvent } from '../serialization/governance-event-store.ts';

/** An event as a decider sees it: its stored type name and its data at the current schema version. */
export interface DeciderEvent {
  readonly type: string;
  readonly data: object;
}

/**
 * One aggregate's rules as pure functions. `decide` refuses a command by throwing a domain error; it takes time and
 * actor from the command, never from the clock.
 */
export interface Decider<Command, State, Event extends DeciderEvent> {
  readonly initialState: State;
  evolve(state: State, event: Event): State;
  decide(command: Command, state: State): Event[];
}

/**
 * The state after `events`, e.g. a stream read with `toRevision: n` for the state as of revision n. Events are cast
 * to the decider's union: they come from the store, upcast to the current shapes. `from` continues a fold.
 */
export function foldState<Command, State, Event extends DeciderEvent>(
  decider: Decider<Command, State, Event>,
  events: Iterable<{ readonly type: string; readonly data: unknown }>,
  from: State = decider.initialState,
): State {
  let state = from;
  for (const event of events) state = decider.evolve(state, { type: event.type, data: event.data } as unknown as Event);
  return state;
}

export interface HandleCommandOptions<Command, State, Event extends DeciderEvent> {
  readonly store: GovernanceEventStore;
  readonly streamId: string;
  readonly decider: Decider<Command, State, Event>;
  readonly command: Command;
  readonly metadata: EventMetadata;
  /** The revision the user looked at; when the stream moved on since, the command is refused and never retried. */
  readonly expectedRevision?: number;
  /** Read-decide-append again after a concurrent append, only without expectedRevision. Default 0. */
  readonly retryOnConflict?: number;
}

export interface CommandResult<State> {
  readonly state: State;
  readonly events: AppendedEvent[];
  /** -1 when the stream still does not exist. */
  readonly nextExpectedRevision: number;
  /** Of the last event; START when the stream is empty. What a read-your-writes wait waits for. */
  readonly position: LogPosition;
  /** True when metadata.commandId had already been handled: the original events are answered, nothing is decided. */
  readonly idempotentReplay: boolean;
}

export async function handleCommand<Command, State, Event extends DeciderEvent>(
  options: HandleCommandOptions<Command, State, Event>,
): Promise<CommandResult<State>> {
  const { store, streamId, decider, command, metadata, expectedRevision } = options;
  const retries = expectedRevision === undefined ? (options.retryOnConflict ?? 0) : 0;

  for (let attempt = 0; ; attempt++) {
    const history = await readHistory(store, streamId);
    const last = history.at(-1);
    const revision = last?.revision ?? -1;

    if (metadata.commandId !== null) {
      const original = history.filter((event) => event.metadata.commandId === metadata.commandId);
      const lastOriginal = original.at(-1);
      if (lastOriginal) {
        return {
          state: foldState(
            decider,
            history.filter((event) => event.revision <= lastOriginal.revision),
          ),
          events: original,
          nextExpectedRevision: lastOriginal.revision,
          position: lastOriginal.position,
          idempotentReplay: true,
        };
      }
    }
    if (expectedRevision !== undefined && expectedRevision !== revision) {
      throw new WrongExpectedRevisionError(streamId, expectedRevision, last?.revision);
    }

    const state = foldState(decider, history);
    const decided = decider.decide(command, state);
    if (decided.length === 0) {
      return { state, events: [], nextExpectedRevision: revision, position: last?.position ?? START, idempotentReplay: false };
    }
    try {
      const result = await store.append(
        streamId,
        decided.map((event) => ({ type: event.type, data: event.data as Record<string, unknown> })),
        {
          expectedRevision: last ? last.revision : 'no_stream',
          metadata,
          // Without a hash (an event written around the serialisation layer) append reads the head and refuses to chain.
          ...(last ? (last.hash ? { previous: { revision: last.revision, hash: last.hash } } : {}) : { previous: null }),
        },
      );
      // Evolve what was stored (JSON round trip, redactions) so the state is the one a fresh read would give.
      return {
        state: foldState(decider, result.events, state),
        events: result.events,
        nextExpectedRevision: result.nextExpectedRevision,
        position: result.position,
        idempotentReplay: false,
      };
    } catch (error) {
      if (error instanceof WrongExpectedRevisionError && attempt < retries) continue;
      throw error;
    }
  }
}

async function readHistory(store: GovernanceEventStore, streamId: string): Promise<StoredEvent[]> {
  try {
    return await store.readStream(streamId);
  } catch (error) {
    if (error instanceof StreamNotFoundError) return [];
    throw error;
  }
}
