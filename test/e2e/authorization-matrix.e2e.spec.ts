import type { GraphQLSchema } from 'graphql';
import { startTestService, type TestService } from '../support/test-service.ts';
import { AUTHORIZATION_MATRIX } from '../security/authorization-matrix.ts';
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
