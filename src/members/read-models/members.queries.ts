import type { DataSource, SelectQueryBuilder } from 'typeorm';
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

/**
 * Who reads the directory. Staff read every member; anyone else reads the members listed in the directory (their
 * privacy setting `directoryListed`) and themself: an unlisted member is absent from their pages and totals.
 */
export type DirectoryReader = { readonly seesUnlisted: true } | { readonly seesUnlisted: false; readonly memberId: string };

export const EVERY_MEMBER: DirectoryReader = { seesUnlisted: true };

export interface ListMembersOptions {
  readonly reader: DirectoryReader;
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
  /** All members matching the filter that the reader may see, whatever the page. */
  readonly totalCount: number;
}

export const MAX_MEMBERS_PAGE = 500;

/** Null for a member the reader may not see, as for one that does not exist: the answer tells them nothing more. */
export async function findMember(db: DataSource, id: string, reader: DirectoryReader): Promise<MemberView | null> {
  if (!isId(id)) return null;
  const query = visibleTo(db.getRepository(MemberRecord).createQueryBuilder('m'), reader).andWhere('m.memberId = :id', { id });
  const record = await query.getOne();
  return record ? toMember(record) : null;
}

/** Keyset pagination on member_id, so a page stays correct while members are registered meanwhile. */
export async function listMembers(db: DataSource, options: ListMembersOptions): Promise<MemberPage> {
  const first = requireListSize(options.first, MAX_MEMBERS_PAGE);
  const after = options.after === undefined || options.after === null ? null : decodeMemberCursor(options.after);
  const department = options.department ?? null;
  const matching = () => {
    const query = visibleTo(db.getRepository(MemberRecord).createQueryBuilder('m'), options.reader);
    return department === null ? query : query.andWhere('m.department = :department', { department });
  };
  const page = matching()
    .orderBy('m.memberId', 'ASC')
    .limit(first + 1);
  if (after !== null) page.andWhere('m.memberId > :after', { after });
  const records = await page.getMany();
  const totalCount = await matching().getCount();
  const nodes = records.slice(0, first).map(toMember);
  const last = nodes.at(-1);
  return {
    nodes,
    hasNextPage: records.length > first,
    endCursor: last ? encodeMemberCursor(last.id) : null,
    totalCount,
  };
}

function visibleTo(query: SelectQueryBuilder<MemberRecord>, reader: DirectoryReader): SelectQueryBuilder<MemberRecord> {
  return reader.seesUnlisted ? query : query.andWhere('(m.directoryListed OR m.memberId = :self)', { self: reader.memberId });
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
