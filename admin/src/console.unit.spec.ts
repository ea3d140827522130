// The console's pure logic (no browser): access by role, routes, the decision form and its conflict report, PKCE,
// the audit filters, and that every label exists in both languages.
import { createHash } from 'node:crypto';
import {
  AREAS,
  can,
  canSee,
  caseActions,
  homeArea,
  visibleAreas,
  type CaseFacts,
  type CaseGroupFacts,
  type CertificationStatus,
  type Viewer,
} from './access.ts';
import { ApiError, capabilitiesOf, errorOf, supports, UNKNOWN_CAPABILITIES } from './api/client.ts';
import {
  DOCUMENTS,
  GOVERNANCE_HISTORY,
  ME,
  NOTIFICATION_DELIVERIES,
  REGISTER_WEBHOOK,
  RETRY_WEBHOOK_DELIVERY,
  WEBHOOK_DELIVERIES,
  WEBHOOKS,
} from './api/documents.ts';
import {
  changedKeys,
  exportFileName,
  exportUrl,
  historyFilter,
  localDateTimeToIso,
  timeTravelTarget,
  EMPTY_HISTORY_FORM,
} from './audit.ts';
import {
  authorizationUrl,
  base64url,
  codeChallenge,
  isExpired,
  jwtClaims,
  parseCallback,
  parseDiscovery,
  tokenRequestBody,
} from './auth/pkce.ts';
import { formatKpi, seriesOf, targetRevision, targetsSet, trendRange } from './insights.ts';
import {
  comparisonsOf,
  formatCalendarDate,
  formatCountDifference,
  formatShareDifference,
  groupSharesOf,
  groupsNeedingAttention,
  hasActivityReports,
  importedDays,
  importOutcome,
  lastActivityLabel,
  ownersLabel,
  type ComparisonSide,
} from './adoption.ts';
import { describeError, errorLine } from './errors.ts';
import { enumLabel, enumValuesMissingIn, initialLanguage, LANGUAGES, MESSAGES, translate, type MessageKey } from './i18n.ts';
import {
  EMPTY_DECISION,
  caseChanges,
  decisionInput,
  decisionProblems,
  guidelineOptions,
  idsOfStreams,
  isDecidable,
  parseGuideline,
  suspensionEnd,
  type CaseView,
} from './moderation.ts';
import { gateStanding, parseModules, programmeProgress } from './my-certification.ts';
import { changesSomething, lineDiff, publishImpact } from './agreements.ts';
import { certificationSteps } from './certification-steps.ts';
import { indexOf, mergeEntries, optionLabel, resolveId, searchable } from './directory.ts';
import { hrefFor, parseRoute, type Route } from './routes.ts';
import type { NotificationKind } from './api/generated/graphql.ts';
import { labelKeyOf, NOTIFICATION_STATUSES, notificationStatusesOf, notificationTone } from './notifications.ts';
import {
  EMPTY_REGISTER_FORM,
  eventCategoriesOf,
  hearsEverything,
  MAX_WEBHOOK_FILTERS,
  mayRetry,
  previousSecretSignsUntil,
  registerInput,
  registerProblems,
  toggled,
  typeEntry,
  WEBHOOK_DELIVERY_STATUSES,
  webhookChangeInput,
  webhookChanges,
  webhookDeliveryTone,
} from './webhooks.ts';

/** A signed-in person: their token's roles and the groups they own now (governance state). */
const viewer = (roles: string[], ownedGroups: string[] = [], id = 'me'): Viewer => ({
  id,
  roles,
  ownedGroups: ownedGroups.map((g) => ({ id: g })),
});

describe('access by role and ownership', () => {
  test('a community manager sees moderation first and may suspend; a group owner moderates but never suspends', () => {
    expect(homeArea(viewer(['COMMUNITY_MANAGER']))).toBe('moderation');
    expect(can(['COMMUNITY_MANAGER'], 'suspend')).toBe(true);
    expect(can(['GROUP_OWNER'], 'suspend')).toBe(false);
    expect(canSee(viewer(['MEMBER'], ['cycling']), 'myCertification')).toBe(true);
    expect(canSee(viewer(['MEMBER'], ['cycling']), 'audit')).toBe(false);
  });

  test('an auditor reads but does not moderate; a privacy officer sees privacy requests', () => {
    expect(visibleAreas(viewer(['AUDITOR']))).toEqual(expect.arrayContaining(['moderation', 'audit', 'insights', 'adoption']));
    expect(canSee(viewer(['MEMBER'], ['cycling']), 'adoption')).toBe(false);
    expect(can(['AUDITOR'], 'moderate')).toBe(false);
    expect(can(['AUDITOR'], 'readNotes')).toBe(true);
    // A token carrying AUDITOR is read-only, whatever other roles it has (the API refuses its changes).
    expect(can(['AUDITOR', 'COMMUNITY_MANAGER'], 'moderate')).toBe(false);
    expect(can(['AUDITOR', 'COMMUNITY_MANAGER'], 'exportAudit')).toBe(true);
    expect(visibleAreas(viewer(['PRIVACY_OFFICER']))).toEqual(['agreements', 'privacy']);
  });

  test('a MEMBER-only token that owns a group sees its queue, its groups, its certification, the agreements and its privacy, nothing else', () => {
    const owner = viewer(['MEMBER'], ['cycling']);
    expect(visibleAreas(owner)).toEqual(['moderation', 'groups', 'myCertification', 'agreements', 'myPrivacy']);
    expect(homeArea(owner)).toBe('moderation');
  });

  test('a MEMBER-only token that owns nothing sees their certification, the agreements and their privacy, and lands on their certification', () => {
    expect(visibleAreas(viewer(['MEMBER']))).toEqual(['myCertification', 'agreements', 'myPrivacy']);
    expect(homeArea(viewer(['MEMBER']))).toBe('myCertification');
  });

  test("the token's GROUP_OWNER role names no group: without ownership, no queue and no groups (the API would refuse the queue)", () => {
    expect(visibleAreas(viewer(['GROUP_OWNER']))).toEqual(['myCertification', 'agreements', 'myPrivacy']);
    expect(visibleAreas(viewer(['GROUP_OWNER'], ['cycling']))).toEqual([
      'moderation',
      'groups',
      'myCertification',
      'agreements',
      'myPrivacy',
    ]);
  });

  test('every area is open to at least one audience', () => {
    for (const audiences of Object.values(AREAS)) expect(audiences.length).toBeGreaterThan(0);
  });
});

