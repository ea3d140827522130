import { Field, ID, InputType, Int, ObjectType } from '@nestjs/graphql';
import { CATCHING_UP_LAG } from '#projections';
import { Role } from '../../platform/auth/role.ts';
import { graphqlEnum } from '../../platform/graphql/graphql-enum.ts';
import { JSONScalar } from '../../platform/graphql/json.scalar.ts';
import { PageInfo } from '../../platform/graphql/pagination.ts';
import { IntegrityBreakView, LogSealView } from '../integrity/index.ts';
import { Node, NodeIdField } from '../../platform/graphql/node.ts';

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

  @Field(() => String, { nullable: true, description: 'api, scheduler, provisioning, ... : what kind of caller recorded the event.' })
  source!: string | null;

  @Field(() => Date, {
    nullable: true,
    description: 'When the action happened, as the command said (recordedAt is when the store committed it).',
  })
  occurredAt!: Date | null;
}

@ObjectType({ implements: () => [Node] })
export class GovernanceEvent {
  @Field(() => ID, { description: "The event's own id (as in the NDJSON export)." })
  id!: string;

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

  @Field(() => Int, { description: 'The version of the shape `data` is in: the current one (older events are upcast when read).' })
  schemaVersion!: number;

  @Field(() => String, {
    description:
      "The event's integrity hash, as in the NDJSON export. Empty for an event that carries none (written around the service), which verifyHistory reports.",
  })
  hash!: string;
}

@ObjectType({ description: 'One event type the log stores: the stream category it is recorded in and its current schema version.' })
export class EventTypeInfo {
  @Field(() => String)
  category!: string;

  @Field(() => String)
  type!: string;

  @Field(() => Int)
  schemaVersion!: number;
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

  @Field(() => [String], {
    nullable: true,
    description: 'Any of these event types (1 to 50); governanceEventTypes lists them, and an unknown one is BAD_USER_INPUT.',
  })
  eventTypes?: string[] | null;

  @Field(() => ID, { nullable: true })
  actorId?: string | null;

  @Field(() => ID, { nullable: true })
  correlationId?: string | null;

  @Field(() => Date, { nullable: true, description: 'Recorded at or after this moment (inclusive, to the millisecond).' })
  from?: Date | null;

  @Field(() => Date, { nullable: true, description: 'Recorded at or before this moment (inclusive, to the millisecond).' })
  to?: Date | null;
}

export const HISTORY_ORDERS = ['NEWEST_FIRST', 'OLDEST_FIRST'] as const;
export const HistoryOrder = graphqlEnum('HistoryOrder', HISTORY_ORDERS, {
  description: 'The order of governanceHistory: the log order (OLDEST_FIRST) or its reverse.',
});
export type HistoryOrder = (typeof HISTORY_ORDERS)[number];

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

@ObjectType('ProjectionStatus', { implements: () => [Node] })
export class ProjectionStatusView {
  @NodeIdField<ProjectionStatusView>('ProjectionStatus', (status) => [status.name])
  id?: string; // computed when read: the objects answered need not carry it

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
      "The read model's state across the service's instances, the same whichever instance answers: RUNNING (an instance " +
      `follows the log), CATCHING_UP (an instance runs it and is at least ${CATCHING_UP_LAG.toLocaleString('en')} events ` +
      'behind: working through a backlog), REBUILDING (an instance builds a new generation while the current one ' +
      'serves), FAILED (an event could not be applied: the service logs which, and why), STANDBY (no instance runs it right now; the one that answered takes it over ' +
      'within a second) or STOPPED (no instance runs it, and the one that answered does not run read models).',
  })
  state!: string;

  @Field(() => String, {
    nullable: true,
    description:
      "The instance that runs the read model: the PostgreSQL application_name of its session holding the read model's " +
      'lock: PGAPPNAME when the instance is given one, else <pid>@<hostname> of its process. Null when no instance ' +
      'runs it (STANDBY, STOPPED).',
  })
  runner!: string | null;
}
