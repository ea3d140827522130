import { randomUUID } from 'node:crypto';
import { FakeClock } from '#testing';
import { Role } from '../../src/platform/auth/role.ts';
import { addMonths, CERTIFICATION_PROJECTION, createCertificationRenewalScheduler } from '../../src/modules/certification/index.ts';
import { startTestService, type GraphQLResponse, type TestService } from '../support/test-service.ts';

const RECORD_FIELDS = 'id level status awardedAt expiresAt endedAt reason replacedByLevel';
const CERTIFICATION_FIELDS = `memberId status level expiresAt revision nextLevel missingForNextLevel history { ${RECORD_FIELDS} }`;
const LEVEL_FIELDS = 'level name requiredProgrammes validityMonths revision';

const DEFINE_LEVEL = `mutation($input: DefineCertificationLevelInput!) { defineCertificationLevel(input: $input) { ${LEVEL_FIELDS} } }`;
const AWARD = `mutation($input: AwardCertificationInput!) { awardCertification(input: $input) { ${CERTIFICATION_FIELDS} } }`;
const CHANGES = {
  renew: `mutation($input: ChangeCertificationInput!) { renewCertification(input: $input) { ${CERTIFICATION_FIELDS} } }`,
  suspend: `mutation($input: ChangeCertificationInput!) { suspendCertification(input: $input) { ${CERTIFICATION_FIELDS} } }`,
  reinstate: `mutation($input: ChangeCertificationInput!) { reinstateCertification(input: $input) { ${CERTIFICATION_FIELDS} } }`,
  revoke: `mutation($input: ChangeCertificationInput!) { revokeCertification(input: $input) { ${CERTIFICATION_FIELDS} } }`,
} as const;
type Change = keyof typeof CHANGES;
const CHANGE_FIELDS: Record<Change, string> = {
  renew: 'renewCertification',
  suspend: 'suspendCertification',
  reinstate: 'reinstateCertification',
  revoke: 'revokeCertification',
};
const LEVELS = `query { certificationLevels { ${LEVEL_FIELDS} } }`;
const CERTIFICATION = `query($memberId: ID!) { certification(memberId: $memberId) { ${CERTIFICATION_FIELDS} } }`;
const MY_CERTIFICATION = `query { myCertification { ${CERTIFICATION_FIELDS} } }`;

interface RecordAnswer {
  id: string;
  level: number;
  status: string;
  awardedAt: string;
  expiresAt: string | null;
  endedAt: string | null;
  reason: string | null;
  replacedByLevel: number | null;
}
interface CertificationAnswer {
  memberId: string;
  status: string;
  level: number | null;
  expiresAt: string | null;
  revision: number;
  nextLevel: number | null;
  missingForNextLevel: string[];
  history: RecordAnswer[];
}

const WINDOW_DAYS = 7;
const DAY_MS = 86_400_000;

