import { Field, ID, InputType, Int, ObjectType } from '@nestjs/graphql';
import { graphqlEnum } from '../../platform/graphql/graphql-enum.ts';
import { Connection } from '../../platform/graphql/pagination.ts';
import { Node, NodeIdField } from '../../platform/graphql/node.ts';
import { ENROLMENT_STATUSES, type EnrolmentStatus as EnrolmentStatusValue } from './training-enrolment.decider.ts';

/** FAILED (recordTrainingFailed) and WITHDRAWN (withdrawFromTraining) end an enrolment: the member may enrol again. */
export const EnrolmentStatus = graphqlEnum('EnrolmentStatus', ENROLMENT_STATUSES);
export type EnrolmentStatus = EnrolmentStatusValue;

// The class names end in Type: `TrainingModule` is the Nest module's name.

@ObjectType('TrainingModule', { implements: () => [Node] })
export class TrainingModuleType {
  // The programme revision is part of the key: a redefinition may reuse a module id for different content.
  @NodeIdField<TrainingModuleType>('TrainingModule', (module) => [module.programmeId, module.programmeRevision, module.moduleId])
  id!: string;

  @Field(() => ID)
  programmeId!: string;

  @Field(() => ID, {
    description: "The module's id within its programme, as given in DefineTrainingProgrammeInput and CompleteTrainingModuleInput.",
  })
  moduleId!: string;

  /** The programme revision that defined the module as it reads here (part of its id, not a field). */
  programmeRevision!: number;

  @Field(() => String)
  title!: string;

  @Field(() => Boolean)
  required!: boolean;

  @Field(() => Boolean, { description: 'Members may record their own completion of a self-paced module.' })
  selfPaced!: boolean;
}

@ObjectType('TrainingProgramme', { implements: () => [Node] })
export class TrainingProgrammeType {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  title!: string;

  @Field(() => [TrainingModuleType], { description: "In the programme's order." })
  modules!: TrainingModuleType[];

  @Field(() => Int, { description: "The revision of the programme's stream: each definition is one." })
  revision!: number;
}

@ObjectType('TrainingEnrolment', { implements: () => [Node] })
export class TrainingEnrolmentType {
  @NodeIdField<TrainingEnrolmentType>('TrainingEnrolment', (enrolment) => [enrolment.programmeId, enrolment.memberId])
  id!: string;

  @Field(() => ID)
  memberId!: string;

  @Field(() => ID)
  programmeId!: string;

  @Field(() => EnrolmentStatus)
  status!: EnrolmentStatus;

  @Field(() => [ID], { description: 'In completion order.' })
  completedModules!: string[];

  @Field(() => [ID], { description: 'Required modules of the programme revision enrolled in, not completed yet.' })
  remainingRequiredModules!: string[];

  @Field(() => Date, { nullable: true })
  completedAt!: Date | null;

  @Field(() => Date, { nullable: true, description: 'When it was withdrawn or failed; null while it runs or once completed.' })
  endedAt!: Date | null;

  @Field(() => Int, { description: "The revision of the enrolment's stream." })
  revision!: number;

  @Field(() => Int, {
    description: 'The programme revision enrolled in: its modules count for this member, whatever the programme became later.',
  })
  programmeRevision!: number;

  @Field(() => Date)
  enrolledAt!: Date;
}

@InputType()
export class TrainingModuleInput {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  title!: string;

  @Field(() => Boolean)
  required!: boolean;

  @Field(() => Boolean, {
    nullable: true,
    defaultValue: false,
    description: 'Members may record their own completion of a self-paced module. Default false.',
  })
  selfPaced?: boolean | null;
}

@InputType()
export class DefineTrainingProgrammeInput {
  @Field(() => ID)
  programmeId!: string;

  @Field(() => String)
  title!: string;

  @Field(() => [TrainingModuleInput])
  modules!: TrainingModuleInput[];

  @Field(() => ID, { nullable: true })
  commandId?: string | null;
}

@InputType()
export class EnrolInTrainingInput {
  @Field(() => ID)
  programmeId!: string;

  @Field(() => ID)
  memberId!: string;

  @Field(() => ID, { nullable: true })
  commandId?: string | null;
}

@InputType()
export class CompleteTrainingModuleInput {
  @Field(() => ID)
  programmeId!: string;

  @Field(() => ID)
  memberId!: string;

  @Field(() => ID)
  moduleId!: string;

  @Field(() => String, { nullable: true, description: "Personal data of the member: stored encrypted with the member's key." })
  evidence?: string | null;

  @Field(() => ID, { nullable: true })
  commandId?: string | null;
}

@ObjectType()
export class TrainingProgrammeConnection extends Connection(TrainingProgrammeType, 'TrainingProgramme') {}

@ObjectType()
export class TrainingEnrolmentConnection extends Connection(TrainingEnrolmentType, 'TrainingEnrolment') {}

@InputType({ description: 'Ends a running enrolment (withdrawFromTraining, recordTrainingFailed).' })
export class EndTrainingEnrolmentInput {
  @Field(() => ID)
  programmeId!: string;

  @Field(() => ID)
  memberId!: string;

  @Field(() => String, {
    nullable: true,
    description: "Why (up to 2000 characters). Personal data of the member: stored encrypted with the member's key.",
  })
  reason?: string | null;

  @Field(() => ID, { nullable: true })
  commandId?: string | null;

  @Field(() => Int, { nullable: true })
  expectedRevision?: number | null;
}
