/**
 * The realistic mix: members report content, managers claim and decide cases (suspensions that end within the run,
 * so the expiry scheduler has work), authors appeal and other managers decide the appeals, members enrol in training
 * and record their self-paced modules, managers record the others and award and renew certifications, members accept
 * the code of conduct and change their consent and privacy settings, managers keep notes, auditors page the history.
 * Each virtual user picks its next action by weight from what it knows of the world (learnt from the answers); a
 * member does one thing at a time (a mutex per member). Members are nominated and become ambassadors, are made group
 * owners and, as owners, claim the cases of their groups; now and then one leaves (mostly one who holds something of
 * that kind), so that the service's leaver consequences have work (issue #20), and is not used again. Two in three
 * seeded members (and half of those who join later) come from the directory (SCIM) with an e-mail address, so that
 * decisions about their content are e-mailed (issue 21); the others have none.
 */
import type { Role } from '../src/platform/auth/role.ts';
import type { SoakClient } from './client.ts';
import { delay, KeyedMutex, now, type Random } from './util.ts';

const CM = ['COMMUNITY_MANAGER'] as Role[];
const MEMBER = ['MEMBER'] as Role[];
const AUDITOR = ['AUDITOR'] as Role[];

export const MANAGERS = ['soak-cm-1', 'soak-cm-2', 'soak-cm-3'];
export const AUDITORS = ['soak-auditor-1', 'soak-auditor-2'];
const DEPARTMENTS = ['Sales', 'Ops', 'Legal', 'Support', 'Engineering'];
const AGREEMENT = 'code-of-conduct';
const FLAG_REASONS = ['SPAM', 'HARASSMENT', 'INAPPROPRIATE', 'PRIVACY', 'MISINFORMATION', 'OTHER'];

const CASE_FIELDS = `id contentId authorId groupId assignedTo status revision flags { reporterId } decision { outcome decidedBy }
  sanction { id until active } appeal { outcome }`;
const ENROLMENT_FIELDS = 'memberId programmeId status completedModules remainingRequiredModules revision';
const CERTIFICATION_FIELDS = 'memberId status level expiresAt revision history { level status }';

const AMBASSADOR_FIELDS = 'memberId status revision';

const DOC = {
  registerMember: 'mutation($input: RegisterMemberInput!) { registerMember(input: $input) { id revision } }',
  recordMemberLeft: 'mutation($input: RecordMemberLeftInput!) { recordMemberLeft(input: $input) { id status revision } }',
  nominateAmbassador: `mutation($input: NominateAmbassadorInput!) { nominateAmbassador(input: $input) { ${AMBASSADOR_FIELDS} } }`,
  approveAmbassador: `mutation($input: AmbassadorDecisionInput!) { approveAmbassador(input: $input) { ${AMBASSADOR_FIELDS} } }`,
  activateAmbassador: `mutation($input: AmbassadorDecisionInput!) { activateAmbassador(input: $input) { ${AMBASSADOR_FIELDS} } }`,
  createGroup: 'mutation($input: CreateGroupInput!) { createGroup(input: $input) { id revision } }',
  assignGroupOwner: 'mutation($input: AssignGroupOwnerInput!) { assignGroupOwner(input: $input) { id owners revision } }',
  publishAgreementVersion: `mutation($input: PublishAgreementVersionInput!) {
    publishAgreementVersion(input: $input) { id revision currentVersion { version } } }`,
  defineTrainingProgramme: 'mutation($input: DefineTrainingProgrammeInput!) { defineTrainingProgramme(input: $input) { id revision } }',
  defineCertificationLevel: 'mutation($input: DefineCertificationLevelInput!) { defineCertificationLevel(input: $input) { level } }',
  reportContent: `mutation($input: ReportContentInput!) { reportContent(input: $input) { ${CASE_FIELDS} } }`,
  claimModerationCase: `mutation($input: ClaimModerationCaseInput!) { claimModerationCase(input: $input) { ${CASE_FIELDS} } }`,
  decideModerationCase: `mutation($input: DecideModerationCaseInput!) { decideModerationCase(input: $input) { ${CASE_FIELDS} } }`,
  fileAppeal: `mutation($input: FileAppealInput!) { fileAppeal(input: $input) { ${CASE_FIELDS} } }`,
  decideAppeal: `mutation($input: DecideAppealInput!) { decideAppeal(input: $input) { ${CASE_FIELDS} } }`,
  addModeratorNote: 'mutation($input: AddModeratorNoteInput!) { addModeratorNote(input: $input) { memberId notes { id } } }',
  enrolInTraining: `mutation($input: EnrolInTrainingInput!) { enrolInTraining(input: $input) { ${ENROLMENT_FIELDS} } }`,
  completeTrainingModule: `mutation($input: CompleteTrainingModuleInput!) { completeTrainingModule(input: $input) { ${ENROLMENT_FIELDS} } }`,
  awardCertification: `mutation($input: AwardCertificationInput!) { awardCertification(input: $input) { ${CERTIFICATION_FIELDS} } }`,
  renewCertification: `mutation($input: ChangeCertificationInput!) { renewCertification(input: $input) { ${CERTIFICATION_FIELDS} } }`,
  acceptAgreement: `mutation($input: AcceptAgreementInput!) {
    acceptAgreement(input: $input) { agreementId memberId acceptedVersion pending } }`,
  giveConsent: 'mutation($input: ConsentInput!) { giveConsent(input: $input) { purpose given noticeVersion } }',
  withdrawConsent: 'mutation($input: ConsentInput!) { withdrawConsent(input: $input) { purpose given noticeVersion } }',
  updatePrivacySettings: `mutation($input: UpdatePrivacySettingsInput!) {
    updatePrivacySettings(input: $input) { memberId profilePhotoVisibility directoryListed revision } }`,
  history: `query($filter: GovernanceHistoryFilter, $first: Int, $after: String) {
    governanceHistory(filter: $filter, first: $first, after: $after) {
      pageInfo { hasNextPage endCursor } edges { cursor node { position streamId revision type metadata { actorId commandId } } } } }`,
  queue: `query($filter: ModerationQueueFilter, $first: Int) {
    moderationQueue(filter: $filter, first: $first) { totalCount edges { node { id status revision } } } }`,
  verifyStream: 'query($streamId: String) { verifyHistory(streamId: $streamId) { ok verifiedEvents firstBrokenPosition } }',
  streamStateAt:
    'query($streamId: String!, $revision: Int) { streamStateAt(streamId: $streamId, revision: $revision) { streamId revision } }',
};

