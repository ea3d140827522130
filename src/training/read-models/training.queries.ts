import type { DataSource } from 'typeorm';
import { isId } from '../../shared/identifiers.ts';
import { remainingRequiredModules } from '../training-enrolment.decider.ts';
import { TrainingEnrolmentRecord, TrainingProgrammeRecord } from './training.records.ts';
import type { TrainingEnrolmentView, TrainingProgrammeView } from './training.views.ts';

/** Null for an unknown programme or a string that cannot be a programme id. */
export async function findTrainingProgramme(db: DataSource, programmeId: string): Promise<TrainingProgrammeView | null> {
  if (!isId(programmeId)) return null;
  const record = await db.getRepository(TrainingProgrammeRecord).findOneBy({ programmeId });
  if (!record) return null;
  return {
    id: record.programmeId,
    title: record.title,
    modules: record.modules.map(({ id, title, required, selfPaced }) => ({ id, title, required, selfPaced })),
    revision: record.revision,
  };
}

/** Null when the member is not enrolled in the programme (or either id cannot be one). */
export async function findTrainingEnrolment(db: DataSource, programmeId: string, memberId: string): Promise<TrainingEnrolmentView | null> {
  if (!isId(programmeId) || !isId(memberId)) return null;
  const record = await db.getRepository(TrainingEnrolmentRecord).findOneBy({ programmeId, memberId });
  if (!record) return null;
  return {
    memberId: record.memberId,
    programmeId: record.programmeId,
    status: record.status,
    programmeRevision: record.programmeRevision,
    completedModules: [...record.completedModules],
    remainingRequiredModules: remainingRequiredModules(record),
    enrolledAt: record.enrolledAt,
    completedAt: record.completedAt,
    revision: record.revision,
  };
}
