import { governanceModule, stream } from '../../platform/manifest/governance-module.ts';
import { MembersModule } from './members.module.ts';
import { MEMBER_EVENT_SCHEMAS, MEMBER_STREAM_CATEGORY, memberDecider } from './member.decider.ts';
import { membersProjection } from './read-models/members.projection.ts';

export * from './member.decider.ts';
export * from './read-models/members.projection.ts';
export * from './read-models/members.queries.ts';
export * from './member-status.ts';

/** Members: who belongs to the community, their profile and status. */
export const membersModule = governanceModule({
  name: 'members',
  streams: [stream(MEMBER_STREAM_CATEGORY, memberDecider, MEMBER_EVENT_SCHEMAS, { memberKeyed: true })],
  projections: [membersProjection],
  nestModule: MembersModule,
});
