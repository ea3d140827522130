/**
 * Exactly once, as the receivers saw it (issue 21): pure checks of what arrived at the soak's SMTP server and webhook
 * receiver (./receivers.ts) against the final log. Each takes the arrivals and the log and reports findings through
 * `report`, like checkLeaverConsequences.
 *
 * The ids are the service's idempotency keys, derived from what they identify, so the checker derives them again
 * from the log rather than trusting the service's tables: `webhookMessageId(webhookId, eventId)` for a webhook's
 * `webhook-id`, `messageIdOf(notificationId)` for an e-mail's `Message-ID`. Both are restated below (the soak runs
 * on Node's type stripping, which cannot load the service's decorated modules); the unit spec proves them equal to
 * the service's own (src/modules/webhooks, src/modules/notifications). A repeat of the same id is what the
 * service promises after a crash between sending and recording (a receiver deduplicates by it); it is counted and
 * reported, not a discrepancy. Two ids for one thing, an id for nothing in the log, or nothing at all for something
 * due, are.
 */
import { createHash } from 'node:crypto';
import type { LogEvent } from './event-log.ts';
import type { ReceivedMail, ReceivedWebhook } from './receivers.ts';

/** The webhook-id of one event's delivery to one webhook (the service's webhookMessageId). */
export function webhookMessageId(webhookId: string, eventId: string): string {
  return 'msg_' + createHash('sha256').update(`${webhookId}/${eventId}`).digest('base64url').slice(0, 32);
}

/** The Message-ID of a notification's e-mail (the service's messageIdOf). */
export function messageIdOf(notificationId: string): string {
  return `<${createHash('sha256').update(notificationId).digest('hex').slice(0, 40)}@notifications.governance>`;
}

export type Report = (check: string, detail: string, data?: unknown) => void;

/** How many arrived, under how many distinct ids, how many of those came more than once (and which, the first few). */
export interface ArrivalCounts {
  readonly received: number;
  readonly unique: number;
  readonly repeats: number;
  readonly repeatedIds: readonly string[];
}

function countArrivals<T>(items: readonly T[], idOf: (item: T) => string): { byId: Map<string, T[]>; counts: ArrivalCounts } {
  const byId = new Map<string, T[]>();
  for (const item of items) {
    const id = idOf(item);
    let list = byId.get(id);
    if (!list) byId.set(id, (list = []));
    list.push(item);
  }
  const repeated = [...byId].filter(([, list]) => list.length > 1);
  return {
    byId,
    counts: {
      received: items.length,
      unique: byId.size,
      repeats: repeated.reduce((sum, [, list]) => sum + list.length - 1, 0),
      repeatedIds: repeated.slice(0, 10).map(([id]) => id),
    },
  };
}

// ---------------------------------------------------------------- webhooks
export interface WebhookReport extends ArrivalCounts {
  readonly webhookId: string;
  /** Events recorded after the registration (log order): each must have arrived under its webhook-id. */
  readonly expected: number;
  readonly missing: number;
  readonly unexpected: number;
  readonly invalidSignatures: number;
  /** Verified, but webhook-timestamp beyond the library's 5-minute tolerance (the schedulers' clock, jumped). */
  readonly verifiedTimestampSkewed: number;
  readonly maxSkewS: number;
}

/**
 * The webhook heard every event (no filter): each event after its WebhookRegistered in log order arrived under
 * exactly its webhook-id, `webhookMessageId(webhookId, event.id)` (`webhook-missed-event`); every id that arrived is
 * one of those (`webhook-unexpected-message`: no event in the log; `webhook-event-before-registration`), its body names
 * that event (`webhook-body-mismatch`: another event, type or stream); and every request verified with the webhook's
 * secret (`webhook-signature-invalid`).
 */
