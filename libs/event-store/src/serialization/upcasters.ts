import type { EventSchema } from './event-schema.ts';
import { MissingUpcasterError, UnsupportedSchemaVersionError } from './errors.ts';

/**
 * Turns the data of one schema version into the data of the next. Runs on read only: stored events are never
 * rewritten. Personal fields arrive decrypted, or as the string "[redacted]" once the subject was forgotten, so an
 * upcaster that reshapes a personal field must accept that string too.
 */
export type Upcaster = (data: Record<string, unknown>) => Record<string, unknown>;

export interface UpcastResult {
  readonly data: Record<string, unknown>;
  readonly schemaVersion: number;
}

/**
 * Brings stored data up to the current version of its type. An unknown type passes through at its stored version,
 * because the audit must show every event, including those of types this code no longer (or not yet) knows.
 */
export function upcast(schema: EventSchema | undefined, type: string, storedVersion: number, data: Record<string, unknown>): UpcastResult {
  if (!schema) return { data, schemaVersion: storedVersion };
  if (storedVersion > schema.schemaVersion) throw new UnsupportedSchemaVersionError(type, storedVersion, schema.schemaVersion);
  let current = data;
  for (let version = storedVersion; version < schema.schemaVersion; version++) {
    const step = schema.upcasters.get(version);
    if (!step) throw new MissingUpcasterError(type, version);
    current = step(current);
  }
  return { data: current, schemaVersion: schema.schemaVersion };
}
