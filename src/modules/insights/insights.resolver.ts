import { Inject } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { Args, Context, Int, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { requireRole, type RequestContext } from '../../platform/auth/request-context.ts';
import { Role } from '../../platform/auth/role.ts';
import type { UncertifiedOwner } from '../certification/index.ts';
import { NodeRegistry } from '../../platform/graphql/node.ts';
import { badInput } from '../../platform/shared/domain-error.ts';
import { KPI_IDS, kpiDefinition, type KpiId } from './kpi-catalogue.ts';
import { InsightsEngine } from './insights-engine.ts';
import type { InsightsSnapshot } from './insights-measures.ts';
import { pointAt, seriesPoints, type InsightStep } from './insights-timeline.ts';
import { RunUseCase } from '../../platform/command/use-case.ts';
import { clearKpiTarget, setKpiTarget } from './insights.use-cases.ts';
import {
  ClearKpiTargetInput,
  GovernanceInsights,
  GovernanceInsightSeries,
  GroupCertificationGap,
  InsightPeriod,
  Kpi,
  KpiDefinitionType,
  KpiTarget,
  KpiValue,
  OwnerCertificationInsight,
  SetKpiTargetInput,
} from './insights.graphql.ts';
import {
  DEFAULT_DAYS_WITHOUT_ACTIVITY,
  groupsWithoutActivity,
  MAX_DAYS_WITHOUT_ACTIVITY,
  MAX_GROUPS_WITHOUT_ACTIVITY,
} from './adoption-attention.ts';
import { GroupsWithoutActivity } from './adoption-attention.graphql.ts';
import { insightsView, targetView, type GovernanceInsightsView, type OwnerCertificationInsightView } from './insights.views.ts';

/** Who reads the KPIs: the people who run governance and those who check it. */
const READERS = [Role.COMMUNITY_MANAGER, Role.AUDITOR];
const MAX_FAILING_GROUPS = 500;

function requireReader(context: RequestContext): void {
  requireRole(context, READERS, 'reading governance insights');
}

/** GraphQL's DateTime gives an invalid Date for a value it could not read. */
function requireTime(value: Date, field: string): number {
  const ms = value.getTime();
  if (Number.isNaN(ms)) throw badInput(`${field} must be a date and time`, { field });
  return ms;
}

/** The KPI as a whole first, then its scopes by UTF-16 code units (as the KPI values are ordered). */
function compareScopes(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  return a < b ? -1 : 1;
}

@Resolver(() => GovernanceInsights)
export class InsightsResolver {
  constructor(
    @Inject(InsightsEngine) private readonly engine: InsightsEngine,
    @Inject(CommandBus) private readonly commands: CommandBus,
    @Inject(NodeRegistry) nodes: NodeRegistry,
  ) {
    nodes.register('KpiDefinition', 1, async ([kpi], context) => this.kpiDefinitions(context).find((definition) => definition.kpi === kpi));
    nodes.register('KpiTarget', 1, async ([streamId], context) =>
      (await this.kpiTargets(context)).find((target) => target.streamId === streamId),
    );
  }

  @Query(() => GovernanceInsights, {
    description:
      'Community managers and auditors: the KPIs at `at` (default now) as the log stood then, flows over the period ending there.',
  })
  async governanceInsights(
    @Context() context: RequestContext,
    @Args('at', { type: () => Date, nullable: true }) at?: Date | null,
    @Args('period', { type: () => InsightPeriod, defaultValue: 'MONTH' }) period: InsightStep = 'MONTH',
  ): Promise<GovernanceInsightsView> {
    requireReader(context);
    const now = Date.now();
    if (at === null || at === undefined) return insightsView(await this.engine.current(pointAt(now, period)));
    const ms = requireTime(at, 'at');
    if (ms > now) throw badInput('at must not be in the future: there is no history there yet', { field: 'at' });
    const [snapshot] = await this.engine.series([pointAt(ms, period)]);
    return insightsView(snapshot!);
  }

  @Query(() => GovernanceInsightSeries, {
    description: 'Community managers and auditors: the KPIs at `from` and every step after it up to `to`, each as the log stood then.',
  })
  async governanceInsightSeries(
    @Context() context: RequestContext,
    @Args('from', { type: () => Date }) from: Date,
    @Args('to', { type: () => Date }) to: Date,
    @Args('step', { type: () => InsightPeriod }) step: InsightStep,
  ): Promise<GovernanceInsightSeries> {
    requireReader(context);
    const points = seriesPoints(requireTime(from, 'from'), requireTime(to, 'to'), step, Date.now());
    const snapshots = await this.engine.series(points);
    return { from, to, step, points: snapshots.map(insightsView) };
  }

  @Query(() => GroupsWithoutActivity, {
    description:
      'Community managers and auditors: the groups without activity for `days` days at `at` (default now), as the log ' +
      'stood then: which groups ADOPTION_GROUPS_INACTIVE_30_DAYS counts (with other days, by the same rule).',
  })
  async groupsWithoutActivity(
    @Context() context: RequestContext,
    @Args('at', { type: () => Date, nullable: true }) at?: Date | null,
    // Nullable with a default, like every list's `first`: a client may declare the variable `Int` and leave it out.
    @Args('days', {
      type: () => Int,
      nullable: true,
      defaultValue: DEFAULT_DAYS_WITHOUT_ACTIVITY,
      description: `1 to ${MAX_DAYS_WITHOUT_ACTIVITY}.`,
    })
    daysAsked?: number | null,
    @Args('first', {
      type: () => Int,
      nullable: true,
      defaultValue: 100,
      description: `At most ${MAX_GROUPS_WITHOUT_ACTIVITY}; total counts them all.`,
    })
    firstAsked?: number | null,
  ): Promise<GroupsWithoutActivity> {
    requireReader(context);
    const days = daysAsked ?? DEFAULT_DAYS_WITHOUT_ACTIVITY;
    const first = firstAsked ?? 100;
    if (!Number.isInteger(days) || days < 1 || days > MAX_DAYS_WITHOUT_ACTIVITY) {
      throw badInput(`days must be a whole number from 1 to ${MAX_DAYS_WITHOUT_ACTIVITY}`, { field: 'days' });
    }
    if (!Number.isInteger(first) || first < 0 || first > MAX_GROUPS_WITHOUT_ACTIVITY) {
      throw badInput(`first must be a whole number from 0 to ${MAX_GROUPS_WITHOUT_ACTIVITY}`, { field: 'first' });
    }
    const answer = groupsWithoutActivity(await this.snapshotAt(at), days, first);
    return { ...answer, at: new Date(answer.at), groups: [...answer.groups] };
  }

  /** The figures at `at` (default now) as the log stood then; the period is a week, which no adoption figure reads. */
  private async snapshotAt(at: Date | null | undefined): Promise<InsightsSnapshot> {
    const now = Date.now();
    if (at === null || at === undefined) return this.engine.current(pointAt(now, 'WEEK'));
    const ms = requireTime(at, 'at');
    if (ms > now) throw badInput('at must not be in the future: there is no history there yet', { field: 'at' });
    const [snapshot] = await this.engine.series([pointAt(ms, 'WEEK')]);
    return snapshot!;
  }

  @Query(() => [KpiDefinitionType], { description: 'Community managers and auditors: every KPI, its unit, direction and scopes.' })
  kpiDefinitions(@Context() context: RequestContext): KpiDefinitionType[] {
    requireReader(context);
    return KPI_IDS.map((kpi) => ({ ...kpiDefinition(kpi) }));
  }

  @Query(() => [KpiTarget], { description: 'Community managers and auditors: the targets set now, by KPI and scope.' })
  async kpiTargets(@Context() context: RequestContext): Promise<KpiTarget[]> {
    requireReader(context);
    const order = (kpi: KpiId) => KPI_IDS.indexOf(kpi);
    return (await this.engine.currentTargets())
      .sort((a, b) => order(a.kpi) - order(b.kpi) || compareScopes(a.scope, b.scope))
      .map(targetView);
  }

  @ResolveField(() => [KpiValue], { description: 'Every KPI (or those asked for): the community as a whole first, then each scope.' })
  kpis(
    @Parent() insights: GovernanceInsightsView,
    @Args('kpis', { type: () => [Kpi], nullable: true }) kpis?: KpiId[] | null,
    @Args('scope', { type: () => String, nullable: true, description: 'Only the values of this scope.' }) scope?: string | null,
    @Args('overallOnly', { type: () => Boolean, defaultValue: false, description: 'Only the values for the community as a whole.' })
    overallOnly = false,
  ): readonly KpiValue[] {
    return insights.kpiValues.filter(
      (value) =>
        (!kpis || kpis.length === 0 || kpis.includes(value.kpi)) &&
        (scope === null || scope === undefined || value.scope === scope) &&
        (!overallOnly || value.scope === null),
    );
  }

  @Mutation(() => KpiTarget, { description: 'Community managers: sets the target of a KPI, for the whole community or one scope.' })
  setKpiTarget(@Args('input', { type: () => SetKpiTargetInput }) input: SetKpiTargetInput, @Context() context: RequestContext) {
    return this.commands.execute(new RunUseCase(setKpiTarget, input, context));
  }

  @Mutation(() => KpiTarget, { description: 'Community managers: removes a target; the answer has value null.' })
  clearKpiTarget(@Args('input', { type: () => ClearKpiTargetInput }) input: ClearKpiTargetInput, @Context() context: RequestContext) {
    return this.commands.execute(new RunUseCase(clearKpiTarget, input, context));
  }
}

@Resolver(() => OwnerCertificationInsight)
export class OwnerCertificationInsightResolver {
  @ResolveField(() => [GroupCertificationGap], { description: 'The groups that fail, by group id.' })
  failingGroups(
    @Parent() insight: OwnerCertificationInsightView,
    @Args('first', { type: () => Int, defaultValue: 100, description: `At most ${MAX_FAILING_GROUPS}.` }) first: number,
  ): GroupCertificationGap[] {
    if (!Number.isInteger(first) || first < 0 || first > MAX_FAILING_GROUPS) {
      throw badInput(`first must be a whole number from 0 to ${MAX_FAILING_GROUPS}`, { field: 'first' });
    }
    return insight.gaps.slice(0, first).map((gap) => ({ ...gap, uncertifiedOwners: gap.uncertifiedOwners as UncertifiedOwner[] }));
  }
}
