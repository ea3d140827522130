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
