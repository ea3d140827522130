// Every GraphQL document the console sends, in one place: test/e2e/admin.e2e.spec.ts validates each against the
// schema the service serves, so a change of the API that would break the console fails a test.
// `requires` names the Query/Mutation fields a document needs beyond the public contract's core: the console
// shows the feature only when the served schema has them (see capabilities in client.ts).

export interface ConsoleDocument {
  readonly query: string;
  /** Root fields the served schema must offer for the console to use this document (optional features). */
  readonly requires?: readonly string[];
}

const doc = (query: string, requires?: readonly string[]): ConsoleDocument => (requires ? { query, requires } : { query });

export const CAPABILITIES = doc(`query Capabilities {
  __schema { queryType { fields { name } } mutationType { fields { name } } }
}`);

/** Who signed in: the token's roles, and the groups they own now (ownership is governance state, not a token claim). */
export const ME = doc(`query Me { me { id roles ownedGroups { id name requiresCertification } } }`);

// ---------------------------------------------------------------- moderation

const CASE_FIELDS = `id contentId contentType contentStatus groupId authorId status assignedTo revision openedAt
  flags { reporterId reason note flaggedAt }
  decision { outcome reason guideline { agreementId version section } decidedBy decidedAt }
  sanction { id memberId caseId kind until liftedAt active imposedAt expiredAt }
  appeal { statement filedAt outcome reason decidedBy decidedAt }`;

export const MODERATION_QUEUE = doc(`query ModerationQueue($filter: ModerationQueueFilter, $first: Int, $after: String) {
  moderationQueue(filter: $filter, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node { id contentId contentType contentStatus groupId authorId status assignedTo openedAt revision flags { reason } } }
  }
}`);

export const MODERATION_COUNTS = doc(`query ModerationCounts($groupId: ID, $assignedTo: ID) {
  open: moderationQueue(filter: { status: [OPEN], groupId: $groupId, assignedTo: $assignedTo }, first: 1) { totalCount }
  inReview: moderationQueue(filter: { status: [IN_REVIEW], groupId: $groupId, assignedTo: $assignedTo }, first: 1) { totalCount }
  decided: moderationQueue(filter: { status: [DECIDED], groupId: $groupId, assignedTo: $assignedTo }, first: 1) { totalCount }
  appealed: moderationQueue(filter: { status: [APPEALED], groupId: $groupId, assignedTo: $assignedTo }, first: 1) { totalCount }
  closed: moderationQueue(filter: { status: [CLOSED], groupId: $groupId, assignedTo: $assignedTo }, first: 1) { totalCount }
}`);

export const MODERATION_CASE = doc(`query ModerationCase($id: ID!) { moderationCase(id: $id) { ${CASE_FIELDS} } }`);

export const CLAIM_CASE = doc(`mutation ClaimCase($input: ClaimModerationCaseInput!) {
  claimModerationCase(input: $input) { ${CASE_FIELDS} }
}`);

export const DECIDE_CASE = doc(`mutation DecideCase($input: DecideModerationCaseInput!) {
  decideModerationCase(input: $input) { ${CASE_FIELDS} }
}`);

/** What an owner's moderation depends on: the case's group (its owners, its requirement) and their certification. */
export const CASE_GROUP = doc(`query CaseGroup($groupId: ID!) {
  group(id: $groupId) { id owners requiresCertification }
  myCertification { status }
  certificationGate
}`);

export const DECIDE_APPEAL = doc(`mutation DecideAppeal($input: DecideAppealInput!) {
  decideAppeal(input: $input) { ${CASE_FIELDS} }
}`);

const STANDING_FIELDS = `memberId suspended
  activeSanctions { id caseId kind until imposedAt active }
  sanctionHistory { id caseId kind until imposedAt liftedAt expiredAt active }
  notes { id memberId text authorId createdAt retracted }`;

export const MEMBER_STANDING = doc(`query MemberStanding($memberId: ID!) {
  member(id: $memberId) { id displayName department status revision source directoryChangedAt }
  memberStanding(memberId: $memberId) { ${STANDING_FIELDS} }
}`);

