import { Field, ID, InputType, Int, ObjectType } from '@nestjs/graphql';
import { graphqlEnum } from '../../platform/graphql/graphql-enum.ts';
import { Node, NodeIdField } from '../../platform/graphql/node.ts';
import { Connection } from '../../platform/graphql/pagination.ts';
import { CERTIFICATION_STATUSES, type CertificationStatus as CertificationStatusValue } from './certification.decider.ts';

export const CertificationStatus = graphqlEnum('CertificationStatus', CERTIFICATION_STATUSES);
export type CertificationStatus = CertificationStatusValue;

@ObjectType({ implements: () => [Node] })
export class CertificationLevel {
  @NodeIdField<CertificationLevel>('CertificationLevel', (level) => [level.level])
  id!: string;

  @Field(() => Int)
  level!: number;

  @Field(() => String)
  name!: string;

  @Field(() => [ID], { description: 'Programmes to complete for this level, on top of those of the levels below.' })
  requiredProgrammes!: string[];

  @Field(() => Int)
  validityMonths!: number;

  @Field(() => Int, { description: "The revision of the level's stream (certification_level-<level>)." })
  revision!: number;
}

@ObjectType()
export class CertificationRecord {
  @Field(() => ID, { description: 'The award: <memberId>:<n> for the n-th award to the member.' })
  id!: string;

  @Field(() => Int)
  level!: number;

  @Field(() => CertificationStatus, {
    description: 'A live award past its expiry reads as EXPIRED. A record replaced by a higher level keeps the status it had.',
  })
  status!: CertificationStatus;

  @Field(() => Date)
  awardedAt!: Date;

  @Field(() => Date, { nullable: true })
  expiresAt!: Date | null;

  @Field(() => Date, { nullable: true, description: 'When it expired, was revoked or was replaced by a higher level.' })
  endedAt!: Date | null;

  @Field(() => String, { nullable: true, description: 'The reason given with the latest change a community manager made to it.' })
  reason!: string | null;

  @Field(() => Int, { nullable: true, description: 'The level of the award that replaced this one.' })
  replacedByLevel!: number | null;
}

@ObjectType({ implements: () => [Node] })
export class Certification {
  @NodeIdField<Certification>('Certification', (certification) => [certification.memberId])
  id!: string;

  @Field(() => ID)
  memberId!: string;

  @Field(() => CertificationStatus)
  status!: CertificationStatus;

  @Field(() => Int, { nullable: true, description: "The current award's level (also once expired or revoked); null when never certified." })
  level!: number | null;

  @Field(() => Date, { nullable: true })
  expiresAt!: Date | null;

  @Field(() => [CertificationRecord], { description: 'Every award, newest first.' })
  history!: CertificationRecord[];

  @Field(() => Int, { nullable: true, description: 'The level the member can work towards next; null at the top level.' })
  nextLevel!: number | null;

  @Field(() => [ID], { description: 'What is still missing for the next level: programmes not yet completed.' })
  missingForNextLevel!: string[];

  @Field(() => Int, { description: 'The revision of the stream certification-<memberId>; -1 when there is none.' })
  revision!: number;
}

@ObjectType()
export class CertificationConnection extends Connection(Certification) {}

@InputType()
export class DefineCertificationLevelInput {
  @Field(() => Int)
  level!: number;

  @Field(() => String)
  name!: string;

  @Field(() => [ID])
  requiredProgrammes!: string[];

  @Field(() => Int)
  validityMonths!: number;

  @Field(() => ID, { nullable: true })
  commandId?: string | null;
}

@InputType()
export class AwardCertificationInput {
  @Field(() => ID)
  memberId!: string;

  @Field(() => Int)
  level!: number;

  @Field(() => String, { nullable: true, description: "Personal data of the member: stored encrypted with the member's key." })
  evidence?: string | null;

  @Field(() => ID, { nullable: true })
  commandId?: string | null;

  @Field(() => Int, { nullable: true })
  expectedRevision?: number | null;
}

@InputType()
export class ChangeCertificationInput {
  @Field(() => ID)
  memberId!: string;

  @Field(() => String)
  reason!: string;

  @Field(() => ID, { nullable: true })
  commandId?: string | null;

  @Field(() => Int, { nullable: true })
  expectedRevision?: number | null;
}
