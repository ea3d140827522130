import { Field, ID, InputType, Int, ObjectType, registerEnumType } from '@nestjs/graphql';

/** FAILED and WITHDRAWN are in the contract for what comes next; nothing records them yet. */
export enum EnrolmentStatus {
  ENROLLED = 'ENROLLED',
  IN_PROGRESS = 'IN_PROGRESS',
  COMPLETED = 'COMPLETED',
  FAILED = 'FAILED',
  WITHDRAWN = 'WITHDRAWN',
}
registerEnumType(EnrolmentStatus, { name: 'EnrolmentStatus' });

// The class names end in Type: `TrainingModule` is the Nest module's name.

@ObjectType('TrainingModule')
export class TrainingModuleType {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  title!: string;

  @Field(() => Boolean)
  required!: boolean;

  @Field(() => Boolean, { description: 'Members may record their own completion of a self-paced module.' })
  selfPaced!: boolean;
}

@ObjectType('TrainingProgramme')
export class TrainingProgrammeType {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  title!: string;

  @Field(() => [TrainingModuleType])
  modules!: TrainingModuleType[];

  @Field(() => Int)
  revision!: number;
}

@ObjectType('TrainingEnrolment')
export class TrainingEnrolmentType {
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

  @Field(() => Int)
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
