import { readFileSync } from 'node:fs';
import { buildSchema, getIntrospectionQuery, parse, specifiedRules, validate, type ValidationRule } from 'graphql';
import { limitRules, QUERY_LIMITS } from '../security/query-limits.ts';
import { costLimit } from './cost-limit.ts';
import { depthLimit } from './depth-limit.ts';

const schema = buildSchema(readFileSync(new URL('../../../schema.gql', import.meta.url), 'utf8'));
const errorsOf = (rule: ValidationRule, query: string) => validate(schema, parse(query), [rule]).map((error) => error.message);

/**
 * Documents the admin console sends (admin/src/api/documents.ts), some rewritten with fragments, with the depth and
 * cost that the walk through every path found before fragments were measured once (the same numbers for all 49 of
 * the console's documents, compared when the change was made). Rewriting a document with fragments changes neither.
 */
const ORDINARY: readonly { name: string; query: string; depth: number; cost: number }[] = [
  {
    name: 'the moderation queue (a page of 100 at most, from a variable)',
    query: `query ModerationQueue($filter: ModerationQueueFilter, $first: Int, $after: String) {
      moderationQueue(filter: $filter, first: $first, after: $after) {
        totalCount
        pageInfo { hasNextPage endCursor }
        edges { cursor node { id contentId contentType contentStatus groupId authorId status assignedTo openedAt revision flags { reason } } }
      }
    }`,
    depth: 5,
    cost: 1901,
  },
  {
    name: 'the moderation queue, its cases in a fragment',
    query: `query ModerationQueue($filter: ModerationQueueFilter, $first: Int, $after: String) {
      moderationQueue(filter: $filter, first: $first, after: $after) {
        totalCount
        pageInfo { hasNextPage endCursor }
        edges { cursor node { ...CaseSummary } }
      }
    }
    fragment CaseSummary on ModerationCase { id contentId contentType contentStatus groupId authorId status assignedTo openedAt revision flags { reason } }`,
    depth: 5,
    cost: 1901,
  },
  {
    name: 'governance history, its events and their metadata in nested fragments',
    query: `query GovernanceHistory($filter: GovernanceHistoryFilter, $first: Int, $after: String) {
      governanceHistory(filter: $filter, first: $first, after: $after) {
        pageInfo { hasNextPage endCursor }
        edges { cursor node { ...Event } }
      }
    }
    fragment Event on GovernanceEvent { position streamId revision type data recordedAt metadata { ...Metadata } }
    fragment Metadata on EventMetadata { actorId actorRoles authority reason correlationId causationId commandId }`,
    depth: 5,
    cost: 2001,
  },
  {
    name: 'five counts of one each (literal pages, aliases)',
    query: `query ModerationCounts($groupId: ID, $assignedTo: ID) {
      open: moderationQueue(filter: { status: [OPEN], groupId: $groupId, assignedTo: $assignedTo }, first: 1) { totalCount }
      inReview: moderationQueue(filter: { status: [IN_REVIEW], groupId: $groupId, assignedTo: $assignedTo }, first: 1) { totalCount }
      decided: moderationQueue(filter: { status: [DECIDED], groupId: $groupId, assignedTo: $assignedTo }, first: 1) { totalCount }
      appealed: moderationQueue(filter: { status: [APPEALED], groupId: $groupId, assignedTo: $assignedTo }, first: 1) { totalCount }
      closed: moderationQueue(filter: { status: [CLOSED], groupId: $groupId, assignedTo: $assignedTo }, first: 1) { totalCount }
    }`,
    depth: 2,
    cost: 10,
  },
  {
    // By hand: members 1, then ×10 inside it: edges 10, node 10, the fragment's two fields 2 × 10 = 20; member 1 and
    // the fragment once more at 1: 2. 41 + 3 = 44. Deepest: members > edges > node > id.
    name: 'one fragment spread under a page of 10 and outside any page',
    query: `{
      members(first: 10) { edges { node { ...Name } } }
      member(id: "m-1") { ...Name }
    }
    fragment Name on Member { id displayName }`,
    depth: 4,
    cost: 44,
  },
  {
    // By hand: groups 1, totalCount inside a page of 5 (an inline fragment adds nothing of its own): 5.
    name: 'an inline fragment under a literal page',
    query: `{ groups(first: 5) { ... on GroupConnection { totalCount } } }`,
    depth: 2,
    cost: 6,
  },
];

