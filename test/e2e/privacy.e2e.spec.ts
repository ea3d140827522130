import { randomUUID } from 'node:crypto';
import { Role } from '../../src/platform/auth/role.ts';
import { startTestService, type GraphQLResponse, type TestService } from '../support/test-service.ts';

const SETTINGS = `query($memberId: ID!) { privacySettings(memberId: $memberId) { memberId profilePhotoVisibility requestedProfilePhotoVisibility directoryListed revision } }`;
const UPDATE = `mutation($input: UpdatePrivacySettingsInput!) { updatePrivacySettings(input: $input) { memberId profilePhotoVisibility requestedProfilePhotoVisibility directoryListed revision } }`;
const CONSENTS = `query($memberId: ID!) { consents(memberId: $memberId) { purpose given noticeVersion changedAt } }`;
const GIVE = `mutation($input: ConsentInput!) { giveConsent(input: $input) { purpose given noticeVersion changedAt } }`;
const WITHDRAW = `mutation($input: ConsentInput!) { withdrawConsent(input: $input) { purpose given noticeVersion changedAt } }`;
const ERASE = `mutation($input: RequestErasureInput!) { requestErasure(input: $input) { memberId status requestedAt completedAt } }`;
const ERASURE = `query($memberId: ID!) { erasureRequest(memberId: $memberId) { memberId status requestedAt completedAt } }`;