interface CaseAnswer {
  id: string;
  contentId: string;
  authorId: string;
  groupId: string | null;
  assignedTo: string | null;
  status: string;
  revision: number;
  flags: { reporterId: string }[];
  decision: { outcome: string; decidedBy: string } | null;
  sanction: { id: string; until: string | null; active: boolean } | null;
  appeal: { outcome: string | null } | null;
}
interface EnrolmentAnswer {
  memberId: string;
  programmeId: string;
  status: string;
  completedModules: string[];
  remainingRequiredModules: string[];
}
interface CertificationAnswer {
  memberId: string;
  status: string;
  level: number | null;
  history: { level: number; status: string }[];
}

interface AmbassadorAnswer {
  memberId: string;
  status: string;
}

/** The ambassador statuses a leaving ends (see src/modules/leavers): a leaver in one of them has work for the scheduler. */
const LIVE_AMBASSADOR = ['APPROVED', 'ACTIVE', 'INACTIVE'];
/** At most this many owners per group: new ones keep coming as leavers' ownerships end. */
const OWNERS_PER_GROUP = 3;

interface HistoryPage {
  governanceHistory: { pageInfo: { hasNextPage: boolean; endCursor: string | null } };
}

interface CaseInfo {
  id: string;
  contentId: string;
  authorId: string;
  groupId: string | null;
  /** Who claimed it (IN_REVIEW), as the last answer about it showed. */
  assignedTo: string | null;
  status: string;
  revision: number;
  decidedBy: string | null;
  outcome: string | null;
  appealed: boolean;
  appealDecided: boolean;
}
interface ContentInfo {
  id: string;
  authorId: string;
  groupId: string | null;
  reporters: Set<string>;
}

const PROGRAMMES = {
  'tp-basics': [
    { id: 'intro', title: 'Introduction', required: true, selfPaced: true },
    { id: 'policy', title: 'Community policy', required: true, selfPaced: true },
    { id: 'extra', title: 'Further reading', required: false, selfPaced: true },
  ],
  'tp-advanced': [
    { id: 'cases', title: 'Handling cases', required: true, selfPaced: true },
    { id: 'appeals', title: 'Appeals in practice', required: true, selfPaced: false },
  ],
} as const;
type ProgrammeId = keyof typeof PROGRAMMES;

interface MemberInfo {
  id: string;
  enrolled: Set<ProgrammeId>;
  completedModules: Map<ProgrammeId, Set<string>>;
  completedProgrammes: Set<ProgrammeId>;
  level: number;
  consent: boolean;
}

export interface WorkloadOptions {
  readonly members: number;
  readonly groups: number;
  readonly virtualUsers: number;
  /** Pause of a virtual user between two actions, ms (uniform from min to max). */
  readonly thinkMs: readonly [number, number];
  /** Suspensions end this many seconds after the decision (uniform from min to max). */
  readonly suspensionSeconds: readonly [number, number];
}

export class Workload {
  private readonly members: MemberInfo[] = [];
  private readonly groups: string[] = [];
  private readonly contents: ContentInfo[] = [];
  private readonly contentById = new Map<string, ContentInfo>();
  private readonly cases = new Map<string, CaseInfo>();
  /** Owners of each group, as the answers showed them (a leaver's ownership is forgotten when they leave). */
  private readonly owners = new Map<string, Set<string>>();
  /** Ambassador status by member, as the answers showed it. */
  private readonly ambassadors = new Map<string, string>();
  /** Members who left (or whose leaving was sent): no action is theirs any more. */
  private readonly left = new Set<string>();
  private readonly memberLock = new KeyedMutex();
  private agreementVersion = 0;
  private contentSeq = 0;
  private memberSeq = 0;
  readonly actions: Record<string, number> = {};
  private stopping = false;

  constructor(
    private readonly client: SoakClient,
    private readonly random: Random,
    private readonly options: WorkloadOptions,
  ) {}

