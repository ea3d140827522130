import type { EventSchemaDefinition } from '#event-store';
import { AGREEMENT_ACCEPTANCE_EVENT_SCHEMAS } from './agreement-acceptance.decider.ts';
import { AGREEMENT_EVENT_SCHEMAS } from './agreement.decider.ts';

export * from './agreement.decider.ts';
export * from './agreement-acceptance.decider.ts';
export { publishedAgreementVersion, readAgreement } from './agreement-streams.ts';
export * from './read-models/agreements.projection.ts';
export type { AgreementAcceptanceView, AgreementVersionView, AgreementView } from './read-models/agreements.queries.ts';

/** Every agreement event type: versions and acceptances. */
export const AGREEMENTS_EVENT_SCHEMAS: EventSchemaDefinition[] = [...AGREEMENT_EVENT_SCHEMAS, ...AGREEMENT_ACCEPTANCE_EVENT_SCHEMAS];
