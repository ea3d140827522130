import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { EnrolledModule, EnrolmentStatus } from '../training-enrolment.decider.ts';
import type { TrainingModuleDefinition } from '../training-programme.decider.ts';

/** A row of the `read_models.training_programmes` view (the training projection's current generation). */
@Entity({ schema: 'read_models', name: 'training_programmes', synchronize: false })
export class TrainingProgrammeRecord {
  @PrimaryColumn({ name: 'programme_id', type: 'text' })
  programmeId!: string;

  @Column({ type: 'text' })
  title!: string;

  @Column({ type: 'jsonb' })
  modules!: TrainingModuleDefinition[];

  @Column({ name: 'defined_at', type: 'timestamptz' })
  definedAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  @Column({ type: 'int' })
  revision!: number;
}

/** A row of the `read_models.training_enrolments` view. */
@Entity({ schema: 'read_models', name: 'training_enrolments', synchronize: false })
export class TrainingEnrolmentRecord {
  @PrimaryColumn({ name: 'programme_id', type: 'text' })
  programmeId!: string;

  @PrimaryColumn({ name: 'member_id', type: 'text' })
  memberId!: string;

  @Column({ type: 'text' })
  status!: EnrolmentStatus;

  @Column({ name: 'programme_revision', type: 'int' })
  programmeRevision!: number;

  @Column({ type: 'jsonb' })
  modules!: EnrolledModule[];

  /** Module ids in completion order. */
  @Column({ name: 'completed_modules', type: 'jsonb' })
  completedModules!: string[];

  @Column({ name: 'enrolled_at', type: 'timestamptz' })
  enrolledAt!: Date;

  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true })
  completedAt!: Date | null;

  @Column({ name: 'ended_at', type: 'timestamptz', nullable: true })
  endedAt!: Date | null;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  @Column({ type: 'int' })
  revision!: number;
}
