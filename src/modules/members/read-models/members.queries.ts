import type { DataSource, SelectQueryBuilder } from 'typeorm';
import { keyCondition, keysetPage, type PageInfo, type PageRequest } from '../../../platform/graphql/pagination.ts';
import { decodeIdCursor, encodeIdCursor, requireListSize } from '../../../platform/shared/id-cursor.ts';
import { readAfterCommand } from '../../../platform/command/read-after-command.ts';
import { isId } from '../../../platform/shared/identifiers.ts';
import { badInput } from '../../../platform/shared/domain-error.ts';
import { EXTERNAL_ID_MAX, USER_NAME_MAX } from '../member.decider.ts';
import { MEMBERS, userNameKey, type MemberRow } from './members.projection.ts';

/**
 * A member as the directory (SCIM, src/modules/provisioning) reads them and the GraphQL `Member` is made from
 * (toMember): the row's columns as MEMBERS describes them, keyed `id`. Not the GraphQL type: it also holds the
 * directory's personal attributes (userName, emails, preferredLanguage), which are the provisioning client's to read,
 * not the API's.
 */
export type MemberView = Readonly<
  Pick<
    MemberRow,
    | 'displayName'
    | 'department'
    | 'status'
    | 'revision'
    | 'registeredAt'
    | 'updatedAt'
    | 'userName'
    | 'externalId'
    | 'emails'
    | 'preferredLanguage'
    | 'source'
    | 'directoryChangedAt'
  > & { id: string }
>;

/**
 * Who reads the directory. Staff read every member; anyone else reads the members listed in the directory (their
 * privacy setting `directoryListed`) and themself: an unlisted member is absent from their pages and totals.
 */
export type DirectoryReader = { readonly seesUnlisted: true } | { readonly seesUnlisted: false; readonly memberId: string };

export const EVERY_MEMBER: DirectoryReader = { seesUnlisted: true };

