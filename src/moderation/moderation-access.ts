import { Role } from '../auth/role.ts';
import type { Actor } from '../auth/token-verifier.ts';
import { ownerAuthority, type GroupOwnership } from '../groups/index.ts';
import { DomainError } from '../shared/domain-error.ts';
import type { CaseFile, ModeratorAuthority } from './moderation-case.decider.ts';
import type { MemberStandingView, ModerationCaseView } from './read-models/moderation.views.ts';

/** A certification status as the certification module reports it (NOT_CERTIFIED when the member has none). */
export type OwnerCertificationStatus = 'NOT_CERTIFIED' | 'CERTIFIED' | 'DUE_FOR_RENEWAL' | 'EXPIRED' | 'SUSPENDED' | 'REVOKED';

/** How moderation learns an owner's certification status (the certification module answers); null: the gate is off. */
export type OwnerCertificationLookup = (memberId: string, at: Date) => Promise<OwnerCertificationStatus>;
export const OWNER_CERTIFICATION = Symbol('OwnerCertificationLookup');

/** Community managers moderate everything; auditors read everything and change nothing. */
const STAFF_READERS = [Role.COMMUNITY_MANAGER, Role.AUDITOR];

/**
 * Why `actor` may moderate the case, from governance state: the community manager role, or ownership of the case's
 * group as the group's own stream records it now (never a token claim). `recorded` is what the events' metadata keeps.
 */
export function moderatorAuthority(
  actor: Actor,
  file: Pick<CaseFile, 'groupId'>,
  ownership: GroupOwnership | null,
  /** The owner's certification status now; null when the certification gate is off. */
  ownerCertification: OwnerCertificationStatus | null,
): { readonly authority: ModeratorAuthority; readonly recorded: string } {
  if (actor.roles.includes(Role.COMMUNITY_MANAGER)) {
    return { authority: { kind: 'community_manager' }, recorded: `role:${Role.COMMUNITY_MANAGER}` };
  }
  const since = file.groupId !== null && ownership?.groupId === file.groupId ? ownership.ownerSince.get(actor.id) : undefined;
  if (file.groupId !== null && since !== undefined) {
    const certification = ownerCertification;
    // Lapsed certifications bar every owner; having none bars only the owners of a group that requires it.
    const barred =
      certification === 'EXPIRED' ||
      certification === 'SUSPENDED' ||
      certification === 'REVOKED' ||
      (certification === 'NOT_CERTIFIED' && ownership?.requiresCertification === true);
    if (barred) return { authority: { kind: 'uncertified_owner', groupId: file.groupId, certification }, recorded: 'none' };
    return { authority: { kind: 'group_owner', groupId: file.groupId }, recorded: ownerAuthority(file.groupId, since) };
  }
  // The decider refuses with a message that says what would have been needed.
  return { authority: { kind: 'none' }, recorded: 'none' };
}

/**
 * What a viewer may see of a case. Moderators of the case and auditors see everything. The author and the reporters
 * see the case and its outcome but only their own flags: who else reported is not theirs to know. Anyone else is
 * refused (a case names a member and what they are accused of).
 */
export function caseForViewer(view: ModerationCaseView, actor: Actor, ownsCaseGroup: boolean): ModerationCaseView {
  if (ownsCaseGroup || STAFF_READERS.some((role) => actor.roles.includes(role))) return view;
  const ownFlags = view.flags.filter((flag) => flag.reporterId === actor.id);
  if (actor.id === view.authorId || ownFlags.length > 0) return { ...view, flags: ownFlags };
  throw new DomainError('FORBIDDEN', `case ${view.id} is visible to its moderators, its author and its reporters`);
}

/** Community managers and auditors see a member's whole standing; the member sees their own, without staff notes. */
export function standingForViewer(standing: MemberStandingView, actor: Actor): MemberStandingView {
  if (STAFF_READERS.some((role) => actor.roles.includes(role))) return standing;
  if (actor.id === standing.memberId) return { ...standing, notes: [] };
  throw new DomainError('FORBIDDEN', "a member's standing is visible to community managers, auditors and the member");
}

/** Community managers and auditors see the whole queue; null means no restriction. */
export function isQueueStaff(actor: Actor): boolean {
  return STAFF_READERS.some((role) => actor.roles.includes(role));
}
