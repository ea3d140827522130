import { Role } from '../../platform/auth/role.ts';
import type { Actor } from '../../platform/auth/token-verifier.ts';
import type { AmbassadorStatus } from './ambassador.decider.ts';
import type { AmbassadorAnswer } from './read-models/ambassadors.queries.ts';

/**
 * The enrolments every signed-in member sees: the programme's ambassadors, present and past. A nomination still
 * under consideration, or one that was turned down, is between the nominee, whoever nominated them and the
 * programme's staff: to colleagues it would read as a verdict on a person who never became an ambassador.
 */
export const PUBLIC_AMBASSADOR_STATUSES: readonly AmbassadorStatus[] = ['APPROVED', 'ACTIVE', 'INACTIVE', 'OFFBOARDED'];

/** Community managers (who run the programme) and auditors see every enrolment; anyone else, see forViewer. */
export function seesEveryEnrolment(actor: Actor): boolean {
  return actor.roles.includes(Role.COMMUNITY_MANAGER) || actor.roles.includes(Role.AUDITOR);
}

/**
 * The enrolment as `actor` may see it, or null where they may not see it at all (see PUBLIC_AMBASSADOR_STATUSES; the
 * nominee and the nominator always see it). The motivation of the nomination and the reason of an offboarding are
 * about the member: community managers and the member themself see them, for anyone else they are null. Earlier
 * enrolments follow the same rule as the current one.
 */
export function ambassadorForViewer(view: AmbassadorAnswer, actor: Actor): AmbassadorAnswer | null {
  if (actor.id === view.memberId || actor.roles.includes(Role.COMMUNITY_MANAGER)) return view;
  const everything = seesEveryEnrolment(actor);
  const visible = (enrolment: { readonly status: AmbassadorStatus; readonly nominatedBy: string }) =>
    everything || PUBLIC_AMBASSADOR_STATUSES.includes(enrolment.status) || enrolment.nominatedBy === actor.id;
  if (!visible(view)) return null;
  return { ...view, motivation: null, offboardReason: null, history: view.history.filter(visible) };
}
