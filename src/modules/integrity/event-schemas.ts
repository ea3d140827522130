import type { EventSchemaDefinition } from '#event-store';
import { LOG_SEAL_EVENT_SCHEMAS } from './log-seal.ts';
import { OPERATOR_ACTION_EVENT_SCHEMAS } from './operator-actions.decider.ts';
import { READ_MODEL_OPERATION_EVENT_SCHEMAS } from './read-model-operations.decider.ts';

/**
 * The events this module writes: seals and seal keys (`log_seal-`), operator actions on read models (`read_model-`)
 * and the other operator actions (`operator-`).
 */
export const INTEGRITY_EVENT_SCHEMAS: EventSchemaDefinition[] = [
  ...LOG_SEAL_EVENT_SCHEMAS,
  ...READ_MODEL_OPERATION_EVENT_SCHEMAS,
  ...OPERATOR_ACTION_EVENT_SCHEMAS,
];
