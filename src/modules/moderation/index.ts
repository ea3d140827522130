import { governanceModule, stream } from '../../platform/manifest/governance-module.ts';
import { ModerationModule } from './moderation.module.ts';
import { MODERATION_CASE_EVENT_SCHEMAS, MODERATION_CASE_STREAM_CATEGORY, moderationCaseDecider } from './moderation-case.decider.ts';
import { MODERATOR_NOTE_EVENT_SCHEMAS, MODERATOR_NOTES_STREAM_CATEGORY, moderatorNotesDecider } from './moderator-notes.decider.ts';
import { moderationProjection } from './read-models/moderation.projection.ts';
import { createSanctionExpiryScheduler } from './sanction-expiry.ts';
import { ModerationCaseRecord } from './read-models/moderation-case.record.ts';
import { ModeratorNoteRecord } from './read-models/moderator-note.record.ts';
import { SanctionRecord } from './read-models/sanction.record.ts';

export * from './moderation-case.decider.ts';
export * from './moderator-notes.decider.ts';
export * from './read-models/moderation.projection.ts';
export * from './read-models/moderation.views.ts';

/** The TypeORM entities of this module's read models (the composition root hands them to the read side). */
export const MODERATION_READ_MODEL_ENTITIES = [ModerationCaseRecord, SanctionRecord, ModeratorNoteRecord];

/** Moderation: reports, cases, decisions, appeals, sanctions and moderators' notes. */
export const moderationModule = governanceModule({
  name: 'moderation',
  streams: [
    stream(MODERATION_CASE_STREAM_CATEGORY, moderationCaseDecider, MODERATION_CASE_EVENT_SCHEMAS),
    stream(MODERATOR_NOTES_STREAM_CATEGORY, moderatorNotesDecider, MODERATOR_NOTE_EVENT_SCHEMAS, { memberKeyed: true }),
  ],
  projections: [moderationProjection],
  readModelEntities: MODERATION_READ_MODEL_ENTITIES,
  // Suspensions end on their date, recorded by the service itself.
  schedulers: ({ events, readModels, clock, config }) => [
    createSanctionExpiryScheduler({ events, readModels, clock, intervalMs: config.schedulerIntervalMs }),
  ],
  nestModule: ModerationModule,
});
