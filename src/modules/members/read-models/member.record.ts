import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { RegisteredMemberStatus } from '../member.decider.ts';

/** A row of the `read_models.members` view (the members projection's current generation). */
@Entity({ schema: 'read_models', name: 'members', synchronize: false })
export class MemberRecord {
  @PrimaryColumn({ name: 'member_id', type: 'text' })
  memberId!: string;

  @Column({ name: 'display_name', type: 'text' })
  displayName!: string;

  @Column({ type: 'text' })
  department!: string;

  @Column({ type: 'text' })
  status!: RegisteredMemberStatus;

  @Column({ type: 'int' })
  revision!: number;

  /** The member's privacy setting: whether members other than staff find them in the directory. */
  @Column({ name: 'directory_listed', type: 'boolean' })
  directoryListed!: boolean;
}
