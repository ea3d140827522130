import type { ExpectedRevision } from './event-store.port.ts';

/** Base of every error the event store raises; adapters never let a raw driver error escape. */
export abstract class EventStoreError extends Error {}

export class WrongExpectedRevisionError extends EventStoreError {
  override readonly name = 'WrongExpectedRevisionError';
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedRevision,
    /** The stream's revision when the append was refused; `undefined` when the stream does not exist. */
    readonly actual: number | undefined,
  ) {
    super(
      `stream ${streamId}: expected revision ${String(expected)}, but the stream ` +
        (actual === undefined ? 'does not exist' : `is at revision ${actual}`),
    );
  }
}

export class StreamNotFoundError extends EventStoreError {
  override readonly name = 'StreamNotFoundError';
  constructor(readonly streamId: string) {
    super(`stream ${streamId} does not exist`);
  }
}

/**
 * The event ids of an append already exist in the stream, but not as the same contiguous run of events:
 * the retry is not the same append, so it can neither be applied nor answered with the original result.
 */
export class IdempotencyConflictError extends EventStoreError {
  override readonly name = 'IdempotencyConflictError';
  constructor(
    readonly streamId: string,
    readonly eventId: string,
  ) {
    super(`stream ${streamId}: event ${eventId} was already appended as part of a different append`);
  }
}

/** The store cannot be reached or refused to work (connection lost, server shutting down, timeout). */
export class EventStoreUnavailableError extends EventStoreError {
  override readonly name = 'EventStoreUnavailableError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(`event store unavailable: ${message}`, options);
  }
}

/** The input itself is invalid (empty stream id, malformed event id, data that is not JSON...). */
export class InvalidAppendError extends EventStoreError {
  override readonly name = 'InvalidAppendError';
}

/** Anything else the store failed at: a defect or an unexpected server answer, never a rule of the port. */
export class EventStoreFailureError extends EventStoreError {
  override readonly name = 'EventStoreFailureError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
