import { Inject } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { Args, Context, Mutation, Query, Resolver } from '@nestjs/graphql';
import { DataSource } from 'typeorm';
import type { RequestContext } from '../../platform/auth/request-context.ts';
import { RunUseCase } from '../../platform/command/use-case.ts';
import { NotificationPreferences, SetNotificationPreferencesInput } from './notification-preferences.graphql.ts';
import { myNotificationPreferences, setNotificationPreferences } from './notification-preferences.use-cases.ts';

@Resolver()
export class NotificationPreferencesResolver {
  constructor(
    @Inject(CommandBus) private readonly commands: CommandBus,
    @Inject(DataSource) private readonly db: DataSource,
  ) {}

  @Query(() => NotificationPreferences, { description: 'The signed-in member: which notifications they chose not to receive.' })
  myNotificationPreferences(@Context() context: RequestContext): Promise<NotificationPreferences> {
    return myNotificationPreferences(this.db, context);
  }

  @Mutation(() => NotificationPreferences, {
    description:
      'The signed-in member, for themself only: the kinds of notification not to receive (the whole set). Decisions about ' +
      'their own content cannot be turned off (BAD_USER_INPUT).',
  })
  setNotificationPreferences(
    @Args('input', { type: () => SetNotificationPreferencesInput }) input: SetNotificationPreferencesInput,
    @Context() context: RequestContext,
  ): Promise<NotificationPreferences> {
    return this.commands.execute(new RunUseCase(setNotificationPreferences, input, context));
  }
}
