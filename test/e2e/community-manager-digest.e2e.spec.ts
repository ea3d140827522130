import type { ParsedMail } from 'mailparser';
import { eventually, FakeClock } from '#testing';
import { caseIdFor, moderationCaseStreamId } from '../../src/modules/moderation/index.ts';
import {
  COMMUNITY_MANAGER_DIGEST_SCHEDULER,
  createCommunityManagerDigest,
  digestFiguresAt,
  NOTIFICATION_DELIVERY_SCHEDULER,
  notificationDigestStreamId,
} from '../../src/modules/notifications/index.ts';
import { Role } from '../../src/platform/auth/role.ts';
import { readModelsCaughtUpWith } from '../../src/platform/infrastructure/event-sourcing.ts';
import { provisionWithAddress, schedulerNamed, startMailServer, type TestMailServer } from '../support/mail.ts';
import { startTestService, type GraphQLResponse, type TestService } from '../support/test-service.ts';

// The community managers' daily digest (issue 21), through a real SMTP server: compiled once a day whichever
// scheduler (instance) comes first and however often they run, mailed once to each community manager who subscribed,
// with the figures of the moderation queue against the KPI targets, and to nobody else.

const SCIM_TOKEN = 'scim-static-secret-for-the-digest-suite';
const DAY_MS = 86_400_000;
const REPORT = `mutation($input: ReportContentInput!) { reportContent(input: $input) { id } }`;
const CLAIM = `mutation($input: ClaimModerationCaseInput!) { claimModerationCase(input: $input) { id status } }`;
const DECIDE = `mutation($input: DecideModerationCaseInput!) { decideModerationCase(input: $input) { id status } }`;
const FILE_APPEAL = `mutation($input: FileAppealInput!) { fileAppeal(input: $input) { id status } }`;
const SET_TARGET = `mutation($input: SetKpiTargetInput!) { setKpiTarget(input: $input) { value } }`;
const SET_PREFERENCES = `mutation($input: SetNotificationPreferencesInput!) {
  setNotificationPreferences(input: $input) { optedOut optedIn optIn }
}`;
const MY_PREFERENCES = `query { myNotificationPreferences { optedIn optIn optional } }`;

interface DeliveryRow {
  recipient_id: string;
  status: string;
}

