import type pg from 'pg';
import { REDACTED, type StoredEvent } from '#event-store';
import type { ProjectionContext } from '#projections';
import { isMemberEvent, MEMBER_STREAM_CATEGORY, type MemberEvent } from '../../members/index.ts';
import { PRIVACY_STREAM_CATEGORY } from '../../privacy/index.ts';
import { columns, readModelProjection, readModelTable, type RowOf } from '../../../platform/infrastructure/read-model-table.ts';
import { AMBASSADOR_STATUSES, AMBASSADOR_STREAM_CATEGORY, isAmbassadorEvent, type AmbassadorEvent } from '../ambassador.decider.ts';

export const AMBASSADORS_PROJECTION = 'ambassadors';

/** A member's latest enrolment. */
export const AMBASSADORS = readModelTable(
  'ambassadors',
  {
    memberId: columns.text().primary(),
    enrolment: columns.int(),
    department: columns.text(),
    status: columns.text().oneOf(AMBASSADOR_STATUSES),
    nominatedBy: columns.text(),
    /** Personal data of the nominee: "[redacted]" after an erasure. */
    motivation: columns.text().nullable(),
    nominatedAt: columns.timestamptz(),
    since: columns.timestamptz().nullable(),
    /** Personal data of the ambassador: "[redacted]" after an erasure. */
    offboardReason: columns.text().nullable(),
    revision: columns.int(),
    updatedAt: columns.timestamptz(),
  },
  // The list pages on member_id, within a status or a department; coverage counts the active ones per department.
  { indexes: ['(status, member_id)', '(department, member_id)'] },
);
export type AmbassadorRow = RowOf<typeof AMBASSADORS>;
export const AMBASSADORS_TABLE = AMBASSADORS.name;

/** Every enrolment a member had, the current one included. */
export const AMBASSADOR_ENROLMENTS = readModelTable('ambassador_enrolments', {
  memberId: columns.text().primary(),
  enrolment: columns.int().primary(),
  department: columns.text(),
  status: columns.text(),
  nominatedBy: columns.text(),
  nominatedAt: columns.timestamptz(),
  since: columns.timestamptz().nullable(),
  endedAt: columns.timestamptz().nullable(),
});

/** The member directory as ambassador coverage needs it. */
export const AMBASSADOR_MEMBERS = readModelTable(
  'ambassador_members',
  {
    memberId: columns.text().primary(),
    department: columns.text(),
    active: columns.boolean(),
  },
  { indexes: ['(department) WHERE active'] },
);

/**
 * One row per member ever nominated (their latest enrolment), every enrolment for the history, and the member
 * directory as far as coverage needs it (department, still a member?), kept from the member events themselves so
 * that this module never reads the members module's tables. The motivation and the offboard reason are copies of
 * personal data: an erasure makes them "[redacted]" here as a rebuild would read them.
 */
export const ambassadorsProjection = readModelProjection<StoredEvent>({
  name: AMBASSADORS_PROJECTION,
  version: 1,
  tables: [AMBASSADORS, AMBASSADOR_ENROLMENTS, AMBASSADOR_MEMBERS],
  filter: { categories: [AMBASSADOR_STREAM_CATEGORY, MEMBER_STREAM_CATEGORY, PRIVACY_STREAM_CATEGORY] },

  async apply(events, client, ctx) {
    for (const event of events) {
      if (isAmbassadorEvent(event)) await applyAmbassadorEvent(event as StoredEvent & AmbassadorEvent, client, ctx);
      else if (isMemberEvent(event)) await applyMemberEvent(event as StoredEvent & MemberEvent, client, ctx);
      // As a rebuild after the erasure would read them.
      else if (event.type === 'ErasureCompleted') {
        await client.query(
          `UPDATE ${ctx.table(AMBASSADORS_TABLE)}
              SET motivation = CASE WHEN motivation IS NULL THEN NULL ELSE $2 END,
                  offboard_reason = CASE WHEN offboard_reason IS NULL THEN NULL ELSE $2 END
            WHERE member_id = $1`,
          [event.data['memberId'], REDACTED],
        );
      }
    }
  },
});

