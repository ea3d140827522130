// Who is told what, decided from one event alone: pure, so the outbox can decide again after a crash and get the same
// intents (same recipients, same params), and each rule is a unit spec away from proof.
import type { CertificationDueForRenewal, CertificationExpired } from '../certification/index.ts';
import type { ModerationCaseDecided } from '../moderation/index.ts';
import type { WebhookDisabled } from '../webhooks/index.ts';

export const NOTIFICATION_KINDS = [
  'MODERATION_DECISION',
  'CERTIFICATION_DUE_FOR_RENEWAL',
  'CERTIFICATION_EXPIRED',
  'WEBHOOK_DISABLED',
] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

/** Whom to tell what; params hold no personal data (ids, dates, codes, the decision's own reason text). */
export interface NotificationIntent {
  readonly kind: NotificationKind;
  readonly recipientId: string;
  readonly params: Readonly<Record<string, string | number | boolean | null>>;
}

export interface NotifyingEvent {
  readonly type: string;
  readonly data: Record<string, unknown>;
  readonly metadata: { readonly occurredAt: string };
}

export interface NotificationOptions {
  readonly appealWindowDays: number;
}

type Rule = (event: NotifyingEvent, options: NotificationOptions) => NotificationIntent[];

const DAY_MS = 86_400_000;

/** A decision about a member's own content, appealable: the author hears what, why and until when to appeal. */
function moderationDecision(event: NotifyingEvent, options: NotificationOptions): NotificationIntent[] {
  const data = event.data as unknown as ModerationCaseDecided['data'] & { readonly authorId?: unknown };
  // Dismissing the report changes nothing for the author; the reporter's notice is another rule.
  if (data.outcome === 'NO_ACTION') return [];
  const recipientId = authorOf(data);
  if (recipientId === null) return [];
  // Only a suspension with an end has one: a permanent suspension or a warning lasts until lifted.
  const suspendUntil: Record<string, string> =
    data.sanction?.kind === 'SUSPENSION' && data.sanction.until !== null ? { suspendUntil: data.sanction.until } : {};
  return [
    {
      kind: 'MODERATION_DECISION',
      recipientId,
      params: {
        caseId: data.caseId,
        outcome: data.outcome,
        reason: data.reason,
        guideline: data.guideline?.agreementId ?? null,
        guidelineVersion: data.guideline?.version ?? null,
        guidelineSection: data.guideline?.section ?? null,
        decidedAt: data.decidedAt,
        appealDeadline: appealDeadline(data.decidedAt, options.appealWindowDays),
        ...suspendUntil,
      },
    },
  ];
}

/**
 * ModerationCaseDecided names no author (ModerationCaseOpened does): a caller that knows it may add `authorId` to the
 * data; a warning or suspension names its member, who is the author. A hidden or removed post without either has
 * nobody to tell from the event alone.
 */
function authorOf(data: ModerationCaseDecided['data'] & { readonly authorId?: unknown }): string | null {
  if (typeof data.authorId === 'string' && data.authorId !== '') return data.authorId;
  return data.sanction?.memberId ?? null;
}

/** The same instant the appeal rule enforces (decidedAt + the window in whole days), so the message never promises more. */
function appealDeadline(decidedAt: string, appealWindowDays: number): string {
  return new Date(Date.parse(decidedAt) + appealWindowDays * DAY_MS).toISOString();
}

function certificationDueForRenewal(event: NotifyingEvent): NotificationIntent[] {
  const data = event.data as unknown as CertificationDueForRenewal['data'];
  return [{ kind: 'CERTIFICATION_DUE_FOR_RENEWAL', recipientId: data.memberId, params: { level: data.level, expiresAt: data.expiresAt } }];
}

function certificationExpired(event: NotifyingEvent): NotificationIntent[] {
  const data = event.data as unknown as CertificationExpired['data'];
  return [{ kind: 'CERTIFICATION_EXPIRED', recipientId: data.memberId, params: { level: data.level, expiredAt: data.expiredAt } }];
}

/**
 * A webhook the delivery gave up on (a day of failures): the community manager who registered it hears which one,
 * since when it failed and why, so the team channel is not silently dark. One disabled by a manager tells nobody.
 */
function webhookDisabled(event: NotifyingEvent): NotificationIntent[] {
  const data = event.data as unknown as WebhookDisabled['data'];
  if (data.reason !== 'FAILING' || data.registeredBy === 'system' || data.registeredBy === '') return [];
  return [
    {
      kind: 'WEBHOOK_DISABLED',
      recipientId: data.registeredBy,
      params: { webhookId: data.webhookId, failingSince: data.failingSince, lastError: data.lastError, disabledAt: data.disabledAt },
    },
  ];
}

// Keyed by the stored event names, so a renamed or misspelt type fails to compile.
type NotifyingEventType =
  ModerationCaseDecided['type'] | CertificationDueForRenewal['type'] | CertificationExpired['type'] | WebhookDisabled['type'];

const RULES: Readonly<Record<NotifyingEventType, Rule>> = {
  ModerationCaseDecided: moderationDecision,
  CertificationDueForRenewal: certificationDueForRenewal,
  CertificationExpired: certificationExpired,
  WebhookDisabled: webhookDisabled,
};

/** The event types some rule reads (the outbox reads only these from the log). */
export const NOTIFYING_EVENT_TYPES: readonly string[] = Object.freeze(Object.keys(RULES));

export function notificationsFor(event: NotifyingEvent, options: NotificationOptions): NotificationIntent[] {
  // Own properties only: an event type such as `constructor` must not find Object's.
  const rule = Object.hasOwn(RULES, event.type) ? RULES[event.type as NotifyingEventType] : undefined;
  return rule === undefined ? [] : rule(event, options);
}