/** `query Q { ...F0 }` where each fragment spreads the next twice: 2^count paths through 2 × count spreads. */
function doublingFragments(count: number, last = 'me { id }'): string {
  const fragments = Array.from({ length: count }, (_, i) =>
    i < count - 1 ? `fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }` : `fragment F${i} on Query { ${last} }`,
  );
  return `query Q { ...F0 } ${fragments.join(' ')}`;
}

function timed<T>(work: () => T): { value: T; ms: number } {
  const started = performance.now();
  const value = work();
  return { value, ms: performance.now() - started };
}

describe.each(ORDINARY)('$name', ({ query, depth, cost }) => {
  test(`is ${depth} levels deep: refused at a limit of ${depth - 1}, accepted at ${depth}`, () => {
    expect(errorsOf(depthLimit(depth - 1), query)).toEqual([`query is nested ${depth} levels deep; at most ${depth - 1} are allowed`]);
    expect(errorsOf(depthLimit(depth), query)).toEqual([]);
  });

  test(`costs ${cost}: refused at a limit of ${cost - 1}, accepted at ${cost}`, () => {
    expect(errorsOf(costLimit(cost - 1), query)).toEqual([
      `query is too expensive (estimated cost ${cost}, at most ${cost - 1}): ask for smaller pages or fewer fields`,
    ]);
    expect(errorsOf(costLimit(cost), query)).toEqual([]);
  });
});

describe('fragments are measured once per document, whatever the number of paths through them', () => {
  // The walk through every path took 5-9 s at 23 such fragments and doubled with each one more: these would not end.
  test('40 fragments each spreading the next twice: depth 2, cost past the limit, each in milliseconds', () => {
    const query = doublingFragments(40);
    const depth = timed(() => errorsOf(depthLimit(12), query));
    expect(depth.value).toEqual([]);
    expect(errorsOf(depthLimit(1), query)).toEqual(['query is nested 2 levels deep; at most 1 are allowed']);
    const cost = timed(() => errorsOf(costLimit(20_000), query));
    expect(cost.value).toEqual([expect.stringMatching(/^query is too expensive \(estimated cost \d+, at most 20000\)/)]);
    expect(Math.max(depth.ms, cost.ms)).toBeLessThan(250);
  });

  test('the cost of a doubling chain is exact where it stays under the limit: 2^count leaves of cost 2', () => {
    // 2^10 copies of `me { id }`, each costing 2 (me, id).
    expect(errorsOf(costLimit(2_048), doublingFragments(11))).toEqual([]);
    expect(errorsOf(costLimit(2_047), doublingFragments(11))).toEqual([
      'query is too expensive (estimated cost 2048, at most 2047): ask for smaller pages or fewer fields',
    ]);
  });

  test('a fragment spread under nested pages costs its own cost times every page it sits in', () => {
    const query = `{ members(first: 100) { edges { node { ...Deep } } } }
      fragment Deep on Member { id ...Deeper }
      fragment Deeper on Member { displayName }`;
    // members 1, edges 100, node 100, id 100, displayName 100.
    expect(errorsOf(costLimit(401), query)).toEqual([]);
    expect(errorsOf(costLimit(400), query)).toHaveLength(1);
  });

  test('fragments that spread each other in a cycle end the walk (NoFragmentCycles refuses them)', () => {
    const cyclic = doublingFragments(40, '...F0 me { id }');
    const work = timed(() => [...errorsOf(depthLimit(12), cyclic), ...errorsOf(costLimit(20_000), cyclic)]);
    expect(work.value).toEqual([expect.stringMatching(/too expensive/)]);
    expect(work.ms).toBeLessThan(250);
    expect(errorsOf(depthLimit(12), `{ ...A } fragment A on Query { ...A me { id } }`)).toEqual([]);
    expect(errorsOf(costLimit(10), `{ ...A } fragment A on Query { ...B } fragment B on Query { ...A __typename }`)).toEqual([]);
  });

  test('many operations reaching one long chain of fragments measure it once, not once per operation and path', () => {
    const chain = Array.from({ length: 300 }, (_, i) => `fragment F${i} on Query { ${i < 299 ? `...F${i + 1}` : 'me { id }'} }`);
    const operations = Array.from({ length: 300 }, (_, i) => `query Q${i} { ...F0 }`);
    const query = [...operations, ...chain].join(' ');
    const work = timed(() => [...errorsOf(depthLimit(12), query), ...errorsOf(costLimit(20_000), query)]);
    expect(work.value).toEqual([]);
    expect(work.ms).toBeLessThan(250);
  });
});

