import { Inject } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { Args, Context, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { DataSource } from 'typeorm';
import { requireRole, type RequestContext } from '../../platform/auth/request-context.ts';
import { Role } from '../../platform/auth/role.ts';
import { RunUseCase } from '../../platform/command/use-case.ts';
import { PageArgs, pageRequest } from '../../platform/graphql/pagination.ts';
import { requireId, requireText } from '../../platform/shared/identifiers.ts';
import {
  RegisterWebhookInput,
  Webhook,
  WebhookChangeInput,
  WebhookDelivery,
  WebhookDeliveryConnection,
  WebhookDeliveryStatus,
  WebhookWithSecret,
} from './webhooks.graphql.ts';
import { DELIVERY_CURSORS, listWebhookDeliveries, listWebhooks, retryWebhookDelivery } from './webhooks.queries.ts';
import { disableWebhook, enableWebhook, registerWebhook, rotateWebhookSecret } from './webhooks.use-cases.ts';

@Resolver()
export class WebhooksResolver {
  constructor(
    @Inject(CommandBus) private readonly commands: CommandBus,
    @Inject(DataSource) private readonly db: DataSource,
  ) {}

  @Mutation(() => WebhookWithSecret, {
    description:
      'Community managers: an endpoint that hears governance events from now on (of the event types or stream categories ' +
      'given; neither: all), POSTed with Standard Webhooks signatures. Answers its secret, this once.',
  })
  registerWebhook(@Args('input', { type: () => RegisterWebhookInput }) input: RegisterWebhookInput, @Context() context: RequestContext) {
    return this.commands.execute(new RunUseCase(registerWebhook, input, context));
  }

  @Mutation(() => WebhookWithSecret, {
    description: 'Community managers: a new signing secret, answered this once; the previous one also signs for 24 hours.',
  })
  rotateWebhookSecret(@Args('input', { type: () => WebhookChangeInput }) input: WebhookChangeInput, @Context() context: RequestContext) {
    return this.commands.execute(new RunUseCase(rotateWebhookSecret, input, context));
  }

  @Mutation(() => Webhook, { description: 'Community managers: nothing more is posted to it until it is enabled again.' })
  disableWebhook(@Args('input', { type: () => WebhookChangeInput }) input: WebhookChangeInput, @Context() context: RequestContext) {
    return this.commands.execute(new RunUseCase(disableWebhook, input, context));
  }

  @Mutation(() => Webhook, {
    description: 'Community managers: posting resumes where it stopped: the events recorded while it was disabled are delivered too.',
  })
  enableWebhook(@Args('input', { type: () => WebhookChangeInput }) input: WebhookChangeInput, @Context() context: RequestContext) {
    return this.commands.execute(new RunUseCase(enableWebhook, input, context));
  }

  @Mutation(() => WebhookDelivery, {
    description: 'Community managers: a dead letter (FAILED) is tried again now. CONFLICT for a delivery that is not FAILED.',
  })
  async retryWebhookDelivery(@Args('messageId', { type: () => ID }) messageId: string, @Context() context: RequestContext) {
    requireRole(context, [Role.COMMUNITY_MANAGER], 'retrying a webhook delivery');
    return retryWebhookDelivery(this.db, requireText(messageId, 'messageId', 100));
  }

  @Query(() => [Webhook], { description: 'Community managers and auditors: the webhooks, oldest first (at most 500).' })
  async webhooks(@Context() context: RequestContext): Promise<Webhook[]> {
    requireRole(context, [Role.COMMUNITY_MANAGER, Role.AUDITOR], 'reading the webhooks');
    return listWebhooks(this.db);
  }

  @Query(() => WebhookDeliveryConnection, {
    description:
      "Community managers and auditors: what was posted to the webhooks, in the order it was enqueued, and each delivery's outcome.",
  })
  async webhookDeliveries(
    @Context() context: RequestContext,
    @Args({ type: () => PageArgs }) paging: PageArgs,
    @Args('webhookId', { type: () => ID, nullable: true }) webhookId: string | null,
    @Args('status', { type: () => [WebhookDeliveryStatus], nullable: true }) status: WebhookDeliveryStatus[] | null,
  ): Promise<WebhookDeliveryConnection> {
    requireRole(context, [Role.COMMUNITY_MANAGER, Role.AUDITOR], 'reading the webhook deliveries');
    // Checked as every id is (found by the hostile-input fuzz: a NUL reached PostgreSQL, an internal error).
    const webhook = webhookId === null || webhookId === undefined ? null : requireId(webhookId, 'webhookId');
    const page = await listWebhookDeliveries(this.db, pageRequest(paging), { webhookId: webhook, statuses: status ?? null });
    return {
      edges: page.nodes.map((node) => ({ cursor: DELIVERY_CURSORS.encode(node.seq), node })),
      pageInfo: {
        hasNextPage: page.hasNextPage,
        hasPreviousPage: page.hasPreviousPage,
        startCursor: page.startCursor,
        endCursor: page.endCursor,
      },
      totalCount: page.totalCount,
    };
  }
}
