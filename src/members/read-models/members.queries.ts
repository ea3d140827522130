import type pg from 'pg';
import { badInput } from '../../shared/domain-error.ts';
import { requireId } from '../../shared/identifiers.ts';

/** Shaped like the GraphQL `Member`. */
export interface MemberView {
  readonly id: string;
  /** "[redacted]" once the member's personal data was erased (and the read model rebuilt). */
  readonly displayName: string;
  readonly department: string;
  readonly status: 'ACTIVE' | 'LEFT';
  /** The revision of the member's stream: what `expectedRevision` of updateMember compares with. */
  readonly revision: number;
}

export interface ListMembersOptions {
  readonly department?: string | null;
  readonly first: number;
  /** endCursor of the previous page. */
  readonly after?: string | null;
}

export interface MemberPage {
  readonly nodes: MemberView[];
  readonly hasNextPage: boolean;
  /** The cursor of the last node; null on an empty page. */
  readonly endCursor: string | null;
  /** All members matching the filter, whatever the page. */
  readonly totalCount: number;
}

export const MAX_MEMBERS_PAGE = 500;

type Db = pg.Pool | pg.ClientBase;

interface MemberRow {
  member_id: string;
  display_name: string;
  department: string;
  status: 'ACTIVE' | 'LEFT';
  revision: number;
}

const COLUMNS = 'member_id, display_name, department, status, revision';

export async function findMember(db: Db, id: string): Promise<MemberView | null> {
  const { rows } = await db.query<MemberRow>(`SELECT ${COLUMNS} FROM read_models.members WHERE member_id = $1`, [id]);
  return rows[0] ? toMember(rows[0]) : null;
}

/** Keyset pagination on member_id, so a page stays correct while members are registered meanwhile. */
export async function listMembers(db: Db, options: ListMembersOptions): Promise<MemberPage> {
  const first = requirePageSize(options.first);
  const after = options.after === undefined || options.after === null ? null : decodeMemberCursor(options.after);
  const department = options.department ?? null;
  // One after the other: a single client must not be given two queries at once.
  const page = await db.query<MemberRow>(
    `SELECT ${COLUMNS} FROM read_models.members
      WHERE ($1::text IS NULL OR department = $1) AND ($2::text IS NULL OR member_id > $2)
      ORDER BY member_id LIMIT $3`,
    [department, after, first + 1],
  );
  const count = await db.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM read_models.members WHERE ($1::text IS NULL OR department = $1)',
    [department],
  );
  const nodes = page.rows.slice(0, first).map(toMember);
  const last = nodes.at(-1);
  return {
    nodes,
    hasNextPage: page.rows.length > first,
    endCursor: last ? encodeMemberCursor(last.id) : null,
    totalCount: count.rows[0]?.n ?? 0,
  };
}

export function encodeMemberCursor(memberId: string): string {
  return Buffer.from(memberId, 'utf8').toString('base64url');
}

export function decodeMemberCursor(cursor: string): string {
  const invalid = () => badInput('after is not a valid cursor', { field: 'after' });
  if (typeof cursor !== 'string' || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalid();
  const id = Buffer.from(cursor, 'base64url').toString('utf8');
  // Only the canonical encoding of a well-formed id is a cursor this module gave out.
  if (encodeMemberCursor(id) !== cursor) throw invalid();
  try {
    return requireId(id, 'after');
  } catch {
    throw invalid();
  }
}

function requirePageSize(first: number): number {
  if (!Number.isSafeInteger(first) || first < 0 || first > MAX_MEMBERS_PAGE) {
    throw badInput(`first must be a whole number from 0 to ${MAX_MEMBERS_PAGE}`, { field: 'first' });
  }
  return first;
}

function toMember(row: MemberRow): MemberView {
  return { id: row.member_id, displayName: row.display_name, department: row.department, status: row.status, revision: row.revision };
}