  // ---------------------------------------------------------------- seed
  /** Members, groups with owners, the code of conduct, training programmes and certification levels. */
  async seed(): Promise<void> {
    const cm = MANAGERS[0]!;
    const must = async (kind: string, document: string, field: string, input: Record<string, unknown>, allowed: string[]) => {
      const result = await this.client.mutate({ kind, actor: cm, roles: CM, document, field, input, expect: 'change', allowed });
      if (result.status !== 'acknowledged')
        throw new Error(`seeding: ${kind} ${JSON.stringify(input)} was ${result.status} (${result.code})`);
      return result.data as Record<string, unknown>;
    };
    // Two in three come from the directory (SCIM) with a work address, so that decisions about their content are
    // e-mailed; the others are registered by a manager and have none (their notifications are recorded, not sent).
    const ids = await inParallelMap(
      Array.from({ length: this.options.members }, (_, i) => i + 1),
      6,
      async (n) => {
        const id = `soak-m-${String(n).padStart(3, '0')}`;
        if (n % 3 !== 0) {
          const provisioned = await this.provision(n);
          if (!provisioned) throw new Error(`seeding: provisioning ${id} through SCIM failed`);
          return provisioned;
        }
        await must(
          'registerMember',
          DOC.registerMember,
          'registerMember',
          { memberId: id, displayName: `Soak member ${n}`, department: DEPARTMENTS[n % DEPARTMENTS.length] },
          ['MemberRegistered'],
        );
        return id;
      },
    );
    this.memberSeq = ids.length;
    for (const id of ids) this.addMember(id);
    const groups = Array.from({ length: this.options.groups }, (_, i) => `soak-g-${i + 1}`);
    await inParallel(groups, 4, async (groupId, i) => {
      await must('createGroup', DOC.createGroup, 'createGroup', { groupId, name: `Soak group ${i + 1}` }, ['GroupCreated']);
      const owner = ids[i % ids.length]!;
      await must('assignGroupOwner', DOC.assignGroupOwner, 'assignGroupOwner', { groupId, memberId: owner }, ['GroupOwnerAssigned']);
      this.owners.set(groupId, new Set([owner]));
    });
    this.groups.push(...groups);
    await must(
      'publishAgreementVersion',
      DOC.publishAgreementVersion,
      'publishAgreementVersion',
      { agreementId: AGREEMENT, title: 'Code of conduct', body: 'Be kind. (v1)', requiresReacceptance: true },
      ['AgreementVersionPublished'],
    );
    this.agreementVersion = 1;
    for (const [programmeId, modules] of Object.entries(PROGRAMMES)) {
      await must(
        'defineTrainingProgramme',
        DOC.defineTrainingProgramme,
        'defineTrainingProgramme',
        { programmeId, title: programmeId, modules: modules.map((m) => ({ ...m })) },
        ['TrainingProgrammeDefined'],
      );
    }
    await must(
      'defineCertificationLevel',
      DOC.defineCertificationLevel,
      'defineCertificationLevel',
      { level: 1, name: 'Moderator', requiredProgrammes: ['tp-basics'], validityMonths: 1 },
      ['CertificationLevelDefined'],
    );
    await must(
      'defineCertificationLevel',
      DOC.defineCertificationLevel,
      'defineCertificationLevel',
      { level: 2, name: 'Senior moderator', requiredProgrammes: ['tp-advanced'], validityMonths: 2 },
      ['CertificationLevelDefined'],
    );
  }

  // ---------------------------------------------------------------- the run
  /** Runs the virtual users and an auditor until `until` (a `now()` time); resolves when every one has stopped. */
  async run(until: number): Promise<void> {
    const users = Array.from({ length: this.options.virtualUsers }, async () => {
      while (now() < until && !this.stopping) {
        await this.step();
        await delay(this.random.int(this.options.thinkMs[0], this.options.thinkMs[1]));
      }
    });
    const auditor = (async () => {
      while (now() < until && !this.stopping) {
        await this.audit();
        await delay(this.random.int(100, 400));
      }
    })();
    await Promise.all([...users, auditor]);
  }

  stop(): void {
    this.stopping = true;
  }

  private async step(): Promise<void> {
    const action = this.random.weighted({
      report: 26,
      decide: 14,
      claim: 3,
      appeal: 7,
      decideAppeal: 6,
      enrol: 6,
      complete: 10,
      completeByManager: 2,
      award: 4,
      renew: 1,
      accept: 6,
      publish: 0.4,
      consent: 8,
      privacy: 2,
      note: 2,
      queue: 3,
      join: 1.5,
      own: 1,
      ambassador: 2.5,
      ownerClaim: 2,
      leave: 1.5,
    });
    this.actions[action] = (this.actions[action] ?? 0) + 1;
    switch (action) {
      case 'report':
        return this.report();
      case 'decide':
        return this.decide();
      case 'claim':
        return this.claim();
      case 'appeal':
        return this.appeal();
      case 'decideAppeal':
        return this.decideAppeal();
      case 'enrol':
        return this.enrol();
      case 'complete':
        return this.complete(false);
      case 'completeByManager':
        return this.complete(true);
      case 'award':
        return this.award();
      case 'renew':
        return this.renew();
      case 'accept':
        return this.accept();
      case 'publish':
        return this.publish();
      case 'consent':
        return this.consent();
      case 'privacy':
        return this.privacy();
      case 'note':
        return this.note();
      case 'queue':
        return this.queue();
      case 'join':
        return this.join();
      case 'own':
        return this.own();
      case 'ambassador':
        return this.ambassador();
      case 'ownerClaim':
        return this.ownerClaim();
      case 'leave':
        return this.leave();
    }
  }

  private member(): MemberInfo {
    return this.random.pick(this.members);
  }

