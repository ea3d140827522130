import { governanceModule, stream } from '../../platform/manifest/governance-module.ts';
import { AgreementsModule } from './agreements.module.ts';
import { ACCEPTANCE_STREAM_CATEGORY, agreementAcceptanceDecider } from './agreement-acceptance.decider.ts';
import { AGREEMENT_STREAM_CATEGORY, agreementDecider } from './agreement.decider.ts';
import { agreementsProjection } from './read-models/agreements.projection.ts';
import type { EventSchemaDefinition } from '#event-store';
import { AGREEMENT_ACCEPTANCE_EVENT_SCHEMAS } from './agreement-acceptance.decider.ts';
import { AGREEMENT_EVENT_SCHEMAS } from './agreement.decider.ts';

export * from './agreement.decider.ts';
export * from './agreement-acceptance.decider.ts';
export { publishedAgreementVersion, readAgreement } from './agreement-streams.ts';
export * from './read-models/agreements.projection.ts';

/** Every agreement event type: versions and acceptances. */
export const AGREEMENTS_EVENT_SCHEMAS: EventSchemaDefinition[] = [...AGREEMENT_EVENT_SCHEMAS, ...AGREEMENT_ACCEPTANCE_EVENT_SCHEMAS];

/** Agreements: the platform's published agreements (guidelines, terms) and members' acceptances. */
export const agreementsModule = governanceModule({
  name: 'agreements',
  streams: [
    stream(AGREEMENT_STREAM_CATEGORY, agreementDecider, AGREEMENT_EVENT_SCHEMAS),
    stream(ACCEPTANCE_STREAM_CATEGORY, agreementAcceptanceDecider, AGREEMENT_ACCEPTANCE_EVENT_SCHEMAS),
  ],
  projections: [agreementsProjection],
  nestModule: AgreementsModule,
});