export const ADD_NOTE = doc(`mutation AddModeratorNote($input: AddModeratorNoteInput!) {
  addModeratorNote(input: $input) { ${STANDING_FIELDS} }
}`);

export const RETRACT_NOTE = doc(`mutation RetractModeratorNote($input: RetractModeratorNoteInput!) {
  retractModeratorNote(input: $input) { ${STANDING_FIELDS} }
}`);

// ---------------------------------------------------------------- members and groups

export const MEMBERS = doc(`query Members($department: String, $first: Int, $after: String) {
  members(department: $department, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { id displayName department status } }
  }
}`);

const MEMBER_FIELDS = `id displayName department status revision source directoryChangedAt`;

/** A community manager registers a member by hand (most come from the directory's provisioning). */
export const REGISTER_MEMBER = doc(
  `mutation RegisterMember($input: RegisterMemberInput!) { registerMember(input: $input) { ${MEMBER_FIELDS} } }`,
);

/** A member's name or department corrected, on the revision shown. */
export const UPDATE_MEMBER = doc(`mutation UpdateMember($input: UpdateMemberInput!) { updateMember(input: $input) { ${MEMBER_FIELDS} } }`);

/** That a member left the community (what it sets in motion: README, Members). */
export const RECORD_MEMBER_LEFT = doc(`mutation RecordMemberLeft($input: RecordMemberLeftInput!) {
  recordMemberLeft(input: $input) { ${MEMBER_FIELDS} }
}`);

export const GROUPS = doc(`query Groups($first: Int, $after: String) {
  groups(first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { id name owners archived requiresCertification revision } }
  }
}`);

export const OWNERLESS_GROUPS = doc(
  `query OwnerlessGroups($first: Int, $after: String) {
  ownerlessGroups(first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { id name } }
  }
}`,
  ['ownerlessGroups'],
);

export const GROUP = doc(`query Group($id: ID!) { group(id: $id) { id name owners archived requiresCertification revision } }`);

const CERTIFICATION_FIELDS = `memberId level status expiresAt nextLevel missingForNextLevel revision
  history { id level status awardedAt expiresAt endedAt replacedByLevel reason }`;

export const CERTIFICATION = doc(`query Certification($memberId: ID!) { certification(memberId: $memberId) { ${CERTIFICATION_FIELDS} } }`);

const ENROLMENT_FIELDS = `programmeId memberId status enrolledAt completedAt completedModules remainingRequiredModules
  programmeRevision revision`;

/**
 * Where the caller stands: their certification, the levels, their own enrolments (memberId: the caller's own id, so a
 * community manager who is also a member sees only theirs), the programmes (titles, modules) and the groups they own.
 */
export const MY_CERTIFICATION = doc(`query MyCertification($memberId: ID!) {
  me { id ownedGroups { id name requiresCertification } }
  certificationGate
  myCertification { ${CERTIFICATION_FIELDS} }
  certificationLevels { level name requiredProgrammes validityMonths }
  trainingEnrolments(memberId: $memberId, first: 100) { edges { node { ${ENROLMENT_FIELDS} } } }
  trainingProgrammes(first: 100) { edges { node { id title revision modules { moduleId title required selfPaced } } } }
}`);

/** A member enrols themself (or enrols again after withdrawing or failing). */
export const ENROL_IN_TRAINING = doc(`mutation EnrolInTraining($input: EnrolInTrainingInput!) {
  enrolInTraining(input: $input) { ${ENROLMENT_FIELDS} }
}`);

/** A member records their own self-paced module (a community manager records any). */
export const COMPLETE_TRAINING_MODULE = doc(`mutation CompleteTrainingModule($input: CompleteTrainingModuleInput!) {
  completeTrainingModule(input: $input) { ${ENROLMENT_FIELDS} }
}`);

// ---------------------------------------------------------------- training and certification

export const CERTIFICATION_LEVELS = doc(`query CertificationLevels {
  certificationLevels { level name requiredProgrammes validityMonths revision }
}`);

/** A community manager defines (or redefines) a programme and its modules. */
export const DEFINE_TRAINING_PROGRAMME = doc(`mutation DefineTrainingProgramme($input: DefineTrainingProgrammeInput!) {
  defineTrainingProgramme(input: $input) { id title revision modules { moduleId title required selfPaced } }
}`);

