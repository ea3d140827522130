// What a signed-in person sees follows the roles of their token (as `me` reports them). The API decides what is
// allowed; the console only leaves out what would be refused anyway.

export type Role = 'COMMUNITY_MANAGER' | 'GROUP_OWNER' | 'MEMBER' | 'AUDITOR' | 'PRIVACY_OFFICER';
export const ROLES: readonly Role[] = ['COMMUNITY_MANAGER', 'GROUP_OWNER', 'MEMBER', 'AUDITOR', 'PRIVACY_OFFICER'];

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
  | 'audit'
  | 'insights'
  | 'adoption';

export const AREAS: Readonly<Record<Area, readonly Role[]>> = {
  moderation: ['COMMUNITY_MANAGER', 'GROUP_OWNER', 'AUDITOR'],
  members: ['COMMUNITY_MANAGER', 'AUDITOR'],
  groups: ['COMMUNITY_MANAGER', 'GROUP_OWNER', 'AUDITOR'],
  training: ['COMMUNITY_MANAGER', 'AUDITOR'],
  certification: ['COMMUNITY_MANAGER', 'AUDITOR'],
  myCertification: ['GROUP_OWNER'],
  ambassadors: ['COMMUNITY_MANAGER', 'AUDITOR'],
  agreements: ['COMMUNITY_MANAGER', 'AUDITOR', 'GROUP_OWNER', 'PRIVACY_OFFICER'],
  privacy: ['PRIVACY_OFFICER'],
  audit: ['AUDITOR', 'COMMUNITY_MANAGER'],
  insights: ['COMMUNITY_MANAGER', 'AUDITOR'],
  adoption: ['COMMUNITY_MANAGER', 'AUDITOR'],
};

export type Action = 'moderate' | 'suspend' | 'decideAppeal' | 'writeNotes' | 'readNotes' | 'exportAudit' | 'manage';

const ACTIONS: Readonly<Record<Action, readonly Role[]>> = {
  // Owners moderate their groups' cases (the API checks ownership and certification), never a suspension.
  moderate: ['COMMUNITY_MANAGER', 'GROUP_OWNER'],
  suspend: ['COMMUNITY_MANAGER'],
  decideAppeal: ['COMMUNITY_MANAGER'],
  writeNotes: ['COMMUNITY_MANAGER'],
  readNotes: ['COMMUNITY_MANAGER', 'AUDITOR'],
  exportAudit: ['AUDITOR', 'COMMUNITY_MANAGER'],
  // Groups and owners, certifications, ambassadors, agreement versions, KPI targets.
  manage: ['COMMUNITY_MANAGER'],
};

export function canSee(roles: readonly string[], area: Area): boolean {
  return AREAS[area].some((role) => roles.includes(role));
}

/** What only reads; every other action changes something, which the API refuses to any token carrying AUDITOR. */
const READ_ACTIONS: ReadonlySet<Action> = new Set<Action>(['readNotes', 'exportAudit']);

export function can(roles: readonly string[], action: Action): boolean {
  if (!READ_ACTIONS.has(action) && roles.includes('AUDITOR')) return false;
  return ACTIONS[action].some((role) => roles.includes(role));
}

export function visibleAreas(roles: readonly string[]): Area[] {
  return (Object.keys(AREAS) as Area[]).filter((area) => canSee(roles, area));
}

/** Where a person lands after signing in: their first area, or the agreements any member reads. */
export function homeArea(roles: readonly string[]): Area {
  return visibleAreas(roles)[0] ?? 'agreements';
}
