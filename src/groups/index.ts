export * from './group.decider.ts';
export * from './read-models/groups.projection.ts';
export * from './read-models/groups.queries.ts';
export * from './group-ownership.ts';
