/**
 * A place in the global log. Both adapters order the log by a pair of integers: EventStoreDB's
 * (commit, prepare) positions, and on PostgreSQL (transaction id, sequence), so one type serves both.
 * Positions are compared as pairs; their string form is what checkpoints and GraphQL cursors carry.
 */
export interface LogPosition {
  readonly commit: bigint;
  readonly prepare: bigint;
}

/** Before the first event: reading "after START" reads the whole log. */
export const START: LogPosition = Object.freeze({ commit: 0n, prepare: 0n });

export function comparePositions(a: LogPosition, b: LogPosition): number {
  if (a.commit !== b.commit) return a.commit < b.commit ? -1 : 1;
  if (a.prepare !== b.prepare) return a.prepare < b.prepare ? -1 : 1;
  return 0;
}

export function positionToString(position: LogPosition): string {
  return `${position.commit}:${position.prepare}`;
}

const POSITION_PATTERN = /^(\d{1,20}):(\d{1,20})$/;

/** Parses the string form; throws InvalidPositionError for anything else. */
export function parsePosition(text: string): LogPosition {
  const match = POSITION_PATTERN.exec(text);
  if (!match) throw new InvalidPositionError(text);
  return { commit: BigInt(match[1]!), prepare: BigInt(match[2]!) };
}

export class InvalidPositionError extends Error {
  override readonly name = 'InvalidPositionError';
  constructor(readonly text: string) {
    super(`"${text}" is not a log position (expected "<commit>:<prepare>")`);
  }
}
