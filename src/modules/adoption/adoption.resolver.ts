import { Inject } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { Args, Context, Mutation, Query, Resolver } from '@nestjs/graphql';
import { DataSource } from 'typeorm';
import { requireRole, type RequestContext } from '../../platform/auth/request-context.ts';
import { Role } from '../../platform/auth/role.ts';
import { RunUseCase } from '../../platform/command/use-case.ts';
import { PageArgs, pageRequest } from '../../platform/graphql/pagination.ts';
import {
  ActivityImportResult,
  ExternalGroupMapping,
  ExternalGroupMappingConnection,
  ImportGroupActivityInput,
  MapExternalGroupInput,
  UnmapExternalGroupInput,
} from './adoption.graphql.ts';
import {
  activityImportResult,
  CONCURRENT_GROUPS,
  planGroupActivityImport,
  recordGroupActivity,
  type RecordGroupActivityInput,
} from './adoption.use-cases.ts';
import { mapExternalGroup, unmapExternalGroup } from './group-mapping.use-cases.ts';
import { listGroupMappings, MAPPING_CURSORS, mappingKeyOf } from './read-models/group-mappings.queries.ts';

@Resolver()
export class AdoptionResolver {
  constructor(
    @Inject(CommandBus) private readonly commands: CommandBus,
    @Inject(DataSource) private readonly db: DataSource,
  ) {}

  @Mutation(() => ActivityImportResult, {
    description: "Community managers: per-group activity aggregates from the platform's usage report (never per-person activity).",
  })
  async importGroupActivity(
    @Args('input', { type: () => ImportGroupActivityInput }) input: ImportGroupActivityInput,
    @Context() context: RequestContext,
  ): Promise<ActivityImportResult> {
    const plan = await planGroupActivityImport(this.db, input, context);
    // One stream per matched group, each its own command with the import's commandId (see planGroupActivityImport).
    let next = 0;
    const worker = async () => {
      while (next < plan.matched.length) {
        const { row, groupId } = plan.matched[next++]!;
        const group: RecordGroupActivityInput = {
          groupId,
          period: row.period,
          figures: row.figures,
          source: input.format,
          commandId: input.commandId ?? null,
        };
        await this.commands.execute(new RunUseCase(recordGroupActivity, group, context));
      }
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENT_GROUPS, plan.matched.length) }, worker));
    return activityImportResult(plan);
  }

  @Mutation(() => [ExternalGroupMapping], {
    description:
      "Community managers: the platform's group with this id and/or name is this group of ours; reports match it from " +
      "then on. Answers the group's mappings on the platform. CONFLICT when the id or name is mapped to another group.",
  })
  mapExternalGroup(@Args('input', { type: () => MapExternalGroupInput }) input: MapExternalGroupInput, @Context() context: RequestContext) {
    return this.commands.execute(new RunUseCase(mapExternalGroup, input, context));
  }

  @Mutation(() => [ExternalGroupMapping], {
    description: "Community managers: removes the platform's id and/or name from this group. Answers the group's mappings left.",
  })
  unmapExternalGroup(
    @Args('input', { type: () => UnmapExternalGroupInput }) input: UnmapExternalGroupInput,
    @Context() context: RequestContext,
  ) {
    return this.commands.execute(new RunUseCase(unmapExternalGroup, input, context));
  }

  @Query(() => ExternalGroupMappingConnection, {
    description: 'Community managers and auditors: which platform group ids and names map to which of our groups.',
  })
  async externalGroupMappings(
    @Context() context: RequestContext,
    @Args({ type: () => PageArgs }) paging: PageArgs,
  ): Promise<ExternalGroupMappingConnection> {
    requireRole(context, [Role.COMMUNITY_MANAGER, Role.AUDITOR], 'listing external group mappings');
    const page = await listGroupMappings(this.db, pageRequest(paging));
    return {
      edges: page.nodes.map((node) => ({ cursor: MAPPING_CURSORS.encode(mappingKeyOf(node)), node })),
      pageInfo: {
        hasNextPage: page.hasNextPage,
        endCursor: page.endCursor,
        hasPreviousPage: page.hasPreviousPage,
        startCursor: page.startCursor,
      },
      totalCount: page.totalCount,
    };
  }
}
