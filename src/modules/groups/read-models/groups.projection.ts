import type pg from 'pg';
import type { StoredEvent } from '#event-store';
import type { ProjectionContext } from '#projections';
import { columns, readModelProjection, readModelTable, type RowOf } from '../../../platform/infrastructure/read-model-table.ts';
import { GROUP_STREAM_CATEGORY, isGroupEvent, type GroupEvent } from '../group.decider.ts';

export const GROUPS_PROJECTION = 'groups';

/** One row per group with its owners in the order they were assigned. */
export const GROUPS = readModelTable('groups', {
  groupId: columns.text().primary(),
  name: columns.text(),
  owners: columns.textArray().default("'{}'"),
  archived: columns.boolean().default('false'),
  requiresCertification: columns.boolean().default('false'),
  revision: columns.int(),
  createdAt: columns.timestamptz(),
  updatedAt: columns.timestamptz(),
});
export type GroupRow = RowOf<typeof GROUPS>;
export const GROUPS_TABLE = GROUPS.name;

export const groupsProjection = readModelProjection<StoredEvent>({
  name: GROUPS_PROJECTION,
  // 2: requires_certification.
  version: 2,
  tables: [GROUPS],
  filter: { categories: [GROUP_STREAM_CATEGORY] },

  async apply(events, client, ctx) {
    for (const event of events) {
      if (isGroupEvent(event)) await applyEvent(event as StoredEvent & GroupEvent, client, ctx);
    }
  },
});

async function applyEvent(event: StoredEvent & GroupEvent, client: pg.ClientBase, ctx: ProjectionContext): Promise<void> {
  const table = ctx.table(GROUPS_TABLE);
  const at = event.metadata.occurredAt;
  switch (event.type) {
    case 'GroupCreated':
      await client.query(
        `INSERT INTO ${table} (group_id, name, owners, archived, revision, created_at, updated_at)
         VALUES ($1, $2, '{}', false, $3, $4, $4)`,
        [event.data.groupId, event.data.name, event.revision, at],
      );
      return;
    case 'GroupOwnerAssigned':
      await client.query(
        `UPDATE ${table}
            SET owners = CASE WHEN $2 = ANY (owners) THEN owners ELSE array_append(owners, $2) END, revision = $3, updated_at = $4
          WHERE group_id = $1`,
        [event.data.groupId, event.data.memberId, event.revision, at],
      );
      return;
    case 'GroupOwnerRemoved':
      await client.query(`UPDATE ${table} SET owners = array_remove(owners, $2), revision = $3, updated_at = $4 WHERE group_id = $1`, [
        event.data.groupId,
        event.data.memberId,
        event.revision,
        at,
      ]);
      return;
    case 'GroupCertificationRequirementSet':
      await client.query(`UPDATE ${table} SET requires_certification = $2, revision = $3, updated_at = $4 WHERE group_id = $1`, [
        event.data.groupId,
        event.data.required,
        event.revision,
        at,
      ]);
      return;
    default:
      return unhandled(event);
  }
}

function unhandled(event: never): void {
  void event;
}
