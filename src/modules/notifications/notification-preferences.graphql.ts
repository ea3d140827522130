import { Field, ID, InputType, Int, ObjectType } from '@nestjs/graphql';
import { NotificationKind } from './notifications.graphql.ts';

@ObjectType({ description: 'What a member chose not to be told, and what they are told whatever they choose.' })
export class NotificationPreferences {
  @Field(() => ID)
  memberId!: string;

  @Field(() => [NotificationKind], { description: 'The kinds they are not sent (recorded as NOT_SENT_OPTED_OUT).' })
  optedOut!: NotificationKind[];

  @Field(() => [NotificationKind], { description: 'The kinds they may turn off.' })
  optional!: NotificationKind[];

  @Field(() => [NotificationKind], { description: 'The kinds always sent: decisions about their own content.' })
  mandatory!: NotificationKind[];

  @Field(() => [NotificationKind], { description: 'The opt-in kinds they subscribed to (sent only to subscribers).' })
  optedIn!: NotificationKind[];

  @Field(() => [NotificationKind], {
    description: "The kinds sent only once subscribed to: the community managers' daily digest (needs the COMMUNITY_MANAGER role).",
  })
  optIn!: NotificationKind[];

  @Field(() => Date, { nullable: true, description: 'Null until they first chose.' })
  changedAt!: Date | null;

  @Field(() => Int, { description: 'The revision of their preferences stream (-1 before any choice): expectedRevision.' })
  revision!: number;
}

@InputType()
export class SetNotificationPreferencesInput {
  @Field(() => [NotificationKind], {
    description: 'The whole set of kinds not to be told (an empty list: everything, the opt-in kinds as subscribed to).',
  })
  optedOut!: NotificationKind[];

  @Field(() => [NotificationKind], {
    nullable: true,
    description: 'The whole set of opt-in kinds to be sent (an empty list: none); null or left out: as they are.',
  })
  optedIn?: NotificationKind[] | null;

  @Field(() => ID, { nullable: true })
  commandId?: string | null;

  @Field(() => Int, { nullable: true })
  expectedRevision?: number | null;
}
