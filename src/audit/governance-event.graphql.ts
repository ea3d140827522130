import { Field, ID, InputType, Int, ObjectType } from '@nestjs/graphql';
import { Role } from '../auth/role.ts';
import { JSONScalar } from '../graphql/json.scalar.ts';

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