  private learnCase(answer: CaseAnswer | null): void {
    if (!answer) return;
    const known = this.cases.get(answer.id);
    if (known && known.revision > answer.revision) return;
    this.cases.set(answer.id, {
      id: answer.id,
      contentId: answer.contentId,
      authorId: answer.authorId,
      groupId: answer.groupId,
      assignedTo: answer.assignedTo,
      status: answer.status,
      revision: answer.revision,
      decidedBy: answer.decision?.decidedBy ?? known?.decidedBy ?? null,
      outcome: answer.decision?.outcome ?? known?.outcome ?? null,
      appealed: answer.appeal !== null || (known?.appealed ?? false),
      appealDecided: answer.appeal?.outcome != null || (known?.appealDecided ?? false),
    });
  }

  private casesWhere(test: (c: CaseInfo) => boolean): CaseInfo[] {
    return [...this.cases.values()].filter(test);
  }

  /**
   * A new member joins (a manager registers them, or half the time the directory provisions them with an address):
   * training, reports and acceptances never run out of people.
   */
  private async join(): Promise<void> {
    const n = ++this.memberSeq;
    if (this.random.chance(0.5)) {
      const id = await this.provision(n);
      if (id) this.addMember(id);
      return;
    }
    const id = `soak-m-${String(n).padStart(3, '0')}`;
    const result = await this.client.mutate({
      kind: 'registerMember',
      actor: this.random.pick(MANAGERS),
      roles: CM,
      document: DOC.registerMember,
      field: 'registerMember',
      input: { memberId: id, displayName: `Soak member ${n}`, department: this.random.pick(DEPARTMENTS) },
      expect: 'change',
      allowed: ['MemberRegistered'],
      streamPrefix: `member-${id}`,
    });
    if (result.status === 'acknowledged') this.addMember(id);
  }

  private addMember(id: string): void {
    this.members.push({ id, enrolled: new Set(), completedModules: new Map(), completedProgrammes: new Set(), level: 0, consent: false });
  }

  /**
   * The directory provisions member `n` (SCIM, with a work address; half of them prefer Dutch). Answers the member id
   * the service gave (derived from the userName), or null.
   */
  private provision(n: number): Promise<string | null> {
    const userName = `soak-m-${String(n).padStart(3, '0')}@soak.example`;
    return this.client.provision({
      userName,
      email: userName,
      displayName: `Soak member ${n}`,
      preferredLanguage: n % 2 === 0 ? 'nl-NL' : 'en-GB',
    });
  }

  // ---------------------------------------------------------------- ownership, ambassadors, leavers
  /** A manager makes a member an owner of a group with room for one more. */
  private async own(): Promise<void> {
    const groups = this.groups.filter((g) => (this.owners.get(g)?.size ?? 0) < OWNERS_PER_GROUP);
    if (groups.length === 0) return this.queue();
    const groupId = this.random.pick(groups);
    const candidates = this.members.filter((m) => !this.owners.get(groupId)?.has(m.id));
    if (candidates.length === 0) return this.queue();
    const member = this.random.pick(candidates);
    const result = await this.client.mutate<{ owners: string[] }>({
      kind: 'assignGroupOwner',
      actor: this.random.pick(MANAGERS),
      roles: CM,
      document: DOC.assignGroupOwner,
      field: 'assignGroupOwner',
      input: { groupId, memberId: member.id },
      // A race with the member's leaving refuses it; one with another assignment of the same member is a no-op.
      expect: 'maybe',
      allowed: ['GroupOwnerAssigned'],
      streamPrefix: `group-${groupId}`,
    });
    if (result.data) this.owners.set(groupId, new Set(result.data.owners.filter((id) => !this.left.has(id))));
  }

  /** One step of the ambassador programme: a member nominates themself, a manager approves or activates. */
  private async ambassador(): Promise<void> {
    const withStatus = (status: string) => this.members.filter((m) => this.ambassadors.get(m.id) === status);
    const nominated = withStatus('NOMINATED');
    const approved = withStatus('APPROVED');
    const decide = async (kind: 'approveAmbassador' | 'activateAmbassador', member: MemberInfo, after: string) => {
      const result = await this.client.mutate<AmbassadorAnswer>({
        kind,
        actor: this.random.pick(MANAGERS),
        roles: CM,
        document: DOC[kind],
        field: kind,
        input: { memberId: member.id },
        expect: 'change',
        allowed: [kind === 'approveAmbassador' ? 'AmbassadorApproved' : 'AmbassadorActivated'],
        streamPrefix: `ambassador-${member.id}`,
        validate: (answer) => (answer.status === after ? undefined : `the answer shows status ${answer.status} after ${kind}`),
      });
      this.learnAmbassador(member.id, result.data);
    };
    if (approved.length > 0 && this.random.chance(0.6)) return decide('activateAmbassador', this.random.pick(approved), 'ACTIVE');
    if (nominated.length > 0 && this.random.chance(0.6)) return decide('approveAmbassador', this.random.pick(nominated), 'APPROVED');
    const candidates = this.members.filter((m) => !this.ambassadors.has(m.id) || this.ambassadors.get(m.id) === 'OFFBOARDED');
    if (candidates.length === 0) return this.queue();
    const member = this.random.pick(candidates);
    await this.memberLock.run(member.id, async () => {
      const result = await this.client.mutate<AmbassadorAnswer>({
        kind: 'nominateAmbassador',
        actor: member.id,
        roles: MEMBER,
        document: DOC.nominateAmbassador,
        field: 'nominateAmbassador',
        input: { memberId: member.id, department: this.random.pick(DEPARTMENTS), motivation: `I would like to help (${member.id})` },
        expect: 'change',
        allowed: ['AmbassadorNominated'],
        streamPrefix: `ambassador-${member.id}`,
        validate: (answer) => (answer.status === 'NOMINATED' ? undefined : `the answer shows status ${answer.status} after nominating`),
      });
      this.learnAmbassador(member.id, result.data);
    });
  }

