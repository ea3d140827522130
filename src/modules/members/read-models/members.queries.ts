import type { DataSource, SelectQueryBuilder } from 'typeorm';
import { MemberRecord } from './member.record.ts';
import { keyCondition, keysetPage, type PageInfo, type PageRequest } from '../../../platform/graphql/pagination.ts';
import { decodeIdCursor, encodeIdCursor, requireListSize } from '../../../platform/shared/id-cursor.ts';
import { isId } from '../../../platform/shared/identifiers.ts';
import type { RegisteredMemberStatus } from '../member.decider.ts';

/** Shaped like the GraphQL `Member`. */
export interface MemberView {
  readonly id: string;
  /** "[redacted]" once the member's personal data was erased (and the read model rebuilt). */
  readonly displayName: string;
  readonly department: string;
  readonly status: RegisteredMemberStatus;
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
  /** Forward after a cursor (an endCursor) or backward before one (a startCursor); the size up to MAX_MEMBERS_PAGE. */
  readonly page: PageRequest;
}

/** The page's nodes in member id order, where it sits (PageInfo's fields) and the total. */
export interface MemberPage extends PageInfo {
  readonly nodes: MemberView[];
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

/** Keyset pagination on member_id, both ways, so a page stays correct while members are registered meanwhile. */
export async function listMembers(db: DataSource, options: ListMembersOptions): Promise<MemberPage> {
  const request = { ...options.page, size: requireListSize(options.page.size, MAX_MEMBERS_PAGE) };
  const department = options.department ?? null;
  const matching = () => {
    const query = visibleTo(db.getRepository(MemberRecord).createQueryBuilder('m'), options.reader);
    return department === null ? query : query.andWhere('m.department = :department', { department });
  };
  const page = await keysetPage(
    request,
    (record: MemberRecord) => record.memberId,
    ({ bound, order, limit }) => {
      const query = matching().orderBy('m.memberId', order).limit(limit);
      if (bound !== null) {
        const condition = keyCondition('m.memberId', bound);
        query.andWhere(condition.sql, condition.parameters);
      }
      return query.getMany();
    },
  );
  const totalCount = await matching().getCount();
  return { nodes: page.rows.map(toMember), ...page.pageInfo, totalCount };
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