/** A community manager defines (or redefines) a certification level. */
export const DEFINE_CERTIFICATION_LEVEL = doc(`mutation DefineCertificationLevel($input: DefineCertificationLevelInput!) {
  defineCertificationLevel(input: $input) { level name requiredProgrammes validityMonths revision }
}`);

export const GROUPS_WITH_UNCERTIFIED_OWNERS = doc(`query GroupsWithUncertifiedOwners($first: Int, $after: String) {
  groupsWithUncertifiedOwners(first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { group { id name requiresCertification } uncertifiedOwners { memberId status } } }
  }
}`);

export const TRAINING_PROGRAMME = doc(`query TrainingProgramme($id: ID!) {
  trainingProgramme(id: $id) { id title revision modules { moduleId title required selfPaced } }
}`);

export const TRAINING_ENROLMENT = doc(`query TrainingEnrolment($programmeId: ID!, $memberId: ID!) {
  trainingEnrolment(programmeId: $programmeId, memberId: $memberId) {
    programmeId memberId status enrolledAt completedAt completedModules remainingRequiredModules programmeRevision revision
  }
}`);

// ---------------------------------------------------------------- ambassadors and agreements

export const AMBASSADORS = doc(`query Ambassadors($status: [AmbassadorStatus!], $department: String, $first: Int, $after: String) {
  ambassadors(status: $status, department: $department, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { memberId department status enrolment since nominatedAt nominatedBy revision } }
  }
  ambassadorCoverage { department activeAmbassadors }
}`);

const AGREEMENT_FIELDS = `id revision bindingVersion acceptedCount pendingCount
  currentVersion { version title publishedAt }
  versions { version title body bodySha256 publishedAt publishedBy requiresReacceptance }`;

export const AGREEMENT = doc(`query Agreement($id: ID!) { agreement(id: $id) { ${AGREEMENT_FIELDS} } }`);

export const MY_PENDING_AGREEMENTS = doc(`query MyPendingAgreements { myPendingAgreements { id currentVersion { version title } } }`);

export const AGREEMENT_ACCEPTANCE = doc(`query AgreementAcceptance($agreementId: ID!, $memberId: ID!) {
  agreementAcceptance(agreementId: $agreementId, memberId: $memberId) {
    agreementId memberId acceptedVersion acceptedAt bindingVersion pending
  }
}`);

/** Every agreement (one page of up to 100), for the agreements page and the guidelines a decision cites. */
export const AGREEMENTS = doc(`query Agreements($first: Int = 100, $after: String) {
  agreements(first: $first, after: $after) { pageInfo { hasNextPage endCursor } edges { node { ${AGREEMENT_FIELDS} } } }
}`);

/** The signed-in member accepts an agreement's version (the binding one, as myPendingAgreements names it). */
export const ACCEPT_AGREEMENT = doc(`mutation AcceptAgreement($input: AcceptAgreementInput!) {
  acceptAgreement(input: $input) { agreementId memberId acceptedVersion acceptedAt bindingVersion pending }
}`);

// ---------------------------------------------------------------- names for ids (pickers and labels)

/** The member directory as the caller may read it (members not listed are left out for all but staff). */
export const MEMBER_DIRECTORY = doc(`query MemberDirectory($first: Int = 100, $after: String) {
  members(first: $first, after: $after) { pageInfo { hasNextPage endCursor } edges { node { id displayName department } } }
}`);

/** Members found by part of their name (or their id) on the server: beyond the pages of the directory a picker holds. */
export const MEMBER_SEARCH = doc(`query MemberSearch($search: String!, $first: Int = 20) {
  members(search: $search, first: $first) { edges { node { id displayName department } } }
}`);

export const GROUP_DIRECTORY = doc(`query GroupDirectory($first: Int = 100, $after: String) {
  groups(first: $first, after: $after) { pageInfo { hasNextPage endCursor } edges { node { id name } } }
}`);

export const PROGRAMME_DIRECTORY = doc(`query ProgrammeDirectory($first: Int = 100, $after: String) {
  trainingProgrammes(first: $first, after: $after) { pageInfo { hasNextPage endCursor } edges { node { id title } } }
}`);