export interface ListMembersOptions {
  readonly reader: DirectoryReader;
  readonly department?: string | null;
  /** Part of the display name (case-insensitive), or the whole member id: what a picker has typed. */
  readonly search?: string | null;
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

/** The member as a command left them, read once the read model holds its events (every member: the caller may change them). */
export function memberAfterCommand(db: DataSource, memberId: string): Promise<MemberView> {
  return readAfterCommand(() => findMember(db, memberId, EVERY_MEMBER), `member ${memberId}`);
}

/** Null for a member the reader may not see, as for one that does not exist: the answer tells them nothing more. */
export async function findMember(db: DataSource, id: string, reader: DirectoryReader): Promise<MemberView | null> {
  if (!isId(id)) return null;
  const query = visibleTo(db.getRepository(MEMBERS.entity).createQueryBuilder('m'), reader).andWhere('m.memberId = :id', { id });
  const record = await query.getOne();
  return record ? toMember(record) : null;
}

/** Keyset pagination on member_id, both ways, so a page stays correct while members are registered meanwhile. */
export async function listMembers(db: DataSource, options: ListMembersOptions): Promise<MemberPage> {
  const request = { ...options.page, size: requireListSize(options.page.size, MAX_MEMBERS_PAGE) };
  const department = options.department ?? null;
  const search = options.search ?? null;
  const matching = () => {
    const query = visibleTo(db.getRepository(MEMBERS.entity).createQueryBuilder('m'), options.reader);
    if (department !== null) query.andWhere('m.department = :department', { department });
    // LIKE's own wildcards in what was typed match themselves.
    if (search !== null) {
      query.andWhere(`(m.displayName ILIKE :pattern ESCAPE '\\' OR m.memberId = :search)`, {
        pattern: `%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`,
        search,
      });
    }
    return query;
  };
  const page = await keysetPage(
    request,
    (record: MemberRow) => record.memberId,
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

function visibleTo(query: SelectQueryBuilder<MemberRow>, reader: DirectoryReader): SelectQueryBuilder<MemberRow> {
  return reader.seesUnlisted ? query : query.andWhere('(m.directoryListed OR m.memberId = :self)', { self: reader.memberId });
}

/**
 * The member with this SCIM userName, compared case-insensitively. The directory keeps user names unique; should two
 * members still share one (a name freed and given again), the active member is found, then the first by id.
 */
export async function findMemberByUserName(db: DataSource, userName: string): Promise<MemberView | null> {
  if (typeof userName !== 'string' || userName.length === 0 || userName.length > USER_NAME_MAX) return null;
  return firstOf(directoryQuery(db).andWhere('m.userNameKey = :key', { key: userNameKey(userName) }));
}

/** The member with this externalId (the directory's own id), compared exactly as SCIM's externalId is. */
export async function findMemberByExternalId(db: DataSource, externalId: string): Promise<MemberView | null> {
  if (typeof externalId !== 'string' || externalId.length === 0 || externalId.length > EXTERNAL_ID_MAX) return null;
  return firstOf(directoryQuery(db).andWhere('m.externalId = :externalId', { externalId }));
}

export interface ListMembersForDirectoryOptions {
  /** 1-based, as SCIM's startIndex: less than 1 reads as 1. */
  readonly startIndex: number;
  /** At most MAX_DIRECTORY_PAGE members are given; a negative count reads as 0 (only the total). */
  readonly count: number;
  /** Only the member with this userName, case-insensitively (SCIM's `userName eq`). */
  readonly userName?: string | null;
  /** Only the member with this externalId (SCIM's `externalId eq`). */
  readonly externalId?: string | null;
}

/** SCIM's ListResponse, before the protocol layer shapes it. */
export interface DirectoryMemberPage {
  /** All members matching the filter, whatever the page. */
  readonly totalResults: number;
  readonly members: MemberView[];
}

export const MAX_DIRECTORY_PAGE = 500;

/**
 * Every member for the directory that provisions them, listed in the member directory or not (the provisioner keeps
 * the directory; it is no member reading it), in member id order. SCIM pages by index, so this one is by offset
 * (RFC 7644, 3.4.2.4: a start below 1 is 1, a negative count is 0, and the service may give fewer than asked).
 */
export async function listMembersForDirectory(db: DataSource, options: ListMembersForDirectoryOptions): Promise<DirectoryMemberPage> {
  const startIndex = Math.max(1, wholeNumber(options.startIndex, 'startIndex'));
  const count = Math.min(MAX_DIRECTORY_PAGE, Math.max(0, wholeNumber(options.count, 'count')));
  const matching = () => {
    const query = db.getRepository(MEMBERS.entity).createQueryBuilder('m');
    if (options.userName !== undefined && options.userName !== null) {
      query.andWhere('m.userNameKey = :key', { key: typeof options.userName === 'string' ? userNameKey(options.userName) : null });
    }
    if (options.externalId !== undefined && options.externalId !== null) {
      query.andWhere('m.externalId = :externalId', { externalId: options.externalId });
    }
    return query;
  };
  const totalResults = await matching().getCount();
  // TypeORM reads a limit of 0 as no limit at all.
  const records =
    count === 0 || startIndex > totalResults
      ? []
      : await matching()
          .orderBy('m.memberId', 'ASC')
          .offset(startIndex - 1)
          .limit(count)
          .getMany();
  return { totalResults, members: records.map(toMember) };
}

function directoryQuery(db: DataSource): SelectQueryBuilder<MemberRow> {
  return db.getRepository(MEMBERS.entity).createQueryBuilder('m');
}

async function firstOf(query: SelectQueryBuilder<MemberRow>): Promise<MemberView | null> {
  const record = await query
    .orderBy(`CASE WHEN m.status = 'ACTIVE' THEN 0 ELSE 1 END`, 'ASC')
    .addOrderBy('m.memberId', 'ASC')
    .limit(1)
    .getOne();
  return record ? toMember(record) : null;
}

function wholeNumber(value: number, field: string): number {
  if (!Number.isSafeInteger(value)) throw badInput(`${field} must be a whole number`, { field });
  return value;
}

export const encodeMemberCursor = encodeIdCursor;
export const decodeMemberCursor = decodeIdCursor;

function toMember(record: MemberRow): MemberView {
  return {
    id: record.memberId,
    displayName: record.displayName,
    department: record.department,
    status: record.status,
    revision: record.revision,
    registeredAt: record.registeredAt,
    updatedAt: record.updatedAt,
    userName: record.userName,
    externalId: record.externalId,
    emails: record.emails,
    preferredLanguage: record.preferredLanguage,
    source: record.source,
    directoryChangedAt: record.directoryChangedAt,
  };
}
