import { In, type DataSource } from 'typeorm';
import { keyCondition, keysetPage, type PageInfo, type PageRequest } from '../../../platform/graphql/pagination.ts';
import { encodeIdCursor } from '../../../platform/shared/id-cursor.ts';
import { isId } from '../../../platform/shared/identifiers.ts';
import { LIVE_STATUSES, recordStatusAt, type CertificationStatus } from '../certification.decider.ts';
import type { Certification, CertificationLevel, CertificationRecord } from '../certification.graphql.ts';
import {
  CERTIFICATION_LEVELS,
  CERTIFICATION_RECORDS,
  CERTIFICATIONS,
  type CertificationHistoryRow,
  type CertificationLevelRow,
  type MemberCertificationRow,
} from './certification.projection.ts';

/**
 * A certification as the read model alone knows it: without what the member's training says (certificationView adds
 * it), nor the global id, which its NodeIdField computes when read.
 */
export type CertificationSummary = Omit<Certification, 'id' | 'nextLevel' | 'missingForNextLevel'>;

/** Every defined level, from 1 up. */
export async function listCertificationLevels(db: DataSource): Promise<Omit<CertificationLevel, 'id'>[]> {
  const records = await db.getRepository(CERTIFICATION_LEVELS.entity).find({ order: { level: 'ASC' } });
  return records.map(toLevel);
}

export async function findCertificationLevel(db: DataSource, level: number): Promise<Omit<CertificationLevel, 'id'> | null> {
  if (!Number.isSafeInteger(level)) return null;
  const record = await db.getRepository(CERTIFICATION_LEVELS.entity).findOneBy({ level });
  return record ? toLevel(record) : null;
}

/**
 * A member's certification as of `at`: always answers (NOT_CERTIFIED, no history, revision -1 for a member never
 * certified, or an id that cannot be one). A live award whose expiry has passed reads as EXPIRED even before the
 * scheduler has recorded it.
 */
export async function findCertification(db: DataSource, memberId: string, at: Date): Promise<CertificationSummary> {
  const none: CertificationSummary = { memberId, status: 'NOT_CERTIFIED', level: null, expiresAt: null, history: [], revision: -1 };
  if (!isId(memberId)) return none;
  const current = await db.getRepository(CERTIFICATIONS.entity).findOneBy({ memberId });
  if (!current) return none;
  const records = await db.getRepository(CERTIFICATION_RECORDS.entity).find({ where: { memberId }, order: { awardNumber: 'DESC' } });
  return {
    memberId,
    status: recordStatusAt({ status: current.status, expiresAt: current.expiresAt.toISOString(), replacedByLevel: null }, at),
    level: current.level,
    expiresAt: current.expiresAt,
    history: records.map((record) => toRecord(record, at)),
    revision: current.revision,
  };
}

/**
 * The certification status of each of `memberIds` at `at` (NOT_CERTIFIED for a member never certified), as the read
 * model has it: for many members at once (lists, the moderation queue). A decision about one member reads its stream
 * instead (readCertificationStatus).
 */
export async function certificationStatuses(
  db: DataSource,
  memberIds: readonly string[],
  at: Date = new Date(),
): Promise<Map<string, CertificationStatus>> {
  const statuses = new Map<string, CertificationStatus>(memberIds.map((memberId) => [memberId, 'NOT_CERTIFIED']));
  const ids = [...new Set(memberIds.filter(isId))];
  if (ids.length === 0) return statuses;
  const records = await db.getRepository(CERTIFICATIONS.entity).findBy({ memberId: In(ids) });
  for (const record of records) {
    statuses.set(
      record.memberId,
      recordStatusAt({ status: record.status, expiresAt: record.expiresAt.toISOString(), replacedByLevel: null }, at),
    );
  }
  return statuses;
}