describe('introspection: what codegen, GraphiQL, IDE plugins and Rover send passes; its recursion does not', () => {
  /** Every rule the service validates with (Apollo adds its own to GraphQL's specified rules, as Security.subscribe does). */
  const serviceErrorsOf = (query: string) =>
    validate(schema, parse(query), [...specifiedRules, ...limitRules()]).map((error) => error.message);
  const EVERY_OPTION = {
    descriptions: true,
    specifiedByUrl: true,
    directiveIsRepeatable: true,
    schemaDescription: true,
    inputValueDeprecation: true,
    oneOf: true,
  };

  test.each([
    { name: 'the standard introspection query', query: getIntrospectionQuery(), cost: 220 },
    { name: 'the standard introspection query with every option', query: getIntrospectionQuery(EVERY_OPTION), cost: 230 },
  ])('$name (15 levels deep, 3 fragments) passes every limit; it costs $cost', ({ query, cost }) => {
    expect(serviceErrorsOf(query)).toEqual([]);
    expect(errorsOf(costLimit(cost), query)).toEqual([]);
    expect(errorsOf(costLimit(cost - 1), query)).toHaveLength(1);
    expect(cost).toBeLessThan(QUERY_LIMITS.maxCost);
  });

  test('only what lies under __schema and __type is exempt: the meta-field itself is a level, the rest of the query counts', () => {
    const typeRefs = `__type(name: "Member") { fields { type ${'{ ofType '.repeat(12)}{ name }${' }'.repeat(12)} } }`;
    expect(errorsOf(depthLimit(1), `{ ${typeRefs} }`)).toEqual([]);
    expect(errorsOf(depthLimit(1), `{ ${typeRefs} me { id } }`)).toEqual(['query is nested 2 levels deep; at most 1 are allowed']);
    // An alias is not the field: `__schema` as a name for another field does not exempt it.
    expect(errorsOf(depthLimit(1), `{ __schema: me { id } }`)).toEqual(['query is nested 2 levels deep; at most 1 are allowed']);
  });

  test('introspection still pays its cost: a long chain of type references is priced field by field', () => {
    const chain = (n: number) => `{ __type(name: "Member") { ${'ofType { '.repeat(n)}name${' }'.repeat(n)} } }`;
    // __type, n × ofType, name.
    expect(errorsOf(costLimit(1_002), chain(1_000))).toEqual([]);
    expect(errorsOf(costLimit(1_001), chain(1_000))).toHaveLength(1);
  });

  test("introspection's recursion (types of fields of types ...) is refused by GraphQL's own MaxIntrospectionDepthRule", () => {
    expect(serviceErrorsOf(`{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }`)).toEqual([
      'Maximum introspection depth exceeded',
    ]);
    expect(serviceErrorsOf(`{ __type(name: "Node") { possibleTypes { interfaces { possibleTypes { name } } } } }`)).toEqual([
      'Maximum introspection depth exceeded',
    ]);
  });
});