describe('certification over HTTP', () => {
  let t: TestService;
  let cm: string;
  let auditor: string;
  // Levels are global: every test works with the two defined by ensureLevels (level 1 needs PROG_A, level 2 PROG_B).
  const PROG_A = `prog-a-${randomUUID().slice(0, 8)}`;
  const PROG_B = `prog-b-${randomUUID().slice(0, 8)}`;
  const LEVEL_1 = { level: 1, name: 'Moderator', requiredProgrammes: [PROG_A], validityMonths: 1 };
  const LEVEL_2 = { level: 2, name: 'Senior moderator', requiredProgrammes: [PROG_B], validityMonths: 12 };

  const uid = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;

  function ok<T>(response: GraphQLResponse<T>): T {
    expect(response.errors).toBeUndefined();
    return response.data!;
  }

  function refused(response: GraphQLResponse, code: string, message?: string) {
    expect(response.errors?.[0]?.extensions?.code).toBe(code);
    if (message !== undefined) expect(response.errors?.[0]?.message).toBe(message);
    expect(response.data ?? null).toBeNull();
  }

  const register = async (memberId: string) =>
    ok(
      await t.graphql(
        `mutation($input: RegisterMemberInput!) { registerMember(input: $input) { id } }`,
        { input: { memberId, displayName: `Member ${memberId}`, department: 'Support' } },
        { token: cm },
      ),
    );
  const defineProgramme = async (programmeId: string) =>
    ok(
      await t.graphql(
        `mutation($input: DefineTrainingProgrammeInput!) { defineTrainingProgramme(input: $input) { id } }`,
        { input: { programmeId, title: `Programme ${programmeId}`, modules: [{ id: 'core', title: 'Core', required: true }] } },
        { token: cm },
      ),
    );
  /** Enrols the member in the programme and completes its one module: the enrolment is COMPLETED. */
  async function completeProgramme(programmeId: string, memberId: string) {
    ok(
      await t.graphql(
        `mutation($input: EnrolInTrainingInput!) { enrolInTraining(input: $input) { status } }`,
        { input: { programmeId, memberId } },
        { token: cm },
      ),
    );
    const completed = ok(
      await t.graphql<{ completeTrainingModule: { status: string } }>(
        `mutation($input: CompleteTrainingModuleInput!) { completeTrainingModule(input: $input) { status } }`,
        { input: { programmeId, memberId, moduleId: 'core' } },
        { token: cm },
      ),
    );
    expect(completed.completeTrainingModule.status).toBe('COMPLETED');
  }

  const defineLevel = (input: Record<string, unknown>, token = cm) =>
    t.graphql<{ defineCertificationLevel: Record<string, unknown> }>(DEFINE_LEVEL, { input }, { token });
  const award = (input: Record<string, unknown>, token = cm) =>
    t.graphql<{ awardCertification: CertificationAnswer }>(AWARD, { input }, { token });
  const change = async (kind: Change, input: Record<string, unknown>, token = cm) => {
    const response = await t.graphql<Record<string, CertificationAnswer>>(CHANGES[kind], { input }, { token });
    return { response, answer: () => ok(response)[CHANGE_FIELDS[kind]]! };
  };
  const certification = (memberId: string, token = cm) =>
    t.graphql<{ certification: CertificationAnswer }>(CERTIFICATION, { memberId }, { token });
  const stored = (memberId: string) => t.storedEvents(`certification-${memberId}`);
  const levelEvents = (level: number) => t.storedEvents(`certification_level-${level}`);

  let levelsDefined = false;
  /** The programmes and levels 1 and 2, once (the first test defines them step by step). */
  async function ensureLevels() {
    if (levelsDefined) return;
    await defineProgramme(PROG_A);
    await defineProgramme(PROG_B);
    ok(await defineLevel(LEVEL_1));
    ok(await defineLevel(LEVEL_2));
    levelsDefined = true;
  }

  /** A registered member who completed the given programmes. */
  async function trainedMember(...programmes: string[]) {
    const memberId = uid('m');
    await register(memberId);
    for (const programmeId of programmes) await completeProgramme(programmeId, memberId);
    return memberId;
  }

  /** Runs the renewal scheduler once at `now` against the service's database, and waits for the read model. */
  async function runScheduler(now: string, memberId: string): Promise<number> {
    const { events, readModels, runner } = t.service.eventSourcing;
    const scheduler = createCertificationRenewalScheduler({
      events,
      readModels,
      clock: new FakeClock(new Date(now)),
      intervalMs: 60_000,
      renewalWindowDays: WINDOW_DAYS,
    });
    const handled = await scheduler.runOnce();
    const last = (await events.readStream(`certification-${memberId}`)).at(-1)!;
    await runner.waitForPosition(last.position, [CERTIFICATION_PROJECTION]);
    return handled;
  }

  beforeAll(async () => {
    t = await startTestService({ env: { CERTIFICATION_RENEWAL_WINDOW_DAYS: String(WINDOW_DAYS) } });
    cm = await t.token('cm-1', Role.COMMUNITY_MANAGER);
    auditor = await t.token('auditor-1', Role.AUDITOR);
  });
  afterAll(async () => {
    await t?.close();
  });

  test('programmes → training → levels → award → due for renewal → renewal → expiry, each answer current at once', async () => {
    await defineProgramme(PROG_A);
    await defineProgramme(PROG_B);

    // Levels in order, with programmes that exist.
    refused(await defineLevel(LEVEL_2), 'CONFLICT', 'level 2 cannot be defined before level 1: levels are defined in order, from 1');
    refused(
      await defineLevel({ ...LEVEL_1, requiredProgrammes: [PROG_A, 'prog-nowhere'] }),
      'NOT_FOUND',
      'training programme prog-nowhere does not exist',
    );
    expect(await levelEvents(1)).toEqual([]);
    expect(await levelEvents(2)).toEqual([]);

    expect(ok(await defineLevel(LEVEL_1)).defineCertificationLevel).toEqual({ ...LEVEL_1, revision: 0 });
    expect(ok(await defineLevel(LEVEL_2)).defineCertificationLevel).toEqual({ ...LEVEL_2, revision: 0 });
    levelsDefined = true;
    expect((await levelEvents(1)).map((e) => [e.type, e.metadata['actorId'], e.metadata['authority']])).toEqual([
      ['CertificationLevelDefined', 'cm-1', 'role:COMMUNITY_MANAGER'],
    ]);
    const memberId = uid('m');
    await register(memberId);
    const memberToken = await t.token(memberId, Role.MEMBER);
    expect(ok(await t.graphql<{ certificationLevels: unknown }>(LEVELS, {}, { token: memberToken })).certificationLevels).toEqual([
      { ...LEVEL_1, revision: 0 },
      { ...LEVEL_2, revision: 0 },
    ]);

    // Never certified: the member sees what level 1 needs.
    expect(
      ok(await t.graphql<{ myCertification: CertificationAnswer }>(MY_CERTIFICATION, {}, { token: memberToken })).myCertification,
    ).toEqual({
      memberId,
      status: 'NOT_CERTIFIED',
      level: null,
      expiresAt: null,
      revision: -1,
      nextLevel: 1,
      missingForNextLevel: [PROG_A],
      history: [],
    });

    // Not trained yet: refused, naming what is missing, and nothing appended.
    refused(
      await award({ memberId, level: 1 }),
      'CONFLICT',
      `missing for level 1: ${PROG_A} (training programmes member ${memberId} has not completed)`,
    );
    expect(await stored(memberId)).toEqual([]);

    await completeProgramme(PROG_A, memberId);
    expect(ok(await certification(memberId, auditor)).certification).toMatchObject({
      status: 'NOT_CERTIFIED',
      nextLevel: 1,
      missingForNextLevel: [],
    });

    const awarded = ok(await award({ memberId, level: 1, evidence: 'passed the practical assessment' })).awardCertification;
    const awardedAt = awarded.history[0]!.awardedAt;
    const expiresAt = addMonths(awardedAt, 1);
    expect(awarded).toEqual({
      memberId,
      status: 'CERTIFIED',
      level: 1,
      expiresAt,
      revision: 0,
      nextLevel: 2,
      missingForNextLevel: [PROG_B],
      history: [
        { id: `${memberId}:1`, level: 1, status: 'CERTIFIED', awardedAt, expiresAt, endedAt: null, reason: null, replacedByLevel: null },
      ],
    });
    const [awardEvent] = await stored(memberId);
    expect(awardEvent?.type).toBe('CertificationAwarded');
    // The evidence is the member's personal data: encrypted in the stored event.
    expect(awardEvent?.data).not.toContain('practical assessment');
    expect(awardEvent?.metadata).toMatchObject({ actorId: 'cm-1', authority: 'role:COMMUNITY_MANAGER', source: 'api' });

    // The scheduler, with its clock moved: nothing before the window, then the window once.
    expect(await runScheduler(new Date(Date.parse(expiresAt) - (WINDOW_DAYS + 1) * DAY_MS).toISOString(), memberId)).toBe(0);
    const inWindow = new Date(Date.parse(expiresAt) - 3 * DAY_MS).toISOString();
    expect(await runScheduler(inWindow, memberId)).toBe(1);
    expect(await runScheduler(inWindow, memberId)).toBe(0);
    const due = ok(await certification(memberId, await t.token(memberId, Role.MEMBER))).certification;
    expect(due).toMatchObject({ status: 'DUE_FOR_RENEWAL', revision: 1, history: [{ status: 'DUE_FOR_RENEWAL', expiresAt }] });
    expect((await stored(memberId)).at(-1)?.metadata).toMatchObject({
      actorId: 'system',
      source: 'automation',
      commandId: `system/certification-due-for-renewal/${memberId}:1/${expiresAt}`,
      occurredAt: inWindow,
    });

    // Renewed before it expires: one more month from the current expiry, certified again, the reason recorded.
    const renewedExpiry = addMonths(expiresAt, 1);
    const renewed = (await change('renew', { memberId, reason: 'completed the refresher', expectedRevision: 1 })).answer();
    expect(renewed).toEqual({
      memberId,
      status: 'CERTIFIED',
      level: 1,
      expiresAt: renewedExpiry,
      revision: 2,
      nextLevel: 2,
      missingForNextLevel: [PROG_B],
      history: [
        {
          id: `${memberId}:1`,
          level: 1,
          status: 'CERTIFIED',
          awardedAt,
          expiresAt: renewedExpiry,
          endedAt: null,
          reason: 'completed the refresher',
          replacedByLevel: null,
        },
      ],
    });
    expect((await stored(memberId)).at(-1)?.metadata).toMatchObject({ actorId: 'cm-1', reason: 'completed the refresher' });

    // Past the new expiry: expired by the scheduler, once; no level is live any more.
    const afterExpiry = new Date(Date.parse(renewedExpiry) + 60_000).toISOString();
    expect(await runScheduler(afterExpiry, memberId)).toBe(1);
    expect(await runScheduler(afterExpiry, memberId)).toBe(0);
    expect(ok(await certification(memberId)).certification).toEqual({
      memberId,
      status: 'EXPIRED',
      level: 1,
      expiresAt: renewedExpiry,
      revision: 3,
      nextLevel: 1,
      missingForNextLevel: [],
      history: [
        {
          id: `${memberId}:1`,
          level: 1,
          status: 'EXPIRED',
          awardedAt,
          expiresAt: renewedExpiry,
          endedAt: renewedExpiry,
          reason: 'completed the refresher',
          replacedByLevel: null,
        },
      ],
    });
    expect((await stored(memberId)).map((e) => [e.type, e.metadata['actorId']])).toEqual([
      ['CertificationAwarded', 'cm-1'],
      ['CertificationDueForRenewal', 'system'],
      ['CertificationRenewed', 'cm-1'],
      ['CertificationExpired', 'system'],
    ]);
  });

  test('a higher level replaces the live one; suspension, reinstatement, revocation; a new award after revocation', async () => {
    await ensureLevels();
    const memberId = await trainedMember(PROG_A, PROG_B);
    const first = ok(await award({ memberId, level: 1 })).awardCertification;
    refused(
      await award({ memberId, level: 1 }),
      'CONFLICT',
      `member ${memberId} already holds level 1, valid until ${first.expiresAt!.slice(0, 10)}: only a higher level can be awarded while it is valid`,
    );

    const second = ok(await award({ memberId, level: 2, commandId: 'award-l2' })).awardCertification;
    const replacedAt = second.history[0]!.awardedAt;
    expect(second).toEqual({
      memberId,
      status: 'CERTIFIED',
      level: 2,
      expiresAt: addMonths(replacedAt, 12),
      revision: 1,
      nextLevel: null,
      missingForNextLevel: [],
      history: [
        {
          id: `${memberId}:2`,
          level: 2,
          status: 'CERTIFIED',
          awardedAt: replacedAt,
          expiresAt: addMonths(replacedAt, 12),
          endedAt: null,
          reason: null,
          replacedByLevel: null,
        },
        { ...first.history[0]!, endedAt: replacedAt, replacedByLevel: 2 },
      ],
    });
    // The same commandId again: the same answer, nothing appended.
    expect(ok(await award({ memberId, level: 2, commandId: 'award-l2' })).awardCertification).toEqual(second);
    expect(await stored(memberId)).toHaveLength(2);

    // A stale expectedRevision is a conflict, and nothing is appended.
    refused((await change('suspend', { memberId, reason: 'complaint', expectedRevision: 0 })).response, 'CONFLICT');
    const suspended = (await change('suspend', { memberId, reason: 'complaint under review', expectedRevision: 1 })).answer();
    expect(suspended).toMatchObject({ status: 'SUSPENDED', level: 2, expiresAt: second.expiresAt, revision: 2, nextLevel: null });
    expect(suspended.history[0]).toMatchObject({ status: 'SUSPENDED', reason: 'complaint under review', endedAt: null });

    const whileSuspended: [GraphQLResponse, string][] = [
      [
        await award({ memberId, level: 2 }),
        `the certification of member ${memberId} is suspended: reinstate or revoke it before awarding a level`,
      ],
      [
        (await change('renew', { memberId, reason: 'refresher' })).response,
        `the certification of member ${memberId} is suspended: reinstate it before renewing it`,
      ],
      [(await change('suspend', { memberId, reason: 'again' })).response, `the certification of member ${memberId} is already suspended`],
    ];
    for (const [response, message] of whileSuspended) refused(response, 'CONFLICT', message);
    expect(await stored(memberId)).toHaveLength(3);

    expect((await change('reinstate', { memberId, reason: 'complaint dismissed' })).answer()).toMatchObject({
      status: 'CERTIFIED',
      level: 2,
      expiresAt: second.expiresAt,
      revision: 3,
    });
    const revoked = (await change('revoke', { memberId, reason: 'shared members’ data' })).answer();
    expect(revoked).toMatchObject({ status: 'REVOKED', level: 2, revision: 4, nextLevel: 1, missingForNextLevel: [] });
    expect(revoked.history[0]).toMatchObject({ status: 'REVOKED', reason: 'shared members’ data', endedAt: expect.any(String) });
    for (const [kind, message] of [
      ['renew', `the certification of member ${memberId} was revoked: a revoked certification cannot be renewed, award a new one`],
      ['reinstate', `the certification of member ${memberId} was revoked: a revocation is final, award a new certification`],
      ['revoke', `the certification of member ${memberId} is already revoked`],
    ] as const) {
      refused((await change(kind, { memberId, reason: 'trying' })).response, 'CONFLICT', message);
    }

    const again = ok(await award({ memberId, level: 1 })).awardCertification;
    expect(again).toMatchObject({ status: 'CERTIFIED', level: 1, revision: 5, nextLevel: 2, missingForNextLevel: [] });
    expect(again.history.map((r) => [r.id, r.level, r.status, r.replacedByLevel])).toEqual([
      [`${memberId}:3`, 1, 'CERTIFIED', null],
      [`${memberId}:2`, 2, 'REVOKED', null],
      [`${memberId}:1`, 1, 'CERTIFIED', 2],
    ]);
    expect((await stored(memberId)).map((e) => e.type)).toEqual([
      'CertificationAwarded',
      'CertificationAwarded',
      'CertificationSuspended',
      'CertificationReinstated',
      'CertificationRevoked',
      'CertificationAwarded',
    ]);
  });

  test('only community managers change certifications; reading is for staff readers and the member; nothing appended', async () => {
    await ensureLevels();
    const memberId = await trainedMember(PROG_A);
    const certified = ok(await award({ memberId, level: 1 })).awardCertification;
    const tokens: [string, string][] = [
      ['the member themself', await t.token(memberId, Role.MEMBER)],
      ['another member', await t.token(uid('m'), Role.MEMBER)],
      ['a group owner', await t.token(uid('owner'), Role.GROUP_OWNER)],
      ['an auditor', auditor],
      ['a privacy officer', await t.token(uid('po'), Role.PRIVACY_OFFICER)],
    ];
    for (const [who, token] of tokens) {
      // An auditor's token is read-only: every mutation refuses it first (src/platform/security/read-only-roles.ts).
      const needs = (message: string) =>
        who === 'an auditor' ? 'a token with the role AUDITOR is read-only: auditors change nothing (act with another token)' : message;
      refused(
        await defineLevel({ level: 3, name: 'Lead', requiredProgrammes: [], validityMonths: 6 }, token),
        'FORBIDDEN',
        needs('defining a certification level needs the role COMMUNITY_MANAGER'),
      );
      refused(await award({ memberId, level: 2 }, token), 'FORBIDDEN', needs('awarding a certification needs the role COMMUNITY_MANAGER'));
      for (const [kind, action] of [
        ['renew', 'renewing'],
        ['suspend', 'suspending'],
        ['reinstate', 'reinstating'],
        ['revoke', 'revoking'],
      ] as const) {
        refused(
          (await change(kind, { memberId, reason: 'because' }, token)).response,
          'FORBIDDEN',
          needs(`${action} a certification needs the role COMMUNITY_MANAGER`),
        );
      }
    }
    // Without a token: UNAUTHENTICATED, for reads too.
    for (const response of [
      await t.graphql(DEFINE_LEVEL, { input: { level: 3, name: 'Lead', requiredProgrammes: [], validityMonths: 6 } }),
      await t.graphql(AWARD, { input: { memberId, level: 2 } }),
      await t.graphql(CHANGES.revoke, { input: { memberId, reason: 'because' } }),
      await t.graphql(CERTIFICATION, { memberId }),
      await t.graphql(MY_CERTIFICATION),
      await t.graphql(LEVELS),
    ]) {
      refused(response, 'UNAUTHENTICATED');
    }
    expect(await levelEvents(3)).toEqual([]);
    expect((await stored(memberId)).map((e) => e.type)).toEqual(['CertificationAwarded']);

    // Reading: community managers, auditors and the member; nobody else.
    for (const token of [cm, auditor, await t.token(memberId, Role.MEMBER)]) {
      expect(ok(await certification(memberId, token)).certification).toEqual(certified);
    }
    for (const [, token] of tokens.filter(([who]) => who !== 'the member themself' && who !== 'an auditor')) {
      refused(
        await certification(memberId, token),
        'FORBIDDEN',
        "a member's certification is visible to community managers, auditors and the member",
      );
    }
    // Anyone signed in reads the levels and their own certification.
    const outsider = uid('m');
    expect(
      ok(
        await t.graphql<{ myCertification: CertificationAnswer }>(
          MY_CERTIFICATION,
          {},
          { token: await t.token(outsider, Role.GROUP_OWNER) },
        ),
      ),
    ).toEqual({
      myCertification: {
        memberId: outsider,
        status: 'NOT_CERTIFIED',
        level: null,
        expiresAt: null,
        revision: -1,
        nextLevel: 1,
        missingForNextLevel: [PROG_A],
        history: [],
      },
    });
  });

  test('bad inputs answer the right code and append nothing', async () => {
    await ensureLevels();
    const memberId = await trainedMember(PROG_A);
    const unregistered = uid('m');
    const level = (input: Record<string, unknown>) =>
      defineLevel({ level: 3, name: 'Lead', requiredProgrammes: [], validityMonths: 6, ...input });

    const definitions: [GraphQLResponse, string, string][] = [
      [await level({ level: 0 }), 'BAD_USER_INPUT', 'level must be a whole number from 1 to 100'],
      [await level({ validityMonths: 0 }), 'BAD_USER_INPUT', 'validityMonths must be a whole number from 1 to 120'],
      [await level({ validityMonths: 121 }), 'BAD_USER_INPUT', 'validityMonths must be a whole number from 1 to 120'],
      [await level({ name: '  ' }), 'BAD_USER_INPUT', 'name must not be empty'],
      [await level({ requiredProgrammes: [PROG_A, PROG_A] }), 'BAD_USER_INPUT', `requiredProgrammes lists ${PROG_A} twice`],
      [
        await level({ requiredProgrammes: ['not an id'] }),
        'BAD_USER_INPUT',
        'requiredProgrammes must be 1 to 100 letters, digits or . _ : @ - characters',
      ],
      [await level({ requiredProgrammes: ['prog-x', 'prog-y'] }), 'NOT_FOUND', 'training programmes prog-x, prog-y do not exist'],
      [await level({ level: 4 }), 'CONFLICT', 'level 4 cannot be defined before level 3: levels are defined in order, from 1'],
      [await level({ commandId: 'not valid!' }), 'BAD_USER_INPUT', 'commandId must be 1 to 100 letters, digits or . _ : - characters'],
    ];
    for (const [response, code, message] of definitions) refused(response, code, message);
    expect(await levelEvents(3)).toEqual([]);
    expect(await levelEvents(4)).toEqual([]);
    // Defining a level again exactly as it is adds nothing and answers it.
    expect(ok(await defineLevel({ ...LEVEL_2, requiredProgrammes: [PROG_B] })).defineCertificationLevel).toEqual({
      ...LEVEL_2,
      revision: 0,
    });
    expect(await levelEvents(2)).toHaveLength(1);

    const awards: [GraphQLResponse, string, string][] = [
      [await award({ memberId, level: 9 }), 'NOT_FOUND', 'certification level 9 is not defined'],
      [await award({ memberId, level: 0 }), 'BAD_USER_INPUT', 'level must be a whole number from 1 to 100'],
      [await award({ memberId, level: 1, evidence: 'x'.repeat(2001) }), 'BAD_USER_INPUT', 'evidence must be at most 2000 characters'],
      [await award({ memberId: 'm 1', level: 1 }), 'BAD_USER_INPUT', 'memberId must be 1 to 100 letters, digits or . _ : @ - characters'],
      [
        await award({ memberId: unregistered, level: 1 }),
        'CONFLICT',
        `member ${unregistered} is not registered: only registered members can be certified`,
      ],
      [
        await award({ memberId, level: 2 }),
        'CONFLICT',
        `missing for level 2: ${PROG_B} (training programmes member ${memberId} has not completed)`,
      ],
    ];
    for (const [response, code, message] of awards) refused(response, code, message);
    // A value of the wrong type never reaches the service.
    refused(await award({ memberId, level: 'one' }), 'BAD_USER_INPUT');

    const changes: [GraphQLResponse, string, string][] = [
      [(await change('renew', { memberId, reason: 'refresher' })).response, 'CONFLICT', `member ${memberId} has no certification to renew`],
      [(await change('suspend', { memberId, reason: 'x' })).response, 'CONFLICT', `member ${memberId} has no certification to suspend`],
      [(await change('reinstate', { memberId, reason: 'x' })).response, 'CONFLICT', `member ${memberId} has no certification to reinstate`],
      [(await change('revoke', { memberId, reason: 'x' })).response, 'CONFLICT', `member ${memberId} has no certification to revoke`],
    ];
    for (const [response, code, message] of changes) refused(response, code, message);
    expect(await stored(memberId)).toEqual([]);
    expect(await stored(unregistered)).toEqual([]);

    ok(await award({ memberId, level: 1 }));
    const reasons: [GraphQLResponse, string, string][] = [
      [(await change('suspend', { memberId, reason: ' ' })).response, 'BAD_USER_INPUT', 'reason must not be empty'],
      [
        (await change('revoke', { memberId, reason: 'x'.repeat(2001) })).response,
        'BAD_USER_INPUT',
        'reason must be at most 2000 characters',
      ],
      [
        (await change('reinstate', { memberId, reason: 'not suspended' })).response,
        'CONFLICT',
        `the certification of member ${memberId} is not suspended: there is nothing to reinstate`,
      ],
    ];
    for (const [response, code, message] of reasons) refused(response, code, message);
    // A reason is required by the schema itself.
    refused(await t.graphql(CHANGES.suspend, { input: { memberId } }, { token: cm }), 'BAD_USER_INPUT');
    expect((await stored(memberId)).map((e) => e.type)).toEqual(['CertificationAwarded']);

    refused(await certification('not an id'), 'BAD_USER_INPUT', 'memberId must be 1 to 100 letters, digits or . _ : @ - characters');
    // A member never certified is answered, not refused; an id that names no member is NOT_FOUND, not a clean record.
    const neverCertified = await trainedMember();
    expect(ok(await certification(neverCertified)).certification).toMatchObject({ status: 'NOT_CERTIFIED', revision: -1, history: [] });
    refused(await certification(unregistered), 'NOT_FOUND', `member ${unregistered} is not registered`);
  });
});
