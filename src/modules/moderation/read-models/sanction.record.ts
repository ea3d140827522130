import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { SanctionKind, SanctionStateName } from '../moderation-case.decider.ts';

/** A row of the `read_models.moderation_sanctions` view (the moderation projection's current generation). */
@Entity({ schema: 'read_models', name: 'moderation_sanctions', synchronize: false })
export class SanctionRecord {
  @PrimaryColumn({ name: 'sanction_id', type: 'text' })
  sanctionId!: string;

  @Column({ name: 'case_id', type: 'text' })
  caseId!: string;

  @Column({ name: 'member_id', type: 'text' })
  memberId!: string;

  @Column({ type: 'text' })
  kind!: SanctionKind;

  @Column({ type: 'timestamptz', nullable: true })
  until!: Date | null;

  @Column({ name: 'imposed_at', type: 'timestamptz' })
  imposedAt!: Date;

  @Column({ name: 'lifted_at', type: 'timestamptz', nullable: true })
  liftedAt!: Date | null;

  @Column({ name: 'expired_at', type: 'timestamptz', nullable: true })
  expiredAt!: Date | null;

  /** As recorded by events: 'active' until lifted or expired, even once `until` has passed. */
  @Column({ type: 'text' })
  state!: SanctionStateName;
}
