import type { GovernanceEventStore } from '#event-store';
import { Role } from '../auth/role.ts';

/** Events read per page; a member's own actions are few, so most answers take one page. */
const PAGE_SIZE = 500;

/**
 * Whether the log shows `memberId` acting as a community manager: an event whose metadata names them as its actor with
 * the role COMMUNITY_MANAGER. Roles come only from tokens and no stream records who holds one, so this is the only
 * recorded fact there is: a community manager who has never acted with the role is not known as one. Read from the
 * log at the moment of the decision (the audit's indexed history by actor on PostgreSQL), like a group's ownership.
 */
export async function hasActedAsCommunityManager(events: Pick<GovernanceEventStore, 'readHistory'>, memberId: string): Promise<boolean> {
  let after;
  for (;;) {
    const page = await events.readHistory({
      direction: 'forwards',
      maxCount: PAGE_SIZE,
      filter: { actorId: memberId },
      ...(after === undefined ? {} : { after }),
    });
    if (page.events.some((event) => event.metadata.actorRoles.includes(Role.COMMUNITY_MANAGER))) return true;
    const last = page.events.at(-1);
    if (!page.hasMore || last === undefined) return false;
    after = last.position;
  }
}
