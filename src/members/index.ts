export * from './member.decider.ts';
export * from './read-models/members.projection.ts';
export * from './read-models/members.queries.ts';
export * from './member-status.ts';
