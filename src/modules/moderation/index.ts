import { ModerationCaseRecord } from './read-models/moderation-case.record.ts';
import { ModeratorNoteRecord } from './read-models/moderator-note.record.ts';
import { SanctionRecord } from './read-models/sanction.record.ts';

export * from './moderation-case.decider.ts';
export * from './moderator-notes.decider.ts';
export * from './read-models/moderation.projection.ts';
export * from './read-models/moderation.views.ts';

/** The TypeORM entities of this module's read models (the composition root hands them to the read side). */
export const MODERATION_READ_MODEL_ENTITIES = [ModerationCaseRecord, SanctionRecord, ModeratorNoteRecord];
