import type { DataSource } from 'typeorm';
import { MemberRecord } from './member.record.ts';
import { decodeIdCursor, encodeIdCursor, requireListSize } from '../../shared/id-cursor.ts';
import { isId } from '../../shared/identifiers.ts';

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

export async function findMember(db: DataSource, id: string): Promise<MemberView | null> {
  if (!isId(id)) return null;
  const record = await db.getRepository(MemberRecord).findOneBy({ memberId: id });
  return record ? toMember(record) : null;
}

/** Keyset pagination on member_id, so a page stays correct while members are registered meanwhile. */
export async function listMembers(db: DataSource, options: ListMembersOptions): Promise<MemberPage> {
  const first = requireListSize(options.first, MAX_MEMBERS_PAGE);
  const after = options.after === undefined || options.after === null ? null : decodeMemberCursor(options.after);
  const department = options.department ?? null;
  const repository = db.getRepository(MemberRecord);
  const query = repository
    .createQueryBuilder('m')
    .orderBy('m.memberId', 'ASC')
    .limit(first + 1);
  if (department !== null) query.andWhere('m.department = :department', { department });
  if (after !== null) query.andWhere('m.memberId > :after', { after });
  const records = await query.getMany();
  const totalCount = await repository.countBy(department !== null ? { department } : {});
  const nodes = records.slice(0, first).map(toMember);
  const last = nodes.at(-1);
  return {
    nodes,
    hasNextPage: records.length > first,
    endCursor: last ? encodeMemberCursor(last.id) : null,
    totalCount,
  };
}

export const encodeMemberCursor = encodeIdCursor;
export const decodeMemberCursor = decodeIdCursor;

function toMember(record: MemberRecord): MemberView {
  return {
    id: record.memberId,
    displayName: record.displayName,
    department: record.department,
    status: record.status,
    revision: record.revision,
  };
}
