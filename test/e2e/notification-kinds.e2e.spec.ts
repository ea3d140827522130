import type { ParsedMail } from 'mailparser';
import { eventually } from '#testing';
import { caseIdFor } from '../../src/modules/moderation/index.ts';
import { NOTIFICATION_DELIVERY_SCHEDULER } from '../../src/modules/notifications/index.ts';
import { memberIdFor } from '../../src/modules/provisioning/scim.controller.ts';
import { Role } from '../../src/platform/auth/role.ts';
import { provisionWithAddress, schedulerNamed, startMailServer, type TestMailServer } from '../support/mail.ts';
import { startTestService, type GraphQLResponse, type TestService } from '../support/test-service.ts';

// The notification kinds beyond a moderation decision (issue 21), delivered through a real SMTP server started here:
// a reporter told their report was handled (without the decision's details), the author told their appeal was
// decided, and an agreement version asking every member bound by it, fixed when it was published, to accept it.

const SCIM_TOKEN = 'scim-static-secret-for-the-notification-kinds-suite';
const REPORT = `mutation($input: ReportContentInput!) { reportContent(input: $input) { id } }`;
const DECIDE = `mutation($input: DecideModerationCaseInput!) { decideModerationCase(input: $input) { id status } }`;
const FILE_APPEAL = `mutation($input: FileAppealInput!) { fileAppeal(input: $input) { id status } }`;
const DECIDE_APPEAL = `mutation($input: DecideAppealInput!) { decideAppeal(input: $input) { id status } }`;
const PUBLISH = `mutation($input: PublishAgreementVersionInput!) { publishAgreementVersion(input: $input) { id } }`;

interface DeliveryRow {
  kind: string;
  recipient_id: string;
  status: string;
  message_id: string;
}