export const AGREEMENT_DIRECTORY = doc(`query AgreementDirectory($first: Int = 100, $after: String) {
  agreements(first: $first, after: $after) { pageInfo { hasNextPage endCursor } edges { node { id currentVersion { title } } } }
}`);

// ---------------------------------------------------------------- privacy

export const PRIVACY_OF_MEMBER = doc(`query PrivacyOfMember($memberId: ID!) {
  member(id: $memberId) { id displayName department status }
  privacySettings(memberId: $memberId) {
    memberId directoryListed profilePhotoVisibility requestedProfilePhotoVisibility revision
  }
  consents(memberId: $memberId) { purpose given noticeVersion changedAt }
  erasureRequest(memberId: $memberId) { memberId status requestedAt completedAt }
}`);

/** A privacy officer (or the member) changes the settings, on the revision shown. */
export const UPDATE_PRIVACY_SETTINGS = doc(`mutation UpdatePrivacySettings($input: UpdatePrivacySettingsInput!) {
  updatePrivacySettings(input: $input) { memberId directoryListed profilePhotoVisibility requestedProfilePhotoVisibility revision }
}`);

/** Consent is the member's own act (nobody gives or withdraws it for them): from My privacy. */
export const GIVE_CONSENT = doc(
  `mutation GiveConsent($input: ConsentInput!) { giveConsent(input: $input) { purpose given noticeVersion changedAt } }`,
);
export const WITHDRAW_CONSENT = doc(`mutation WithdrawConsent($input: ConsentInput!) {
  withdrawConsent(input: $input) { purpose given noticeVersion changedAt }
}`);

/** Erasure: the member's key destroyed, their personal data unreadable everywhere (README, Privacy). Irreversible. */
export const REQUEST_ERASURE = doc(`mutation RequestErasure($input: RequestErasureInput!) {
  requestErasure(input: $input) { memberId status requestedAt completedAt }
}`);

// ---------------------------------------------------------------- audit (optional: shown when served)

const EVENT_FIELDS = `position streamId revision type data recordedAt
  metadata { actorId actorRoles authority reason correlationId causationId commandId }`;

export const GOVERNANCE_HISTORY = doc(
  `query GovernanceHistory($filter: GovernanceHistoryFilter, $first: Int, $after: String) {
  governanceHistory(filter: $filter, first: $first, after: $after) {
    pageInfo { hasNextPage endCursor }
    edges { cursor node { ${EVENT_FIELDS} } }
  }
}`,
  ['governanceHistory'],
);

/** The log's newest position (the history is newest first): where the live subscription starts (admin/src/live.ts). */
export const LOG_HEAD = doc(
  `query LogHead {
  governanceHistory(first: 1) { edges { node { position } } }
}`,
  ['governanceHistory'],
);

/**
 * Live updates: every event after a position, with only what tells a page whether it concerns it (the pages read
 * their data again themselves). Over WebSocket (graphql-ws), one per tab; offered with the audit's history. Not in
 * DOCUMENTS, whose checks know queries and mutations only: test/admin/live.unit.spec.ts validates it against schema.gql.
 */
export const LIVE_EVENTS = doc(
  `subscription LiveGovernanceEvents($afterPosition: String) {
  governanceEvents(afterPosition: $afterPosition) { position streamId type metadata { actorId } }
}`,
  ['governanceHistory'],
);

/** The ids of the streams of one category (agreements, training programmes): lists the API has no query for. */
export const STREAMS_OF_CATEGORY = doc(
  `query StreamsOfCategory($filter: GovernanceHistoryFilter, $first: Int, $after: String) {
  governanceHistory(filter: $filter, first: $first, after: $after) {
    pageInfo { hasNextPage endCursor }
    edges { node { streamId } }
  }
}`,
  ['governanceHistory'],
);

export const STREAM_STATE_AT = doc(
  `query StreamStateAt($streamId: String!, $at: DateTime, $revision: Int) {
  then: streamStateAt(streamId: $streamId, at: $at, revision: $revision) { streamId revision at state }
  now: streamStateAt(streamId: $streamId) { streamId revision at state }
}`,
  ['streamStateAt'],
);

