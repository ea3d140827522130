// Webhook management (#21): the register form and its input, what a webhook hears, the changes a webhook's status
// allows, and how its deliveries read. The API checks all of it again; the console only avoids offering what it
// would refuse.
import type { RegisterWebhookInput, WebhookDeliveryStatus, WebhookStatus } from './api/generated/graphql.ts';
import type { Tone } from './notifications.ts';

export const WEBHOOK_DELIVERY_STATUSES: readonly WebhookDeliveryStatus[] = ['PENDING', 'SENDING', 'RETRY', 'SENT', 'FAILED'];

/** After a rotation the previous secret signs too, for this long (README, Webhooks). */
export const PREVIOUS_SECRET_HOURS = 24;

/** The API's limit on event types and on categories per webhook. */
export const MAX_WEBHOOK_FILTERS = 100;

export interface EventCategory {
  readonly category: string;
  readonly types: readonly string[];
}

/** governanceEventTypes grouped by category, both sorted, for the register form's choices. */
export function eventCategoriesOf(entries: readonly { readonly category: string; readonly type: string }[]): EventCategory[] {
  const byCategory = new Map<string, Set<string>>();
  for (const { category, type } of entries) {
    const types = byCategory.get(category) ?? new Set<string>();
    types.add(type);
    byCategory.set(category, types);
  }
  return [...byCategory.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([category, types]) => ({ category, types: [...types].sort((a, b) => a.localeCompare(b)) }));
}

export interface RegisterForm {
  readonly url: string;
  readonly description: string;
  /** Every event, or only those of the chosen categories and types (asked explicitly: "nothing chosen" is not "all"). */
  readonly scope: 'all' | 'chosen';
  readonly categories: readonly string[];
  readonly eventTypes: readonly string[];
}

export const EMPTY_REGISTER_FORM: RegisterForm = { url: '', description: '', scope: 'chosen', categories: [], eventTypes: [] };

export type RegisterProblem = 'urlRequired' | 'urlInvalid' | 'urlScheme' | 'eventsRequired' | 'tooManyEvents';

/** What is wrong with the form, by field; empty when it may be sent. */
export function registerProblems(form: RegisterForm): Partial<Record<'url' | 'events', RegisterProblem>> {
  const problems: Partial<Record<'url' | 'events', RegisterProblem>> = {};
  const url = form.url.trim();
  if (!url) problems.url = 'urlRequired';
  else {
    let parsed: URL | null = null;
    try {
      parsed = new URL(url);
    } catch {
      problems.url = 'urlInvalid';
    }
    if (parsed && parsed.protocol !== 'http:' && parsed.protocol !== 'https:') problems.url = 'urlScheme';
  }
  if (form.scope === 'chosen') {
    const { categories, eventTypes } = chosenFilters(form);
    if (categories.length === 0 && eventTypes.length === 0) problems.events = 'eventsRequired';
    else if (categories.length > MAX_WEBHOOK_FILTERS || eventTypes.length > MAX_WEBHOOK_FILTERS) problems.events = 'tooManyEvents';
  }
  return problems;
}

/** The categories and types to send: a type whose whole category is chosen adds nothing (either matches). */
function chosenFilters(form: RegisterForm): { categories: string[]; eventTypes: string[] } {
  const categories = [...new Set(form.categories)].sort();
  const eventTypes = [...new Set(form.eventTypes)].filter((entry) => !categories.includes(categoryOfEntry(entry))).map(typeOfEntry);
  return { categories, eventTypes: [...new Set(eventTypes)].sort() };
}

/**
 * The form keeps a chosen type as `<category>/<type>` (a type is chosen within its category, and the same name could
 * in principle be stored under two); the API takes the type alone.
 */
export function typeEntry(category: string, type: string): string {
  return `${category}/${type}`;
}

function categoryOfEntry(entry: string): string {
  const slash = entry.indexOf('/');
  return slash < 0 ? '' : entry.slice(0, slash);
}

function typeOfEntry(entry: string): string {
  return entry.slice(entry.indexOf('/') + 1);
}

/** registerWebhook's input for a form without problems. */
export function registerInput(form: RegisterForm, commandId: string): RegisterWebhookInput {
  const description = form.description.trim();
  const filters = form.scope === 'all' ? { categories: [], eventTypes: [] } : chosenFilters(form);
  return {
    url: form.url.trim(),
    commandId,
    ...(description ? { description } : {}),
    ...(filters.categories.length > 0 ? { categories: filters.categories } : {}),
    ...(filters.eventTypes.length > 0 ? { eventTypes: filters.eventTypes } : {}),
  };
}

/** The list with the value added, or removed when it was there. */
export function toggled(list: readonly string[], value: string): string[] {
  return list.includes(value) ? list.filter((entry) => entry !== value) : [...list, value];
}

/** What a webhook hears, as the list shows it: everything, or its categories and its types. */
export function hearsEverything(webhook: { readonly eventTypes: readonly string[]; readonly categories: readonly string[] }): boolean {
  return webhook.eventTypes.length === 0 && webhook.categories.length === 0;
}

export type WebhookChange = 'rotate' | 'disable' | 'enable';

/** The changes offered for a webhook in this status: an active one is disabled, a disabled one enabled; either rotated. */
export function webhookChanges(status: WebhookStatus): WebhookChange[] {
  return status === 'ACTIVE' ? ['rotate', 'disable'] : ['enable', 'rotate'];
}

/** disableWebhook/enableWebhook/rotateWebhookSecret's input: on the revision the list showed, so a concurrent change is a CONFLICT. */
export function webhookChangeInput(
  webhook: { readonly webhookId: string; readonly revision: number },
  reason: string,
  commandId: string,
): { webhookId: string; expectedRevision: number; commandId: string; reason?: string } {
  const trimmed = reason.trim();
  return { webhookId: webhook.webhookId, expectedRevision: webhook.revision, commandId, ...(trimmed ? { reason: trimmed } : {}) };
}

/** Until when the secret before the last rotation still signs; null when it no longer does (or there was none). */
export function previousSecretSignsUntil(rotatedAt: string | null, now: Date): Date | null {
  if (!rotatedAt) return null;
  const until = new Date(new Date(rotatedAt).getTime() + PREVIOUS_SECRET_HOURS * 3_600_000);
  return Number.isNaN(until.getTime()) || until.getTime() <= now.getTime() ? null : until;
}

/** Only a dead letter is tried again by hand (the API answers CONFLICT for any other). */
export function mayRetry(status: WebhookDeliveryStatus): boolean {
  return status === 'FAILED';
}

export function webhookDeliveryTone(status: WebhookDeliveryStatus): Tone {
  switch (status) {
    case 'SENT':
      return 'ok';
    case 'PENDING':
    case 'SENDING':
      return 'info';
    case 'RETRY':
      return 'warn';
    case 'FAILED':
      return 'bad';
  }
}
