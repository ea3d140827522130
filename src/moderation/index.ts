export * from './moderation-case.decider.ts';
export * from './moderator-notes.decider.ts';
export * from './read-models/moderation.projection.ts';
export * from './read-models/moderation.views.ts';