describe('more notification kinds, through a real SMTP server', () => {
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

  const delivery = () => schedulerNamed(t, NOTIFICATION_DELIVERY_SCHEDULER);
  const deliveries = async (kind: string) =>
    (await t.service.eventSourcing.readModels.query(
      'SELECT kind, recipient_id, status, message_id FROM notification_deliveries WHERE kind = $1 ORDER BY recipient_id',
      [kind],
    )) as DeliveryRow[];
  const mailTo = (address: string) =>
    received.filter((mail) => mail.to !== undefined && !Array.isArray(mail.to) && mail.to.value.some((to) => to.address === address));

  function ok<T>(response: GraphQLResponse<T>): T {
    expect(response.errors).toBeUndefined();
    return response.data!;
  }

  const provision = (userName: string, preferredLanguage: string) =>
    provisionWithAddress(t, SCIM_TOKEN, userName, userName, preferredLanguage);

  async function leave(memberId: string): Promise<void> {
    const response = await fetch(`${t.service.url}/scim/v2/Users/${memberId}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${SCIM_TOKEN}`, 'content-type': 'application/scim+json' },
      body: JSON.stringify({
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: [{ op: 'replace', path: 'active', value: false }],
      }),
    });
    expect(response.status).toBe(200);
  }

  test('a reporter hears their report was handled, without the decision; the author hears the appeal decided', async () => {
    const author = await provision('carla@example.com', 'nl-BE');
    const reporter = await provision('dirk@example.com', 'en');
    const contentId = 'post-appeal-1';
    const caseId = caseIdFor(contentId, 1);
    ok(
      await t.graphql(
        REPORT,
        { input: { contentId, contentType: 'post', authorId: author, reason: 'HARASSMENT' } },
        { token: await t.token(reporter, Role.MEMBER) },
      ),
    );
    ok(
      await t.graphql(
        DECIDE,
        { input: { caseId, outcome: 'HIDE_CONTENT', reason: 'Insulting another member by name' } },
        { token: await t.token('cm-1', Role.COMMUNITY_MANAGER) },
      ),
    );

    await eventually(async () => {
      await delivery().runOnce();
      expect(mailTo('dirk@example.com')).toHaveLength(1);
      expect(mailTo('carla@example.com')).toHaveLength(1);
    });
    const [handled] = mailTo('dirk@example.com');
    expect(handled!.subject).toBe('Your report was handled');
    expect(handled!.text).toContain(`a moderator handled the report you made (case ${caseId}): action was taken.`);
    // Nothing of the decision itself reaches the reporter: neither the measure nor its reason.
    expect(handled!.text).not.toMatch(/Insulting|hid|hidden|Reason/);
    expect(String(handled!.html)).not.toContain('Insulting');
    expect(await deliveries('REPORT_HANDLED')).toEqual([expect.objectContaining({ recipient_id: reporter, status: 'SENT' })]);

    ok(
      await t.graphql(
        FILE_APPEAL,
        { input: { caseId, statement: 'I quoted the insult to report it' } },
        { token: await t.token(author, Role.MEMBER) },
      ),
    );
    ok(
      await t.graphql(
        DECIDE_APPEAL,
        { input: { caseId, outcome: 'OVERTURNED', reason: 'The post quoted the insult in order to report it' } },
        { token: await t.token('cm-2', Role.COMMUNITY_MANAGER) },
      ),
    );
    await eventually(async () => {
      await delivery().runOnce();
      expect(mailTo('carla@example.com')).toHaveLength(2);
    });
    const appeal = mailTo('carla@example.com').at(-1)!;
    // In Dutch, as the directory says the author prefers.
    expect(appeal.subject).toBe('Je beroep is beoordeeld: het besluit is herroepen');
    expect(appeal.text).toContain(`is je beroep in zaak ${caseId} beoordeeld: het moderatiebesluit is herroepen.`);
    expect(appeal.text).toContain('je bijdrage is zichtbaar');
    expect(appeal.text).toContain('Reden: The post quoted the insult in order to report it');
    expect(appeal.text).toContain(new Date().toISOString().slice(0, 10));
    expect(await deliveries('APPEAL_DECIDED')).toEqual([expect.objectContaining({ recipient_id: author, status: 'SENT' })]);
    // The reporter is not told about the appeal; nothing is sent twice on later passes.
    const before = received.length;
    await delivery().runOnce();
    expect(received).toHaveLength(before);
    expect(mailTo('dirk@example.com')).toHaveLength(1);
  });

  test('an agreement version that binds everyone asks each active member once, and no one who joined after or had left', async () => {
    const stays = await provision('erik@example.com', 'nl');
    const leaver = await provision('fay@example.com', 'en');
    await leave(leaver);
    const earlier = ['carla@example.com', 'dirk@example.com'].map(memberIdFor);
    const cm = await t.token('cm-1', Role.COMMUNITY_MANAGER);
    ok(
      await t.graphql(
        PUBLISH,
        { input: { agreementId: 'coc-kinds', title: 'Code of conduct', body: 'Be kind.', requiresReacceptance: false } },
        { token: cm },
      ),
    );
    // The audience is fixed when the outbox records the publication: a member who joins afterwards is not in it.
    const [recorded] = await eventually(async () => {
      const rows = (await t.service.eventSourcing.readModels.query(
        `SELECT event_id FROM read_models.notification_outbox WHERE event_type = 'AgreementVersionPublished'`,
      )) as { event_id: string }[];
      expect(rows).toHaveLength(1);
      return rows;
    });
    await provision('gus@example.com', 'en');

    await eventually(async () => {
      await delivery().runOnce();
      expect(await deliveries('AGREEMENT_REACCEPTANCE_REQUIRED')).toHaveLength(3);
    });
    expect((await deliveries('AGREEMENT_REACCEPTANCE_REQUIRED')).map((row) => [row.recipient_id, row.status])).toEqual(
      [...earlier, stays].sort().map((memberId) => [memberId, 'SENT']),
    );
    expect(mailTo('fay@example.com')).toEqual([]);
    expect(mailTo('gus@example.com')).toEqual([]);
    const [dutch] = mailTo('erik@example.com');
    expect(dutch!.subject).toBe('Een overeenkomst vraagt je akkoord');
    expect(dutch!.text).toContain('Versie 1 van "Code of conduct" (overeenkomst coc-kinds) is op');
    expect(mailTo('dirk@example.com').at(-1)!.subject).toBe('An agreement needs your acceptance');

    // Another pass, and a retry of the event as after a crash (its done mark gone), sends nobody anything again.
    const before = received.length;
    await t.service.eventSourcing.readModels.query('DELETE FROM notification_events_done WHERE event_id = $1', [recorded!.event_id]);
    await delivery().runOnce();
    await delivery().runOnce();
    expect(received).toHaveLength(before);

    // A later version that does not require re-acceptance asks nobody.
    ok(
      await t.graphql(
        PUBLISH,
        { input: { agreementId: 'coc-kinds', title: 'Code of conduct', body: 'Be kind. Typo fixed.', requiresReacceptance: false } },
        { token: cm },
      ),
    );
    await eventually(async () => {
      const rows = (await t.service.eventSourcing.readModels.query(
        `SELECT event_id FROM read_models.notification_outbox WHERE event_type = 'AgreementVersionPublished'`,
      )) as unknown[];
      expect(rows).toHaveLength(2);
    });
    await delivery().runOnce();
    expect(received).toHaveLength(before);
    expect(await deliveries('AGREEMENT_REACCEPTANCE_REQUIRED')).toHaveLength(3);
  });
});
