import type { GovernanceEventStore } from '#event-store';
import { Role } from '../../platform/auth/role.ts';

/**
 * Whether the log shows `memberId` acting as a community manager: an event whose metadata names them as its actor with
 * the role COMMUNITY_MANAGER. Roles come only from tokens and no stream records who holds one, so this is the only
 * recorded fact there is: a community manager who has never acted with the role is not known as one. Read from the
 * log at the moment of the decision, like a group's ownership: one history query for a single event by actor and role
 * (indexed by actor on PostgreSQL, and in the log index on EventStoreDB), never the actor's whole history in pages.
 */
export async function hasActedAsCommunityManager(events: Pick<GovernanceEventStore, 'readHistory'>, memberId: string): Promise<boolean> {
  const page = await events.readHistory({
    direction: 'forwards',
    maxCount: 1,
    filter: { actorId: memberId, actorRole: Role.COMMUNITY_MANAGER },
  });
  return page.events.length > 0;
}
