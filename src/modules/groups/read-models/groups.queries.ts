import type { DataSource } from 'typeorm';
import type { Group } from '../group.graphql.ts';
import { GROUPS, type GroupRow } from './groups.projection.ts';
import { keyCondition, keysetPage, type PageInfo, type PageRequest } from '../../../platform/graphql/pagination.ts';
import { decodeIdCursor, encodeIdCursor, requireListSize } from '../../../platform/shared/id-cursor.ts';
import { isId } from '../../../platform/shared/identifiers.ts';

export interface ListGroupsOptions {
  /** Forward after a cursor (an endCursor) or backward before one (a startCursor); the size up to MAX_GROUPS_PAGE. */
  readonly page: PageRequest;
}

/** The page's nodes in group id order, where it sits (PageInfo's fields) and the total. */
export interface GroupPage extends PageInfo {
  readonly nodes: Group[];
  readonly totalCount: number;
}

export const MAX_GROUPS_PAGE = 500;

export async function findGroup(db: DataSource, id: string): Promise<Group | null> {
  if (!isId(id)) return null;
  const record = await GROUPS.findByKey(db, { groupId: id });
  return record ? toGroup(record) : null;
}

/** Keyset pagination on group_id, both ways, so a page stays correct while groups are created meanwhile. */
export function listGroups(db: DataSource, options: ListGroupsOptions): Promise<GroupPage> {
  return pageGroups(db, options.page, null);
}

/**
 * The groups that are not archived and have no owner (their last owner left or was removed), in group id order: a
 * group without an owner has no owner to moderate its cases, so community managers find someone to take it over.
 */
export function listOwnerlessGroups(db: DataSource, options: ListGroupsOptions): Promise<GroupPage> {
  return pageGroups(db, options.page, "g.owners = '{}' AND NOT g.archived");
}

/** A page of the groups that meet `filter` (SQL on the alias `g`; all groups when null), and how many meet it. */
async function pageGroups(db: DataSource, requested: PageRequest, filter: string | null): Promise<GroupPage> {
  const request = { ...requested, size: requireListSize(requested.size, MAX_GROUPS_PAGE) };
  const repository = db.getRepository(GROUPS.entity);
  const filtered = () => {
    const query = repository.createQueryBuilder('g');
    if (filter !== null) query.where(filter);
    return query;
  };
  const page = await keysetPage(
    request,
    (record: GroupRow) => record.groupId,
    ({ bound, order, limit }) => {
      const query = filtered().orderBy('g.groupId', order).limit(limit);
      if (bound !== null) {
        const condition = keyCondition('g.groupId', bound);
        query.andWhere(condition.sql, condition.parameters);
      }
      return query.getMany();
    },
  );
  const totalCount = await filtered().getCount();
  return { nodes: page.rows.map(toGroup), ...page.pageInfo, totalCount };
}

export const encodeGroupCursor = encodeIdCursor;
export const decodeGroupCursor = decodeIdCursor;

function toGroup(record: GroupRow): Group {
  return {
    id: record.groupId,
    name: record.name,
    owners: record.owners,
    archived: record.archived,
    requiresCertification: record.requiresCertification,
    revision: record.revision,
  };
}

/** Ids of the groups the member owns, as the read model has them (for what a group owner may list, not for authority). */
export async function groupsOwnedBy(db: DataSource, memberId: string): Promise<string[]> {
  if (!isId(memberId)) return [];
  const records = await db
    .getRepository(GROUPS.entity)
    .createQueryBuilder('g')
    .select('g.groupId')
    .where(':memberId = ANY (g.owners)', { memberId })
    .orderBy('g.groupId', 'ASC')
    .getMany();
  return records.map((record) => record.groupId);
}

/**
 * The groups with one of `ids`, or whose name is one of `names` compared trimmed and case-insensitive (`names` given
 * lower-case): what a usage report's rows are matched against (src/modules/adoption). Archived groups too: their past
 * activity is still theirs.
 */
export async function groupsByIdOrName(db: DataSource, ids: readonly string[], names: readonly string[]): Promise<Group[]> {
  if (ids.length === 0 && names.length === 0) return [];
  const records = await db
    .getRepository(GROUPS.entity)
    .createQueryBuilder('g')
    .where('g.groupId = ANY (:ids)', { ids: ids.filter(isId) })
    .orWhere('lower(btrim(g.name)) = ANY (:names)', { names: [...names] })
    .orderBy('g.groupId', 'ASC')
    .getMany();
  return records.map(toGroup);
}
