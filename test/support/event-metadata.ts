import { randomUUID } from 'node:crypto';
import type { EventMetadata } from '#event-store';

/**
 * Metadata for events a spec appends directly (not through the API): a community manager acting through the API,
 * with a fresh correlation id; `overrides` for the rest (another actor, authority, command id...).
 */
export function testMetadata(occurredAt: string, overrides: Partial<Omit<EventMetadata, 'occurredAt'>> = {}): EventMetadata {
  return {
    actorId: 'cm-1',
    actorRoles: ['COMMUNITY_MANAGER'],
    authority: 'role:COMMUNITY_MANAGER',
    reason: null,
    source: 'api',
    correlationId: randomUUID(),
    causationId: null,
    commandId: null,
    occurredAt,
    ...overrides,
  };
}