describe("a case's actions", () => {
  const openCase: CaseFacts = {
    status: 'OPEN',
    assignedTo: null,
    authorId: 'jan',
    groupId: 'cycling',
    flags: [{ reporterId: 'emma' }],
    decision: null,
    appeal: null,
  };
  const cycling = (viewerCertification: CertificationStatus, more: Partial<CaseGroupFacts> = {}): CaseGroupFacts => ({
    owners: ['olivia'],
    requiresCertification: false,
    viewerCertification,
    certificationGate: true,
    ...more,
  });
  const ALL = ['NO_ACTION', 'HIDE_CONTENT', 'REMOVE_CONTENT', 'WARN_MEMBER', 'SUSPEND_MEMBER'];

  test('with the certification gate off an owner without a certification, or with a lapsed one, is offered the steps', () => {
    const olivia = viewer(['MEMBER'], ['cycling'], 'olivia');
    for (const status of ['NOT_CERTIFIED', 'SUSPENDED', 'EXPIRED'] as const) {
      const offered = caseActions(olivia, openCase, cycling(status, { requiresCertification: true, certificationGate: false }));
      expect({ status, bar: offered.bar, claim: offered.claim }).toEqual({ status, bar: null, claim: true });
    }
  });

  test('a plain member (not an owner of the case group) is offered neither claim nor decide, and told who moderates', () => {
    const actions = caseActions(viewer(['MEMBER'], ['running'], 'olivia'), openCase, cycling('CERTIFIED', { owners: ['sanne'] }));
    expect(actions).toMatchObject({ claim: false, decide: false, bar: 'notModerator' });
    // Nor a token with GROUP_OWNER: the role names no group.
    expect(caseActions(viewer(['GROUP_OWNER'], [], 'olivia'), openCase, null)).toMatchObject({ claim: false, decide: false });
  });

  test("an owner of the case's group (MEMBER token) claims and decides, every outcome but a suspension", () => {
    const actions = caseActions(viewer(['MEMBER'], ['cycling'], 'olivia'), openCase, cycling('CERTIFIED'));
    expect(actions).toMatchObject({ claim: true, decide: true, asOwner: true, bar: null });
    expect(actions.outcomes).toEqual(['NO_ACTION', 'HIDE_CONTENT', 'REMOVE_CONTENT', 'WARN_MEMBER']);
  });

  test('the group as just read wins over the ownership read at sign-in', () => {
    const removed = caseActions(viewer(['MEMBER'], ['cycling'], 'olivia'), openCase, cycling('CERTIFIED', { owners: ['sanne'] }));
    expect(removed).toMatchObject({ claim: false, decide: false, bar: 'notModerator' });
    const assigned = caseActions(viewer(['MEMBER'], [], 'olivia'), openCase, cycling('CERTIFIED'));
    expect(assigned).toMatchObject({ claim: true, decide: true });
  });

  test('the certification gate: a lapsed certification bars an owner; none at all bars them only where the group requires it', () => {
    const olivia = viewer(['MEMBER'], ['cycling'], 'olivia');
    for (const status of ['EXPIRED', 'SUSPENDED', 'REVOKED'] as const) {
      expect(caseActions(olivia, openCase, cycling(status))).toMatchObject({ claim: false, decide: false, bar: 'certificationLapsed' });
    }
    expect(caseActions(olivia, openCase, cycling('NOT_CERTIFIED', { requiresCertification: true }))).toMatchObject({
      claim: false,
      decide: false,
      bar: 'certificationRequired',
    });
    expect(caseActions(olivia, openCase, cycling('NOT_CERTIFIED'))).toMatchObject({ claim: true, decide: true });
    expect(caseActions(olivia, openCase, cycling('DUE_FOR_RENEWAL', { requiresCertification: true }))).toMatchObject({ decide: true });
  });

  test('against a co-owner an owner may only dismiss the report', () => {
    const actions = caseActions(viewer(['MEMBER'], ['cycling'], 'olivia'), openCase, cycling('CERTIFIED', { owners: ['olivia', 'jan'] }));
    expect(actions.outcomes).toEqual(['NO_ACTION']);
  });

  test('an owner never takes a case over; a community manager does, but decides only once it is theirs', () => {
    const claimed: CaseFacts = { ...openCase, status: 'IN_REVIEW', assignedTo: 'sanne' };
    expect(caseActions(viewer(['MEMBER'], ['cycling'], 'olivia'), claimed, cycling('CERTIFIED'))).toMatchObject({
      claim: false,
      decide: false,
      bar: 'claimedByOther',
    });
    expect(caseActions(viewer(['COMMUNITY_MANAGER'], [], 'cm'), claimed, null)).toMatchObject({ claim: true, decide: false, bar: null });
    const mine: CaseFacts = { ...claimed, assignedTo: 'olivia' };
    expect(caseActions(viewer(['MEMBER'], ['cycling'], 'olivia'), mine, cycling('CERTIFIED'))).toMatchObject({
      claim: false,
      decide: true,
    });
  });

  test('a community manager moderates any case with every outcome, an auditor none', () => {
    const cm = caseActions(viewer(['COMMUNITY_MANAGER'], [], 'cm'), { ...openCase, groupId: null }, null);
    expect(cm).toMatchObject({ claim: true, decide: true, asOwner: false, bar: null });
    expect(cm.outcomes).toEqual(ALL);
    expect(caseActions(viewer(['AUDITOR', 'COMMUNITY_MANAGER'], [], 'a'), openCase, null)).toMatchObject({
      claim: false,
      decide: false,
      bar: 'readOnly',
    });
  });

  test('nobody moderates a case about their own content or one they reported, whatever their role', () => {
    expect(caseActions(viewer(['COMMUNITY_MANAGER'], [], 'jan'), openCase, null)).toMatchObject({ decide: false, bar: 'ownContent' });
    expect(caseActions(viewer(['MEMBER'], ['cycling'], 'emma'), openCase, cycling('CERTIFIED', { owners: ['emma'] }))).toMatchObject({
      decide: false,
      bar: 'reported',
    });
  });

  test('a decided case offers nothing and explains nothing; an appeal goes to another community manager than the decider', () => {
    const appealed: CaseFacts = {
      ...openCase,
      status: 'APPEALED',
      assignedTo: 'cm-1',
      decision: { decidedBy: 'cm-1' },
      appeal: { outcome: null },
    };
    expect(caseActions(viewer(['COMMUNITY_MANAGER'], [], 'cm-2'), appealed, null)).toMatchObject({
      claim: false,
      decide: false,
      bar: null,
      decideAppeal: true,
    });
    expect(caseActions(viewer(['COMMUNITY_MANAGER'], [], 'cm-1'), appealed, null)).toMatchObject({
      decideAppeal: false,
      appealBar: 'fourEyes',
    });
    expect(caseActions(viewer(['COMMUNITY_MANAGER'], [], 'emma'), appealed, null)).toMatchObject({
      decideAppeal: false,
      appealBar: 'reported',
    });
    // An owner never decides an appeal, and is not told why (it is not theirs to decide).
    expect(caseActions(viewer(['MEMBER'], ['cycling'], 'olivia'), appealed, cycling('CERTIFIED'))).toMatchObject({
      decideAppeal: false,
      appealBar: null,
      bar: null,
    });
  });
});

describe('my certification', () => {
  const programme = {
    id: 'moderation-101',
    title: 'Moderation basics',
    revision: 1,
    modules: [
      { moduleId: 'm1', title: 'Guidelines', required: true, selfPaced: true },
      { moduleId: 'm2', title: 'Hard cases', required: true, selfPaced: false },
      { moduleId: 'm3', title: 'Further reading', required: false, selfPaced: true },
    ],
  };
  const enrolment = {
    programmeId: 'moderation-101',
    status: 'IN_PROGRESS',
    completedModules: ['m1'],
    remainingRequiredModules: ['m2'],
    programmeRevision: 1,
  };

  test('modules done of how many, and which required ones remain', () => {
    const progress = programmeProgress(programme, enrolment);
    expect(progress).toMatchObject({ done: 1, total: 3, running: true });
    expect(progress.remaining.map((m) => m.title)).toEqual(['Hard cases']);
    expect(progress.modules.map((m) => [m.moduleId, m.done])).toEqual([
      ['m1', true],
      ['m2', false],
      ['m3', false],
    ]);
  });

  test('not enrolled: nothing done, every required module remains, nothing to record yet', () => {
    const progress = programmeProgress(programme, null);
    expect(progress).toMatchObject({ done: 0, total: 3, running: false });
    expect(progress.remaining.map((m) => m.moduleId)).toEqual(['m1', 'm2']);
    expect(programmeProgress(programme, { ...enrolment, status: 'WITHDRAWN' }).running).toBe(false);
  });

  test('an enrolment in an older revision counts the modules it was made with', () => {
    const redefined = {
      ...programme,
      revision: 2,
      modules: [...programme.modules, { moduleId: 'm4', title: 'New', required: true, selfPaced: true }],
    };
    const progress = programmeProgress(redefined, enrolment);
    expect(progress).toMatchObject({ done: 1, total: 2 });
    expect(progress.remaining.map((m) => m.title)).toEqual(['Hard cases']);
  });

  test('the gate, per group: lapsed bars everywhere, none bars where the group requires certification', () => {
    // CERTIFICATION_GATE=off: the service checks nobody's certification, so neither does the console.
    expect(gateStanding('NOT_CERTIFIED', true, false)).toBe('allowed');
    expect(gateStanding('SUSPENDED', false, false)).toBe('allowed');
    expect(gateStanding('CERTIFIED', true)).toBe('allowed');
    expect(gateStanding('DUE_FOR_RENEWAL', true)).toBe('allowed');
    expect(gateStanding('NOT_CERTIFIED', false)).toBe('allowed');
    expect(gateStanding('NOT_CERTIFIED', true)).toBe('required');
    expect(gateStanding('EXPIRED', false)).toBe('lapsed');
    expect(gateStanding('REVOKED', true)).toBe('lapsed');
  });
});

