import { Inject } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { Args, Context, Mutation, Resolver } from '@nestjs/graphql';
import { DataSource } from 'typeorm';
import type { RequestContext } from '../../platform/auth/request-context.ts';
import { RunUseCase } from '../../platform/command/use-case.ts';
import { ActivityImportResult, ImportGroupActivityInput } from './adoption.graphql.ts';
import {
  activityImportResult,
  CONCURRENT_GROUPS,
  planGroupActivityImport,
  recordGroupActivity,
  type RecordGroupActivityInput,
} from './adoption.use-cases.ts';

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
}
