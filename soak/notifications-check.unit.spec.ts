import { randomUUID } from 'node:crypto';
import { messageIdOf as serviceMessageIdOf, notificationId } from '../src/modules/notifications/notification-delivery.ts';
import { webhookMessageId as serviceWebhookMessageId } from '../src/modules/webhooks/webhook-dispatch.ts';
import type { LogEvent } from './event-log.ts';
import {
  checkEmailDeliveries,
  checkWebhookDeliveries,
  emailNotificationId,
  messageIdOf,
  webhookMessageId,
  type DeliveryRecord,
} from './notifications-check.ts';
import type { ReceivedMail, ReceivedWebhook } from './receivers.ts';

/** Hand-built logs and arrivals: what the receivers saw, and what the checks find in it. */
let position = 0;
const revisions = new Map<string, number>();
const event = (streamId: string, type: string, data: Record<string, unknown>): LogEvent => {
  const revision = revisions.get(streamId) ?? 0;
  revisions.set(streamId, revision + 1);
  position++;
  return {
    id: randomUUID(),
    streamId,
    category: streamId.slice(0, streamId.indexOf('-')),
    revision,
    type,
    position: `${position}:${position}`,
    commandId: `soak-cm-1/c${position}`,
    actorId: 'soak-cm-1',
    causationId: null,
    authority: 'role:COMMUNITY_MANAGER',
    data: JSON.stringify(data),
  };
};
const run = <T>(check: (report: (check: string, detail: string) => void) => T) => {
  const found: { check: string; detail: string }[] = [];
  const result = check((name, detail) => found.push({ check: name, detail }));
  return { result, checks: found.map((f) => f.check).sort(), found };
};

beforeEach(() => {
  position = 0;
  revisions.clear();
});

test('the ids the checker derives are the service’s own', () => {
  const eventId = randomUUID();
  expect(webhookMessageId('wh-1', eventId)).toBe(serviceWebhookMessageId('wh-1', eventId));
  const id = notificationId(eventId, { kind: 'MODERATION_DECISION', recipientId: 'm-1', params: {} }, 'email');
  expect(emailNotificationId(eventId, 'MODERATION_DECISION', 'm-1')).toBe(id);
  expect(messageIdOf(id)).toBe(serviceMessageIdOf(id));
});

describe('soak notifications check: the webhook', () => {
  const WEBHOOK = 'wh-1';
  const arrival = (e: LogEvent, overrides: Partial<ReceivedWebhook> = {}): ReceivedWebhook => ({
    webhookId: webhookMessageId(WEBHOOK, e.id),
    eventId: e.id,
    eventType: e.type,
    streamId: e.streamId,
    verification: 'verified',
    skewS: 0,
    receivedAt: new Date().toISOString(),
    ...overrides,
  });
  /** One event before the registration (not heard), the registration, two after. */
  const log = () => {
    const before = event('group-g1', 'GroupCreated', { groupId: 'g1' });
    const registered = event(`webhook-${WEBHOOK}`, 'WebhookRegistered', { webhookId: WEBHOOK });
    const a = event('group-g2', 'GroupCreated', { groupId: 'g2' });
    const b = event('member-m1', 'MemberRegistered', { memberId: 'm1' });
    return { before, registered, a, b, all: [before, registered, a, b] };
  };

  test('every event after the registration, each under its webhook-id, verified: no finding; repeats are counted', () => {
    const { a, b, all } = log();
    const { result, found } = run((report) =>
      checkWebhookDeliveries({ log: all, webhookId: WEBHOOK, received: [arrival(a), arrival(b), arrival(b)] }, report),
    );
    expect(found).toEqual([]);
    expect(result).toMatchObject({ expected: 2, received: 3, unique: 2, repeats: 1, missing: 0, unexpected: 0, invalidSignatures: 0 });
    expect(result.repeatedIds).toEqual([webhookMessageId(WEBHOOK, b.id)]);
  });

  test('an event that never arrived is missing', () => {
    const { a, all } = log();
    const { result, checks } = run((report) => checkWebhookDeliveries({ log: all, webhookId: WEBHOOK, received: [arrival(a)] }, report));
    expect(checks).toEqual(['webhook-missed-event']);
    expect(result.missing).toBe(1);
  });

  test('an id for no event of the log (a refused command), or for an event before the registration, is reported', () => {
    const { before, a, b, all } = log();
    const ghost = event('group-g9', 'GroupCreated', { groupId: 'g9' }); // never in the log given to the check
    const { result, checks } = run((report) =>
      checkWebhookDeliveries({ log: all, webhookId: WEBHOOK, received: [arrival(a), arrival(b), arrival(ghost), arrival(before)] }, report),
    );
    expect(checks).toEqual(['webhook-event-before-registration', 'webhook-unexpected-message']);
    expect(result.unexpected).toBe(2);
  });

  test('a body naming another event than its webhook-id, and a signature that does not verify, are reported', () => {
    const { a, b, all } = log();
    const skewed = arrival(b, { verification: 'verified-timestamp-skewed', skewS: 86_400 });
    const { result, checks } = run((report) =>
      checkWebhookDeliveries(
        {
          log: all,
          webhookId: WEBHOOK,
          received: [arrival(a, { eventType: 'GroupRenamed' }), skewed, arrival(b, { verification: 'invalid' })],
        },
        report,
      ),
    );
    expect(checks).toEqual(['webhook-body-mismatch', 'webhook-signature-invalid']);
    // A timestamp the schedulers' clock moved is counted, not a discrepancy.
    expect(result).toMatchObject({ invalidSignatures: 1, verifiedTimestampSkewed: 1, maxSkewS: 86_400 });
  });
});

