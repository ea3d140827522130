import type { RequestContext } from '../../platform/auth/request-context.ts';
import { requireSelfOrRole } from '../../platform/auth/request-context.ts';
import { Role } from '../../platform/auth/role.ts';

/** Whether a member accepted an agreement is for the member, community managers and auditors. */
export function requireAcceptanceReader(context: RequestContext, memberId: string): void {
  requireSelfOrRole(context, memberId, [Role.COMMUNITY_MANAGER, Role.AUDITOR], "reading a member's agreement acceptance");
}
