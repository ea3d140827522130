// What a signed-in person sees follows what the API would allow them: the roles of their token (as `me` reports them)
// and, for group owners, the groups they own now (`me { ownedGroups }`). Ownership is governance state, never a token
// claim: a token carrying only MEMBER may own groups, and a token's GROUP_OWNER role names no group (the API never
// reads it). The API decides what is allowed; the console only leaves out what would be refused anyway.

import type { Outcome } from './moderation.ts';

export type Role = 'COMMUNITY_MANAGER' | 'GROUP_OWNER' | 'MEMBER' | 'AUDITOR' | 'PRIVACY_OFFICER';
export const ROLES: readonly Role[] = ['COMMUNITY_MANAGER', 'GROUP_OWNER', 'MEMBER', 'AUDITOR', 'PRIVACY_OFFICER'];

/** Who the console serves: their id, their token's roles and the groups they own now. */
export interface Viewer {
  readonly id: string;
  readonly roles: readonly string[];
  readonly ownedGroups: readonly { readonly id: string }[];
}

/** Whom an area is for: a token role, or OWNER (whoever owns a group now, whatever their token says). */
export type Audience = Role | 'OWNER';

export type Area =
  | 'moderation'
  | 'members'
  | 'groups'
  | 'training'
  | 'certification'
  | 'myCertification'
  | 'ambassadors'
  | 'agreements'
  | 'privacy'
  | 'myPrivacy'
  | 'audit'
  | 'insights'
  | 'adoption'
  | 'notifications'
  | 'webhooks';

export const AREAS: Readonly<Record<Area, readonly Audience[]>> = {
  // The queue is for community managers, auditors and the owners of a group (anyone else is refused).
  moderation: ['COMMUNITY_MANAGER', 'AUDITOR', 'OWNER'],
  members: ['COMMUNITY_MANAGER', 'AUDITOR'],
  groups: ['COMMUNITY_MANAGER', 'AUDITOR', 'OWNER'],
  training: ['COMMUNITY_MANAGER', 'AUDITOR'],
  certification: ['COMMUNITY_MANAGER', 'AUDITOR'],
  // myCertification and one's own training enrolments: every member reads and records their own.
  myCertification: ['MEMBER', 'GROUP_OWNER', 'OWNER'],
  ambassadors: ['COMMUNITY_MANAGER', 'AUDITOR'],
  // Agreements are the community's rules: any signed-in member reads them.
  agreements: ['COMMUNITY_MANAGER', 'AUDITOR', 'GROUP_OWNER', 'PRIVACY_OFFICER', 'MEMBER', 'OWNER'],
  privacy: ['PRIVACY_OFFICER'],
  // One's own privacy settings, consents and erasure request: what the API lets every member do for themself.
  myPrivacy: ['MEMBER', 'GROUP_OWNER', 'OWNER'],
  audit: ['AUDITOR', 'COMMUNITY_MANAGER'],
  insights: ['COMMUNITY_MANAGER', 'AUDITOR'],
  adoption: ['COMMUNITY_MANAGER', 'AUDITOR'],
  // The delivery log and the webhooks: community managers manage them, auditors read them (see can(…, 'manage')).
  notifications: ['COMMUNITY_MANAGER', 'AUDITOR'],
  webhooks: ['COMMUNITY_MANAGER', 'AUDITOR'],
};

export type Action = 'moderate' | 'suspend' | 'decideAppeal' | 'writeNotes' | 'readNotes' | 'exportAudit' | 'manage';

const ACTIONS: Readonly<Record<Action, readonly Role[]>> = {
  // By role, community managers only: an owner moderates the cases of the groups they own (see caseActions).
  moderate: ['COMMUNITY_MANAGER'],
  suspend: ['COMMUNITY_MANAGER'],
  decideAppeal: ['COMMUNITY_MANAGER'],
  writeNotes: ['COMMUNITY_MANAGER'],
  readNotes: ['COMMUNITY_MANAGER', 'AUDITOR'],
  exportAudit: ['AUDITOR', 'COMMUNITY_MANAGER'],
  // Groups and owners, certifications, ambassadors, agreement versions, KPI targets.
  manage: ['COMMUNITY_MANAGER'],
};

/** Whether the viewer owns at least one group now. */
export function ownsAGroup(viewer: Viewer): boolean {
  return viewer.ownedGroups.length > 0;
}

export function canSee(viewer: Viewer, area: Area): boolean {
  return AREAS[area].some((audience) => (audience === 'OWNER' ? ownsAGroup(viewer) : viewer.roles.includes(audience)));
}

/** What only reads; every other action changes something, which the API refuses to any token carrying AUDITOR. */
const READ_ACTIONS: ReadonlySet<Action> = new Set<Action>(['readNotes', 'exportAudit']);

export function can(roles: readonly string[], action: Action): boolean {
  if (!READ_ACTIONS.has(action) && roles.includes('AUDITOR')) return false;
  return ACTIONS[action].some((role) => roles.includes(role));
}

export function visibleAreas(viewer: Viewer): Area[] {
  return (Object.keys(AREAS) as Area[]).filter((area) => canSee(viewer, area));
}

/** Where a person lands after signing in: their first area, or the agreements any member reads. */
export function homeArea(viewer: Viewer): Area {
  return visibleAreas(viewer)[0] ?? 'agreements';
}

// ---------------------------------------------------------------- a case's actions

/** A certification status as the API reports it. */
export type CertificationStatus = 'NOT_CERTIFIED' | 'CERTIFIED' | 'DUE_FOR_RENEWAL' | 'EXPIRED' | 'SUSPENDED' | 'REVOKED';

