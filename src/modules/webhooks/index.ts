import { governanceModule, stream } from '../../platform/manifest/governance-module.ts';
import { deliveryGate } from '../../platform/scheduling/background-work-gate.ts';
import { createWebhookDispatch } from './webhook-dispatch.ts';
import { httpWebhookPoster } from './webhook-sender.ts';
import { WEBHOOK_EVENT_SCHEMAS, WEBHOOK_STREAM_CATEGORY, webhookDecider } from './webhook.decider.ts';
import { WebhooksModule } from './webhooks.module.ts';
import { webhooksProjection } from './webhooks.projection.ts';
import { webhookKeyOf } from './webhooks.use-cases.ts';
export * from './webhook.decider.ts';
export { WEBHOOK_DISPATCH_SCHEDULER, webhookMessageId, payloadOf } from './webhook-dispatch.ts';
export { WEBHOOKS_PROJECTION } from './webhooks.projection.ts';

/**
 * Webhooks (issue 21): the community team's own endpoints hear governance events as they are recorded, each event
 * once per webhook, signed by the Standard Webhooks specification. Registered, rotated, disabled and enabled through
 * the log; delivered by every instance's dispatcher, which share the work.
 */
export const webhooksModule = governanceModule({
  name: 'webhooks',
  streams: [stream(WEBHOOK_STREAM_CATEGORY, webhookDecider, WEBHOOK_EVENT_SCHEMAS)],
  projections: [webhooksProjection],
  schedulers: ({ events, readModels, clock, config }) => [
    createWebhookDispatch({
      events,
      readModels,
      clock,
      intervalMs: config.notifications.webhooks.intervalMs,
      key: () => webhookKeyOf(config),
      post: httpWebhookPoster({ allowLocal: config.notifications.webhooks.allowLocal }),
      disableAfterMs: config.notifications.webhooks.disableAfterHours * 3_600_000,
      gate: deliveryGate(config.notifications.delivery),
    }),
  ],
  nestModule: WebhooksModule,
});