describe('routes', () => {
  const routes: Route[] = [
    { name: 'home' },
    { name: 'signin' },
    { name: 'callback' },
    { name: 'area', area: 'moderation' },
    { name: 'area', area: 'myCertification' },
    { name: 'area', area: 'adoption' },
    { name: 'case', caseId: 'post-1:2' },
    { name: 'case', caseId: 'weird/id?#%' },
    { name: 'standing', memberId: 'alice.smith@example' },
    { name: 'group', groupId: 'g-42' },
  ];
  test.each(routes)('%j survives a round trip through its URL', (route) => expect(parseRoute(hrefFor(route))).toEqual(route));

  test('paths outside /admin and unknown paths are not found; /admin and /admin/ are home', () => {
    expect(parseRoute('/graphql')).toEqual({ name: 'notFound', path: '/graphql' });
    expect(parseRoute('/admin/nope')).toEqual({ name: 'notFound', path: '/admin/nope' });
    expect(parseRoute('/admin')).toEqual({ name: 'home' });
    expect(parseRoute('/admin/')).toEqual({ name: 'home' });
    expect(parseRoute('/admin/moderation/cases/%E0%A4%A')).toEqual({ name: 'notFound', path: '/admin/moderation/cases/%E0%A4%A' });
  });
});

describe('the decision form', () => {
  const now = new Date(2030, 0, 10, 12, 0, 0);
  const base: CaseView = {
    id: 'post-1:1',
    status: 'IN_REVIEW',
    revision: 3,
    assignedTo: 'cm-1',
    contentStatus: 'VISIBLE',
    decision: null,
    appeal: null,
    flags: [{}],
  };

  test('an outcome and a reason are required; a suspension end must be a day in the future', () => {
    expect(decisionProblems(EMPTY_DECISION, now)).toEqual({ outcome: 'outcomeRequired', reason: 'reasonRequired' });
    expect(decisionProblems({ ...EMPTY_DECISION, outcome: 'SUSPEND_MEMBER', reason: 'x', suspendUntil: '2030-01-09' }, now)).toEqual({
      suspendUntil: 'suspendUntilPast',
    });
    expect(decisionProblems({ ...EMPTY_DECISION, outcome: 'SUSPEND_MEMBER', reason: 'x', suspendUntil: '2030-02-31' }, now)).toEqual({
      suspendUntil: 'suspendUntilInvalid',
    });
    expect(decisionProblems({ ...EMPTY_DECISION, outcome: 'SUSPEND_MEMBER', reason: 'x', suspendUntil: '' }, now)).toEqual({});
    expect(decisionProblems({ ...EMPTY_DECISION, outcome: 'SUSPEND_MEMBER', reason: 'x', suspendUntil: '2030-01-10' }, now)).toEqual({});
  });

  test('the input carries the revision the manager saw, the guideline and the end of the chosen day', () => {
    const input = decisionInput(
      base,
      { outcome: 'SUSPEND_MEMBER', reason: ' spam again ', guideline: 'code-of-conduct@2', section: '4.1', suspendUntil: '2030-02-01' },
      'cmd-1',
    );
    expect(input).toEqual({
      caseId: 'post-1:1',
      commandId: 'cmd-1',
      expectedRevision: 3,
      outcome: 'SUSPEND_MEMBER',
      reason: 'spam again',
      guideline: { agreementId: 'code-of-conduct', version: 2, section: '4.1' },
      suspendUntil: suspensionEnd('2030-02-01')!.toISOString(),
    });
    expect(new Date(input.suspendUntil as string).getDate()).toBe(1);
    const plain = decisionInput(base, { ...EMPTY_DECISION, outcome: 'WARN_MEMBER', reason: 'r', suspendUntil: '2030-02-01' }, 'cmd-2');
    expect(plain).not.toHaveProperty('suspendUntil');
    expect(plain).not.toHaveProperty('guideline');
  });

  test('guidelines: the current version of each agreement, parsed back', () => {
    const options = guidelineOptions([
      { id: 'privacy', currentVersion: { version: 1, title: 'Privacy' } },
      { id: 'code-of-conduct', currentVersion: { version: 3, title: 'Code' } },
    ]);
    expect(options.map((o) => o.value)).toEqual(['code-of-conduct@3', 'privacy@1']);
    expect(parseGuideline('a@b@2')).toEqual({ agreementId: 'a@b', version: 2 });
    expect(parseGuideline('nothing')).toBeNull();
    expect(parseGuideline('x@0')).toBeNull();
  });

  test('only open and in-review cases are decided', () => {
    expect(['OPEN', 'IN_REVIEW', 'DECIDED', 'APPEALED', 'CLOSED'].filter((s) => isDecidable(s as CaseView['status']))).toEqual([
      'OPEN',
      'IN_REVIEW',
    ]);
  });

  test('a conflict lists what the other manager changed', () => {
    const after: CaseView = {
      ...base,
      status: 'DECIDED',
      revision: 5,
      assignedTo: 'cm-2',
      contentStatus: 'REMOVED',
      decision: { outcome: 'REMOVE_CONTENT', decidedBy: 'cm-2', reason: 'r' },
      flags: [{}, {}],
    };
    expect(caseChanges(base, after)).toEqual([
      { kind: 'status', from: 'IN_REVIEW', to: 'DECIDED' },
      { kind: 'assignee', from: 'cm-1', to: 'cm-2' },
      { kind: 'decided', by: 'cm-2', outcome: 'REMOVE_CONTENT' },
      { kind: 'flags', added: 1 },
      { kind: 'content', from: 'VISIBLE', to: 'REMOVED' },
    ]);
    expect(caseChanges(base, base)).toEqual([]);
  });

  test('stream ids of a category become ids, each once', () => {
    expect(idsOfStreams('agreement', ['agreement-coc', 'acceptance-coc-m1', 'agreement-coc', 'agreement-privacy-2'])).toEqual([
      'coc',
      'privacy-2',
    ]);
  });
});

describe('GraphQL answers', () => {
  test('the first error, with its code and field', () => {
    const error = errorOf(200, { data: null, errors: [{ message: 'stale', extensions: { code: 'CONFLICT' } }] });
    expect(error).toMatchObject({ code: 'CONFLICT', message: 'stale' });
    expect(errorOf(200, { errors: [{ message: 'bad', extensions: { code: 'BAD_USER_INPUT', field: 'reason' } }] })).toMatchObject({
      field: 'reason',
    });
    expect(errorOf(401, null)).toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(errorOf(502, null)).toMatchObject({ code: 'INTERNAL_SERVER_ERROR' });
    expect(errorOf(200, { data: { me: { id: 'x' } } })).toBeNull();
  });

  test("the error's other extensions, and whether its message is the service's own, are kept", () => {
    const conflict = errorOf(200, {
      errors: [
        {
          message: 'this was changed meanwhile (now at revision 7, you saw 5): reload and try again',
          extensions: { code: 'CONFLICT', actualRevision: 7 },
        },
      ],
    });
    expect(conflict).toMatchObject({ code: 'CONFLICT', extensions: { actualRevision: 7 }, fromService: true, status: 200 });
    expect(errorOf(502, null)).toMatchObject({ fromService: false, status: 502 });
  });

  test('optional documents are used only when the served schema has their fields', () => {
    const without = capabilitiesOf({ __schema: { queryType: { fields: [{ name: 'me' }] }, mutationType: null } });
    const withAudit = capabilitiesOf({
      __schema: { queryType: { fields: [{ name: 'me' }, { name: 'governanceHistory' }] }, mutationType: { fields: [] } },
    });
    expect(supports(without, ME)).toBe(true);
    expect(supports(without, GOVERNANCE_HISTORY)).toBe(false);
    expect(supports(withAudit, GOVERNANCE_HISTORY)).toBe(true);
    // Introspection off (production): the console tries, and a missing feature answers GRAPHQL_VALIDATION_FAILED.
    expect(supports(UNKNOWN_CAPABILITIES, GOVERNANCE_HISTORY)).toBe(true);
    expect(errorOf(400, { errors: [{ message: 'Cannot query field', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }] })).toMatchObject({
      code: 'GRAPHQL_VALIDATION_FAILED',
    });
  });

  test('every document has a name (operations are named, for the service logs)', () => {
    for (const [name, document] of Object.entries(DOCUMENTS))
      expect([name, /^(query|mutation|subscription) [A-Z]\w+/.test(document.query.trim())]).toEqual([name, true]);
  });
});

