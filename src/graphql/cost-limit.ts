import {
  GraphQLError,
  Kind,
  type ASTVisitor,
  type FragmentDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValueNode,
} from 'graphql';
import { DEFAULT_PAGE_SIZE } from './pagination.ts';

/**
 * Refuses queries whose estimated cost exceeds `maxCost` before they run. Each field costs 1, times the page sizes
 * of the lists it sits in: `first` when given (a literal or a variable), else the default page size. A page of 100
 * groups with their owners costs about 100 × fields; a nesting of several large pages adds up fast.
 */
export function costLimit(maxCost: number) {
  return (context: ValidationContext): ASTVisitor => {
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const definition of context.getDocument().definitions) {
      if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
    }
    return {
      OperationDefinition(node) {
        const variables = new Map<string, ValueNode | undefined>();
        for (const definition of node.variableDefinitions ?? []) variables.set(definition.variable.name.value, definition.defaultValue);
        const pageOf = (value: ValueNode | undefined): number => {
          if (!value) return DEFAULT_PAGE_SIZE;
          if (value.kind === Kind.INT) return Math.max(1, Number(value.value));
          // A variable's value is not known while validating: count the largest page it could ask for.
          if (value.kind === Kind.VARIABLE) return 100;
          return DEFAULT_PAGE_SIZE;
        };
        const cost = (set: SelectionSetNode | undefined, multiplier: number, seen: Set<string>): number => {
          if (!set) return 0;
          let total = 0;
          for (const selection of set.selections) {
            if (selection.kind === Kind.FIELD) {
              const first = selection.arguments?.find((a) => a.name.value === 'first');
              const inner = first ? multiplier * pageOf(first.value) : multiplier;
              total += multiplier + cost(selection.selectionSet, inner, seen);
            } else if (selection.kind === Kind.INLINE_FRAGMENT) total += cost(selection.selectionSet, multiplier, seen);
            else if (!seen.has(selection.name.value)) {
              total += cost(fragments.get(selection.name.value)?.selectionSet, multiplier, new Set([...seen, selection.name.value]));
            }
            if (total > maxCost) return total;
          }
          return total;
        };
        const estimated = cost(node.selectionSet, 1, new Set());
        if (estimated > maxCost) {
          context.reportError(
            new GraphQLError(
              `query is too expensive (estimated cost ${estimated}, at most ${maxCost}): ask for smaller pages or fewer fields`,
              {
                nodes: [node],
                extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
              },
            ),
          );
        }
      },
    };
  };
}
