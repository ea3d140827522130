import type { CommandResult } from '#event-store';
import { ProjectionTimeoutError } from '#projections';
import { Role } from '../../platform/auth/role.ts';
import { useCasesFor, type UseCaseRequest } from '../../platform/command/use-case.ts';
import { requireKpi, requireScope } from './kpi-catalogue.ts';
import { kpiTargetDecider, kpiTargetStreamId, type KpiTargetState } from './kpi-target.decider.ts';
import { InsightsEngine, InsightsTimeoutError } from './insights-engine.ts';
import type { ClearKpiTargetInput, KpiTarget, SetKpiTargetInput } from './insights.graphql.ts';
import { targetStateView } from './insights.views.ts';

const kpiTargetUseCase = useCasesFor(kpiTargetDecider);

type TargetInput = Pick<SetKpiTargetInput, 'kpi' | 'scope'>;

/** The KPI and scope a target is for, checked (the stream id is made of them, and the answer names them). */
function targetOf(input: TargetInput) {
  const definition = requireKpi(input.kpi);
  return { kpi: definition.kpi, scope: requireScope(definition, input.scope) };
}

/**
 * Targets are events in their own streams; the answer is the stream's state after the command, once the insights'
 * live model has folded it (so a query right after shows the target: read-your-writes, like the read models).
 */
const kpiTargets = {
  // The role first: someone who may not set targets learns nothing from the validation of what they sent.
  roles: [Role.COMMUNITY_MANAGER],
  // No read model: the insights engine folds targets from the log itself (waited for in the answer).
  readModels: [],
  stream: ({ input }: UseCaseRequest<TargetInput>) => {
    const { kpi, scope } = targetOf(input);
    return kpiTargetStreamId(kpi, scope);
  },
  answer: async (
    { input, services }: UseCaseRequest<TargetInput>,
    { streamId, result }: { readonly streamId: string; readonly result: CommandResult<KpiTargetState> },
  ) => {
    const { kpi, scope } = targetOf(input);
    if (result.nextExpectedRevision >= 0) {
      const timeoutMs = services.config.readModelWaitMs;
      try {
        await services.get(InsightsEngine).waitFor(result.position, timeoutMs);
      } catch (error) {
        if (error instanceof InsightsTimeoutError) throw new ProjectionTimeoutError(['insights'], result.position, timeoutMs);
        throw error;
      }
    }
    return targetStateView(kpi, scope, result.state, streamId, result.nextExpectedRevision);
  },
} as const;

export const setKpiTarget = kpiTargetUseCase<SetKpiTargetInput, KpiTarget>({
  ...kpiTargets,
  action: 'setting a KPI target',
  command: ({ input, actor }, { at }) => ({ type: 'SetKpiTarget', ...targetOf(input), value: input.value, actorId: actor.id, at }),
});

export const clearKpiTarget = kpiTargetUseCase<ClearKpiTargetInput, KpiTarget>({
  ...kpiTargets,
  action: 'clearing a KPI target',
  command: ({ input, actor }, { at }) => ({ type: 'ClearKpiTarget', ...targetOf(input), actorId: actor.id, at }),
});
