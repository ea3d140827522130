import { Inject } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { Args, Context, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { DataSource } from 'typeorm';
import { requireActor, type RequestContext } from '../../platform/auth/request-context.ts';
import { PageArgs, pageRequest } from '../../platform/graphql/pagination.ts';
import { requireText } from '../../platform/shared/identifiers.ts';
import { directoryReaderOf } from './directory-reader.ts';
import { DEPARTMENT_MAX, DISPLAY_NAME_MAX } from './member.decider.ts';
import { RunUseCase } from '../../platform/command/use-case.ts';
import { recordMemberLeft, registerMember, updateMember } from './member.use-cases.ts';
import { Member, MemberConnection, RecordMemberLeftInput, RegisterMemberInput, UpdateMemberInput, toMember } from './member.graphql.ts';
import { encodeMemberCursor, findMember, listMembers } from './read-models/members.queries.ts';
import { NodeRegistry } from '../../platform/graphql/node.ts';

@Resolver(() => Member)
export class MembersResolver {
  constructor(
    @Inject(CommandBus) private readonly commands: CommandBus,
    @Inject(DataSource) private readonly db: DataSource,
    @Inject(NodeRegistry) nodes: NodeRegistry,
  ) {
    nodes.register('Member', 1, ([id], context) => this.member(id!, context), { domainId: true });
  }

  @Query(() => Member, { nullable: true })
  async member(@Args('id', { type: () => ID }) id: string, @Context() context: RequestContext): Promise<Member | null> {
    const view = await findMember(this.db, id, directoryReaderOf(requireActor(context)));
    return view && toMember(view);
  }

  @Query(() => MemberConnection)
  async members(
    @Context() context: RequestContext,
    @Args({ type: () => PageArgs }) paging: PageArgs,
    @Args('department', { type: () => String, nullable: true }) department?: string | null,
    @Args('search', {
      type: () => String,
      nullable: true,
      description: 'Members whose display name contains this (case-insensitive), or whose id it is: what a picker has typed.',
    })
    search?: string | null,
  ): Promise<MemberConnection> {
    const reader = directoryReaderOf(requireActor(context));
    const departmentFilter =
      department === null || department === undefined ? undefined : requireText(department, 'department', DEPARTMENT_MAX);
    const searchFilter = search === null || search === undefined ? undefined : requireText(search, 'search', DISPLAY_NAME_MAX);
    const page = await listMembers(this.db, { reader, department: departmentFilter, search: searchFilter, page: pageRequest(paging) });
    return toConnection(page);
  }

  @Mutation(() => Member)
  registerMember(@Args('input', { type: () => RegisterMemberInput }) input: RegisterMemberInput, @Context() context: RequestContext) {
    return this.commands.execute(new RunUseCase(registerMember, input, context));
  }

  @Mutation(() => Member)
  updateMember(@Args('input', { type: () => UpdateMemberInput }) input: UpdateMemberInput, @Context() context: RequestContext) {
    return this.commands.execute(new RunUseCase(updateMember, input, context));
  }

  @Mutation(() => Member)
  recordMemberLeft(@Args('input', { type: () => RecordMemberLeftInput }) input: RecordMemberLeftInput, @Context() context: RequestContext) {
    return this.commands.execute(new RunUseCase(recordMemberLeft, input, context));
  }
}

function toConnection(page: Awaited<ReturnType<typeof listMembers>>): MemberConnection {
  return {
    edges: page.nodes.map((node) => ({ cursor: encodeMemberCursor(node.id), node: toMember(node) })),
    pageInfo: {
      hasNextPage: page.hasNextPage,
      endCursor: page.endCursor,
      hasPreviousPage: page.hasPreviousPage,
      startCursor: page.startCursor,
    },
    totalCount: page.totalCount,
  };
}