  private learnAmbassador(memberId: string, answer: AmbassadorAnswer | null): void {
    if (answer && !this.left.has(memberId)) this.ambassadors.set(memberId, answer.status);
  }

  /** An owner claims an open case of their group (not about their content, nor one they reported). */
  private async ownerClaim(): Promise<void> {
    const claims: { target: CaseInfo; owner: string }[] = [];
    for (const target of this.casesWhere((c) => c.status === 'OPEN' && c.groupId !== null)) {
      const reporters = this.contentById.get(target.contentId)?.reporters;
      for (const owner of this.owners.get(target.groupId!) ?? []) {
        if (owner !== target.authorId && !reporters?.has(owner) && !this.left.has(owner)) claims.push({ target, owner });
      }
    }
    if (claims.length === 0) return this.claim();
    const { target, owner } = this.random.pick(claims);
    await this.memberLock.run(owner, async () => {
      // The leaving may have been sent while this waited for the owner's lock.
      if (this.left.has(owner)) return;
      const result = await this.client.mutate<CaseAnswer>({
        kind: 'claimModerationCase',
        actor: owner,
        roles: MEMBER,
        document: DOC.claimModerationCase,
        field: 'claimModerationCase',
        input: { caseId: target.id },
        expect: 'maybe',
        allowed: ['ModerationCaseClaimed'],
        streamPrefix: `moderation_case-${target.id}`,
      });
      this.learnCase(result.data);
    });
  }

  /** What the member holds that their leaving must end, as far as the answers showed. */
  private holdings(memberId: string): number {
    const owned = [...this.owners.values()].filter((owners) => owners.has(memberId)).length;
    const ambassador = LIVE_AMBASSADOR.includes(this.ambassadors.get(memberId) ?? '') ? 1 : 0;
    const claimed = this.casesWhere((c) => c.status === 'IN_REVIEW' && c.assignedTo === memberId).length;
    return owned + ambassador + claimed;
  }

  /**
   * A manager records that a member left: mostly one who owns a group, is an ambassador or has claimed a case, so the
   * leaver consequences have work. They leave the pools at once (no new action is theirs); what they were already
   * doing finishes first (their lock). Enough members stay for the rest of the mix.
   */
  private async leave(): Promise<void> {
    if (this.members.length <= Math.max(10, Math.floor(this.options.members / 2))) return this.join();
    const holders = this.members.filter((m) => this.holdings(m.id) > 0);
    const member = holders.length > 0 && this.random.chance(0.85) ? this.random.pick(holders) : this.member();
    this.members.splice(this.members.indexOf(member), 1);
    this.left.add(member.id);
    for (const owners of this.owners.values()) owners.delete(member.id);
    this.ambassadors.delete(member.id);
    await this.memberLock.run(member.id, () =>
      this.client.mutate({
        kind: 'recordMemberLeft',
        actor: this.random.pick(MANAGERS),
        roles: CM,
        document: DOC.recordMemberLeft,
        field: 'recordMemberLeft',
        input: { memberId: member.id, reason: this.random.pick(['moved on', 'retired', 'contract ended']) },
        expect: 'change',
        allowed: ['MemberLeft'],
        streamPrefix: `member-${member.id}`,
        validate: (answer: { status?: string }) => (answer.status === 'LEFT' ? undefined : `the answer shows status ${answer.status}`),
      }),
    );
  }

  // ---------------------------------------------------------------- moderation
  private async report(): Promise<void> {
    let content: ContentInfo;
    if (this.contents.length === 0 || this.random.chance(0.55)) {
      const author = this.member();
      content = {
        id: `soak-post-${++this.contentSeq}`,
        authorId: author.id,
        groupId: this.random.chance(0.6) ? this.random.pick(this.groups) : null,
        reporters: new Set(),
      };
      this.contents.push(content);
      this.contentById.set(content.id, content);
    } else {
      content = this.random.pick(this.contents.slice(-80));
    }
    const candidates = this.members.filter((m) => m.id !== content.authorId && !content.reporters.has(m.id));
    if (candidates.length === 0) return;
    const reporter = this.random.pick(candidates);
    // A reporter flags a content item once (whatever case it is on): every report must then append something.
    content.reporters.add(reporter.id);
    await this.memberLock.run(reporter.id, async () => {
      const result = await this.client.mutate<CaseAnswer>({
        kind: 'reportContent',
        actor: reporter.id,
        roles: MEMBER,
        document: DOC.reportContent,
        field: 'reportContent',
        input: {
          contentId: content.id,
          contentType: 'post',
          authorId: content.authorId,
          ...(content.groupId ? { groupId: content.groupId } : {}),
          reason: this.random.pick(FLAG_REASONS),
          ...(this.random.chance(0.4) ? { note: `I think this breaks the rules (${reporter.id})` } : {}),
        },
        expect: 'change',
        allowed: ['ModerationCaseOpened', 'ContentFlagged'],
        streamPrefix: `moderation_case-${content.id}:`,
        validate: (answer) =>
          answer.flags.some((flag) => flag.reporterId === reporter.id) ? undefined : `the answer does not show the reporter's flag`,
      });
      this.learnCase(result.data);
    });
  }

