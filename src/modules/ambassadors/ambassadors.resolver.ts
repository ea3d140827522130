import { Inject } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { Args, Context, Mutation, Query, Resolver } from '@nestjs/graphql';
import { DataSource } from 'typeorm';
import { requireActor, type RequestContext } from '../../platform/auth/request-context.ts';
import { PageArgs, pageRequest } from '../../platform/graphql/pagination.ts';
import { ambassadorForViewer, PUBLIC_AMBASSADOR_STATUSES, seesEveryEnrolment } from './ambassador-access.ts';
import { RunUseCase } from '../../platform/command/use-case.ts';
import {
  activateAmbassador,
  approveAmbassador,
  deactivateAmbassador,
  nominateAmbassador,
  offboardAmbassador,
  reactivateAmbassador,
  rejectAmbassador,
} from './ambassador.use-cases.ts';
import {
  Ambassador,
  AmbassadorConnection,
  AmbassadorDecisionInput,
  AmbassadorStatus,
  DepartmentCoverage,
  NominateAmbassadorInput,
} from './ambassadors.graphql.ts';
import {
  ambassadorCoverage,
  encodeAmbassadorCursor,
  findAmbassador,
  listAmbassadors,
  type AmbassadorAnswer,
} from './read-models/ambassadors.queries.ts';
import { isId } from '../../platform/shared/identifiers.ts';
import { NodeRegistry } from '../../platform/graphql/node.ts';

@Resolver(() => Ambassador)
export class AmbassadorsResolver {
  constructor(
    @Inject(CommandBus) private readonly commands: CommandBus,
    @Inject(DataSource) private readonly db: DataSource,
    @Inject(NodeRegistry) nodes: NodeRegistry,
  ) {
    // As in the ambassadors list: any signed-in member, with the personal fields only for those who may read them.
    nodes.register('Ambassador', 1, async ([memberId], context) => {
      const actor = requireActor(context);
      const view = isId(memberId) ? await findAmbassador(this.db, memberId) : null;
      return view && ambassadorForViewer(view, actor);
    });
  }

  @Query(() => AmbassadorConnection, {
    description:
      'Every member ever nominated (their latest enrolment), by member id. Community managers and auditors see every enrolment; ' +
      'anyone else sees the ambassadors present and past (APPROVED, ACTIVE, INACTIVE, OFFBOARDED), their own enrolment and the ' +
      'ones they nominated: a nomination still considered or turned down is not shown to colleagues.',
  })
  async ambassadors(
    @Context() context: RequestContext,
    @Args({ type: () => PageArgs }) paging: PageArgs,
    @Args('status', { type: () => [AmbassadorStatus], nullable: true }) status?: AmbassadorStatus[] | null,
    @Args('department', { type: () => String, nullable: true }) department?: string | null,
  ): Promise<AmbassadorConnection> {
    const actor = requireActor(context);
    const page = await listAmbassadors(this.db, {
      statuses: status ?? null,
      department: department ?? null,
      viewer: seesEveryEnrolment(actor) ? null : { memberId: actor.id, publicStatuses: PUBLIC_AMBASSADOR_STATUSES },
      page: pageRequest(paging),
    });
    return {
      // The query listed only what the viewer may see (the same rule, in SQL, so that pages and the total agree).
      edges: page.nodes.map((node) => ({
        cursor: encodeAmbassadorCursor(node.memberId),
        node: ambassadorForViewer(node, actor)! as Ambassador,
      })),
      pageInfo: {
        hasNextPage: page.hasNextPage,
        endCursor: page.endCursor,
        hasPreviousPage: page.hasPreviousPage,
        startCursor: page.startCursor,
      },
      totalCount: page.totalCount,
    };
  }

  @Query(() => [DepartmentCoverage], {
    description: 'ACTIVE ambassadors per department, including the departments of the member directory that have none.',
  })
  ambassadorCoverage(@Context() context: RequestContext): Promise<DepartmentCoverage[]> {
    requireActor(context);
    return ambassadorCoverage(this.db);
  }

  @Mutation(() => Ambassador)
  nominateAmbassador(
    @Args('input', { type: () => NominateAmbassadorInput }) input: NominateAmbassadorInput,
    @Context() context: RequestContext,
  ): Promise<AmbassadorAnswer> {
    return this.commands.execute(new RunUseCase(nominateAmbassador, input, context));
  }

  @Mutation(() => Ambassador, { description: 'NOMINATED → APPROVED (community managers).' })
  approveAmbassador(
    @Args('input', { type: () => AmbassadorDecisionInput }) input: AmbassadorDecisionInput,
    @Context() context: RequestContext,
  ) {
    return this.commands.execute(new RunUseCase(approveAmbassador, input, context));
  }

  @Mutation(() => Ambassador, { description: 'NOMINATED → REJECTED (community managers).' })
  rejectAmbassador(
    @Args('input', { type: () => AmbassadorDecisionInput }) input: AmbassadorDecisionInput,
    @Context() context: RequestContext,
  ) {
    return this.commands.execute(new RunUseCase(rejectAmbassador, input, context));
  }

  @Mutation(() => Ambassador, { description: 'APPROVED → ACTIVE once onboarded (community managers).' })
  activateAmbassador(
    @Args('input', { type: () => AmbassadorDecisionInput }) input: AmbassadorDecisionInput,
    @Context() context: RequestContext,
  ) {
    return this.commands.execute(new RunUseCase(activateAmbassador, input, context));
  }

  @Mutation(() => Ambassador, { description: 'ACTIVE → INACTIVE, a pause (community managers).' })
  deactivateAmbassador(
    @Args('input', { type: () => AmbassadorDecisionInput }) input: AmbassadorDecisionInput,
    @Context() context: RequestContext,
  ) {
    return this.commands.execute(new RunUseCase(deactivateAmbassador, input, context));
  }

  @Mutation(() => Ambassador, { description: 'INACTIVE → ACTIVE (community managers).' })
  reactivateAmbassador(
    @Args('input', { type: () => AmbassadorDecisionInput }) input: AmbassadorDecisionInput,
    @Context() context: RequestContext,
  ) {
    return this.commands.execute(new RunUseCase(reactivateAmbassador, input, context));
  }

  @Mutation(() => Ambassador, {
    description: 'APPROVED, ACTIVE or INACTIVE → OFFBOARDED, with a reason (community managers). A new nomination may follow.',
  })
  offboardAmbassador(
    @Args('input', { type: () => AmbassadorDecisionInput }) input: AmbassadorDecisionInput,
    @Context() context: RequestContext,
  ) {
    return this.commands.execute(new RunUseCase(offboardAmbassador, input, context));
  }
}
