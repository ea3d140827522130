import { In, type DataSource, type SelectQueryBuilder } from 'typeorm';
import { READ_MODEL_SCHEMA } from '#projections';
import { keyCondition, keysetPage, type PageInfo, type PageRequest } from '../../../platform/graphql/pagination.ts';
import { decodeIdCursor, encodeIdCursor, requireListSize } from '../../../platform/shared/id-cursor.ts';
import { isId } from '../../../platform/shared/identifiers.ts';
import type { AmbassadorStatus } from '../ambassador.decider.ts';
import { AmbassadorEnrolmentRecord, AmbassadorRecord } from './ambassador.records.ts';
import { AMBASSADOR_MEMBERS_TABLE, AMBASSADORS_TABLE } from './ambassadors.projection.ts';

/** One enrolment of a member, as the history shows it. */
export interface AmbassadorEnrolmentView {
  readonly enrolment: number;
  readonly department: string;
  readonly status: AmbassadorStatus;
  readonly nominatedBy: string;
  readonly nominatedAt: Date;
  readonly since: Date | null;
  readonly endedAt: Date | null;
}

/** Shaped like the GraphQL `Ambassador`: the member's latest enrolment. */
export interface AmbassadorView {
  readonly memberId: string;
  readonly enrolment: number;
  readonly department: string;
  readonly status: AmbassadorStatus;
  readonly nominatedBy: string;
  /** Personal: only community managers and the nominee see it (see ambassadorForViewer). */
  readonly motivation: string | null;
  readonly nominatedAt: Date;
  /** When this enrolment first became ACTIVE. */
  readonly since: Date | null;
  /** Personal, like the motivation. */
  readonly offboardReason: string | null;
  /** The revision of the member's ambassador stream: what `expectedRevision` compares with. */
  readonly revision: number;
  /** Every enrolment, oldest first, the current one last. */
  readonly history: AmbassadorEnrolmentView[];
}

export interface DepartmentCoverageView {
  readonly department: string;
  readonly activeAmbassadors: number;
}

export interface ListAmbassadorsOptions {
  /** Any of these; every status when absent or empty. */
  readonly statuses?: readonly AmbassadorStatus[] | null;
  readonly department?: string | null;
  /** Forward after a cursor (an endCursor) or backward before one (a startCursor); the size up to MAX_AMBASSADORS_PAGE. */
  readonly page: PageRequest;
}

/** The page's nodes in member id order, where it sits (PageInfo's fields) and the total. */
export interface AmbassadorPage extends PageInfo {
  readonly nodes: AmbassadorView[];
  /** All ambassadors matching the filter, whatever the page. */
  readonly totalCount: number;
}

export const MAX_AMBASSADORS_PAGE = 500;

export async function findAmbassador(db: DataSource, memberId: string): Promise<AmbassadorView | null> {
  if (!isId(memberId)) return null;
  const record = await db.getRepository(AmbassadorRecord).findOneBy({ memberId });
  if (!record) return null;
  const [view] = await withHistory(db, [record]);
  return view ?? null;
}

/** By member id, keyset-paginated on it both ways: a page stays correct while members are nominated meanwhile. */
export async function listAmbassadors(db: DataSource, options: ListAmbassadorsOptions): Promise<AmbassadorPage> {
  const request = { ...options.page, size: requireListSize(options.page.size, MAX_AMBASSADORS_PAGE) };
  const filtered = () => applyFilter(db.getRepository(AmbassadorRecord).createQueryBuilder('a'), options);
  const page = await keysetPage(
    request,
    (record: AmbassadorRecord) => record.memberId,
    ({ bound, order, limit }) => {
      const query = filtered().orderBy('a.memberId', order).limit(limit);
      if (bound !== null) {
        const condition = keyCondition('a.memberId', bound);
        query.andWhere(condition.sql, condition.parameters);
      }
      return query.getMany();
    },
  );
  const totalCount = await filtered().getCount();
  return { nodes: await withHistory(db, page.rows), ...page.pageInfo, totalCount };
}

/**
 * ACTIVE ambassadors per department, by department name: every department of a current member of the directory
 * (with 0 where there is none) and every department an active ambassador represents. An ambassador who left the
 * community does not count, whatever their enrolment still says.
 */
export async function ambassadorCoverage(db: DataSource): Promise<DepartmentCoverageView[]> {
  const ambassadors = `${READ_MODEL_SCHEMA}.${AMBASSADORS_TABLE}`;
  const members = `${READ_MODEL_SCHEMA}.${AMBASSADOR_MEMBERS_TABLE}`;
  const rows = await db.query<{ department: string; active_ambassadors: number }[]>(`
    WITH active AS (
      SELECT a.department FROM ${ambassadors} a
       WHERE a.status = 'ACTIVE'
         AND NOT EXISTS (SELECT 1 FROM ${members} m WHERE m.member_id = a.member_id AND NOT m.active)
    ), departments AS (
      SELECT department FROM ${members} WHERE active
      UNION
      SELECT department FROM active
    )
    SELECT d.department, (SELECT count(*) FROM active WHERE active.department = d.department)::int AS active_ambassadors
      FROM departments d
     ORDER BY d.department COLLATE "C"`);
  return rows.map((row) => ({ department: row.department, activeAmbassadors: row.active_ambassadors }));
}

export const encodeAmbassadorCursor = encodeIdCursor;
export const decodeAmbassadorCursor = decodeIdCursor;

function applyFilter(query: SelectQueryBuilder<AmbassadorRecord>, options: ListAmbassadorsOptions): SelectQueryBuilder<AmbassadorRecord> {
  if (options.statuses && options.statuses.length > 0) query.andWhere('a.status IN (:...statuses)', { statuses: [...options.statuses] });
  if (options.department !== undefined && options.department !== null) {
    query.andWhere('a.department = :department', { department: options.department });
  }
  return query;
}

async function withHistory(db: DataSource, records: readonly AmbassadorRecord[]): Promise<AmbassadorView[]> {
  if (records.length === 0) return [];
  const enrolments = await db.getRepository(AmbassadorEnrolmentRecord).find({
    where: { memberId: In(records.map((record) => record.memberId)) },
    order: { memberId: 'ASC', enrolment: 'ASC' },
  });
  const byMember = new Map<string, AmbassadorEnrolmentView[]>();
  for (const enrolment of enrolments) {
    const list = byMember.get(enrolment.memberId) ?? [];
    list.push({
      enrolment: enrolment.enrolment,
      department: enrolment.department,
      status: enrolment.status,
      nominatedBy: enrolment.nominatedBy,
      nominatedAt: enrolment.nominatedAt,
      since: enrolment.since,
      endedAt: enrolment.endedAt,
    });
    byMember.set(enrolment.memberId, list);
  }
  return records.map((record) => ({
    memberId: record.memberId,
    enrolment: record.enrolment,
    department: record.department,
    status: record.status,
    nominatedBy: record.nominatedBy,
    motivation: record.motivation,
    nominatedAt: record.nominatedAt,
    since: record.since,
    offboardReason: record.offboardReason,
    revision: record.revision,
    history: byMember.get(record.memberId) ?? [],
  }));
}