describe('errors in the chosen language', () => {
  const refused = (code: string, message: string, extensions: Record<string, unknown> = {}, status = 200) =>
    errorOf(status, { data: null, errors: [{ message, extensions: { code, ...extensions } }] })!;

  test("a refusal: the console's line for its code, then the service's English reason, then the code", () => {
    const forbidden = refused('FORBIDDEN', "moderating a case needs the role COMMUNITY_MANAGER or ownership of the case's group");
    expect(describeError('nl', forbidden)).toEqual({
      headline: 'Dit mag je niet: je rollen, of je relatie tot waar het om gaat, staan het niet toe.',
      detail: "moderating a case needs the role COMMUNITY_MANAGER or ownership of the case's group",
      code: 'FORBIDDEN',
    });
    expect(describeError('en', forbidden).headline).toMatch(/^You may not do this/);
    expect(describeError('nl', refused('NOT_FOUND', 'no moderation case x')).headline).toBe('Dit bestaat niet (meer).');
    expect(describeError('nl', refused('CONFLICT', 'case is already decided'))).toMatchObject({
      headline: 'Dit kan niet in de huidige toestand, of iemand anders heeft het intussen gewijzigd.',
      detail: 'case is already decided',
    });
  });

  test('known cases: the field refused, the revision conflicted with, saved but not shown, worth a retry', () => {
    expect(describeError('nl', refused('BAD_USER_INPUT', 'suspendUntil must be in the future', { field: 'suspendUntil' }))).toEqual({
      headline: 'De service heeft de invoer voor „suspendUntil” geweigerd.',
      detail: 'suspendUntil must be in the future',
      code: 'BAD_USER_INPUT',
    });
    const stale = refused('CONFLICT', 'this was changed meanwhile (now at revision 7, you saw 5): reload and try again', {
      actualRevision: 7,
    });
    expect(describeError('nl', stale).headline).toBe(
      'Iemand anders heeft dit intussen gewijzigd: het staat nu op revisie 7. Lees het opnieuw en probeer het nog eens.',
    );
    // "you saw 5" is only in the service's text: kept.
    expect(describeError('nl', stale).detail).toContain('you saw 5');
    const saved = refused('INTERNAL_SERVER_ERROR', 'the change was saved, but the views did not catch up in time; reload in a moment', {
      saved: true,
      retryable: false,
    });
    // The headline says all the service did: not said twice.
    expect(describeError('nl', saved)).toEqual({
      headline: 'De wijziging is opgeslagen, maar de overzichten waren niet op tijd bijgewerkt. Laad de pagina zo opnieuw.',
      detail: null,
      code: 'INTERNAL_SERVER_ERROR',
    });
    const database = refused('INTERNAL_SERVER_ERROR', 'the service cannot reach its database right now; try again shortly', {
      retryable: true,
    });
    expect(describeError('nl', database)).toMatchObject({
      headline: 'De service kan iets waarvan hij afhangt nu niet bereiken. Probeer het zo opnieuw.',
      detail: 'the service cannot reach its database right now; try again shortly',
    });
    expect(describeError('nl', refused('INTERNAL_SERVER_ERROR', 'internal error')).detail).toBeNull();
  });

  test("failures that are not the service's words: the network, an HTTP status, the console's own", () => {
    expect(describeError('nl', new ApiError('NETWORK', 'the service cannot be reached'))).toEqual({
      headline: 'De service is niet bereikbaar. Controleer de verbinding en probeer het opnieuw.',
      detail: null,
      code: 'NETWORK',
    });
    expect(describeError('nl', errorOf(502, null)!).headline).toBe('De service antwoordde met HTTP-status 502.');
    expect(describeError('nl', new Error('the identity provider sent no code'))).toEqual({
      headline: 'De service gaf een onverwacht antwoord.',
      detail: 'the identity provider sent no code',
      code: null,
    });
  });

  test("a page's own headline replaces the code's; the service's text stays", () => {
    const error = refused('CONFLICT', 'webhook w-1 is at revision 3', { actualRevision: 3 }).withHeadline('Someone changed this webhook');
    expect(describeError('en', error)).toEqual({
      headline: 'Someone changed this webhook',
      detail: 'webhook w-1 is at revision 3',
      code: 'CONFLICT',
    });
  });

  test('every code the client knows has a line in both languages', () => {
    const codes = ['UNAUTHENTICATED', 'FORBIDDEN', 'BAD_USER_INPUT', 'NOT_FOUND', 'CONFLICT', 'INTERNAL_SERVER_ERROR'];
    const more = ['GRAPHQL_VALIDATION_FAILED', 'RATE_LIMITED', 'NETWORK', 'UNKNOWN'] as const;
    for (const code of [...codes, ...more]) {
      for (const language of LANGUAGES) {
        const { headline } = describeError(language, new ApiError(code as (typeof more)[number], 'x', { fromService: true }));
        expect([code, language, headline.length > 10, headline.includes('error_')]).toEqual([code, language, true, false]);
      }
    }
  });

  test('as one line, for the sign-in page', () => {
    expect(errorLine('nl', refused('FORBIDDEN', 'no'))).toBe(
      'Dit mag je niet: je rollen, of je relatie tot waar het om gaat, staan het niet toe. (De service meldde (in het Engels): “no” FORBIDDEN)',
    );
  });
});

describe('sign-in with PKCE', () => {
  test('the S256 challenge is BASE64URL(SHA-256(verifier)), without padding', async () => {
    const verifier = 'dBjftJeZ4CVP-mJ92IgaHUmF8Pyq8sQYPgZ8W4SyHYk';
    expect(await codeChallenge(verifier)).toBe(createHash('sha256').update(verifier).digest('base64url'));
    expect(base64url(new Uint8Array([251, 255]))).toBe('-_8');
  });

  test('the authorization URL carries the client, the redirect, the challenge and the audience', () => {
    const discovery = parseDiscovery('https://id.example.org/', {
      issuer: 'https://id.example.org',
      authorization_endpoint: 'https://id.example.org/authorize',
      token_endpoint: 'https://id.example.org/token',
    });
    const url = new URL(
      authorizationUrl(discovery, {
        clientId: 'console',
        redirectUri: 'https://gov.example.org/admin/callback',
        audience: 'governance',
        state: 's1',
        nonce: 'n1',
        challenge: 'c1',
      }),
    );
    expect(Object.fromEntries(url.searchParams)).toEqual({
      response_type: 'code',
      client_id: 'console',
      redirect_uri: 'https://gov.example.org/admin/callback',
      scope: 'openid profile',
      state: 's1',
      nonce: 'n1',
      code_challenge: 'c1',
      code_challenge_method: 'S256',
      audience: 'governance',
    });
    expect(Object.fromEntries(tokenRequestBody('code', 'verifier', 'console', 'https://gov.example.org/admin/callback'))).toMatchObject({
      grant_type: 'authorization_code',
      code_verifier: 'verifier',
    });
  });

  test('a discovery document of another issuer, or without endpoints, is refused', () => {
    expect(() =>
      parseDiscovery('https://id.example.org', {
        issuer: 'https://evil.example.org',
        authorization_endpoint: 'https://x',
        token_endpoint: 'https://y',
      }),
    ).toThrow(/issuer/);
    expect(() => parseDiscovery('https://id.example.org', { issuer: 'https://id.example.org' })).toThrow(/authorization_endpoint/);
  });

  test('the callback needs the state this tab sent', () => {
    expect(parseCallback('?code=abc&state=s1', 's1')).toEqual({ code: 'abc' });
    expect(parseCallback('?code=abc&state=s2', 's1')).toHaveProperty('error');
    expect(parseCallback('?code=abc&state=s1', null)).toHaveProperty('error');
    expect(parseCallback('?error=access_denied&error_description=no', 's1')).toEqual({ error: 'access_denied: no' });
  });

  test('expiry is read from the token without verifying it', () => {
    const token = (claims: object) => `x.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.y`;
    expect(jwtClaims(token({ sub: 'm-1', exp: 100 }))).toEqual({ sub: 'm-1', exp: 100 });
    expect(isExpired(token({ exp: 100 }), 200_000)).toBe(true);
    expect(isExpired(token({ exp: 1000 }), 200_000)).toBe(false);
    expect(isExpired(token({}), 200_000)).toBe(false);
    expect(jwtClaims('garbage')).toBeNull();
  });
});

