/** Base of the errors raised between the domain's events and the port's stored text. */
export abstract class EventSerializationError extends Error {}

/** Writing an unregistered type is refused: without a schema nobody declared its personal fields, and plaintext personal data in an append-only log can never be erased. */
export class UnknownEventTypeError extends EventSerializationError {
  override readonly name = 'UnknownEventTypeError';
  constructor(readonly eventType: string) {
    super(`event type "${eventType}" is not registered in the event schema registry`);
  }
}

export class EventSchemaDefinitionError extends EventSerializationError {
  override readonly name = 'EventSchemaDefinitionError';
}

/** A stored event says it was written by a newer version of the code than this one knows. */
export class UnsupportedSchemaVersionError extends EventSerializationError {
  override readonly name = 'UnsupportedSchemaVersionError';
  constructor(
    readonly eventType: string,
    readonly storedVersion: number,
    readonly currentVersion: number,
  ) {
    super(`event type "${eventType}": stored schema version ${storedVersion} is newer than the current version ${currentVersion}`);
  }
}

export class MissingUpcasterError extends EventSerializationError {
  override readonly name = 'MissingUpcasterError';
  constructor(
    readonly eventType: string,
    readonly fromVersion: number,
  ) {
    super(`event type "${eventType}": no upcaster from schema version ${fromVersion} to ${fromVersion + 1}`);
  }
}

/**
 * A ciphertext whose key still exists did not decrypt: the stored bytes were altered or belong to another key.
 * Raised instead of reading as redacted so that corruption is never mistaken for erasure.
 */
export class PersonalDataDecryptionError extends EventSerializationError {
  override readonly name = 'PersonalDataDecryptionError';
  constructor(
    readonly subject: string,
    options?: { cause?: unknown },
  ) {
    super(`personal data of subject ${subject} could not be decrypted with its key`, options);
  }
}

/** The stream's chain cannot be extended: its last event carries no integrity hash (it was written around this layer). */
export class IntegrityChainError extends EventSerializationError {
  override readonly name = 'IntegrityChainError';
  constructor(
    readonly streamId: string,
    readonly revision: number,
    reason: string,
  ) {
    super(`stream ${streamId} at revision ${revision}: ${reason}`);
  }
}
