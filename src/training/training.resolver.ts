import { Inject } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { Args, Context, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { DataSource } from 'typeorm';
import { requireActor, type RequestContext } from '../auth/request-context.ts';
import { Role } from '../auth/role.ts';
import { DomainError } from '../shared/domain-error.ts';
import { CompleteTrainingModuleCommand, DefineTrainingProgrammeCommand, EnrolInTrainingCommand } from './training.commands.ts';
import {
  CompleteTrainingModuleInput,
  DefineTrainingProgrammeInput,
  EnrolInTrainingInput,
  TrainingEnrolmentType,
  TrainingProgrammeType,
} from './training.graphql.ts';
import { findTrainingEnrolment, findTrainingProgramme } from './read-models/training.queries.ts';
import type { TrainingEnrolmentView, TrainingProgrammeView } from './read-models/training.views.ts';

/** Community managers and auditors see every enrolment; a member sees their own. */
const ENROLMENT_READERS = [Role.COMMUNITY_MANAGER, Role.AUDITOR];

@Resolver()
export class TrainingResolver {
  constructor(
    @Inject(CommandBus) private readonly commands: CommandBus,
    @Inject(DataSource) private readonly db: DataSource,
  ) {}

  @Query(() => TrainingProgrammeType, { nullable: true })
  async trainingProgramme(
    @Args('id', { type: () => ID }) id: string,
    @Context() context: RequestContext,
  ): Promise<TrainingProgrammeView | null> {
    requireActor(context);
    return findTrainingProgramme(this.db, id);
  }

  @Query(() => TrainingEnrolmentType, { nullable: true })
  async trainingEnrolment(
    @Args('programmeId', { type: () => ID }) programmeId: string,
    @Args('memberId', { type: () => ID }) memberId: string,
    @Context() context: RequestContext,
  ): Promise<TrainingEnrolmentView | null> {
    const actor = requireActor(context);
    // Refused whether or not the enrolment exists: who trains in what is not everyone's to know.
    if (actor.id !== memberId && !ENROLMENT_READERS.some((role) => actor.roles.includes(role))) {
      throw new DomainError('FORBIDDEN', "a member's training enrolments are visible to community managers, auditors and the member");
    }
    return findTrainingEnrolment(this.db, programmeId, memberId);
  }

  @Mutation(() => TrainingProgrammeType)
  defineTrainingProgramme(
    @Args('input', { type: () => DefineTrainingProgrammeInput }) input: DefineTrainingProgrammeInput,
    @Context() context: RequestContext,
  ) {
    return this.commands.execute(new DefineTrainingProgrammeCommand(input, context));
  }

  @Mutation(() => TrainingEnrolmentType)
  enrolInTraining(@Args('input', { type: () => EnrolInTrainingInput }) input: EnrolInTrainingInput, @Context() context: RequestContext) {
    return this.commands.execute(new EnrolInTrainingCommand(input, context));
  }

  @Mutation(() => TrainingEnrolmentType)
  completeTrainingModule(
    @Args('input', { type: () => CompleteTrainingModuleInput }) input: CompleteTrainingModuleInput,
    @Context() context: RequestContext,
  ) {
    return this.commands.execute(new CompleteTrainingModuleCommand(input, context));
  }
}
