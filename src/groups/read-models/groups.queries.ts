import type { DataSource } from 'typeorm';
import { GroupRecord } from './group.record.ts';
import { decodeIdCursor, encodeIdCursor, requireListSize } from '../../shared/id-cursor.ts';
import { isId } from '../../shared/identifiers.ts';

/** Shaped like the GraphQL `Group`. */
export interface GroupView {
  readonly id: string;
  readonly name: string;
  /** Member ids, in the order they became owners. */
  readonly owners: string[];
  readonly archived: boolean;
  /** Its owners must hold a current certification to moderate its cases. */
  readonly requiresCertification: boolean;
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

export async function findGroup(db: DataSource, id: string): Promise<GroupView | null> {
  if (!isId(id)) return null;
  const record = await db.getRepository(GroupRecord).findOneBy({ groupId: id });
  return record ? toGroup(record) : null;
}

/** Keyset pagination on group_id, so a page stays correct while groups are created meanwhile. */
export async function listGroups(db: DataSource, options: ListGroupsOptions): Promise<GroupPage> {
  const first = requireListSize(options.first, MAX_GROUPS_PAGE);
  const after = options.after === undefined || options.after === null ? null : decodeGroupCursor(options.after);
  const repository = db.getRepository(GroupRecord);
  const query = repository
    .createQueryBuilder('g')
    .orderBy('g.groupId', 'ASC')
    .limit(first + 1);
  if (after !== null) query.andWhere('g.groupId > :after', { after });
  const records = await query.getMany();
  const totalCount = await repository.count();
  const nodes = records.slice(0, first).map(toGroup);
  const last = nodes.at(-1);
  return {
    nodes,
    hasNextPage: records.length > first,
    endCursor: last ? encodeGroupCursor(last.id) : null,
    totalCount,
  };
}

export const encodeGroupCursor = encodeIdCursor;
export const decodeGroupCursor = decodeIdCursor;

function toGroup(record: GroupRecord): GroupView {
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
    .getRepository(GroupRecord)
    .createQueryBuilder('g')
    .select('g.groupId')
    .where(':memberId = ANY (g.owners)', { memberId })
    .orderBy('g.groupId', 'ASC')
    .getMany();
  return records.map((record) => record.groupId);
}
