import type { ParsedMail } from 'mailparser';
import { eventually } from '#testing';
import { caseIdFor } from '../../src/modules/moderation/index.ts';
import {
  createNotificationDelivery,
  ERASURE_NOTICES_TABLE,
  NOTIFICATION_DELIVERY_SCHEDULER,
  type MailSender,
} from '../../src/modules/notifications/index.ts';
import { smtpSender } from '../../src/modules/notifications/smtp-sender.ts';
import { Role } from '../../src/platform/auth/role.ts';
import { provisionWithAddress, schedulerNamed, startMailServer, type TestMailServer } from '../support/mail.ts';
import { startTestService, type GraphQLResponse, type TestService } from '../support/test-service.ts';

// The one message an erased member still gets (issue 21): "your erasure is complete", at the address they had before
// it, kept aside at the last moment it could be read and forgotten once the message is settled, whichever way. Every
// other notification of theirs is still not sent: their address went with their data. Against a real SMTP server.

const SCIM_TOKEN = 'scim-static-secret-for-the-erasure-notice-suite-01';
const ERASE = `mutation($input: RequestErasureInput!) { requestErasure(input: $input) { status } }`;
const REPORT = `mutation($input: ReportContentInput!) { reportContent(input: $input) { id } }`;
const DECIDE = `mutation($input: DecideModerationCaseInput!) { decideModerationCase(input: $input) { id } }`;
const REGISTER = `mutation($input: RegisterMemberInput!) { registerMember(input: $input) { id } }`;
const FROM = 'Community team <no-reply@governance.invalid>';

interface DeliveryRow {
  kind: string;
  status: string;
  attempts: number;
  message_id: string;
  last_error: string | null;
}