describe('audit', () => {
  test('the history filter leaves out empty fields and reads dates in local time', () => {
    expect(historyFilter(EMPTY_HISTORY_FORM)).toEqual({});
    expect(historyFilter({ ...EMPTY_HISTORY_FORM, streamId: ' group-g-1 ', eventTypes: 'A, B,,', from: '2030-01-02T03:04' })).toEqual({
      streamId: 'group-g-1',
      eventTypes: ['A', 'B'],
      from: new Date(2030, 0, 2, 3, 4).toISOString(),
    });
    expect(localDateTimeToIso('yesterday')).toBeNull();
  });

  test('time travel takes a revision or a moment', () => {
    expect(timeTravelTarget('revision', '3')).toEqual({ revision: 3 });
    expect(timeTravelTarget('revision', '-1')).toEqual({ problem: 'invalid' });
    expect(timeTravelTarget('revision', '')).toEqual({ problem: 'invalid' });
    expect(timeTravelTarget('at', '2030-01-02T03:04:05')).toEqual({ at: new Date(2030, 0, 2, 3, 4, 5).toISOString() });
  });

  test('the export URL and file name follow the period', () => {
    expect(exportUrl({ from: '', to: '', category: '' })).toBe('/audit/export');
    expect(exportUrl({ from: '2030-01-02T00:00', to: '', category: 'group' })).toBe(
      `/audit/export?from=${encodeURIComponent(new Date(2030, 0, 2).toISOString())}&category=group`,
    );
    expect(exportFileName({ from: '', to: '' }, new Date('2030-05-06T10:00:00Z'))).toBe('governance-log-start-to-2030-05-06.ndjson');
  });

  test('what changed between then and now, key by key', () => {
    expect(changedKeys({ a: 1, b: [1], c: 'x' }, { a: 1, b: [1, 2], d: true })).toEqual(['b', 'c', 'd']);
    expect(changedKeys(null, null)).toEqual([]);
    expect(changedKeys(1, 2)).toEqual(['(state)']);
  });
});

describe('labels', () => {
  test('English is the default; Dutch when chosen', () => {
    expect(initialLanguage(null)).toBe('en');
    expect(initialLanguage('fr')).toBe('en');
    expect(initialLanguage('nl')).toBe('nl');
  });

  test('every label has a non-empty English and Dutch text with the same placeholders', () => {
    for (const key of Object.keys(MESSAGES.en) as (keyof typeof MESSAGES.en)[]) {
      const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      expect([key, MESSAGES.nl[key].trim().length > 0]).toEqual([key, true]);
      expect([key, placeholders(MESSAGES.nl[key])]).toEqual([key, placeholders(MESSAGES.en[key])]);
    }
    expect(enumValuesMissingIn('nl')).toEqual([]);
    // Nothing in Dutch that English has not (a key only there would be a typo nobody sees).
    expect(Object.keys(MESSAGES.nl).filter((key) => !Object.hasOwn(MESSAGES.en, key))).toEqual([]);
  });

  test('a Dutch label is not the English one, unless the word is Dutch as well (how "Actor" was found untranslated)', () => {
    const sameInDutch: readonly MessageKey[] = [
      'id',
      'status',
      'filters',
      'modules',
      'export',
      'checkpoint',
      'kpi',
      'area_training',
      'area_audit',
      'area_webhooks',
      'webhook',
      'webhookUrl',
      'webhookMessageId',
      'change_status',
      'eventCategory_privacy',
      'eventCategory_webhook',
    ];
    const same = (Object.keys(MESSAGES.en) as MessageKey[]).filter((key) => MESSAGES.nl[key] === MESSAGES.en[key]);
    expect(same.filter((key) => !sameInDutch.includes(key))).toEqual([]);
    expect(translate('nl', 'actor')).toBe('Uitgevoerd door');
  });

  test('placeholders and enum values', () => {
    expect(translate('en', 'verifyOk', { count: 12 })).toBe('The hash chain is intact: 12 events verified.');
    expect(translate('nl', 'change_assignee', { from: null, to: 'cm-2' })).toBe('behandelaar — → cm-2');
    expect(enumLabel('nl', 'SUSPEND_MEMBER')).toBe('Lid schorsen');
    expect(enumLabel('en', 'SOMETHING_NEW')).toBe('SOMETHING_NEW');
  });
});

describe('insights', () => {
  test('KPI values in their unit', () => {
    expect(formatKpi('en', 0.8, 'RATIO')).toBe('80 %');
    expect(formatKpi('nl', 0.8125, 'RATIO')).toBe('81,3 %');
    expect(formatKpi('en', 12, 'COUNT')).toBe('12');
    expect(formatKpi('en', 1.25, 'HOURS')).toBe('1.3 h');
    expect(formatKpi('en', null, 'COUNT')).toBe('—');
    // A tiny share is neither written in exponent notation nor rounded to nothing.
    expect(formatKpi('en', 1.25e-7, 'RATIO')).toBe('< 0.1 %');
    expect(formatKpi('nl', 1.25e-7, 'RATIO')).toBe('< 0,1 %');
    expect(formatKpi('en', 0, 'RATIO')).toBe('0 %');
  });

  test('a trend: one KPI over the points, oldest first, with its targets', () => {
    const points = [
      { at: '2030-02-01T00:00:00.000Z', kpis: [{ kpi: 'A', value: 2, target: { value: 3 } }] },
      {
        at: '2030-01-01T00:00:00.000Z',
        kpis: [
          { kpi: 'A', value: null, target: null },
          { kpi: 'B', value: 1 },
        ],
      },
    ];
    expect(seriesOf(points, 'A')).toEqual({ labels: ['2030-01-01', '2030-02-01'], values: [null, 2], targets: [null, 3] });
    expect(trendRange(new Date('2030-12-15T00:00:00Z'), 'MONTH')).toEqual({
      from: '2030-01-15T00:00:00.000Z',
      to: '2030-12-15T00:00:00.000Z',
    });
    expect(trendRange(new Date('2030-12-15T00:00:00Z'), 'WEEK', 2).from).toBe('2030-12-08T00:00:00.000Z');
  });
});

