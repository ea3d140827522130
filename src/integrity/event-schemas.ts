import type { EventSchemaDefinition } from '#event-store';
import { LOG_SEAL_EVENT_SCHEMAS } from './log-seal.ts';
import { READ_MODEL_OPERATION_EVENT_SCHEMAS } from './read-model-operations.decider.ts';

/** The events this module writes: seals and seal keys (`log_seal-`), operator actions on read models (`read_model-`). */
export const INTEGRITY_EVENT_SCHEMAS: EventSchemaDefinition[] = [...LOG_SEAL_EVENT_SCHEMAS, ...READ_MODEL_OPERATION_EVENT_SCHEMAS];
