// The ends of switches that handle every case of a union. Their `never` parameter makes the compiler refuse a switch
// that misses a case; at run time they say what to do with a value the types ruled out.

/**
 * An event type the decider does not know (one a newer version of the service wrote) changes nothing the decider
 * knows about: its state stays as it was.
 */
export function ignoreUnknownEvent<State>(event: never, state: State): State {
  void event;
  return state;
}

/**
 * A value no case handled is a bug: throws `unknown <what> <value>`, the value being `value[field]` when `field` is
 * given (the discriminant of an object union: `type`, `kind` or `status`).
 */
export function unreachable(what: string, value: never, field?: 'type' | 'kind' | 'status'): never {
  const shown: unknown = field === undefined ? value : (value as Record<string, unknown>)[field];
  throw new Error(`unknown ${what} ${String(shown)}`);
}
