import type { ParsedMail } from 'mailparser';
import { eventually } from '#testing';
import { caseIdFor } from '../../src/modules/moderation/index.ts';
import {
  createNotificationDelivery,
  messageIdOf,
  NOTIFICATION_DELIVERY_SCHEDULER,
  type NotificationDeliveryOptions,
} from '../../src/modules/notifications/index.ts';
import { smtpSender } from '../../src/modules/notifications/smtp-sender.ts';
import { Role } from '../../src/platform/auth/role.ts';
import { provisionWithAddress, schedulerNamed, startMailServer, type TestMailServer } from '../support/mail.ts';
import { startTestService, type TestService } from '../support/test-service.ts';

// Notifications (issue 21, first part) against a real SMTP server started here, its messages read with mailparser.

const SCIM_TOKEN = 'scim-static-secret-for-the-notifications-suite-0123';
const REPORT = `mutation($input: ReportContentInput!) { reportContent(input: $input) { id } }`;
const DECIDE = `mutation($input: DecideModerationCaseInput!) { decideModerationCase(input: $input) { id status } }`;
const REGISTER = `mutation($input: RegisterMemberInput!) { registerMember(input: $input) { id } }`;

describe('e-mail notifications, exactly once, through a real SMTP server', () => {
  const received: ParsedMail[] = [];
  let mail: TestMailServer;
  let t: TestService;
  let cm: string;

  beforeAll(async () => {
    mail = await startMailServer(received);
    // The delivery scheduler is driven by the test (runOnce), so that what a pass sent is known when it is checked.
    t = await startTestService({ env: { SMTP_URL: mail.url, SCHEDULER_INTERVAL_MS: '3600000', SCIM_TOKEN } });
    cm = await t.token('cm-1', Role.COMMUNITY_MANAGER);
  });
  afterAll(async () => {
    await t?.close();
    await mail?.close();
  });

  const delivery = () => schedulerNamed(t, NOTIFICATION_DELIVERY_SCHEDULER);
  const deliveries = async () =>
    (await t.service.eventSourcing.readModels.query(
      'SELECT notification_id, kind, recipient_id, status, attempts, message_id FROM notification_deliveries ORDER BY created_at',
    )) as { notification_id: string; kind: string; recipient_id: string; status: string; attempts: number; message_id: string }[];

  /** A delivery scheduler beside the service's (another instance, another clock, smaller pages), on its database and SMTP server. */
  const anotherDelivery = (options: Partial<NotificationDeliveryOptions> = {}) =>
    createNotificationDelivery({
      readModels: t.service.eventSourcing.readModels,
      clock: { now: () => new Date() },
      intervalMs: 3_600_000,
      send: smtpSender(mail.url, 'Community team <no-reply@governance.invalid>'),
      appealWindowDays: 30,
      maxAgeHours: 72,
      ...options,
    });
  /** As a refusal by the mail server leaves a sent notification: to be retried after `after` (an SQL interval), its event not done. */
  const putBackForRetry = async (notificationId: string, after: string) => {
    await t.service.eventSourcing.readModels.query(
      `UPDATE notification_deliveries SET status = 'RETRY', next_attempt_at = now() + $2::interval WHERE notification_id = $1`,
      [notificationId, after],
    );
    await t.service.eventSourcing.readModels.query(
      `DELETE FROM notification_events_done WHERE event_id = (SELECT event_id FROM notification_deliveries WHERE notification_id = $1)`,
      [notificationId],
    );
  };
  const mailTo = (address: string) =>
    received.filter((m) => m.to !== undefined && !Array.isArray(m.to) && m.to.value.some((to) => to.address === address));
  const provision = (userName: string, email: string, preferredLanguage: string) =>
    provisionWithAddress(t, SCIM_TOKEN, userName, email, preferredLanguage);

  async function decideAbout(contentId: string, authorId: string) {
    const report = await t.graphql(REPORT, { input: { contentId, contentType: 'post', authorId, reason: 'SPAM' } }, { token: cm });
    expect(report.errors).toBeUndefined();
    const decided = await t.graphql(
      DECIDE,
      { input: { caseId: caseIdFor(contentId, 1), outcome: 'REMOVE_CONTENT', reason: 'Advertising <b>is</b> not allowed here' } },
      { token: await t.token('cm-2', Role.COMMUNITY_MANAGER) },
    );
    expect(decided.errors).toBeUndefined();
  }

  test('the author of removed content is told once, in their language, with the reason and how long they may appeal', async () => {
    const author = await provision('anna@example.com', 'anna@example.com', 'nl-NL');
    await decideAbout('post-nl-1', author);

    // The outbox follows the log; the pass that finds the decision sends it.
    await eventually(async () => {
      await delivery().runOnce();
      expect(received).toHaveLength(1);
    });
    const [mail] = received;
    expect(mail!.to).toMatchObject({ value: [{ address: 'anna@example.com' }] });
    expect(mail!.subject).toMatch(/[Bb]ericht|verwijderd|moderatie/);
    expect(mail!.text).toContain('Advertising <b>is</b> not allowed here');
    // Decided now: an appeal is open for APPEAL_WINDOW_DAYS (30), and the message says until when.
    expect(mail!.text).toContain(new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10));
    // HTML with the reason escaped, not interpreted.
    expect(String(mail!.html)).toContain('Advertising &lt;b&gt;is&lt;/b&gt; not allowed here');
    const [row] = await deliveries();
    expect(row).toMatchObject({ kind: 'MODERATION_DECISION', recipient_id: author, status: 'SENT', attempts: 1 });
    expect(mail!.messageId).toBe(messageIdOf(row!.notification_id));

    // The delivery log, for community managers and auditors; members may not read it.
    const LOG = `query($status: [NotificationDeliveryStatus!]) { notificationDeliveries(first: 10, status: $status) {
      totalCount edges { node { notificationId kind recipientId channel status attempts sentAt } } } }`;
    const log = await t.graphql<{ notificationDeliveries: { totalCount: number; edges: { node: Record<string, unknown> }[] } }>(
      LOG,
      { status: ['SENT'] },
      { token: await t.token('auditor-1', Role.AUDITOR) },
    );
    expect(log.errors).toBeUndefined();
    expect(log.data!.notificationDeliveries.edges.map((e) => e.node)).toEqual([
      {
        notificationId: row!.notification_id,
        kind: 'MODERATION_DECISION',
        recipientId: author,
        channel: 'email',
        status: 'SENT',
        attempts: 1,
        sentAt: expect.any(String),
      },
    ]);
    const asMember = await t.graphql(LOG, {}, { token: await t.token(author, Role.MEMBER) });
    expect(asMember.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    // Exactly once: further passes send nothing.
    expect(await delivery().runOnce()).toBe(0);
    expect(received).toHaveLength(1);
  });

  test('a delivery a crash may have interrupted is sent again with the same Message-ID, and never a third time', async () => {
    const before = received.length;
    // The author's e-mail (the reporter, cm-2's case, has no address and was recorded as not told).
    const row = (await deliveries()).find((d) => d.kind === 'MODERATION_DECISION' && d.status === 'SENT');
    // As a process that died between claiming and recording leaves it: claimed long ago, the event not done.
    await t.service.eventSourcing.readModels.query(
      `UPDATE notification_deliveries SET status = 'SENDING', updated_at = now() - interval '10 minutes' WHERE notification_id = $1`,
      [row!.notification_id],
    );
    await t.service.eventSourcing.readModels.query(
      `DELETE FROM notification_events_done WHERE event_id = (SELECT event_id FROM notification_deliveries WHERE notification_id = $1)`,
      [row!.notification_id],
    );
    await delivery().runOnce();
    expect(received).toHaveLength(before + 1);
    expect(received.at(-1)!.messageId).toBe(received[before - 1]!.messageId);
    expect((await deliveries()).find((d) => d.notification_id === row!.notification_id)).toMatchObject({ status: 'SENT', attempts: 2 });
    await delivery().runOnce();
    expect(received).toHaveLength(before + 1);
  });

  test('two instances delivering at the same moment send each notification once', async () => {
    const author = await provision('bert@example.com', 'bert@example.com', 'en-GB');
    const before = received.length;
    await decideAbout('post-en-1', author);
    const otherInstance = anotherDelivery();
    await eventually(async () => {
      await Promise.all([delivery().runOnce(), otherInstance.runOnce()]);
      expect(received.length).toBeGreaterThan(before);
    });
    await Promise.all([delivery().runOnce(), otherInstance.runOnce()]);
    expect(received.slice(before).map((mail) => mail.to)).toEqual([
      expect.objectContaining({ value: [expect.objectContaining({ address: 'bert@example.com' })] }),
    ]);
    // In English, as the directory says they prefer.
    expect(received.at(-1)!.subject).toMatch(/[Cc]ontent|moderat|post/);
  });

  test('only a notification first seen too late is skipped; a retry is sent however old its event has become', async () => {
    // An instance whose clock is 100 hours ahead: every event of this suite is older than NOTIFICATION_MAX_AGE_HOURS (72).
    const later = anotherDelivery({ clock: { now: () => new Date(Date.now() + 100 * 3_600_000) } });
    const sent = (await deliveries()).find((d) => d.kind === 'MODERATION_DECISION' && d.status === 'SENT')!;
    // As an SMTP outage leaves it: to be retried (now), and its event not done.
    await putBackForRetry(sent.notification_id, '0 seconds');
    const author = await provision('late@example.com', 'late@example.com', 'en');
    await decideAbout('post-late-1', author);
    const before = received.length;
    await eventually(async () => {
      await later.runOnce();
      const rows = await deliveries();
      expect(rows.find((d) => d.notification_id === sent.notification_id)).toMatchObject({ status: 'SENT' });
      expect(rows.find((d) => d.recipient_id === author && d.kind === 'MODERATION_DECISION')).toMatchObject({ status: 'SKIPPED_TOO_OLD' });
    });
    expect(received.slice(before).map((mail) => mail.messageId)).toEqual([sent.message_id]);
  });

  test('notifications waiting for a retry that is not due do not hold back those behind them', async () => {
    // Pages of one event: one such event at the head of the outbox is a page's worth (in production, 100 of them).
    const onePerPage = anotherDelivery({ outboxPage: 1 });
    await delivery().runOnce();
    const first = await provision('hol-first@example.com', 'hol-first@example.com', 'en');
    await decideAbout('post-hol-1', first);
    await eventually(async () => {
      await onePerPage.runOnce();
      expect((await deliveries()).find((d) => d.recipient_id === first && d.kind === 'MODERATION_DECISION')).toMatchObject({
        status: 'SENT',
      });
    });
    const waiting = (await deliveries()).find((d) => d.recipient_id === first && d.kind === 'MODERATION_DECISION')!;
    // As a mail server refusing that address leaves it: its retry an hour away, its event not done.
    await putBackForRetry(waiting.notification_id, '1 hour');
    const second = await provision('hol-second@example.com', 'hol-second@example.com', 'en');
    await decideAbout('post-hol-2', second);
    await eventually(async () => {
      await onePerPage.runOnce();
      expect(mailTo('hol-second@example.com')).toHaveLength(1);
    });
    // The one waiting was not sent early.
    expect((await deliveries()).find((d) => d.notification_id === waiting.notification_id)).toMatchObject({ status: 'RETRY' });
    expect(mailTo('hol-first@example.com')).toHaveLength(1);
  });

  test('a member without an address is recorded as not told, never silently dropped', async () => {
    const register = await t.graphql(
      REGISTER,
      { input: { memberId: 'no-mail-1', displayName: 'No Mail', department: 'Ops' } },
      { token: cm },
    );
    expect(register.errors).toBeUndefined();
    const before = received.length;
    await decideAbout('post-no-mail', 'no-mail-1');
    await eventually(async () => {
      await delivery().runOnce();
      expect((await deliveries()).find((d) => d.recipient_id === 'no-mail-1')).toMatchObject({ status: 'NOT_SENT_NO_ADDRESS' });
    });
    expect(received).toHaveLength(before);
  });
});

