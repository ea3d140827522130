import type { GovernanceEventStore } from '#event-store';
import { readMemberStatus } from '../members/index.ts';
import type { OwnerCandidate } from './group.decider.ts';

/** Whether a member may own a group is decided from the member's own events, not from a read model or a token. */
export async function ownerCandidate(events: GovernanceEventStore, memberId: string): Promise<OwnerCandidate> {
  return { status: await readMemberStatus(events, memberId) };
}
