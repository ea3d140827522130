import { GraphQLError, Kind, type ASTVisitor, type SelectionSetNode, type ValidationContext } from 'graphql';

/** Names starting with `__` are reserved to GraphQL, so no field of the schema can pass for one of these. */
const INTROSPECTION_META_FIELDS: ReadonlySet<string> = new Set(['__schema', '__type']);

/**
 * Refuses queries nested deeper than `maxDepth` fields (fragments followed), before they run.
 *
 * What lies under the introspection meta-fields (`__schema`, `__type`) does not count: GraphQL's standard
 * introspection query, which every codegen tool, GraphiQL, IDE plugin and Rover sends, is 15 levels deep (its type
 * references unwrap `ofType` seven times), and it reads the schema, not the data the limit protects. What keeps
 * introspection bounded instead: the cost limit still prices every field under it (the standard query costs 220 of
 * 20,000), GraphQL's own MaxIntrospectionDepthRule (one of its specified rules, which the service always runs) refuses
 * `fields`, `interfaces`, `possibleTypes` or `inputFields` nested three deep, the recursion that would multiply the
 * schema by itself, and production turns introspection off.
 *
 * A fragment is as deep wherever it is spread, so each fragment's depth is measured once per document and reused:
 * following every path through the spreads instead doubles the work with each fragment that spreads the next one
 * twice (40 such fragments, 2 KB, would take longer than anyone waits). The walk also stops as soon as it is past
 * the limit, since a deeper answer refuses nothing more.
 */
export function depthLimit(maxDepth: number) {
  return (context: ValidationContext): ASTVisitor => {
    const fragmentDepths = new Map<string, number>();
    const measuring = new Set<string>();

    const fragmentDepth = (name: string): number => {
      const known = fragmentDepths.get(name);
      if (known !== undefined) return known;
      // A spread of a fragment still being measured is a cycle: NoFragmentCycles refuses the document, and here it
      // adds nothing, so the walk ends.
      if (measuring.has(name)) return 0;
      measuring.add(name);
      const found = depthOf(context.getFragment(name)?.selectionSet);
      measuring.delete(name);
      fragmentDepths.set(name, found);
      return found;
    };

    const depthOf = (set: SelectionSetNode | undefined): number => {
      if (!set) return 0;
      let deepest = 0;
      for (const selection of set.selections) {
        const depth =
          selection.kind === Kind.FIELD
            ? 1 + (INTROSPECTION_META_FIELDS.has(selection.name.value) ? 0 : depthOf(selection.selectionSet))
            : selection.kind === Kind.INLINE_FRAGMENT
              ? depthOf(selection.selectionSet)
              : fragmentDepth(selection.name.value);
        deepest = Math.max(deepest, depth);
        if (deepest > maxDepth) return deepest;
      }
      return deepest;
    };

    return {
      OperationDefinition(node) {
        const found = depthOf(node.selectionSet);
        if (found > maxDepth) {
          context.reportError(
            new GraphQLError(`query is nested ${found} levels deep; at most ${maxDepth} are allowed`, {
              nodes: [node],
              extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
            }),
          );
        }
      },
    };
  };
}
