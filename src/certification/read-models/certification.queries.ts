import { In, type DataSource } from 'typeorm';
import { isId } from '../../shared/identifiers.ts';
import { LIVE_STATUSES, recordStatusAt, type CertificationStatus } from '../certification.decider.ts';
import { CertificationHistoryRecord, CertificationLevelRecord, MemberCertificationRecord } from './certification.records.ts';
import type { CertificationLevelView, CertificationRecordView, CertificationSummary } from './certification.views.ts';

/** Every defined level, from 1 up. */
export async function listCertificationLevels(db: DataSource): Promise<CertificationLevelView[]> {
  const records = await db.getRepository(CertificationLevelRecord).find({ order: { level: 'ASC' } });
  return records.map(toLevel);
}

export async function findCertificationLevel(db: DataSource, level: number): Promise<CertificationLevelView | null> {
  if (!Number.isSafeInteger(level)) return null;
  const record = await db.getRepository(CertificationLevelRecord).findOneBy({ level });
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
  const current = await db.getRepository(MemberCertificationRecord).findOneBy({ memberId });
  if (!current) return none;
  const records = await db.getRepository(CertificationHistoryRecord).find({ where: { memberId }, order: { awardNumber: 'DESC' } });
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
  const records = await db.getRepository(MemberCertificationRecord).findBy({ memberId: In(ids) });
  for (const record of records) {
    statuses.set(
      record.memberId,
      recordStatusAt({ status: record.status, expiresAt: record.expiresAt.toISOString(), replacedByLevel: null }, at),
    );
  }
  return statuses;
}

/** The level a certification holds while live (certified, due for renewal or suspended); null otherwise. */
export function liveLevel(certification: Pick<CertificationSummary, 'status' | 'level'>): number | null {
  return (LIVE_STATUSES as readonly string[]).includes(certification.status) ? certification.level : null;
}

/** The lowest defined level above `live` (above 0 when none is live); null when there is none. */
export function nextLevelAbove(levels: readonly Pick<CertificationLevelView, 'level'>[], live: number | null): number | null {
  const above = levels.map((definition) => definition.level).filter((level) => level > (live ?? 0));
  return above.length === 0 ? null : Math.min(...above);
}

function toLevel(record: CertificationLevelRecord): CertificationLevelView {
  return {
    level: record.level,
    name: record.name,
    requiredProgrammes: record.requiredProgrammes,
    validityMonths: record.validityMonths,
    revision: record.revision,
  };
}

function toRecord(record: CertificationHistoryRecord, at: Date): CertificationRecordView {
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
