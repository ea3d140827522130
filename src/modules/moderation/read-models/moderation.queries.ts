import { In, type DataSource, type SelectQueryBuilder } from 'typeorm';
import { badInput } from '../../../platform/shared/domain-error.ts';
import { boundOperator, keysetPage, type CursorCodec, type PageInfo, type PageRequest } from '../../../platform/graphql/pagination.ts';
import { requireListSize } from '../../../platform/shared/id-cursor.ts';
import { isId } from '../../../platform/shared/identifiers.ts';
import { sqlIn } from '../../../platform/shared/sql.ts';
import type { CaseStatus } from '../moderation-case.decider.ts';
import type { Appeal, Flag, MemberStanding, ModerationCase, ModerationDecision, ModeratorNote, Sanction } from '../moderation.graphql.ts';
import {
  MODERATION_CASES,
  MODERATION_CASES_TABLE,
  MODERATION_SANCTIONS,
  MODERATOR_NOTES,
  type ModerationCaseRow,
  type ModeratorNoteRow,
  type SanctionRow,
  type StoredAppeal,
  type StoredDecision,
  type StoredFlag,
} from './moderation.projection.ts';

/** What the queue is narrowed to: the GraphQL filter once checked, and the groups an owner may see. */
export interface ModerationQueueFilter {
  /** Any of these; all statuses when absent or empty. */
  readonly statuses?: readonly CaseStatus[] | null;
  readonly groupId?: string | null;
  readonly assignedTo?: string | null;
  /** Only cases of these groups (what a group owner may see); no restriction when absent. */
  readonly withinGroups?: readonly string[] | null;
}

/** The page's cases oldest first, where it sits (PageInfo's fields) and the total. */
export interface ModerationCasePage extends PageInfo {
  readonly nodes: ModerationCase[];
  /** All cases matching the filter, whatever the page. */
  readonly totalCount: number;
}

export interface ListModerationCasesOptions {
  readonly filter: ModerationQueueFilter;
  /**
   * Forward after a cursor (an endCursor, or the cursor of any edge) or backward before one (a startCursor); the size
   * up to MAX_MODERATION_CASES_PAGE.
   */
  readonly page: PageRequest;
}

export const MAX_MODERATION_CASES_PAGE = 500;

/** A case waiting for someone: a moderator (OPEN, IN_REVIEW) or an appeal decision (APPEALED). */
const WAITING_STATUSES = ['OPEN', 'IN_REVIEW', 'APPEALED'] as const satisfies readonly CaseStatus[];

export interface WaitingModerationCase {
  readonly status: (typeof WAITING_STATUSES)[number];
  /** Its first flag (as the insights module counts a case's age; the opening without flags), or the appeal's filing. */
  readonly waitingSince: Date;
}

/**
 * Every case waiting for someone, with only its status and since when: the community managers' digest counts them
 * (the notifications module), and needs nothing that names a member or a piece of content.
 */
export async function waitingModerationCases(db: DataSource): Promise<WaitingModerationCase[]> {
  const rows = (await db.query(
    `SELECT status,
            CASE WHEN status = 'APPEALED' THEN (appeal->>'filedAt')::timestamptz
                 ELSE COALESCE((SELECT min((f->>'flaggedAt')::timestamptz) FROM jsonb_array_elements(flags) f), opened_at) END AS waiting_since
       FROM read_models.${MODERATION_CASES_TABLE}
      WHERE status IN ${sqlIn(WAITING_STATUSES)}`,
  )) as { status: WaitingModerationCase['status']; waiting_since: Date }[];
  return rows.map((row) => ({ status: row.status, waitingSince: new Date(row.waiting_since) }));
}

/** Null for an unknown case or a string that cannot be a case id. The sanction's `active` is as of now. */
export async function findModerationCase(db: DataSource, caseId: string): Promise<ModerationCase | null> {
  if (!isId(caseId)) return null;
  const record = await db.getRepository(MODERATION_CASES.entity).findOneBy({ caseId });
  if (!record) return null;
  const sanctions = await sanctionsOf(db, [record]);
  return toCase(record, sanctions, new Date());
}

/**
 * The moderation queue, oldest first by (opened_at, case_id), keyset-paginated on both, both ways: a case opened while
 * someone pages sorts after the ones already seen (or before the cursor), so a page never repeats or skips a case.
 */
