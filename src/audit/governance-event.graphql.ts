import { Field, ID, InputType, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { Role } from '../auth/role.ts';
import { JSONScalar } from '../graphql/json.scalar.ts';
import { PageInfo } from '../graphql/pagination.ts';
import { IntegrityBreakView, LogSealView } from '../integrity/index.ts';

@ObjectType()
export class EventMetadata {
  @Field(() => ID, { nullable: true })
  actorId!: string | null;

  @Field(() => [Role])
  actorRoles!: Role[];

  @Field(() => String, { nullable: true })
  authority!: string | null;

  @Field(() => String, { nullable: true })
  reason!: string | null;

  @Field(() => ID)
  correlationId!: string;

  @Field(() => ID, { nullable: true })
  causationId!: string | null;

  @Field(() => ID, { nullable: true })
  commandId!: string | null;
}

@ObjectType()
export class GovernanceEvent {
  @Field(() => String, { description: 'Opaque, totally ordered position in the global log; usable as a cursor.' })
  position!: string;

  @Field(() => String)
  streamId!: string;

  @Field(() => Int)
  revision!: number;

  @Field(() => String)
  type!: string;

  @Field(() => JSONScalar)
  data!: unknown;

  @Field(() => EventMetadata)
  metadata!: EventMetadata;

  @Field(() => Date)
  recordedAt!: Date;
}

@InputType()
export class GovernanceHistoryFilter {
  @Field(() => String, { nullable: true })
  streamId?: string | null;

  @Field(() => String, {
    nullable: true,
    description: "Stream category, the part of the stream id before the first '-' (e.g. moderation_case).",
  })
  category?: string | null;

  @Field(() => [String], { nullable: true })
  eventTypes?: string[] | null;

  @Field(() => ID, { nullable: true })
  actorId?: string | null;

  @Field(() => ID, { nullable: true })
  correlationId?: string | null;

  @Field(() => Date, { nullable: true })
  from?: Date | null;

  @Field(() => Date, { nullable: true })
  to?: Date | null;
}

export enum HistoryOrder {
  NEWEST_FIRST = 'NEWEST_FIRST',
  OLDEST_FIRST = 'OLDEST_FIRST',
}

registerEnumType(HistoryOrder, {
  name: 'HistoryOrder',
  description: 'The order of governanceHistory: the log order (OLDEST_FIRST) or its reverse.',
});

@ObjectType()
export class GovernanceEventEdge {
  @Field(() => String, { description: "The event's position: pass it as `after` to read on from there." })
  cursor!: string;

  @Field(() => GovernanceEvent)
  node!: GovernanceEvent;
}

@ObjectType()
export class GovernanceEventConnection {
  @Field(() => [GovernanceEventEdge])
  edges!: GovernanceEventEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;
}

@ObjectType()
export class StreamState {
  @Field(() => String)
  streamId!: string;

  @Field(() => Int, { description: 'The last revision folded into the state; -1 when the stream had no event yet at that moment.' })
  revision!: number;

  @Field(() => Date, { nullable: true, description: 'When the event at `revision` was recorded; null when revision is -1.' })
  at!: Date | null;

  @Field(() => JSONScalar, { description: "The state folded with the module's own decider, as its command side saw it then." })
  state!: unknown;
}

@ObjectType()
export class IntegrityReport {
  @Field(() => Int)
  verifiedEvents!: number;

  @Field(() => Boolean)
  ok!: boolean;

  @Field(() => String, { nullable: true, description: 'The log position of the first event whose hash chain link is broken.' })
  firstBrokenPosition!: string | null;

  @Field(() => [IntegrityBreakView], { description: 'Every break found (up to the first 1,000), each with where and why.' })
  breaks!: IntegrityBreakView[];

  @Field(() => LogSealView, {
    nullable: true,
    description: 'The newest seal the check verified the log against; null when the log has none yet.',
  })
  latestSeal!: LogSealView | null;

  @Field(() => Int, { description: 'Events recorded after the latest seal (covered by the hash chains only, until the next seal).' })
  unsealedEvents!: number;
}

@InputType()
export class RebuildProjectionInput {
  @Field(() => String)
  name!: string;

  @Field(() => ID, { nullable: true })
  commandId?: string | null;

  @Field(() => String, { nullable: true, description: 'Why the read model is rebuilt: recorded with the ReadModelRebuildRequested event.' })
  reason?: string | null;
}

@ObjectType('ProjectionStatus')
export class ProjectionStatusView {
  @Field(() => String)
  name!: string;

  @Field(() => String, {
    nullable: true,
    description: 'The log position the serving read model has processed; null before the first event.',
  })
  checkpoint!: string | null;

  @Field(() => Int, { description: 'Events of interest to this read model after its checkpoint.' })
  lag!: number;

  @Field(() => String, {
    description:
      'RUNNING, CATCHING_UP, REBUILDING (a new generation is being built while the current one serves), FAILED, STANDBY (another instance runs it) or STOPPED.',
  })
  state!: string;
}