describe('adoption', () => {
  const side = (postingShare: number | null, readingShare: number | null, sampleTooSmall = false): ComparisonSide => ({
    groups: sampleTooSmall ? 2 : 6,
    members: 100,
    postingShare,
    readingShare,
    sampleTooSmall,
  });

  test('the three comparisons alike: before/after gets its differences (after minus before) and its flag from its sides', () => {
    const comparisons = comparisonsOf({
      minimumGroupsPerSide: 5,
      certifiedOwners: {
        caveat: 'Correlation only.',
        postingShareDifference: 0.1,
        readingShareDifference: null,
        sampleTooSmall: false,
        certified: side(0.3, null),
        uncertified: side(0.2, 0.5),
      },
      ambassadorInDepartment: {
        caveat: 'Departments differ.',
        postingShareDifference: -0.05,
        readingShareDifference: 0,
        sampleTooSmall: true,
        withAmbassador: side(0.15, 0.5, true),
        withoutAmbassador: side(0.2, 0.5),
      },
      beforeAfterCertification: { caveat: 'Time passes too.', before: side(0.25, null), after: side(0.4, 0.6, true) },
    });
    expect(comparisons.map((c) => [c.title, c.sides.map((s) => s.label), c.sampleTooSmall, c.caveat])).toEqual([
      ['cmpCertifiedOwners', ['sideCertified', 'sideUncertified'], false, 'Correlation only.'],
      ['cmpAmbassador', ['sideWithAmbassador', 'sideWithoutAmbassador'], true, 'Departments differ.'],
      ['cmpBeforeAfter', ['sideBefore', 'sideAfter'], true, 'Time passes too.'],
    ]);
    expect(comparisons[2]!.postingShareDifference).toBeCloseTo(0.15);
    expect(comparisons[2]!.readingShareDifference).toBeNull();
  });

  test('differences in signed percentage points', () => {
    expect(formatShareDifference('en', 0.0325)).toBe('+3.3 pp');
    expect(formatShareDifference('nl', -0.005)).toMatch(/^[-−]0,5 procentpunt$/);
    expect(formatShareDifference('en', 1.25e-7)).toBe('0 pp');
    expect(formatShareDifference('en', null)).toBe('—');
  });

  test('the groups needing attention: silent groups first, then the lowest posting share; groups without counts apart', () => {
    const groups = groupSharesOf([
      { kpi: 'ADOPTION_POSTING_SHARE', scope: null, value: 0.2 },
      { kpi: 'ADOPTION_POSTING_SHARE', scope: 'g-busy', value: 0.4 },
      { kpi: 'ADOPTION_READING_SHARE', scope: 'g-busy', value: 0.9 },
      { kpi: 'ADOPTION_POSTING_SHARE', scope: 'g-quiet', value: 0.05 },
      { kpi: 'ADOPTION_READING_SHARE', scope: 'g-quiet', value: 0.3 },
      { kpi: 'ADOPTION_POSTING_SHARE', scope: 'g-silent', value: 0 },
      { kpi: 'ADOPTION_READING_SHARE', scope: 'g-silent', value: 0 },
      { kpi: 'ADOPTION_POSTING_SHARE', scope: 'g-lurkers', value: 0 },
      { kpi: 'ADOPTION_READING_SHARE', scope: 'g-lurkers', value: 0.6 },
      { kpi: 'ADOPTION_POSTING_SHARE', scope: 'g-viva', value: null },
      { kpi: 'ADOPTION_READING_SHARE', scope: 'g-viva', value: null },
    ]);
    expect(groups.map((g) => g.groupId)).toEqual(['g-busy', 'g-lurkers', 'g-quiet', 'g-silent', 'g-viva']);
    const attention = groupsNeedingAttention(groups, 3);
    expect(attention.shown.map((g) => [g.groupId, g.silent])).toEqual([
      ['g-silent', true],
      ['g-lurkers', false],
      ['g-quiet', false],
    ]);
    expect(attention).toMatchObject({ more: 1, unranked: 1 });
  });

  test("before/after: the service's differences of shares and counts (after minus before) are shown as it gives them", () => {
    const [certified, ambassador, beforeAfter] = comparisonsOf({
      minimumGroupsPerSide: 5,
      certifiedOwners: {
        caveat: '',
        postingShareDifference: null,
        readingShareDifference: null,
        sampleTooSmall: true,
        certified: side(null, null, true),
        uncertified: side(null, null, true),
      },
      ambassadorInDepartment: {
        caveat: '',
        postingShareDifference: null,
        readingShareDifference: null,
        sampleTooSmall: true,
        withAmbassador: side(null, null, true),
        withoutAmbassador: side(null, null, true),
      },
      beforeAfterCertification: {
        caveat: 'Time passes too.',
        // Sides that would give other differences: the service's own figures win (it knows the exact means).
        before: side(0.1, 0.5),
        after: side(0.2, 0.5),
        postingShareDifference: 0.0825,
        readingShareDifference: null,
        sampleTooSmall: false,
        membersDifference: 20,
        postersDifference: null,
        readersDifference: -3.5,
      },
    });
    expect([certified!.countDifferences, ambassador!.countDifferences]).toEqual([null, null]);
    expect(beforeAfter).toMatchObject({
      postingShareDifference: 0.0825,
      readingShareDifference: null,
      sampleTooSmall: false,
      countDifferences: { members: 20, posters: null, readers: -3.5 },
    });
    expect(formatCountDifference('en', 20)).toBe('+20');
    expect(formatCountDifference('nl', -3.5)).toMatch(/^[-−]3,5$/);
    expect(formatCountDifference('en', 0)).toBe('0');
    expect(formatCountDifference('en', null)).toBe('—');
  });

  test('groups without activity: owners in words, the last activity as a UTC calendar day or "never reported"', () => {
    expect(ownersLabel({ owners: 0, ownersCertified: false })).toBe('ownersNone');
    expect(ownersLabel({ owners: 2, ownersCertified: false })).toBe('ownersNotCertified');
    expect(ownersLabel({ owners: 1, ownersCertified: true })).toBe('ownersCertified');
    expect(lastActivityLabel({ lastActivity: null, daysSinceLastActivity: null }, (d) => d)).toEqual({
      key: 'lastActivityNever',
      values: {},
    });
    const label = lastActivityLabel({ lastActivity: '2026-01-31', daysSinceLastActivity: 45 }, (d) => formatCalendarDate('en', d));
    expect(label).toEqual({ key: 'lastActivityOn', values: { date: '31 Jan 2026', days: 45 } });
    expect(translate('en', label.key, label.values)).toBe('31 Jan 2026 (45 days ago)');
    expect(translate('nl', label.key, { ...label.values, date: formatCalendarDate('nl', '2026-01-31') })).toBe(
      '31 jan 2026 (45 dagen geleden)',
    );
    // Not a date: shown as given rather than "Invalid Date".
    expect(formatCalendarDate('en', 'soon')).toBe('soon');
  });

  test("an import's answer: any rejected row means nothing was imported; the report's days from the service's period", () => {
    const answer = {
      periodStart: '2026-11-23T00:00:00.000Z',
      periodEnd: '2026-11-30T00:00:00.000Z',
      rowsImported: 12,
      rowsUnmatched: ['Koffie'],
      rowsRejected: [],
    };
    expect(importOutcome(answer)).toEqual({ key: 'importDone', count: 12, refresh: true });
    expect(importOutcome({ ...answer, rowsImported: 0, rowsRejected: [{ row: 3, message: 'members must be a number' }] })).toEqual({
      key: 'importRejected',
      count: 1,
      refresh: false,
    });
    expect(importOutcome({ ...answer, rowsImported: 0 })).toEqual({ key: 'importNothing', count: 0, refresh: false });
    // The end is the start of the day after the last one: the week of 23 to 29 November.
    expect(importedDays(answer)).toEqual({ from: '2026-11-23', to: '2026-11-29' });
    expect(importedDays({ periodStart: null, periodEnd: null })).toBeNull();
  });

  test('before any activity report every adoption KPI is null: the page explains how to import one', () => {
    const kpis = ['ADOPTION_POSTING_SHARE', 'ADOPTION_READING_SHARE', 'ADOPTION_ACTIVE_GROUPS', 'ADOPTION_GROUPS_INACTIVE_30_DAYS'];
    expect(hasActivityReports(kpis.map((kpi) => ({ kpi, scope: null, value: null })))).toBe(false);
    expect(
      hasActivityReports(kpis.map((kpi) => ({ kpi, scope: null, value: kpi === 'ADOPTION_GROUPS_INACTIVE_30_DAYS' ? 0 : null }))),
    ).toBe(true);
  });
});