describe('e-mail notifications without SMTP_URL', () => {
  test('each is recorded as not sent: no SMTP configured', async () => {
    const t = await startTestService({ env: { SCHEDULER_INTERVAL_MS: '3600000' } });
    try {
      const cm = await t.token('cm-1', Role.COMMUNITY_MANAGER);
      const call = async (query: string, input: Record<string, unknown>, token = cm) => {
        const response = await t.graphql(query, { input }, { token });
        expect(response.errors).toBeUndefined();
      };
      await call(REGISTER, { memberId: 'author-1', displayName: 'Author', department: 'Ops' });
      await call(REPORT, { contentId: 'post-1', contentType: 'post', authorId: 'author-1', reason: 'SPAM' });
      await call(
        DECIDE,
        { caseId: caseIdFor('post-1', 1), outcome: 'HIDE_CONTENT', reason: 'off topic' },
        await t.token('cm-2', Role.COMMUNITY_MANAGER),
      );
      const delivery = schedulerNamed(t, NOTIFICATION_DELIVERY_SCHEDULER);
      await eventually(async () => {
        await delivery.runOnce();
        const rows = (await t.service.eventSourcing.readModels.query(
          'SELECT kind, recipient_id, status, last_error FROM notification_deliveries ORDER BY kind',
        )) as unknown[];
        // The author hears the decision, the reporter (cm-1) that their report was handled: neither is sent.
        expect(rows).toEqual([
          {
            kind: 'MODERATION_DECISION',
            recipient_id: 'author-1',
            status: 'NOT_SENT_NO_SMTP',
            last_error: expect.stringMatching(/SMTP_URL/),
          },
          { kind: 'REPORT_HANDLED', recipient_id: 'cm-1', status: 'NOT_SENT_NO_SMTP', last_error: expect.stringMatching(/SMTP_URL/) },
        ]);
      });
    } finally {
      await t.close();
    }
  });
});
