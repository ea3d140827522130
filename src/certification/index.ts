import type { EventSchemaDefinition } from '#event-store';
import { CERTIFICATION_LEVEL_EVENT_SCHEMAS } from './certification-level.decider.ts';
import { CERTIFICATION_EVENT_SCHEMAS } from './certification.decider.ts';

export * from './certification-level.decider.ts';
export * from './certification.decider.ts';
export * from './certification-streams.ts';
export * from './certification-renewal.ts';
export * from './read-models/certification.projection.ts';
export * from './read-models/certification.views.ts';
export { certificationStatuses, findCertification, listCertificationLevels } from './read-models/certification.queries.ts';

/** Every certification event type: levels and members' certifications. */
export const CERTIFICATION_MODULE_EVENT_SCHEMAS: EventSchemaDefinition[] = [
  ...CERTIFICATION_LEVEL_EVENT_SCHEMAS,
  ...CERTIFICATION_EVENT_SCHEMAS,
];
