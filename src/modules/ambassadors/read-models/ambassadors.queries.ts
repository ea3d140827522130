import { In, type DataSource, type SelectQueryBuilder } from 'typeorm';
import { READ_MODEL_SCHEMA } from '#projections';
import { keyCondition, keysetPage, type PageInfo, type PageRequest } from '../../../platform/graphql/pagination.ts';
import { decodeIdCursor, encodeIdCursor, requireListSize } from '../../../platform/shared/id-cursor.ts';
import { isId } from '../../../platform/shared/identifiers.ts';
import type { AmbassadorStatus } from '../ambassador.decider.ts';
import type { Ambassador, AmbassadorEnrolment, DepartmentCoverage } from '../ambassadors.graphql.ts';
import { AMBASSADOR_ENROLMENTS, AMBASSADOR_MEMBERS, AMBASSADORS, type AmbassadorRow } from './ambassadors.projection.ts';

/** An `Ambassador` as read: its node `id` is made from the member id by the field itself. */
export type AmbassadorAnswer = Omit<Ambassador, 'id'>;

export interface ListAmbassadorsOptions {
  /** Any of these; every status when absent or empty. */
  readonly statuses?: readonly AmbassadorStatus[] | null;
  readonly department?: string | null;
  /**
   * Set for a viewer who does not see every enrolment (ambassador-access.ts): only the public statuses, their own
   * enrolment and those they nominated are listed (and counted).
   */
  readonly viewer?: { readonly memberId: string; readonly publicStatuses: readonly AmbassadorStatus[] } | null;
  /** Forward after a cursor (an endCursor) or backward before one (a startCursor); the size up to MAX_AMBASSADORS_PAGE. */
  readonly page: PageRequest;
}

/** The page's nodes in member id order, where it sits (PageInfo's fields) and the total. */
export interface AmbassadorPage extends PageInfo {
  readonly nodes: AmbassadorAnswer[];
  /** All ambassadors matching the filter, whatever the page. */
  readonly totalCount: number;
}

export const MAX_AMBASSADORS_PAGE = 500;

export async function findAmbassador(db: DataSource, memberId: string): Promise<AmbassadorAnswer | null> {
  if (!isId(memberId)) return null;
  const record = await db.getRepository(AMBASSADORS.entity).findOneBy({ memberId });
  if (!record) return null;
  const [view] = await withHistory(db, [record]);
  return view ?? null;
}

/** By member id, keyset-paginated on it both ways: a page stays correct while members are nominated meanwhile. */
export async function listAmbassadors(db: DataSource, options: ListAmbassadorsOptions): Promise<AmbassadorPage> {
  const request = { ...options.page, size: requireListSize(options.page.size, MAX_AMBASSADORS_PAGE) };
  const filtered = () => applyFilter(db.getRepository(AMBASSADORS.entity).createQueryBuilder('a'), options);
  const page = await keysetPage(
    request,
    (record: AmbassadorRow) => record.memberId,
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
export async function ambassadorCoverage(db: DataSource): Promise<DepartmentCoverage[]> {
  const ambassadors = `${READ_MODEL_SCHEMA}.${AMBASSADORS.name}`;
  const members = `${READ_MODEL_SCHEMA}.${AMBASSADOR_MEMBERS.name}`;
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

function applyFilter(query: SelectQueryBuilder<AmbassadorRow>, options: ListAmbassadorsOptions): SelectQueryBuilder<AmbassadorRow> {
  if (options.statuses && options.statuses.length > 0) query.andWhere('a.status IN (:...statuses)', { statuses: [...options.statuses] });
  if (options.department !== undefined && options.department !== null) {
    query.andWhere('a.department = :department', { department: options.department });
  }
  if (options.viewer) {
    query.andWhere('(a.status IN (:...publicStatuses) OR a.memberId = :viewer OR a.nominatedBy = :viewer)', {
      publicStatuses: [...options.viewer.publicStatuses],
      viewer: options.viewer.memberId,
    });
  }
  return query;
}

async function withHistory(db: DataSource, records: readonly AmbassadorRow[]): Promise<AmbassadorAnswer[]> {
  if (records.length === 0) return [];
  const enrolments = await db.getRepository(AMBASSADOR_ENROLMENTS.entity).find({
    where: { memberId: In(records.map((record) => record.memberId)) },
    order: { memberId: 'ASC', enrolment: 'ASC' },
  });
  const byMember = new Map<string, AmbassadorEnrolment[]>();
  for (const enrolment of enrolments) {
    const list = byMember.get(enrolment.memberId) ?? [];
    list.push({
      enrolment: enrolment.enrolment,
      department: enrolment.department,
      // The projection writes the decider's statuses only (this table has no CHECK on them: version 1 was made without).
      status: enrolment.status as AmbassadorStatus,
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