export function checkWebhookDeliveries(
  input: { readonly log: readonly LogEvent[]; readonly webhookId: string; readonly received: readonly ReceivedWebhook[] },
  report: Report,
): WebhookReport {
  const { log, webhookId, received } = input;
  const registration = log.findIndex(
    (event) => event.type === 'WebhookRegistered' && (JSON.parse(event.data) as { webhookId?: unknown }).webhookId === webhookId,
  );
  if (registration < 0) report('webhook-not-registered', `no WebhookRegistered for ${webhookId} in the log`);
  const byMessageId = new Map(log.map((event, index) => [webhookMessageId(webhookId, event.id), { event, index }]));
  const expected = registration < 0 ? [] : log.slice(registration + 1);
  const { byId, counts } = countArrivals(received, (r) => r.webhookId);

  let missing = 0;
  for (const event of expected) {
    if (byId.has(webhookMessageId(webhookId, event.id))) continue;
    missing++;
    report('webhook-missed-event', `${event.type}@${event.streamId}/${event.revision} (${event.position}) never arrived at the webhook`);
  }
  let unexpected = 0;
  for (const [id, arrivals] of byId) {
    const known = byMessageId.get(id);
    const first = arrivals[0]!;
    if (!known) {
      unexpected++;
      report('webhook-unexpected-message', `webhook-id ${id} (${arrivals.length}×) is no event of the log`, {
        eventId: first.eventId,
        eventType: first.eventType,
      });
      continue;
    }
    if (known.index <= registration) {
      unexpected++;
      report('webhook-event-before-registration', `${known.event.type}@${known.event.streamId} was recorded before the webhook`);
    }
    const { event } = known;
    for (const arrival of arrivals) {
      if (arrival.eventId !== event.id || arrival.eventType !== event.type || arrival.streamId !== event.streamId) {
        report(
          'webhook-body-mismatch',
          `webhook-id ${id} is ${event.type}@${event.streamId} (${event.id}); its body says ${arrival.eventType}@${arrival.streamId} (${arrival.eventId})`,
        );
      }
    }
  }
  const invalid = received.filter((r) => r.verification === 'invalid');
  for (const r of invalid.slice(0, 5))
    report('webhook-signature-invalid', `webhook-id ${r.webhookId}: no signature verified with the webhook's secret`);
  if (invalid.length > 5) report('webhook-signature-invalid', `${invalid.length} requests in all did not verify`);
  const skews = received.map((r) => Math.abs(r.skewS)).filter(Number.isFinite);
  return {
    webhookId,
    expected: expected.length,
    ...counts,
    missing,
    unexpected,
    invalidSignatures: invalid.length,
    verifiedTimestampSkewed: received.filter((r) => r.verification === 'verified-timestamp-skewed').length,
    maxSkewS: skews.reduce((max, skew) => Math.max(max, skew), 0),
  };
}

// ---------------------------------------------------------------- e-mails
/** A row of the service's notification_deliveries: only to name what an e-mail of another kind is about. */
export interface DeliveryRecord {
  readonly notificationId: string;
  readonly kind: string;
  readonly recipientId: string;
  readonly status: string;
}

export interface EmailReport extends ArrivalCounts {
  readonly moderationDecisions: ArrivalCounts & {
    /** Decisions in the log (ModerationCaseDecided). */
    readonly decisions: number;
    /** Of those, due an e-mail: an outcome other than NO_ACTION, about content of an author with an address. */
    readonly due: number;
    readonly notDueNoAction: number;
    readonly notDueNoAddress: number;
    readonly missing: number;
  };
  /** E-mails of the other kinds (reports handled, appeals, certifications...), by kind: counted, each for an event of the log. */
  readonly otherKinds: Record<string, ArrivalCounts>;
  readonly unexpected: number;
}

interface DecisionMail {
  readonly eventId: string;
  readonly caseId: string;
  readonly authorId: string;
  /** null: due; else why not. */
  readonly notDue: 'NO_ACTION' | 'no address' | null;
}

/**
 * The notification id of an e-mail, restated (the service's notificationId: event, kind, recipient, channel): the
 * Message-ID is its digest (messageIdOf), so an e-mail names exactly one notification.
 */
export function emailNotificationId(eventId: string, kind: string, recipientId: string): string {
  return `${eventId}/${kind}/${recipientId}/email`;
}

/**
 * Every moderation decision due an e-mail (an outcome other than NO_ACTION, about content whose author, as the case's
 * ModerationCaseOpened names them, has an address in the soak's directory) arrived under exactly its Message-ID,
 * `messageIdOf(<event id>/MODERATION_DECISION/<author>/email)`, addressed to the author (`email-missing`,
 * `email-wrong-recipient`); none arrived for a decision not due one (`email-not-due`: NO_ACTION, or an author without
 * an address). Any other e-mail must be a notification the service recorded (`deliveries`, whose id digests to the
 * Message-ID) for an event of the log, addressed to its recipient; else `email-unexpected-message` (a refused command
 * records no event, so an e-mail about one has no event to name).
 */
