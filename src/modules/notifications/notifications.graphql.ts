import { Field, ID, Int, ObjectType } from '@nestjs/graphql';
import { Connection } from '../../platform/graphql/pagination.ts';
import { graphqlEnum } from '../../platform/graphql/graphql-enum.ts';
import { DELIVERY_STATUSES, type DeliveryStatus } from './notification-delivery.ts';
import { NOTIFICATION_KINDS, type NotificationKind as Kind } from './notification-rules.ts';

export const NotificationDeliveryStatus = graphqlEnum('NotificationDeliveryStatus', DELIVERY_STATUSES, {
  description: 'Where a notification stands. SENDING and RETRY are not final; NOT_SENT_* and SKIPPED_TOO_OLD say why nobody was told.',
});
export type NotificationDeliveryStatus = DeliveryStatus;
export const NotificationKind = graphqlEnum('NotificationKind', NOTIFICATION_KINDS);
export type NotificationKind = Kind;

@ObjectType({ description: 'One notification of one event to one member on one channel, and what became of it.' })
export class NotificationDelivery {
  @Field(() => ID, { description: '<event id>/<kind>/<recipient>/<channel>: the same whichever instance decided it.' })
  notificationId!: string;

  @Field(() => ID, { description: 'The event it tells of.' })
  eventId!: string;

  @Field(() => NotificationKind)
  kind!: NotificationKind;

  @Field(() => ID)
  recipientId!: string;

  @Field(() => String, { description: 'email (webhooks are to come).' })
  channel!: string;

  @Field(() => NotificationDeliveryStatus)
  status!: NotificationDeliveryStatus;

  @Field(() => Int)
  attempts!: number;

  @Field(() => String, { nullable: true, description: 'Why the last attempt failed, or why it was not sent.' })
  lastError!: string | null;

  @Field(() => Date, { nullable: true, description: 'When the member was told: what an appeal window may be counted from.' })
  sentAt!: Date | null;

  @Field(() => Date)
  createdAt!: Date;
}

@ObjectType()
export class NotificationDeliveryConnection extends Connection(NotificationDelivery) {}
