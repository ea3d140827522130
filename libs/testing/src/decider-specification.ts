import { deepStrictEqual } from 'node:assert/strict';

/** Structurally the event store's Decider, so that this helper does not depend on the event-store library. */
interface SpecifiedDecider<Command, State, Event> {
  readonly initialState: State;
  evolve(state: State, event: Event): State;
  decide(command: Command, state: State): Event[];
}

type ErrorClass = abstract new (...args: never[]) => Error;
type ErrorExpectation = ErrorClass | ((error: unknown) => boolean);

/**
 * Given / when / then over a decider, no database:
 * `DeciderSpecification.for(decider).given([...events]).when(command).then([...events])` or `.thenThrows(ErrorClass)`.
 */
export class DeciderSpecification<Command, State, Event> {
  private constructor(
    private readonly decider: SpecifiedDecider<Command, State, Event>,
    private readonly history: readonly Event[],
  ) {}

  static for<Command, State, Event>(decider: SpecifiedDecider<Command, State, Event>): DeciderSpecification<Command, State, Event> {
    return new DeciderSpecification(decider, []);
  }

  given(events: readonly Event[]): DeciderSpecification<Command, State, Event> {
    return new DeciderSpecification(this.decider, [...this.history, ...events]);
  }

  when(command: Command): DeciderOutcome<Command, State, Event> {
    return new DeciderOutcome(this.decider, this.history, command);
  }
}

export class DeciderOutcome<Command, State, Event> {
  constructor(
    private readonly decider: SpecifiedDecider<Command, State, Event>,
    private readonly history: readonly Event[],
    private readonly command: Command,
  ) {}

  /** Also folds the decided events, so that a decider whose evolve cannot take its own events fails here. */
  then(expected: readonly Event[]): void {
    const state = this.fold(this.history, this.decider.initialState);
    const actual = this.decider.decide(this.command, state);
    assertEqual(actual, expected);
    this.fold(actual, state);
  }

  thenThrows(expectation: ErrorExpectation): void {
    const state = this.fold(this.history, this.decider.initialState);
    let produced: Event[];
    try {
      produced = this.decider.decide(this.command, state);
    } catch (error) {
      if (isErrorClass(expectation)) {
        if (error instanceof expectation) return;
        throw new Error(`expected decide to throw ${expectation.name}, it threw ${describe(error)}`, { cause: error });
      }
      if (expectation(error)) return;
      throw new Error(`decide threw ${describe(error)}, which does not satisfy the expectation`, { cause: error });
    }
    throw new Error(`expected decide to throw, it decided ${JSON.stringify(produced)}`);
  }

  private fold(events: readonly Event[], from: State): State {
    let state = from;
    for (const event of events) state = this.decider.evolve(state, event);
    return state;
  }
}

function isErrorClass(expectation: ErrorExpectation): expectation is ErrorClass {
  return expectation === Error || (expectation.prototype as unknown) instanceof Error;
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** Jest's matcher when running under Jest (better diffs, undefined properties ignored like JSON does); node:assert elsewhere. */
function assertEqual(actual: unknown, expected: unknown): void {
  const jestExpect = (globalThis as { expect?: (value: unknown) => { toEqual(expected: unknown): void } }).expect;
  if (jestExpect) jestExpect(actual).toEqual(expected);
  else deepStrictEqual(JSON.parse(JSON.stringify(actual)), JSON.parse(JSON.stringify(expected)));
}