export const VERIFY_HISTORY = doc(
  `query VerifyHistory($streamId: String) { verifyHistory(streamId: $streamId) { ok verifiedEvents firstBrokenPosition } }`,
  ['verifyHistory'],
);

export const PROJECTIONS = doc(`query Projections { projections { name checkpoint lag state runner } }`, ['projections']);

// ---------------------------------------------------------------- insights (optional: shown when served)

/**
 * The KPIs measured per department, decider, programme, agreement or purpose: the insights page reads their values per
 * scope as well as the community's. The adoption shares per group (one value per group, thousands) are the adoption
 * page's to show.
 */
const INSIGHT_SCOPED_KPIS = `[TRAINING_COMPLETION_RATE, TRAINING_MEDIAN_DAYS_TO_COMPLETE, AMBASSADORS_PER_100_MEMBERS,
  MODERATION_APPEAL_RATE, MODERATION_OVERTURNED_SHARE, AGREEMENT_ACCEPTANCE_RATE, CONSENT_RATE]`;
const INSIGHT_VALUE_FIELDS = `kpi scope value unit direction met target { value direction scope }`;

export const INSIGHTS = doc(
  `query Insights($period: InsightPeriod, $at: DateTime) {
  governanceInsights(period: $period, at: $at) {
    at periodStart
    kpis(overallOnly: true) { ${INSIGHT_VALUE_FIELDS} }
    scoped: kpis(kpis: ${INSIGHT_SCOPED_KPIS}) { ${INSIGHT_VALUE_FIELDS} }
  }
  kpiDefinitions { kpi description unit direction perPeriod scopeKind scopeRequired }
}`,
  ['governanceInsights', 'kpiDefinitions'],
);

export const INSIGHT_SERIES = doc(
  `query InsightSeries($from: DateTime!, $to: DateTime!, $step: InsightPeriod!) {
  governanceInsightSeries(from: $from, to: $to, step: $step) {
    points { at kpis(overallOnly: true) { kpi value target { value } } }
  }
}`,
  ['governanceInsightSeries'],
);

const ADOPTION_KPI_LIST = `[ADOPTION_POSTING_SHARE, ADOPTION_READING_SHARE, ADOPTION_ACTIVE_GROUPS, ADOPTION_GROUPS_INACTIVE_30_DAYS]`;
const ADOPTION_SIDE = `{ groups members postingShare readingShare sampleTooSmall }`;

/** The adoption KPIs now (the community, and each group's shares), with the three comparisons. */
export const ADOPTION = doc(
  `query Adoption {
  governanceInsights(period: WEEK) {
    at
    overall: kpis(kpis: ${ADOPTION_KPI_LIST}, overallOnly: true) { kpi scope value unit direction met target { value } }
    byGroup: kpis(kpis: [ADOPTION_POSTING_SHARE, ADOPTION_READING_SHARE]) { kpi scope value }
    adoptionComparisons {
      minimumGroupsPerSide
      certifiedOwners {
        caveat postingShareDifference readingShareDifference sampleTooSmall
        certified ${ADOPTION_SIDE}
        uncertified ${ADOPTION_SIDE}
      }
      ambassadorInDepartment {
        caveat postingShareDifference readingShareDifference sampleTooSmall
        withAmbassador ${ADOPTION_SIDE}
        withoutAmbassador ${ADOPTION_SIDE}
      }
      beforeAfterCertification {
        caveat postingShareDifference readingShareDifference sampleTooSmall
        membersDifference postersDifference readersDifference
        before ${ADOPTION_SIDE}
        after ${ADOPTION_SIDE}
      }
    }
  }
}`,
  ['governanceInsights'],
);

/** The groups without activity for `days` days, now: which groups the inactive-groups KPI counts, by name. */
export const ADOPTION_INACTIVE_GROUPS = doc(
  `query AdoptionInactiveGroups($days: Int!, $first: Int!) {
  groupsWithoutActivity(days: $days, first: $first) {
    at days total
    groups { groupId name lastActivity daysSinceLastActivity members owners ownersCertified }
  }
}`,
  ['groupsWithoutActivity'],
);