describe('the erasure-completed notice, through a real SMTP server', () => {
  const received: ParsedMail[] = [];
  let mail: TestMailServer;
  let t: TestService;

  beforeAll(async () => {
    mail = await startMailServer(received);
    // The delivery scheduler is driven by the test (runOnce), so that what a pass sent is known when it is checked.
    t = await startTestService({ env: { SMTP_URL: mail.url, SCHEDULER_INTERVAL_MS: '3600000', SCIM_TOKEN } });
  });
  afterAll(async () => {
    await t?.close();
    await mail?.close();
  });

  const query = <T>(sql: string, parameters: unknown[] = []) => t.service.eventSourcing.readModels.query(sql, parameters) as Promise<T[]>;
  const delivery = () => schedulerNamed(t, NOTIFICATION_DELIVERY_SCHEDULER);
  const deliveriesOf = (memberId: string) =>
    query<DeliveryRow>(
      'SELECT kind, status, attempts, message_id, last_error FROM notification_deliveries WHERE recipient_id = $1 ORDER BY kind',
      [memberId],
    );
  const kept = (memberId: string) =>
    query<{ address: string; language: string | null }>(`SELECT address, language FROM ${ERASURE_NOTICES_TABLE} WHERE member_id = $1`, [
      memberId,
    ]);
  const mailTo = (address: string) =>
    received.filter((m) => m.to !== undefined && !Array.isArray(m.to) && m.to.value.some((to) => to.address === address));

  function ok<T>(response: GraphQLResponse<T>): T {
    expect(response.errors).toBeUndefined();
    return response.data!;
  }

  async function erase(memberId: string): Promise<void> {
    const officer = await t.token('po-1', Role.PRIVACY_OFFICER);
    const erased = ok(await t.graphql(ERASE, { input: { memberId, reason: 'the member asked by e-mail' } }, { token: officer }));
    expect(erased).toEqual({ requestErasure: { status: 'COMPLETED' } });
  }

  /** A delivery instance of its own (another clock, another sender), as the suite on notifications makes them. */
  const instance = (options: { send: MailSender | undefined; hoursAhead?: number }) =>
    createNotificationDelivery({
      readModels: t.service.eventSourcing.readModels,
      clock: { now: () => new Date(Date.now() + (options.hoursAhead ?? 0) * 3_600_000) },
      intervalMs: 3_600_000,
      send: options.send,
      appealWindowDays: 30,
      maxAgeHours: 72,
    });

  test('the member is told once, at the address they had, in their language; the address is then forgotten', async () => {
    const member = await provisionWithAddress(t, SCIM_TOKEN, 'erin@example.com', 'erin@example.com', 'nl-NL');
    // A notification of theirs still pending when they are erased (no delivery pass has run: the scheduler waits an hour).
    ok(
      await t.graphql(
        REPORT,
        { input: { contentId: 'post-erin-1', contentType: 'post', authorId: member, reason: 'SPAM' } },
        { token: await t.token('m-reporter', Role.MEMBER) },
      ),
    );
    ok(
      await t.graphql(
        DECIDE,
        { input: { caseId: caseIdFor('post-erin-1', 1), outcome: 'HIDE_CONTENT', reason: 'off topic' } },
        { token: await t.token('cm-1', Role.COMMUNITY_MANAGER) },
      ),
    );

    await erase(member);
    // Kept aside before the key was destroyed, while the directory's copy is already gone.
    expect(await kept(member)).toEqual([{ address: 'erin@example.com', language: 'nl-NL' }]);
    await eventually(async () =>
      expect(await query(`SELECT emails FROM read_models.members WHERE member_id = $1`, [member])).toEqual([{ emails: [] }]),
    );

    await eventually(async () => {
      await delivery().runOnce();
      expect((await deliveriesOf(member)).map(({ kind, status }) => ({ kind, status }))).toEqual([
        { kind: 'ERASURE_COMPLETED', status: 'SENT' },
        // Every other notification of theirs is still not sent: that address is for the erasure's notice alone.
        { kind: 'MODERATION_DECISION', status: 'NOT_SENT_NO_ADDRESS' },
      ]);
    });
    const [notice] = await deliveriesOf(member);
    const told = mailTo('erin@example.com');
    expect(told).toHaveLength(1);
    expect(told[0]!.messageId).toBe(notice!.message_id);
    expect(told[0]!.subject).toBe('Je persoonsgegevens zijn gewist');
    expect(told[0]!.text).toMatch(/Op \d{4}-\d{2}-\d{2} is het wissen van je persoonsgegevens voltooid/);
    // Nothing personal in it: neither their id nor the address it went to, nor the reason given for the erasure.
    expect(told[0]!.text).not.toContain(member);
    expect(told[0]!.text).not.toContain('erin');
    expect(told[0]!.text).not.toContain('asked by e-mail');
    expect(await kept(member)).toEqual([]);

    // A second pass, a restarted instance and the request asked again send nothing more and keep nothing.
    const count = received.length;
    await delivery().runOnce();
    const restarted = await startTestService({
      sameDatabaseAs: t,
      env: { SMTP_URL: mail.url, SCHEDULER_INTERVAL_MS: '3600000', SCIM_TOKEN },
    });
    try {
      await schedulerNamed(restarted, NOTIFICATION_DELIVERY_SCHEDULER).runOnce();
    } finally {
      await restarted.close();
    }
    await erase(member);
    expect(await kept(member)).toEqual([]);
    await delivery().runOnce();
    expect(received).toHaveLength(count);
    expect((await deliveriesOf(member)).filter((row) => row.kind === 'ERASURE_COMPLETED')).toEqual([
      expect.objectContaining({ status: 'SENT', attempts: 1 }),
    ]);
  });

  test('a member without an address is recorded as not told, and nothing is kept', async () => {
    ok(
      await t.graphql(
        REGISTER,
        { input: { memberId: 'no-mail-erased', displayName: 'No Mail', department: 'Ops' } },
        { token: await t.token('cm-1', Role.COMMUNITY_MANAGER) },
      ),
    );
    const count = received.length;
    await erase('no-mail-erased');
    expect(await kept('no-mail-erased')).toEqual([]);
    await eventually(async () => {
      await delivery().runOnce();
      expect(await deliveriesOf('no-mail-erased')).toEqual([
        expect.objectContaining({ kind: 'ERASURE_COMPLETED', status: 'NOT_SENT_NO_ADDRESS', last_error: expect.stringMatching(/kept/) }),
      ]);
    });
    expect(received).toHaveLength(count);
  });

  test('an address is kept while the notice is retried, and forgotten once it finally fails', async () => {
    const member = await provisionWithAddress(t, SCIM_TOKEN, 'gus@example.com', 'gus@example.com', 'en');
    const failing = instance({
      send: () => Promise.reject(new Error('451 try again later')),
    });
    await erase(member);
    await eventually(async () => {
      await failing.runOnce();
      expect(await deliveriesOf(member)).toEqual([expect.objectContaining({ kind: 'ERASURE_COMPLETED', status: 'RETRY', attempts: 1 })]);
    });
    expect(await kept(member)).toEqual([{ address: 'gus@example.com', language: 'en' }]);

    // As seven failed attempts leave it, the next one due (a second ago: the database's clock counts microseconds,
    // the delivery's milliseconds): the eighth is the last.
    await query(`UPDATE notification_deliveries SET attempts = 7, next_attempt_at = now() - interval '1 second' WHERE recipient_id = $1`, [
      member,
    ]);
    await failing.runOnce();
    expect(await deliveriesOf(member)).toEqual([
      expect.objectContaining({ kind: 'ERASURE_COMPLETED', status: 'FAILED', attempts: 8, last_error: '451 try again later' }),
    ]);
    expect(await kept(member)).toEqual([]);
    // Final: a working instance does not try again.
    await delivery().runOnce();
    expect(mailTo('gus@example.com')).toEqual([]);
  });

  // An instance 100 hours ahead sees the notice first when it is older than NOTIFICATION_MAX_AGE_HOURS (72).
  test.each([
    ['first seen too late', 'hal@example.com', true, 100, 'SKIPPED_TOO_OLD'],
    ['no SMTP configured', 'ida@example.com', false, 0, 'NOT_SENT_NO_SMTP'],
  ] as const)('an address is forgotten when the notice is not sent: %s', async (_case, address, withSmtp, hoursAhead, status) => {
    const member = await provisionWithAddress(t, SCIM_TOKEN, address, address, 'en');
    const other = instance({ send: withSmtp ? smtpSender(mail.url, FROM) : undefined, hoursAhead });
    await erase(member);
    expect(await kept(member)).toHaveLength(1);
    await eventually(async () => {
      await other.runOnce();
      expect(await deliveriesOf(member)).toEqual([expect.objectContaining({ kind: 'ERASURE_COMPLETED', status })]);
    });
    expect(await kept(member)).toEqual([]);
    await delivery().runOnce();
    expect(mailTo(address)).toEqual([]);
  });
});