/** What the case page knows of a case when it decides which actions to offer. */
export interface CaseFacts {
  readonly status: 'OPEN' | 'IN_REVIEW' | 'DECIDED' | 'APPEALED' | 'CLOSED';
  readonly assignedTo: string | null;
  readonly authorId: string;
  readonly groupId: string | null;
  readonly flags: readonly { readonly reporterId: string }[];
  readonly decision: { readonly decidedBy: string } | null;
  readonly appeal: { readonly outcome: string | null } | null;
}

/** The case's group as the API reports it now, with the viewer's own certification status (null: not known). */
export interface CaseGroupFacts {
  readonly owners: readonly string[];
  readonly requiresCertification: boolean;
  readonly viewerCertification: CertificationStatus | null;
  /** The service checks owners' certification (CERTIFICATION_GATE); off, no certification bars an owner. */
  readonly certificationGate: boolean;
}

/** Why the viewer may not moderate the case (shown instead of the buttons), or null when they may. */
export type CaseBar =
  'readOnly' | 'notModerator' | 'ownContent' | 'reported' | 'claimedByOther' | 'certificationLapsed' | 'certificationRequired';

export interface CaseActions {
  /** Claim the case (or, a community manager, take it over from its claimer). */
  readonly claim: boolean;
  /** Record a decision (deciding an open case claims it on the way). */
  readonly decide: boolean;
  /** The outcomes the viewer may record. */
  readonly outcomes: readonly Outcome[];
  /** Whether the viewer's authority is ownership of the case's group (their sanctions are limited). */
  readonly asOwner: boolean;
  /** Why claim and decide are not offered; null when they are, or when the case needs no moderation. */
  readonly bar: CaseBar | null;
  readonly decideAppeal: boolean;
  /** Why an open appeal is not offered to a community manager; null otherwise. */
  readonly appealBar: 'fourEyes' | 'ownAppeal' | 'reported' | null;
}

const LAPSED: readonly CertificationStatus[] = ['EXPIRED', 'SUSPENDED', 'REVOKED'];
const ALL_OUTCOMES: readonly Outcome[] = ['NO_ACTION', 'HIDE_CONTENT', 'REMOVE_CONTENT', 'WARN_MEMBER', 'SUSPEND_MEMBER'];

/**
 * Which of claim, decide and decide-appeal the case page offers: the API's rules (README, Moderation) as far as the
 * console can know them, so that nobody is offered a step only to be told FORBIDDEN. Community managers moderate
 * every case; the owners of the case's group moderate its cases while their certification allows it (the gate:
 * lapsed certifications bar every owner, none at all bars the owners of a group that requires it), never a
 * suspension, and never a sanction against a co-owner. Nobody moderates a case about their own content or one they
 * reported. A claimed case is decided by its claimer; only a community manager takes one over.
 */
export function caseActions(viewer: Viewer, file: CaseFacts, group: CaseGroupFacts | null): CaseActions {
  const none = { claim: false, decide: false, outcomes: [], asOwner: false } as const;
  const appeal = appealActions(viewer, file);
  const decidable = file.status === 'OPEN' || file.status === 'IN_REVIEW';
  const communityManager = viewer.roles.includes('COMMUNITY_MANAGER');
  // The group as just read is fresher than the ownership read at sign-in.
  const owner = file.groupId !== null && (group ? group.owners.includes(viewer.id) : viewer.ownedGroups.some((g) => g.id === file.groupId));
  const bar = (why: CaseBar): CaseActions => ({ ...none, bar: decidable ? why : null, ...appeal });
  if (viewer.roles.includes('AUDITOR')) return bar('readOnly');
  if (!communityManager && !owner) return bar('notModerator');
  if (!decidable) return { ...none, bar: null, ...appeal };
  if (viewer.id === file.authorId) return bar('ownContent');
  if (file.flags.some((flag) => flag.reporterId === viewer.id)) return bar('reported');
  if (communityManager) {
    const mine = file.assignedTo === null || file.assignedTo === viewer.id;
    return { claim: file.assignedTo !== viewer.id, decide: mine, outcomes: ALL_OUTCOMES, asOwner: false, bar: null, ...appeal };
  }
  const certification = group?.certificationGate === false ? null : (group?.viewerCertification ?? null);
  if (certification !== null && LAPSED.includes(certification)) return bar('certificationLapsed');
  if (certification === 'NOT_CERTIFIED' && group?.requiresCertification) return bar('certificationRequired');
  if (file.assignedTo !== null && file.assignedTo !== viewer.id) return bar('claimedByOther');
  // Against a co-owner, an owner only dismisses the report (NO_ACTION): a community manager decides a sanction.
  const coOwnerAuthor = group?.owners.includes(file.authorId) ?? false;
  const outcomes = coOwnerAuthor ? (['NO_ACTION'] as const) : ALL_OUTCOMES.filter((o) => o !== 'SUSPEND_MEMBER');
  return { claim: file.assignedTo === null, decide: true, outcomes, asOwner: true, bar: null, ...appeal };
}

function appealActions(viewer: Viewer, file: CaseFacts): Pick<CaseActions, 'decideAppeal' | 'appealBar'> {
  const open = file.status === 'APPEALED' && file.appeal !== null && file.appeal.outcome === null;
  if (!open || !can(viewer.roles, 'decideAppeal')) return { decideAppeal: false, appealBar: null };
  // Four eyes: not who decided; nor the appellant (the author), nor whoever reported the case.
  if (file.decision?.decidedBy === viewer.id) return { decideAppeal: false, appealBar: 'fourEyes' };
  if (file.authorId === viewer.id) return { decideAppeal: false, appealBar: 'ownAppeal' };
  if (file.flags.some((flag) => flag.reporterId === viewer.id)) return { decideAppeal: false, appealBar: 'reported' };
  return { decideAppeal: true, appealBar: null };
}
