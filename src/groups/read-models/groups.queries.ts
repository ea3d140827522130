import type pg from 'pg';
import { badInput } from '../../shared/domain-error.ts';
import { requireId } from '../../shared/identifiers.ts';

/** Shaped like the GraphQL `Group`. */
export interface GroupView {
  readonly id: string;
  readonly name: string;
  /** Member ids, in the order they became owners. */
  readonly owners: string[];
  readonly archived: boolean;
  /** The revision of the group's stream: what `expectedRevision` compares with. */
  readonly revision: number;
}

export interface ListGroupsOptions {
  readonly first: number;
  /** endCursor of the previous page. */
  readonly after?: string | null;
}

export interface GroupPage {
  readonly nodes: GroupView[];
  readonly hasNextPage: boolean;
  /** The cursor of the last node; null on an empty page. */
  readonly endCursor: string | null;
  readonly totalCount: number;
}

export const MAX_GROUPS_PAGE = 500;

type Db = pg.Pool | pg.ClientBase;

interface GroupRow {
  group_id: string;
  name: string;
  owners: string[];
  archived: boolean;
  revision: number;
}

const COLUMNS = 'group_id, name, owners, archived, revision';

export async function findGroup(db: Db, id: string): Promise<GroupView | null> {
  const { rows } = await db.query<GroupRow>(`SELECT ${COLUMNS} FROM read_models.groups WHERE group_id = $1`, [id]);
  return rows[0] ? toGroup(rows[0]) : null;
}

/** Keyset pagination on group_id, so a page stays correct while groups are created meanwhile. */
export async function listGroups(db: Db, options: ListGroupsOptions): Promise<GroupPage> {
  const first = requirePageSize(options.first);
  const after = options.after === undefined || options.after === null ? null : decodeGroupCursor(options.after);
  // One after the other: a single client must not be given two queries at once.
  const page = await db.query<GroupRow>(
    `SELECT ${COLUMNS} FROM read_models.groups WHERE ($1::text IS NULL OR group_id > $1) ORDER BY group_id LIMIT $2`,
    [after, first + 1],
  );
  const count = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM read_models.groups');
  const nodes = page.rows.slice(0, first).map(toGroup);
  const last = nodes.at(-1);
  return {
    nodes,
    hasNextPage: page.rows.length > first,
    endCursor: last ? encodeGroupCursor(last.id) : null,
    totalCount: count.rows[0]?.n ?? 0,
  };
}

export function encodeGroupCursor(groupId: string): string {
  return Buffer.from(groupId, 'utf8').toString('base64url');
}

export function decodeGroupCursor(cursor: string): string {
  const invalid = () => badInput('after is not a valid cursor', { field: 'after' });
  if (typeof cursor !== 'string' || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalid();
  const id = Buffer.from(cursor, 'base64url').toString('utf8');
  // Only the canonical encoding of a well-formed id is a cursor this module gave out.
  if (encodeGroupCursor(id) !== cursor) throw invalid();
  try {
    return requireId(id, 'after');
  } catch {
    throw invalid();
  }
}

function requirePageSize(first: number): number {
  if (!Number.isSafeInteger(first) || first < 0 || first > MAX_GROUPS_PAGE) {
    throw badInput(`first must be a whole number from 0 to ${MAX_GROUPS_PAGE}`, { field: 'first' });
  }
  return first;
}

function toGroup(row: GroupRow): GroupView {
  return { id: row.group_id, name: row.name, owners: row.owners, archived: row.archived, revision: row.revision };
}
