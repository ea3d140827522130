import { StreamNotFoundError, type GovernanceEventStore } from '#event-store';
import { groupStreamId, isGroupEvent } from './group.decider.ts';

/** A group's owners as its own stream says now, each with the revision that made them an owner. */
export interface GroupOwnership {
  readonly groupId: string;
  /** Member id → revision of the group's stream at which they (last) became an owner. */
  readonly ownerSince: ReadonlyMap<string, number>;
  /** Whether its owners must be certified to moderate its cases. */
  readonly requiresCertification: boolean;
}

/**
 * Read from the group's events, not from a read model or a token: authority that rests on ownership ("owner of group g
 * since revision r") must be what the log says at the moment of the decision. Null when the group does not exist.
 */
export async function readGroupOwnership(events: GovernanceEventStore, groupId: string): Promise<GroupOwnership | null> {
  let history;
  try {
    history = await events.readStream(groupStreamId(groupId));
  } catch (error) {
    if (error instanceof StreamNotFoundError) return null;
    throw error;
  }
  const ownerSince = new Map<string, number>();
  let requiresCertification = false;
  for (const event of history) {
    if (!isGroupEvent(event)) continue;
    switch (event.type) {
      case 'GroupOwnerAssigned':
        if (!ownerSince.has(event.data.memberId)) ownerSince.set(event.data.memberId, event.revision);
        break;
      case 'GroupOwnerRemoved':
        ownerSince.delete(event.data.memberId);
        break;
      case 'GroupCertificationRequirementSet':
        requiresCertification = event.data.required;
        break;
      case 'GroupCreated':
        break;
      default:
        break;
    }
  }
  return { groupId, ownerSince, requiresCertification };
}

/** The authority a decision records for an owner. */
export function ownerAuthority(groupId: string, sinceRevision: number): string {
  return `owner of group ${groupId} since revision ${sinceRevision}`;
}
