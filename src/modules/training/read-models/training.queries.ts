import type { DataSource } from 'typeorm';
import { badInput } from '../../../platform/shared/domain-error.ts';
import {
  boundOperator,
  keyCondition,
  keysetPage,
  type CursorCodec,
  type PageInfo,
  type PageRequest,
} from '../../../platform/graphql/pagination.ts';
import { encodeIdCursor } from '../../../platform/shared/id-cursor.ts';
import { isId } from '../../../platform/shared/identifiers.ts';
import { remainingRequiredModules, type EnrolmentStatus } from '../training-enrolment.decider.ts';
import type { TrainingEnrolmentType, TrainingModuleType, TrainingProgrammeType } from '../training.graphql.ts';
import { TRAINING_ENROLMENTS, TRAINING_PROGRAMMES, type TrainingEnrolmentRow, type TrainingProgrammeRow } from './training.projection.ts';

// The GraphQL types as the queries answer them: without the global ids, which their NodeIdField computes when read.
export type TrainingProgramme = Omit<TrainingProgrammeType, 'modules'> & { readonly modules: Omit<TrainingModuleType, 'id'>[] };
export type TrainingEnrolment = Omit<TrainingEnrolmentType, 'id'>;

/** Null for an unknown programme or a string that cannot be a programme id. */
export async function findTrainingProgramme(db: DataSource, programmeId: string): Promise<TrainingProgramme | null> {
  if (!isId(programmeId)) return null;
  const record = await db.getRepository(TRAINING_PROGRAMMES.entity).findOneBy({ programmeId });
  return record ? toProgramme(record) : null;
}

/**
 * A page of a list as its Relay connection has it: the nodes in the list's order, each with its cursor, where the page
 * sits, and how many the whole list (with its filter) holds.
 */
export interface ListPage<Node> {
  readonly edges: { readonly cursor: string; readonly node: Node }[];
  readonly pageInfo: PageInfo;
  readonly totalCount: number;
}

/** Every programme, by programme id, both ways (keyset on the id: a page stays right while programmes are defined). */
export async function listTrainingProgrammes(db: DataSource, page: PageRequest): Promise<ListPage<TrainingProgramme>> {
  const all = () => db.getRepository(TRAINING_PROGRAMMES.entity).createQueryBuilder('p');
  const listed = await keysetPage(
    page,
    (record: TrainingProgrammeRow) => record.programmeId,
    ({ bound, order, limit }) => {
      const query = all().orderBy('p.programmeId', order).limit(limit);
      if (bound !== null) {
        const condition = keyCondition('p.programmeId', bound);
        query.andWhere(condition.sql, condition.parameters);
      }
      return query.getMany();
    },
  );
  return {
    edges: listed.rows.map((record) => ({ cursor: encodeIdCursor(record.programmeId), node: toProgramme(record) })),
    pageInfo: listed.pageInfo,
    totalCount: await all().getCount(),
  };
}

export interface TrainingEnrolmentFilter {
  readonly programmeId?: string | null;
  readonly memberId?: string | null;
  /** Any of these; every status when absent or empty. */
  readonly statuses?: readonly EnrolmentStatus[] | null;
}

/** An enrolment's place in lists: by programme, then member. */
type EnrolmentKey = readonly [programmeId: string, memberId: string];

/**
 * The cursor of an enrolment: its two ids as base64url JSON. Two ids together can be longer than one id (an id
 * cursor), and no separator is safe inside ids, hence a pair. Only the canonical form of a pair of ids is one.
 */
export const ENROLMENT_CURSORS: CursorCodec<EnrolmentKey> = {
  encode: (key) => Buffer.from(JSON.stringify(key), 'utf8').toString('base64url'),
  decode(cursor, field) {
    const invalid = () => badInput(`${field} is not a valid cursor`, { field });
    if (typeof cursor !== 'string' || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalid();
    let key: unknown;
    try {
      key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    } catch {
      throw invalid();
    }
    if (!Array.isArray(key) || key.length !== 2 || !isId(key[0]) || !isId(key[1])) throw invalid();
    const pair: EnrolmentKey = [key[0], key[1]];
    if (ENROLMENT_CURSORS.encode(pair) !== cursor) throw invalid();
    return pair;
  },
};

/** Enrolments matching the filter, by programme id then member id, both ways. An id that cannot be one matches nothing. */
export async function listTrainingEnrolments(
  db: DataSource,
  filter: TrainingEnrolmentFilter,
  page: PageRequest,
): Promise<ListPage<TrainingEnrolment>> {
  const matching = () => {
    const query = db.getRepository(TRAINING_ENROLMENTS.entity).createQueryBuilder('e');
    const { programmeId, memberId, statuses } = filter;
    if (programmeId !== null && programmeId !== undefined) query.andWhere('e.programmeId = :programmeId', { programmeId });
    if (memberId !== null && memberId !== undefined) query.andWhere('e.memberId = :memberId', { memberId });
    if (statuses && statuses.length > 0) query.andWhere('e.status IN (:...statuses)', { statuses: [...statuses] });
    return query;
  };
  const listed = await keysetPage(
    page,
    (record: TrainingEnrolmentRow): EnrolmentKey => [record.programmeId, record.memberId],
    ({ bound, order, limit }) => {
      const query = matching().orderBy('e.programmeId', order).addOrderBy('e.memberId', order).limit(limit);
      if (bound !== null) {
        query.andWhere(`(e.programmeId, e.memberId) ${boundOperator(bound)} (:cursorProgrammeId, :cursorMemberId)`, {
          cursorProgrammeId: bound.key[0],
          cursorMemberId: bound.key[1],
        });
      }
      return query.getMany();
    },
    ENROLMENT_CURSORS,
  );
  return {
    edges: listed.rows.map((record) => ({
      cursor: ENROLMENT_CURSORS.encode([record.programmeId, record.memberId]),
      node: toEnrolment(record),
    })),
    pageInfo: listed.pageInfo,
    totalCount: await matching().getCount(),
  };
}

function toProgramme(record: TrainingProgrammeRow): TrainingProgramme {
  return {
    id: record.programmeId,
    title: record.title,
    modules: record.modules.map(({ id, title, required, selfPaced }) => ({
      moduleId: id,
      programmeId: record.programmeId,
      // The definition the modules come from: the latest, whose revision is the programme's.
      programmeRevision: record.revision,
      title,
      required,
      selfPaced,
    })),
    revision: record.revision,
  };
}

/** Null when the member is not enrolled in the programme (or either id cannot be one). */
export async function findTrainingEnrolment(db: DataSource, programmeId: string, memberId: string): Promise<TrainingEnrolment | null> {
  if (!isId(programmeId) || !isId(memberId)) return null;
  const record = await db.getRepository(TRAINING_ENROLMENTS.entity).findOneBy({ programmeId, memberId });
  return record ? toEnrolment(record) : null;
}

function toEnrolment(record: TrainingEnrolmentRow): TrainingEnrolment {
  return {
    memberId: record.memberId,
    programmeId: record.programmeId,
    status: record.status,
    programmeRevision: record.programmeRevision,
    completedModules: [...record.completedModules],
    remainingRequiredModules: remainingRequiredModules(record),
    enrolledAt: record.enrolledAt,
    completedAt: record.completedAt,
    endedAt: record.endedAt,
    revision: record.revision,
  };
}
