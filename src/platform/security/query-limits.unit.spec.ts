import { readFileSync } from 'node:fs';
import { buildSchema, parse, specifiedRules, validate, type DocumentNode, type ValidationRule } from 'graphql';
import { fragmentLimit, limitRules, PARSE_OPTIONS, QUERY_LIMITS } from './query-limits.ts';

const schema = buildSchema(readFileSync(new URL('../../../schema.gql', import.meta.url), 'utf8'));
/** What Apollo runs over HTTP and Security.subscribe over WebSocket. */
const validateAsServed = (query: string | DocumentNode) =>
  validate(schema, typeof query === 'string' ? parse(query, PARSE_OPTIONS) : query, [...specifiedRules, ...limitRules()]).map((error) => ({
    message: error.message,
    code: error.extensions.code,
  }));

const range = (count: number) => Array.from({ length: count }, (_, i) => i);
/** `count` fragments spread side by side: OverlappingFieldsCanBeMerged compares them pair by pair. */
const sideBySide = (count: number, field = '__typename') =>
  `query Q { ${range(count)
    .map((i) => `...F${i}`)
    .join(' ')} } ${range(count)
    .map((i) => `fragment F${i} on Query { ${field} }`)
    .join(' ')}`;
const spreadsOfOne = (count: number) => `query Q { ${'...F '.repeat(count)}} fragment F on Query { __typename }`;
const doublingFragments = (count: number) =>
  `query Q { ...F0 } ${range(count)
    .map((i) => (i < count - 1 ? `fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }` : `fragment F${i} on Query { me { id } }`))
    .join(' ')}`;

describe('query limits', () => {
  test("the README's limits, and the fragment caps", () => {
    expect(QUERY_LIMITS).toEqual({
      maxDepth: 12,
      maxCost: 20_000,
      maxAliases: 50,
      maxMutationFields: 10,
      maxTokens: 10_000,
      maxFragments: 100,
      maxFragmentSpreads: 500,
    });
  });

  test('up to 100 fragments and 500 spreads are accepted', () => {
    expect(validateAsServed(sideBySide(100))).toEqual([]);
    expect(validateAsServed(spreadsOfOne(500))).toEqual([]);
  });

  test('more are refused, and validation ends there: no other rule looks at the document', () => {
    // Every fragment also names a field that does not exist: any other rule that ran would say so.
    expect(validateAsServed(sideBySide(101, 'noSuchField'))).toEqual([
      { message: 'the query defines 101 fragments; at most 100 are allowed', code: 'GRAPHQL_VALIDATION_FAILED' },
      { message: 'Validation aborted.', code: undefined },
    ]);
    expect(validateAsServed(`${spreadsOfOne(501)} { noSuchField }`)).toEqual([
      { message: 'the query spreads fragments 501 times; at most 500 are allowed', code: 'GRAPHQL_VALIDATION_FAILED' },
      { message: 'Validation aborted.', code: undefined },
    ]);
  });

  test('spreads are counted wherever they are written: in fields, inline fragments and fragments', () => {
    const errorsOf = (query: string) => validate(schema, parse(query), [fragmentLimit(10, 3)]).map((error) => error.message);
    expect(
      errorsOf(
        '{ me { ...A } ... on Query { ...B } } fragment A on Actor { id } fragment B on Query { ...C } fragment C on Query { __typename }',
      ),
    ).toEqual([]);
    expect(
      errorsOf(
        '{ me { ...A ...A } ... on Query { ...B } } fragment A on Actor { id } fragment B on Query { ...C } fragment C on Query { __typename }',
      ),
    ).toEqual(['the query spreads fragments 4 times; at most 3 are allowed', 'Validation aborted.']);
  });

  // What the caps save: GraphQL's own OverlappingFieldsCanBeMerged is quadratic in fragments spread side by side, and
  // takes 80-130 ms of a core on this document before its budget aborts it.
  test('800 fragments side by side are refused before GraphQL compares them in pairs: no rule reaches a selection', () => {
    const document = parse(sideBySide(800), PARSE_OPTIONS);
    // A rule after all the others, as the served rules run side by side over one walk of the document: it sees every
    // selection set any rule sees, so none seen means none compared (not a timing, which a loaded machine stretches).
    let selectionSets = 0;
    const probe: ValidationRule = () => ({ SelectionSet: () => void selectionSets++ });
    const errors = validate(schema, document, [...specifiedRules, ...limitRules(), probe]);
    expect(errors[0]?.message).toBe('the query defines 800 fragments; at most 100 are allowed');
    expect(selectionSets).toBe(0);
    // The probe sees them when nothing refuses the document.
    validate(schema, parse(sideBySide(3), PARSE_OPTIONS), [...specifiedRules, ...limitRules(), probe]);
    expect(selectionSets).toBeGreaterThan(3);
  });

  test('40 fragments each spreading the next twice (2^40 paths) are refused for their cost, each fragment weighed once', () => {
    // Weighed path by path, this would not end: that the test ends at all is the point (not how fast, which a loaded
    // machine stretches).
    const errors = validateAsServed(parse(doublingFragments(40), PARSE_OPTIONS));
    expect(errors).toEqual([{ message: expect.stringMatching(/^query is too expensive/), code: 'GRAPHQL_VALIDATION_FAILED' }]);
  });
});
