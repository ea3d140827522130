import { governanceModule, stream } from '../../platform/manifest/governance-module.ts';
import { AgreementsModule } from './agreements.module.ts';
import { ACCEPTANCE_STREAM_CATEGORY, agreementAcceptanceDecider } from './agreement-acceptance.decider.ts';
import { AGREEMENT_STREAM_CATEGORY, agreementDecider } from './agreement.decider.ts';
import { agreementsProjection } from './read-models/agreements.projection.ts';
import type { EventSchemaDefinition } from '#event-store';
import { AGREEMENT_ACCEPTANCE_EVENT_SCHEMAS } from './agreement-acceptance.decider.ts';
import { AGREEMENT_EVENT_SCHEMAS } from './agreement.decider.ts';
import {
  AgreementAcceptanceRecord,
  AgreementMemberRecord,
  AgreementRecord,
  AgreementVersionRecord,
} from './read-models/agreement.records.ts';

export * from './agreement.decider.ts';
export * from './agreement-acceptance.decider.ts';
export { publishedAgreementVersion, readAgreement } from './agreement-streams.ts';
export * from './read-models/agreements.projection.ts';
export type { AgreementAcceptanceView, AgreementVersionView, AgreementView } from './read-models/agreements.queries.ts';

/** Every agreement event type: versions and acceptances. */
export const AGREEMENTS_EVENT_SCHEMAS: EventSchemaDefinition[] = [...AGREEMENT_EVENT_SCHEMAS, ...AGREEMENT_ACCEPTANCE_EVENT_SCHEMAS];

/** The TypeORM entities of this module's read models (the composition root hands them to the read side). */
export const AGREEMENTS_READ_MODEL_ENTITIES = [AgreementRecord, AgreementVersionRecord, AgreementAcceptanceRecord, AgreementMemberRecord];

/** Agreements: the platform's published agreements (guidelines, terms) and members' acceptances. */
export const agreementsModule = governanceModule({
  name: 'agreements',
  streams: [
    stream(AGREEMENT_STREAM_CATEGORY, agreementDecider, AGREEMENT_EVENT_SCHEMAS),
    stream(ACCEPTANCE_STREAM_CATEGORY, agreementAcceptanceDecider, AGREEMENT_ACCEPTANCE_EVENT_SCHEMAS),
  ],
  projections: [agreementsProjection],
  readModelEntities: AGREEMENTS_READ_MODEL_ENTITIES,
  nestModule: AgreementsModule,
});
