import type { Decider, EventSchemaDefinition } from '#event-store';
import { badInput, conflict, notFound } from '../../platform/shared/domain-error.ts';
import { ignoreUnknownEvent, unreachable } from '../../platform/shared/exhaustive.ts';
import { requireId } from '../../platform/shared/identifiers.ts';

/**
 * A webhook (issue 21): an endpoint of the community team's own (a Teams or Slack workflow, an internal bus) that
 * hears about governance events as they are recorded, signed by the Standard Webhooks specification. One stream per
 * webhook, `webhook-<id>`: registering, rotating its secret, disabling and enabling it are governance actions like
 * any other, with who did them and why in the log.
 *
 * The signing secret is never recorded: it is derived from the service's webhook key and the secret's version
 * (webhook-signing.ts), so rotating it is recording a new version. The URL is encrypted as personal data would be,
 * under a key of the webhook's own (a Teams or Slack URL carries its own credential): only readers of the decrypted
 * log see it, and the API shows a hint of it.
 */
export const WEBHOOK_STREAM_CATEGORY = 'webhook';

export function webhookStreamId(webhookId: string): string {
  return `${WEBHOOK_STREAM_CATEGORY}-${requireId(webhookId, 'webhookId')}`;
}

/** The key the URL is encrypted under: '/' cannot occur in a member id, so it never names a member's key. */
export function webhookUrlSubject(webhookId: string): string {
  return `webhook/${webhookId}`;
}

export const WEBHOOK_STATUSES = ['ACTIVE', 'DISABLED'] as const;
export type WebhookStatus = (typeof WEBHOOK_STATUSES)[number];

/** Who disabled a webhook: a community manager, or the delivery after a day of failures. */
export const WEBHOOK_DISABLED_REASONS = ['BY_COMMUNITY_MANAGER', 'FAILING'] as const;
export type WebhookDisabledReason = (typeof WEBHOOK_DISABLED_REASONS)[number];

/** At most this many event types and categories each: a webhook that wants more wants everything (both lists empty). */
export const MAX_WEBHOOK_FILTERS = 100;
export const MAX_WEBHOOK_URL_LENGTH = 2_000;
export const MAX_WEBHOOK_DESCRIPTION_LENGTH = 200;

// ---------------------------------------------------------------- events (stored names never change)

export interface WebhookRegistered {
  readonly type: 'WebhookRegistered';
  readonly data: {
    readonly webhookId: string;
    /** Encrypted in the log under webhookUrlSubject. */
    readonly url: string;
    /** Scheme, host and the path's last characters: what the API shows of the URL. */
    readonly urlHint: string;
    readonly description: string | null;
    /** What the webhook hears: events of these types, and every event of these stream categories; both empty: all. */
    readonly eventTypes: readonly string[];
    readonly categories: readonly string[];
    readonly secretVersion: number;
    readonly registeredBy: string;
    readonly registeredAt: string;
  };
}

export interface WebhookSecretRotated {
  readonly type: 'WebhookSecretRotated';
  readonly data: {
    readonly webhookId: string;
    readonly secretVersion: number;
    readonly rotatedBy: string;
    readonly rotatedAt: string;
  };
}

export interface WebhookDisabled {
  readonly type: 'WebhookDisabled';
  readonly data: {
    readonly webhookId: string;
    readonly reason: WebhookDisabledReason;
    readonly disabledBy: string;
    readonly disabledAt: string;
    /** Who registered it: the community manager told when the delivery gave up (FAILING). */
    readonly registeredBy: string;
    /** FAILING only: since when every attempt failed, and the last failure. */
    readonly failingSince: string | null;
    readonly lastError: string | null;
  };
}

export interface WebhookEnabled {
  readonly type: 'WebhookEnabled';
  readonly data: { readonly webhookId: string; readonly enabledBy: string; readonly enabledAt: string };
}

export type WebhookEvent = WebhookRegistered | WebhookSecretRotated | WebhookDisabled | WebhookEnabled;
export const WEBHOOK_EVENT_TYPES: readonly WebhookEvent['type'][] = [
  'WebhookRegistered',
  'WebhookSecretRotated',
  'WebhookDisabled',
  'WebhookEnabled',
];

export const WEBHOOK_EVENT_SCHEMAS: EventSchemaDefinition[] = WEBHOOK_EVENT_TYPES.map((type) =>
  type === 'WebhookRegistered'
    ? { type, personal: { fields: ['url'], subject: (data) => webhookUrlSubject(String(data['webhookId'])) } }
    : { type },
);

// ---------------------------------------------------------------- commands

/** `url` checked by the use case (webhook-address.ts): what the decider records is a URL the service may call. */
export interface RegisterWebhook {
  readonly type: 'RegisterWebhook';
  readonly webhookId: string;
  readonly url: string;
  readonly urlHint: string;
  readonly description: string | null;
  readonly eventTypes: readonly string[];
  readonly categories: readonly string[];
  readonly actorId: string;
  readonly at: string;
}
export interface RotateWebhookSecret {
  readonly type: 'RotateWebhookSecret';
  readonly webhookId: string;
  readonly actorId: string;
  readonly at: string;
}
/** `failing` only from the delivery: since when every attempt failed, and the last error. */
export interface DisableWebhook {
  readonly type: 'DisableWebhook';
  readonly webhookId: string;
  readonly actorId: string;
  readonly at: string;
  readonly failing: { readonly since: string; readonly lastError: string } | null;
}
export interface EnableWebhook {
  readonly type: 'EnableWebhook';
  readonly webhookId: string;
  readonly actorId: string;
  readonly at: string;
}
export type WebhookCommand = RegisterWebhook | RotateWebhookSecret | DisableWebhook | EnableWebhook;

