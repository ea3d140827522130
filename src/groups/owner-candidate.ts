import { foldState, StreamNotFoundError, type GovernanceEventStore } from '#event-store';
import { memberDecider, memberStreamId } from '../members/member.decider.ts';
import type { OwnerCandidate } from './group.decider.ts';

/** Whether a member may own a group is decided from the member's own events, not from a read model or a token. */
export async function ownerCandidate(events: GovernanceEventStore, memberId: string): Promise<OwnerCandidate> {
  try {
    return { status: foldState(memberDecider, await events.readStream(memberStreamId(memberId))).status };
  } catch (error) {
    if (error instanceof StreamNotFoundError) return { status: 'unregistered' };
    throw error;
  }
}