export async function listModerationCases(db: DataSource, options: ListModerationCasesOptions): Promise<ModerationCasePage> {
  const request = { ...options.page, size: requireListSize(options.page.size, MAX_MODERATION_CASES_PAGE) };
  const filter = options.filter;
  if (filter.withinGroups && filter.withinGroups.length === 0) {
    // Nothing to list, but a cursor that is not one is still refused, as on any other queue.
    if (request.cursor !== null) CASE_CURSORS.decode(request.cursor, request.direction === 'forward' ? 'after' : 'before');
    return { nodes: [], hasNextPage: false, endCursor: null, hasPreviousPage: false, startCursor: null, totalCount: 0 };
  }

  const filtered = () => applyQueueFilter(db.getRepository(MODERATION_CASES.entity).createQueryBuilder('c'), filter);
  const page = await keysetPage(
    request,
    (record: ModerationCaseRow): CaseCursor => ({ openedAt: record.openedAt, caseId: record.caseId }),
    ({ bound, order, limit }) => {
      const query = filtered().orderBy('c.openedAt', order).addOrderBy('c.caseId', order).limit(limit);
      if (bound !== null) {
        query.andWhere(`(c.openedAt, c.caseId) ${boundOperator(bound)} (CAST(:cursorOpenedAt AS timestamptz), :cursorCaseId)`, {
          cursorOpenedAt: bound.key.openedAt.toISOString(),
          cursorCaseId: bound.key.caseId,
        });
      }
      return query.getMany();
    },
    CASE_CURSORS,
  );
  const totalCount = await filtered().getCount();
  const sanctions = await sanctionsOf(db, page.rows);
  const now = new Date();
  return { nodes: page.rows.map((record) => toCase(record, sanctions, now)), ...page.pageInfo, totalCount };
}

/** The highest case number about a content item; 0 when it was never reported. */
export async function latestCaseNumber(db: DataSource, contentId: string): Promise<number> {
  if (!isId(contentId)) return 0;
  const row = await db
    .getRepository(MODERATION_CASES.entity)
    .createQueryBuilder('c')
    .select('MAX(c.caseNumber)', 'latest')
    .where('c.contentId = :contentId', { contentId })
    .getRawOne<{ latest: number | null }>();
  return row?.latest ?? 0;
}

/** The member a sanction or a moderator note is about (whose standing it is part of); null when there is none. */
export async function memberOfStandingEntry(db: DataSource, entry: { sanctionId: string } | { noteId: string }): Promise<string | null> {
  const record =
    'sanctionId' in entry
      ? isId(entry.sanctionId) && (await db.getRepository(MODERATION_SANCTIONS.entity).findOneBy({ sanctionId: entry.sanctionId }))
      : isId(entry.noteId) && (await db.getRepository(MODERATOR_NOTES.entity).findOneBy({ noteId: entry.noteId }));
  return record ? record.memberId : null;
}

/** Always answers: an unknown member has a clean standing. Sanctions and notes newest first. (Its `id` is the node id.) */
export async function findMemberStanding(db: DataSource, memberId: string, now: Date): Promise<Omit<MemberStanding, 'id'>> {
  if (!isId(memberId)) return { memberId, suspended: false, activeSanctions: [], sanctionHistory: [], notes: [] };
  const sanctionRecords = await db.getRepository(MODERATION_SANCTIONS.entity).find({
    where: { memberId },
    order: { imposedAt: 'DESC', sanctionId: 'DESC' },
  });
  const noteRecords = await db.getRepository(MODERATOR_NOTES.entity).find({
    where: { memberId },
    order: { createdAt: 'DESC', noteId: 'DESC' },
  });
  const sanctionHistory = sanctionRecords.map((record) => toSanction(record, now));
  const activeSanctions = sanctionHistory.filter((sanction) => sanction.active);
  return {
    memberId,
    suspended: activeSanctions.some((sanction) => sanction.kind === 'SUSPENSION'),
    activeSanctions,
    sanctionHistory,
    notes: noteRecords.map(toNote),
  };
}

/** The cursor of a case's edge in the queue. */
export function moderationCaseCursor(node: Pick<ModerationCase, 'id' | 'openedAt'>): string {
  return encodeCaseCursor({ openedAt: node.openedAt, caseId: node.id });
}

export interface CaseCursor {
  readonly openedAt: Date;
  readonly caseId: string;
}

/** Opaque to clients: base64url of `[openedAt ISO, caseId]`. */
export function encodeCaseCursor(cursor: CaseCursor): string {
  return Buffer.from(JSON.stringify([cursor.openedAt.toISOString(), cursor.caseId]), 'utf8').toString('base64url');
}

