import { Inject } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { Args, Context, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { DataSource } from 'typeorm';
import { requireActor, requireRole, type RequestContext } from '../../platform/auth/request-context.ts';
import { Role } from '../../platform/auth/role.ts';
import { PageArgs, pageRequest } from '../../platform/graphql/pagination.ts';
import { RunUseCase } from '../../platform/command/use-case.ts';
import { assignGroupOwner, createGroup, removeGroupOwner, setGroupCertificationRequirement } from './group.use-cases.ts';
import { AssignGroupOwnerInput, CreateGroupInput, Group, GroupConnection, SetGroupCertificationRequirementInput } from './group.graphql.ts';
import { encodeGroupCursor, findGroup, listGroups, listOwnerlessGroups, type GroupPage } from './read-models/groups.queries.ts';
import { NodeRegistry } from '../../platform/graphql/node.ts';

@Resolver(() => Group)
export class GroupsResolver {
  constructor(
    @Inject(CommandBus) private readonly commands: CommandBus,
    @Inject(DataSource) private readonly db: DataSource,
    @Inject(NodeRegistry) nodes: NodeRegistry,
  ) {
    nodes.register('Group', 1, ([id], context) => this.group(id!, context), { domainId: true });
  }

  @Query(() => Group, { nullable: true })
  group(@Args('id', { type: () => ID }) id: string, @Context() context: RequestContext): Promise<Group | null> {
    requireActor(context);
    return findGroup(this.db, id);
  }

  @Query(() => GroupConnection)
  async groups(@Context() context: RequestContext, @Args({ type: () => PageArgs }) paging: PageArgs): Promise<GroupConnection> {
    requireActor(context);
    return toConnection(await listGroups(this.db, { page: pageRequest(paging) }));
  }

  @Query(() => GroupConnection, {
    description:
      'Community managers and auditors: groups that are not archived and have no owner, by group id. Their last owner ' +
      'left the organisation or was removed, so no owner moderates their cases: someone must take them over.',
  })
  async ownerlessGroups(@Context() context: RequestContext, @Args({ type: () => PageArgs }) paging: PageArgs): Promise<GroupConnection> {
    requireRole(context, [Role.COMMUNITY_MANAGER, Role.AUDITOR], 'listing groups without an owner');
    return toConnection(await listOwnerlessGroups(this.db, { page: pageRequest(paging) }));
  }

  @Mutation(() => Group)
  createGroup(@Args('input', { type: () => CreateGroupInput }) input: CreateGroupInput, @Context() context: RequestContext) {
    return this.commands.execute(new RunUseCase(createGroup, input, context));
  }

  @Mutation(() => Group)
  assignGroupOwner(@Args('input', { type: () => AssignGroupOwnerInput }) input: AssignGroupOwnerInput, @Context() context: RequestContext) {
    return this.commands.execute(new RunUseCase(assignGroupOwner, input, context));
  }

  @Mutation(() => Group)
  removeGroupOwner(@Args('input', { type: () => AssignGroupOwnerInput }) input: AssignGroupOwnerInput, @Context() context: RequestContext) {
    return this.commands.execute(new RunUseCase(removeGroupOwner, input, context));
  }

  @Mutation(() => Group, { description: "Community managers: whether the group's owners must be certified to moderate its cases." })
  setGroupCertificationRequirement(
    @Args('input', { type: () => SetGroupCertificationRequirementInput }) input: SetGroupCertificationRequirementInput,
    @Context() context: RequestContext,
  ) {
    return this.commands.execute(new RunUseCase(setGroupCertificationRequirement, input, context));
  }
}

function toConnection(page: GroupPage): GroupConnection {
  return {
    edges: page.nodes.map((node) => ({ cursor: encodeGroupCursor(node.id), node })),
    pageInfo: {
      hasNextPage: page.hasNextPage,
      endCursor: page.endCursor,
      hasPreviousPage: page.hasPreviousPage,
      startCursor: page.startCursor,
    },
    totalCount: page.totalCount,
  };
}
