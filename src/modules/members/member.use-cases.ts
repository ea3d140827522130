import { Role } from '../../platform/auth/role.ts';
import { idInStream, useCasesFor, type UseCaseRequest } from '../../platform/command/use-case.ts';
import { requireId } from '../../platform/shared/identifiers.ts';
import { memberDecider, memberStreamId } from './member.decider.ts';
import { toMember, type Member, type RecordMemberLeftInput, type RegisterMemberInput, type UpdateMemberInput } from './member.graphql.ts';
import { MEMBERS_PROJECTION } from './read-models/members.projection.ts';
import { memberAfterCommand } from './read-models/members.queries.ts';

const memberUseCase = useCasesFor(memberDecider);

/** What every directory mutation shares: who keeps the directory, the member's stream, and the member as it now is. */
const memberDirectory = {
  // The member directory is kept by community managers today (an HR or identity-provider sync later).
  roles: [Role.COMMUNITY_MANAGER],
  readModels: [MEMBERS_PROJECTION],
  // The reason for leaving is personal data: the MemberLeft event carries it encrypted, the metadata not at all.
  reasonIsPersonal: true,
  stream: ({ input }: UseCaseRequest<{ memberId: string }>) => memberStreamId(requireId(input.memberId, 'memberId')),
  // The caller is a community manager, who reads every member.
  answer: async ({ services }: UseCaseRequest<unknown>, { streamId }: { readonly streamId: string }) =>
    toMember(await memberAfterCommand(services.db, idInStream(streamId))),
} as const;

export const registerMember = memberUseCase<RegisterMemberInput, Member>({
  ...memberDirectory,
  action: 'registering a member',
  command: ({ input }) => ({
    type: 'RegisterMember',
    memberId: input.memberId,
    displayName: input.displayName,
    department: input.department,
  }),
});

export const updateMember = memberUseCase<UpdateMemberInput, Member>({
  ...memberDirectory,
  action: 'updating a member',
  command: ({ input }) => ({
    type: 'UpdateMember',
    memberId: input.memberId,
    displayName: input.displayName ?? null,
    department: input.department ?? null,
  }),
});

export const recordMemberLeft = memberUseCase<RecordMemberLeftInput, Member>({
  ...memberDirectory,
  action: 'recording that a member left',
  command: ({ input }) => ({ type: 'RecordMemberLeft', memberId: input.memberId, reason: input.reason ?? null }),
});
