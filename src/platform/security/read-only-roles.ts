import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { GqlExecutionContext, type GqlContextType } from '@nestjs/graphql';
import type { GraphQLResolveInfo } from 'graphql';
import type { RequestContext } from '../auth/request-context.ts';
import { Role } from '../auth/role.ts';
import type { Actor } from '../auth/token-verifier.ts';
import { DomainError } from '../shared/domain-error.ts';

/** The roles whose token is a read-only credential, whatever other roles it carries. */
export const READ_ONLY_ROLES: readonly Role[] = [Role.AUDITOR];

/**
 * Auditors read; they change nothing. A token that carries the role AUDITOR is a read-only credential, whatever other
 * roles it carries: nothing is ever changed on an auditor's authority. Without this, the mutations that any signed-in
 * member may call for themself (reporting content, nominating, accepting an agreement, enrolling, consent, privacy
 * settings...) were open to an auditor's token too, and so was every community manager's mutation to a token that
 * carried both roles. Someone who is both an auditor and a community manager acts with another token.
 */
export function refuseReadOnlyActor(actor: Actor | null): void {
  const readOnly = actor ? READ_ONLY_ROLES.find((role) => actor.roles.includes(role)) : undefined;
  if (readOnly) {
    throw new DomainError('FORBIDDEN', `a token with the role ${readOnly} is read-only: auditors change nothing (act with another token)`);
  }
}

/**
 * The rule for every mutation of the schema, in one place: a global guard (registered as APP_GUARD in AppModule) runs
 * before each root resolver Nest builds, so a mutation refuses a read-only token before its resolver reads its
 * arguments, whether it appends events (the command pipeline refuses too) or not (rebuildProjection). A new mutation
 * cannot forget it, since every resolver of the schema is a Nest resolver. Queries and subscriptions pass untouched.
 */
@Injectable()
export class ReadOnlyMutationGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    if (context.getType<GqlContextType>() !== 'graphql') return true;
    const gql = GqlExecutionContext.create(context);
    if (gql.getInfo<GraphQLResolveInfo>().operation.operation !== 'mutation') return true;
    refuseReadOnlyActor(gql.getContext<RequestContext>().actor ?? null);
    return true;
  }
}
