import type pg from 'pg';
import type { StoredEvent } from '#event-store';
import type { ProjectionContext, ProjectionDefinition } from '#projections';
import { GROUP_MAPPING_STREAM_CATEGORY, isGroupMappingEvent, type GroupMappingEvent } from '../group-mapping.decider.ts';
import { matchableName } from '../import-plan.ts';

export const GROUP_MAPPINGS_PROJECTION = 'external_group_mappings';
export const GROUP_MAPPINGS_TABLE = 'external_group_mappings';

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
export const groupMappingsProjection: ProjectionDefinition<StoredEvent> = {
  name: GROUP_MAPPINGS_PROJECTION,
  version: 1,
  tables: [GROUP_MAPPINGS_TABLE],
  filter: { categories: [GROUP_MAPPING_STREAM_CATEGORY] },

  async setup(client, ctx) {
    const table = ctx.table(GROUP_MAPPINGS_TABLE);
    await client.query(`
      CREATE TABLE ${table} (
        mapping_key    text        PRIMARY KEY,
        format         text        NOT NULL,
        kind           text        NOT NULL,
        external_value text        NOT NULL,
        match_key      text        NOT NULL,
        group_id       text        NOT NULL,
        mapped_by      text        NOT NULL,
        mapped_at      timestamptz NOT NULL
      )`);
    // What an import looks up (the keys its rows carry) and what a mutation answers (a group's mappings).
    await client.query(`CREATE INDEX ON ${table} (format, kind, match_key)`);
    await client.query(`CREATE INDEX ON ${table} (format, group_id)`);
  },

  async apply(events, client, ctx) {
    for (const event of events) {
      if (isGroupMappingEvent(event)) await applyEvent(event as StoredEvent & GroupMappingEvent, client, ctx);
    }
  },
};

async function applyEvent(event: StoredEvent & GroupMappingEvent, client: pg.ClientBase, ctx: ProjectionContext): Promise<void> {
  const table = ctx.table(GROUP_MAPPINGS_TABLE);
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