  private async claim(): Promise<void> {
    const open = this.casesWhere((c) => c.status === 'OPEN');
    if (open.length === 0) return this.report();
    const target = this.random.pick(open);
    const manager = this.random.pick(MANAGERS);
    const result = await this.client.mutate<CaseAnswer>({
      kind: 'claimModerationCase',
      actor: manager,
      roles: CM,
      document: DOC.claimModerationCase,
      field: 'claimModerationCase',
      input: { caseId: target.id },
      expect: 'maybe',
      allowed: ['ModerationCaseClaimed'],
      streamPrefix: `moderation_case-${target.id}`,
    });
    this.learnCase(result.data);
  }

  private async decide(): Promise<void> {
    const open = this.casesWhere((c) => c.status === 'OPEN' || c.status === 'IN_REVIEW');
    if (open.length === 0) return this.report();
    const target = this.random.pick(open);
    const manager = this.random.pick(MANAGERS);
    const outcome = this.random.weighted({ NO_ACTION: 12, HIDE_CONTENT: 18, REMOVE_CONTENT: 14, WARN_MEMBER: 20, SUSPEND_MEMBER: 36 });
    const [min, max] = this.options.suspensionSeconds;
    const suspendUntil =
      outcome === 'SUSPEND_MEMBER' && this.random.chance(0.92)
        ? new Date(Date.now() + this.random.int(min, max) * 1000).toISOString()
        : null;
    const result = await this.client.mutate<CaseAnswer>({
      kind: 'decideModerationCase',
      actor: manager,
      roles: CM,
      document: DOC.decideModerationCase,
      field: 'decideModerationCase',
      input: {
        caseId: target.id,
        outcome,
        reason: `soak decision: ${outcome.toLowerCase()}`,
        guideline: { agreementId: AGREEMENT, version: this.random.int(1, this.agreementVersion), section: '2.1' },
        ...(suspendUntil ? { suspendUntil } : {}),
        // Half the managers decide on the revision they saw (the admin UI does): a stale one is refused.
        ...(this.random.chance(0.5) ? { expectedRevision: target.revision } : {}),
      },
      expect: 'change',
      allowed: ['ModerationCaseClaimed', 'ModerationCaseDecided'],
      streamPrefix: `moderation_case-${target.id}`,
      validate: (answer) =>
        answer.decision?.outcome === outcome && answer.decision.decidedBy === manager
          ? undefined
          : `the answer shows decision ${JSON.stringify(answer.decision)}, not ${outcome} by ${manager}`,
    });
    this.learnCase(result.data);
    if (result.status === 'refused') target.status = 'UNKNOWN'; // learnt again from the next answer about it
  }

  private async appeal(): Promise<void> {
    const decided = this.casesWhere(
      (c) => c.status === 'DECIDED' && !c.appealed && c.outcome !== null && c.outcome !== 'NO_ACTION' && !this.left.has(c.authorId),
    );
    if (decided.length === 0) return this.report();
    const target = this.random.pick(decided);
    target.appealed = true;
    await this.memberLock.run(target.authorId, async () => {
      const result = await this.client.mutate<CaseAnswer>({
        kind: 'fileAppeal',
        actor: target.authorId,
        roles: MEMBER,
        document: DOC.fileAppeal,
        field: 'fileAppeal',
        input: { caseId: target.id, statement: `I did not mean harm (${target.authorId})` },
        expect: 'change',
        allowed: ['AppealFiled'],
        streamPrefix: `moderation_case-${target.id}`,
        validate: (answer) => (answer.appeal ? undefined : 'the answer shows no appeal'),
      });
      this.learnCase(result.data);
    });
  }

  private async decideAppeal(): Promise<void> {
    const appealed = this.casesWhere((c) => c.status === 'APPEALED' && !c.appealDecided);
    if (appealed.length === 0) return this.decide();
    const target = this.random.pick(appealed);
    const manager = this.random.pick(MANAGERS.filter((m) => m !== target.decidedBy));
    const outcome = this.random.chance(0.5) ? 'UPHELD' : 'OVERTURNED';
    const result = await this.client.mutate<CaseAnswer>({
      kind: 'decideAppeal',
      actor: manager,
      roles: CM,
      document: DOC.decideAppeal,
      field: 'decideAppeal',
      input: { caseId: target.id, outcome, reason: `soak appeal decision: ${outcome.toLowerCase()}` },
      expect: 'change',
      allowed: ['AppealDecided', 'SanctionLifted'],
      streamPrefix: `moderation_case-${target.id}`,
      validate: (answer) => (answer.appeal?.outcome === outcome ? undefined : `the answer shows appeal ${JSON.stringify(answer.appeal)}`),
    });
    this.learnCase(result.data);
    if (result.status !== 'acknowledged') target.appealDecided = true;
  }

  private async note(): Promise<void> {
    const subject = this.member();
    await this.client.mutate({
      kind: 'addModeratorNote',
      actor: this.random.pick(MANAGERS),
      roles: CM,
      document: DOC.addModeratorNote,
      field: 'addModeratorNote',
      input: { memberId: subject.id, text: `soak note about ${subject.id}` },
      expect: 'change',
      allowed: ['ModeratorNoteAdded'],
    });
  }

