import type { ParsedMail } from 'mailparser';
import { eventually } from '#testing';
import { caseIdFor } from '../../src/modules/moderation/index.ts';
import { NOTIFICATION_DELIVERY_SCHEDULER } from '../../src/modules/notifications/index.ts';
import { Role } from '../../src/platform/auth/role.ts';
import { provisionWithAddress, schedulerNamed, startMailServer, type TestMailServer } from '../support/mail.ts';
import { startTestService, type TestService } from '../support/test-service.ts';

// A member chooses what they are told (issue 21), against a real SMTP server: an optional kind they turned off is
// recorded as not sent, never dropped silently; a decision about their own content reaches them whatever they chose.

const SCIM_TOKEN = 'scim-static-secret-for-the-preferences-suite-0123';
const PREFERENCES = `{ myNotificationPreferences { memberId optedOut optional mandatory changedAt revision } }`;
const SET = `mutation($input: SetNotificationPreferencesInput!) { setNotificationPreferences(input: $input) { memberId optedOut revision } }`;

describe('notification preferences', () => {
  const received: ParsedMail[] = [];
  let mail: TestMailServer;
  let t: TestService;

  beforeAll(async () => {
    mail = await startMailServer(received);
    t = await startTestService({ env: { SMTP_URL: mail.url, SCHEDULER_INTERVAL_MS: '3600000', SCIM_TOKEN } });
  });
  afterAll(async () => {
    await t?.close();
    await mail?.close();
  });

  const provision = (userName: string) => provisionWithAddress(t, SCIM_TOKEN, userName, userName);

  test('a member is told everything until they choose, and may turn off only the optional kinds', async () => {
    const token = await t.token('m-pref-1', Role.MEMBER);
    const initial = await t.graphql<{ myNotificationPreferences: Record<string, unknown> }>(PREFERENCES, {}, { token });
    expect(initial.errors).toBeUndefined();
    expect(initial.data!.myNotificationPreferences).toMatchObject({ memberId: 'm-pref-1', optedOut: [], changedAt: null, revision: -1 });
    expect(initial.data!.myNotificationPreferences['mandatory']).toContain('MODERATION_DECISION');
    expect(initial.data!.myNotificationPreferences['optional']).toContain('REPORT_HANDLED');

    const refused = await t.graphql(SET, { input: { optedOut: ['MODERATION_DECISION'] } }, { token });
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'optedOut' });
    expect(
      (await t.graphql<{ myNotificationPreferences: { revision: number } }>(PREFERENCES, {}, { token })).data!.myNotificationPreferences
        .revision,
    ).toBe(-1);

    const set = await t.graphql(SET, { input: { optedOut: ['REPORT_HANDLED', 'CERTIFICATION_DUE_FOR_RENEWAL'] } }, { token });
    expect(set.errors).toBeUndefined();
    expect(set.data).toEqual({
      setNotificationPreferences: { memberId: 'm-pref-1', optedOut: ['CERTIFICATION_DUE_FOR_RENEWAL', 'REPORT_HANDLED'], revision: 0 },
    });
    // Only their own: another member's preferences are untouched.
    const other = await t.graphql<{ myNotificationPreferences: { optedOut: string[] } }>(
      PREFERENCES,
      {},
      {
        token: await t.token('m-pref-2', Role.MEMBER),
      },
    );
    expect(other.data!.myNotificationPreferences.optedOut).toEqual([]);
  });

  test('a reporter who turned off REPORT_HANDLED is not sent it (recorded so); the author is told of the decision', async () => {
    const reporter = await provision('reporter@example.com');
    const author = await provision('author@example.com');
    const reporterToken = await t.token(reporter, Role.MEMBER);
    expect((await t.graphql(SET, { input: { optedOut: ['REPORT_HANDLED'] } }, { token: reporterToken })).errors).toBeUndefined();
    // The author cannot avoid hearing of a decision about their content (they may appeal it): the refusal changes nothing.
    const authorToken = await t.token(author, Role.MEMBER);
    expect((await t.graphql(SET, { input: { optedOut: ['MODERATION_DECISION'] } }, { token: authorToken })).errors).toBeDefined();

    const report = await t.graphql(
      `mutation($input: ReportContentInput!) { reportContent(input: $input) { id } }`,
      { input: { contentId: 'post-pref-1', contentType: 'post', authorId: author, reason: 'SPAM' } },
      { token: reporterToken },
    );
    expect(report.errors).toBeUndefined();
    const decided = await t.graphql(
      `mutation($input: DecideModerationCaseInput!) { decideModerationCase(input: $input) { id } }`,
      { input: { caseId: caseIdFor('post-pref-1', 1), outcome: 'REMOVE_CONTENT', reason: 'advertising' } },
      { token: await t.token('cm-1', Role.COMMUNITY_MANAGER) },
    );
    expect(decided.errors).toBeUndefined();

    const delivery = schedulerNamed(t, NOTIFICATION_DELIVERY_SCHEDULER);
    await eventually(async () => {
      await delivery.runOnce();
      const rows = (await t.service.eventSourcing.readModels.query(
        'SELECT kind, recipient_id, status FROM notification_deliveries ORDER BY kind',
      )) as { kind: string; recipient_id: string; status: string }[];
      expect(rows).toEqual([
        { kind: 'MODERATION_DECISION', recipient_id: author, status: 'SENT' },
        { kind: 'REPORT_HANDLED', recipient_id: reporter, status: 'NOT_SENT_OPTED_OUT' },
      ]);
    });
    expect(received.map((mail) => (mail.to as { value: { address: string }[] }).value[0]!.address)).toEqual(['author@example.com']);
  });

  test("an erased member's pending notification is never sent: their address went with their data (only the erasure's own notice is)", async () => {
    const author = await provision('erased-author@example.com');
    const before = received.length;
    const report = await t.graphql(
      `mutation($input: ReportContentInput!) { reportContent(input: $input) { id } }`,
      { input: { contentId: 'post-erased-1', contentType: 'post', authorId: author, reason: 'SPAM' } },
      { token: await t.token('m-reporter-2', Role.MEMBER) },
    );
    expect(report.errors).toBeUndefined();
    const decided = await t.graphql(
      `mutation($input: DecideModerationCaseInput!) { decideModerationCase(input: $input) { id } }`,
      { input: { caseId: caseIdFor('post-erased-1', 1), outcome: 'HIDE_CONTENT', reason: 'off topic' } },
      { token: await t.token('cm-1', Role.COMMUNITY_MANAGER) },
    );
    expect(decided.errors).toBeUndefined();
    // Erased before any delivery pass ran (the scheduler waits an hour here).
    const erased = await t.graphql(
      `mutation($input: RequestErasureInput!) { requestErasure(input: $input) { status } }`,
      { input: { memberId: author } },
      { token: await t.token(author, Role.MEMBER) },
    );
    expect(erased.errors).toBeUndefined();
    expect(erased.data).toEqual({ requestErasure: { status: 'COMPLETED' } });

    const delivery = schedulerNamed(t, NOTIFICATION_DELIVERY_SCHEDULER);
    await eventually(async () => {
      await delivery.runOnce();
      const rows = (await t.service.eventSourcing.readModels.query(
        `SELECT kind, status FROM notification_deliveries WHERE recipient_id = $1 ORDER BY kind`,
        [author],
      )) as { kind: string; status: string }[];
      expect(rows).toEqual([
        { kind: 'ERASURE_COMPLETED', status: 'SENT' },
        { kind: 'MODERATION_DECISION', status: 'NOT_SENT_NO_ADDRESS' },
      ]);
    });
    // The deliberate exception: the answer to the erasure request, at the address kept aside for it (erasure-notification.e2e.spec.ts).
    expect(received.slice(before).map((mail) => mail.subject)).toEqual(['Your personal data has been erased']);
  });
});
