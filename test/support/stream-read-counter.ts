import { WrongExpectedRevisionError, type EventStore } from '#event-store';

/** What one stretch of requests asked the store for, by stream. */
export interface StreamReads {
  /** Stream id → how many times it was read (readStream through the port, whatever the options). */
  readonly reads: Record<string, number>;
  /** Stream id → how many appends to it were refused for a concurrent change (each allows one more read: the retry's). */
  readonly conflicts: Record<string, number>;
}

/**
 * Counts the stream reads a running service makes through its store's port (the one object every read goes through,
 * below the serialisation layer), and the appends refused for a concurrent change. Wraps the service's own store, not
 * a fake of it: the reads are real.
 */
export class StreamReadCounter {
  private current: { reads: Record<string, number>; conflicts: Record<string, number> } | null = null;

  constructor(store: EventStore) {
    const readStream = store.readStream.bind(store);
    const appendToStream = store.appendToStream.bind(store);
    store.readStream = (streamId, options) => {
      if (this.current) this.current.reads[streamId] = (this.current.reads[streamId] ?? 0) + 1;
      return readStream(streamId, options);
    };
    store.appendToStream = async (streamId, events, expected) => {
      try {
        return await appendToStream(streamId, events, expected);
      } catch (error) {
        if (this.current && error instanceof WrongExpectedRevisionError) {
          this.current.conflicts[streamId] = (this.current.conflicts[streamId] ?? 0) + 1;
        }
        throw error;
      }
    };
  }

  /** The reads made while `work` ran (nothing else should run on the service meanwhile). */
  async during<T>(work: () => Promise<T>): Promise<{ result: T } & StreamReads> {
    const counted = { reads: {}, conflicts: {} };
    this.current = counted;
    try {
      return { result: await work(), ...counted };
    } finally {
      this.current = null;
    }
  }
}

/** The streams read more often than once, plus once per refused append (a retry re-reads): should be none. */
export function overRead({ reads, conflicts }: StreamReads): Record<string, number> {
  return Object.fromEntries(Object.entries(reads).filter(([stream, count]) => count > 1 + (conflicts[stream] ?? 0)));
}
