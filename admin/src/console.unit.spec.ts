// The console's pure logic (no browser): access by role, routes, the decision form and its conflict report, PKCE,
// the audit filters, and that every label exists in both languages.
import { createHash } from 'node:crypto';
import { AREAS, can, canSee, homeArea, visibleAreas } from './access.ts';
import { capabilitiesOf, errorOf, supports, UNKNOWN_CAPABILITIES } from './api/client.ts';
import { DOCUMENTS, GOVERNANCE_HISTORY, ME } from './api/documents.ts';
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
import { formatKpi, seriesOf, trendRange } from './insights.ts';
import {
  comparisonsOf,
  formatShareDifference,
  groupSharesOf,
  groupsNeedingAttention,
  hasActivityReports,
  type ComparisonSide,
} from './adoption.ts';
import { enumLabel, enumValuesMissingIn, initialLanguage, MESSAGES, translate } from './i18n.ts';
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
import { hrefFor, parseRoute, type Route } from './routes.ts';

describe('access by role', () => {
  test('a community manager sees moderation first and may suspend; a group owner moderates but never suspends', () => {
    expect(homeArea(['COMMUNITY_MANAGER'])).toBe('moderation');
    expect(can(['COMMUNITY_MANAGER'], 'suspend')).toBe(true);
    expect(can(['GROUP_OWNER'], 'moderate')).toBe(true);
    expect(can(['GROUP_OWNER'], 'suspend')).toBe(false);
    expect(canSee(['GROUP_OWNER'], 'myCertification')).toBe(true);
    expect(canSee(['GROUP_OWNER'], 'audit')).toBe(false);
  });

  test('an auditor reads but does not moderate; a privacy officer sees privacy requests, a plain member only agreements', () => {
    expect(visibleAreas(['AUDITOR'])).toEqual(expect.arrayContaining(['moderation', 'audit', 'insights', 'adoption']));
    expect(canSee(['GROUP_OWNER'], 'adoption')).toBe(false);
    expect(can(['AUDITOR'], 'moderate')).toBe(false);
    expect(can(['AUDITOR'], 'readNotes')).toBe(true);
    // A token carrying AUDITOR is read-only, whatever other roles it has (the API refuses its changes).
    expect(can(['AUDITOR', 'COMMUNITY_MANAGER'], 'moderate')).toBe(false);
    expect(can(['AUDITOR', 'COMMUNITY_MANAGER'], 'exportAudit')).toBe(true);
    expect(visibleAreas(['PRIVACY_OFFICER'])).toEqual(['agreements', 'privacy']);
    expect(visibleAreas(['MEMBER'])).toEqual([]);
    expect(homeArea(['MEMBER'])).toBe('agreements');
  });

  test('every area is open to at least one role', () => {
    for (const roles of Object.values(AREAS)) expect(roles.length).toBeGreaterThan(0);
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
      expect([name, /^(query|mutation) [A-Z]\w+/.test(document.query.trim())]).toEqual([name, true]);
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

  test('before any activity report every adoption KPI is null: the page explains how to import one', () => {
    const kpis = ['ADOPTION_POSTING_SHARE', 'ADOPTION_READING_SHARE', 'ADOPTION_ACTIVE_GROUPS', 'ADOPTION_GROUPS_INACTIVE_30_DAYS'];
    expect(hasActivityReports(kpis.map((kpi) => ({ kpi, scope: null, value: null })))).toBe(false);
    expect(
      hasActivityReports(kpis.map((kpi) => ({ kpi, scope: null, value: kpi === 'ADOPTION_GROUPS_INACTIVE_30_DAYS' ? 0 : null }))),
    ).toBe(true);
  });
});
