import { governanceModule, stream } from '../../platform/manifest/governance-module.ts';
import { AmbassadorsModule } from './ambassadors.module.ts';
import { AMBASSADOR_EVENT_SCHEMAS, AMBASSADOR_STREAM_CATEGORY, ambassadorDecider } from './ambassador.decider.ts';
import { ambassadorsProjection } from './read-models/ambassadors.projection.ts';

export * from './ambassador.decider.ts';
export * from './read-models/ambassadors.projection.ts';

/** Ambassadors: nominations, onboarding and offboarding. */
export const ambassadorsModule = governanceModule({
  name: 'ambassadors',
  streams: [stream(AMBASSADOR_STREAM_CATEGORY, ambassadorDecider, AMBASSADOR_EVENT_SCHEMAS, { memberKeyed: true })],
  projections: [ambassadorsProjection],
  nestModule: AmbassadorsModule,
});
