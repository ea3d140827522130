import { governanceModule, stream } from '../../platform/manifest/governance-module.ts';
import { PrivacyModule } from './privacy.module.ts';
import { PRIVACY_EVENT_SCHEMAS, PRIVACY_STREAM_CATEGORY, privacyDecider } from './privacy.decider.ts';
import { privacyProjection } from './read-models/privacy.projection.ts';
export * from './privacy.decider.ts';
export * from './read-models/privacy.projection.ts';
export * from './privacy-requests.ts';
export * from './erasure-contact.ts';

/** Privacy: consent, access and erasure requests (crypto-shredding). */
export const privacyModule = governanceModule({
  name: 'privacy',
  streams: [stream(PRIVACY_STREAM_CATEGORY, privacyDecider, PRIVACY_EVENT_SCHEMAS, { memberKeyed: true })],
  projections: [privacyProjection],
  nestModule: PrivacyModule,
});
