import { Role } from '../../platform/auth/role.ts';
import type { Actor } from '../../platform/auth/token-verifier.ts';
import { ownerAuthority, type GroupOwnership } from '../groups/index.ts';
import { DomainError } from '../../platform/shared/domain-error.ts';
import { isId } from '../../platform/shared/identifiers.ts';
import type { AuthorStanding, CaseFile, ModeratorAuthority } from './moderation-case.decider.ts';
import type { Appeal, MemberStanding, ModerationCase } from './moderation.graphql.ts';

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
  file: Pick<CaseFile, 'groupId' | 'authorId'>,
  ownership: GroupOwnership | null,
  /** The owner's certification status now; null when the certification gate is off. */
  ownerCertification: OwnerCertificationStatus | null,
  /** Whether the log shows the case's author acting as a community manager (see hasActedAsCommunityManager). */
  authorActedAsCommunityManager: boolean,
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
    // A co-owner first: the group's stream says so for certain, whatever the author's roles.
    const author: AuthorStanding = ownership?.ownerSince.has(file.authorId)
      ? 'co_owner'
      : authorActedAsCommunityManager
        ? 'community_manager'
        : 'ordinary';
    return { authority: { kind: 'group_owner', groupId: file.groupId, author }, recorded: ownerAuthority(file.groupId, since) };
  }
  // The decider refuses with a message that says what would have been needed.
  return { authority: { kind: 'none' }, recorded: 'none' };
}

/** What an appeal statement reads as for those who may see the case but not the appellant's words. */
export const WITHHELD = '[withheld]';

/**
 * What a viewer may see of a case. Moderators of the case and auditors see everything. The author and the reporters
 * see the case and its outcome but only their own flags: who else reported is not theirs to know. A reporter sees
 * that the decision was appealed, how and when it ended, but not the statement: the author's words about themself are
 * for the author and those who judge or audit the appeal. Anyone else is refused (a case names a member and what they
 * are accused of).
 */
export function caseForViewer(view: ModerationCase, actor: Actor, ownsCaseGroup: boolean): ModerationCase {
  if (ownsCaseGroup || STAFF_READERS.some((role) => actor.roles.includes(role))) return view;
  const ownFlags = view.flags.filter((flag) => flag.reporterId === actor.id);
  if (actor.id === view.authorId) return { ...view, flags: ownFlags };
  if (ownFlags.length > 0) return { ...view, flags: ownFlags, appeal: withheldStatement(view.appeal) };
  throw caseRefused(view.id);
}

/**
 * The refusal for a case the viewer may not see, and equally for one that does not exist (or an id that cannot be one):
 * otherwise the difference would tell anyone whether some content was reported.
 */
export function caseRefused(caseId: string): DomainError {
  const which = isId(caseId) ? `case ${caseId}` : 'a case';
  return new DomainError('FORBIDDEN', `${which} is visible to its moderators, its author and its reporters`);
}

function withheldStatement(appeal: Appeal | null): Appeal | null {
  return appeal === null ? null : { ...appeal, statement: WITHHELD };
}

/** Community managers and auditors see a member's whole standing; the member sees their own, without staff notes. */
export function standingForViewer(standing: Omit<MemberStanding, 'id'>, actor: Actor): Omit<MemberStanding, 'id'> {
  return requireStandingReader(actor, standing.memberId) === 'staff' ? standing : { ...standing, notes: [] };
}

/** Who may read `memberId`'s standing, decided before the id is looked at: a refusal says nothing about the id. */
export function requireStandingReader(actor: Actor, memberId: string): 'staff' | 'self' {
  if (STAFF_READERS.some((role) => actor.roles.includes(role))) return 'staff';
  if (actor.id === memberId) return 'self';
  throw new DomainError('FORBIDDEN', "a member's standing is visible to community managers, auditors and the member");
}

/**
 * Before a case id is validated or looked up: only a community manager may be told that an id is malformed or that a
 * case does not exist. Anyone else could moderate only an existing case of a group they own, which such an id cannot
 * name, so they get the refusal they would get for a case that is not theirs.
 */
export function isCaseModeratorByRole(actor: Actor): boolean {
  return actor.roles.includes(Role.COMMUNITY_MANAGER);
}

export function moderationRefused(): DomainError {
  return new DomainError('FORBIDDEN', "moderating a case needs the role COMMUNITY_MANAGER or ownership of the case's group");
}

/** Community managers and auditors see the whole queue; null means no restriction. */
export function isQueueStaff(actor: Actor): boolean {
  return STAFF_READERS.some((role) => actor.roles.includes(role));
}
