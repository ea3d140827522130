import { Inject } from '@nestjs/common';
import { Command, CommandHandler } from '@nestjs/cqrs';
import type { CommandResult } from '#event-store';
import { ProjectionTimeoutError } from '#projections';
import { requireActor, requireRole, type RequestContext } from '../../platform/auth/request-context.ts';
import { Role } from '../../platform/auth/role.ts';
import { CommandPipeline } from '../../platform/command/command-pipeline.ts';
import type { AppConfig } from '../../platform/config/config.ts';
import { APP_CONFIG } from '../../platform/shared/tokens.ts';
import { requireKpi, requireScope } from './kpi-catalogue.ts';
import { kpiTargetDecider, kpiTargetStreamId, type KpiTargetCommand, type KpiTargetState } from './kpi-target.decider.ts';
import { InsightsEngine, InsightsTimeoutError } from './insights-engine.ts';
import type { ClearKpiTargetInput, KpiTarget, SetKpiTargetInput } from './insights.graphql.ts';
import { targetStateView } from './insights.views.ts';

export class SetKpiTargetCommand extends Command<KpiTarget> {
  constructor(
    readonly input: SetKpiTargetInput,
    readonly context: RequestContext,
  ) {
    super();
  }
}

export class ClearKpiTargetCommand extends Command<KpiTarget> {
  constructor(
    readonly input: ClearKpiTargetInput,
    readonly context: RequestContext,
  ) {
    super();
  }
}

/**
 * Targets are events in their own streams; the answer is the stream's state after the command, once the insights'
 * live model has folded it (so a query right after shows the target: read-your-writes, like the read models).
 */
abstract class KpiTargetHandler {
  constructor(
    @Inject(CommandPipeline) private readonly pipeline: CommandPipeline,
    @Inject(InsightsEngine) private readonly engine: InsightsEngine,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  protected async run(
    context: RequestContext,
    input: SetKpiTargetInput | ClearKpiTargetInput,
    action: string,
    command: (kpi: string, scope: string | null, actorId: string, at: string) => KpiTargetCommand,
  ): Promise<KpiTarget> {
    // The role first: someone who may not set targets learns nothing from the validation of what they sent.
    requireRole(context, [Role.COMMUNITY_MANAGER], action);
    const definition = requireKpi(input.kpi);
    const scope = requireScope(definition, input.scope);
    const streamId = kpiTargetStreamId(definition.kpi, scope);
    const result: CommandResult<KpiTargetState> = await this.pipeline.executeMutation({
      context,
      roles: [Role.COMMUNITY_MANAGER],
      action,
      input,
      streamId,
      decider: kpiTargetDecider,
      command: (at) => command(definition.kpi, scope, requireActor(context).id, at),
      // No read model: the insights engine folds targets from the log itself (waited for below).
      readModels: [],
    });
    if (result.nextExpectedRevision >= 0) {
      try {
        await this.engine.waitFor(result.position, this.config.readModelWaitMs);
      } catch (error) {
        if (error instanceof InsightsTimeoutError)
          throw new ProjectionTimeoutError(['insights'], result.position, this.config.readModelWaitMs);
        throw error;
      }
    }
    return targetStateView(definition.kpi, scope, result.state, streamId, result.nextExpectedRevision);
  }
}

@CommandHandler(SetKpiTargetCommand)
export class SetKpiTargetHandler extends KpiTargetHandler {
  execute({ input, context }: SetKpiTargetCommand): Promise<KpiTarget> {
    return this.run(context, input, 'setting a KPI target', (kpi, scope, actorId, at) => ({
      type: 'SetKpiTarget',
      kpi,
      scope,
      value: input.value,
      actorId,
      at,
    }));
  }
}

@CommandHandler(ClearKpiTargetCommand)
export class ClearKpiTargetHandler extends KpiTargetHandler {
  execute({ input, context }: ClearKpiTargetCommand): Promise<KpiTarget> {
    return this.run(context, input, 'clearing a KPI target', (kpi, scope, actorId, at) => ({
      type: 'ClearKpiTarget',
      kpi,
      scope,
      actorId,
      at,
    }));
  }
}

export const INSIGHTS_COMMAND_HANDLERS = [SetKpiTargetHandler, ClearKpiTargetHandler];
