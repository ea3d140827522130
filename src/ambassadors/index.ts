export * from './ambassador.decider.ts';
export * from './read-models/ambassadors.projection.ts';
export type { AmbassadorEnrolmentView, AmbassadorView, DepartmentCoverageView } from './read-models/ambassadors.queries.ts';
