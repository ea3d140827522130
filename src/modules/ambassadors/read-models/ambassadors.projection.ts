import type pg from 'pg';
import { REDACTED, type StoredEvent } from '#event-store';
import type { ProjectionContext, ProjectionDefinition } from '#projections';
import { isMemberEvent, MEMBER_STREAM_CATEGORY, type MemberEvent } from '../../members/index.ts';
import { PRIVACY_STREAM_CATEGORY } from '../../privacy/index.ts';
import { sqlIn } from '../../../platform/shared/sql.ts';
import { AMBASSADOR_STATUSES, AMBASSADOR_STREAM_CATEGORY, isAmbassadorEvent, type AmbassadorEvent } from '../ambassador.decider.ts';

export const AMBASSADORS_PROJECTION = 'ambassadors';
export const AMBASSADORS_TABLE = 'ambassadors';
export const AMBASSADOR_ENROLMENTS_TABLE = 'ambassador_enrolments';
export const AMBASSADOR_MEMBERS_TABLE = 'ambassador_members';

/**
 * One row per member ever nominated (their latest enrolment), every enrolment for the history, and the member
 * directory as far as coverage needs it (department, still a member?), kept from the member events themselves so
 * that this module never reads the members module's tables. The motivation and the offboard reason are copies of
 * personal data: an erasure makes them "[redacted]" here as a rebuild would read them.
 */
export const ambassadorsProjection: ProjectionDefinition<StoredEvent> = {
  name: AMBASSADORS_PROJECTION,
  version: 1,
  tables: [AMBASSADORS_TABLE, AMBASSADOR_ENROLMENTS_TABLE, AMBASSADOR_MEMBERS_TABLE],
  filter: { categories: [AMBASSADOR_STREAM_CATEGORY, MEMBER_STREAM_CATEGORY, PRIVACY_STREAM_CATEGORY] },

  async setup(client, ctx) {
    const ambassadors = ctx.table(AMBASSADORS_TABLE);
    await client.query(`
      CREATE TABLE ${ambassadors} (
        member_id       text        PRIMARY KEY,
        enrolment       int         NOT NULL,
        department      text        NOT NULL,
        status          text        NOT NULL CHECK (status IN ${sqlIn(AMBASSADOR_STATUSES)}),
        nominated_by    text        NOT NULL,
        motivation      text,
        nominated_at    timestamptz NOT NULL,
        since           timestamptz,
        offboard_reason text,
        revision        int         NOT NULL,
        updated_at      timestamptz NOT NULL
      )`);
    // The list pages on member_id, within a status or a department; coverage counts the active ones per department.
    await client.query(`CREATE INDEX ON ${ambassadors} (status, member_id)`);
    await client.query(`CREATE INDEX ON ${ambassadors} (department, member_id)`);

    await client.query(`
      CREATE TABLE ${ctx.table(AMBASSADOR_ENROLMENTS_TABLE)} (
        member_id    text        NOT NULL,
        enrolment    int         NOT NULL,
        department   text        NOT NULL,
        status       text        NOT NULL,
        nominated_by text        NOT NULL,
        nominated_at timestamptz NOT NULL,
        since        timestamptz,
        ended_at     timestamptz,
        PRIMARY KEY (member_id, enrolment)
      )`);

    const members = ctx.table(AMBASSADOR_MEMBERS_TABLE);
    await client.query(`
      CREATE TABLE ${members} (
        member_id  text    PRIMARY KEY,
        department text    NOT NULL,
        active     boolean NOT NULL
      )`);
    await client.query(`CREATE INDEX ON ${members} (department) WHERE active`);
  },

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
};

async function applyAmbassadorEvent(event: StoredEvent & AmbassadorEvent, client: pg.ClientBase, ctx: ProjectionContext): Promise<void> {
  const ambassadors = ctx.table(AMBASSADORS_TABLE);
  const enrolments = ctx.table(AMBASSADOR_ENROLMENTS_TABLE);
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
  const members = ctx.table(AMBASSADOR_MEMBERS_TABLE);
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
