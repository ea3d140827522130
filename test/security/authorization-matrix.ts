import type { Caller, World } from './world.ts';

/**
 * Who may call each operation of the contract. The matrix test (test/e2e/authorization-matrix.e2e.spec.ts) reads the
 * served schema and fails for an operation that has no rule here, so a new query or mutation cannot ship without one.
 *
 * Each rule has one or more cases: arguments (made from the test world, and the caller's own member id for the cases
 * about oneself) and the callers allowed. Every caller is tried: an allowed one must not be refused as FORBIDDEN or
 * UNAUTHENTICATED (NOT_FOUND, BAD_USER_INPUT or CONFLICT are fine: the arguments are only plausible); any other is
 * FORBIDDEN, or UNAUTHENTICATED without a token, and a refused mutation appends nothing.
 *
 * GROUP_OWNER owns the world's group (its case is in that group) and OTHER_GROUP_OWNER another one: both hold the token
 * role GROUP_OWNER, so what tells them apart is governance state. AUDITOR is in no mutation's list: auditors read.
 */
export interface MatrixCase {
  /** What the case is about, for the report ("another member", "themself"). */
  readonly about: string;
  readonly allowed: readonly Caller[];
  readonly variables: (world: World, self: string) => Record<string, unknown>;
}

export type MatrixRule = readonly MatrixCase[];

const SIGNED_IN: readonly Caller[] = ['COMMUNITY_MANAGER', 'GROUP_OWNER', 'OTHER_GROUP_OWNER', 'MEMBER', 'AUDITOR', 'PRIVACY_OFFICER'];
/** Every signed-in member acting for themself, except an auditor: auditors change nothing. */
const ACTORS: readonly Caller[] = SIGNED_IN.filter((caller) => caller !== 'AUDITOR');
const CM: readonly Caller[] = ['COMMUNITY_MANAGER'];
const STAFF_READERS: readonly Caller[] = ['COMMUNITY_MANAGER', 'AUDITOR'];
const NOBODY: readonly Caller[] = [];

const only = (allowed: readonly Caller[], variables: MatrixCase['variables'] = () => ({}), about = 'the world'): MatrixRule => [
  { about, allowed, variables },
];

/** The same operation about another member (`other`) and about the caller themself (`self`). */
const otherAndSelf = (
  other: readonly Caller[],
  self: readonly Caller[],
  variables: (world: World, memberId: string) => Record<string, unknown>,
): MatrixRule => [
  { about: 'another member', allowed: other, variables: (world) => variables(world, world.ids.subject) },
  { about: 'themself', allowed: self, variables: (world, me) => variables(world, me) },
];

