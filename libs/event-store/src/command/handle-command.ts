import { StreamNotFoundError, WrongExpectedRevisionError } from '../errors.ts';
import { START, type LogPosition } from '../position.ts';
import type { EventMetadata } from '../serialization/event-metadata.ts';
import { previousAfter, type AppendedEvent, type GovernanceEventStore, type StoredEvent } from '../serialization/governance-event-store.ts';

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

/** One stream as a single read found it, folded by its decider. */
export interface LoadedState<State> {
  readonly state: State;
  /** Of the last event; -1 when the stream does not exist. */
  readonly revision: number;
  /** The whole history read (empty when the stream does not exist): for what the state does not keep, e.g. commandIds. */
  readonly events: StoredEvent[];
}

/**
 * Reads `streamId` and folds it with `decider`: what a decision (or a check another module makes on a stream) starts
 * from. A stream that does not exist is the empty history, so its state is the decider's initial state.
 */
export async function loadState<Command, State, Event extends DeciderEvent>(
  store: GovernanceEventStore,
  streamId: string,
  decider: Decider<Command, State, Event>,
): Promise<LoadedState<State>> {
  const events = await readHistory(store, streamId);
  return { state: foldState(decider, events), revision: events.at(-1)?.revision ?? -1, events };
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
  /**
   * The stream as the caller already read it (loadState of this stream and decider), e.g. to authorize the command
   * against it: the first attempt decides on this state and appends expecting its revision, so the stream is read
   * once per command. A retry after a concurrent append reads the stream again.
   */
  readonly loaded?: LoadedState<State>;
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
    const {
      events: history,
      state,
      revision,
    } = attempt === 0 && options.loaded ? options.loaded : await loadState(store, streamId, decider);
    const last = history.at(-1);

    // Checked in the history this decision reads anyway, before the expected revision: a retry whose original moved
    // the stream is answered, not refused. This is the guarantee; the store's own id check is not relied upon.
    const replay = metadata.commandId === null ? undefined : replayOf(decider, history, metadata.commandId);
    if (replay) return replay;
    if (expectedRevision !== undefined && expectedRevision !== revision) {
      throw new WrongExpectedRevisionError(streamId, expectedRevision, last?.revision);
    }

    const decided = decider.decide(command, state);
    if (decided.length === 0) {
      return { state, events: [], nextExpectedRevision: revision, position: last?.position ?? START, idempotentReplay: false };
    }
    try {
      // Always the revision just read, never 'any': two identical commands that both read revision r both append
      // expecting r, and only one of them can be written at r + 1 (both stores compare the expected revision with the
      // stream's head inside the write). The other is refused (or recognised by its ids, where the store can) and, in
      // the catch below, finds its twin's events by commandId. A duplicate would need an append expecting a revision
      // that already includes the original, and the check above answers that one before anything is appended.
      const result = await store.append(
        streamId,
        decided.map((event) => ({ type: event.type, data: event.data as Record<string, unknown> })),
        {
          expectedRevision: last ? last.revision : 'no_stream',
          metadata,
          ...previousAfter(last),
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
      if (!(error instanceof WrongExpectedRevisionError)) throw error;
      if (attempt < retries) continue;
      // No more decisions, but the command may be done: what won the race can be this command's twin (same
      // commandId), also when the caller gave an expectedRevision. Its events are then this command's answer.
      if (metadata.commandId !== null) {
        const twin = replayOf(decider, await readHistory(store, streamId), metadata.commandId);
        if (twin) return twin;
      }
      throw error;
    }
  }
}

/** The original result of `commandId` when the stream holds its events: the state as of its last one. */
function replayOf<Command, State, Event extends DeciderEvent>(
  decider: Decider<Command, State, Event>,
  history: readonly StoredEvent[],
  commandId: string,
): CommandResult<State> | undefined {
  const original = history.filter((event) => event.metadata.commandId === commandId);
  const last = original.at(-1);
  if (!last) return undefined;
  return {
    state: foldState(
      decider,
      history.filter((event) => event.revision <= last.revision),
    ),
    events: original,
    nextExpectedRevision: last.revision,
    position: last.position,
    idempotentReplay: true,
  };
}

async function readHistory(store: GovernanceEventStore, streamId: string): Promise<StoredEvent[]> {
  try {
    return await store.readStream(streamId);
  } catch (error) {
    if (error instanceof StreamNotFoundError) return [];
    throw error;
  }
}
