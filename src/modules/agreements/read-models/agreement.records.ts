import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A row of the `read_models.agreements` view (the agreements projection). */
@Entity({ schema: 'read_models', name: 'agreements', synchronize: false })
export class AgreementRecord {
  @PrimaryColumn({ name: 'agreement_id', type: 'text' })
  agreementId!: string;

  @Column({ name: 'current_version', type: 'int' })
  currentVersion!: number;

  /** The latest version that required re-acceptance, or 1. */
  @Column({ name: 'binding_version', type: 'int' })
  bindingVersion!: number;

  @Column({ type: 'int' })
  revision!: number;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

/** A row of the `read_models.agreement_versions` view. */
@Entity({ schema: 'read_models', name: 'agreement_versions', synchronize: false })
export class AgreementVersionRecord {
  @PrimaryColumn({ name: 'agreement_id', type: 'text' })
  agreementId!: string;

  @PrimaryColumn({ type: 'int' })
  version!: number;

  @Column({ type: 'text' })
  title!: string;

  @Column({ type: 'text' })
  body!: string;

  @Column({ name: 'body_sha256', type: 'text' })
  bodySha256!: string;

  @Column({ name: 'requires_reacceptance', type: 'boolean' })
  requiresReacceptance!: boolean;

  @Column({ name: 'published_by', type: 'text' })
  publishedBy!: string;

  @Column({ name: 'published_at', type: 'timestamptz' })
  publishedAt!: Date;
}

/** A row of the `read_models.agreement_acceptances` view: a member's latest acceptance of an agreement. */
@Entity({ schema: 'read_models', name: 'agreement_acceptances', synchronize: false })
export class AgreementAcceptanceRecord {
  @PrimaryColumn({ name: 'agreement_id', type: 'text' })
  agreementId!: string;

  @PrimaryColumn({ name: 'member_id', type: 'text' })
  memberId!: string;

  @Column({ name: 'accepted_version', type: 'int' })
  acceptedVersion!: number;

  @Column({ name: 'accepted_at', type: 'timestamptz' })
  acceptedAt!: Date;
}

/** A row of the `read_models.agreement_members` view: who is bound by agreements (registered and not left). */
@Entity({ schema: 'read_models', name: 'agreement_members', synchronize: false })
export class AgreementMemberRecord {
  @PrimaryColumn({ name: 'member_id', type: 'text' })
  memberId!: string;

  @Column({ type: 'boolean' })
  active!: boolean;
}
