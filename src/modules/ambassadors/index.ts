import { AmbassadorEnrolmentRecord, AmbassadorMemberRecord, AmbassadorRecord } from './read-models/ambassador.records.ts';

export * from './ambassador.decider.ts';
export * from './read-models/ambassadors.projection.ts';
export type { AmbassadorEnrolmentView, AmbassadorView, DepartmentCoverageView } from './read-models/ambassadors.queries.ts';

/** The TypeORM entities of this module's read models (the composition root hands them to the read side). */
export const AMBASSADORS_READ_MODEL_ENTITIES = [AmbassadorRecord, AmbassadorEnrolmentRecord, AmbassadorMemberRecord];
