import { kpiDefinition, type KpiId } from './kpi-catalogue.ts';
import type { TargetFacts } from './insights-model.ts';
import type { GroupGap, InsightsSnapshot, KpiValue as KpiValueFigures } from './insights-measures.ts';
import type { KpiTargetState } from './kpi-target.decider.ts';
import type { GovernanceInsights, KpiTarget, KpiValue, OwnerCertificationInsight } from './insights.graphql.ts';
import { unreachable } from '../../platform/shared/exhaustive.ts';

/** GovernanceInsights as the resolver answers it: the KPI values and the failing groups are fields with arguments. */
export type GovernanceInsightsView = GovernanceInsights & {
  readonly kpiValues: readonly KpiValue[];
  readonly ownerCertification: OwnerCertificationInsightView;
};

export type OwnerCertificationInsightView = OwnerCertificationInsight & { readonly gaps: readonly GroupGap[] };

export function insightsView(snapshot: InsightsSnapshot): GovernanceInsightsView {
  const { at, periodStart, kpis, ownerCertification, training, ambassadors, moderation, agreements, privacy, adoptionComparisons } =
    snapshot;
  return {
    at: new Date(at),
    periodStart: new Date(periodStart),
    ownerCertification: {
      groups: ownerCertification.groups,
      coveredGroups: ownerCertification.coveredGroups,
      coverage: ownerCertification.coverage,
      failingGroupCount: ownerCertification.failingGroups.length,
      gaps: ownerCertification.failingGroups,
    },
    // The figures are plain data of the same shape as the GraphQL types (readonly arrays aside).
    training: training as GovernanceInsights['training'],
    ambassadors: ambassadors as GovernanceInsights['ambassadors'],
    moderation: moderation as GovernanceInsights['moderation'],
    agreements: agreements as GovernanceInsights['agreements'],
    privacy: privacy as GovernanceInsights['privacy'],
    adoptionComparisons,
    kpiValues: kpis.map(kpiValueView),
  };
}

function kpiValueView(value: KpiValueFigures): KpiValue {
  return { ...value, target: value.target ? targetView(value.target) : null };
}

export function targetView(target: TargetFacts): KpiTarget {
  return {
    kpi: target.kpi,
    scope: target.scope,
    value: target.value,
    direction: target.direction,
    changedBy: target.setBy,
    changedAt: new Date(target.setAt),
    streamId: target.streamId,
    revision: target.revision,
  };
}

/** A mutation's answer, from the target's stream as the command left it. */
export function targetStateView(kpi: KpiId, scope: string | null, state: KpiTargetState, streamId: string, revision: number): KpiTarget {
  const base = { kpi, scope, streamId, revision };
  switch (state.status) {
    case 'set':
      return { ...base, value: state.value, direction: state.direction, changedBy: state.setBy, changedAt: new Date(state.setAt) };
    case 'cleared':
      return {
        ...base,
        value: null,
        direction: kpiDefinition(kpi).direction,
        changedBy: state.clearedBy,
        changedAt: new Date(state.clearedAt),
      };
    case 'none':
      return { ...base, value: null, direction: kpiDefinition(kpi).direction, changedBy: null, changedAt: null };
    default:
      return unreachable('KPI target state', state, 'status');
  }
}
