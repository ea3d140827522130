import { governanceModule, stream } from '../../platform/manifest/governance-module.ts';
import { GroupsModule } from './groups.module.ts';
import { GROUP_EVENT_SCHEMAS, GROUP_STREAM_CATEGORY, groupDecider } from './group.decider.ts';
import { groupsProjection } from './read-models/groups.projection.ts';

export * from './group.decider.ts';
export * from './read-models/groups.projection.ts';
export * from './read-models/groups.queries.ts';
export * from './group-ownership.ts';
/** The GraphQL type other modules answer groups with. */
export { Group } from './group.graphql.ts';

/** Groups: their owners and whether owning one needs a certification. */
export const groupsModule = governanceModule({
  name: 'groups',
  streams: [stream(GROUP_STREAM_CATEGORY, groupDecider, GROUP_EVENT_SCHEMAS)],
  projections: [groupsProjection],
  nestModule: GroupsModule,
});
