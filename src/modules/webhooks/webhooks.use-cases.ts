import { createHash, randomUUID } from 'node:crypto';
import { Role } from '../../platform/auth/role.ts';
import type { AppConfig } from '../../platform/config/config.ts';
import { useCasesFor, type UseCaseRequest } from '../../platform/command/use-case.ts';
import { DomainError, badInput } from '../../platform/shared/domain-error.ts';
import { optionalText, requireId } from '../../platform/shared/identifiers.ts';
import type { StreamDeclaration } from '../../platform/manifest/governance-module.ts';
import { GOVERNANCE_STREAMS } from '../../platform/shared/tokens.ts';
import { checkWebhookUrl } from './webhook-address.ts';
import { MAX_WEBHOOK_DESCRIPTION_LENGTH, webhookDecider, webhookStreamId, type WebhookState } from './webhook.decider.ts';
import { loadWebhookKey, type WebhookKey } from './webhook-signing.ts';
import type { RegisterWebhookInput, Webhook, WebhookChangeInput, WebhookWithSecret } from './webhooks.graphql.ts';
import { WEBHOOKS_PROJECTION } from './webhooks.projection.ts';
import { webhookOf } from './webhooks.queries.ts';

const webhookUseCase = useCasesFor(webhookDecider);

const keys = new Map<string, Promise<WebhookKey>>();

/**
 * The service's webhook key (webhook-signing.ts), loaded once. In production it must come from WEBHOOK_SIGNING_KEY:
 * a key generated in one instance's DATA_DIR would give every instance different secrets.
 */
export function webhookKeyOf(config: AppConfig): Promise<WebhookKey> {
  const { signingKey } = config.notifications.webhooks;
  if (signingKey === undefined && config.nodeEnv === 'production') {
    return Promise.reject(
      new DomainError('CONFLICT', 'webhooks need WEBHOOK_SIGNING_KEY (at least 32 characters) set on every instance of the service'),
    );
  }
  const cacheKey = `${signingKey ?? ''}\u0000${config.dataDir}`;
  let key = keys.get(cacheKey);
  if (!key) {
    key = loadWebhookKey({ configuredKey: signingKey, dataDir: config.dataDir });
    key.catch(() => keys.delete(cacheKey));
    keys.set(cacheKey, key);
  }
  return key;
}

/**
 * A retried registration (same commandId from the same manager) must name the same webhook, so its id comes from the
 * commandId; without one, each registration is a new webhook.
 */
function newWebhookId({ input, actor }: UseCaseRequest<RegisterWebhookInput>): string {
  if (!input.commandId) return `wh-${randomUUID()}`;
  return `wh-${createHash('sha256').update(`${actor.id}\u0000${input.commandId}`).digest('hex').slice(0, 32)}`;
}

/** Event types must be ones the log stores (a typo would make a webhook that never hears anything). */
function knownEventTypes(request: UseCaseRequest<RegisterWebhookInput>): string[] {
  const types = request.input.eventTypes ?? [];
  const streams = request.services.get<readonly StreamDeclaration[]>(GOVERNANCE_STREAMS);
  const known = new Set(streams.flatMap((stream) => stream.schemas.map((schema) => schema.type)));
  const unknown = [...new Set(types.filter((type) => !known.has(typeof type === 'string' ? type.trim() : type)))];
  if (unknown.length > 0) {
    throw badInput(
      `eventTypes: ${unknown.map((type) => JSON.stringify(type)).join(', ')} ${unknown.length === 1 ? 'is not an event type' : 'are not event types'} of the log; governanceEventTypes lists them`,
      {
        field: 'eventTypes',
      },
    );
  }
  return types;
}

const withSecret = async (config: AppConfig, webhook: Webhook, state: WebhookState): Promise<WebhookWithSecret> => ({
  webhook,
  secret: (await webhookKeyOf(config)).secretOf(state.webhookId, state.secretVersion),
});

export const registerWebhook = webhookUseCase<RegisterWebhookInput, WebhookWithSecret>({
  action: 'registering a webhook',
  roles: [Role.COMMUNITY_MANAGER],
  readModels: [WEBHOOKS_PROJECTION],
  stream: (request) => webhookStreamId(newWebhookId(request)),
  command: async (request, { streamId, at }) => {
    const { input, actor, services } = request;
    // Refused before anything is recorded when no secret could be given.
    await webhookKeyOf(services.config);
    const { url, hint } = checkWebhookUrl(input.url, services.config.notifications.webhooks.allowLocal);
    return {
      type: 'RegisterWebhook',
      webhookId: streamId.slice(streamId.indexOf('-') + 1),
      url,
      urlHint: hint,
      description: optionalText(input.description, 'description', MAX_WEBHOOK_DESCRIPTION_LENGTH),
      eventTypes: knownEventTypes(request),
      categories: input.categories ?? [],
      actorId: actor.id,
      at,
    };
  },
  answer: async ({ services }, { streamId, result }) =>
    withSecret(services.config, await webhookOf(services.db, streamId.slice(streamId.indexOf('-') + 1)), result.state),
});

const change = {
  roles: [Role.COMMUNITY_MANAGER],
  readModels: [WEBHOOKS_PROJECTION],
  stream: ({ input }: UseCaseRequest<WebhookChangeInput>) => webhookStreamId(requireId(input.webhookId, 'webhookId')),
} as const;

export const rotateWebhookSecret = webhookUseCase<WebhookChangeInput, WebhookWithSecret>({
  ...change,
  action: "rotating a webhook's secret",
  command: async ({ input, actor, services }, { at }) => {
    await webhookKeyOf(services.config);
    return { type: 'RotateWebhookSecret', webhookId: input.webhookId, actorId: actor.id, at };
  },
  answer: async ({ input, services }, { result }) =>
    withSecret(services.config, await webhookOf(services.db, input.webhookId), result.state),
});

export const disableWebhook = webhookUseCase<WebhookChangeInput, Webhook>({
  ...change,
  action: 'disabling a webhook',
  command: ({ input, actor }, { at }) => ({ type: 'DisableWebhook', webhookId: input.webhookId, actorId: actor.id, at, failing: null }),
  answer: ({ input, services }) => webhookOf(services.db, input.webhookId),
});

export const enableWebhook = webhookUseCase<WebhookChangeInput, Webhook>({
  ...change,
  action: 'enabling a webhook',
  command: ({ input, actor }, { at }) => ({ type: 'EnableWebhook', webhookId: input.webhookId, actorId: actor.id, at }),
  answer: ({ input, services }) => webhookOf(services.db, input.webhookId),
});
