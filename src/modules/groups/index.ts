import { GroupRecord } from './read-models/group.record.ts';

export * from './group.decider.ts';
export * from './read-models/groups.projection.ts';
export * from './read-models/groups.queries.ts';
export * from './group-ownership.ts';
/** The GraphQL type other modules answer groups with. */
export { Group } from './group.graphql.ts';

/** The TypeORM entities of this module's read models (the composition root hands them to the read side). */
export const GROUPS_READ_MODEL_ENTITIES = [GroupRecord];
