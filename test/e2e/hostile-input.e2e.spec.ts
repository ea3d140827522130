import fc from 'fast-check';
import type { GraphQLSchema } from 'graphql';
import { startTestService, type TestService } from '../support/test-service.ts';
import { hostileVariables, ONE_MB, type IdPools } from '../security/hostile-values.ts';
import {
  brief,
  call,
  eventCount,
  leakIn,
  operationsOf,
  post,
  servedSchema,
  type Answer,
  type Operation,
} from '../security/schema-operations.ts';
import { buildWorld, CALLERS, type Caller, type World } from '../security/world.ts';

/**
 * Property-based tests over every operation of the served schema (found by introspecting it, so a new mutation is
 * covered the day it exists): whatever the input, the answer is a success or a clear client error, never an internal
 * one, nothing leaks, and a refused mutation appends nothing.
 *
 * Replay a run with HOSTILE_SEED=<seed printed below>; HOSTILE_RUNS=<n> runs more cases per mutation.
 */
const SEED = Number(process.env.HOSTILE_SEED ?? Math.floor(Math.random() * 2 ** 31));
const MUTATION_RUNS = Number(process.env.HOSTILE_RUNS ?? 24);
const QUERY_RUNS = Math.max(4, Math.floor(MUTATION_RUNS / 3));

/** Codes of an answer that refuses the request for a reason the client can act on. */
const CLIENT_CODES = new Set([
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'BAD_USER_INPUT',
  'NOT_FOUND',
  'CONFLICT',
  'GRAPHQL_VALIDATION_FAILED',
  'GRAPHQL_PARSE_FAILED',
  'BAD_REQUEST',
]);
const CLIENT_STATUSES = new Set([200, 400, 401, 403, 413]);
/** A refusal lists at most 50 errors (graphql-js stops there), each with a bounded message. */
const MAX_REFUSAL_BYTES = 64_000;