  private async queue(): Promise<void> {
    const manager = this.random.pick(MANAGERS);
    const data = await this.client.query<{ moderationQueue: { edges: { node: CaseAnswer }[] } }>(manager, CM, DOC.queue, {
      filter: { status: this.random.chance(0.5) ? ['OPEN', 'IN_REVIEW'] : ['APPEALED'] },
      first: 50,
    });
    for (const edge of data?.moderationQueue.edges ?? []) {
      const known = this.cases.get(edge.node.id);
      if (known && known.revision < edge.node.revision) {
        known.status = edge.node.status;
        known.revision = edge.node.revision;
      }
    }
  }

  // ---------------------------------------------------------------- training and certification
  private async enrol(): Promise<void> {
    const member = this.member();
    const programmeId: ProgrammeId = member.completedProgrammes.has('tp-basics') && this.random.chance(0.7) ? 'tp-advanced' : 'tp-basics';
    await this.memberLock.run(member.id, async () => {
      const result = await this.client.mutate<EnrolmentAnswer>({
        kind: 'enrolInTraining',
        actor: member.id,
        roles: MEMBER,
        document: DOC.enrolInTraining,
        field: 'enrolInTraining',
        input: { programmeId, memberId: member.id },
        expect: 'maybe',
        allowed: ['MemberEnrolledInTraining'],
        streamPrefix: `training_enrolment-${programmeId}-${member.id}`,
        validate: (answer) =>
          answer.programmeId === programmeId && answer.memberId === member.id ? undefined : 'another enrolment answered',
      });
      if (result.data) this.learnEnrolment(member, result.data);
    });
  }

  private learnEnrolment(member: MemberInfo, answer: EnrolmentAnswer): void {
    const programmeId = answer.programmeId as ProgrammeId;
    member.enrolled.add(programmeId);
    member.completedModules.set(programmeId, new Set(answer.completedModules));
    if (answer.status === 'COMPLETED') member.completedProgrammes.add(programmeId);
  }

  private async complete(byManager: boolean): Promise<void> {
    const candidates = this.members.filter((m) =>
      [...m.enrolled].some((p) =>
        PROGRAMMES[p].some((module) => module.selfPaced !== byManager && !m.completedModules.get(p)?.has(module.id)),
      ),
    );
    if (candidates.length === 0) return this.enrol();
    const member = this.random.pick(candidates);
    const programmeId = this.random.pick(
      [...member.enrolled].filter((p) =>
        PROGRAMMES[p].some((m) => m.selfPaced !== byManager && !member.completedModules.get(p)?.has(m.id)),
      ),
    );
    const module = this.random.pick(
      PROGRAMMES[programmeId].filter((m) => m.selfPaced !== byManager && !member.completedModules.get(programmeId)?.has(m.id)),
    );
    const actor = byManager ? this.random.pick(MANAGERS) : member.id;
    const send = () =>
      this.client.mutate<EnrolmentAnswer>({
        kind: 'completeTrainingModule',
        actor,
        roles: byManager ? CM : MEMBER,
        document: DOC.completeTrainingModule,
        field: 'completeTrainingModule',
        input: { programmeId, memberId: member.id, moduleId: module.id, ...(this.random.chance(0.3) ? { evidence: 'quiz passed' } : {}) },
        expect: 'maybe',
        allowed: ['TrainingModuleCompleted', 'TrainingEnrolmentCompleted'],
        streamPrefix: `training_enrolment-${programmeId}-${member.id}`,
        validate: (answer) => (answer.completedModules.includes(module.id) ? undefined : `the answer does not list module ${module.id}`),
      });
    const result = byManager ? await send() : await this.memberLock.run(member.id, send);
    if (result.data) this.learnEnrolment(member, result.data);
  }

  private async award(): Promise<void> {
    const eligible = this.members.filter(
      (m) =>
        (m.level < 1 && m.completedProgrammes.has('tp-basics')) ||
        (m.level < 2 && m.completedProgrammes.has('tp-advanced') && m.completedProgrammes.has('tp-basics')),
    );
    if (eligible.length === 0) return this.complete(this.random.chance(0.2));
    const member = this.random.pick(eligible);
    const level = member.completedProgrammes.has('tp-advanced') ? 2 : 1;
    const result = await this.client.mutate<CertificationAnswer>({
      kind: 'awardCertification',
      actor: this.random.pick(MANAGERS),
      roles: CM,
      document: DOC.awardCertification,
      field: 'awardCertification',
      input: { memberId: member.id, level },
      expect: 'change',
      allowed: ['CertificationAwarded', 'CertificationExpired'],
      streamPrefix: `certification-${member.id}`,
      validate: (answer) =>
        answer.history.some((record) => record.level === level) ? undefined : `the answer's history has no level ${level}`,
    });
    if (result.status === 'acknowledged' || result.code === 'CONFLICT') member.level = Math.max(member.level, level);
  }

  private async renew(): Promise<void> {
    const certified = this.members.filter((m) => m.level > 0);
    if (certified.length === 0) return this.award();
    const member = this.random.pick(certified);
    await this.client.mutate<CertificationAnswer>({
      kind: 'renewCertification',
      actor: this.random.pick(MANAGERS),
      roles: CM,
      document: DOC.renewCertification,
      field: 'renewCertification',
      input: { memberId: member.id, reason: 'soak: renewal after the yearly review' },
      expect: 'change',
      allowed: ['CertificationRenewed', 'CertificationExpired'],
      streamPrefix: `certification-${member.id}`,
    });
  }

