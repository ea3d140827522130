import type pg from 'pg';
import type { StoredEvent } from '#event-store';
import type { ProjectionContext } from '#projections';
import { columns, readModelProjection, readModelTable, type RowOf } from '../../../platform/infrastructure/read-model-table.ts';
import { GROUP_MAPPING_STREAM_CATEGORY, isGroupMappingEvent, type GroupMappingEvent } from '../group-mapping.decider.ts';
import { matchableName } from '../import-plan.ts';

export const GROUP_MAPPINGS_PROJECTION = 'external_group_mappings';

/** How a platform names a group: by its id or by its name. */
export type MappingKind = 'id' | 'name';

/**
 * The one text a mapping is ordered, paged and replaced by: `<format>:<kind>:<key>`, the key being the external id or
 * matchableName(external name), so "Sales NL" and "sales nl" are one mapping as the decider has them.
 */
export function mappingKey(format: string, kind: MappingKind, external: string): string {
  return `${format}:${kind}:${kind === 'name' ? matchableName(external) : external}`;
}

/** One row per external key that maps to a group now, with who mapped it and when (the log keeps the history). */
export const GROUP_MAPPINGS = readModelTable(
  'external_group_mappings',
  {
    mappingKey: columns.text().primary(),
    format: columns.text(),
    kind: columns.text(),
    /** The external id, or the name as the community manager wrote it. */
    externalValue: columns.text(),
    /** The external id, or matchableName(name): what a report's row is compared with. */
    matchKey: columns.text(),
    groupId: columns.text(),
    mappedBy: columns.text(),
    mappedAt: columns.timestamptz(),
  },
  // What an import looks up (the keys its rows carry) and what a mutation answers (a group's mappings).
  { indexes: ['(format, kind, match_key)', '(format, group_id)'] },
);
export type GroupMappingRow = RowOf<typeof GROUP_MAPPINGS>;

export const groupMappingsProjection = readModelProjection<StoredEvent>({
  name: GROUP_MAPPINGS_PROJECTION,
  version: 1,
  tables: [GROUP_MAPPINGS],
  filter: { categories: [GROUP_MAPPING_STREAM_CATEGORY] },

  async apply(events, client, ctx) {
    for (const event of events) {
      if (isGroupMappingEvent(event)) await applyEvent(event as StoredEvent & GroupMappingEvent, client, ctx);
    }
  },
});

async function applyEvent(event: StoredEvent & GroupMappingEvent, client: pg.ClientBase, ctx: ProjectionContext): Promise<void> {
  const table = ctx.table(GROUP_MAPPINGS.name);
  const { format, externalId, externalName, groupId } = event.data;
  const keys: [MappingKind, string][] = [];
  if (externalId !== null) keys.push(['id', externalId]);
  if (externalName !== null) keys.push(['name', externalName]);
  for (const [kind, external] of keys) {
    const key = mappingKey(format, kind, external);
    switch (event.type) {
      case 'ExternalGroupMapped':
        await client.query(
          `INSERT INTO ${table} (mapping_key, format, kind, external_value, match_key, group_id, mapped_by, mapped_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
           ON CONFLICT (mapping_key) DO UPDATE
             SET external_value = EXCLUDED.external_value, group_id = EXCLUDED.group_id,
                 mapped_by = EXCLUDED.mapped_by, mapped_at = EXCLUDED.mapped_at`,
          [key, format, kind, external, key.slice(`${format}:${kind}:`.length), groupId, event.data.mappedBy, event.data.mappedAt],
        );
        break;
      case 'ExternalGroupUnmapped':
        await client.query(`DELETE FROM ${table} WHERE mapping_key = $1`, [key]);
        break;
      default:
        unhandled(event);
    }
  }
}

function unhandled(event: never): void {
  void event;
}
