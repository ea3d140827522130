import { InvalidAppendError } from '../errors.ts';

/** Who did it, on what authority, why, and as part of which request. The same for every event of one command. */
export interface EventMetadata {
  readonly actorId: string | null;
  readonly actorRoles: readonly string[];
  /** Why the actor was allowed: a role, or e.g. "owner of group g since revision r". */
  readonly authority: string | null;
  readonly reason: string | null;
  readonly source: 'api' | 'automation' | 'migration' | (string & {});
  readonly correlationId: string;
  readonly causationId: string | null;
  /** Maps to deterministic event ids, which makes a retried command idempotent. */
  readonly commandId: string | null;
  /** ISO time taken from the command, so that deciding stays a pure function of its inputs. */
  readonly occurredAt: string;
}

/** What the metadata JSON text holds besides EventMetadata. */
export interface StoredMetadata {
  readonly metadata: EventMetadata;
  readonly schemaVersion: number;
}

export function validateMetadata(metadata: EventMetadata): void {
  const problems: string[] = [];
  const nullableString = (value: unknown): boolean => value === null || typeof value === 'string';
  if (!nullableString(metadata.actorId)) problems.push('actorId must be a string or null');
  if (!Array.isArray(metadata.actorRoles) || !metadata.actorRoles.every((r) => typeof r === 'string'))
    problems.push('actorRoles must be an array of strings');
  if (!nullableString(metadata.authority)) problems.push('authority must be a string or null');
  if (!nullableString(metadata.reason)) problems.push('reason must be a string or null');
  if (typeof metadata.source !== 'string' || metadata.source.length === 0) problems.push('source must be a non-empty string');
  if (typeof metadata.correlationId !== 'string' || metadata.correlationId.length === 0)
    problems.push('correlationId must be a non-empty string');
  if (!nullableString(metadata.causationId)) problems.push('causationId must be a string or null');
  if (metadata.commandId !== null && (typeof metadata.commandId !== 'string' || metadata.commandId.length === 0)) {
    problems.push('commandId must be a non-empty string or null');
  }
  if (typeof metadata.occurredAt !== 'string' || Number.isNaN(Date.parse(metadata.occurredAt)))
    problems.push('occurredAt must be an ISO date-time');
  if (problems.length > 0) throw new InvalidAppendError(`invalid event metadata: ${problems.join('; ')}`);
}

/**
 * The metadata object in its stored key order. Keys are listed one by one (never spread) so the text does not
 * depend on how the caller built the object, and `hash` can be appended as the last key.
 */
export function storedMetadataObject(metadata: EventMetadata, schemaVersion: number): Record<string, unknown> {
  return {
    actorId: metadata.actorId,
    actorRoles: [...metadata.actorRoles],
    authority: metadata.authority,
    reason: metadata.reason,
    source: metadata.source,
    correlationId: metadata.correlationId,
    causationId: metadata.causationId,
    commandId: metadata.commandId,
    occurredAt: metadata.occurredAt,
    schemaVersion,
  };
}

/**
 * Lenient on purpose: events written around this layer (tools, tests of the port, older code) must still show up
 * in the audit, so missing fields read as null/empty rather than failing the read.
 */
export function parseStoredMetadata(text: string): StoredMetadata {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    raw = {};
  }
  const m = (raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? raw : {}) as Record<string, unknown>;
  const str = (value: unknown): string | null => (typeof value === 'string' ? value : null);
  const version = m['schemaVersion'];
  return {
    metadata: {
      actorId: str(m['actorId']),
      actorRoles: Array.isArray(m['actorRoles']) ? m['actorRoles'].filter((r): r is string => typeof r === 'string') : [],
      authority: str(m['authority']),
      reason: str(m['reason']),
      source: str(m['source']) ?? 'unknown',
      correlationId: str(m['correlationId']) ?? '',
      causationId: str(m['causationId']),
      commandId: str(m['commandId']),
      occurredAt: str(m['occurredAt']) ?? '',
    },
    schemaVersion: typeof version === 'number' && Number.isSafeInteger(version) && version >= 1 ? version : 1,
  };
}