// ---------------------------------------------------------------- state

export interface WebhookState {
  readonly registered: boolean;
  readonly webhookId: string;
  readonly url: string;
  readonly eventTypes: readonly string[];
  readonly categories: readonly string[];
  readonly status: WebhookStatus;
  readonly registeredBy: string;
  readonly secretVersion: number;
  /** When the secret last changed: the previous one still signs for a while (webhook-signing.ts). */
  readonly rotatedAt: string | null;
}

const initialState: WebhookState = {
  registered: false,
  webhookId: '',
  url: '',
  eventTypes: [],
  categories: [],
  status: 'ACTIVE',
  registeredBy: '',
  secretVersion: 0,
  rotatedAt: null,
};

function evolve(state: WebhookState, event: WebhookEvent): WebhookState {
  switch (event.type) {
    case 'WebhookRegistered':
      return {
        registered: true,
        webhookId: event.data.webhookId,
        url: event.data.url,
        eventTypes: event.data.eventTypes,
        categories: event.data.categories,
        status: 'ACTIVE',
        registeredBy: event.data.registeredBy,
        secretVersion: event.data.secretVersion,
        rotatedAt: null,
      };
    case 'WebhookSecretRotated':
      return { ...state, secretVersion: event.data.secretVersion, rotatedAt: event.data.rotatedAt };
    case 'WebhookDisabled':
      return { ...state, status: 'DISABLED' };
    case 'WebhookEnabled':
      return { ...state, status: 'ACTIVE' };
    default:
      return ignoreUnknownEvent(event, state);
  }
}

function decide(command: WebhookCommand, state: WebhookState): WebhookEvent[] {
  if (command.type === 'RegisterWebhook') {
    const eventTypes = checkedFilter(command.eventTypes, 'eventTypes');
    const categories = checkedFilter(command.categories, 'categories');
    if (state.registered) {
      // The same registration again (a retry without its commandId) changes nothing; a different one is refused.
      if (state.url === command.url && sameList(state.eventTypes, eventTypes) && sameList(state.categories, categories)) return [];
      throw conflict(`webhook ${command.webhookId} is registered already`, { field: 'webhookId' });
    }
    return [
      {
        type: 'WebhookRegistered',
        data: {
          webhookId: command.webhookId,
          url: command.url,
          urlHint: command.urlHint,
          description: command.description,
          eventTypes,
          categories,
          secretVersion: 1,
          registeredBy: command.actorId,
          registeredAt: command.at,
        },
      },
    ];
  }
  if (!state.registered) throw notFound(`webhook ${command.webhookId} does not exist`, { field: 'webhookId' });
  switch (command.type) {
    case 'RotateWebhookSecret':
      return [
        {
          type: 'WebhookSecretRotated',
          data: { webhookId: state.webhookId, secretVersion: state.secretVersion + 1, rotatedBy: command.actorId, rotatedAt: command.at },
        },
      ];
    case 'DisableWebhook':
      // Disabled already (by a manager, or by another instance's delivery): nothing more to record.
      if (state.status === 'DISABLED') return [];
      return [
        {
          type: 'WebhookDisabled',
          data: {
            webhookId: state.webhookId,
            reason: command.failing === null ? 'BY_COMMUNITY_MANAGER' : 'FAILING',
            disabledBy: command.actorId,
            disabledAt: command.at,
            registeredBy: state.registeredBy,
            failingSince: command.failing?.since ?? null,
            lastError: command.failing?.lastError ?? null,
          },
        },
      ];
    case 'EnableWebhook':
      if (state.status === 'ACTIVE') return [];
      return [{ type: 'WebhookEnabled', data: { webhookId: state.webhookId, enabledBy: command.actorId, enabledAt: command.at } }];
    default:
      return unreachable('webhook command', command, 'type');
  }
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((value, index) => value === b[index]);
}

/** Trimmed, without duplicates, sorted (so that the same filter always reads the same), at most MAX_WEBHOOK_FILTERS. */
export function checkedFilter(values: readonly string[], field: 'eventTypes' | 'categories'): string[] {
  if (values.length > MAX_WEBHOOK_FILTERS) throw badInput(`${field} may name at most ${MAX_WEBHOOK_FILTERS} entries`, { field });
  const checked = new Set<string>();
  for (const value of values) {
    const text = typeof value === 'string' ? value.trim() : '';
    if (!/^[A-Za-z][A-Za-z0-9_]{0,99}$/.test(text))
      throw badInput(`${field} holds "${String(value)}", which names no ${field === 'eventTypes' ? 'event type' : 'stream category'}`, {
        field,
      });
    checked.add(text);
  }
  return [...checked].sort();
}

export const webhookDecider: Decider<WebhookCommand, WebhookState, WebhookEvent> = { initialState, evolve, decide };

/** Whether a webhook with these filters hears an event of this type in this stream. */
export function webhookHears(
  filter: { readonly eventTypes: readonly string[]; readonly categories: readonly string[] },
  event: { readonly type: string; readonly streamId: string },
): boolean {
  if (filter.eventTypes.length === 0 && filter.categories.length === 0) return true;
  const dash = event.streamId.indexOf('-');
  const category = dash < 0 ? event.streamId : event.streamId.slice(0, dash);
  return filter.eventTypes.includes(event.type) || filter.categories.includes(category);
}
