import { Field, ID, InputType, Int, ObjectType } from '@nestjs/graphql';
import { Node, NodeIdField } from '../../platform/graphql/node.ts';
import { Connection } from '../../platform/graphql/pagination.ts';

@ObjectType({ implements: () => [Node] })
export class AgreementVersion {
  @NodeIdField<AgreementVersion>('AgreementVersion', (version) => [version.agreementId, version.version])
  id!: string;

  /** The agreement the version belongs to (part of its id). */
  agreementId!: string;

  @Field(() => Int)
  version!: number;

  @Field(() => String)
  title!: string;

  @Field(() => String)
  body!: string;

  @Field(() => Boolean, { description: 'Whether members who accepted an earlier version must accept this one.' })
  requiresReacceptance!: boolean;

  @Field(() => Date)
  publishedAt!: Date;

  @Field(() => String, { description: "Hex SHA-256 of the body's UTF-8 bytes, as recorded when it was published." })
  bodySha256!: string;

  @Field(() => ID)
  publishedBy!: string;
}

@ObjectType({ implements: () => [Node] })
export class Agreement {
  @Field(() => ID)
  id!: string;

  @Field(() => AgreementVersion)
  currentVersion!: AgreementVersion;

  @Field(() => [AgreementVersion], { description: 'Oldest first.' })
  versions!: AgreementVersion[];

  @Field(() => Int, { description: 'Registered, active members who accepted the binding version or a later one.' })
  acceptedCount!: number;

  @Field(() => Int, { description: 'Registered, active members who still have to accept.' })
  pendingCount!: number;

  @Field(() => Int, { description: "The revision of the agreement's stream: what `expectedRevision` compares with." })
  revision!: number;

  @Field(() => Int, { description: 'The version members must have accepted: the latest that required re-acceptance, or 1.' })
  bindingVersion!: number;
}

@ObjectType()
export class AgreementConnection extends Connection(Agreement) {}

@ObjectType({ implements: () => [Node] })
export class AgreementAcceptance {
  @NodeIdField<AgreementAcceptance>('AgreementAcceptance', (acceptance) => [acceptance.agreementId, acceptance.memberId])
  id!: string;

  @Field(() => ID)
  agreementId!: string;

  @Field(() => ID)
  memberId!: string;

  @Field(() => Int, { nullable: true, description: "The version of the member's latest acceptance." })
  acceptedVersion!: number | null;

  @Field(() => Date, { nullable: true })
  acceptedAt!: Date | null;

  @Field(() => Boolean, { description: 'True while the member has not accepted the version that currently binds them.' })
  pending!: boolean;

  @Field(() => Int, { description: 'The version that binds the member: accepting it or a later one clears what is pending.' })
  bindingVersion!: number;
}

@InputType()
export class PublishAgreementVersionInput {
  @Field(() => ID)
  agreementId!: string;

  @Field(() => String)
  title!: string;

  @Field(() => String)
  body!: string;

  @Field(() => Boolean)
  requiresReacceptance!: boolean;

  @Field(() => ID, { nullable: true })
  commandId?: string | null;

  @Field(() => Int, { nullable: true })
  expectedRevision?: number | null;
}

@InputType()
export class AcceptAgreementInput {
  @Field(() => ID)
  agreementId!: string;

  @Field(() => Int)
  version!: number;

  @Field(() => ID, { nullable: true })
  commandId?: string | null;
}
