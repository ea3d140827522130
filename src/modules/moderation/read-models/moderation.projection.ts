import type pg from 'pg';
import { REDACTED, type StoredEvent } from '#event-store';
import type { ProjectionContext } from '#projections';
import { columns, readModelProjection, readModelTable, type RowOf } from '../../../platform/infrastructure/read-model-table.ts';
import {
  CASE_STATUSES,
  CONTENT_STATUSES,
  isModerationCaseEvent,
  MODERATION_CASE_STREAM_CATEGORY,
  SANCTION_KINDS,
  SANCTION_STATES,
  type AppealOutcome,
  type FlagReason,
  type GuidelineReference,
  type ModerationCaseEvent,
  type ModerationOutcome,
} from '../moderation-case.decider.ts';
import { isModeratorNoteEvent, MODERATOR_NOTES_STREAM_CATEGORY, type ModeratorNoteEvent } from '../moderator-notes.decider.ts';
import { PRIVACY_STREAM_CATEGORY } from '../../privacy/index.ts';

export const MODERATION_PROJECTION = 'moderation';

/** One element of `moderation_cases.flags`, in the order the flags were raised. Dates as ISO text. */
export interface StoredFlag {
  readonly reporterId: string;
  readonly reason: FlagReason;
  readonly note: string | null;
  readonly flaggedAt: string;
}

/** `moderation_cases.decision`. */
export interface StoredDecision {
  readonly outcome: ModerationOutcome;
  readonly reason: string;
  readonly guideline: GuidelineReference | null;
  readonly decidedBy: string;
  readonly decidedAt: string;
}

/** `moderation_cases.appeal`: the last four are null until the appeal is decided. */
export interface StoredAppeal {
  readonly appellantId: string;
  readonly statement: string;
  readonly filedAt: string;
  readonly outcome: AppealOutcome | null;
  readonly reason: string | null;
  readonly decidedBy: string | null;
  readonly decidedAt: string | null;
}

/** The moderation queue: one row per case, its flags, decision and appeal as JSON. */
export const MODERATION_CASES = readModelTable(
  'moderation_cases',
  {
    caseId: columns.text().primary(),
    caseNumber: columns.int(),
    contentId: columns.text(),
    contentType: columns.text(),
    contentStatus: columns.text().oneOf(CONTENT_STATUSES),
    groupId: columns.text().nullable(),
    authorId: columns.text(),
    status: columns.text().oneOf(CASE_STATUSES),
    flags: columns.jsonb<StoredFlag[]>().default("'[]'"),
    assignedTo: columns.text().nullable(),
    decision: columns.jsonb<StoredDecision>().nullable(),
    sanctionId: columns.text().nullable(),
    appeal: columns.jsonb<StoredAppeal>().nullable(),
    openedAt: columns.timestamptz(),
    updatedAt: columns.timestamptz(),
    revision: columns.int(),
  },
  {
    // The latest case number of a content item; the queue's order (oldest first, keyset on both); its filters; an
    // erasure's look-ups of the member's flags and appeals (see erasureStatements).
    indexes: [
      '(content_id, case_number)',
      '(opened_at, case_id)',
      '(status)',
      '(group_id)',
      '(assigned_to)',
      'USING gin (flags jsonb_path_ops)',
      "((appeal->>'appellantId'))",
    ],
  },
);
export type ModerationCaseRow = RowOf<typeof MODERATION_CASES>;
export const MODERATION_CASES_TABLE = MODERATION_CASES.name;

/** The sanctions imposed by decisions, one row each. */
export const MODERATION_SANCTIONS = readModelTable(
  'moderation_sanctions',
  {
    sanctionId: columns.text().primary(),
    caseId: columns.text(),
    memberId: columns.text(),
    kind: columns.text().oneOf(SANCTION_KINDS),
    until: columns.timestamptz().nullable(),
    imposedAt: columns.timestamptz(),
    liftedAt: columns.timestamptz().nullable(),
    expiredAt: columns.timestamptz().nullable(),
    // As recorded by events: 'active' until lifted or expired, even once `until` has passed.
    state: columns.text().oneOf(SANCTION_STATES),
  },
  {
    // A member's standing; the sanctions the expiry scheduler has to look at.
    indexes: ['(member_id, imposed_at)', "(until) WHERE state = 'active' AND until IS NOT NULL"],
  },
);
export type SanctionRow = RowOf<typeof MODERATION_SANCTIONS>;
export const MODERATION_SANCTIONS_TABLE = MODERATION_SANCTIONS.name;

/** The moderators' notes about members, keyed by member then note. */
export const MODERATOR_NOTES = readModelTable('moderator_notes', {
  memberId: columns.text().primary(),
  noteId: columns.text().primary(),
  // Personal data of the member: "[redacted]" after an erasure.
  text: columns.text(),
  authorId: columns.text(),
  createdAt: columns.timestamptz(),
  retracted: columns.boolean().default('false'),
  retractedAt: columns.timestamptz().nullable(),
});
export type ModeratorNoteRow = RowOf<typeof MODERATOR_NOTES>;
export const MODERATOR_NOTES_TABLE = MODERATOR_NOTES.name;

