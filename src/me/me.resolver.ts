import { Context, Field, ID, ObjectType, Query, Resolver } from '@nestjs/graphql';
import { requireActor, type RequestContext } from '../auth/request-context.ts';
import { Role } from '../auth/role.ts';

@ObjectType('Actor')
export class ActorType {
  @Field(() => ID)
  id!: string;

  @Field(() => [Role])
  roles!: Role[];
}

@Resolver()
export class MeResolver {
  @Query(() => ActorType, { description: 'Who the bearer token says you are.' })
  me(@Context() context: RequestContext): ActorType {
    const actor = requireActor(context);
    return { id: actor.id, roles: [...actor.roles] };
  }
}