  // ---------------------------------------------------------------- agreements and privacy
  private async accept(): Promise<void> {
    const member = this.member();
    const version = this.agreementVersion;
    await this.memberLock.run(member.id, async () => {
      await this.client.mutate<{ acceptedVersion: number | null }>({
        kind: 'acceptAgreement',
        actor: member.id,
        roles: MEMBER,
        document: DOC.acceptAgreement,
        field: 'acceptAgreement',
        input: { agreementId: AGREEMENT, version },
        expect: 'maybe',
        allowed: ['AgreementAccepted'],
        streamPrefix: `acceptance-${AGREEMENT}-${member.id}`,
        validate: (answer) =>
          (answer.acceptedVersion ?? 0) >= version ? undefined : `accepted version ${answer.acceptedVersion}, not ${version}`,
      });
    });
  }

  private async publish(): Promise<void> {
    const next = this.agreementVersion + 1;
    const result = await this.client.mutate<{ currentVersion: { version: number } }>({
      kind: 'publishAgreementVersion',
      actor: this.random.pick(MANAGERS),
      roles: CM,
      document: DOC.publishAgreementVersion,
      field: 'publishAgreementVersion',
      input: {
        agreementId: AGREEMENT,
        title: 'Code of conduct',
        body: `Be kind. (v${next})`,
        requiresReacceptance: this.random.chance(0.5),
      },
      expect: 'change',
      allowed: ['AgreementVersionPublished'],
      streamPrefix: `agreement-${AGREEMENT}`,
    });
    if (result.data) this.agreementVersion = Math.max(this.agreementVersion, result.data.currentVersion.version);
  }

  private async consent(): Promise<void> {
    const member = this.member();
    await this.memberLock.run(member.id, async () => {
      const give = !member.consent || this.random.chance(0.3);
      const field = give ? 'giveConsent' : 'withdrawConsent';
      const result = await this.client.mutate<{ purpose: string; given: boolean }[]>({
        kind: field,
        actor: member.id,
        roles: MEMBER,
        document: give ? DOC.giveConsent : DOC.withdrawConsent,
        field,
        input: { memberId: member.id, purpose: 'profile_photo', ...(give ? { noticeVersion: 'v1' } : {}) },
        expect: 'maybe',
        allowed: [give ? 'ConsentGiven' : 'ConsentWithdrawn'],
        streamPrefix: `privacy-${member.id}`,
        validate: (answer) => {
          const consent = answer.find((c) => c.purpose === 'profile_photo');
          return consent?.given === give ? undefined : `the answer shows consent ${JSON.stringify(consent)} after ${field}`;
        },
      });
      if (result.status === 'acknowledged') member.consent = give;
    });
  }

  private async privacy(): Promise<void> {
    const member = this.member();
    const directoryListed = this.random.chance(0.5);
    await this.memberLock.run(member.id, async () => {
      await this.client.mutate<{ directoryListed: boolean }>({
        kind: 'updatePrivacySettings',
        actor: member.id,
        roles: MEMBER,
        document: DOC.updatePrivacySettings,
        field: 'updatePrivacySettings',
        input: { memberId: member.id, directoryListed, profilePhotoVisibility: this.random.pick(['EVERYONE', 'COLLEAGUES', 'NOBODY']) },
        expect: 'maybe',
        allowed: ['PrivacySettingsUpdated'],
        streamPrefix: `privacy-${member.id}`,
        validate: (answer) =>
          answer.directoryListed === directoryListed
            ? undefined
            : `directoryListed ${answer.directoryListed} after setting ${directoryListed}`,
      });
    });
  }

  // ---------------------------------------------------------------- auditors
  private async audit(): Promise<void> {
    const auditor = this.random.pick(AUDITORS);
    const kind = this.random.weighted({ history: 8, verify: 1, stateAt: 1 });
    this.actions[`audit:${kind}`] = (this.actions[`audit:${kind}`] ?? 0) + 1;
    if (kind === 'history') {
      const filter = this.random.pick<Record<string, unknown> | null>([
        null,
        { category: 'moderation_case' },
        { actorId: this.member().id },
        { eventTypes: ['ConsentGiven', 'ConsentWithdrawn'] },
        { actorId: 'system' },
      ]);
      let after: string | null = null;
      for (let page = 0; page < 3; page++) {
        const data: HistoryPage | null = await this.client.query<HistoryPage>(auditor, AUDITOR, DOC.history, { filter, first: 50, after });
        const info: HistoryPage['governanceHistory']['pageInfo'] | undefined = data?.governanceHistory.pageInfo;
        if (!info?.hasNextPage || !info.endCursor) break;
        after = info.endCursor;
      }
    } else if (kind === 'verify') {
      const known = [...this.cases.keys()];
      if (known.length > 0)
        await this.client.query(auditor, AUDITOR, DOC.verifyStream, { streamId: `moderation_case-${this.random.pick(known)}` });
    } else {
      const known = [...this.cases.values()];
      if (known.length > 0) {
        const target = this.random.pick(known);
        await this.client.query(auditor, AUDITOR, DOC.streamStateAt, { streamId: `moderation_case-${target.id}`, revision: 0 });
      }
    }
  }
}

async function inParallelMap<T, R>(items: readonly T[], width: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  await inParallel(items, width, async (item, index) => (results[index] = await fn(item, index)));
  return results;
}

async function inParallel<T>(items: readonly T[], width: number, fn: (item: T, index: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        await fn(items[index]!, index);
      }
    }),
  );
}
