import { Role } from '../auth/role.ts';
import type { Actor } from '../auth/token-verifier.ts';
import { DomainError } from '../shared/domain-error.ts';

/**
 * Auditors read; they change nothing. A token that carries the role AUDITOR is a read-only credential, whatever other
 * roles it carries: the command pipeline refuses (FORBIDDEN) every command of such an actor before it is decided, so
 * nothing is ever appended on an auditor's authority. Without this, the mutations that any signed-in member may call
 * for themself (reporting content, nominating, accepting an agreement, enrolling, consent, privacy settings...) were
 * open to an auditor's token too. Someone who is both an auditor and a community manager acts with another token.
 * The mutations restricted to other roles refuse an auditor with their own message first.
 */
export function refuseReadOnlyActor(actor: Actor): void {
  if (actor.roles.includes(Role.AUDITOR)) {
    throw new DomainError('FORBIDDEN', 'a token with the role AUDITOR is read-only: auditors change nothing (act with another token)');
  }
}
