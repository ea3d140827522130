import { DomainError } from '../shared/domain-error.ts';
import type { MutationCall } from '../command/command-inputs.ts';
import type { Role } from './role.ts';
import type { Actor } from './token-verifier.ts';

/** What every resolver knows about the request: who asks (null without a token) and the correlation id. */
export interface RequestContext {
  readonly actor: Actor | null;
  readonly correlationId: string;
  /**
   * The mutation being resolved, as the client sent it (set by MutationCallRecorder before its resolver runs; mutations
   * of one request run one after another). What a commandId is bound to.
   */
  mutation?: MutationCall;
  /** What kind of caller this is, recorded as the events' `source`: 'api' (GraphQL) unless said otherwise. */
  readonly source?: 'api' | 'provisioning';
}

export class UnauthenticatedError extends Error {
  override readonly name = 'UnauthenticatedError';
}

export function requireActor(context: RequestContext): Actor {
  if (!context.actor) throw new UnauthenticatedError('sign in: this needs a bearer token (Authorization: Bearer <token>)');
  return context.actor;
}

/** The actor, when they hold one of `roles`; the role that allowed them is the recorded authority. */
export function requireRole(context: RequestContext, roles: readonly Role[], action: string): { actor: Actor; authority: string } {
  const actor = requireActor(context);
  const held = roles.find((role) => actor.roles.includes(role));
  if (!held) throw new DomainError('FORBIDDEN', `${action} needs the role ${roles.join(' or ')}`);
  return { actor, authority: `role:${held}` };
}

/**
 * The actor, when they act on their own behalf (`memberId` is theirs) or hold one of `roles`. The recorded authority
 * says which: "self", or the role.
 */
export function requireSelfOrRole(
  context: RequestContext,
  memberId: string,
  roles: readonly Role[],
  action: string,
): { actor: Actor; authority: string } {
  const actor = requireActor(context);
  if (actor.id === memberId) return { actor, authority: 'self' };
  const held = roles.find((role) => actor.roles.includes(role));
  if (!held) {
    throw new DomainError(
      'FORBIDDEN',
      `${action} is for the member themself${roles.length > 0 ? ` or the role ${roles.join(' or ')}` : ''}`,
    );
  }
  return { actor, authority: `role:${held}` };
}
