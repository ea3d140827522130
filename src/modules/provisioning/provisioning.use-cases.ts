import { Role } from '../../platform/auth/role.ts';
import type { MutationInput } from '../../platform/command/command-pipeline.ts';
import { idInStream, useCasesFor, type UseCaseRequest } from '../../platform/command/use-case.ts';
import { requireId } from '../../platform/shared/identifiers.ts';
import { memberAfterCommand, memberDecider, memberStreamId, MEMBERS_PROJECTION, type MemberView } from '../members/index.ts';
import type { DirectoryUserInput } from './scim/index.ts';

/** A member as the directory describes them, for the member `memberId`. */
export interface ProvisionedMemberInput extends MutationInput {
  readonly memberId: string;
  readonly user: DirectoryUserInput;
}

/**
 * What the member module requires and a directory may leave out: a user without a department is registered in this
 * one, visible as such, until the directory sends theirs.
 */
export const UNASSIGNED_DEPARTMENT = 'Unassigned';

const memberUseCase = useCasesFor(memberDecider);

/** What every provisioning command shares: only the provisioning client, on the member's stream, answered with the member. */
const provisioning = {
  roles: [Role.PROVISIONER],
  readModels: [MEMBERS_PROJECTION],
  stream: ({ input }: UseCaseRequest<{ memberId: string }>) => memberStreamId(requireId(input.memberId, 'memberId')),
  answer: ({ services }: UseCaseRequest<unknown>, { streamId }: { readonly streamId: string }): Promise<MemberView> =>
    memberAfterCommand(services.db, idInStream(streamId)),
} as const;

const directoryAttributes = (user: DirectoryUserInput) => ({
  userName: user.userName,
  externalId: user.externalId,
  emails: user.emails,
  preferredLanguage: user.preferredLanguage,
});

/** A joiner: the member registered from the directory (source `provisioning`). */
export const provisionMember = memberUseCase<ProvisionedMemberInput, MemberView>({
  ...provisioning,
  action: 'provisioning a member',
  command: ({ input }) => ({
    type: 'RegisterMember',
    memberId: input.memberId,
    displayName: input.user.displayName,
    department: input.user.department ?? UNASSIGNED_DEPARTMENT,
    ...directoryAttributes(input.user),
  }),
});

/**
 * A mover: what the directory now says of the member. Only what changed is recorded; the same request twice records
 * nothing the second time (the decider compares). A department the directory no longer sends is kept.
 */
export const changeProvisionedMember = memberUseCase<ProvisionedMemberInput, MemberView>({
  ...provisioning,
  action: 'changing a provisioned member',
  command: ({ input }) => ({
    type: 'UpdateMember',
    memberId: input.memberId,
    displayName: input.user.displayName,
    department: input.user.department,
    ...directoryAttributes(input.user),
  }),
});

/** A leaver: disabled (`active: false`) or deleted in the directory. */
export const deprovisionMember = memberUseCase<{ readonly memberId: string } & MutationInput, MemberView>({
  ...provisioning,
  action: 'deprovisioning a member',
  // Not personal: the directory's own words, the same for every leaver.
  command: ({ input }) => ({ type: 'RecordMemberLeft', memberId: input.memberId, reason: 'left the organisation (directory)' }),
});
