import { Inject } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { Args, Context, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { DataSource } from 'typeorm';
import { requireActor, type RequestContext } from '../../platform/auth/request-context.ts';
import { Role } from '../../platform/auth/role.ts';
import { PageArgs, pageRequest } from '../../platform/graphql/pagination.ts';
import { DomainError } from '../../platform/shared/domain-error.ts';
import { requireId } from '../../platform/shared/identifiers.ts';
import { RunUseCase } from '../../platform/command/use-case.ts';
import {
  completeTrainingModule,
  defineTrainingProgramme,
  enrolInTraining,
  recordTrainingFailed,
  withdrawFromTraining,
} from './training.use-cases.ts';
import {
  CompleteTrainingModuleInput,
  DefineTrainingProgrammeInput,
  EndTrainingEnrolmentInput,
  EnrolInTrainingInput,
  EnrolmentStatus,
  TrainingEnrolmentConnection,
  TrainingEnrolmentType,
  TrainingProgrammeConnection,
  TrainingProgrammeType,
} from './training.graphql.ts';
import {
  findTrainingEnrolment,
  findTrainingProgramme,
  listTrainingEnrolments,
  listTrainingProgrammes,
  type ListPage,
  type TrainingEnrolment,
  type TrainingProgramme,
} from './read-models/training.queries.ts';
import { NodeRegistry } from '../../platform/graphql/node.ts';

/** Community managers and auditors see every enrolment; a member sees their own. */
const ENROLMENT_READERS = [Role.COMMUNITY_MANAGER, Role.AUDITOR];

@Resolver()
export class TrainingResolver {
  constructor(
    @Inject(CommandBus) private readonly commands: CommandBus,
    @Inject(DataSource) private readonly db: DataSource,
    @Inject(NodeRegistry) nodes: NodeRegistry,
  ) {
    nodes.register('TrainingProgramme', 1, ([id], context) => this.trainingProgramme(id!, context), { domainId: true });
    nodes.register('TrainingEnrolment', 2, ([programmeId, memberId], context) => this.trainingEnrolment(programmeId!, memberId!, context));
    // A module of an older definition of the programme is no longer served: null, like any id that names nothing now.
    nodes.register('TrainingModule', 3, async ([programmeId, revision, moduleId], context) => {
      const programme = await this.trainingProgramme(programmeId!, context);
      return programme?.modules.find((module) => String(module.programmeRevision) === revision && module.moduleId === moduleId);
    });
  }

  @Query(() => TrainingProgrammeType, { nullable: true })
  async trainingProgramme(
    @Args('id', { type: () => ID }) id: string,
    @Context() context: RequestContext,
  ): Promise<TrainingProgramme | null> {
    requireActor(context);
    return findTrainingProgramme(this.db, id);
  }

  @Query(() => TrainingProgrammeConnection, { description: 'Every programme, by id. For any signed-in member.' })
  async trainingProgrammes(
    @Context() context: RequestContext,
    @Args({ type: () => PageArgs }) paging: PageArgs,
  ): Promise<ListPage<TrainingProgramme>> {
    requireActor(context);
    return listTrainingProgrammes(this.db, pageRequest(paging));
  }

  @Query(() => TrainingEnrolmentConnection, {
    description:
      "Community managers and auditors: any; a member: their own (without memberId, or with their own id; someone else's is FORBIDDEN). By programme id, then member id.",
  })
  async trainingEnrolments(
    @Context() context: RequestContext,
    @Args({ type: () => PageArgs }) paging: PageArgs,
    @Args('programmeId', { type: () => ID, nullable: true }) programmeId?: string | null,
    @Args('memberId', { type: () => ID, nullable: true }) memberId?: string | null,
    @Args('status', { type: () => [EnrolmentStatus], nullable: true, description: 'Any of these; every status when absent or empty.' })
    status?: EnrolmentStatus[] | null,
  ): Promise<ListPage<TrainingEnrolment>> {
    const actor = requireActor(context);
    const staff = ENROLMENT_READERS.some((role) => actor.roles.includes(role));
    // Who may read before whether the ids are well-formed: a refusal tells nothing about which ids would be valid.
    if (!staff && memberId !== null && memberId !== undefined && memberId !== actor.id) {
      throw new DomainError('FORBIDDEN', "a member's training enrolments are visible to community managers, auditors and the member");
    }
    const filter = {
      programmeId: programmeId === null || programmeId === undefined ? null : requireId(programmeId, 'programmeId'),
      // A member asking without memberId asks about themself.
      memberId: memberId === null || memberId === undefined ? (staff ? null : actor.id) : requireId(memberId, 'memberId'),
      statuses: status ?? null,
    };
    return listTrainingEnrolments(this.db, filter, pageRequest(paging));
  }

  @Query(() => TrainingEnrolmentType, { nullable: true })
  async trainingEnrolment(
    @Args('programmeId', { type: () => ID }) programmeId: string,
    @Args('memberId', { type: () => ID }) memberId: string,
    @Context() context: RequestContext,
  ): Promise<TrainingEnrolment | null> {
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
    return this.commands.execute(new RunUseCase(defineTrainingProgramme, input, context));
  }

  @Mutation(() => TrainingEnrolmentType)
  enrolInTraining(@Args('input', { type: () => EnrolInTrainingInput }) input: EnrolInTrainingInput, @Context() context: RequestContext) {
    return this.commands.execute(new RunUseCase(enrolInTraining, input, context));
  }

  @Mutation(() => TrainingEnrolmentType)
  completeTrainingModule(
    @Args('input', { type: () => CompleteTrainingModuleInput }) input: CompleteTrainingModuleInput,
    @Context() context: RequestContext,
  ) {
    return this.commands.execute(new RunUseCase(completeTrainingModule, input, context));
  }

  @Mutation(() => TrainingEnrolmentType, {
    description:
      'The member (or a community manager) ends an enrolment before completing it: WITHDRAWN. They may enrol again (starting over). A completed enrolment cannot be withdrawn (CONFLICT).',
  })
  withdrawFromTraining(
    @Args('input', { type: () => EndTrainingEnrolmentInput }) input: EndTrainingEnrolmentInput,
    @Context() context: RequestContext,
  ) {
    return this.commands.execute(new RunUseCase(withdrawFromTraining, input, context));
  }

  @Mutation(() => TrainingEnrolmentType, {
    description:
      'A community manager records that the member did not pass (e.g. a failed assessment): FAILED. They may enrol again (starting over). A completed enrolment cannot be failed (CONFLICT).',
  })
  recordTrainingFailed(
    @Args('input', { type: () => EndTrainingEnrolmentInput }) input: EndTrainingEnrolmentInput,
    @Context() context: RequestContext,
  ) {
    return this.commands.execute(new RunUseCase(recordTrainingFailed, input, context));
  }
}
