import type { DataSource } from 'typeorm';
import { keyCondition, keysetPage, type CursorCodec, type PageInfo, type PageRequest } from '../../../platform/graphql/pagination.ts';
import { badInput } from '../../../platform/shared/domain-error.ts';
import { ACTIVITY_REPORT_FORMATS, type ActivityReportFormat } from '../group-activity.decider.ts';
import type { ExternalGroupMapping } from '../adoption.graphql.ts';
import type { ExternalMappings } from '../import-plan.ts';
import { GROUP_MAPPINGS, mappingKey, type GroupMappingRow, type MappingKind } from './group-mappings.projection.ts';

export interface GroupMappingPage extends PageInfo {
  readonly nodes: ExternalGroupMapping[];
  readonly totalCount: number;
}

/** The mappings of the keys a report's rows carry (ids as they are, names as matchableName), for its import plan. */
export async function externalMappingsFor(
  db: DataSource,
  format: ActivityReportFormat,
  ids: readonly string[],
  names: readonly string[],
): Promise<ExternalMappings> {
  if (ids.length === 0 && names.length === 0) return { byId: new Map(), byName: new Map() };
  const records = await db
    .getRepository(GROUP_MAPPINGS.entity)
    .createQueryBuilder('m')
    .where('m.format = :format', { format })
    .andWhere("((m.kind = 'id' AND m.matchKey = ANY (:ids)) OR (m.kind = 'name' AND m.matchKey = ANY (:names)))", {
      ids: [...ids],
      names: [...names],
    })
    .getMany();
  const byKind = (kind: MappingKind) =>
    new Map(records.filter((record) => record.kind === kind).map((record) => [record.matchKey, record.groupId]));
  return { byId: byKind('id'), byName: byKind('name') };
}

/** A group's mappings on one platform, ids before names: what a mapping mutation answers. */
export async function groupMappingsOf(db: DataSource, format: ActivityReportFormat, groupId: string): Promise<ExternalGroupMapping[]> {
  const records = await db.getRepository(GROUP_MAPPINGS.entity).find({ where: { format, groupId }, order: { mappingKey: 'ASC' } });
  return records.map(toMapping);
}

/** Every mapping, by platform, then ids before names, then key: keyset pages both ways (see keysetPage). */
export async function listGroupMappings(db: DataSource, request: PageRequest): Promise<GroupMappingPage> {
  const repository = db.getRepository(GROUP_MAPPINGS.entity);
  const page = await keysetPage(
    request,
    (record: GroupMappingRow) => record.mappingKey,
    ({ bound, order, limit }) => {
      const query = repository.createQueryBuilder('m').orderBy('m.mappingKey', order).limit(limit);
      if (bound !== null) {
        const condition = keyCondition('m.mappingKey', bound);
        query.where(condition.sql, condition.parameters);
      }
      return query.getMany();
    },
    MAPPING_CURSORS,
  );
  return { nodes: page.rows.map(toMapping), ...page.pageInfo, totalCount: await repository.count() };
}

const CURSOR_KEY = new RegExp(`^(${ACTIVITY_REPORT_FORMATS.join('|')}):(id|name):.{1,200}$`, 's');

/** A mapping's key in base64url; only the canonical form of a key this list could give out is a cursor. */
export const MAPPING_CURSORS: CursorCodec<string> = {
  encode: (key) => Buffer.from(key, 'utf8').toString('base64url'),
  decode: (cursor, field) => {
    const key = typeof cursor === 'string' && /^[A-Za-z0-9_-]+$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
    if (!CURSOR_KEY.test(key) || MAPPING_CURSORS.encode(key) !== cursor) throw badInput(`${field} is not a valid cursor`, { field });
    return key;
  },
};

/** The key a mapping is listed by (its cursor's key). */
export function mappingKeyOf(view: ExternalGroupMapping): string {
  return view.externalId !== null
    ? mappingKey(view.format, 'id', view.externalId)
    : mappingKey(view.format, 'name', view.externalName ?? '');
}

function toMapping(record: GroupMappingRow): ExternalGroupMapping {
  return {
    // The projection writes the decider's formats only (the table has no CHECK on it: version 1 was made without one).
    format: record.format as ActivityReportFormat,
    externalId: record.kind === 'id' ? record.externalValue : null,
    externalName: record.kind === 'name' ? record.externalValue : null,
    groupId: record.groupId,
    mappedBy: record.mappedBy,
    mappedAt: record.mappedAt,
  };
}
