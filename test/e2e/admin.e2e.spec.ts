// The admin console as the service serves it: the bundle Vite builds (built once here, into a temporary
// directory), its security headers, the development sign-in (only with the generated development secret), and
// the console's GraphQL documents, each validated against the schema the service serves and the moderation
// workflow run through them (two managers on one case: the second gets CONFLICT, never an overwrite).
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { buildSchema, parse, validate, type GraphQLSchema } from 'graphql';
import { supports, capabilitiesOf } from '../../admin/src/api/client.ts';
import {
  ACCEPT_AGREEMENT,
  ADD_NOTE,
  CERTIFICATION_LEVELS,
  COMPLETE_TRAINING_MODULE,
  DEFINE_CERTIFICATION_LEVEL,
  DEFINE_TRAINING_PROGRAMME,
  ENROL_IN_TRAINING,
  PROGRAMME_DIRECTORY,
  REQUEST_ERASURE,
  AGREEMENT,
  AGREEMENTS,
  CLEAR_KPI_TARGET,
  GROUP_DIRECTORY,
  KPI_TARGETS,
  MY_PENDING_AGREEMENTS,
  PRIVACY_OF_MEMBER,
  RECORD_MEMBER_LEFT,
  REGISTER_MEMBER,
  SET_GROUP_CERTIFICATION_REQUIREMENT,
  UPDATE_MEMBER,
  UPDATE_PRIVACY_SETTINGS,
  AMBASSADOR_CHANGES,
  ASSIGN_GROUP_OWNER,
  AWARD_CERTIFICATION,
  CAPABILITIES,
  CERTIFICATION,
  CERTIFICATION_CHANGES,
  CREATE_GROUP,
  CLAIM_CASE,
  DECIDE_APPEAL,
  DECIDE_CASE,
  DOCUMENTS,
  GOVERNANCE_HISTORY,
  MEMBER_STANDING,
  MODERATION_CASE,
  MODERATION_COUNTS,
  MODERATION_QUEUE,
  NOMINATE_AMBASSADOR,
  PUBLISH_AGREEMENT_VERSION,
  REMOVE_GROUP_OWNER,
  SET_KPI_TARGET,
  STREAM_STATE_AT,
  type ConsoleDocument,
} from '../../admin/src/api/documents.ts';
import { caseStreamId, decisionInput, EMPTY_DECISION } from '../../admin/src/moderation.ts';
import { startTestService, type GraphQLResponse, type TestService } from '../support/test-service.ts';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');
const SECRET = 'admin-e2e-generated-development-secret-0123456789';