export function checkEmailDeliveries(
  input: {
    readonly log: readonly LogEvent[];
    /** member id → the address the soak's directory gave them (members without one are absent). */
    readonly addresses: ReadonlyMap<string, string>;
    readonly received: readonly ReceivedMail[];
    readonly deliveries: readonly DeliveryRecord[];
  },
  report: Report,
): EmailReport {
  const { log, addresses, received, deliveries } = input;
  const authors = new Map<string, string>();
  const decisions = new Map<string, DecisionMail>();
  for (const event of log) {
    if (event.type !== 'ModerationCaseOpened' && event.type !== 'ModerationCaseDecided') continue;
    const data = JSON.parse(event.data) as {
      caseId: string;
      authorId?: string;
      outcome?: string;
      sanction?: { memberId?: string } | null;
    };
    if (event.type === 'ModerationCaseOpened') {
      if (typeof data.authorId === 'string') authors.set(data.caseId, data.authorId);
      continue;
    }
    const authorId = authors.get(data.caseId) ?? data.sanction?.memberId;
    if (authorId === undefined) {
      report('email-decision-without-author', `${event.streamId}/${event.revision}: no ModerationCaseOpened names the author`);
      continue;
    }
    const notDue = data.outcome === 'NO_ACTION' ? 'NO_ACTION' : addresses.has(authorId) ? null : 'no address';
    decisions.set(messageIdOf(emailNotificationId(event.id, 'MODERATION_DECISION', authorId)), {
      eventId: event.id,
      caseId: data.caseId,
      authorId,
      notDue,
    });
  }
  const eventIds = new Set(log.map((event) => event.id));
  const recorded = new Map(deliveries.map((d) => [messageIdOf(d.notificationId), d]));
  const { byId, counts } = countArrivals(received, (mail) => mail.messageId);

  const decisionArrivals: ReceivedMail[] = [];
  const otherArrivals = new Map<string, ReceivedMail[]>();
  let unexpected = 0;
  const addressedTo = (mails: readonly ReceivedMail[], memberId: string, what: string) => {
    const address = addresses.get(memberId)?.toLowerCase();
    const wrong = mails.find((mail) => address === undefined || !mail.to.includes(address));
    if (wrong) report('email-wrong-recipient', `${what} went to ${wrong.to.join(', ')}, not to ${memberId} (${address ?? 'no address'})`);
  };
  for (const [messageId, mails] of byId) {
    const decision = decisions.get(messageId);
    if (decision) {
      const what = `the MODERATION_DECISION e-mail of case ${decision.caseId} (event ${decision.eventId})`;
      if (decision.notDue) report('email-not-due', `${what} arrived ${mails.length}× though none was due (${decision.notDue})`);
      else addressedTo(mails, decision.authorId, what);
      decisionArrivals.push(...mails);
      continue;
    }
    const delivery = recorded.get(messageId);
    const eventId = delivery?.notificationId.split('/')[0];
    if (!delivery || eventId === undefined || !eventIds.has(eventId)) {
      unexpected++;
      report(
        'email-unexpected-message',
        delivery
          ? `Message-ID ${messageId} (${mails.length}×) is notification ${delivery.notificationId}, whose event is not in the log`
          : `Message-ID ${messageId} (${mails.length}×, "${mails[0]!.subject}") is no notification the service recorded`,
      );
      continue;
    }
    addressedTo(mails, delivery.recipientId, `the ${delivery.kind} e-mail ${delivery.notificationId}`);
    let list = otherArrivals.get(delivery.kind);
    if (!list) otherArrivals.set(delivery.kind, (list = []));
    list.push(...mails);
  }

  let missing = 0;
  for (const [messageId, decision] of decisions) {
    if (decision.notDue || byId.has(messageId)) continue;
    missing++;
    report(
      'email-missing',
      `the MODERATION_DECISION e-mail of case ${decision.caseId} (event ${decision.eventId}) to ${decision.authorId} never arrived`,
    );
  }
  const all = [...decisions.values()];
  return {
    ...counts,
    moderationDecisions: {
      decisions: all.length,
      due: all.filter((d) => d.notDue === null).length,
      notDueNoAction: all.filter((d) => d.notDue === 'NO_ACTION').length,
      notDueNoAddress: all.filter((d) => d.notDue === 'no address').length,
      ...countArrivals(decisionArrivals, (mail) => mail.messageId).counts,
      missing,
    },
    otherKinds: Object.fromEntries(
      [...otherArrivals]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([kind, mails]) => [kind, countArrivals(mails, (mail) => mail.messageId).counts]),
    ),
    unexpected,
  };
}