/** The position behind a cursor from encodeCaseCursor; anything else is BAD_USER_INPUT on `field` (after or before). */
export function decodeCaseCursor(cursor: string, field: 'after' | 'before' = 'after'): CaseCursor {
  const invalid = () => badInput(`${field} is not a valid cursor`, { field });
  if (typeof cursor !== 'string' || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalid();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (!Array.isArray(parsed) || parsed.length !== 2) throw invalid();
  const [openedAt, caseId] = parsed as unknown[];
  if (typeof openedAt !== 'string' || !isId(caseId)) throw invalid();
  const date = new Date(openedAt);
  if (Number.isNaN(date.getTime())) throw invalid();
  const decoded = { openedAt: date, caseId };
  // Only the canonical encoding is a cursor this module gave out.
  if (encodeCaseCursor(decoded) !== cursor) throw invalid();
  return decoded;
}

const CASE_CURSORS: CursorCodec<CaseCursor> = { encode: encodeCaseCursor, decode: decodeCaseCursor };

function applyQueueFilter(
  query: SelectQueryBuilder<ModerationCaseRow>,
  filter: ModerationQueueFilter,
): SelectQueryBuilder<ModerationCaseRow> {
  if (filter.statuses && filter.statuses.length > 0) query.andWhere('c.status IN (:...statuses)', { statuses: [...filter.statuses] });
  if (filter.groupId !== undefined && filter.groupId !== null) query.andWhere('c.groupId = :groupId', { groupId: filter.groupId });
  if (filter.assignedTo !== undefined && filter.assignedTo !== null) {
    query.andWhere('c.assignedTo = :assignedTo', { assignedTo: filter.assignedTo });
  }
  if (filter.withinGroups) query.andWhere('c.groupId IN (:...withinGroups)', { withinGroups: [...filter.withinGroups] });
  return query;
}

/** The sanctions of these cases, by sanction id. */
async function sanctionsOf(db: DataSource, records: readonly ModerationCaseRow[]): Promise<Map<string, SanctionRow>> {
  const ids = records.flatMap((record) => (record.sanctionId === null ? [] : [record.sanctionId]));
  if (ids.length === 0) return new Map();
  const sanctions = await db.getRepository(MODERATION_SANCTIONS.entity).findBy({ sanctionId: In(ids) });
  return new Map(sanctions.map((sanction) => [sanction.sanctionId, sanction]));
}

function toCase(record: ModerationCaseRow, sanctions: ReadonlyMap<string, SanctionRow>, now: Date): ModerationCase {
  const sanction = record.sanctionId === null ? undefined : sanctions.get(record.sanctionId);
  return {
    id: record.caseId,
    contentId: record.contentId,
    contentType: record.contentType,
    contentStatus: record.contentStatus,
    groupId: record.groupId,
    authorId: record.authorId,
    status: record.status,
    flags: record.flags.map(toFlag),
    assignedTo: record.assignedTo,
    decision: record.decision === null ? null : toDecision(record.decision),
    sanction: sanction ? toSanction(sanction, now) : null,
    appeal: record.appeal === null ? null : toAppeal(record.appeal),
    openedAt: record.openedAt,
    revision: record.revision,
  };
}

function toFlag(flag: StoredFlag): Flag {
  return { reporterId: flag.reporterId, reason: flag.reason, note: flag.note, flaggedAt: new Date(flag.flaggedAt) };
}

function toDecision(decision: StoredDecision): ModerationDecision {
  return {
    outcome: decision.outcome,
    reason: decision.reason,
    guideline: decision.guideline,
    decidedBy: decision.decidedBy,
    decidedAt: new Date(decision.decidedAt),
  };
}

function toAppeal(appeal: StoredAppeal): Appeal {
  return {
    statement: appeal.statement,
    filedAt: new Date(appeal.filedAt),
    outcome: appeal.outcome,
    reason: appeal.reason,
    decidedBy: appeal.decidedBy,
    decidedAt: appeal.decidedAt === null ? null : new Date(appeal.decidedAt),
  };
}

/** Active: neither lifted nor expired by an event, and `until` (if any) still ahead of `now`. */
function toSanction(record: SanctionRow, now: Date): Sanction {
  return {
    id: record.sanctionId,
    memberId: record.memberId,
    caseId: record.caseId,
    kind: record.kind,
    until: record.until,
    imposedAt: record.imposedAt,
    liftedAt: record.liftedAt,
    expiredAt: record.expiredAt,
    active: record.state === 'active' && (record.until === null || record.until.getTime() > now.getTime()),
  };
}

function toNote(record: ModeratorNoteRow): ModeratorNote {
  return {
    id: record.noteId,
    memberId: record.memberId,
    text: record.text,
    authorId: record.authorId,
    createdAt: record.createdAt,
    retracted: record.retracted,
  };
}