export const AUTHORIZATION_MATRIX: Readonly<Record<string, MatrixRule>> = {
  // ------------------------------------------------------------------ queries
  me: only(SIGNED_IN),
  member: only(SIGNED_IN, (w) => ({ id: w.ids.subject })),
  members: only(SIGNED_IN, () => ({ first: 5 })),
  group: only(SIGNED_IN, (w) => ({ id: w.ids.group })),
  groups: only(SIGNED_IN, () => ({ first: 5 })),
  groupsWithUncertifiedOwners: only(STAFF_READERS, () => ({ first: 5 })),
  ownerlessGroups: only(STAFF_READERS, () => ({ first: 5 })),
  notificationDeliveries: only(STAFF_READERS, () => ({ first: 5 })),
  externalGroupMappings: only(STAFF_READERS, () => ({ first: 5 })),
  webhooks: only(STAFF_READERS),
  myNotificationPreferences: only(SIGNED_IN),
  webhookDeliveries: only(STAFF_READERS, () => ({ first: 5 })),
  moderationQueue: [
    { about: 'the whole queue', allowed: [...STAFF_READERS, 'GROUP_OWNER', 'OTHER_GROUP_OWNER'], variables: () => ({ first: 5 }) },
    { about: "one group's queue", allowed: [...STAFF_READERS, 'GROUP_OWNER'], variables: (w) => ({ filter: { groupId: w.ids.group } }) },
  ],
  moderationCase: only([...STAFF_READERS, 'GROUP_OWNER'], (w) => ({ id: w.ids.caseId }), "a case in the owner's group"),
  memberStanding: otherAndSelf(STAFF_READERS, SIGNED_IN, (_w, memberId) => ({ memberId })),
  trainingProgramme: only(SIGNED_IN, (w) => ({ id: w.ids.programme })),
  trainingEnrolment: otherAndSelf(STAFF_READERS, SIGNED_IN, (w, memberId) => ({ programmeId: w.ids.programme, memberId })),
  trainingProgrammes: only(SIGNED_IN, () => ({ first: 5 })),
  // Without memberId a member lists their own enrolments; staff list everyone's.
  trainingEnrolments: [
    ...otherAndSelf(STAFF_READERS, SIGNED_IN, (w, memberId) => ({ programmeId: w.ids.programme, memberId, first: 5 })),
    { about: 'no member named', allowed: SIGNED_IN, variables: () => ({ first: 5 }) },
  ],
  certifications: only(STAFF_READERS, () => ({ first: 5 })),
  certificationLevels: only(SIGNED_IN),
  certification: otherAndSelf(STAFF_READERS, SIGNED_IN, (_w, memberId) => ({ memberId })),
  myCertification: only(SIGNED_IN),
  certificationGate: only(SIGNED_IN),
  ambassadors: only(SIGNED_IN, () => ({ first: 5 })),
  ambassadorCoverage: only(SIGNED_IN),
  agreement: only(SIGNED_IN, (w) => ({ id: w.ids.agreement })),
  agreementAcceptance: otherAndSelf(STAFF_READERS, SIGNED_IN, (w, memberId) => ({ agreementId: w.ids.agreement, memberId })),
  myPendingAgreements: only(SIGNED_IN),
  agreements: only(SIGNED_IN, () => ({ first: 5 })),
  privacySettings: otherAndSelf(['COMMUNITY_MANAGER', 'PRIVACY_OFFICER'], SIGNED_IN, (_w, memberId) => ({ memberId })),
  consents: otherAndSelf(['PRIVACY_OFFICER'], SIGNED_IN, (_w, memberId) => ({ memberId })),
  erasureRequest: otherAndSelf(['PRIVACY_OFFICER'], SIGNED_IN, (_w, memberId) => ({ memberId })),
  // A privacy officer reads the streams of a member who made a privacy request (the erasee did), one at a time.
  governanceHistory: [
    { about: 'the whole log', allowed: STAFF_READERS, variables: () => ({ first: 5 }) },
    {
      about: 'the member stream of someone with a privacy request',
      allowed: [...STAFF_READERS, 'PRIVACY_OFFICER'],
      variables: (w) => ({ filter: { streamId: `member-${w.ids.erasee}` }, first: 5 }),
    },
  ],
  streamStateAt: [
    {
      about: 'the member stream of someone with a privacy request',
      allowed: [...STAFF_READERS, 'PRIVACY_OFFICER'],
      variables: (w) => ({ streamId: `member-${w.ids.erasee}`, revision: 0 }),
    },
    { about: 'a group stream', allowed: STAFF_READERS, variables: (w) => ({ streamId: `group-${w.ids.group}`, revision: 0 }) },
  ],
  verifyHistory: [
    { about: 'the whole log', allowed: STAFF_READERS, variables: () => ({}) },
    {
      about: 'the member stream of someone with a privacy request',
      allowed: [...STAFF_READERS, 'PRIVACY_OFFICER'],
      variables: (w) => ({ streamId: `member-${w.ids.erasee}` }),
    },
  ],
  projections: only(STAFF_READERS),
  latestLogSeal: only(STAFF_READERS),
  sealKeys: only(STAFF_READERS),
  // The roles that may read some history (a privacy officer, their members' streams): the list says nothing about anyone.
  governanceEventTypes: only([...STAFF_READERS, 'PRIVACY_OFFICER']),
  governanceInsights: only(STAFF_READERS, () => ({ period: 'MONTH' })),
  governanceInsightSeries: only(STAFF_READERS, () => ({
    from: new Date(Date.now() - 14 * 86_400_000).toISOString(),
    to: new Date().toISOString(),
    step: 'WEEK',
  })),
  kpiDefinitions: only(STAFF_READERS),
  kpiTargets: only(STAFF_READERS),
  groupsWithoutActivity: only(STAFF_READERS, () => ({ days: 30, first: 5 })),
  // node(id) authorizes each type as its own query does (src/platform/graphql/node.ts): a sample of them.
  node: [
    ...otherAndSelf(STAFF_READERS, SIGNED_IN, (_w, memberId) => ({ id: `MemberStanding/${memberId}` })),
    ...otherAndSelf(['PRIVACY_OFFICER'], SIGNED_IN, (_w, memberId) => ({ id: `Consent/${memberId}/newsletter` })),
    {
      about: "a case in the owner's group",
      allowed: [...STAFF_READERS, 'GROUP_OWNER'],
      variables: (w) => ({ id: `ModerationCase/${w.ids.caseId}` }),
    },
    { about: 'a member', allowed: SIGNED_IN, variables: (w) => ({ id: `Member/${w.ids.subject}` }) },
    // governanceHistory's readers learn that no event has the id (null); a privacy officer, who reads only the events of
    // their members' streams, cannot be told even that: refused as for an event of another stream.
    {
      about: 'an event id that names no event',
      allowed: STAFF_READERS,
      variables: () => ({ id: 'GovernanceEvent/00000000-0000-4000-8000-000000000000' }),
    },
  ],

  // ------------------------------------------------------------------ mutations
  registerMember: only(CM, (w) => ({ input: { memberId: `${w.tag}-new-member`, displayName: 'New', department: 'Sales' } })),
  updateMember: only(CM, (w) => ({ input: { memberId: w.ids.subject, department: 'Research' } })),
  recordMemberLeft: only(CM, (w) => ({ input: { memberId: w.ids.leaver, reason: 'moved on' } })),
  createGroup: only(CM, (w) => ({ input: { groupId: `${w.tag}-new-group`, name: 'Runners' } })),
  assignGroupOwner: only(CM, (w) => ({ input: { groupId: w.ids.spareGroup, memberId: w.ids.spare } })),
  removeGroupOwner: only(CM, (w) => ({ input: { groupId: w.ids.spareGroup, memberId: w.ids.spare } })),
  setGroupCertificationRequirement: only(CM, (w) => ({ input: { groupId: w.ids.spareGroup, required: true } })),

  // Any signed-in member reports content (not their own); the case's group owner and community managers moderate it.
  reportContent: only(ACTORS, (w) => ({
    input: { contentId: `${w.tag}-post-2`, contentType: 'post', authorId: w.ids.subject, groupId: w.ids.group, reason: 'SPAM' },
  })),
  claimModerationCase: only(
    ['GROUP_OWNER', 'COMMUNITY_MANAGER'],
    (w) => ({ input: { caseId: w.ids.caseId } }),
    "a case in the owner's group",
  ),
  decideModerationCase: only(
    ['GROUP_OWNER', 'COMMUNITY_MANAGER'],
    (w) => ({
      input: {
        caseId: w.ids.caseId,
        outcome: 'HIDE_CONTENT',
        reason: 'off-topic spam',
        guideline: { agreementId: w.ids.agreement, version: 1 },
      },
    }),
    "a case in the owner's group",
  ),
  // Only the author of the content appeals, and none of the callers wrote it (moderation.e2e covers the author).
  fileAppeal: only(NOBODY, (w) => ({ input: { caseId: w.ids.caseId, statement: 'It was on topic.' } }), 'a case about someone else'),
  decideAppeal: only(CM, (w) => ({ input: { caseId: w.ids.caseId, outcome: 'UPHELD', reason: 'still spam' } })),
  addModeratorNote: only(CM, (w) => ({ input: { memberId: w.ids.subject, text: 'Reminded of the guidelines.' } })),
  retractModeratorNote: only(CM, (w) => ({ input: { memberId: w.ids.subject, noteId: w.ids.noteId, reason: 'mistaken' } })),

  defineTrainingProgramme: only(CM, (w) => ({
    input: { programmeId: `${w.tag}-programme-2`, title: 'Advanced', modules: [{ id: 'm1', title: 'One', required: true }] },
  })),
  enrolInTraining: otherAndSelf(CM, ACTORS, (w, memberId) => ({ input: { programmeId: w.ids.programme, memberId } })),
  completeTrainingModule: otherAndSelf(CM, ACTORS, (w, memberId) => ({
    input: { programmeId: w.ids.programme, memberId, moduleId: w.ids.selfPacedModule },
  })),
  withdrawFromTraining: otherAndSelf(CM, ACTORS, (w, memberId) => ({ input: { programmeId: w.ids.programme, memberId } })),
  // Not even the member themself: a failure is a community manager's record.
  recordTrainingFailed: otherAndSelf(CM, CM, (w, memberId) => ({ input: { programmeId: w.ids.programme, memberId } })),
  defineCertificationLevel: only(CM, () => ({ input: { level: 2, name: 'Senior', requiredProgrammes: [], validityMonths: 12 } })),
  awardCertification: only(CM, (w) => ({ input: { memberId: w.ids.subject, level: w.ids.level } })),
  renewCertification: only(CM, (w) => ({ input: { memberId: w.ids.subject, reason: 'renewed' } })),
  suspendCertification: only(CM, (w) => ({ input: { memberId: w.ids.subject, reason: 'under review' } })),
  reinstateCertification: only(CM, (w) => ({ input: { memberId: w.ids.subject, reason: 'review closed' } })),
  revokeCertification: only(CM, (w) => ({ input: { memberId: w.ids.subject, reason: 'misconduct' } })),

  // Anyone signed in nominates; community managers decide.
  nominateAmbassador: only(ACTORS, (w) => ({
    input: { memberId: w.ids.subject, department: 'Operations', motivation: 'Helps everyone.' },
  })),
  approveAmbassador: only(CM, (w) => ({ input: { memberId: w.ids.subject } })),
  rejectAmbassador: only(CM, (w) => ({ input: { memberId: w.ids.subject, reason: 'not now' } })),
  activateAmbassador: only(CM, (w) => ({ input: { memberId: w.ids.subject } })),
  deactivateAmbassador: only(CM, (w) => ({ input: { memberId: w.ids.subject } })),
  reactivateAmbassador: only(CM, (w) => ({ input: { memberId: w.ids.subject } })),
  offboardAmbassador: only(CM, (w) => ({ input: { memberId: w.ids.subject, reason: 'stepped down' } })),

  publishAgreementVersion: only(CM, (w) => ({
    input: { agreementId: w.ids.agreement, title: 'Community guidelines', body: 'Be kind, always.', requiresReacceptance: false },
  })),
  // For oneself by design: the caller accepts for themself.
  acceptAgreement: only(ACTORS, (w) => ({ input: { agreementId: w.ids.agreement, version: 1 } }), 'themself'),

  updatePrivacySettings: otherAndSelf(['PRIVACY_OFFICER'], ACTORS, (_w, memberId) => ({ input: { memberId, directoryListed: false } })),
  giveConsent: otherAndSelf(NOBODY, ACTORS, (_w, memberId) => ({ input: { memberId, purpose: 'newsletter', noticeVersion: 'v1' } })),
  withdrawConsent: otherAndSelf(NOBODY, ACTORS, (_w, memberId) => ({ input: { memberId, purpose: 'newsletter' } })),
  // Only about another member: erasing every caller's own data would change the world under the later cases.
  requestErasure: only(
    ['PRIVACY_OFFICER'],
    (w) => ({ input: { memberId: w.ids.erasee, reason: 'asked by the member' } }),
    'another member',
  ),

  // A read model that does not exist: the allowed caller gets NOT_FOUND, and no rebuild starts under the test.
  rebuildProjection: only(CM, () => ({ input: { name: 'no-such-read-model' } })),
  setKpiTarget: only(CM, () => ({ input: { kpi: 'MODERATION_BACKLOG', value: 10 } })),
  clearKpiTarget: only(CM, () => ({ input: { kpi: 'MODERATION_BACKLOG' } })),
  // A group no world has: the allowed caller gets it back as unmatched, and nothing is recorded under the test.
  importGroupActivity: only(CM, () => ({
    input: { format: 'GENERIC', csv: 'group_id,period_start,period_end,members\nno-such-group,2026-11-01,2026-11-07,12\n' },
  })),
  // The world's own external id: nothing else maps it, so the allowed caller's mapping is recorded without a conflict.
  mapExternalGroup: only(CM, (w) => ({ input: { format: 'GENERIC', externalId: `${w.tag}-platform-group`, groupId: w.ids.spareGroup } })),
  unmapExternalGroup: only(CM, (w) => ({ input: { format: 'GENERIC', externalId: `${w.tag}-platform-group`, groupId: w.ids.spareGroup } })),
  // .invalid never resolves: the dispatcher of the matrix's service posts nowhere.
  // Always the caller's own preferences: there is no one else's to name.
  setNotificationPreferences: [
    { about: 'themself', allowed: ACTORS, variables: () => ({ input: { optedOut: ['CERTIFICATION_DUE_FOR_RENEWAL'] } }) },
    // The digest is for community managers: subscribing to it needs their token.
    {
      about: "subscribing to the community managers' digest",
      allowed: CM,
      variables: () => ({ input: { optedOut: [], optedIn: ['COMMUNITY_MANAGER_DIGEST'] } }),
    },
  ],
  registerWebhook: only(CM, (w) => ({ input: { url: `https://hooks.example.invalid/${w.tag}`, categories: ['group'] } })),
  rotateWebhookSecret: only(CM, (w) => ({ input: { webhookId: `${w.tag}-webhook` } })),
  disableWebhook: only(CM, (w) => ({ input: { webhookId: `${w.tag}-webhook` } })),
  enableWebhook: only(CM, (w) => ({ input: { webhookId: `${w.tag}-webhook` } })),
  retryWebhookDelivery: only(CM, (w) => ({ messageId: `msg_${w.tag}` })),
};

