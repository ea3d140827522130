import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { MemberEmail, RegisteredMemberStatus } from '../member.decider.ts';

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

  @Column({ name: 'registered_at', type: 'timestamptz' })
  registeredAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  /** The directory's attributes (SCIM), null (or none) for a member the directory never gave them for. */
  @Column({ name: 'user_name', type: 'text', nullable: true })
  userName!: string | null;

  /** The user name in lower case, for the case-insensitive lookup; null once redacted. */
  @Column({ name: 'user_name_key', type: 'text', nullable: true })
  userNameKey!: string | null;

  @Column({ name: 'external_id', type: 'text', nullable: true })
  externalId!: string | null;

  @Column({ type: 'jsonb' })
  emails!: MemberEmail[];

  @Column({ name: 'preferred_language', type: 'text', nullable: true })
  preferredLanguage!: string | null;

  /** The metadata source of the registering event: 'api', 'provisioning'... */
  @Column({ type: 'text' })
  source!: string;

  /** When an event from the directory (source 'provisioning') last changed the member. */
  @Column({ name: 'directory_changed_at', type: 'timestamptz', nullable: true })
  directoryChangedAt!: Date | null;

  /** When the member left (their MemberLeft event's time); null while they are active. */
  @Column({ name: 'left_at', type: 'timestamptz', nullable: true })
  leftAt!: Date | null;
}
