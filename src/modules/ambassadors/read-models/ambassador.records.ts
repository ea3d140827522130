import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { AmbassadorStatus } from '../ambassador.decider.ts';

/** A row of the `read_models.ambassadors` view: a member's latest enrolment (the ambassadors projection). */
@Entity({ schema: 'read_models', name: 'ambassadors', synchronize: false })
export class AmbassadorRecord {
  @PrimaryColumn({ name: 'member_id', type: 'text' })
  memberId!: string;

  @Column({ type: 'int' })
  enrolment!: number;

  @Column({ type: 'text' })
  department!: string;

  @Column({ type: 'text' })
  status!: AmbassadorStatus;

  @Column({ name: 'nominated_by', type: 'text' })
  nominatedBy!: string;

  /** Personal data of the nominee: "[redacted]" after an erasure. */
  @Column({ type: 'text', nullable: true })
  motivation!: string | null;

  @Column({ name: 'nominated_at', type: 'timestamptz' })
  nominatedAt!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  since!: Date | null;

  /** Personal data of the ambassador: "[redacted]" after an erasure. */
  @Column({ name: 'offboard_reason', type: 'text', nullable: true })
  offboardReason!: string | null;

  @Column({ type: 'int' })
  revision!: number;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

/** A row of the `read_models.ambassador_enrolments` view: every enrolment a member had, current one included. */
@Entity({ schema: 'read_models', name: 'ambassador_enrolments', synchronize: false })
export class AmbassadorEnrolmentRecord {
  @PrimaryColumn({ name: 'member_id', type: 'text' })
  memberId!: string;

  @PrimaryColumn({ type: 'int' })
  enrolment!: number;

  @Column({ type: 'text' })
  department!: string;

  @Column({ type: 'text' })
  status!: AmbassadorStatus;

  @Column({ name: 'nominated_by', type: 'text' })
  nominatedBy!: string;

  @Column({ name: 'nominated_at', type: 'timestamptz' })
  nominatedAt!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  since!: Date | null;

  @Column({ name: 'ended_at', type: 'timestamptz', nullable: true })
  endedAt!: Date | null;
}

/** A row of the `read_models.ambassador_members` view: the member directory as ambassador coverage needs it. */
@Entity({ schema: 'read_models', name: 'ambassador_members', synchronize: false })
export class AmbassadorMemberRecord {
  @PrimaryColumn({ name: 'member_id', type: 'text' })
  memberId!: string;

  @Column({ type: 'text' })
  department!: string;

  @Column({ type: 'boolean' })
  active!: boolean;
}
