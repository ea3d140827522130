import { DataSource } from 'typeorm';
import {
  AgreementAcceptanceRecord,
  AgreementMemberRecord,
  AgreementRecord,
  AgreementVersionRecord,
} from '../agreements/read-models/agreement.records.ts';
import { AmbassadorEnrolmentRecord, AmbassadorMemberRecord, AmbassadorRecord } from '../ambassadors/read-models/ambassador.records.ts';
import {
  CertificationHistoryRecord,
  CertificationLevelRecord,
  MemberCertificationRecord,
} from '../certification/read-models/certification.records.ts';
import { GroupRecord } from '../groups/read-models/group.record.ts';
import { MemberRecord } from '../members/read-models/member.record.ts';
import { ModerationCaseRecord } from '../moderation/read-models/moderation-case.record.ts';
import { ModeratorNoteRecord } from '../moderation/read-models/moderator-note.record.ts';
import { SanctionRecord } from '../moderation/read-models/sanction.record.ts';
import { TrainingEnrolmentRecord, TrainingProgrammeRecord } from '../training/read-models/training.records.ts';

/** Every read-model entity: TypeORM maps them onto the stable `read_models` views the projection runner swaps. */
export const READ_MODEL_ENTITIES = [
  MemberRecord,
  GroupRecord,
  ModerationCaseRecord,
  SanctionRecord,
  ModeratorNoteRecord,
  TrainingProgrammeRecord,
  TrainingEnrolmentRecord,
  CertificationLevelRecord,
  MemberCertificationRecord,
  CertificationHistoryRecord,
  AmbassadorRecord,
  AmbassadorEnrolmentRecord,
  AmbassadorMemberRecord,
  AgreementRecord,
  AgreementVersionRecord,
  AgreementAcceptanceRecord,
  AgreementMemberRecord,
];

/**
 * Read side through TypeORM. Projections own the tables (created and migrated by the projection runner, written
 * in its checkpoint transaction), so TypeORM never synchronises or migrates anything here.
 */
export async function createReadModelDataSource(databaseUrl: string, poolSize = 10): Promise<DataSource> {
  const dataSource = new DataSource({
    type: 'postgres',
    url: databaseUrl,
    entities: READ_MODEL_ENTITIES,
    synchronize: false,
    migrationsRun: false,
    poolSize,
    logging: false,
  });
  return dataSource.initialize();
}
