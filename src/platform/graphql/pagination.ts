import type { Type } from '@nestjs/common';
import { ArgsType, Field, Int, ObjectType } from '@nestjs/graphql';
import { badInput } from '../shared/domain-error.ts';
import { decodeIdCursor, encodeIdCursor } from '../shared/id-cursor.ts';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

/** What every connection's `first`, `after`, `last` and `before` say, for their descriptions. */
export const PAGE_ARG_DESCRIPTIONS = {
  first: `Page forward: at most this many (1 to ${MAX_PAGE_SIZE}, default ${DEFAULT_PAGE_SIZE}). Ignored when last or before is given.`,
  after: 'Page forward: the nodes after this cursor (an endCursor of an earlier page).',
  last: `Page backward: at most this many (1 to ${MAX_PAGE_SIZE}, default ${DEFAULT_PAGE_SIZE}), the ones just before \`before\` (or the end).`,
  before: 'Page backward: the nodes before this cursor (a startCursor of an earlier page).',
} as const;

/** `first` (or `last`) of a Relay connection: 1 to 100, default 20. */
export function pageSize(first: number | null | undefined, field: 'first' | 'last' = 'first'): number {
  if (first === null || first === undefined) return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE)
    throw badInput(`${field} must be from 1 to ${MAX_PAGE_SIZE}`, { field });
  return first;
}

/**
 * A connection's arguments as GraphQL gives them (`first` has a default of 20 in the schema, so it is always set), and
 * as every list declares them: `@Args() paging: PageArgs` next to the list's own arguments.
 */
@ArgsType()
export class PageArgs {
  @Field(() => Int, { nullable: true, defaultValue: DEFAULT_PAGE_SIZE, description: PAGE_ARG_DESCRIPTIONS.first })
  readonly first?: number | null;

  @Field(() => String, { nullable: true, description: PAGE_ARG_DESCRIPTIONS.after })
  readonly after?: string | null;

  @Field(() => Int, { nullable: true, description: PAGE_ARG_DESCRIPTIONS.last })
  readonly last?: number | null;

  @Field(() => String, { nullable: true, description: PAGE_ARG_DESCRIPTIONS.before })
  readonly before?: string | null;
}

/**
 * Which page a client asked for. `last` or `before` pages backward (and then `first`, which the schema always fills
 * with its default, is ignored); otherwise forward. `after` and `before` together are refused: a window between two
 * cursors is not something the console needs, and answering it half would surprise.
 */
export type PageRequest =
  | { readonly direction: 'forward'; readonly size: number; readonly cursor: string | null }
  | { readonly direction: 'backward'; readonly size: number; readonly cursor: string | null };

export function pageRequest(args: PageArgs): PageRequest {
  const after = args.after ?? null;
  const before = args.before ?? null;
  if (after !== null && before !== null) {
    throw badInput('after and before cannot be given together: page forward with first/after or backward with last/before', {
      field: 'before',
    });
  }
  const last = args.last ?? null;
  // `after` with `last` would be a window from the cursor to the end, read backward: not what the console asks for,
  // and answering the end of the list instead (ignoring `after`) would be silently wrong.
  if (after !== null && last !== null) {
    throw badInput('after and last cannot be given together: page forward with first/after or backward with last/before', {
      field: 'after',
    });
  }
  if (last !== null || before !== null) {
    return { direction: 'backward', size: pageSize(args.last, 'last'), cursor: before };
  }
  return { direction: 'forward', size: pageSize(args.first, 'first'), cursor: after };
}

@ObjectType({ description: 'Where a page sits in its list (Relay).' })
export class PageInfo {
  @Field(() => Boolean, { description: 'More nodes follow endCursor (page on with first/after).' })
  hasNextPage!: boolean;

  @Field(() => String, { nullable: true, description: 'The cursor of the last node of the page; null on an empty page.' })
  endCursor!: string | null;

  @Field(() => Boolean, { description: 'More nodes precede startCursor (page back with last/before).' })
  hasPreviousPage!: boolean;

  @Field(() => String, { nullable: true, description: 'The cursor of the first node of the page; null on an empty page.' })
  startCursor!: string | null;
}

/** One side of a cursor in a keyset query: the keys strictly (or not) above or below `key`. */
export interface KeyBound<Key = string> {
  readonly key: Key;
  readonly side: 'above' | 'below';
  readonly inclusive: boolean;
}

/**
 * Reads up to `limit` rows in key order (`ASC` from the lowest, `DESC` from the highest), only those within `bound`
 * when one is given, with the list's filter applied. The one thing a list must provide to page both ways.
 */
export type KeysetFetch<Row, Key = string> = (range: {
  readonly bound: KeyBound<Key> | null;
  readonly order: 'ASC' | 'DESC';
  readonly limit: number;
}) => Promise<Row[]>;