describe("the community managers' daily digest, through a real SMTP server", () => {
  const received: ParsedMail[] = [];
  let mail: TestMailServer;
  let t: TestService;

  beforeAll(async () => {
    mail = await startMailServer(received);
    // The schedulers run once at start, then hourly: the test drives them (runOnce). The service's own digest
    // scheduler finds nobody subscribed at start; the test's schedulers compile a later day.
    t = await startTestService({
      env: { SMTP_URL: mail.url, SCHEDULER_INTERVAL_MS: '3600000', SCIM_TOKEN, NOTIFICATION_DIGEST_HOUR: '0' },
    });
  });
  afterAll(async () => {
    await t?.close();
    await mail?.close();
  });

  function ok<T>(response: GraphQLResponse<T>): T {
    expect(response.errors).toBeUndefined();
    return response.data!;
  }
  const mailTo = (address: string) =>
    received.filter((mail) => mail.to !== undefined && !Array.isArray(mail.to) && mail.to.value.some((to) => to.address === address));
  const caughtUp = () => readModelsCaughtUpWith(t.service.eventSourcing, 10_000);
  const digestDeliveries = async () =>
    (await t.service.eventSourcing.readModels.query(
      `SELECT recipient_id, status FROM notification_deliveries WHERE kind = 'COMMUNITY_MANAGER_DIGEST' ORDER BY recipient_id`,
    )) as DeliveryRow[];

  test('one digest a day, whichever scheduler runs it and however often, mailed once to each subscriber and nobody else', async () => {
    // The service's own pass at start is over (a pass asked for while one is in flight runs after it): nobody had
    // subscribed yet, so today's digest was not even compiled (no daily event in a log nobody reads it from).
    await schedulerNamed(t, COMMUNITY_MANAGER_DIGEST_SCHEDULER).runOnce();
    expect(await t.storedEvents(notificationDigestStreamId(new Date().toISOString().slice(0, 10)))).toEqual([]);
    const subscriber = await provisionWithAddress(t, SCIM_TOKEN, 'cm.anna@example.com', 'cm.anna@example.com', 'en-GB');
    const dutchSubscriber = await provisionWithAddress(t, SCIM_TOKEN, 'cm.bram@example.com', 'cm.bram@example.com', 'nl-NL');
    const notSubscribed = await provisionWithAddress(t, SCIM_TOKEN, 'cm.cleo@example.com', 'cm.cleo@example.com', 'en');
    const member = await provisionWithAddress(t, SCIM_TOKEN, 'dave@example.com', 'dave@example.com', 'en');
    const author = await provisionWithAddress(t, SCIM_TOKEN, 'erin@example.com', 'erin@example.com', 'en');
    const cm = (memberId: string) => t.token(memberId, Role.COMMUNITY_MANAGER);
    const memberToken = await t.token(member, Role.MEMBER);

    // The digest is opt-in, and for community managers only: a member may not subscribe, and nothing is recorded.
    const before = await t.storedEvents(`notification_preferences-${member}`);
    const refused = await t.graphql(
      SET_PREFERENCES,
      { input: { optedOut: [], optedIn: ['COMMUNITY_MANAGER_DIGEST'] } },
      { token: memberToken },
    );
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(refused.errors?.[0]?.message).toBe('subscribing to COMMUNITY_MANAGER_DIGEST needs the role COMMUNITY_MANAGER');
    expect(await t.storedEvents(`notification_preferences-${member}`)).toEqual(before);
    for (const memberId of [subscriber, dutchSubscriber]) {
      const set = ok(
        await t.graphql<{ setNotificationPreferences: { optedIn: string[]; optIn: string[] } }>(
          SET_PREFERENCES,
          { input: { optedOut: [], optedIn: ['COMMUNITY_MANAGER_DIGEST'] } },
          { token: await cm(memberId) },
        ),
      );
      expect(set.setNotificationPreferences).toMatchObject({ optedIn: ['COMMUNITY_MANAGER_DIGEST'], optIn: ['COMMUNITY_MANAGER_DIGEST'] });
    }
    const mine = ok(
      await t.graphql<{ myNotificationPreferences: { optedIn: string[]; optional: string[] } }>(
        MY_PREFERENCES,
        {},
        { token: await cm(notSubscribed) },
      ),
    );
    expect(mine.myNotificationPreferences.optedIn).toEqual([]);
    expect(mine.myNotificationPreferences.optional).not.toContain('COMMUNITY_MANAGER_DIGEST');

    // The queue: two open cases, one claimed (in review), one decided and appealed; targets on the backlog and the wait.
    for (const n of [1, 2, 3, 4]) {
      ok(
        await t.graphql(
          REPORT,
          { input: { contentId: `digest-post-${n}`, contentType: 'post', authorId: author, reason: 'SPAM' } },
          { token: memberToken },
        ),
      );
    }
    const moderator = await cm('cm-moderator');
    ok(await t.graphql(CLAIM, { input: { caseId: caseIdFor('digest-post-3', 1) } }, { token: moderator }));
    ok(
      await t.graphql(
        DECIDE,
        { input: { caseId: caseIdFor('digest-post-4', 1), outcome: 'HIDE_CONTENT', reason: 'Advertising' } },
        { token: moderator },
      ),
    );
    ok(
      await t.graphql(
        FILE_APPEAL,
        { input: { caseId: caseIdFor('digest-post-4', 1), statement: 'It was not an advert' } },
        { token: await t.token(author, Role.MEMBER) },
      ),
    );
    ok(await t.graphql(SET_TARGET, { input: { kpi: 'MODERATION_BACKLOG', value: 2 } }, { token: moderator }));
    ok(await t.graphql(SET_TARGET, { input: { kpi: 'MODERATION_OLDEST_OPEN_CASE_DAYS', value: 3 } }, { token: moderator }));

    // Instances whose clock is 3.05 days on: every case has waited a little over 3 days then (shown as 3.1).
    const clock = new FakeClock(new Date(Date.now() + 3.05 * DAY_MS));
    const day = clock.now().toISOString().slice(0, 10);
    const instance = () =>
      createCommunityManagerDigest({
        events: t.service.eventSourcing.events,
        readModels: t.service.eventSourcing.readModels,
        clock,
        intervalMs: 3_600_000,
        digestHour: 0,
        readModelsCaughtUp: caughtUp(),
      });
    const [first, second] = [instance(), instance()];
    // Two instances at the same moment, then each again, then a third as after a restart (nothing remembered).
    const handled = await Promise.all([first.runOnce(), second.runOnce()]);
    expect(handled).toEqual([1, 1]);
    await Promise.all([first.runOnce(), second.runOnce(), instance().runOnce()]);
    const digests = await t.storedEvents(notificationDigestStreamId(day));
    expect(digests).toHaveLength(1);
    expect(digests[0]!.metadata).toMatchObject({ actorId: 'system', source: 'automation' });
    expect(JSON.parse(digests[0]!.data)).toEqual({
      day,
      open: 2,
      inReview: 1,
      backlog: 3,
      appealed: 1,
      backlogTarget: 2,
      waitingTargetDays: 3,
      overTarget: 3,
      oldestWaitingDays: 3.1,
      compiledAt: clock.now().toISOString(),
    });

    const delivery = () => schedulerNamed(t, NOTIFICATION_DELIVERY_SCHEDULER);
    await eventually(async () => {
      await delivery().runOnce();
      expect(mailTo('cm.anna@example.com').filter((m) => m.subject?.startsWith('Moderation digest'))).toHaveLength(1);
      expect(mailTo('cm.bram@example.com').filter((m) => m.subject?.startsWith('Moderatieoverzicht'))).toHaveLength(1);
    });
    // As after a crash between sending and marking the digest done: the delivery decides again and sends nothing twice.
    await t.service.eventSourcing.readModels.query(
      `DELETE FROM notification_events_done WHERE event_id IN (SELECT event_id FROM read_models.notification_outbox WHERE event_type = 'CommunityManagerDigestCompiled')`,
    );
    await delivery().runOnce();
    await delivery().runOnce();
    const digestMails = received.filter((m) => /^(Moderation digest|Moderatieoverzicht)/.test(m.subject ?? ''));
    expect(digestMails.map((m) => (Array.isArray(m.to) ? null : m.to?.value[0]?.address)).sort()).toEqual([
      'cm.anna@example.com',
      'cm.bram@example.com',
    ]);
    expect(await digestDeliveries()).toEqual(
      [subscriber, dutchSubscriber].sort().map((recipient_id) => ({ recipient_id, status: 'SENT' })),
    );
    // Not the community manager who did not subscribe; nor the reporter or the author (told of their own cases only).
    expect(mailTo('cm.cleo@example.com')).toEqual([]);
    expect(mailTo('dave@example.com').map((m) => m.subject)).toEqual(['Your report was handled']);
    expect(mailTo('erin@example.com').map((m) => m.subject)).toEqual(['Moderation decision: your content was hidden']);

    const [english] = mailTo('cm.anna@example.com').filter((m) => m.subject?.startsWith('Moderation digest'));
    expect(english!.subject).toBe(`Moderation digest of ${day}: 3 cases waiting, 3 over the target`);
    expect(english!.text).toContain(
      `On ${day}, 3 moderation cases are waiting for a moderator: 2 open and 1 in review (target: at most 2).`,
    );
    expect(english!.text).toContain('3 of them have waited longer than the target of 3 days; the oldest has waited 3.1 days');
    expect(english!.text).toContain('1 appeal is waiting for a decision.');
    // Counts only: no case, content or member is named.
    expect(english!.text).not.toMatch(/digest-post|erin|dave/);
    const [dutch] = mailTo('cm.bram@example.com');
    expect(dutch!.subject).toBe(`Moderatieoverzicht van ${day}: 3 zaken wachten, 3 langer dan het doel`);
    expect(dutch!.text).toContain('de oudste wacht al 3,1 dagen');
  });

  test("the figures wait for the moderation read model: a case reported just before is counted, not left to tomorrow's digest", async () => {
    const reporter = await t.token('digest-late-reporter', Role.MEMBER);
    const clock = new FakeClock(new Date(Date.now() + 5 * DAY_MS));
    const day = clock.now().toISOString().slice(0, 10);
    const before = await digestFiguresAt(t.service.eventSourcing.events, t.service.eventSourcing.readModels, clock.now());
    const instance = createCommunityManagerDigest({
      events: t.service.eventSourcing.events,
      readModels: t.service.eventSourcing.readModels,
      clock,
      intervalMs: 3_600_000,
      digestHour: 0,
      readModelsCaughtUp: caughtUp(),
    });
    // The moderation read model is held back (its writes wait for this lock, reads do not): a report is in the log,
    // not yet in the read model, when the digest is compiled.
    const holder = await t.service.eventSourcing.pool.connect();
    let released = false;
    try {
      await holder.query('BEGIN');
      await holder.query('LOCK TABLE read_models.moderation_cases IN EXCLUSIVE MODE');
      const reporting = t.graphql(
        REPORT,
        { input: { contentId: 'digest-late-post', contentType: 'post', authorId: 'digest-late-author', reason: 'SPAM' } },
        { token: reporter },
      );
      await eventually(async () => expect(await t.storedEvents(moderationCaseStreamId(caseIdFor('digest-late-post', 1)))).not.toEqual([]));
      const compiling = instance.runOnce();
      await new Promise((resolve) => setTimeout(resolve, 300));
      released = true;
      await holder.query('COMMIT');
      await compiling;
      expect((await reporting).errors).toBeUndefined();
    } finally {
      if (!released) await holder.query('ROLLBACK');
      holder.release();
    }
    const [digest] = await t.storedEvents(notificationDigestStreamId(day));
    expect(JSON.parse(digest!.data)).toMatchObject({ open: before.open + 1, backlog: before.backlog + 1 });
  });

  test('the service runs the digest scheduler itself', () => {
    expect(schedulerNamed(t, COMMUNITY_MANAGER_DIGEST_SCHEDULER).name).toBe(COMMUNITY_MANAGER_DIGEST_SCHEDULER);
  });
});
