import { GraphQLError, Kind, type ASTVisitor, type SelectionSetNode, type ValidationContext, type ValueNode } from 'graphql';
import { DEFAULT_PAGE_SIZE } from './pagination.ts';

/**
 * Refuses queries whose estimated cost exceeds `maxCost` before they run. Each field costs 1, times the page sizes
 * of the lists it sits in: `first` when given (a literal or a variable), else the default page size. A page of 100
 * groups with their owners costs about 100 × fields; a nesting of several large pages adds up fast.
 *
 * A fragment spread under a multiplier costs that multiplier times the fragment's cost at multiplier 1 (every term
 * of the estimate is a multiple of it), so each fragment is priced once per document and reused wherever it is
 * spread: following every path through the spreads instead doubles the work with each fragment that spreads the next
 * one twice. The walk stops as soon as the total is past the limit: the estimate it reports is then a lower bound.
 */
export function costLimit(maxCost: number) {
  return (context: ValidationContext): ASTVisitor => {
    const fragmentCosts = new Map<string, number>();
    const pricing = new Set<string>();

    const fragmentCost = (name: string): number => {
      const known = fragmentCosts.get(name);
      if (known !== undefined) return known;
      // A spread of a fragment still being priced is a cycle: NoFragmentCycles refuses the document, and here it
      // costs nothing, so the walk ends.
      if (pricing.has(name)) return 0;
      pricing.add(name);
      const found = costOf(context.getFragment(name)?.selectionSet, 1);
      pricing.delete(name);
      fragmentCosts.set(name, found);
      return found;
    };

    const costOf = (set: SelectionSetNode | undefined, multiplier: number): number => {
      if (!set) return 0;
      let total = 0;
      for (const selection of set.selections) {
        if (selection.kind === Kind.FIELD) {
          const first = selection.arguments?.find((argument) => argument.name.value === 'first');
          total += multiplier + costOf(selection.selectionSet, first ? multiplier * pageOf(first.value) : multiplier);
        } else if (selection.kind === Kind.INLINE_FRAGMENT) total += costOf(selection.selectionSet, multiplier);
        else total += multiplier * fragmentCost(selection.name.value);
        if (total > maxCost) return total;
      }
      return total;
    };

    return {
      OperationDefinition(node) {
        const estimated = costOf(node.selectionSet, 1);
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

function pageOf(value: ValueNode): number {
  if (value.kind === Kind.INT) return Math.max(1, Number(value.value));
  // A variable's value is not known while validating: count the largest page it could ask for.
  if (value.kind === Kind.VARIABLE) return 100;
  return DEFAULT_PAGE_SIZE;
}
