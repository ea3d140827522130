/**
 * Adoption (issue 24): how lively the groups are, as aggregates per group and period imported from the platform's
 * own usage reports. Never per-person activity.
 */
export * from './group-activity.decider.ts';
export { MAX_ACTIVITY_ROWS, GENERIC_COLUMNS, parseActivityReport } from './activity-report.ts';
export { AdoptionModule } from './adoption.module.ts';
