import { Inject, Module } from '@nestjs/common';
import { Context, Field, ID, ObjectType, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { DataSource } from 'typeorm';
import { requireActor, type RequestContext } from '../../platform/auth/request-context.ts';
import { Role } from '../../platform/auth/role.ts';
import { findGroup, Group, groupsOwnedBy } from '../groups/index.ts';

@ObjectType('Actor')
export class ActorType {
  @Field(() => ID)
  id!: string;

  @Field(() => [Role])
  roles!: Role[];
}

@Resolver(() => ActorType)
export class MeResolver {
  constructor(@Inject(DataSource) private readonly db: DataSource) {}

  @Query(() => ActorType, { description: 'Who the bearer token says you are.' })
  me(@Context() context: RequestContext): ActorType {
    const actor = requireActor(context);
    return { id: actor.id, roles: [...actor.roles] };
  }

  /**
   * From the groups read model, not the token: ownership is governance state (assigned and removed by community
   * managers), and a token's GROUP_OWNER role says nothing about which groups, or whether still.
   */
  @ResolveField(() => [Group], { description: 'The groups the caller owns now (ownership is governance state, not a token claim), by id.' })
  async ownedGroups(@Parent() actor: ActorType): Promise<Group[]> {
    const ids = await groupsOwnedBy(this.db, actor.id);
    const groups = await Promise.all(ids.map((id) => findGroup(this.db, id)));
    return groups.filter((group): group is Group => group !== null);
  }
}

@Module({ providers: [MeResolver] })
export class MeModule {}