/** A community manager's import of a usage report: the per-row problems and unmatched groups come back. */
export const IMPORT_GROUP_ACTIVITY = doc(
  `mutation ImportGroupActivity($input: ImportGroupActivityInput!) {
  importGroupActivity(input: $input) { periodStart periodEnd rowsImported rowsUnmatched rowsRejected { row message } }
}`,
  ['importGroupActivity'],
);

export const ADOPTION_SERIES = doc(
  `query AdoptionSeries($from: DateTime!, $to: DateTime!) {
  governanceInsightSeries(from: $from, to: $to, step: WEEK) {
    points { at kpis(kpis: ${ADOPTION_KPI_LIST}, overallOnly: true) { kpi value target { value } } }
  }
}`,
  ['governanceInsightSeries'],
);

// ---------------------------------------------------------------- changes made by community managers

const GROUP_FIELDS = `id name owners archived requiresCertification revision`;

export const CREATE_GROUP = doc(`mutation CreateGroup($input: CreateGroupInput!) { createGroup(input: $input) { ${GROUP_FIELDS} } }`);

export const ASSIGN_GROUP_OWNER = doc(`mutation AssignGroupOwner($input: AssignGroupOwnerInput!) {
  assignGroupOwner(input: $input) { ${GROUP_FIELDS} }
}`);

export const REMOVE_GROUP_OWNER = doc(`mutation RemoveGroupOwner($input: AssignGroupOwnerInput!) {
  removeGroupOwner(input: $input) { ${GROUP_FIELDS} }
}`);

export const AWARD_CERTIFICATION = doc(`mutation AwardCertification($input: AwardCertificationInput!) {
  awardCertification(input: $input) { ${CERTIFICATION_FIELDS} }
}`);

/** Renew, suspend, reinstate, revoke: each takes the member, a reason and the revision looked at. */
export const CERTIFICATION_CHANGES = {
  renew: doc(`mutation RenewCertification($input: ChangeCertificationInput!) {
  result: renewCertification(input: $input) { ${CERTIFICATION_FIELDS} }
}`),
  suspend: doc(`mutation SuspendCertification($input: ChangeCertificationInput!) {
  result: suspendCertification(input: $input) { ${CERTIFICATION_FIELDS} }
}`),
  reinstate: doc(`mutation ReinstateCertification($input: ChangeCertificationInput!) {
  result: reinstateCertification(input: $input) { ${CERTIFICATION_FIELDS} }
}`),
  revoke: doc(`mutation RevokeCertification($input: ChangeCertificationInput!) {
  result: revokeCertification(input: $input) { ${CERTIFICATION_FIELDS} }
}`),
} as const;

const AMBASSADOR_FIELDS = `memberId department status enrolment since nominatedAt nominatedBy revision`;

export const NOMINATE_AMBASSADOR = doc(`mutation NominateAmbassador($input: NominateAmbassadorInput!) {
  nominateAmbassador(input: $input) { ${AMBASSADOR_FIELDS} }
}`);

/** The steps of an ambassador's enrolment: each takes the member, the revision looked at and (offboarding: must) a reason. */
export const AMBASSADOR_CHANGES = {
  approve: doc(
    `mutation ApproveAmbassador($input: AmbassadorDecisionInput!) { result: approveAmbassador(input: $input) { ${AMBASSADOR_FIELDS} } }`,
  ),
  reject: doc(
    `mutation RejectAmbassador($input: AmbassadorDecisionInput!) { result: rejectAmbassador(input: $input) { ${AMBASSADOR_FIELDS} } }`,
  ),
  activate: doc(
    `mutation ActivateAmbassador($input: AmbassadorDecisionInput!) { result: activateAmbassador(input: $input) { ${AMBASSADOR_FIELDS} } }`,
  ),
  deactivate: doc(
    `mutation DeactivateAmbassador($input: AmbassadorDecisionInput!) { result: deactivateAmbassador(input: $input) { ${AMBASSADOR_FIELDS} } }`,
  ),
  reactivate: doc(
    `mutation ReactivateAmbassador($input: AmbassadorDecisionInput!) { result: reactivateAmbassador(input: $input) { ${AMBASSADOR_FIELDS} } }`,
  ),
  offboard: doc(
    `mutation OffboardAmbassador($input: AmbassadorDecisionInput!) { result: offboardAmbassador(input: $input) { ${AMBASSADOR_FIELDS} } }`,
  ),
} as const;

