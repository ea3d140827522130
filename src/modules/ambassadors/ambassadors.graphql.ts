import { Field, ID, InputType, Int, ObjectType } from '@nestjs/graphql';
import { graphqlEnum } from '../../platform/graphql/graphql-enum.ts';
import { Connection } from '../../platform/graphql/pagination.ts';
import { Node, NodeIdField } from '../../platform/graphql/node.ts';
import { AMBASSADOR_STATUSES, type AmbassadorStatus as AmbassadorStatusValue } from './ambassador.decider.ts';

export const AmbassadorStatus = graphqlEnum('AmbassadorStatus', AMBASSADOR_STATUSES);
export type AmbassadorStatus = AmbassadorStatusValue;

@ObjectType({ description: "One of a member's ambassador enrolments: a nomination and what became of it." })
export class AmbassadorEnrolment {
  @Field(() => Int, { description: '1 for the first enrolment, then 2, ...' })
  enrolment!: number;

  @Field(() => String)
  department!: string;

  @Field(() => AmbassadorStatus)
  status!: AmbassadorStatus;

  @Field(() => ID)
  nominatedBy!: string;

  @Field(() => Date)
  nominatedAt!: Date;

  @Field(() => Date, { nullable: true, description: 'When it first became ACTIVE.' })
  since!: Date | null;

  @Field(() => Date, { nullable: true, description: 'When it was rejected or offboarded.' })
  endedAt!: Date | null;
}

@ObjectType({ description: "A member's latest ambassador enrolment.", implements: () => [Node] })
export class Ambassador {
  @NodeIdField<Ambassador>('Ambassador', (ambassador) => [ambassador.memberId])
  id!: string;

  @Field(() => ID)
  memberId!: string;

  @Field(() => String)
  department!: string;

  @Field(() => AmbassadorStatus)
  status!: AmbassadorStatus;

  @Field(() => ID)
  nominatedBy!: string;

  @Field(() => String, {
    nullable: true,
    description: 'Personal data of the nominee: null for anyone but community managers and the nominee; redacted once erased.',
  })
  motivation!: string | null;

  @Field(() => Date, { nullable: true, description: 'When this enrolment first became ACTIVE; null before.' })
  since!: Date | null;

  @Field(() => String, { nullable: true, description: 'Personal data: visible like the motivation.' })
  offboardReason!: string | null;

  @Field(() => Int, { description: "The revision of the member's ambassador stream: what `expectedRevision` compares with." })
  revision!: number;

  @Field(() => Int, { description: 'Which enrolment of the member this is: 1, then 2 after a re-nomination, ...' })
  enrolment!: number;

  @Field(() => Date)
  nominatedAt!: Date;

  @Field(() => [AmbassadorEnrolment], { description: 'Every enrolment of the member, oldest first, this one last.' })
  history!: AmbassadorEnrolment[];
}

@ObjectType()
export class AmbassadorConnection extends Connection(Ambassador) {}

@ObjectType()
export class DepartmentCoverage {
  @Field(() => String)
  department!: string;

  @Field(() => Int)
  activeAmbassadors!: number;
}

@InputType()
export class NominateAmbassadorInput {
  @Field(() => ID)
  memberId!: string;

  @Field(() => String)
  department!: string;

  @Field(() => String, { nullable: true })
  motivation?: string | null;

  @Field(() => ID, { nullable: true })
  commandId?: string | null;
}

@InputType()
export class AmbassadorDecisionInput {
  @Field(() => ID)
  memberId!: string;

  @Field(() => String, {
    nullable: true,
    description: 'Why: recorded in the event metadata. Required to offboard, where it is personal data (encrypted in the event).',
  })
  reason?: string | null;

  @Field(() => ID, { nullable: true })
  commandId?: string | null;

  @Field(() => Int, { nullable: true })
  expectedRevision?: number | null;
}
