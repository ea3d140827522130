import {
  GraphQLError,
  Kind,
  NoSchemaIntrospectionCustomRule,
  type ASTVisitor,
  type DocumentNode,
  type ParseOptions,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
// GraphQL's own way to end validation early (OverlappingFieldsCanBeMerged's budget): validate() catches it and answers
// the errors reported so far. Internal to graphql-js 16, so query-limits.unit.spec.ts checks that it still works.
import { validationAbortedError } from 'graphql/validation/validationAbortedError.js';
import { costLimit } from '../graphql/cost-limit.ts';
import { depthLimit } from '../graphql/depth-limit.ts';

/** What one GraphQL document may ask for, checked before anything runs (over HTTP and over WebSocket alike). */
export const QUERY_LIMITS = {
  /** Fields nested in fields. */
  maxDepth: 12,
  /** Fields times the page sizes they sit in (see cost-limit.ts). */
  maxCost: 20_000,
  /** Aliased fields in the document: aliases are how one request asks for the same thing many times. */
  maxAliases: 50,
  /** Mutations in one request: each is a command, and the rate limit counts requests. */
  maxMutationFields: 10,
  /**
   * Lexical tokens in the document: bounds the work of parsing and validating whatever fits in the body limit
   * (the admin console's largest query has a few hundred; an introspection query about a thousand).
   */
  maxTokens: 10_000,
  /**
   * Fragment definitions in the document. The depth and cost checks price each fragment once, so the caps are not
   * what keeps them fast: they bound GraphQL's own OverlappingFieldsCanBeMerged, which compares fragments spread side
   * by side pair by pair (see fragmentLimit). The admin console sends no fragments at all; 100, with 5 spreads each,
   * leave room for a client that composes a fragment per component.
   */
  maxFragments: 100,
  /** Fragment spreads (`...Name`) written in the document, wherever they are. */
  maxFragmentSpreads: 500,
} as const;

export const PARSE_OPTIONS: ParseOptions = { maxTokens: QUERY_LIMITS.maxTokens };

/** The validation rules added to GraphQL's own. */
export function limitRules(): ValidationRule[] {
  return [
    fragmentLimit(QUERY_LIMITS.maxFragments, QUERY_LIMITS.maxFragmentSpreads),
    depthLimit(QUERY_LIMITS.maxDepth),
    costLimit(QUERY_LIMITS.maxCost),
    aliasLimit(QUERY_LIMITS.maxAliases),
    mutationFieldLimit(QUERY_LIMITS.maxMutationFields),
  ];
}

/** Where Apollo's `introspection: false` does not reach (graphql-ws validates by itself): a schema tour for attackers. */
export const NO_INTROSPECTION: ValidationRule = NoSchemaIntrospectionCustomRule;

/** Refuses a document with more than `max` aliased fields. */
export function aliasLimit(max: number): ValidationRule {
  return (context: ValidationContext): ASTVisitor => {
    let aliases = 0;
    let reported = false;
    return {
      Field(node) {
        if (!node.alias || reported) return;
        if (++aliases > max) {
          reported = true;
          context.reportError(
            new GraphQLError(`the query uses more than ${max} aliases: ask for fewer things at once`, {
              nodes: [node],
              extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
            }),
          );
        }
      },
    };
  };
}

/** Refuses a mutation operation with more than `max` fields at its root (fragments followed). */
export function mutationFieldLimit(max: number): ValidationRule {
  return (context: ValidationContext): ASTVisitor => ({
    OperationDefinition(node) {
      if (node.operation !== 'mutation') return;
      let count = 0;
      const seen = new Set<string>();
      const countIn = (selections: typeof node.selectionSet.selections): void => {
        for (const selection of selections) {
          if (selection.kind === Kind.FIELD) count++;
          else if (selection.kind === Kind.INLINE_FRAGMENT) countIn(selection.selectionSet.selections);
          else if (!seen.has(selection.name.value)) {
            seen.add(selection.name.value);
            const fragment = context.getFragment(selection.name.value);
            if (fragment) countIn(fragment.selectionSet.selections);
          }
        }
      };
      countIn(node.selectionSet.selections);
      if (count > max) {
        context.reportError(
          new GraphQLError(`a request may run at most ${max} mutations (this one has ${count}): send them in several requests`, {
            nodes: [node],
            extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
          }),
        );
      }
    },
  });
}

/**
 * Refuses a document that defines more than `maxFragments` fragments or writes more than `maxSpreads` spreads, before
 * GraphQL's own rules have looked at it: OverlappingFieldsCanBeMerged compares the fragments spread side by side pair
 * by pair (600 fragments cost it about 80 ms of a core before its own budget stops it, 100 under 10 ms), and an error
 * reported by one rule does not stop the others. So the document is counted as it is entered, the first node every
 * rule sees, and a refusal ends validate() there the way GraphQL's budget does: validate() then answers the errors
 * reported so far and "Validation aborted.", over HTTP (Apollo) and WebSocket (Security.subscribe) alike. Throwing
 * anything else out of validate() would be an internal error to Apollo.
 */
export function fragmentLimit(maxFragments: number, maxSpreads: number): ValidationRule {
  return (context: ValidationContext): ASTVisitor => ({
    Document(document) {
      const { fragments, spreads } = fragmentsAndSpreadsIn(document);
      const refusal =
        fragments > maxFragments
          ? `the query defines ${fragments} fragments; at most ${maxFragments} are allowed`
          : spreads > maxSpreads
            ? `the query spreads fragments ${spreads} times; at most ${maxSpreads} are allowed`
            : undefined;
      if (!refusal) return;
      context.reportError(new GraphQLError(refusal, { extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }));
      throw validationAbortedError;
    },
  });
}

function fragmentsAndSpreadsIn(document: DocumentNode): { fragments: number; spreads: number } {
  let fragments = 0;
  let spreads = 0;
  const pending: SelectionSetNode[] = [];
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments++;
    if (definition.kind === Kind.FRAGMENT_DEFINITION || definition.kind === Kind.OPERATION_DEFINITION)
      pending.push(definition.selectionSet);
  }
  // A stack, not recursion: selections nest as deep as the token limit lets them.
  for (let set = pending.pop(); set; set = pending.pop()) {
    for (const selection of set.selections) {
      if (selection.kind === Kind.FRAGMENT_SPREAD) spreads++;
      else if (selection.selectionSet) pending.push(selection.selectionSet);
    }
  }
  return { fragments, spreads };
}
