import { randomUUID } from 'node:crypto';
import { Role } from '../../platform/auth/role.ts';
import { readAfterCommand } from '../../platform/command/read-after-command.ts';
import { idInStream, useCasesFor, type UseCaseRequest } from '../../platform/command/use-case.ts';
import { requireId } from '../../platform/shared/identifiers.ts';
import { groupDecider, groupStreamId } from './group.decider.ts';
import type { AssignGroupOwnerInput, CreateGroupInput, Group, SetGroupCertificationRequirementInput } from './group.graphql.ts';
import { ownerCandidate } from './owner-candidate.ts';
import { GROUPS_PROJECTION } from './read-models/groups.projection.ts';
import { findGroup } from './read-models/groups.queries.ts';

const groupUseCase = useCasesFor(groupDecider);

/** What every group mutation shares: community managers change groups, and the answer is the group as it now is. */
const groupAdministration = {
  roles: [Role.COMMUNITY_MANAGER],
  readModels: [GROUPS_PROJECTION],
  answer: ({ services }: UseCaseRequest<unknown>, { streamId }: { readonly streamId: string }) => {
    const groupId = idInStream(streamId);
    return readAfterCommand(() => findGroup(services.db, groupId), `group ${groupId}`);
  },
} as const;

const groupOf = ({ input }: UseCaseRequest<{ groupId: string }>) => groupStreamId(requireId(input.groupId, 'groupId'));

export const createGroup = groupUseCase<CreateGroupInput, Group>({
  ...groupAdministration,
  action: 'creating a group',
  // Without a client-chosen id, one derived from the commandId keeps a retried command on the same group.
  stream: ({ input }) =>
    groupStreamId(requireId(input.groupId ?? (input.commandId ? `g-${input.commandId}` : `g-${randomUUID()}`), 'groupId')),
  command: ({ input }, { streamId }) => ({ type: 'CreateGroup', groupId: idInStream(streamId), name: input.name }),
});

export const assignGroupOwner = groupUseCase<AssignGroupOwnerInput, Group>({
  ...groupAdministration,
  action: 'assigning a group owner',
  stream: groupOf,
  command: async ({ input, services }) => {
    const memberId = requireId(input.memberId, 'memberId');
    return { type: 'AssignGroupOwner', groupId: input.groupId, memberId, candidate: await ownerCandidate(services.events, memberId) };
  },
});

export const removeGroupOwner = groupUseCase<AssignGroupOwnerInput, Group>({
  ...groupAdministration,
  action: 'removing a group owner',
  stream: groupOf,
  command: ({ input }) => ({
    type: 'RemoveGroupOwner',
    groupId: input.groupId,
    memberId: requireId(input.memberId, 'memberId'),
  }),
});

export const setGroupCertificationRequirement = groupUseCase<SetGroupCertificationRequirementInput, Group>({
  ...groupAdministration,
  action: "setting a group's certification requirement",
  stream: groupOf,
  command: ({ input }) => ({
    type: 'SetGroupCertificationRequirement',
    groupId: input.groupId,
    required: input.required,
  }),
});