/**
 * How a list's key becomes a cursor and back. A list ordered by more than one column (the moderation queue: opened
 * at, then case id) has a key that is not an id, and its own cursor form; `decode` refuses anything it did not give
 * out as BAD_USER_INPUT on `field`.
 */
export interface CursorCodec<Key> {
  encode(key: Key): string;
  decode(cursor: string, field: 'after' | 'before'): Key;
}

/** The cursors of a list keyed by an id (the default of keysetPage). */
export const ID_CURSORS: CursorCodec<string> = { encode: encodeIdCursor, decode: decodeIdCursor };

export interface KeysetPage<Row> {
  /** In key order (ascending), whichever way the client paged. */
  readonly rows: Row[];
  readonly pageInfo: PageInfo;
}

/**
 * A page of a list kept in the order of a unique text key (an id), both ways, with honest hasPreviousPage and
 * hasNextPage (one extra row is read to know whether more follow, and one row on the other side of the cursor to know
 * whether any precede). Keyset rather than offset: a page stays right while rows are added meanwhile. Cursors are the
 * key's base64url form (encodeIdCursor); a cursor that is not one is BAD_USER_INPUT on its argument.
 */
export async function keysetPage<Row>(request: PageRequest, keyOf: (row: Row) => string, fetch: KeysetFetch<Row>): Promise<KeysetPage<Row>>;
export async function keysetPage<Row, Key>(
  request: PageRequest,
  keyOf: (row: Row) => Key,
  fetch: KeysetFetch<Row, Key>,
  cursors: CursorCodec<Key>,
): Promise<KeysetPage<Row>>;
export async function keysetPage<Row, Key>(
  request: PageRequest,
  keyOf: (row: Row) => Key,
  fetch: KeysetFetch<Row, Key>,
  cursors: CursorCodec<Key> = ID_CURSORS as unknown as CursorCodec<Key>,
): Promise<KeysetPage<Row>> {
  const field = request.direction === 'forward' ? 'after' : 'before';
  const cursorKey = request.cursor === null ? null : cursors.decode(request.cursor, field);
  const forward = request.direction === 'forward';
  const ahead = await fetch({
    bound: cursorKey === null ? null : { key: cursorKey, side: forward ? 'above' : 'below', inclusive: false },
    order: forward ? 'ASC' : 'DESC',
    limit: request.size + 1,
  });
  const more = ahead.length > request.size;
  const taken = ahead.slice(0, request.size);
  const rows = forward ? taken : taken.reverse();
  // Behind the cursor: the cursor's own row counts (it was on the page the client came from).
  const behind =
    cursorKey !== null &&
    (
      await fetch({
        bound: { key: cursorKey, side: forward ? 'below' : 'above', inclusive: true },
        order: forward ? 'DESC' : 'ASC',
        limit: 1,
      })
    ).length > 0;
  const first = rows[0];
  const last = rows.at(-1);
  return {
    rows,
    pageInfo: {
      hasNextPage: forward ? more : behind,
      hasPreviousPage: forward ? behind : more,
      startCursor: first === undefined ? null : cursors.encode(keyOf(first)),
      endCursor: last === undefined ? null : cursors.encode(keyOf(last)),
    },
  };
}

/** The SQL condition of a bound on `column` (a TypeORM-style named parameter), for KeysetFetch implementations. */
export function keyCondition(
  column: string,
  bound: KeyBound,
  parameter = 'cursorKey',
): { sql: string; parameters: Record<string, string> } {
  return { sql: `${column} ${boundOperator(bound)} :${parameter}`, parameters: { [parameter]: bound.key } };
}

/** The SQL comparison operator of a bound (`>`, `>=`, `<`, `<=`), for keys of more than one column (row values). */
export function boundOperator(bound: Pick<KeyBound<unknown>, 'side' | 'inclusive'>): '>' | '>=' | '<' | '<=' {
  if (bound.side === 'above') return bound.inclusive ? '>=' : '>';
  return bound.inclusive ? '<=' : '<';
}

/**
 * The Relay connection of a node type, as the contract spells it: `<Node>Edge { cursor node }` and, on the class
 * that extends it, `{ edges pageInfo totalCount }`. `@ObjectType() class MemberConnection extends Connection(Member) {}`;
 * `nodeName` when the class is not named as its GraphQL type (`Connection(TrainingProgrammeType, 'TrainingProgramme')`).
 */
export function Connection<Node>(node: Type<Node>, nodeName: string = node.name) {
  @ObjectType(`${nodeName}Edge`)
  class Edge {
    @Field(() => String)
    cursor!: string;

    @Field(() => node)
    node!: Node;
  }

  @ObjectType({ isAbstract: true })
  abstract class NodeConnection {
    @Field(() => [Edge])
    edges!: Edge[];

    @Field(() => PageInfo)
    pageInfo!: PageInfo;

    @Field(() => Int, { description: 'How many nodes the whole list holds (with its filter), whatever the page.' })
    totalCount!: number;
  }
  return NodeConnection;
}
