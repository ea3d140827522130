import { foldState, StreamNotFoundError, type GovernanceEventStore, type StoredEvent } from '#event-store';
import { notFound } from '../../platform/shared/domain-error.ts';
import { memberDecider, memberStreamId } from './member.decider.ts';

export type MemberStreamStatus = 'active' | 'left' | 'unregistered';

/** A member's status as their own stream says now: what other modules decide on, never a read model or a token. */
export async function readMemberStatus(events: GovernanceEventStore, memberId: string): Promise<MemberStreamStatus> {
  // Without the personal fields: the status needs none of them, so no key is read and nothing is decrypted.
  let history: readonly StoredEvent[];
  try {
    history = await events.readStreamWithoutPersonalData(memberStreamId(memberId));
  } catch (error) {
    // A member never registered has no stream: the decider's initial state, 'unregistered'.
    if (error instanceof StreamNotFoundError) return 'unregistered';
    throw error;
  }
  return foldState(memberDecider, history).status;
}

/** NOT_FOUND (naming the field) unless the member was ever registered; a member who left still counts. */
export async function requireRegisteredMember(events: GovernanceEventStore, memberId: string, field = 'memberId'): Promise<void> {
  if ((await readMemberStatus(events, memberId)) === 'unregistered') throw notFound(`member ${memberId} is not registered`, { field });
}
