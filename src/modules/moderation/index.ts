import { governanceModule, stream } from '../../platform/manifest/governance-module.ts';
import { ModerationModule } from './moderation.module.ts';
import { MODERATION_CASE_EVENT_SCHEMAS, MODERATION_CASE_STREAM_CATEGORY, moderationCaseDecider } from './moderation-case.decider.ts';
import { MODERATOR_NOTE_EVENT_SCHEMAS, MODERATOR_NOTES_STREAM_CATEGORY, moderatorNotesDecider } from './moderator-notes.decider.ts';
import { moderationProjection } from './read-models/moderation.projection.ts';
import { createSanctionExpiryScheduler } from './sanction-expiry.ts';

export * from './moderation-case.decider.ts';
export * from './moderator-notes.decider.ts';
export * from './read-models/moderation.projection.ts';
export { waitingModerationCases, type WaitingModerationCase } from './read-models/moderation.queries.ts';

/** Moderation: reports, cases, decisions, appeals, sanctions and moderators' notes. */
export const moderationModule = governanceModule({
  name: 'moderation',
  streams: [
    stream(MODERATION_CASE_STREAM_CATEGORY, moderationCaseDecider, MODERATION_CASE_EVENT_SCHEMAS),
    stream(MODERATOR_NOTES_STREAM_CATEGORY, moderatorNotesDecider, MODERATOR_NOTE_EVENT_SCHEMAS, { memberKeyed: true }),
  ],
  projections: [moderationProjection],
  // Suspensions end on their date, recorded by the service itself.
  schedulers: ({ events, readModels, clock, config }) => [
    createSanctionExpiryScheduler({ events, readModels, clock, intervalMs: config.schedulerIntervalMs }),
  ],
  nestModule: ModerationModule,
});
