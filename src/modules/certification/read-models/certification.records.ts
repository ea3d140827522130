import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { RecordStatus } from '../certification.decider.ts';

/** A row of the `read_models.certification_levels` view (the certification projection's current generation). */
@Entity({ schema: 'read_models', name: 'certification_levels', synchronize: false })
export class CertificationLevelRecord {
  @PrimaryColumn({ type: 'int' })
  level!: number;

  @Column({ type: 'text' })
  name!: string;

  @Column({ name: 'required_programmes', type: 'jsonb' })
  requiredProgrammes!: string[];

  @Column({ name: 'validity_months', type: 'int' })
  validityMonths!: number;

  /** The revision of the level's stream. */
  @Column({ type: 'int' })
  revision!: number;

  @Column({ name: 'defined_at', type: 'timestamptz' })
  definedAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

/** A row of the `read_models.certifications` view: a member's current (latest) award. */
@Entity({ schema: 'read_models', name: 'certifications', synchronize: false })
export class MemberCertificationRecord {
  @PrimaryColumn({ name: 'member_id', type: 'text' })
  memberId!: string;

  @Column({ name: 'record_id', type: 'text' })
  recordId!: string;

  @Column({ type: 'int' })
  level!: number;

  /** As recorded by events: a live status until the scheduler records the expiry, even once expires_at has passed. */
  @Column({ type: 'text' })
  status!: RecordStatus;

  @Column({ name: 'awarded_at', type: 'timestamptz' })
  awardedAt!: Date;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;

  /** The revision of the member's certification stream. */
  @Column({ type: 'int' })
  revision!: number;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

/** A row of the `read_models.certification_records` view: one award, current or ended. */
@Entity({ schema: 'read_models', name: 'certification_records', synchronize: false })
export class CertificationHistoryRecord {
  @PrimaryColumn({ name: 'record_id', type: 'text' })
  recordId!: string;

  @Column({ name: 'member_id', type: 'text' })
  memberId!: string;

  @Column({ name: 'award_number', type: 'int' })
  awardNumber!: number;

  @Column({ type: 'int' })
  level!: number;

  @Column({ type: 'text' })
  status!: RecordStatus;

  @Column({ name: 'awarded_at', type: 'timestamptz' })
  awardedAt!: Date;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;

  @Column({ name: 'ended_at', type: 'timestamptz', nullable: true })
  endedAt!: Date | null;

  @Column({ type: 'text', nullable: true })
  reason!: string | null;

  @Column({ name: 'replaced_by_level', type: 'int', nullable: true })
  replacedByLevel!: number | null;
}
