import { Role } from '../../platform/auth/role.ts';
import type { Actor } from '../../platform/auth/token-verifier.ts';
import type { DirectoryReader } from './read-models/members.queries.ts';

/**
 * Who reads every entry of the directory, listed or not: those who keep it (community managers), audit it (auditors)
 * or answer members' privacy requests (privacy officers). A GROUP_OWNER is a member here: owning a group is no reason
 * to find someone who asked not to be listed.
 */
export const DIRECTORY_STAFF: readonly Role[] = [Role.COMMUNITY_MANAGER, Role.AUDITOR, Role.PRIVACY_OFFICER];

export function directoryReaderOf(actor: Actor): DirectoryReader {
  return DIRECTORY_STAFF.some((role) => actor.roles.includes(role)) ? { seesUnlisted: true } : { seesUnlisted: false, memberId: actor.id };
}