describe('notifications and webhooks', () => {
  test('the delivery log filter: every status, those nobody received, or one', () => {
    expect(notificationStatusesOf('ANY')).toBeNull();
    expect(notificationStatusesOf('NOT_TOLD')).toEqual(['FAILED', 'NOT_SENT_NO_SMTP', 'NOT_SENT_NO_ADDRESS', 'SKIPPED_TOO_OLD']);
    expect(notificationStatusesOf('RETRY')).toEqual(['RETRY']);
    // A member who was not told is a problem; an event skipped as too old is not one to act on.
    expect(notificationTone('SENT')).toBe('ok');
    expect(notificationTone('NOT_SENT_NO_SMTP')).toBe('bad');
    expect(notificationTone('SKIPPED_TOO_OLD')).toBeUndefined();
  });

  // A kind the schema gains without a label here fails to compile (satisfies), and then this test.
  const EVERY_NOTIFICATION_KIND = {
    AGREEMENT_REACCEPTANCE_REQUIRED: true,
    AMBASSADOR_APPROVED: true,
    AMBASSADOR_OFFBOARDED: true,
    APPEAL_DECIDED: true,
    CERTIFICATION_DUE_FOR_RENEWAL: true,
    CERTIFICATION_EXPIRED: true,
    CERTIFICATION_SUSPENDED: true,
    COMMUNITY_MANAGER_DIGEST: true,
    ERASURE_COMPLETED: true,
    MODERATION_DECISION: true,
    REPORT_HANDLED: true,
    WEBHOOK_DISABLED: true,
  } satisfies Record<NotificationKind, true>;

  test('every status and kind has a label in both languages; one the API adds later shows as its value', () => {
    const keys = [
      ...NOTIFICATION_STATUSES.map((s) => labelKeyOf('notifStatus_', s)),
      ...WEBHOOK_DELIVERY_STATUSES.map((s) => labelKeyOf('webhookDeliveryStatus_', s)),
      ...Object.keys(EVERY_NOTIFICATION_KIND).map((k) => labelKeyOf('notifKind_', k)),
      ...['BY_COMMUNITY_MANAGER', 'FAILING'].map((r) => labelKeyOf('webhookDisabledReason_', r)),
      ...['ACTIVE', 'DISABLED'].map((s) => labelKeyOf('webhookStatus_', s)),
    ];
    expect(keys).not.toContain(null);
    expect(translate('nl', labelKeyOf('notifStatus_', 'NOT_SENT_NO_SMTP')!)).toBe('Niet verzonden: geen SMTP ingesteld');
    expect(labelKeyOf('notifKind_', 'SOMETHING_NEW')).toBeNull();
    expect(labelKeyOf('notifKind_', 'toString')).toBeNull();
  });

  test('the event types are offered by category, both sorted, without repeats', () => {
    expect(
      eventCategoriesOf([
        { category: 'moderation_case', type: 'ModerationCaseOpened' },
        { category: 'group', type: 'GroupCreated' },
        { category: 'moderation_case', type: 'ModerationCaseDecided' },
        { category: 'moderation_case', type: 'ModerationCaseDecided' },
      ]),
    ).toEqual([
      { category: 'group', types: ['GroupCreated'] },
      { category: 'moderation_case', types: ['ModerationCaseDecided', 'ModerationCaseOpened'] },
    ]);
  });

  test('the register form: an http(s) URL, and every event or at least one chosen', () => {
    const form = { ...EMPTY_REGISTER_FORM, url: 'https://hooks.example.org/abc', categories: ['group'] };
    expect(registerProblems(form)).toEqual({});
    expect(registerProblems({ ...form, url: '  ' })).toEqual({ url: 'urlRequired' });
    expect(registerProblems({ ...form, url: 'hooks.example.org' })).toEqual({ url: 'urlInvalid' });
    expect(registerProblems({ ...form, url: 'ftp://hooks.example.org' })).toEqual({ url: 'urlScheme' });
    // Nothing chosen is not "every event": that is asked for explicitly.
    expect(registerProblems({ ...form, categories: [] })).toEqual({ events: 'eventsRequired' });
    expect(registerProblems({ ...form, categories: [], scope: 'all' })).toEqual({});
    const many = Array.from({ length: MAX_WEBHOOK_FILTERS + 1 }, (_, i) => typeEntry('group', `Type${i}`));
    expect(registerProblems({ ...form, categories: [], eventTypes: many })).toEqual({ events: 'tooManyEvents' });
  });

  test("registerWebhook's input: trimmed, without the types a chosen category hears already", () => {
    const form = {
      url: ' https://hooks.example.org/abc ',
      description: '  ',
      scope: 'chosen' as const,
      categories: ['moderation_case'],
      eventTypes: [
        typeEntry('moderation_case', 'ModerationCaseOpened'),
        typeEntry('group', 'GroupCreated'),
        typeEntry('group', 'GroupCreated'),
      ],
    };
    expect(registerInput(form, 'cmd-1')).toEqual({
      url: 'https://hooks.example.org/abc',
      commandId: 'cmd-1',
      categories: ['moderation_case'],
      eventTypes: ['GroupCreated'],
    });
    expect(registerInput({ ...form, scope: 'all', description: ' Teams ' }, 'cmd-2')).toEqual({
      url: 'https://hooks.example.org/abc',
      commandId: 'cmd-2',
      description: 'Teams',
    });
    expect(toggled(['a', 'b'], 'a')).toEqual(['b']);
    expect(toggled(['b'], 'a')).toEqual(['b', 'a']);
    expect(hearsEverything({ eventTypes: [], categories: [] })).toBe(true);
    expect(hearsEverything({ eventTypes: [], categories: ['group'] })).toBe(false);
  });

  test('changes: an active webhook is disabled, a disabled one enabled, either rotated, on the revision shown', () => {
    expect(webhookChanges('ACTIVE')).toEqual(['rotate', 'disable']);
    expect(webhookChanges('DISABLED')).toEqual(['enable', 'rotate']);
    expect(webhookChangeInput({ webhookId: 'w-1', revision: 3 }, '  ', 'cmd')).toEqual({
      webhookId: 'w-1',
      expectedRevision: 3,
      commandId: 'cmd',
    });
    expect(webhookChangeInput({ webhookId: 'w-1', revision: 0 }, ' noisy ', 'cmd')).toMatchObject({ expectedRevision: 0, reason: 'noisy' });
  });

  test('after a rotation the previous secret signs for 24 hours; only a dead letter is retried by hand', () => {
    const rotatedAt = '2026-03-01T10:00:00.000Z';
    expect(previousSecretSignsUntil(null, new Date(rotatedAt))).toBeNull();
    expect(previousSecretSignsUntil(rotatedAt, new Date('2026-03-01T12:00:00Z'))?.toISOString()).toBe('2026-03-02T10:00:00.000Z');
    expect(previousSecretSignsUntil(rotatedAt, new Date('2026-03-02T10:00:00Z'))).toBeNull();
    expect(WEBHOOK_DELIVERY_STATUSES.filter(mayRetry)).toEqual(['FAILED']);
    expect(webhookDeliveryTone('FAILED')).toBe('bad');
    expect(webhookDeliveryTone('RETRY')).toBe('warn');
  });

  test('community managers and auditors see both pages; only a community manager changes webhooks', () => {
    for (const area of ['notifications', 'webhooks'] as const) {
      expect(canSee(viewer(['COMMUNITY_MANAGER']), area)).toBe(true);
      expect(canSee(viewer(['AUDITOR']), area)).toBe(true);
      expect(canSee(viewer(['MEMBER'], ['cycling']), area)).toBe(false);
      expect(canSee(viewer(['PRIVACY_OFFICER']), area)).toBe(false);
      expect(parseRoute(hrefFor({ name: 'area', area }))).toEqual({ name: 'area', area });
    }
    expect(can(['COMMUNITY_MANAGER'], 'manage')).toBe(true);
    expect(can(['AUDITOR'], 'manage')).toBe(false);
  });

  test('the documents are validated with the rest, and shown only where the service offers them', () => {
    expect(DOCUMENTS).toMatchObject({ NOTIFICATION_DELIVERIES, WEBHOOKS, WEBHOOK_DELIVERIES, REGISTER_WEBHOOK, RETRY_WEBHOOK_DELIVERY });
    const without = capabilitiesOf({
      __schema: { queryType: { fields: [{ name: 'me' }] }, mutationType: { fields: [] } },
    });
    expect(supports(without, WEBHOOKS)).toBe(false);
    expect(supports(without, NOTIFICATION_DELIVERIES)).toBe(false);
    expect(supports(UNKNOWN_CAPABILITIES, REGISTER_WEBHOOK)).toBe(true);
  });
});

