import { In, type DataSource, type SelectQueryBuilder } from 'typeorm';
import { badInput } from '../../../platform/shared/domain-error.ts';
import { boundOperator, keysetPage, type CursorCodec, type PageRequest } from '../../../platform/graphql/pagination.ts';
import { requireListSize } from '../../../platform/shared/id-cursor.ts';
import { isId } from '../../../platform/shared/identifiers.ts';
import { ModerationCaseRecord, type StoredAppeal, type StoredDecision, type StoredFlag } from './moderation-case.record.ts';
import { ModeratorNoteRecord } from './moderator-note.record.ts';
import { SanctionRecord } from './sanction.record.ts';
import type {
  AppealView,
  DecisionView,
  FlagView,
  MemberStandingView,
  ModerationCaseView,
  ModerationCasePage,
  ModerationQueueFilter,
  ModeratorNoteView,
  SanctionView,
} from './moderation.views.ts';

export interface ListModerationCasesOptions {
  readonly filter: ModerationQueueFilter;
  /**
   * Forward after a cursor (an endCursor, or the cursor of any edge) or backward before one (a startCursor); the size
   * up to MAX_MODERATION_CASES_PAGE.
   */
  readonly page: PageRequest;
}

export const MAX_MODERATION_CASES_PAGE = 500;

/** Null for an unknown case or a string that cannot be a case id. The sanction's `active` is as of now. */
export async function findModerationCase(db: DataSource, caseId: string): Promise<ModerationCaseView | null> {
  if (!isId(caseId)) return null;
  const record = await db.getRepository(ModerationCaseRecord).findOneBy({ caseId });
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

  const filtered = () => applyQueueFilter(db.getRepository(ModerationCaseRecord).createQueryBuilder('c'), filter);
  const page = await keysetPage(
    request,
    (record: ModerationCaseRecord): CaseCursor => ({ openedAt: record.openedAt, caseId: record.caseId }),
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
    .getRepository(ModerationCaseRecord)
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
      ? isId(entry.sanctionId) && (await db.getRepository(SanctionRecord).findOneBy({ sanctionId: entry.sanctionId }))
      : isId(entry.noteId) && (await db.getRepository(ModeratorNoteRecord).findOneBy({ noteId: entry.noteId }));
  return record ? record.memberId : null;
}

/** Always answers: an unknown member has a clean standing. Sanctions and notes newest first. */
export async function findMemberStanding(db: DataSource, memberId: string, now: Date): Promise<MemberStandingView> {
  if (!isId(memberId)) return { memberId, suspended: false, activeSanctions: [], sanctionHistory: [], notes: [] };
  const sanctionRecords = await db.getRepository(SanctionRecord).find({
    where: { memberId },
    order: { imposedAt: 'DESC', sanctionId: 'DESC' },
  });
  const noteRecords = await db.getRepository(ModeratorNoteRecord).find({
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
export function moderationCaseCursor(node: Pick<ModerationCaseView, 'id' | 'openedAt'>): string {
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
  query: SelectQueryBuilder<ModerationCaseRecord>,
  filter: ModerationQueueFilter,
): SelectQueryBuilder<ModerationCaseRecord> {
  if (filter.statuses && filter.statuses.length > 0) query.andWhere('c.status IN (:...statuses)', { statuses: [...filter.statuses] });
  if (filter.groupId !== undefined && filter.groupId !== null) query.andWhere('c.groupId = :groupId', { groupId: filter.groupId });
  if (filter.assignedTo !== undefined && filter.assignedTo !== null) {
    query.andWhere('c.assignedTo = :assignedTo', { assignedTo: filter.assignedTo });
  }
  if (filter.withinGroups) query.andWhere('c.groupId IN (:...withinGroups)', { withinGroups: [...filter.withinGroups] });
  return query;
}

/** The sanctions of these cases, by sanction id. */
async function sanctionsOf(db: DataSource, records: readonly ModerationCaseRecord[]): Promise<Map<string, SanctionRecord>> {
  const ids = records.flatMap((record) => (record.sanctionId === null ? [] : [record.sanctionId]));
  if (ids.length === 0) return new Map();
  const sanctions = await db.getRepository(SanctionRecord).findBy({ sanctionId: In(ids) });
  return new Map(sanctions.map((sanction) => [sanction.sanctionId, sanction]));
}

function toCase(record: ModerationCaseRecord, sanctions: ReadonlyMap<string, SanctionRecord>, now: Date): ModerationCaseView {
  const sanction = record.sanctionId === null ? undefined : sanctions.get(record.sanctionId);
  return {
    id: record.caseId,
    caseNumber: record.caseNumber,
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

function toFlag(flag: StoredFlag): FlagView {
  return { reporterId: flag.reporterId, reason: flag.reason, note: flag.note, flaggedAt: new Date(flag.flaggedAt) };
}

function toDecision(decision: StoredDecision): DecisionView {
  return {
    outcome: decision.outcome,
    reason: decision.reason,
    guideline: decision.guideline,
    decidedBy: decision.decidedBy,
    decidedAt: new Date(decision.decidedAt),
  };
}

function toAppeal(appeal: StoredAppeal): AppealView {
  return {
    appellantId: appeal.appellantId,
    statement: appeal.statement,
    filedAt: new Date(appeal.filedAt),
    outcome: appeal.outcome,
    reason: appeal.reason,
    decidedBy: appeal.decidedBy,
    decidedAt: appeal.decidedAt === null ? null : new Date(appeal.decidedAt),
  };
}

/** Active: neither lifted nor expired by an event, and `until` (if any) still ahead of `now`. */
function toSanction(record: SanctionRecord, now: Date): SanctionView {
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

function toNote(record: ModeratorNoteRecord): ModeratorNoteView {
  return {
    id: record.noteId,
    memberId: record.memberId,
    text: record.text,
    authorId: record.authorId,
    createdAt: record.createdAt,
    retracted: record.retracted,
  };
}