describe('privacy settings, consent and erasure over HTTP', () => {
  let t: TestService;
  let manager: string;
  let officer: string;

  const uid = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;
  const ok = <T>(response: GraphQLResponse<T>): T => {
    expect(response.errors).toBeUndefined();
    return response.data!;
  };
  const refused = (response: GraphQLResponse, code: string, message?: RegExp) => {
    expect(response.errors?.[0]?.extensions?.code).toBe(code);
    if (message) expect(response.errors?.[0]?.message).toMatch(message);
  };
  const register = async (memberId: string, displayName = `Member ${memberId}`) =>
    ok(
      await t.graphql(
        `mutation($input: RegisterMemberInput!) { registerMember(input: $input) { id } }`,
        { input: { memberId, displayName, department: 'Legal' } },
        { token: manager },
      ),
    );

  beforeAll(async () => {
    t = await startTestService();
    manager = await t.token('cm-1', Role.COMMUNITY_MANAGER);
    officer = await t.token('po-1', Role.PRIVACY_OFFICER);
  });
  afterAll(async () => {
    await t?.close();
  });

  test('the most private defaults; a photo is shown to nobody until the consent is given, and at once again after it is withdrawn', async () => {
    const memberId = uid('m');
    await register(memberId);
    const self = await t.token(memberId, Role.MEMBER);

    expect(ok(await t.graphql(SETTINGS, { memberId }, { token: self }))).toEqual({
      privacySettings: {
        memberId,
        profilePhotoVisibility: 'NOBODY',
        requestedProfilePhotoVisibility: 'NOBODY',
        directoryListed: false,
        revision: -1,
      },
    });
    const chosen = ok(
      await t.graphql(UPDATE, { input: { memberId, profilePhotoVisibility: 'COLLEAGUES', directoryListed: true } }, { token: self }),
    );
    expect(chosen).toEqual({
      updatePrivacySettings: {
        memberId,
        profilePhotoVisibility: 'NOBODY',
        requestedProfilePhotoVisibility: 'COLLEAGUES',
        directoryListed: true,
        revision: 0,
      },
    });

    const given = ok(
      await t.graphql<{ giveConsent: { purpose: string; given: boolean; noticeVersion: string }[] }>(
        GIVE,
        { input: { memberId, purpose: 'profile_photo', noticeVersion: '2025-01' } },
        { token: self },
      ),
    );
    expect(given.giveConsent).toMatchObject([{ purpose: 'profile_photo', given: true, noticeVersion: '2025-01' }]);
    expect(
      ok(await t.graphql<{ privacySettings: { profilePhotoVisibility: string } }>(SETTINGS, { memberId }, { token: manager }))
        .privacySettings.profilePhotoVisibility,
    ).toBe('COLLEAGUES');
    // Giving the same consent again records nothing.
    ok(await t.graphql(GIVE, { input: { memberId, purpose: 'profile_photo', noticeVersion: '2025-01' } }, { token: self }));
    expect((await t.storedEvents(`privacy-${memberId}`)).map((e) => e.type)).toEqual(['PrivacySettingsUpdated', 'ConsentGiven']);

    const withdrawn = ok(
      await t.graphql<{ withdrawConsent: { given: boolean }[] }>(
        WITHDRAW,
        { input: { memberId, purpose: 'profile_photo' } },
        { token: self },
      ),
    );
    expect(withdrawn.withdrawConsent).toMatchObject([{ purpose: 'profile_photo', given: false, noticeVersion: '2025-01' }]);
    expect(
      ok(
        await t.graphql<{ privacySettings: { profilePhotoVisibility: string; revision: number } }>(SETTINGS, { memberId }, { token: self }),
      ).privacySettings,
    ).toMatchObject({
      profilePhotoVisibility: 'NOBODY',
      revision: 2,
    });
    const consents = ok(await t.graphql<{ consents: { changedAt: string }[] }>(CONSENTS, { memberId }, { token: officer })).consents;
    expect(Date.parse(consents[0]!.changedAt)).toBeGreaterThan(Date.now() - 60_000);
  });

  test('unlisting answers only once the directory has it: a list read right after the answer no longer shows the member', async () => {
    const department = uid('dept');
    const memberId = uid('m');
    ok(
      await t.graphql(
        `mutation($input: RegisterMemberInput!) { registerMember(input: $input) { id } }`,
        { input: { memberId, displayName: 'Listed', department } },
        { token: manager },
      ),
    );
    const self = await t.token(memberId, Role.MEMBER);
    ok(await t.graphql(UPDATE, { input: { memberId, directoryListed: true } }, { token: self }));
    const colleague = await t.token(uid('colleague'), Role.MEMBER);
    const listed = async () =>
      ok(
        await t.graphql<{ members: { totalCount: number } }>(
          `query($d: String) { members(department: $d) { totalCount } }`,
          { d: department },
          {
            token: colleague,
          },
        ),
      ).members.totalCount;
    expect(await listed()).toBe(1);

    // The directory's read model (members) is held back: its writes wait for this lock, reads do not. The privacy
    // read model is free, so an answer that waited for it alone would come while the directory still lists them.
    const holder = await t.service.eventSourcing.pool.connect();
    let released = false;
    try {
      await holder.query('BEGIN');
      await holder.query('LOCK TABLE read_models.members IN EXCLUSIVE MODE');
      const unlisting = t
        .graphql(UPDATE, { input: { memberId, directoryListed: false } }, { token: self })
        .then((answer) => ({ answer, released }));
      await new Promise((resolve) => setTimeout(resolve, 500));
      released = true;
      await holder.query('COMMIT');
      const { answer, released: answeredAfterRelease } = await unlisting;
      expect(answer.errors).toBeUndefined();
      expect(answeredAfterRelease).toBe(true);
    } finally {
      if (!released) await holder.query('ROLLBACK');
      holder.release();
    }
    expect(await listed()).toBe(0);
  });

  test('who may see and change what; bad input changes nothing', async () => {
    const memberId = uid('m');
    await register(memberId);
    const other = await t.token(uid('m'), Role.MEMBER);
    const auditor = await t.token('auditor-1', Role.AUDITOR);

    for (const token of [other, auditor]) refused(await t.graphql(SETTINGS, { memberId }, { token }), 'FORBIDDEN');
    for (const token of [other, auditor, manager]) {
      refused(await t.graphql(CONSENTS, { memberId }, { token }), 'FORBIDDEN');
      refused(await t.graphql(ERASURE, { memberId }, { token }), 'FORBIDDEN');
      refused(await t.graphql(UPDATE, { input: { memberId, directoryListed: true } }, { token }), 'FORBIDDEN');
      refused(await t.graphql(ERASE, { input: { memberId } }, { token }), 'FORBIDDEN');
    }
    // Consent is the member's own act: not even a privacy officer gives it for them.
    refused(await t.graphql(GIVE, { input: { memberId, purpose: 'profile_photo' } }, { token: officer }), 'FORBIDDEN', /member themself/);
    ok(await t.graphql(UPDATE, { input: { memberId, directoryListed: true } }, { token: officer }));

    const self = await t.token(memberId, Role.MEMBER);
    refused(await t.graphql(GIVE, { input: { memberId, purpose: 'Profile Photo' } }, { token: self }), 'BAD_USER_INPUT', /purpose/);
    refused(
      await t.graphql(GIVE, { input: { memberId, purpose: 'profile_photo', noticeVersion: 'v'.repeat(51) } }, { token: self }),
      'BAD_USER_INPUT',
    );
    refused(await t.graphql(UPDATE, { input: { memberId, profilePhotoVisibility: 'FRIENDS' } }, { token: self }), 'BAD_USER_INPUT');
    refused(await t.graphql(UPDATE, { input: { memberId, directoryListed: false, expectedRevision: 5 } }, { token: self }), 'CONFLICT');
    const ghost = uid('ghost');
    refused(
      await t.graphql(UPDATE, { input: { memberId: ghost, directoryListed: true } }, { token: officer }),
      'NOT_FOUND',
      /not registered/,
    );
    expect(await t.storedEvents(`privacy-${memberId}`)).toHaveLength(1);
    expect(await t.storedEvents(`privacy-${ghost}`)).toHaveLength(0);
  });

  test("erasure: no read model and no answer keeps the member's personal text; the events and their integrity remain", async () => {
    const memberId = uid('m');
    const name = `Quirinus ${randomUUID().slice(0, 6)} Zwanenburg`;
    const words = {
      flag: `flag-note-${randomUUID()}`,
      appeal: `appeal-statement-${randomUUID()}`,
      note: `moderator-note-${randomUUID()}`,
      leaving: `leaving-reason-${randomUUID()}`,
      erasure: `erasure-reason-${randomUUID()}`,
      motivation: `ambassador-motivation-${randomUUID()}`,
    };
    await register(memberId, name);
    const self = await t.token(memberId, Role.MEMBER);
    const cm2 = await t.token('cm-2', Role.COMMUNITY_MANAGER);

    // The member reports someone (their note), is reported and appeals (their statement), and gets a staff note.
    const reported = ok(
      await t.graphql<{ reportContent: { id: string } }>(
        `mutation($input: ReportContentInput!) { reportContent(input: $input) { id } }`,
        { input: { contentId: uid('post'), contentType: 'post', authorId: uid('a'), reason: 'SPAM', note: words.flag } },
        { token: self },
      ),
    ).reportContent.id;
    const own = ok(
      await t.graphql<{ reportContent: { id: string } }>(
        `mutation($input: ReportContentInput!) { reportContent(input: $input) { id } }`,
        { input: { contentId: uid('post'), contentType: 'post', authorId: memberId, reason: 'SPAM' } },
        { token: await t.token(uid('r'), Role.MEMBER) },
      ),
    ).reportContent.id;
    ok(
      await t.graphql(
        `mutation($input: DecideModerationCaseInput!) { decideModerationCase(input: $input) { id } }`,
        { input: { caseId: own, outcome: 'HIDE_CONTENT', reason: 'spam' } },
        { token: manager },
      ),
    );
    ok(
      await t.graphql(
        `mutation($input: FileAppealInput!) { fileAppeal(input: $input) { id } }`,
        { input: { caseId: own, statement: words.appeal } },
        { token: self },
      ),
    );
    ok(
      await t.graphql(
        `mutation($input: AddModeratorNoteInput!) { addModeratorNote(input: $input) { memberId } }`,
        { input: { memberId, text: words.note } },
        { token: cm2 },
      ),
    );
    ok(
      await t.graphql(
        `mutation($input: NominateAmbassadorInput!) { nominateAmbassador(input: $input) { memberId } }`,
        { input: { memberId, department: 'Legal', motivation: words.motivation } },
        { token: self },
      ),
    );
    ok(
      await t.graphql(
        `mutation($input: RecordMemberLeftInput!) { recordMemberLeft(input: $input) { id } }`,
        { input: { memberId, reason: words.leaving } },
        { token: manager },
      ),
    );
    const secrets = [name, ...Object.values(words)];
    expect(await readModelRowsContaining(secrets)).not.toEqual([]);

    const streams = [
      `member-${memberId}`,
      `privacy-${memberId}`,
      `moderator_notes-${memberId}`,
      `moderation_case-${reported}`,
      `moderation_case-${own}`,
    ];
    const before = await Promise.all(streams.map(async (s) => (await t.storedEvents(s)).length));

    const erased = ok(
      await t.graphql<{ requestErasure: { status: string; completedAt: string | null } }>(
        ERASE,
        { input: { memberId, reason: words.erasure } },
        { token: officer },
      ),
    );
    expect(erased.requestErasure).toMatchObject({ memberId, status: 'COMPLETED' });
    expect(erased.requestErasure.completedAt).not.toBeNull();

    // Read at once: every projection purged its copies before the answer.
    expect(await readModelRowsContaining(secrets)).toEqual([]);
    const answers = JSON.stringify([
      await t.graphql(`query($id: ID!) { member(id: $id) { displayName } }`, { id: memberId }, { token: manager }),
      await t.graphql(
        `query($id: ID!) { moderationCase(id: $id) { flags { note } appeal { statement } } }`,
        { id: reported },
        { token: manager },
      ),
      await t.graphql(
        `query($id: ID!) { moderationCase(id: $id) { flags { note } appeal { statement } } }`,
        { id: own },
        { token: manager },
      ),
      await t.graphql(`query($m: ID!) { memberStanding(memberId: $m) { notes { text } } }`, { m: memberId }, { token: manager }),
      // What an auditor replaying the history reads: every event of the member's streams, decrypted where a key remains.
      (await Promise.all(streams.map((stream) => t.service.eventSourcing.events.readStream(stream))))
        .flat()
        .map((e) => [e.data, e.metadata]),
    ]);
    for (const secret of secrets) expect(answers).not.toContain(secret);
    expect(answers).toContain('[redacted]');

    // The history keeps every event, each still verifying; the completion itself holds nothing personal.
    const after = await Promise.all(streams.map(async (s) => (await t.storedEvents(s)).length));
    expect(after).toEqual(before.map((n, i) => (streams[i] === `privacy-${memberId}` ? n + 2 : n)));
    const privacy = await t.storedEvents(`privacy-${memberId}`);
    expect(privacy.map((e) => e.type)).toEqual(['ErasureRequested', 'ErasureCompleted']);
    expect(Object.keys(JSON.parse(privacy[1]!.data) as object).sort()).toEqual(['completedAt', 'memberId']);
    for (const stream of streams) expect(await t.service.eventSourcing.events.verifyStream(stream)).toMatchObject({ ok: true });
    // Every stored byte of the log, on either store: no secret in clear anywhere.
    const raw = await t.storedLogText();
    expect(raw.length).toBeGreaterThan(0);
    for (const secret of secrets) expect(raw.some((text) => text.includes(secret))).toBe(false);

    // Idempotent: asking again answers the same and records nothing.
    const again = ok(await t.graphql<{ requestErasure: unknown }>(ERASE, { input: { memberId } }, { token: self }));
    expect(again.requestErasure).toEqual(erased.requestErasure);
    expect(await t.storedEvents(`privacy-${memberId}`)).toHaveLength(2);
    expect(ok(await t.graphql(ERASURE, { memberId }, { token: self }))).toEqual({ erasureRequest: erased.requestErasure });
  });

  /** Every row of every read-model table (all generations) whose text contains one of `needles`. */
  async function readModelRowsContaining(needles: string[]): Promise<string[]> {
    const pool = t.service.eventSourcing.pool;
    const { rows: tables } = await pool.query<{ schema: string; name: string }>(
      `SELECT table_schema AS schema, table_name AS name FROM information_schema.tables
        WHERE table_schema = 'read_models' OR table_schema LIKE 'proj\\_%'`,
    );
    expect(tables.length).toBeGreaterThan(5);
    const found: string[] = [];
    for (const table of tables) {
      const { rows } = await pool.query<{ row: string }>(`SELECT t::text AS row FROM "${table.schema}"."${table.name}" t`);
      for (const { row } of rows) if (needles.some((needle) => row.includes(needle))) found.push(`${table.schema}.${table.name}: ${row}`);
    }
    return found;
  }
});
