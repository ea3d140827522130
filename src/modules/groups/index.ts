import { governanceModule, stream } from '../../platform/manifest/governance-module.ts';
import { GroupsModule } from './groups.module.ts';
import { GROUP_EVENT_SCHEMAS, GROUP_STREAM_CATEGORY, groupDecider } from './group.decider.ts';
import { groupsProjection } from './read-models/groups.projection.ts';
import { GroupRecord } from './read-models/group.record.ts';

export * from './group.decider.ts';
export * from './read-models/groups.projection.ts';
export * from './read-models/groups.queries.ts';
export * from './group-ownership.ts';
/** The GraphQL type other modules answer groups with. */
export { Group } from './group.graphql.ts';

/** The TypeORM entities of this module's read models (the composition root hands them to the read side). */
export const GROUPS_READ_MODEL_ENTITIES = [GroupRecord];

/** Groups: their owners and whether owning one needs a certification. */
export const groupsModule = governanceModule({
  name: 'groups',
  streams: [stream(GROUP_STREAM_CATEGORY, groupDecider, GROUP_EVENT_SCHEMAS)],
  projections: [groupsProjection],
  readModelEntities: GROUPS_READ_MODEL_ENTITIES,
  nestModule: GroupsModule,
});
