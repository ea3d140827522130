import { governanceModule, stream } from '../../platform/manifest/governance-module.ts';
import { AmbassadorsModule } from './ambassadors.module.ts';
import { AMBASSADOR_EVENT_SCHEMAS, AMBASSADOR_STREAM_CATEGORY, ambassadorDecider } from './ambassador.decider.ts';
import { ambassadorsProjection } from './read-models/ambassadors.projection.ts';
import { AmbassadorEnrolmentRecord, AmbassadorMemberRecord, AmbassadorRecord } from './read-models/ambassador.records.ts';

export * from './ambassador.decider.ts';
export * from './read-models/ambassadors.projection.ts';
export type { AmbassadorEnrolmentView, AmbassadorView, DepartmentCoverageView } from './read-models/ambassadors.queries.ts';

/** The TypeORM entities of this module's read models (the composition root hands them to the read side). */
export const AMBASSADORS_READ_MODEL_ENTITIES = [AmbassadorRecord, AmbassadorEnrolmentRecord, AmbassadorMemberRecord];

/** Ambassadors: nominations, onboarding and offboarding. */
export const ambassadorsModule = governanceModule({
  name: 'ambassadors',
  streams: [stream(AMBASSADOR_STREAM_CATEGORY, ambassadorDecider, AMBASSADOR_EVENT_SCHEMAS, { memberKeyed: true })],
  projections: [ambassadorsProjection],
  readModelEntities: AMBASSADORS_READ_MODEL_ENTITIES,
  nestModule: AmbassadorsModule,
});