export const PUBLISH_AGREEMENT_VERSION = doc(`mutation PublishAgreementVersion($input: PublishAgreementVersionInput!) {
  publishAgreementVersion(input: $input) { ${AGREEMENT_FIELDS} }
}`);

/** Whether a group's owners must be certified to moderate its cases; on the revision shown. */
export const SET_GROUP_CERTIFICATION_REQUIREMENT =
  doc(`mutation SetGroupCertificationRequirement($input: SetGroupCertificationRequirementInput!) {
  setGroupCertificationRequirement(input: $input) { ${GROUP_FIELDS} }
}`);

const KPI_TARGET_FIELDS = `id kpi scope value direction revision changedAt changedBy`;

/** The targets set now, overall and scoped (community managers and auditors). */
export const KPI_TARGETS = doc(`query KpiTargets { kpiTargets { ${KPI_TARGET_FIELDS} } }`, ['kpiTargets']);

export const CLEAR_KPI_TARGET = doc(
  `mutation ClearKpiTarget($input: ClearKpiTargetInput!) { clearKpiTarget(input: $input) { ${KPI_TARGET_FIELDS} } }`,
  ['clearKpiTarget'],
);

export const REBUILD_PROJECTION = doc(
  `mutation RebuildProjection($input: RebuildProjectionInput!) { rebuildProjection(input: $input) { name checkpoint lag state runner } }`,
  ['rebuildProjection'],
);

export const SET_KPI_TARGET = doc(
  `mutation SetKpiTarget($input: SetKpiTargetInput!) { setKpiTarget(input: $input) { kpi direction revision changedAt changedBy } }`,
  ['setKpiTarget'],
);

// ---------------------------------------------------------------- notifications and webhooks (issue 21; shown when served)

/** The e-mail delivery log: every notification decided and what became of it, filtered by status. */
export const NOTIFICATION_DELIVERIES = doc(
  `query NotificationDeliveries($status: [NotificationDeliveryStatus!], $first: Int, $after: String) {
  notificationDeliveries(status: $status, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { notificationId eventId kind recipientId channel status attempts lastError sentAt createdAt } }
  }
}`,
  ['notificationDeliveries'],
);

const WEBHOOK_FIELDS = `webhookId urlHint description eventTypes categories status disabledAt disabledReason lastError
  registeredAt registeredBy revision secretVersion rotatedAt`;

export const WEBHOOKS = doc(`query Webhooks { webhooks { ${WEBHOOK_FIELDS} } }`, ['webhooks']);

/** What a webhook may be registered for: the stored event types, by category. */
export const GOVERNANCE_EVENT_TYPES = doc(`query GovernanceEventTypes { governanceEventTypes { category type } }`, [
  'governanceEventTypes',
]);

export const WEBHOOK_DELIVERIES = doc(
  `query WebhookDeliveries($webhookId: ID, $status: [WebhookDeliveryStatus!], $first: Int, $after: String) {
  webhookDeliveries(webhookId: $webhookId, status: $status, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { messageId webhookId eventId eventType status attempts lastError nextAttemptAt sentAt createdAt } }
  }
}`,
  ['webhookDeliveries'],
);

export const REGISTER_WEBHOOK = doc(
  `mutation RegisterWebhook($input: RegisterWebhookInput!) {
  registerWebhook(input: $input) { secret webhook { ${WEBHOOK_FIELDS} } }
}`,
  ['registerWebhook'],
);

export const ROTATE_WEBHOOK_SECRET = doc(
  `mutation RotateWebhookSecret($input: WebhookChangeInput!) {
  rotateWebhookSecret(input: $input) { secret webhook { ${WEBHOOK_FIELDS} } }
}`,
  ['rotateWebhookSecret'],
);

export const DISABLE_WEBHOOK = doc(
  `mutation DisableWebhook($input: WebhookChangeInput!) { disableWebhook(input: $input) { ${WEBHOOK_FIELDS} } }`,
  ['disableWebhook'],
);