describe('certification steps offered by status', () => {
  // Checked against the certification decider itself in test/admin/certification-steps.unit.spec.ts.
  test('the statuses read as the form lists them', () => {
    expect(certificationSteps({ status: 'NOT_CERTIFIED', level: null }, [2, 1])).toEqual({ awardLevels: [1, 2], changes: [] });
    expect(certificationSteps({ status: 'CERTIFIED', level: 1 }, [1, 2])).toEqual({
      awardLevels: [2],
      changes: ['renew', 'suspend', 'revoke'],
    });
    expect(certificationSteps({ status: 'SUSPENDED', level: 1 }, [1, 2])).toEqual({ awardLevels: [], changes: ['reinstate', 'revoke'] });
  });
});

describe('publishing an agreement version', () => {
  test('a line diff: kept, removed and added lines in reading order', () => {
    expect(lineDiff('a\nb\nc', 'a\nB\nc\nd')).toEqual([
      { kind: 'same', text: 'a' },
      { kind: 'removed', text: 'b' },
      { kind: 'added', text: 'B' },
      { kind: 'same', text: 'c' },
      { kind: 'added', text: 'd' },
    ]);
    expect(lineDiff('', 'one')).toEqual([{ kind: 'added', text: 'one' }]);
    expect(lineDiff('x\r\ny', 'x\ny')).toEqual([
      { kind: 'same', text: 'x' },
      { kind: 'same', text: 'y' },
    ]);
    expect(changesSomething(lineDiff('same\ntext', 'same\ntext'))).toBe(false);
    expect(changesSomething(lineDiff('same', 'other'))).toBe(true);
  });

  test('a removed line in the middle is one removal, not a rewrite of the rest', () => {
    const diff = lineDiff('1\n2\n3\n4\n5', '1\n2\n4\n5');
    expect(diff.filter((l) => l.kind !== 'same')).toEqual([{ kind: 'removed', text: '3' }]);
  });

  test('whom a version asks to accept: everyone for the first, the accepted again for a re-acceptance, nobody otherwise', () => {
    expect(publishImpact(null, false)).toEqual({ kind: 'first' });
    expect(publishImpact({ acceptedCount: 15, pendingCount: 2 }, true)).toEqual({
      kind: 'reacceptance',
      mustAcceptAgain: 15,
      pendingAfter: 17,
    });
    expect(publishImpact({ acceptedCount: 15, pendingCount: 2 }, false)).toEqual({ kind: 'none' });
  });
});

describe('names for ids', () => {
  const members = [
    { id: 'sanne.bakker', name: 'Sanne Bakker', detail: 'Finance' },
    { id: 'jan.devries', name: 'Jan de Vries', detail: null },
    { id: 'jan.devries-2', name: 'Jan de Vries', detail: 'Support' },
    { id: 'lucas', name: 'Lucas Smit' },
  ];

  test('what was typed: an id as it is, a name carried by one entry alone as its id, anything else as typed', () => {
    expect(resolveId(members, ' sanne.bakker ')).toBe('sanne.bakker');
    expect(resolveId(members, 'sanne  BAKKER')).toBe('sanne.bakker');
    expect(resolveId(members, 'Lucas Smit')).toBe('lucas');
    // Two namesakes: the name says nobody in particular, so it stays as typed (and the API answers for it).
    expect(resolveId(members, 'Jan de Vries')).toBe('Jan de Vries');
    expect(resolveId(members, 'nobody')).toBe('nobody');
    expect(resolveId([], 'x')).toBe('x');
    expect(resolveId(members, '  ')).toBe('');
  });

  test('a members picker asks the server from two characters on, and adds what it found beyond the pages it holds, once each', () => {
    expect([searchable(''), searchable(' j '), searchable('ja'), searchable(' jan ')]).toEqual([false, false, true, true]);
    const found = [
      { id: 'lucas', name: 'Lucas Smit (server)' },
      { id: 'member-1234', name: 'Jan Janssen', detail: 'Legal' },
    ];
    expect(mergeEntries(members, found)).toEqual([...members, { id: 'member-1234', name: 'Jan Janssen', detail: 'Legal' }]);
    expect(mergeEntries(members, [])).toBe(members);
    // A name found on the server resolves like one held: the picker answers its id.
    expect(resolveId(mergeEntries(members, found), 'jan janssen')).toBe('member-1234');
  });

  test('an option reads as the name with its detail; the index finds entries by id', () => {
    expect(optionLabel(members[0]!)).toBe('Sanne Bakker · Finance');
    expect(optionLabel(members[1]!)).toBe('Jan de Vries');
    expect(indexOf(members).get('lucas')?.name).toBe('Lucas Smit');
    expect(indexOf(members).get('unknown')).toBeUndefined();
  });
});

describe('KPI targets', () => {
  const targets = [
    { kpi: 'TIME_TO_DECISION', scope: null, value: 2, revision: 3 },
    { kpi: 'TIME_TO_DECISION', scope: 'Finance', value: 1, revision: 0 },
    { kpi: 'APPEAL_RATE', scope: null, value: null, revision: 5 },
  ];

  test('a change is made on the revision of the target listed for that KPI and scope; a new one on none', () => {
    expect(targetRevision(targets, 'TIME_TO_DECISION', '')).toBe(3);
    expect(targetRevision(targets, 'TIME_TO_DECISION', ' Finance ')).toBe(0);
    expect(targetRevision(targets, 'TIME_TO_DECISION', 'Support')).toBeUndefined();
    // A cleared target keeps its stream: setting it again is on its revision.
    expect(targetRevision(targets, 'APPEAL_RATE', '')).toBe(5);
  });

  test('the list shows the targets set, overall before scoped, by KPI', () => {
    expect(targetsSet(targets).map((t) => [t.kpi, t.scope])).toEqual([
      ['TIME_TO_DECISION', null],
      ['TIME_TO_DECISION', 'Finance'],
    ]);
  });
});

describe('defining a programme', () => {
  test('modules one a line: id | title | flags (English or Dutch); blank lines skipped', () => {
    expect(parseModules('m1 | Guidelines | required, self-paced\n\nm2 | Hard cases | verplicht\nm3 | Reading')).toEqual({
      modules: [
        { id: 'm1', title: 'Guidelines', required: true, selfPaced: true },
        { id: 'm2', title: 'Hard cases', required: true, selfPaced: false },
        { id: 'm3', title: 'Reading', required: false, selfPaced: false },
      ],
      problems: [],
    });
  });

  test('problems name their line: a bad id, an id used twice, a missing title', () => {
    expect(parseModules('bad id | X\nm1 | A\nm1 | B\nm2').problems).toEqual([
      { line: 1, kind: 'badId' },
      { line: 3, kind: 'duplicate' },
      { line: 4, kind: 'noTitle' },
    ]);
  });
});