describe('the admin console', () => {
  let bundleDir: string;
  let dev: TestService;
  let tokens: Record<string, string>;

  const uid = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;

  async function devToken(memberId: string, ...roles: string[]): Promise<string> {
    const response = await fetch(`${dev.service.url}/admin/dev-token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ memberId, roles }),
    });
    expect(response.status).toBe(200);
    return ((await response.json()) as { token: string }).token;
  }

  /** A request as the console makes it: one of its documents, with the bearer token of the signed-in person. */
  async function consoleRequest<T>(
    document: ConsoleDocument,
    variables: Record<string, unknown>,
    token: string,
  ): Promise<GraphQLResponse<T>> {
    return dev.graphql<T>(document.query, variables, { token });
  }

  function ok<T>(response: GraphQLResponse<T>): T {
    expect(response.errors).toBeUndefined();
    return response.data!;
  }

  beforeAll(async () => {
    bundleDir = await mkdtemp(join(tmpdir(), 'governance-console-'));
    // The console is built as `npm run build:admin` builds it, and type-checked with its own tsconfig, while the
    // service starts: with the generated development secret, as `npm start` runs without configuration.
    const [, , service] = await Promise.all([
      run(
        process.execPath,
        [
          join(ROOT, 'node_modules/vite/bin/vite.js'),
          'build',
          '--config',
          'admin/vite.config.ts',
          '--outDir',
          bundleDir,
          '--logLevel',
          'warn',
        ],
        // As npm runs it: Jest's NODE_ENV=test would otherwise make Vite bundle React's development build.
        { cwd: ROOT, env: { ...process.env, NODE_ENV: 'production' } },
      ),
      run(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'admin/tsconfig.json'], { cwd: ROOT }).catch(
        (error: { stdout?: string }) => {
          throw new Error(`the console does not type-check:\n${error.stdout ?? String(error)}`);
        },
      ),
      startTestService({
        auth: { mode: 'hs256', secret: SECRET, source: 'generated development secret' },
        env: { ADMIN_BUNDLE_DIR: bundleDir },
      }),
    ]);
    dev = service;
    tokens = {
      cm1: await devToken('cm-1', 'COMMUNITY_MANAGER'),
      cm2: await devToken('cm-2', 'COMMUNITY_MANAGER'),
      auditor: await devToken('auditor-1', 'AUDITOR', 'COMMUNITY_MANAGER'),
    };
  }, 120_000);

  afterAll(async () => {
    await dev?.close();
    if (bundleDir) await rm(bundleDir, { recursive: true, force: true });
  });

  describe('served at /admin', () => {
    test('index.html for /admin and every client route, with a CSP that allows only the service itself', async () => {
      for (const path of [
        '/admin',
        '/admin/',
        '/admin/moderation',
        '/admin/moderation/cases/post-1%3A1',
        '/admin/members/alice.smith/standing',
      ]) {
        const response = await fetch(`${dev.service.url}${path}`);
        expect([path, response.status]).toEqual([path, 200]);
        expect(response.headers.get('content-type')).toMatch(/text\/html/);
        const html = await response.text();
        expect(html).toContain('<div id="root"></div>');
        expect(html).toMatch(/<script type="module" crossorigin src="\/admin\/assets\/[^"]+\.js"><\/script>/);
        // Nothing inline: the CSP allows scripts and styles from the service only.
        expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
        expect(html).not.toMatch(/<style|style="/);
        const csp = response.headers.get('content-security-policy') ?? '';
        expect(csp).toContain("default-src 'self'");
        expect(csp).toContain("script-src 'self'");
        expect(csp).toContain("connect-src 'self';");
        expect(csp).toContain("frame-ancestors 'none'");
        expect(csp).not.toMatch(/unsafe|https?:/);
        expect(response.headers.get('x-content-type-options')).toBe('nosniff');
        expect(response.headers.get('x-frame-options')).toBe('DENY');
        expect(response.headers.get('referrer-policy')).toBe('no-referrer');
        expect(response.headers.get('cache-control')).toBe('no-cache');
      }
    });

    test('the hashed assets are served with long caching; a missing one, or anything outside the bundle, is a 404', async () => {
      // The entry script index.html loads (the console is split per page: other chunks may be a few hundred bytes).
      const index = await readFile(join(bundleDir, 'index.html'), 'utf8');
      const script = /src="\/admin\/assets\/([^"]+\.js)"/.exec(index)![1]!;
      const response = await fetch(`${dev.service.url}/admin/assets/${script}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/javascript/);
      expect(response.headers.get('cache-control')).toMatch(/max-age=31536000.*immutable/);
      expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
      expect((await response.text()).length).toBeGreaterThan(10_000);

      expect((await fetch(`${dev.service.url}/admin/assets/missing.js`)).status).toBe(404);
      for (const path of ['/admin/..%2Fpackage.json', '/admin/%2e%2e/package.json', '/admin/assets/..%2F..%2Fpackage.json']) {
        const outside = await fetch(`${dev.service.url}${path}`);
        expect([path, outside.status]).toEqual([path, 404]);
        expect(await outside.text()).not.toContain('"dependencies"');
      }
      const icon = await fetch(`${dev.service.url}/admin/favicon.svg`);
      expect(icon.status).toBe(200);
      expect(icon.headers.get('content-type')).toMatch(/svg/);
    });

    test('no external CDN: the bundle loads nothing from another origin', async () => {
      const assets = await readdir(join(bundleDir, 'assets'));
      const html = await (await fetch(`${dev.service.url}/admin`)).text();
      expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
      for (const name of assets.filter((a) => a.endsWith('.css'))) {
        const css = await (await fetch(`${dev.service.url}/admin/assets/${name}`)).text();
        expect(css).not.toMatch(/@import|url\((['"]?)(https?:)?\/\//);
      }
    });
  });

  describe('the development sign-in', () => {
    test('config.json tells the console to offer it; the token it signs is accepted by the API with its roles', async () => {
      const config = await fetch(`${dev.service.url}/admin/config.json`);
      expect(config.headers.get('cache-control')).toBe('no-store');
      expect(await config.json()).toEqual({ signIn: { mode: 'development' }, graphqlPath: '/graphql' });

      const token = await devToken('owner-1', 'GROUP_OWNER', 'MEMBER');
      expect(ok(await dev.graphql<{ me: { id: string; roles: string[] } }>(`{ me { id roles } }`, {}, { token })).me).toEqual({
        id: 'owner-1',
        roles: ['GROUP_OWNER', 'MEMBER'],
      });
    });

    test('it refuses a bad member id or role, and anything but JSON', async () => {
      const post = (body: string, contentType = 'application/json') =>
        fetch(`${dev.service.url}/admin/dev-token`, { method: 'POST', headers: { 'content-type': contentType }, body });
      expect((await post(JSON.stringify({ memberId: 'a b', roles: ['MEMBER'] }))).status).toBe(400);
      expect((await post(JSON.stringify({ memberId: 'm-1', roles: ['ROOT'] }))).status).toBe(400);
      expect((await post(JSON.stringify({ memberId: 'm-1' }))).status).toBe(400);
      // A cross-site form can only send text/plain or form data: no token for it.
      expect((await post('memberId=m-1&roles=COMMUNITY_MANAGER', 'application/x-www-form-urlencoded')).status).toBe(415);
      expect((await post(JSON.stringify({ memberId: 'm-1', roles: ['MEMBER'] }), 'text/plain')).status).toBe(415);
    });

    test('with a configured secret there is none (404): the console asks for a token', async () => {
      const t = await startTestService({ env: { ADMIN_BUNDLE_DIR: bundleDir } });
      try {
        const response = await fetch(`${t.service.url}/admin/dev-token`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ memberId: 'cm-1', roles: ['COMMUNITY_MANAGER'] }),
        });
        expect(response.status).toBe(404);
        expect(((await (await fetch(`${t.service.url}/admin/config.json`)).json()) as { signIn: { mode: string } }).signIn.mode).toBe(
          'token',
        );
      } finally {
        await t.close();
      }
    });

    test('with OIDC there is none either: the console signs in with PKCE at the issuer; without a bundle /admin says to build it', async () => {
      const issuer = 'https://id.example.org/realms/governance';
      const t = await startTestService({
        auth: { mode: 'oidc', issuer, audience: 'governance-api', jwksUri: undefined },
        env: {
          NODE_ENV: 'production',
          LOG_SEALING: 'off',
          ADMIN_OIDC_CLIENT_ID: 'governance-console',
          ADMIN_BUNDLE_DIR: join(bundleDir, 'not-built'),
        },
      });
      try {
        const response = await fetch(`${t.service.url}/admin/dev-token`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ memberId: 'cm-1', roles: ['COMMUNITY_MANAGER'] }),
        });
        expect(response.status).toBe(404);
        expect(await (await fetch(`${t.service.url}/admin/config.json`)).json()).toEqual({
          signIn: { mode: 'oidc', issuer, clientId: 'governance-console', audience: 'governance-api' },
          graphqlPath: '/graphql',
        });
        const missing = await fetch(`${t.service.url}/admin/moderation`);
        expect(missing.status).toBe(503);
        expect(await missing.text()).toMatch(/not built\. Run `npm run build:admin`/);
        // The console may reach the identity provider's discovery and token endpoints, nothing else.
        expect(missing.headers.get('content-security-policy')).toContain("connect-src 'self' https://id.example.org;");
      } finally {
        await t.close();
      }
    });
  });

  describe('the GraphQL documents of the console', () => {
    let schema: GraphQLSchema;
    beforeAll(() => {
      schema = buildSchema(dev.service.schemaSdl());
    });

    test.each(Object.entries(DOCUMENTS))('%s is valid against the served schema (or its feature is hidden)', (_name, document) => {
      const capabilities = capabilitiesOf({
        __schema: {
          queryType: { fields: Object.keys(schema.getQueryType()!.getFields()).map((name) => ({ name })) },
          mutationType: { fields: Object.keys(schema.getMutationType()?.getFields() ?? {}).map((name) => ({ name })) },
        },
      });
      if (!supports(capabilities, document)) {
        // An optional feature the service does not offer (yet): the console hides it rather than send an invalid query.
        expect(document.requires?.length).toBeGreaterThan(0);
        return;
      }
      expect(validate(schema, parse(document.query)).map((e) => e.message)).toEqual([]);
    });

    test('the capabilities query the console starts with answers the root fields', async () => {
      const data = ok(await consoleRequest<Parameters<typeof capabilitiesOf>[0]>(CAPABILITIES, {}, tokens.cm1!));
      const capabilities = capabilitiesOf(data);
      expect(capabilities.queries.has('moderationQueue')).toBe(true);
      expect(capabilities.mutations.has('decideModerationCase')).toBe(true);
    });

    test('the read-only documents without arguments run within the service limits', async () => {
      const { queries } = capabilitiesOf(ok(await consoleRequest<Parameters<typeof capabilitiesOf>[0]>(CAPABILITIES, {}, tokens.auditor!)));
      const capabilities = { known: true, queries, mutations: new Set<string>() };
      for (const [name, document] of Object.entries(DOCUMENTS)) {
        const definition = parse(document.query).definitions[0];
        const required =
          definition?.kind === 'OperationDefinition' && definition.variableDefinitions?.some((v) => v.type.kind === 'NonNullType');
        if (definition?.kind !== 'OperationDefinition' || definition.operation !== 'query' || required || !supports(capabilities, document))
          continue;
        if (name === 'MY_CERTIFICATION') continue; // for group owners: below
        const response = await consoleRequest(document, { first: 25 }, tokens.auditor!);
        expect([name, response.errors ?? []]).toEqual([name, []]);
      }
      if (supports(capabilities, DOCUMENTS.INSIGHT_SERIES!)) {
        const range = { from: new Date(Date.now() - 60 * 86_400_000).toISOString(), to: new Date().toISOString(), step: 'MONTH' };
        expect((await consoleRequest(DOCUMENTS.INSIGHT_SERIES!, range, tokens.auditor!)).errors).toBeUndefined();
      }
      const owner = await devToken('owner-2', 'GROUP_OWNER');
      expect((await consoleRequest(DOCUMENTS.MY_CERTIFICATION!, { memberId: 'owner-2' }, owner)).errors).toBeUndefined();
    });
  });

  describe("community managers' changes through the console", () => {
    test('groups and owners, certifications, ambassadors, agreement versions and KPI targets, as the forms send them', async () => {
      const cm = tokens.cm1!;
      const owner = uid('owner');
      const cmd = () => uid('console');
      ok(
        await dev.graphql(
          `mutation($input: RegisterMemberInput!) { registerMember(input: $input) { id } }`,
          { input: { memberId: owner, displayName: 'Owner', department: 'Support' } },
          { token: cm },
        ),
      );

      // A group, an owner assigned and removed, each on the revision the page showed.
      type Group = { id: string; owners: string[]; revision: number };
      const group = ok(
        await consoleRequest<{ createGroup: Group }>(CREATE_GROUP, { input: { name: 'Runners', commandId: cmd() } }, cm),
      ).createGroup;
      const assigned = ok(
        await consoleRequest<{ assignGroupOwner: Group }>(
          ASSIGN_GROUP_OWNER,
          { input: { groupId: group.id, memberId: owner, expectedRevision: group.revision, commandId: cmd() } },
          cm,
        ),
      ).assignGroupOwner;
      expect(assigned.owners).toEqual([owner]);
      const stale = await consoleRequest(
        REMOVE_GROUP_OWNER,
        { input: { groupId: group.id, memberId: owner, expectedRevision: group.revision, commandId: cmd() } },
        cm,
      );
      expect(stale.errors?.[0]?.extensions?.code).toBe('CONFLICT');
      expect(
        ok(
          await consoleRequest<{ removeGroupOwner: Group }>(
            REMOVE_GROUP_OWNER,
            { input: { groupId: group.id, memberId: owner, expectedRevision: assigned.revision, commandId: cmd() } },
            cm,
          ),
        ).removeGroupOwner.owners,
      ).toEqual([]);

      // A certification awarded, then suspended, reinstated, renewed and revoked.
      ok(
        await dev.graphql(
          `mutation($input: DefineCertificationLevelInput!) { defineCertificationLevel(input: $input) { level } }`,
          { input: { level: 1, name: 'Basic', requiredProgrammes: [], validityMonths: 12 } },
          { token: cm },
        ),
      );
      type Certification = { status: string; level: number | null; revision: number };
      // The award form sends the revision of the certification the page shows (none yet).
      const none = ok(await consoleRequest<{ certification: Certification }>(CERTIFICATION, { memberId: owner }, cm)).certification;
      expect(none.status).toBe('NOT_CERTIFIED');
      let certification = ok(
        await consoleRequest<{ awardCertification: Certification }>(
          AWARD_CERTIFICATION,
          { input: { memberId: owner, level: 1, expectedRevision: none.revision, commandId: cmd() } },
          cm,
        ),
      ).awardCertification;
      expect(certification).toMatchObject({ status: 'CERTIFIED', level: 1 });
      for (const [change, status] of [
        ['suspend', 'SUSPENDED'],
        ['reinstate', 'CERTIFIED'],
        ['renew', 'CERTIFIED'],
        ['revoke', 'REVOKED'],
      ] as const) {
        certification = ok(
          await consoleRequest<{ result: Certification }>(
            CERTIFICATION_CHANGES[change],
            { input: { memberId: owner, reason: `console ${change}`, expectedRevision: certification.revision, commandId: cmd() } },
            cm,
          ),
        ).result;
        expect([change, certification.status]).toEqual([change, status]);
      }

      // An ambassador nominated, approved, activated and offboarded (with the reason offboarding needs).
      type Ambassador = { status: string; revision: number };
      let ambassador = ok(
        await consoleRequest<{ nominateAmbassador: Ambassador }>(
          NOMINATE_AMBASSADOR,
          { input: { memberId: owner, department: 'Support', commandId: cmd() } },
          cm,
        ),
      ).nominateAmbassador;
      for (const [step, status] of [
        ['approve', 'APPROVED'],
        ['activate', 'ACTIVE'],
        ['offboard', 'OFFBOARDED'],
      ] as const) {
        ambassador = ok(
          await consoleRequest<{ result: Ambassador }>(
            AMBASSADOR_CHANGES[step],
            {
              input: {
                memberId: owner,
                expectedRevision: ambassador.revision,
                commandId: cmd(),
                ...(step === 'offboard' ? { reason: 'moved to another team' } : {}),
              },
            },
            cm,
          ),
        ).result;
        expect([step, ambassador.status]).toEqual([step, status]);
      }

      // An agreement's first version and a second one on the revision seen.
      const agreementId = uid('policy');
      type Published = { publishAgreementVersion: { revision: number; currentVersion: { version: number } } };
      const first = ok(
        await consoleRequest<Published>(
          PUBLISH_AGREEMENT_VERSION,
          { input: { agreementId, title: 'Policy', body: 'One', requiresReacceptance: false, commandId: cmd() } },
          cm,
        ),
      ).publishAgreementVersion;
      const second = ok(
        await consoleRequest<Published>(
          PUBLISH_AGREEMENT_VERSION,
          {
            input: {
              agreementId,
              title: 'Policy',
              body: 'Two',
              requiresReacceptance: true,
              expectedRevision: first.revision,
              commandId: cmd(),
            },
          },
          cm,
        ),
      ).publishAgreementVersion;
      expect(second.currentVersion.version).toBe(2);

      // A KPI target, when the service offers insights.
      const { mutations } = capabilitiesOf(ok(await consoleRequest<Parameters<typeof capabilitiesOf>[0]>(CAPABILITIES, {}, cm)));
      if (mutations.has('setKpiTarget')) {
        const definitions = ok(await dev.graphql<{ kpiDefinitions: { kpi: string }[] }>(`{ kpiDefinitions { kpi } }`, {}, { token: cm }));
        const kpi = definitions.kpiDefinitions[0]!.kpi;
        expect(
          ok(await consoleRequest<{ setKpiTarget: { kpi: string } }>(SET_KPI_TARGET, { input: { kpi, value: 1, commandId: cmd() } }, cm))
            .setKpiTarget.kpi,
        ).toBe(kpi);
      }
    });
  });

  describe('the forms of issue 22 (dead ends), as the console sends them', () => {
    test('members, a group requirement, accepting an agreement, KPI targets listed and cleared, programmes, levels and enrolments, privacy and erasure: each on the revision shown', async () => {
      const cm = tokens.cm1!;
      const cmd = () => uid('console');
      const memberId = uid('member');
      type Member = { id: string; displayName: string; department: string; status: string; revision: number };

      // Registered by hand, named in the directory the pickers read, corrected on the revision shown.
      const registered = ok(
        await consoleRequest<{ registerMember: Member }>(
          REGISTER_MEMBER,
          { input: { memberId, displayName: 'Femke Visser', department: 'Support', commandId: cmd() } },
          cm,
        ),
      ).registerMember;
      expect(registered).toMatchObject({ id: memberId, status: 'ACTIVE' });
      const updated = ok(
        await consoleRequest<{ updateMember: Member }>(
          UPDATE_MEMBER,
          {
            input: {
              memberId,
              displayName: 'Femke de Visser',
              department: 'Support',
              expectedRevision: registered.revision,
              commandId: cmd(),
            },
          },
          cm,
        ),
      ).updateMember;
      expect(updated.displayName).toBe('Femke de Visser');
      const staleUpdate = await consoleRequest(
        UPDATE_MEMBER,
        { input: { memberId, department: 'Sales', expectedRevision: registered.revision, commandId: cmd() } },
        cm,
      );
      expect(staleUpdate.errors?.[0]?.extensions?.code).toBe('CONFLICT');

      // The group's certification requirement, on the revision shown; the group named in the directory.
      type Group = { id: string; name: string; requiresCertification: boolean; revision: number };
      const group = ok(
        await consoleRequest<{ createGroup: Group }>(CREATE_GROUP, { input: { name: 'Climbers', commandId: cmd() } }, cm),
      ).createGroup;
      const required = ok(
        await consoleRequest<{ setGroupCertificationRequirement: Group }>(
          SET_GROUP_CERTIFICATION_REQUIREMENT,
          { input: { groupId: group.id, required: true, expectedRevision: group.revision, commandId: cmd() } },
          cm,
        ),
      ).setGroupCertificationRequirement;
      expect(required.requiresCertification).toBe(true);
      const staleRequirement = await consoleRequest(
        SET_GROUP_CERTIFICATION_REQUIREMENT,
        { input: { groupId: group.id, required: false, expectedRevision: group.revision, commandId: cmd() } },
        cm,
      );
      expect(staleRequirement.errors?.[0]?.extensions?.code).toBe('CONFLICT');
      type Page = { pageInfo: { hasNextPage: boolean }; edges: { node: Record<string, unknown> }[] };
      const groups = ok(await consoleRequest<{ groups: Page }>(GROUP_DIRECTORY, {}, cm)).groups;
      expect(groups.edges.map((e) => e.node)).toContainEqual({ id: group.id, name: 'Climbers' });

      // The member accepts a new agreement from the agreements page: pending, then accepted.
      const agreementId = uid('house-rules');
      ok(
        await consoleRequest(
          PUBLISH_AGREEMENT_VERSION,
          { input: { agreementId, title: 'House rules', body: 'Be kind', requiresReacceptance: false, commandId: cmd() } },
          cm,
        ),
      );
      const member = await devToken(memberId, 'MEMBER');
      type Pending = { myPendingAgreements: { id: string; currentVersion: { version: number } }[] };
      const pending = ok(await consoleRequest<Pending>(MY_PENDING_AGREEMENTS, {}, member)).myPendingAgreements;
      const mine = pending.find((a) => a.id === agreementId);
      expect(mine?.currentVersion.version).toBe(1);
      expect(
        ok(
          await consoleRequest<{ acceptAgreement: { pending: boolean; acceptedVersion: number } }>(
            ACCEPT_AGREEMENT,
            { input: { agreementId, version: 1, commandId: cmd() } },
            member,
          ),
        ).acceptAgreement,
      ).toMatchObject({ pending: false, acceptedVersion: 1 });
      expect(ok(await consoleRequest<Pending>(MY_PENDING_AGREEMENTS, {}, member)).myPendingAgreements.map((a) => a.id)).not.toContain(
        agreementId,
      );
      const listed = ok(await consoleRequest<{ agreements: { edges: { node: { id: string } }[] } }>(AGREEMENTS, {}, member)).agreements;
      expect(listed.edges.map((e) => e.node.id)).toContain(agreementId);

      // KPI targets: a scoped one set, listed with its revision, cleared on it (a stale clear is refused).
      const { mutations } = capabilitiesOf(ok(await consoleRequest<Parameters<typeof capabilitiesOf>[0]>(CAPABILITIES, {}, cm)));
      if (mutations.has('clearKpiTarget')) {
        type Definition = { kpi: string; scopeKind: string; unit: string };
        const definitions = ok(
          await dev.graphql<{ kpiDefinitions: Definition[] }>(`{ kpiDefinitions { kpi scopeKind unit } }`, {}, { token: cm }),
        ).kpiDefinitions;
        // A KPI measured per department, so that the target is a scoped one.
        const scoped = definitions.filter((d) => d.scopeKind === 'DEPARTMENT');
        const { kpi, unit } = scoped.find((d) => d.unit === 'RATIO') ?? scoped[0]!;
        const scope = uid('Dept');
        const [value, changed] = unit === 'RATIO' ? [0.5, 0.6] : [5, 6];
        ok(await consoleRequest(SET_KPI_TARGET, { input: { kpi, scope, value, commandId: cmd() } }, cm));
        type Target = { kpi: string; scope: string | null; value: number | null; revision: number };
        const target = ok(await consoleRequest<{ kpiTargets: Target[] }>(KPI_TARGETS, {}, cm)).kpiTargets.find(
          (t) => t.kpi === kpi && t.scope === scope,
        )!;
        expect(target.value).toBe(value);
        ok(
          await consoleRequest(
            SET_KPI_TARGET,
            { input: { kpi, scope, value: changed, expectedRevision: target.revision, commandId: cmd() } },
            cm,
          ),
        );
        const staleClear = await consoleRequest(
          CLEAR_KPI_TARGET,
          { input: { kpi, scope, expectedRevision: target.revision, commandId: cmd() } },
          cm,
        );
        expect(staleClear.errors?.[0]?.extensions?.code).toBe('CONFLICT');
        const cleared = ok(
          await consoleRequest<{ clearKpiTarget: Target }>(
            CLEAR_KPI_TARGET,
            { input: { kpi, scope, expectedRevision: target.revision + 1, commandId: cmd() } },
            cm,
          ),
        ).clearKpiTarget;
        expect(cleared.value).toBeNull();
      }

      // A privacy officer changes the settings on the revision shown, then the member leaves.
      const officer = await devToken(uid('officer'), 'PRIVACY_OFFICER');
      type Settings = { directoryListed: boolean; revision: number };
      const settings = ok(await consoleRequest<{ privacySettings: Settings }>(PRIVACY_OF_MEMBER, { memberId }, officer)).privacySettings;
      const listedNow = ok(
        await consoleRequest<{ updatePrivacySettings: Settings }>(
          UPDATE_PRIVACY_SETTINGS,
          { input: { memberId, directoryListed: !settings.directoryListed, expectedRevision: settings.revision, commandId: cmd() } },
          officer,
        ),
      ).updatePrivacySettings;
      expect(listedNow.directoryListed).toBe(!settings.directoryListed);

      // A programme and a level defined from the training page; the member enrolled and a module recorded for them.
      const programmeId = uid('prog');
      const programme = ok(
        await consoleRequest<{
          defineTrainingProgramme: { modules: { moduleId: string; title: string; required: boolean; selfPaced: boolean }[] };
        }>(
          DEFINE_TRAINING_PROGRAMME,
          {
            input: {
              programmeId,
              title: 'Moderation basics',
              modules: [{ id: 'm1', title: 'Guidelines', required: true, selfPaced: true }],
              commandId: cmd(),
            },
          },
          cm,
        ),
      ).defineTrainingProgramme;
      expect(programme.modules).toEqual([{ moduleId: 'm1', title: 'Guidelines', required: true, selfPaced: true }]);
      const programmes = ok(await consoleRequest<{ trainingProgrammes: Page }>(PROGRAMME_DIRECTORY, {}, cm)).trainingProgrammes;
      expect(programmes.edges.map((e) => e.node)).toContainEqual({ id: programmeId, title: 'Moderation basics' });
      ok(await consoleRequest(ENROL_IN_TRAINING, { input: { programmeId, memberId, commandId: cmd() } }, cm));
      expect(
        ok(
          await consoleRequest<{ completeTrainingModule: { status: string } }>(
            COMPLETE_TRAINING_MODULE,
            { input: { programmeId, memberId, moduleId: 'm1', commandId: cmd() } },
            cm,
          ),
        ).completeTrainingModule.status,
      ).toBe('COMPLETED');
      const levels = ok(
        await consoleRequest<{ certificationLevels: { level: number }[] }>(CERTIFICATION_LEVELS, {}, cm),
      ).certificationLevels;
      const next = Math.max(0, ...levels.map((l) => l.level)) + 1;
      expect(
        ok(
          await consoleRequest<{ defineCertificationLevel: { level: number; requiredProgrammes: string[] } }>(
            DEFINE_CERTIFICATION_LEVEL,
            { input: { level: next, name: `Level ${next}`, requiredProgrammes: [programmeId], validityMonths: 12, commandId: cmd() } },
            cm,
          ),
        ).defineCertificationLevel,
      ).toEqual({ level: next, name: `Level ${next}`, requiredProgrammes: [programmeId], validityMonths: 12, revision: 0 });

      expect(
        ok(await consoleRequest<{ recordMemberLeft: Member }>(RECORD_MEMBER_LEFT, { input: { memberId, commandId: cmd() } }, cm))
          .recordMemberLeft.status,
      ).toBe('LEFT');
      // The privacy officer's erasure request: answered once every read model has purged the member's data.
      expect(
        ok(
          await consoleRequest<{ requestErasure: { status: string } }>(REQUEST_ERASURE, { input: { memberId, commandId: cmd() } }, officer),
        ).requestErasure.status,
      ).toBe('COMPLETED');
    });
  });

  describe('moderation through the console', () => {
    test('queue with counts → case → decision; a second manager on the stale case gets CONFLICT and the fresh state', async () => {
      const author = uid('author');
      const contentId = uid('post');
      const groupId = uid('g');
      ok(
        await dev.graphql(
          `mutation($input: RegisterMemberInput!) { registerMember(input: $input) { id } }`,
          { input: { memberId: author, displayName: 'Author', department: 'Sales' } },
          { token: tokens.cm1 },
        ),
      );
      ok(
        await dev.graphql(
          `mutation($input: PublishAgreementVersionInput!) { publishAgreementVersion(input: $input) { id } }`,
          { input: { agreementId: 'code-of-conduct', title: 'Code of conduct', body: 'Be kind', requiresReacceptance: false } },
          { token: tokens.cm1 },
        ),
      );
      ok(
        await dev.graphql(
          `mutation($input: CreateGroupInput!) { createGroup(input: $input) { id } }`,
          { input: { groupId, name: 'Riders' } },
          { token: tokens.cm1 },
        ),
      );
      const reporter = await devToken(uid('reporter'), 'MEMBER');
      const reported = ok(
        await dev.graphql<{ reportContent: { id: string } }>(
          `mutation($input: ReportContentInput!) { reportContent(input: $input) { id } }`,
          { input: { contentId, contentType: 'post', authorId: author, groupId, reason: 'HARASSMENT', note: 'rude' } },
          { token: reporter },
        ),
      );
      const caseId = reported.reportContent.id;

      // The queue, filtered by group as the console filters it, and the counts per status.
      const queue = ok(
        await consoleRequest<{ moderationQueue: { totalCount: number; edges: { node: { id: string; status: string } }[] } }>(
          MODERATION_QUEUE,
          { filter: { status: ['OPEN', 'IN_REVIEW', 'APPEALED'], groupId }, first: 25, after: null },
          tokens.cm1!,
        ),
      );
      expect(queue.moderationQueue).toMatchObject({ totalCount: 1, edges: [{ node: { id: caseId, status: 'OPEN' } }] });
      const counts = ok(
        await consoleRequest<Record<string, { totalCount: number }>>(MODERATION_COUNTS, { groupId, assignedTo: null }, tokens.cm1!),
      );
      expect(Object.fromEntries(Object.entries(counts).map(([k, v]) => [k, v.totalCount]))).toEqual({
        open: 1,
        inReview: 0,
        decided: 0,
        appealed: 0,
        closed: 0,
      });

      // Both managers open the case at the same revision.
      type Case = { id: string; status: string; revision: number; assignedTo: string | null; decision: { decidedBy: string } | null };
      const seenBy1 = ok(await consoleRequest<{ moderationCase: Case }>(MODERATION_CASE, { id: caseId }, tokens.cm1!)).moderationCase;
      const seenBy2 = ok(await consoleRequest<{ moderationCase: Case }>(MODERATION_CASE, { id: caseId }, tokens.cm2!)).moderationCase;
      expect(seenBy2.revision).toBe(seenBy1.revision);

      // cm-1 claims and decides (the agreement cited as the console's guideline picker offers it).
      const agreement = ok(
        await consoleRequest<{ agreement: { id: string; currentVersion: { version: number } } }>(
          AGREEMENT,
          { id: 'code-of-conduct' },
          tokens.cm1!,
        ),
      );
      const claimed = ok(
        await consoleRequest<{ claimModerationCase: Case }>(
          CLAIM_CASE,
          { input: { caseId, expectedRevision: seenBy1.revision } },
          tokens.cm1!,
        ),
      ).claimModerationCase;
      const decided = ok(
        await consoleRequest<{ decideModerationCase: Case }>(
          DECIDE_CASE,
          {
            input: decisionInput(
              claimed,
              {
                ...EMPTY_DECISION,
                outcome: 'SUSPEND_MEMBER',
                reason: 'repeated harassment',
                guideline: `code-of-conduct@${agreement.agreement.currentVersion.version}`,
                section: '2',
                suspendUntil: '2099-12-31',
              },
              uid('cmd'),
            ),
          },
          tokens.cm1!,
        ),
      ).decideModerationCase;
      expect(decided).toMatchObject({ status: 'DECIDED', decision: { decidedBy: 'cm-1' } });

      // cm-2 decides on what they saw: refused, nothing overwritten; the console reads the fresh case.
      const stale = await consoleRequest(
        DECIDE_CASE,
        { input: decisionInput(seenBy2, { ...EMPTY_DECISION, outcome: 'NO_ACTION', reason: 'looks fine to me' }, uid('cmd')) },
        tokens.cm2!,
      );
      expect(stale.errors?.[0]?.extensions?.code).toBe('CONFLICT');
      const fresh = ok(await consoleRequest<{ moderationCase: Case }>(MODERATION_CASE, { id: caseId }, tokens.cm2!)).moderationCase;
      expect(fresh).toMatchObject({ status: 'DECIDED', revision: decided.revision, decision: { decidedBy: 'cm-1' } });

      // The standing shows the suspension; a note is added.
      const standing = ok(
        await consoleRequest<{ memberStanding: { suspended: boolean; activeSanctions: { caseId: string; kind: string }[] } }>(
          MEMBER_STANDING,
          { memberId: author },
          tokens.cm2!,
        ),
      ).memberStanding;
      expect(standing).toMatchObject({ suspended: true, activeSanctions: [{ caseId, kind: 'SUSPENSION' }] });
      const noted = ok(
        await consoleRequest<{ addModeratorNote: { notes: { text: string; authorId: string }[] } }>(
          ADD_NOTE,
          { input: { memberId: author, text: 'second warning this month' } },
          tokens.cm2!,
        ),
      );
      expect(noted.addModeratorNote.notes).toEqual([expect.objectContaining({ text: 'second warning this month', authorId: 'cm-2' })]);

      // The author appeals; another manager than the decider overturns it, and the standing changes back.
      const authorToken = await devToken(author, 'MEMBER');
      ok(
        await dev.graphql(
          `mutation($input: FileAppealInput!) { fileAppeal(input: $input) { id } }`,
          { input: { caseId, statement: 'it was a joke' } },
          { token: authorToken },
        ),
      );
      const appealed = ok(await consoleRequest<{ moderationCase: Case }>(MODERATION_CASE, { id: caseId }, tokens.cm2!)).moderationCase;
      expect(appealed.status).toBe('APPEALED');
      const overturned = ok(
        await consoleRequest<{ decideAppeal: Case }>(
          DECIDE_APPEAL,
          { input: { caseId, outcome: 'OVERTURNED', reason: 'context shows a joke', expectedRevision: appealed.revision } },
          tokens.cm2!,
        ),
      ).decideAppeal;
      expect(overturned.status).toBe('CLOSED');
      expect(
        ok(await consoleRequest<{ memberStanding: { suspended: boolean } }>(MEMBER_STANDING, { memberId: author }, tokens.cm1!))
          .memberStanding.suspended,
      ).toBe(false);

      // The case page's history and the audit view's time travel, when the service offers them.
      const { queries } = capabilitiesOf(ok(await consoleRequest<Parameters<typeof capabilitiesOf>[0]>(CAPABILITIES, {}, tokens.auditor!)));
      if (queries.has('governanceHistory')) {
        const history = ok(
          await consoleRequest<{ governanceHistory: { edges: { node: { type: string; revision: number } }[] } }>(
            GOVERNANCE_HISTORY,
            { filter: { streamId: caseStreamId(caseId) }, first: 100 },
            tokens.auditor!,
          ),
        );
        expect(history.governanceHistory.edges.map((e) => e.node.type)).toEqual(
          expect.arrayContaining(['ModerationCaseOpened', 'ModerationCaseDecided']),
        );
      }
      if (queries.has('streamStateAt')) {
        const states = ok(
          await consoleRequest<{ then: { revision: number; state: unknown }; now: { revision: number; state: unknown } }>(
            STREAM_STATE_AT,
            { streamId: caseStreamId(caseId), revision: 0 },
            tokens.auditor!,
          ),
        );
        expect(states.then.revision).toBe(0);
        expect(states.now.revision).toBe(overturned.revision);
      }
    });
  });
});
