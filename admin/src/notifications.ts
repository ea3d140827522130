// The e-mail delivery log (#21): which statuses the filter asks for, and how each status reads at a glance.
import type { NotificationDeliveryStatus } from './api/generated/graphql.ts';
import { MESSAGES, type MessageKey } from './i18n.ts';

/** In the order a notification goes through them, then the ways nobody was told. */
export const NOTIFICATION_STATUSES: readonly NotificationDeliveryStatus[] = [
  'SENDING',
  'RETRY',
  'SENT',
  'FAILED',
  'NOT_SENT_NO_SMTP',
  'NOT_SENT_NO_ADDRESS',
  'NOT_SENT_OPTED_OUT',
  'SKIPPED_TOO_OLD',
];

/** Nobody was told, and nothing will try again: what a community manager looks into. */
export const NOT_TOLD: readonly NotificationDeliveryStatus[] = ['FAILED', 'NOT_SENT_NO_SMTP', 'NOT_SENT_NO_ADDRESS', 'SKIPPED_TOO_OLD'];

/** The filter's choices: every delivery, those nobody was told of, or one status. */
export type NotificationFilter = 'ANY' | 'NOT_TOLD' | NotificationDeliveryStatus;

/** The `status` variable of notificationDeliveries for a filter (null: every status). */
export function notificationStatusesOf(filter: NotificationFilter): NotificationDeliveryStatus[] | null {
  if (filter === 'ANY') return null;
  if (filter === 'NOT_TOLD') return [...NOT_TOLD];
  return [filter];
}

export type Tone = 'ok' | 'warn' | 'bad' | 'info';

/** A delivery's badge: sent is fine, a retry is under way, failed or not sent means a member was not told. */
export function notificationTone(status: NotificationDeliveryStatus): Tone | undefined {
  switch (status) {
    case 'SENT':
      return 'ok';
    case 'SENDING':
      return 'info';
    case 'RETRY':
      return 'warn';
    case 'FAILED':
    case 'NOT_SENT_NO_SMTP':
    case 'NOT_SENT_NO_ADDRESS':
      return 'bad';
    case 'SKIPPED_TOO_OLD':
    case 'NOT_SENT_OPTED_OUT':
      // Deliberate (the event predates the deployment; the member chose not to hear it): not a problem to act on.
      return undefined;
  }
}

/**
 * The label of an enum value the API may extend (a new kind of notification, a new status): `<prefix><value>` when the
 * console has it, else null and the page shows the value as it is rather than a blank.
 */
export function labelKeyOf(prefix: string, value: string): MessageKey | null {
  const key = `${prefix}${value}`;
  return Object.hasOwn(MESSAGES.en, key) ? (key as MessageKey) : null;
}
