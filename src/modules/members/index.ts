import { MemberRecord } from './read-models/member.record.ts';

export * from './member.decider.ts';
export * from './read-models/members.projection.ts';
export * from './read-models/members.queries.ts';
export * from './member-status.ts';

/** The TypeORM entities of this module's read models (the composition root hands them to the read side). */
export const MEMBERS_READ_MODEL_ENTITIES = [MemberRecord];