export interface CertificationListFilter {
  /** Any of these, as of `at` (a live award past its expiry is EXPIRED); every status when absent or empty. */
  readonly statuses?: readonly CertificationStatus[] | null;
  /** The current award's level (also once it expired or was revoked). */
  readonly level?: number | null;
}

/** A page of members' certifications: their member ids in order, each with its cursor. */
export interface CertificationIdPage {
  readonly edges: { readonly cursor: string; readonly memberId: string }[];
  readonly pageInfo: PageInfo;
  readonly totalCount: number;
}

/**
 * The status a member's current award has at `:at`, in SQL: what recordStatusAt says of a current award (a live one
 * whose expiry has passed is EXPIRED even before the scheduler records it), so that the filter and the answer agree.
 */
const STATUS_AT = `(CASE WHEN c.status IN (${LIVE_STATUSES.map((status) => `'${status}'`).join(', ')}) AND c.expiresAt <= :at THEN 'EXPIRED' ELSE c.status END)`;

/**
 * The members ever certified whose current award matches the filter at `at`, by member id, both ways. Members never
 * certified are not in it (they have no certification to list), so NOT_CERTIFIED alone matches nothing.
 */
export async function listCertifiedMembers(
  db: DataSource,
  filter: CertificationListFilter,
  page: PageRequest,
  at: Date,
): Promise<CertificationIdPage> {
  const matching = () => {
    const query = db.getRepository(CERTIFICATIONS.entity).createQueryBuilder('c').setParameter('at', at);
    if (filter.statuses && filter.statuses.length > 0) query.andWhere(`${STATUS_AT} IN (:...statuses)`, { statuses: [...filter.statuses] });
    if (filter.level !== null && filter.level !== undefined) query.andWhere('c.level = :level', { level: filter.level });
    return query;
  };
  const listed = await keysetPage(
    page,
    (record: MemberCertificationRow) => record.memberId,
    ({ bound, order, limit }) => {
      const query = matching().orderBy('c.memberId', order).limit(limit);
      if (bound !== null) {
        const condition = keyCondition('c.memberId', bound);
        query.andWhere(condition.sql, condition.parameters);
      }
      return query.getMany();
    },
  );
  return {
    edges: listed.rows.map((record) => ({ cursor: encodeIdCursor(record.memberId), memberId: record.memberId })),
    pageInfo: listed.pageInfo,
    totalCount: await matching().getCount(),
  };
}

/** The level a certification holds while live (certified, due for renewal or suspended); null otherwise. */
export function liveLevel(certification: Pick<CertificationSummary, 'status' | 'level'>): number | null {
  return (LIVE_STATUSES as readonly string[]).includes(certification.status) ? certification.level : null;
}

/** The lowest defined level above `live` (above 0 when none is live); null when there is none. */
export function nextLevelAbove(levels: readonly Pick<CertificationLevel, 'level'>[], live: number | null): number | null {
  const above = levels.map((definition) => definition.level).filter((level) => level > (live ?? 0));
  return above.length === 0 ? null : Math.min(...above);
}

function toLevel(record: CertificationLevelRow): Omit<CertificationLevel, 'id'> {
  return {
    level: record.level,
    name: record.name,
    requiredProgrammes: record.requiredProgrammes,
    validityMonths: record.validityMonths,
    revision: record.revision,
  };
}

function toRecord(record: CertificationHistoryRow, at: Date): CertificationRecord {
  const status = recordStatusAt(
    { status: record.status, expiresAt: record.expiresAt.toISOString(), replacedByLevel: record.replacedByLevel },
    at,
  );
  return {
    id: record.recordId,
    level: record.level,
    status,
    awardedAt: record.awardedAt,
    expiresAt: record.expiresAt,
    // Expired by its date, not recorded yet: it ended at its expiry all the same.
    endedAt: status === 'EXPIRED' && record.endedAt === null ? record.expiresAt : record.endedAt,
    reason: record.reason,
    replacedByLevel: record.replacedByLevel,
  };
}
