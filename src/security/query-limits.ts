import {
  GraphQLError,
  Kind,
  NoSchemaIntrospectionCustomRule,
  type ASTVisitor,
  type ParseOptions,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
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
} as const;

export const PARSE_OPTIONS: ParseOptions = { maxTokens: QUERY_LIMITS.maxTokens };

/** The validation rules added to GraphQL's own. */
export function limitRules(): ValidationRule[] {
  return [
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
