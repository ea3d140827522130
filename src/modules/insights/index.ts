import { governanceModule, stream } from '../../platform/manifest/governance-module.ts';
import { InsightsModule as InsightsNestModule } from './insights.module.ts';
import { KPI_TARGET_EVENT_SCHEMAS, KPI_TARGET_STREAM_CATEGORY, kpiTargetDecider } from './kpi-target.decider.ts';
export * from './kpi-catalogue.ts';
export * from './kpi-target.decider.ts';
export { InsightsEngine, type InsightsEngineOptions } from './insights-engine.ts';
export type { InsightsPoint, InsightsSnapshot, KpiValue as KpiMeasurement } from './insights-measures.ts';
export { seriesPoints, pointAt, type InsightStep } from './insights-timeline.ts';
export { InsightsModule } from './insights.module.ts';

/** Insights: KPIs measured from the log, and their targets. */
export const insightsModule = governanceModule({
  name: 'insights',
  streams: [stream(KPI_TARGET_STREAM_CATEGORY, kpiTargetDecider, KPI_TARGET_EVENT_SCHEMAS)],
  nestModule: InsightsNestModule,
});
