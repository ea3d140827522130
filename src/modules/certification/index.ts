import { governanceModule, stream } from '../../platform/manifest/governance-module.ts';
import { CertificationModule } from './certification.module.ts';
import {
  CERTIFICATION_LEVEL_EVENT_SCHEMAS as LEVEL_SCHEMAS,
  CERTIFICATION_LEVEL_STREAM_CATEGORY,
  certificationLevelDecider,
} from './certification-level.decider.ts';
import {
  CERTIFICATION_EVENT_SCHEMAS as RECORD_SCHEMAS,
  CERTIFICATION_STREAM_CATEGORY,
  certificationDecider,
} from './certification.decider.ts';
import { createCertificationRenewalScheduler } from './certification-renewal.ts';
import { certificationProjection } from './read-models/certification.projection.ts';
import type { EventSchemaDefinition } from '#event-store';
import { CERTIFICATION_LEVEL_EVENT_SCHEMAS } from './certification-level.decider.ts';
import { CERTIFICATION_EVENT_SCHEMAS } from './certification.decider.ts';

export * from './certification-level.decider.ts';
export * from './certification.decider.ts';
export * from './certification-streams.ts';
export * from './certification-renewal.ts';
export * from './read-models/certification.projection.ts';
export { certificationStatuses, findCertification, listCertificationLevels } from './read-models/certification.queries.ts';
/** The GraphQL type insights answers its uncertified owners with. */
export { UncertifiedOwner } from './owner-coverage.resolver.ts';

/** Every certification event type: levels and members' certifications. */
export const CERTIFICATION_MODULE_EVENT_SCHEMAS: EventSchemaDefinition[] = [
  ...CERTIFICATION_LEVEL_EVENT_SCHEMAS,
  ...CERTIFICATION_EVENT_SCHEMAS,
];

/** Certification: the levels, and each member's certification, its renewals, expiry and revocation. */
export const certificationModule = governanceModule({
  name: 'certification',
  streams: [
    stream(CERTIFICATION_LEVEL_STREAM_CATEGORY, certificationLevelDecider, LEVEL_SCHEMAS),
    stream(CERTIFICATION_STREAM_CATEGORY, certificationDecider, RECORD_SCHEMAS, { memberKeyed: true }),
  ],
  projections: [certificationProjection],
  // Renewal reminders and expiry, recorded by the service itself as their dates come.
  schedulers: ({ events, readModels, clock, config }) => [
    createCertificationRenewalScheduler({
      events,
      readModels,
      clock,
      intervalMs: config.schedulerIntervalMs,
      renewalWindowDays: config.certificationRenewalWindowDays,
    }),
  ],
  nestModule: CertificationModule,
});
