import { requireActor, type RequestContext } from '../../platform/auth/request-context.ts';
import { Role } from '../../platform/auth/role.ts';
import type { Actor } from '../../platform/auth/token-verifier.ts';
import { DomainError } from '../../platform/shared/domain-error.ts';
import { isId } from '../../platform/shared/identifiers.ts';
import type { StreamDeciderRegistry } from './stream-deciders.ts';

/** Read the whole history, the state of any stream, the integrity of all; AUDITOR only reads. */
export const HISTORY_READERS: readonly Role[] = [Role.AUDITOR, Role.COMMUNITY_MANAGER];
/** Operate the read models (rebuild). */
export const PROJECTION_OPERATORS: readonly Role[] = [Role.COMMUNITY_MANAGER];

export interface AuditScope {
  readonly actor: Actor;
  /** Whole log, or the streams of one member (a privacy officer). */
  readonly memberId: string | null;
}

/**
 * Who may read what of the audit (history, time travel, integrity of one stream, the live feed).
 *
 * AUDITOR and COMMUNITY_MANAGER read everything. A PRIVACY_OFFICER handles members' privacy requests, and reads
 * the history of exactly those members (least privilege): one stream at a time (`streamId` is required), a stream
 * about one member (`member-<id>`, `privacy-<id>`, `moderator_notes-<id>`...: the member-keyed categories of the
 * registry), and only of a member who made a privacy request (the privacy module's `madePrivacyRequest`: an erasure
 * request; a consent or a settings change is the member's own choice and opens nothing). Everyone else is FORBIDDEN,
 * as is the privacy officer outside that scope.
 */
export async function authorizeAuditRead(
  context: RequestContext,
  request: {
    readonly action: string;
    readonly streamId: string | null;
    readonly registry: StreamDeciderRegistry;
    readonly madePrivacyRequest: (memberId: string) => Promise<boolean>;
  },
): Promise<AuditScope> {
  const actor = requireActor(context);
  if (HISTORY_READERS.some((role) => actor.roles.includes(role))) return { actor, memberId: null };
  if (!actor.roles.includes(Role.PRIVACY_OFFICER)) {
    throw new DomainError('FORBIDDEN', `${request.action} needs the role ${HISTORY_READERS.join(' or ')}`);
  }
  const memberKeyed = request.registry.memberKeyedCategories.map((category) => `${category}-<memberId>`).join(', ');
  const scope = `a privacy officer reads the streams of one member who made a privacy request (${memberKeyed})`;
  if (request.streamId === null) throw new DomainError('FORBIDDEN', `${request.action}: ${scope}; name the stream in streamId`);
  const memberId = request.registry.memberOf(request.streamId);
  if (memberId === undefined || !isId(memberId)) {
    throw new DomainError('FORBIDDEN', `${request.action}: ${scope}; ${request.streamId} is not one of them`);
  }
  if (!(await request.madePrivacyRequest(memberId))) {
    throw new DomainError('FORBIDDEN', `${request.action}: ${scope}; member ${memberId} has made no privacy request`);
  }
  return { actor, memberId };
}

/**
 * One event found by its id (node(id) of a GovernanceEvent), with governanceHistory's rules applied to its stream:
 * AUDITOR and COMMUNITY_MANAGER learn whether it exists (the event, or null); a privacy officer gets it only when its
 * stream is one authorizeAuditRead lets them read, and otherwise, whether the id names no event, an ill-formed one or
 * an event of another stream, the same FORBIDDEN, which tells nothing of which (nor of the event's stream); everyone
 * else is FORBIDDEN before anything is looked up, as governanceHistory refuses them.
 */
export async function authorizeEventRead<Event extends { readonly streamId: string }>(
  context: RequestContext,
  request: {
    readonly action: string;
    /** The event, or null; BAD_USER_INPUT for an id that cannot name one. Called only for a caller who may read some history. */
    readonly find: () => Promise<Event | null>;
    readonly registry: StreamDeciderRegistry;
    readonly madePrivacyRequest: (memberId: string) => Promise<boolean>;
  },
): Promise<Event | null> {
  const actor = requireActor(context);
  if (HISTORY_READERS.some((role) => actor.roles.includes(role))) return request.find();
  if (!actor.roles.includes(Role.PRIVACY_OFFICER)) {
    throw new DomainError('FORBIDDEN', `${request.action} needs the role ${HISTORY_READERS.join(' or ')}`);
  }
  const refused = new DomainError(
    'FORBIDDEN',
    `${request.action}: a privacy officer reads the events of the streams of members who made a privacy request, and this id names none of them`,
  );
  const event = await request.find().catch((error: unknown) => {
    if (error instanceof DomainError && error.code === 'BAD_USER_INPUT') return null;
    throw error;
  });
  if (!event) throw refused;
  // authorizeAuditRead's own refusal names the stream: replaced, so that it does not say the event exists.
  await authorizeAuditRead(context, { ...request, streamId: event.streamId }).catch((error: unknown) => {
    throw error instanceof DomainError && error.code === 'FORBIDDEN' ? refused : error;
  });
  return event;
}

/** Only for the whole log (the export, verifying every stream): AUDITOR or COMMUNITY_MANAGER. */
export function authorizeWholeLog(context: RequestContext, action: string): Actor {
  const actor = requireActor(context);
  if (!HISTORY_READERS.some((role) => actor.roles.includes(role))) {
    throw new DomainError('FORBIDDEN', `${action} needs the role ${HISTORY_READERS.join(' or ')}`);
  }
  return actor;
}