export const ENABLE_WEBHOOK = doc(
  `mutation EnableWebhook($input: WebhookChangeInput!) { enableWebhook(input: $input) { ${WEBHOOK_FIELDS} } }`,
  ['enableWebhook'],
);

/** A dead letter (FAILED) posted again now. */
export const RETRY_WEBHOOK_DELIVERY = doc(
  `mutation RetryWebhookDelivery($messageId: ID!) {
  retryWebhookDelivery(messageId: $messageId) { messageId status attempts lastError nextAttemptAt sentAt }
}`,
  ['retryWebhookDelivery'],
);

/** Every document, by name: what the e2e spec validates. */
export const DOCUMENTS: Readonly<Record<string, ConsoleDocument>> = {
  CAPABILITIES,
  ME,
  MODERATION_QUEUE,
  MODERATION_COUNTS,
  MODERATION_CASE,
  CLAIM_CASE,
  DECIDE_CASE,
  DECIDE_APPEAL,
  CASE_GROUP,
  MEMBER_STANDING,
  ADD_NOTE,
  RETRACT_NOTE,
  MEMBERS,
  REGISTER_MEMBER,
  UPDATE_MEMBER,
  RECORD_MEMBER_LEFT,
  GROUPS,
  OWNERLESS_GROUPS,
  GROUP,
  CERTIFICATION,
  MY_CERTIFICATION,
  ENROL_IN_TRAINING,
  COMPLETE_TRAINING_MODULE,
  CERTIFICATION_LEVELS,
  DEFINE_TRAINING_PROGRAMME,
  DEFINE_CERTIFICATION_LEVEL,
  GROUPS_WITH_UNCERTIFIED_OWNERS,
  TRAINING_PROGRAMME,
  TRAINING_ENROLMENT,
  AMBASSADORS,
  AGREEMENT,
  MY_PENDING_AGREEMENTS,
  AGREEMENT_ACCEPTANCE,
  AGREEMENTS,
  MEMBER_DIRECTORY,
  MEMBER_SEARCH,
  GROUP_DIRECTORY,
  PROGRAMME_DIRECTORY,
  AGREEMENT_DIRECTORY,
  PRIVACY_OF_MEMBER,
  UPDATE_PRIVACY_SETTINGS,
  GIVE_CONSENT,
  WITHDRAW_CONSENT,
  REQUEST_ERASURE,
  GOVERNANCE_HISTORY,
  LOG_HEAD,
  STREAMS_OF_CATEGORY,
  STREAM_STATE_AT,
  VERIFY_HISTORY,
  PROJECTIONS,
  INSIGHTS,
  INSIGHT_SERIES,
  ADOPTION,
  ADOPTION_SERIES,
  ADOPTION_INACTIVE_GROUPS,
  IMPORT_GROUP_ACTIVITY,
  CREATE_GROUP,
  ASSIGN_GROUP_OWNER,
  REMOVE_GROUP_OWNER,
  AWARD_CERTIFICATION,
  ...Object.fromEntries(Object.entries(CERTIFICATION_CHANGES).map(([name, d]) => [`${name.toUpperCase()}_CERTIFICATION`, d])),
  NOMINATE_AMBASSADOR,
  ...Object.fromEntries(Object.entries(AMBASSADOR_CHANGES).map(([name, d]) => [`${name.toUpperCase()}_AMBASSADOR`, d])),
  PUBLISH_AGREEMENT_VERSION,
  ACCEPT_AGREEMENT,
  SET_GROUP_CERTIFICATION_REQUIREMENT,
  SET_KPI_TARGET,
  KPI_TARGETS,
  CLEAR_KPI_TARGET,
  REBUILD_PROJECTION,
  NOTIFICATION_DELIVERIES,
  WEBHOOKS,
  GOVERNANCE_EVENT_TYPES,
  WEBHOOK_DELIVERIES,
  REGISTER_WEBHOOK,
  ROTATE_WEBHOOK_SECRET,
  DISABLE_WEBHOOK,
  ENABLE_WEBHOOK,
  RETRY_WEBHOOK_DELIVERY,
};
