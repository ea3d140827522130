export * from './kpi-catalogue.ts';
export * from './kpi-target.decider.ts';
export { InsightsEngine, type InsightsEngineOptions } from './insights-engine.ts';
export type { InsightsPoint, InsightsSnapshot, KpiValue as KpiMeasurement } from './insights-measures.ts';
export { seriesPoints, pointAt, type InsightStep } from './insights-timeline.ts';
export { InsightsModule } from './insights.module.ts';