async function applyAmbassadorEvent(event: StoredEvent & AmbassadorEvent, client: pg.ClientBase, ctx: ProjectionContext): Promise<void> {
  const ambassadors = ctx.table(AMBASSADORS_TABLE);
  const enrolments = ctx.table(AMBASSADOR_ENROLMENTS.name);
  const at = event.metadata.occurredAt;
  if (event.type === 'AmbassadorNominated') {
    const d = event.data;
    // A new enrolment replaces the member's row; the earlier ones stay in the enrolments table.
    await client.query(
      `INSERT INTO ${ambassadors} (member_id, enrolment, department, status, nominated_by, motivation, nominated_at, revision, updated_at)
       VALUES ($1, $2, $3, 'NOMINATED', $4, $5, $6, $7, $8)
       ON CONFLICT (member_id) DO UPDATE
         SET enrolment = EXCLUDED.enrolment, department = EXCLUDED.department, status = EXCLUDED.status,
             nominated_by = EXCLUDED.nominated_by, motivation = EXCLUDED.motivation, nominated_at = EXCLUDED.nominated_at,
             since = NULL, offboard_reason = NULL, revision = EXCLUDED.revision, updated_at = EXCLUDED.updated_at`,
      [d.memberId, d.enrolment, d.department, d.nominatedBy, d.motivation, d.nominatedAt, event.revision, at],
    );
    await client.query(
      `INSERT INTO ${enrolments} (member_id, enrolment, department, status, nominated_by, nominated_at)
       VALUES ($1, $2, $3, 'NOMINATED', $4, $5)`,
      [d.memberId, d.enrolment, d.department, d.nominatedBy, d.nominatedAt],
    );
    return;
  }
  const d = event.data;
  const change = statusChange(event);
  await client.query(
    `UPDATE ${ambassadors}
        SET status = $3, since = COALESCE(since, $4), offboard_reason = COALESCE($5, offboard_reason), revision = $6, updated_at = $7
      WHERE member_id = $1 AND enrolment = $2`,
    [d.memberId, d.enrolment, change.status, change.since, change.offboardReason, event.revision, at],
  );
  await client.query(
    `UPDATE ${enrolments} SET status = $3, since = COALESCE(since, $4), ended_at = COALESCE($5, ended_at)
      WHERE member_id = $1 AND enrolment = $2`,
    [d.memberId, d.enrolment, change.status, change.since, change.endedAt],
  );
}

interface StatusChange {
  readonly status: string;
  readonly since: string | null;
  readonly endedAt: string | null;
  readonly offboardReason: string | null;
}

function statusChange(event: Exclude<AmbassadorEvent, { type: 'AmbassadorNominated' }>): StatusChange {
  const unchanged = { since: null, endedAt: null, offboardReason: null };
  switch (event.type) {
    case 'AmbassadorApproved':
      return { ...unchanged, status: 'APPROVED' };
    case 'AmbassadorRejected':
      return { ...unchanged, status: 'REJECTED', endedAt: event.data.decidedAt };
    case 'AmbassadorActivated':
      return { ...unchanged, status: 'ACTIVE', since: event.data.decidedAt };
    case 'AmbassadorDeactivated':
      return { ...unchanged, status: 'INACTIVE' };
    case 'AmbassadorReactivated':
      return { ...unchanged, status: 'ACTIVE' };
    case 'AmbassadorOffboarded':
      return { ...unchanged, status: 'OFFBOARDED', endedAt: event.data.decidedAt, offboardReason: event.data.reason };
    default:
      return unhandled(event);
  }
}

async function applyMemberEvent(event: StoredEvent & MemberEvent, client: pg.ClientBase, ctx: ProjectionContext): Promise<void> {
  const members = ctx.table(AMBASSADOR_MEMBERS.name);
  switch (event.type) {
    case 'MemberRegistered':
      await client.query(
        `INSERT INTO ${members} (member_id, department, active) VALUES ($1, $2, true) ON CONFLICT (member_id) DO NOTHING`,
        [event.data.memberId, event.data.department],
      );
      return;
    case 'MemberUpdated':
      if (event.data.department !== undefined) {
        await client.query(`UPDATE ${members} SET department = $2 WHERE member_id = $1`, [event.data.memberId, event.data.department]);
      }
      return;
    case 'MemberLeft':
      await client.query(`UPDATE ${members} SET active = false WHERE member_id = $1`, [event.data.memberId]);
      return;
    default:
      return unhandledMember(event);
  }
}

function unhandled(event: never): never {
  throw new Error(`unhandled ambassador event ${(event as { type?: unknown }).type}`);
}

function unhandledMember(event: never): void {
  void event;
}
