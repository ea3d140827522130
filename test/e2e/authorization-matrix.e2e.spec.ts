import type { GraphQLSchema } from 'graphql';
import type { ProjectionStatus } from '#projections';
import { Role } from '../../src/platform/auth/role.ts';
import { startTestService, type TestService } from '../support/test-service.ts';
import { AUTHORIZATION_MATRIX, MALFORMED_IDS, withMalformedIds } from '../security/authorization-matrix.ts';
import { call, eventCount, operationsOf, servedSchema, type Operation } from '../security/schema-operations.ts';
import { buildWorld, CALLERS, type Caller, type World } from '../security/world.ts';

/**
 * Every operation of the served schema × every caller (each role, an owner of another group, no token), as declared
 * in test/security/authorization-matrix.ts. An operation without a rule fails here: a new query or mutation states
 * who may call it before it ships.
 */
describe('authorization matrix', () => {
  let t: TestService;
  let schema: GraphQLSchema;
  let world: World;

  beforeAll(async () => {
    t = await startTestService({ env: { RATE_LIMIT_PER_MINUTE: '0', SCHEDULER_INTERVAL_MS: '3600000' } });
    schema = servedSchema(t);
    world = await buildWorld(t, 'az');
  });
  afterAll(async () => {
    await t?.close();
  });

  const served = () => [...operationsOf(schema, 'query'), ...operationsOf(schema, 'mutation')];

  test('every query and mutation of the served schema has a rule, and every rule names one that is served', () => {
    const names = served().map((operation) => operation.name);
    expect(names.filter((name) => !(name in AUTHORIZATION_MATRIX))).toEqual([]);
    expect(Object.keys(AUTHORIZATION_MATRIX).filter((name) => !names.includes(name))).toEqual([]);
  });

  test('no mutation rule lets an auditor change anything', () => {
    const openToAuditors = operationsOf(schema, 'mutation').filter((operation) =>
      (AUTHORIZATION_MATRIX[operation.name] ?? []).some((rule) => rule.allowed.includes('AUDITOR')),
    );
    expect(openToAuditors.map((operation) => operation.name)).toEqual([]);
  });

  test('each caller is allowed or refused as the matrix says; a refused mutation appends nothing', async () => {
    const mismatches: string[] = [];
    const table: string[] = [];
    const started = Date.now();
    // Queries first: the mutations then change the world (a case gets decided, an ambassador nominated...).
    for (const operation of served().sort((a, b) => (a.kind === b.kind ? 0 : a.kind === 'query' ? -1 : 1))) {
      for (const rule of AUTHORIZATION_MATRIX[operation.name] ?? []) {
        const refused = CALLERS.filter((caller) => !rule.allowed.includes(caller));
        const row: string[] = [];
        // The refused callers before the allowed ones, whose calls may change what the next ones find.
        for (const caller of [...refused, ...rule.allowed]) {
          const outcome = await attempt(operation, caller, rule.variables(world, selfOf(caller)), rule.allowed.includes(caller));
          if (outcome.problem) mismatches.push(`${operation.name} (${rule.about}) as ${caller}: ${outcome.problem}`);
          row.push(`${caller}=${outcome.summary}`);
        }
        table.push(`${operation.kind} ${operation.name} (${rule.about}): ${row.join(' ')}`);
      }
    }
    // The whole table with AUTHORIZATION_MATRIX_PRINT=1 (or when something does not match); else one line.
    const summary = `authorization matrix: ${table.length} cases × ${CALLERS.length} callers in ${Date.now() - started} ms`;
    console.log(process.env.AUTHORIZATION_MATRIX_PRINT || mismatches.length > 0 ? `${summary}\n${table.join('\n')}` : summary);
    expect(mismatches).toEqual([]);
  });

  // Item 5 of issue 15: a token that carries AUDITOR is read-only whatever else it carries, on every mutation, those
  // that append nothing (rebuildProjection) included.
  test('a token with AUDITOR and COMMUNITY_MANAGER is refused every mutation, and nothing is appended or rebuilt', async () => {
    const memberId = world.ids.callers.AUDITOR;
    const token = await t.token(memberId, Role.AUDITOR, Role.COMMUNITY_MANAGER);
    const projection = (await t.service.eventSourcing.runner.status())[0]!;
    const mismatches: string[] = [];
    for (const operation of operationsOf(schema, 'mutation')) {
      const rule = AUTHORIZATION_MATRIX[operation.name] ?? [];
      // The case a community manager may call (else the first), so that only the auditor role can be what refuses it.
      const chosen = rule.find((c) => c.allowed.includes('COMMUNITY_MANAGER')) ?? rule[0];
      if (!chosen) continue;
      // A read model that exists: a rebuild that got through would show in its generation.
      const variables = operation.name === 'rebuildProjection' ? { input: { name: projection.name } } : chosen.variables(world, memberId);
      const rebuildsBefore = await rebuildsOf(await t.service.eventSourcing.runner.status());
      const before = await eventCount(t);
      const answer = await call(t, operation, variables, token);
      const appended = (await eventCount(t)) - before;
      const codes = [...new Set(answer.codes)];
      if (codes.length !== 1 || codes[0] !== 'FORBIDDEN')
        mismatches.push(`${operation.name}: expected FORBIDDEN, got ${answer.text.slice(0, 200)}`);
      if (appended !== 0) mismatches.push(`${operation.name}: ${appended} event(s) appended`);
      const rebuilds = await rebuildsOf(await t.service.eventSourcing.runner.status());
      if (rebuilds !== rebuildsBefore) mismatches.push(`${operation.name}: read models changed: ${rebuildsBefore} → ${rebuilds}`);
    }
    expect(mismatches).toEqual([]);
  });

  // Item 15 of issue 15: authorization before validation. A caller the rule refuses learns nothing about which inputs
  // would be valid: with every id of the matrix's arguments malformed, the answer is still FORBIDDEN (UNAUTHENTICATED
  // without a token), never BAD_USER_INPUT or NOT_FOUND, and nothing is appended. Allowed callers are not probed.
  test('a refused caller is refused before its ids are validated', async () => {
    const mismatches: string[] = [];
    let probes = 0;
    for (const operation of served()) {
      for (const rule of AUTHORIZATION_MATRIX[operation.name] ?? []) {
        for (const caller of CALLERS.filter((c) => !rule.allowed.includes(c))) {
          for (const malformed of MALFORMED_IDS) {
            const variables = withMalformedIds(rule.variables(world, selfOf(caller)), malformed);
            if (variables === undefined) continue; // no id among its arguments
            probes += 1;
            const outcome = await attempt(operation, caller, variables, false);
            if (outcome.problem)
              mismatches.push(`${operation.name} (${rule.about}, ids ${malformed.slice(0, 12)}…) as ${caller}: ${outcome.problem}`);
          }
        }
      }
    }
    console.log(`authorization before validation: ${probes} probes, ${mismatches.length} mismatches`);
    expect(mismatches).toEqual([]);
  });

  /** Each read model's generation and pending rebuild, and the rebuild requests not yet taken up. */
  async function rebuildsOf(status: ProjectionStatus[]): Promise<string> {
    const { rows } = await t.service.eventSourcing.pool.query<{ name: string }>(
      'SELECT name FROM projection_rebuild_requests ORDER BY name',
    );
    return JSON.stringify([status.map((s) => [s.name, s.generation, s.rebuild?.generation ?? null]), rows.map((r) => r.name)]);
  }

  function selfOf(caller: Caller): string {
    return caller === 'ANONYMOUS' ? `${world.tag}-nobody` : world.ids.callers[caller];
  }

  async function attempt(
    operation: Operation,
    caller: Caller,
    variables: Record<string, unknown>,
    allowed: boolean,
  ): Promise<{ summary: string; problem?: string }> {
    const before = await eventCount(t);
    const answer = await call(t, operation, variables, world.tokens[caller]);
    const appended = (await eventCount(t)) - before;
    const codes = [...new Set(answer.codes)];
    const summary = codes.length > 0 ? codes.join('+') : answer.status === 200 ? 'ok' : `HTTP ${answer.status}`;
    const detail = `${summary}: ${answer.text.slice(0, 300)}`;
    if (answer.status >= 500 || codes.includes('INTERNAL_SERVER_ERROR')) return { summary, problem: `failed: ${detail}` };
    if (codes.includes('GRAPHQL_VALIDATION_FAILED') || codes.includes('GRAPHQL_PARSE_FAILED')) {
      return { summary, problem: `the matrix's arguments do not fit the schema: ${detail}` };
    }
    if (allowed) {
      if (codes.includes('FORBIDDEN') || codes.includes('UNAUTHENTICATED'))
        return { summary, problem: `allowed by the matrix, refused: ${detail}` };
      return { summary };
    }
    const expected = caller === 'ANONYMOUS' ? 'UNAUTHENTICATED' : 'FORBIDDEN';
    if (codes.length !== 1 || codes[0] !== expected) return { summary, problem: `expected ${expected}, got ${detail}` };
    if (operation.kind === 'mutation' && appended !== 0) return { summary, problem: `refused, yet ${appended} event(s) were appended` };
    return { summary };
  }
});
