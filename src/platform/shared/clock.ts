/** Where services that act on their own (schedulers) read the time, so tests and fault injection can move it. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
