import { Role } from '../../platform/auth/role.ts';
import type { Actor } from '../../platform/auth/token-verifier.ts';
import type { AmbassadorAnswer } from './read-models/ambassadors.queries.ts';

/**
 * Anyone signed in sees who the ambassadors are. The motivation of the nomination and the reason of an offboarding
 * are about the member: community managers and the member themself see them, for anyone else they are null.
 */
export function ambassadorForViewer(view: AmbassadorAnswer, actor: Actor): AmbassadorAnswer {
  if (actor.id === view.memberId || actor.roles.includes(Role.COMMUNITY_MANAGER)) return view;
  return { ...view, motivation: null, offboardReason: null };
}