describe('hostile input to every operation of the contract', () => {
  let t: TestService;
  let schema: GraphQLSchema;
  let world: World;
  let pools: IdPools;

  beforeAll(async () => {
    console.log(`hostile input: seed ${SEED}, ${MUTATION_RUNS} runs per mutation (replay: HOSTILE_SEED=${SEED})`);
    t = await startTestService({ env: { RATE_LIMIT_PER_MINUTE: '0', SCHEDULER_INTERVAL_MS: '3600000' } });
    schema = servedSchema(t);
    world = await buildWorld(t, 'hx');
    const { ids } = world;
    const members = [...Object.values(ids.callers), ids.subject, ids.reporter, ids.leaver, ids.erasee, ids.spare];
    pools = {
      memberId: members,
      authorId: members,
      assignedTo: members,
      actorId: members,
      groupId: [ids.group, ids.otherGroup, ids.spareGroup],
      caseId: [ids.caseId],
      contentId: [ids.contentId, 'hx-post-2'],
      programmeId: [ids.programme],
      moduleId: [ids.requiredModule, ids.selfPacedModule],
      id: [ids.subject, ids.group, ids.caseId, ids.programme, ids.agreement],
      agreementId: [ids.agreement],
      noteId: [ids.noteId],
      streamId: [`member-${ids.subject}`, `group-${ids.group}`, `moderation_case-${ids.caseId}`],
      commandId: ['cmd-1', 'cmd-2'],
      '*': [ids.subject, ids.group, ids.caseId],
    };
  });
  afterAll(async () => {
    await t?.close();
  });

  /** What is wrong with an answer to a hostile request, if anything; `before`/`after` are the store's event counts. */
  function problemWith(answer: Answer, before: number, after: number, kind: Operation['kind']): string | undefined {
    if (!CLIENT_STATUSES.has(answer.status)) return `HTTP ${answer.status}: ${answer.text.slice(0, 300)}`;
    if (answer.json === undefined) return `not JSON (HTTP ${answer.status}): ${answer.text.slice(0, 200)}`;
    const unclear = answer.codes.filter((code) => !CLIENT_CODES.has(code));
    if (unclear.length > 0) return `codes ${unclear.join(', ')}: ${answer.text.slice(0, 300)}`;
    // Error messages only: data may rightly hold what was sent.
    const leak = answer.json.errors ? leakIn(answer.json.errors.map((error) => error.message).join('\n')) : undefined;
    if (leak) return `an error message contains ${leak}: ${answer.text.slice(0, 300)}`;
    const refused = answer.status !== 200 || answer.codes.length > 0;
    // A refusal says what is wrong; it does not send megabytes of the input back.
    if (refused && answer.text.length > MAX_REFUSAL_BYTES)
      return `a refusal of ${answer.text.length} characters: ${answer.text.slice(0, 200)}`;
    if (refused && kind === 'mutation' && after !== before)
      return `refused (${answer.codes.join(', ')}) but ${after - before} event(s) were appended`;
    if (!refused && answer.json.data == null) return `neither data nor errors: ${answer.text.slice(0, 200)}`;
    return undefined;
  }

  const caller = fc.constantFrom<Caller>('COMMUNITY_MANAGER', 'COMMUNITY_MANAGER', 'COMMUNITY_MANAGER', ...CALLERS);

  async function fuzz(
    operations: Operation[],
    runs: number,
  ): Promise<{ failures: string[]; requests: number; outcomes: Map<string, number> }> {
    const failures: string[] = [];
    const outcomes = new Map<string, number>();
    let requests = 0;
    for (const [index, operation] of operations.entries()) {
      const property = fc.asyncProperty(caller, hostileVariables(operation.args, pools), async (who, variables) => {
        const before = await eventCount(t);
        const answer = await call(t, operation, variables, world.tokens[who]);
        const after = await eventCount(t);
        requests++;
        const outcome =
          answer.codes.length > 0 ? [...new Set(answer.codes)].join('+') : answer.status === 200 ? 'OK' : `HTTP ${answer.status}`;
        outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
        const problem = problemWith(answer, before, after, operation.kind);
        if (problem) throw new Error(`${operation.name} as ${who}: ${problem}\n  variables: ${brief(variables, 600)}`);
      });
      // No shrinking: a counterexample is printed as found (long values abbreviated), with the seed to replay it.
      const result = await fc.check(property, { seed: SEED + index, numRuns: runs, endOnFailure: true });
      if (result.failed) {
        const error = result.errorInstance instanceof Error ? result.errorInstance.message : String(result.errorInstance);
        failures.push(`${operation.name} (seed ${SEED + index}, path ${result.counterexamplePath ?? '?'}): ${error}`);
      }
    }
    return { failures, requests, outcomes };
  }

  test('every mutation, with random, malformed and oversized input, by every kind of caller', async () => {
    const mutations = operationsOf(schema, 'mutation');
    expect(mutations.length).toBeGreaterThan(30);
    const started = Date.now();
    const { failures, requests, outcomes } = await fuzz(mutations, MUTATION_RUNS);
    console.log(
      `hostile input: ${requests} mutation requests over ${mutations.length} mutations in ${Date.now() - started} ms; outcomes ${JSON.stringify(Object.fromEntries(outcomes))}`,
    );
    expect(failures).toEqual([]);
    // Not only refusals: the generators reach the rules and the appends.
    expect(outcomes.get('OK') ?? 0).toBeGreaterThan(0);
  });

  test('every query, with random and malformed arguments', async () => {
    const queries = operationsOf(schema, 'query');
    const { failures } = await fuzz(queries, QUERY_RUNS);
    expect(failures).toEqual([]);
  });

  test('every mutation with a body beyond MAX_BODY_BYTES (2 MiB) is refused with 413 before anything runs', async () => {
    const before = await eventCount(t);
    for (const operation of operationsOf(schema, 'mutation')) {
      // The input padded with 3 MB of text in a field of its own: the size is refused before the shape is looked at.
      const body = JSON.stringify({ query: operation.document, variables: { input: { padding: 'z'.repeat(3 * ONE_MB) } } });
      const answer = await post(t, body, world.tokens.COMMUNITY_MANAGER);
      expect({ operation: operation.name, status: answer.status }).toEqual({ operation: operation.name, status: 413 });
      expect(answer.text.length).toBeLessThan(500);
    }
    expect(await eventCount(t)).toBe(before);
  });

  test('afterwards the service is healthy and every hash chain verifies', async () => {
    const ready = await fetch(`${t.service.url}/health/ready`);
    expect(ready.status).toBe(200);
    const verified = await t.graphql<{ verifyHistory: { ok: boolean; verifiedEvents: number } }>(
      '{ verifyHistory { ok verifiedEvents } }',
      {},
      { token: world.tokens.AUDITOR! },
    );
    expect(verified.errors).toBeUndefined();
    expect(verified.data?.verifyHistory).toMatchObject({ ok: true });
    expect(verified.data!.verifyHistory.verifiedEvents).toBe(await eventCount(t));
  });
});