/**
 * The moderation queue (one row per case, flags and decision as JSON), the sanctions imposed by decisions (one row
 * each, for a member's standing and the expiry scheduler) and the moderator notes about members. Flag notes, appeal
 * statements and note texts are copies of personal data: after an erasure a rebuild reads them as "[redacted]".
 */
export const moderationProjection = readModelProjection<StoredEvent>({
  name: MODERATION_PROJECTION,
  // 2: purges a member's personal text when their erasure completes. 3: a released case is back in the queue. 4: the
  // indexes an erasure's look-ups use.
  version: 4,
  tables: [MODERATION_CASES, MODERATION_SANCTIONS, MODERATOR_NOTES],
  filter: { categories: [MODERATION_CASE_STREAM_CATEGORY, MODERATOR_NOTES_STREAM_CATEGORY, PRIVACY_STREAM_CATEGORY] },

  async apply(events, client, ctx) {
    for (const event of events) {
      if (isModerationCaseEvent(event)) await applyCaseEvent(event as StoredEvent & ModerationCaseEvent, client, ctx);
      else if (isModeratorNoteEvent(event)) await applyNoteEvent(event as StoredEvent & ModeratorNoteEvent, client, ctx);
      else if (event.type === 'ErasureCompleted') await purgeMember(String(event.data['memberId']), client, ctx);
    }
  },
});

async function applyCaseEvent(event: StoredEvent & ModerationCaseEvent, client: pg.ClientBase, ctx: ProjectionContext): Promise<void> {
  const cases = ctx.table(MODERATION_CASES_TABLE);
  const sanctions = ctx.table(MODERATION_SANCTIONS_TABLE);
  const at = event.metadata.occurredAt;
  switch (event.type) {
    case 'ModerationCaseOpened': {
      const d = event.data;
      // Milliseconds, as the cursor of the queue carries them (a Date has no finer precision).
      await client.query(
        `INSERT INTO ${cases} (case_id, case_number, content_id, content_type, content_status, group_id, author_id, status,
                               flags, opened_at, updated_at, revision)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'OPEN', '[]', date_trunc('milliseconds', $8::timestamptz), $9, $10)`,
        [d.caseId, d.caseNumber, d.contentId, d.contentType, d.contentStatus, d.groupId, d.authorId, d.openedAt, at, event.revision],
      );
      return;
    }
    case 'ContentFlagged': {
      const d = event.data;
      const flag: StoredFlag = { reporterId: d.reporterId, reason: d.reason, note: d.note, flaggedAt: d.flaggedAt };
      // The decider adds one flag per reporter; a repeated one is ignored here too.
      await client.query(
        `UPDATE ${cases}
            SET flags = CASE WHEN flags @> jsonb_build_array(jsonb_build_object('reporterId', $2::text)) THEN flags
                             ELSE flags || jsonb_build_array($3::jsonb) END,
                revision = $4, updated_at = $5
          WHERE case_id = $1`,
        [d.caseId, d.reporterId, JSON.stringify(flag), event.revision, at],
      );
      return;
    }
    case 'ModerationCaseClaimed':
      await client.query(`UPDATE ${cases} SET status = 'IN_REVIEW', assigned_to = $2, revision = $3, updated_at = $4 WHERE case_id = $1`, [
        event.data.caseId,
        event.data.moderatorId,
        event.revision,
        at,
      ]);
      return;
    case 'ModerationCaseReleased':
      // The reverse of a claim: the case waits in the queue for anyone again.
      await client.query(`UPDATE ${cases} SET status = 'OPEN', assigned_to = NULL, revision = $2, updated_at = $3 WHERE case_id = $1`, [
        event.data.caseId,
        event.revision,
        at,
      ]);
      return;
    case 'ModerationCaseDecided': {
      const d = event.data;
      const decision: StoredDecision = {
        outcome: d.outcome,
        reason: d.reason,
        guideline: d.guideline,
        decidedBy: d.decidedBy,
        decidedAt: d.decidedAt,
      };
      await client.query(
        `UPDATE ${cases}
            SET status = 'DECIDED', assigned_to = COALESCE(assigned_to, $2), content_status = $3, decision = $4::jsonb,
                sanction_id = $5, revision = $6, updated_at = $7
          WHERE case_id = $1`,
        [d.caseId, d.decidedBy, d.contentStatus, JSON.stringify(decision), d.sanction?.sanctionId ?? null, event.revision, at],
      );
      if (d.sanction) {
        await client.query(
          `INSERT INTO ${sanctions} (sanction_id, case_id, member_id, kind, until, imposed_at, state)
           VALUES ($1, $2, $3, $4, $5, $6, 'active')`,
          [d.sanction.sanctionId, d.caseId, d.sanction.memberId, d.sanction.kind, d.sanction.until, d.decidedAt],
        );
      }
      return;
    }
    case 'AppealFiled': {
      const d = event.data;
      const appeal: StoredAppeal = {
        appellantId: d.appellantId,
        statement: d.statement,
        filedAt: d.filedAt,
        outcome: null,
        reason: null,
        decidedBy: null,
        decidedAt: null,
      };
      await client.query(`UPDATE ${cases} SET status = 'APPEALED', appeal = $2::jsonb, revision = $3, updated_at = $4 WHERE case_id = $1`, [
        d.caseId,
        JSON.stringify(appeal),
        event.revision,
        at,
      ]);
      return;
    }
    case 'AppealDecided': {
      const d = event.data;
      const decided: Pick<StoredAppeal, 'outcome' | 'reason' | 'decidedBy' | 'decidedAt'> = {
        outcome: d.outcome,
        reason: d.reason,
        decidedBy: d.decidedBy,
        decidedAt: d.decidedAt,
      };
      await client.query(
        `UPDATE ${cases}
            SET status = 'CLOSED', content_status = $2, appeal = appeal || $3::jsonb, revision = $4, updated_at = $5
          WHERE case_id = $1`,
        [d.caseId, d.contentStatus, JSON.stringify(decided), event.revision, at],
      );
      return;
    }
    case 'SanctionLifted':
      await client.query(`UPDATE ${sanctions} SET state = 'lifted', lifted_at = $2 WHERE sanction_id = $1`, [
        event.data.sanctionId,
        event.data.liftedAt,
      ]);
      await touchCase(client, cases, event.data.caseId, event.revision, at);
      return;
    case 'SanctionExpired':
      await client.query(`UPDATE ${sanctions} SET state = 'expired', expired_at = $2 WHERE sanction_id = $1`, [
        event.data.sanctionId,
        event.data.expiredAt,
      ]);
      await touchCase(client, cases, event.data.caseId, event.revision, at);
      return;
    default:
      return unhandled(event);
  }
}

