export type { EventMetadata } from './event-metadata.ts';
export { EventSchemaRegistry, type EventSchema, type EventSchemaDefinition, type PersonalDataDeclaration } from './event-schema.ts';
export type { Upcaster } from './upcasters.ts';
export {
  checkLink,
  computeEventHash,
  storedHash,
  verifyChain,
  verifyLog,
  ZERO_HASH,
  type BrokenLink,
  type ChainVerification,
  type VerifyLogOptions,
} from './integrity.ts';
export { PostgresKeyStore, REDACTED, type KeyLookup, type KeyStore, type PostgresKeyStoreOptions } from './personal-data.ts';
export { deterministicEventId } from './event-ids.ts';
export {
  GovernanceEventStore,
  previousAfter,
  type AppendedEvent,
  type GovernanceAppendOptions,
  type GovernanceAppendResult,
  type GovernanceEventStoreOptions,
  type GovernanceHistoryPage,
  type GovernanceReadAllPage,
  type NewEvent,
  type StoredEvent,
} from './governance-event-store.ts';
export {
  EventSchemaDefinitionError,
  EventSerializationError,
  IntegrityChainError,
  MissingUpcasterError,
  PersonalDataDecryptionError,
  UnknownEventTypeError,
  UnsupportedSchemaVersionError,
} from './errors.ts';
