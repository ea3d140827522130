import type { PageInfo, PageRequest } from '../../src/platform/graphql/pagination.ts';

/** A request as a read model takes it, built without pageRequest's 1-to-100 check (to test the read model's own). */
export const forward = (size: number, cursor: string | null = null): PageRequest => ({ direction: 'forward', size, cursor });
export const backward = (size: number, cursor: string | null = null): PageRequest => ({ direction: 'backward', size, cursor });

/** One page of any list: its node ids in list order, and where it sits. */
export interface ListedPage {
  readonly ids: string[];
  readonly pageInfo: PageInfo;
}

/**
 * Walks a list both ways with pages of `size` and checks what a Relay client relies on: `last` alone gives the end of
 * the list; walking back with `before` (each page's startCursor) reaches the start, where hasPreviousPage turns false;
 * walking forward with `after` gives the same nodes in the same order; and every page's flags and cursors are right.
 * `expected` is the whole list, in order; it must span more than one page for the walk to prove anything.
 */
export async function expectPagingBothWays(list: (request: PageRequest) => Promise<ListedPage>, expected: string[], size: number) {
  expect(expected.length).toBeGreaterThan(size);

  const forwardPages: string[][] = [];
  for (let cursor: string | null = null; ;) {
    const page = await list(forward(size, cursor));
    expectCursors(page);
    expect(page.pageInfo.hasPreviousPage).toBe(cursor !== null);
    forwardPages.push(page.ids);
    if (!page.pageInfo.hasNextPage) break;
    cursor = page.pageInfo.endCursor;
    expect(forwardPages.length).toBeLessThanOrEqual(expected.length);
  }

  const backwardPages: string[][] = [];
  for (let cursor: string | null = null; ;) {
    const page = await list(backward(size, cursor));
    expectCursors(page);
    // Read backward, a page still lists its nodes in the list's order.
    const end = expected.length - size * backwardPages.length;
    expect(page.ids).toEqual(expected.slice(Math.max(0, end - size), end));
    expect(page.pageInfo.hasNextPage).toBe(cursor !== null);
    backwardPages.unshift(page.ids);
    if (!page.pageInfo.hasPreviousPage) break;
    cursor = page.pageInfo.startCursor;
    expect(backwardPages.length).toBeLessThanOrEqual(expected.length);
  }

  expect(forwardPages.flat()).toEqual(expected);
  expect(backwardPages.flat()).toEqual(expected);
  // The first page read backward is the list's start: the same nodes the first forward page would hold if short.
  expect(backwardPages[0]).toEqual(expected.slice(0, backwardPages[0]!.length));
  expect(forwardPages[0]).toEqual(expected.slice(0, size));
  expect(backwardPages.at(-1)).toEqual(expected.slice(-size));
}

function expectCursors(page: ListedPage) {
  expect(page.ids.length).toBeGreaterThan(0);
  expect(page.pageInfo.startCursor).toEqual(expect.any(String));
  expect(page.pageInfo.endCursor).toEqual(expect.any(String));
}

/** What a connection answers over GraphQL, with the node's key picked by `idOf`. */
interface ConnectionAnswer {
  readonly totalCount: number;
  readonly edges: { readonly cursor: string; readonly node: Record<string, unknown> }[];
  readonly pageInfo: PageInfo;
}

/**
 * Pages a connection over HTTP: `query` takes $first, $after, $last and $before (and whatever `variables` add) and
 * selects `totalCount edges { cursor node { ... } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor }`
 * of `field`. Checks on every page that the edges' cursors are the page's start and end cursors and that the total
 * is `totalCount` whatever the page.
 */
export function connectionPages(
  graphql: (query: string, variables: Record<string, unknown>) => Promise<{ data?: Record<string, unknown> | null; errors?: unknown[] }>,
  options: {
    readonly query: string;
    readonly field: string;
    readonly totalCount: number;
    readonly variables?: Record<string, unknown>;
    readonly idOf?: (node: Record<string, unknown>) => string;
  },
): (request: PageRequest) => Promise<ListedPage> {
  const idOf = options.idOf ?? ((node) => node.id as string);
  return async (request) => {
    const args =
      request.direction === 'forward' ? { first: request.size, after: request.cursor } : { last: request.size, before: request.cursor };
    const answer = await graphql(options.query, { ...options.variables, ...args });
    expect(answer.errors).toBeUndefined();
    const connection = answer.data![options.field] as ConnectionAnswer;
    expect(connection.totalCount).toBe(options.totalCount);
    expect(connection.pageInfo.startCursor).toBe(connection.edges[0]?.cursor ?? null);
    expect(connection.pageInfo.endCursor).toBe(connection.edges.at(-1)?.cursor ?? null);
    return { ids: connection.edges.map((edge) => idOf(edge.node)), pageInfo: connection.pageInfo };
  };
}