async function touchCase(client: pg.ClientBase, cases: string, caseId: string, revision: number, at: string): Promise<void> {
  await client.query(`UPDATE ${cases} SET revision = $2, updated_at = $3 WHERE case_id = $1`, [caseId, revision, at]);
}

async function applyNoteEvent(event: StoredEvent & ModeratorNoteEvent, client: pg.ClientBase, ctx: ProjectionContext): Promise<void> {
  const notes = ctx.table(MODERATOR_NOTES_TABLE);
  switch (event.type) {
    case 'ModeratorNoteAdded': {
      const d = event.data;
      await client.query(
        `INSERT INTO ${notes} (member_id, note_id, text, author_id, created_at, retracted) VALUES ($1, $2, $3, $4, $5, false)`,
        [d.memberId, d.noteId, d.text, d.authorId, d.addedAt],
      );
      return;
    }
    case 'ModeratorNoteRetracted':
      await client.query(`UPDATE ${notes} SET retracted = true, retracted_at = $3 WHERE member_id = $1 AND note_id = $2`, [
        event.data.memberId,
        event.data.noteId,
        event.data.retractedAt,
      ]);
      return;
    default:
      return unhandled(event);
  }
}

function unhandled(event: never): void {
  void event;
}

/**
 * The statements an erasure runs, `$1` the member and `$2` "[redacted]": their flag notes, their appeal statements and
 * the notes about them. Each finds its rows through an index: as table scans, every erasure read every case, and a
 * rebuild, which applies every erasure of the log's history, grew with the square of the log (README: Capacity).
 */
export function erasureStatements(cases: string, notes: string): readonly string[] {
  return [
    `UPDATE ${cases}
        SET flags = (SELECT jsonb_agg(CASE WHEN f->>'reporterId' = $1 AND f->'note' <> 'null'::jsonb
                                           THEN jsonb_set(f, '{note}', to_jsonb($2::text)) ELSE f END ORDER BY n)
                       FROM jsonb_array_elements(flags) WITH ORDINALITY AS t(f, n))
      WHERE flags @> jsonb_build_array(jsonb_build_object('reporterId', $1::text))`,
    `UPDATE ${cases} SET appeal = jsonb_set(appeal, '{statement}', to_jsonb($2::text)) WHERE appeal->>'appellantId' = $1`,
    `UPDATE ${notes} SET text = $2 WHERE member_id = $1`,
  ];
}

/**
 * The member's words, wherever this read model copied them, become "[redacted]", exactly as a rebuild after the
 * erasure would read them from the events. Revisions stay: the streams did not change.
 */
async function purgeMember(memberId: string, client: pg.ClientBase, ctx: ProjectionContext): Promise<void> {
  for (const statement of erasureStatements(ctx.table(MODERATION_CASES_TABLE), ctx.table(MODERATOR_NOTES_TABLE))) {
    await client.query(statement, [memberId, REDACTED]);
  }
}
