import { Field, ID, InputType, Int, ObjectType } from '@nestjs/graphql';
import { graphqlEnum } from '../../platform/graphql/graphql-enum.ts';
import { Connection } from '../../platform/graphql/pagination.ts';
import { WEBHOOK_DELIVERY_STATUSES, type WebhookDeliveryStatus as DeliveryStatus } from './webhook-dispatch.ts';
import {
  WEBHOOK_DISABLED_REASONS,
  WEBHOOK_STATUSES,
  type WebhookDisabledReason as DisabledReason,
  type WebhookStatus as Status,
} from './webhook.decider.ts';

export const WebhookStatus = graphqlEnum('WebhookStatus', WEBHOOK_STATUSES);
export type WebhookStatus = Status;
export const WebhookDisabledReason = graphqlEnum('WebhookDisabledReason', WEBHOOK_DISABLED_REASONS, {
  description: 'BY_COMMUNITY_MANAGER: disableWebhook; FAILING: every attempt failed for WEBHOOK_DISABLE_AFTER_HOURS (default a day).',
});
export type WebhookDisabledReason = DisabledReason;
export const WebhookDeliveryStatus = graphqlEnum('WebhookDeliveryStatus', WEBHOOK_DELIVERY_STATUSES, {
  description: 'PENDING, SENDING and RETRY are not final. FAILED: a dead letter (retryWebhookDelivery sends it again).',
});
export type WebhookDeliveryStatus = DeliveryStatus;

@ObjectType({
  description: 'An endpoint of the community team that hears governance events, signed by the Standard Webhooks specification.',
})
export class Webhook {
  @Field(() => ID)
  webhookId!: string;

  @Field(() => String, {
    description: "Scheme, host and the path's last characters: the URL itself may hold a credential and is not shown.",
  })
  urlHint!: string;

  @Field(() => String, { nullable: true })
  description!: string | null;

  @Field(() => [String], { description: 'The event types it hears (with categories: either matches; both empty: every event).' })
  eventTypes!: string[];

  @Field(() => [String], {
    description: "The stream categories it hears: every event of those streams (the part of a stream id before '-').",
  })
  categories!: string[];

  @Field(() => WebhookStatus)
  status!: WebhookStatus;

  @Field(() => WebhookDisabledReason, { nullable: true })
  disabledReason!: WebhookDisabledReason | null;

  @Field(() => Date, { nullable: true })
  disabledAt!: Date | null;

  @Field(() => String, { nullable: true, description: 'Why the delivery gave up, when it disabled the webhook.' })
  lastError!: string | null;

  @Field(() => Int, { description: 'Which secret signs now (rotateWebhookSecret gives the next).' })
  secretVersion!: number;

  @Field(() => Date, { nullable: true, description: 'After a rotation the previous secret signs too, for 24 hours.' })
  rotatedAt!: Date | null;

  @Field(() => ID)
  registeredBy!: string;

  @Field(() => Date)
  registeredAt!: Date;

  @Field(() => Int, { description: "The webhook's stream revision: expectedRevision of the next change." })
  revision!: number;
}

@ObjectType({ description: 'A webhook and its signing secret: shown this once (the service keeps no copy; rotate it if it is lost).' })
export class WebhookWithSecret {
  @Field(() => Webhook)
  webhook!: Webhook;

  @Field(() => String, { description: 'whsec_<base64>: what the receiver verifies webhook-signature with (Standard Webhooks).' })
  secret!: string;
}

@InputType()
export class RegisterWebhookInput {
  @Field(() => String, { description: 'http(s) URL the events are POSTed to.' })
  url!: string;

  @Field(() => String, { nullable: true })
  description?: string | null;

  @Field(() => [String], { nullable: true, description: 'Event types to hear (governanceEventTypes lists them).' })
  eventTypes?: string[] | null;

  @Field(() => [String], { nullable: true, description: 'Stream categories to hear, e.g. moderation_case.' })
  categories?: string[] | null;

  @Field(() => String, { nullable: true })
  reason?: string | null;

  @Field(() => ID, {
    nullable: true,
    description: 'The same commandId again answers the same webhook (and secret) instead of a second one.',
  })
  commandId?: string | null;
}

@InputType()
export class WebhookChangeInput {
  @Field(() => ID)
  webhookId!: string;

  @Field(() => String, { nullable: true })
  reason?: string | null;

  @Field(() => ID, { nullable: true })
  commandId?: string | null;

  @Field(() => Int, { nullable: true })
  expectedRevision?: number | null;
}

@ObjectType({ description: 'One event posted (or to be posted) to one webhook.' })
export class WebhookDelivery {
  @Field(() => ID, { description: 'The webhook-id header: the same on every attempt, for the receiver to recognise a repeat.' })
  messageId!: string;

  @Field(() => ID)
  webhookId!: string;

  @Field(() => ID)
  eventId!: string;

  @Field(() => String)
  eventType!: string;

  @Field(() => WebhookDeliveryStatus)
  status!: WebhookDeliveryStatus;

  @Field(() => Int)
  attempts!: number;

  @Field(() => String, { nullable: true })
  lastError!: string | null;

  @Field(() => Date, { nullable: true, description: 'When the next attempt is due (PENDING, RETRY).' })
  nextAttemptAt!: Date | null;

  @Field(() => Date, { nullable: true })
  sentAt!: Date | null;

  @Field(() => Date)
  createdAt!: Date;
}

@ObjectType()
export class WebhookDeliveryConnection extends Connection(WebhookDelivery) {}
