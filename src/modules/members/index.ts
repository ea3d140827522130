import { governanceModule, stream } from '../../platform/manifest/governance-module.ts';
import { MembersModule } from './members.module.ts';
import { MEMBER_EVENT_SCHEMAS, MEMBER_STREAM_CATEGORY, memberDecider } from './member.decider.ts';
import { membersProjection } from './read-models/members.projection.ts';
import { MemberRecord } from './read-models/member.record.ts';

export * from './member.decider.ts';
export * from './read-models/members.projection.ts';
export * from './read-models/members.queries.ts';
export * from './member-status.ts';

/** The TypeORM entities of this module's read models (the composition root hands them to the read side). */
export const MEMBERS_READ_MODEL_ENTITIES = [MemberRecord];

/** Members: who belongs to the community, their profile and status. */
export const membersModule = governanceModule({
  name: 'members',
  streams: [stream(MEMBER_STREAM_CATEGORY, memberDecider, MEMBER_EVENT_SCHEMAS, { memberKeyed: true })],
  projections: [membersProjection],
  readModelEntities: MEMBERS_READ_MODEL_ENTITIES,
  nestModule: MembersModule,
});
