import { Inject } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { Args, Context, Mutation, Resolver } from '@nestjs/graphql';
import type { RequestContext } from '../../platform/auth/request-context.ts';
import { ImportGroupActivityCommand } from './adoption.commands.ts';
import { ActivityImportResult, ImportGroupActivityInput } from './adoption.graphql.ts';

@Resolver()
export class AdoptionResolver {
  constructor(@Inject(CommandBus) private readonly commands: CommandBus) {}

  @Mutation(() => ActivityImportResult, {
    description: "Community managers: per-group activity aggregates from the platform's usage report (never per-person activity).",
  })
  importGroupActivity(
    @Args('input', { type: () => ImportGroupActivityInput }) input: ImportGroupActivityInput,
    @Context() context: RequestContext,
  ): Promise<ActivityImportResult> {
    return this.commands.execute(new ImportGroupActivityCommand(input, context));
  }
}