describe('soak notifications check: e-mails', () => {
  const addresses = new Map([
    ['m-mail', 'm-mail@soak.example'],
    ['m-reporter', 'm-reporter@soak.example'],
  ]);
  const mail = (messageId: string, to: string, subject = 'Your post'): ReceivedMail => ({
    messageId,
    to: [to],
    subject,
    receivedAt: new Date().toISOString(),
  });
  const decision = (caseId: string, authorId: string, outcome: string) => [
    event(`moderation_case-${caseId}`, 'ModerationCaseOpened', { caseId, authorId }),
    event(`moderation_case-${caseId}`, 'ModerationCaseDecided', { caseId, outcome, sanction: null }),
  ];
  const decisionMail = (decided: LogEvent, authorId: string) =>
    messageIdOf(emailNotificationId(decided.id, 'MODERATION_DECISION', authorId));
  /** c1: removed, author with an address (due); c2: NO_ACTION; c3: hidden, author without an address. */
  const log = () => {
    const c1 = decision('c1', 'm-mail', 'REMOVE_CONTENT');
    const c2 = decision('c2', 'm-mail', 'NO_ACTION');
    const c3 = decision('c3', 'm-none', 'HIDE_CONTENT');
    return { c1: c1[1]!, c2: c2[1]!, c3: c3[1]!, all: [...c1, ...c2, ...c3] };
  };

  test('the one decision due arrived once (and once more, a repeat); another kind for an event of the log is counted', () => {
    const { c1, all } = log();
    const handled: DeliveryRecord = {
      notificationId: emailNotificationId(c1.id, 'REPORT_HANDLED', 'm-reporter'),
      kind: 'REPORT_HANDLED',
      recipientId: 'm-reporter',
      status: 'SENT',
    };
    const due = mail(decisionMail(c1, 'm-mail'), 'm-mail@soak.example');
    const { result, found } = run((report) =>
      checkEmailDeliveries(
        {
          log: all,
          addresses,
          received: [due, due, mail(messageIdOf(handled.notificationId), 'm-reporter@soak.example')],
          deliveries: [handled],
        },
        report,
      ),
    );
    expect(found).toEqual([]);
    expect(result.moderationDecisions).toMatchObject({
      decisions: 3,
      due: 1,
      notDueNoAction: 1,
      notDueNoAddress: 1,
      received: 2,
      unique: 1,
      repeats: 1,
      missing: 0,
    });
    expect(result.otherKinds).toEqual({ REPORT_HANDLED: { received: 1, unique: 1, repeats: 0, repeatedIds: [] } });
    expect(result).toMatchObject({ received: 3, unique: 2, repeats: 1, unexpected: 0 });
  });

  test('a decision due that never arrived is missing', () => {
    const { checks, result } = run((report) => checkEmailDeliveries({ log: log().all, addresses, received: [], deliveries: [] }, report));
    expect(checks).toEqual(['email-missing']);
    expect(result.moderationDecisions.missing).toBe(1);
  });

  test('an e-mail for NO_ACTION, for an author without an address, or to someone else, is reported', () => {
    const { c1, c2, c3, all } = log();
    const { checks } = run((report) =>
      checkEmailDeliveries(
        {
          log: all,
          addresses,
          received: [
            mail(decisionMail(c1, 'm-mail'), 'm-reporter@soak.example'),
            mail(decisionMail(c2, 'm-mail'), 'm-mail@soak.example'),
            mail(decisionMail(c3, 'm-none'), 'somebody@soak.example'),
          ],
          deliveries: [],
        },
        report,
      ),
    );
    expect(checks).toEqual(['email-not-due', 'email-not-due', 'email-wrong-recipient']);
  });

  test('an e-mail about an event not in the log (a refused command), or that no notification explains, is unexpected', () => {
    const { c1, all } = log();
    const refused = randomUUID(); // the event a refused decision would have appended: not in the log
    const ghost: DeliveryRecord = {
      notificationId: emailNotificationId(refused, 'MODERATION_DECISION', 'm-mail'),
      kind: 'MODERATION_DECISION',
      recipientId: 'm-mail',
      status: 'SENT',
    };
    const { checks, result } = run((report) =>
      checkEmailDeliveries(
        {
          log: all,
          addresses,
          received: [
            mail(decisionMail(c1, 'm-mail'), 'm-mail@soak.example'),
            mail(messageIdOf(ghost.notificationId), 'm-mail@soak.example'),
            mail('<something-else@elsewhere>', 'm-mail@soak.example'),
          ],
          deliveries: [ghost],
        },
        report,
      ),
    );
    expect(checks).toEqual(['email-unexpected-message', 'email-unexpected-message']);
    expect(result.unexpected).toBe(2);
  });
});