/** Ids that src/platform/shared/identifiers.ts isId refuses: a space and a "!", and one too long. */
export const MALFORMED_IDS: readonly string[] = ['bad id!', 'x'.repeat(200)];

/** An argument that names something by its id: `id`, `memberId`, `groupId`, `streamId`... */
const ID_KEY = /^(id|\w+Id)$/;

/**
 * The variables with every id replaced by `malformed` (strings under an id key, and each string of a list under one),
 * or undefined when they hold no id. What the "authorization before validation" probe sends.
 */
export function withMalformedIds(variables: Record<string, unknown>, malformed: string): Record<string, unknown> | undefined {
  let replaced = 0;
  const walk = (value: unknown, key: string | null): unknown => {
    if (key !== null && ID_KEY.test(key) && typeof value === 'string') {
      replaced += 1;
      // A global id (node) keeps its type, which decides who may read it: its key parts become malformed.
      const global = /^([A-Z][A-Za-z0-9]*)\/(.+)$/.exec(value);
      return global ? [global[1], ...global[2]!.split('/').map(() => malformed)].join('/') : malformed;
    }
    if (Array.isArray(value)) return value.map((item) => walk(item, typeof item === 'string' ? key : null));
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v, k)]));
    }
    return value;
  };
  const result = walk(variables, null) as Record<string, unknown>;
  return replaced > 0 ? result : undefined;
}
