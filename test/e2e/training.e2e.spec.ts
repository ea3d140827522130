import { randomUUID } from 'node:crypto';
import { Role } from '../../src/platform/auth/role.ts';
import { startTestService, type GraphQLResponse, type TestService } from '../support/test-service.ts';

// `id: moduleId`: the module's id within its programme, as defined (its global `id` is checked in node-ids.e2e.spec.ts).
const PROGRAMME_FIELDS = 'id title revision modules { id: moduleId title required selfPaced }';
const ENROLMENT_FIELDS =
  'memberId programmeId status completedModules remainingRequiredModules completedAt revision programmeRevision enrolledAt';

const DEFINE = `mutation($input: DefineTrainingProgrammeInput!) { defineTrainingProgramme(input: $input) { ${PROGRAMME_FIELDS} } }`;
const ENROL = `mutation($input: EnrolInTrainingInput!) { enrolInTraining(input: $input) { ${ENROLMENT_FIELDS} } }`;
const COMPLETE = `mutation($input: CompleteTrainingModuleInput!) { completeTrainingModule(input: $input) { ${ENROLMENT_FIELDS} } }`;
const PROGRAMME = `query($id: ID!) { trainingProgramme(id: $id) { ${PROGRAMME_FIELDS} } }`;
const ENROLMENT = `query($programmeId: ID!, $memberId: ID!) {
  trainingEnrolment(programmeId: $programmeId, memberId: $memberId) { ${ENROLMENT_FIELDS} } }`;

interface ModuleInput {
  id: string;
  title: string;
  required: boolean;
  selfPaced?: boolean;
}
interface EnrolmentAnswer {
  memberId: string;
  programmeId: string;
  status: string;
  completedModules: string[];
  remainingRequiredModules: string[];
  completedAt: string | null;
  revision: number;
  programmeRevision: number;
  enrolledAt: string;
}

const INTRO: ModuleInput = { id: 'intro', title: 'Introduction', required: true, selfPaced: true };
const CASES: ModuleInput = { id: 'cases', title: 'Handling cases', required: true };
const EXTRA: ModuleInput = { id: 'extra', title: 'Further reading', required: false, selfPaced: true };
const APPEALS: ModuleInput = { id: 'appeals', title: 'Appeals', required: true };

/** As the API answers a module: selfPaced defaults to false. */
const answered = (module: ModuleInput) => ({ selfPaced: false, ...module });

describe('training over HTTP', () => {
  let t: TestService;
  let cm: string;
  let auditor: string;

  const uid = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;

  function ok<T>(response: GraphQLResponse<T>): T {
    expect(response.errors).toBeUndefined();
    return response.data!;
  }

  function refused(response: GraphQLResponse, code: string, message?: string) {
    expect(response.errors?.[0]?.extensions?.code).toBe(code);
    if (message !== undefined) expect(response.errors?.[0]?.message).toBe(message);
    // A refused mutation answers no data; a refused nullable query answers null.
    expect(Object.values(response.data ?? {}).filter((value) => value !== null)).toEqual([]);
  }

  const register = async (memberId: string) =>
    ok(
      await t.graphql(
        `mutation($input: RegisterMemberInput!) { registerMember(input: $input) { id } }`,
        { input: { memberId, displayName: `Member ${memberId}`, department: 'Support' } },
        { token: cm },
      ),
    );
  const define = (input: Record<string, unknown>, token = cm) =>
    t.graphql<{ defineTrainingProgramme: Record<string, unknown> }>(DEFINE, { input }, { token });
  const enrol = (programmeId: string, memberId: string, token = cm, extra: Record<string, unknown> = {}) =>
    t.graphql<{ enrolInTraining: EnrolmentAnswer }>(ENROL, { input: { programmeId, memberId, ...extra } }, { token });
  const complete = (programmeId: string, memberId: string, moduleId: string, token = cm, extra: Record<string, unknown> = {}) =>
    t.graphql<{ completeTrainingModule: EnrolmentAnswer }>(COMPLETE, { input: { programmeId, memberId, moduleId, ...extra } }, { token });
  const enrolment = (programmeId: string, memberId: string, token = cm) =>
    t.graphql<{ trainingEnrolment: EnrolmentAnswer | null }>(ENROLMENT, { programmeId, memberId }, { token });
  const programmeEvents = (programmeId: string) => t.storedEvents(`training_programme-${programmeId}`);
  const enrolmentEvents = (programmeId: string, memberId: string) => t.storedEvents(`training_enrolment-${programmeId}-${memberId}`);

  /** A programme of INTRO (required, self-paced), CASES (required) and EXTRA (optional, self-paced). */
  async function programme(): Promise<string> {
    const programmeId = uid('prog');
    ok(await define({ programmeId, title: 'Moderation basics', modules: [INTRO, CASES, EXTRA] }));
    return programmeId;
  }

  async function enrolledMember(programmeId: string): Promise<string> {
    const memberId = uid('m');
    await register(memberId);
    ok(await enrol(programmeId, memberId));
    return memberId;
  }

  beforeAll(async () => {
    t = await startTestService();
    cm = await t.token('cm-1', Role.COMMUNITY_MANAGER);
    auditor = await t.token('auditor-1', Role.AUDITOR);
  });
  afterAll(async () => {
    await t?.close();
  });

  test('define → redefine keeps the enrolled revision → enrol → complete modules → COMPLETED on its own', async () => {
    const programmeId = uid('prog');
    const ada = uid('ada');
    const bob = uid('bob');
    await register(ada);
    await register(bob);

    const defined = ok(await define({ programmeId, title: 'Moderation basics', modules: [INTRO, CASES, EXTRA] }));
    expect(defined).toEqual({
      defineTrainingProgramme: {
        id: programmeId,
        title: 'Moderation basics',
        revision: 0,
        modules: [answered(INTRO), answered(CASES), answered(EXTRA)],
      },
    });
    // The same definition again adds nothing.
    expect(ok(await define({ programmeId, title: 'Moderation basics', modules: [INTRO, CASES, EXTRA] }))).toEqual(defined);
    expect((await programmeEvents(programmeId)).map((event) => event.type)).toEqual(['TrainingProgrammeDefined']);

    const adaEnrolled = ok(await enrol(programmeId, ada)).enrolInTraining;
    expect(adaEnrolled).toEqual({
      memberId: ada,
      programmeId,
      status: 'ENROLLED',
      completedModules: [],
      remainingRequiredModules: ['intro', 'cases'],
      completedAt: null,
      revision: 0,
      programmeRevision: 0,
      enrolledAt: adaEnrolled.enrolledAt,
    });
    expect(Date.parse(adaEnrolled.enrolledAt)).not.toBeNaN();

    // Revision 1 drops `intro` and adds a required module; Ada keeps revision 0, Bob enrols himself in revision 1.
    const redefined = ok(await define({ programmeId, title: 'Moderation essentials', modules: [CASES, APPEALS] }));
    expect(redefined).toEqual({
      defineTrainingProgramme: {
        id: programmeId,
        title: 'Moderation essentials',
        revision: 1,
        modules: [answered(CASES), answered(APPEALS)],
      },
    });
    expect((await programmeEvents(programmeId)).map((event) => event.type)).toEqual([
      'TrainingProgrammeDefined',
      'TrainingProgrammeRedefined',
    ]);
    const bobToken = await t.token(bob, Role.MEMBER);
    expect(ok(await enrol(programmeId, bob, bobToken)).enrolInTraining).toMatchObject({
      status: 'ENROLLED',
      programmeRevision: 1,
      remainingRequiredModules: ['cases', 'appeals'],
    });
    expect(ok(await enrolment(programmeId, ada)).trainingEnrolment).toEqual(adaEnrolled);
    // Enrolling again adds nothing, and does not move Ada to the new revision.
    expect(ok(await enrol(programmeId, ada)).enrolInTraining).toEqual(adaEnrolled);

    const started = ok(await complete(programmeId, ada, 'cases', cm, { evidence: 'Handled three cases under supervision' }));
    expect(started.completeTrainingModule).toEqual({
      ...adaEnrolled,
      status: 'IN_PROGRESS',
      completedModules: ['cases'],
      remainingRequiredModules: ['intro'],
      revision: 1,
    });
    // `appeals` came with revision 1: it is not part of Ada's training.
    refused(
      await complete(programmeId, ada, 'appeals'),
      'BAD_USER_INPUT',
      `module appeals is not part of training programme ${programmeId} as member ${ada} enrolled in it (revision 0)`,
    );

    // Ada records her self-paced `intro` herself: the last required module completes her training in the same decision.
    const adaToken = await t.token(ada, Role.MEMBER);
    const finished = ok(await complete(programmeId, ada, 'intro', adaToken, { evidence: 'Read the guide' })).completeTrainingModule;
    const events = await enrolmentEvents(programmeId, ada);
    expect(events.map((event) => event.type)).toEqual([
      'MemberEnrolledInTraining',
      'TrainingModuleCompleted',
      'TrainingModuleCompleted',
      'TrainingEnrolmentCompleted',
    ]);
    const completedAt = events[3]!.metadata['occurredAt'] as string;
    expect(finished).toEqual({
      ...adaEnrolled,
      status: 'COMPLETED',
      completedModules: ['cases', 'intro'],
      remainingRequiredModules: [],
      completedAt,
      revision: 3,
    });
    expect(events.map((event) => [event.metadata['actorId'], event.metadata['authority']])).toEqual([
      ['cm-1', 'role:COMMUNITY_MANAGER'],
      ['cm-1', 'role:COMMUNITY_MANAGER'],
      [ada, 'the member, for a self-paced module'],
      [ada, 'the member, for a self-paced module'],
    ]);
    // Evidence is Ada's personal data: encrypted in the stored events, and never in the metadata.
    const stored = JSON.stringify(events);
    expect(stored).not.toContain('Handled three cases');
    expect(stored).not.toContain('Read the guide');
    expect(events[1]!.data).toContain('"$pd"');

    // An optional module afterwards is recorded; the training stays completed once, at the same moment.
    const extra = ok(await complete(programmeId, ada, 'extra', adaToken)).completeTrainingModule;
    expect(extra).toEqual({ ...finished, completedModules: ['cases', 'intro', 'extra'], revision: 4 });
    // A module completed twice adds nothing.
    expect(ok(await complete(programmeId, ada, 'intro')).completeTrainingModule).toEqual(extra);
    expect(await enrolmentEvents(programmeId, ada)).toHaveLength(5);
    expect(ok(await enrolment(programmeId, ada, adaToken)).trainingEnrolment).toEqual(extra);
    expect(ok(await t.graphql(PROGRAMME, { id: programmeId }, { token: adaToken }))).toEqual({
      trainingProgramme: redefined.defineTrainingProgramme,
    });
  });

  test('a member records their own self-paced modules, and is refused the others', async () => {
    const programmeId = await programme();
    const ada = await enrolledMember(programmeId);
    const adaToken = await t.token(ada, Role.MEMBER);

    expect(ok(await complete(programmeId, ada, 'intro', adaToken)).completeTrainingModule).toMatchObject({
      status: 'IN_PROGRESS',
      completedModules: ['intro'],
      remainingRequiredModules: ['cases'],
      revision: 1,
    });
    refused(
      await complete(programmeId, ada, 'cases', adaToken, { evidence: 'I did it, promise' }),
      'FORBIDDEN',
      'module cases is not self-paced: a community manager records its completion, members record only self-paced modules',
    );
    expect((await enrolmentEvents(programmeId, ada)).map((event) => event.type)).toEqual([
      'MemberEnrolledInTraining',
      'TrainingModuleCompleted',
    ]);
    // A community manager records it.
    expect(ok(await complete(programmeId, ada, 'cases')).completeTrainingModule).toMatchObject({
      status: 'COMPLETED',
      completedModules: ['intro', 'cases'],
      remainingRequiredModules: [],
      revision: 3,
    });
  });

  test('authorization: each role is refused what it may not do, and nothing is appended', async () => {
    const programmeId = await programme();
    const ada = await enrolledMember(programmeId);
    const bob = uid('bob');
    await register(bob);
    const before = { programme: (await programmeEvents(programmeId)).length, ada: (await enrolmentEvents(programmeId, ada)).length };
    const redefinition = { programmeId, title: 'Changed', modules: [CASES] };
    const newProgramme = uid('prog');

    const roles: [string, string][] = [
      ['member', await t.token(uid('m'), Role.MEMBER)],
      ['auditor', auditor],
      ['privacy officer', await t.token(uid('po'), Role.PRIVACY_OFFICER)],
      ['group owner', await t.token(uid('owner'), Role.GROUP_OWNER)],
      ['the enrolled member', await t.token(ada, Role.MEMBER)],
    ];
    // An auditor's token is read-only: every mutation refuses it first (src/platform/security/read-only-roles.ts).
    const readOnly = 'a token with the role AUDITOR is read-only: auditors change nothing (act with another token)';
    for (const [name, token] of roles) {
      refused(
        await define(redefinition, token),
        'FORBIDDEN',
        name === 'auditor' ? readOnly : 'defining a training programme needs the role COMMUNITY_MANAGER',
      );
      refused(await define({ ...redefinition, programmeId: newProgramme }, token), 'FORBIDDEN');
      refused(
        await enrol(programmeId, bob, token),
        'FORBIDDEN',
        name === 'auditor'
          ? readOnly
          : 'enrolling another member in a training programme needs the role COMMUNITY_MANAGER: members act only for themselves',
      );
      const recorded = await complete(programmeId, ada, 'intro', token);
      if (name === 'the enrolled member') expect(recorded.errors).toBeUndefined();
      else {
        refused(
          recorded,
          'FORBIDDEN',
          name === 'auditor'
            ? readOnly
            : "recording another member's training needs the role COMMUNITY_MANAGER: members act only for themselves",
        );
      }
      // Auditors read every enrolment; the others only their own.
      const read = await enrolment(programmeId, ada, token);
      if (name === 'auditor' || name === 'the enrolled member') expect(read.data?.trainingEnrolment?.memberId).toBe(ada);
      else refused(read, 'FORBIDDEN', "a member's training enrolments are visible to community managers, auditors and the member");
      // Anyone signed in reads programmes.
      expect(ok(await t.graphql(PROGRAMME, { id: programmeId }, { token }))).toMatchObject({ trainingProgramme: { id: programmeId } });
    }
    // Refused whether or not the enrolment exists.
    refused(await enrolment(programmeId, bob, roles[0]![1]), 'FORBIDDEN');

    expect((await programmeEvents(programmeId)).length).toBe(before.programme);
    expect(await programmeEvents(newProgramme)).toEqual([]);
    expect(await enrolmentEvents(programmeId, bob)).toEqual([]);
    // Only Ada's own self-paced `intro` was recorded.
    expect((await enrolmentEvents(programmeId, ada)).map((event) => event.type)).toEqual([
      'MemberEnrolledInTraining',
      'TrainingModuleCompleted',
    ]);
    expect(before.ada).toBe(1);

    // Without a token: nothing at all.
    refused(await t.graphql(DEFINE, { input: redefinition }), 'UNAUTHENTICATED');
    refused(await t.graphql(ENROL, { input: { programmeId, memberId: bob } }), 'UNAUTHENTICATED');
    refused(await t.graphql(COMPLETE, { input: { programmeId, memberId: ada, moduleId: 'cases' } }), 'UNAUTHENTICATED');
    refused(await t.graphql(PROGRAMME, { id: programmeId }), 'UNAUTHENTICATED');
    refused(await t.graphql(ENROLMENT, { programmeId, memberId: ada }), 'UNAUTHENTICATED');
    expect(await enrolmentEvents(programmeId, ada)).toHaveLength(2);

    // Unknown: null, for whoever may ask.
    expect(ok(await t.graphql(PROGRAMME, { id: 'no-such-programme' }, { token: auditor }))).toEqual({ trainingProgramme: null });
    expect(ok(await t.graphql(PROGRAMME, { id: 'not an id' }, { token: auditor }))).toEqual({ trainingProgramme: null });
    expect(ok(await enrolment(programmeId, bob, auditor))).toEqual({ trainingEnrolment: null });
    expect(ok(await enrolment('no-such-programme', ada))).toEqual({ trainingEnrolment: null });
    const bobToken = await t.token(bob, Role.MEMBER);
    expect(ok(await enrolment(programmeId, bob, bobToken))).toEqual({ trainingEnrolment: null });
  });

  test('bad input answers the right code and appends nothing', async () => {
    const programmeId = await programme();
    const ada = await enrolledMember(programmeId);
    const fresh = uid('prog');
    const defineFresh = (input: Record<string, unknown>) => define({ programmeId: fresh, title: 'Fresh', modules: [INTRO], ...input });

    refused(await defineFresh({ modules: [] }), 'BAD_USER_INPUT', 'a programme needs at least one module');
    refused(
      await defineFresh({ modules: [EXTRA, { ...INTRO, required: false }] }),
      'BAD_USER_INPUT',
      'a programme needs at least one required module: completing it means completing its required modules',
    );
    refused(
      await defineFresh({ modules: [INTRO, { ...CASES, id: 'intro' }] }),
      'BAD_USER_INPUT',
      'module id intro is used twice: module ids must be unique within a programme',
    );
    refused(await defineFresh({ title: 't'.repeat(201) }), 'BAD_USER_INPUT', 'title must be at most 200 characters');
    refused(await defineFresh({ title: '  ' }), 'BAD_USER_INPUT', 'title must not be empty');
    refused(
      await defineFresh({ modules: Array.from({ length: 101 }, (_, i) => ({ ...CASES, id: `m-${i}` })) }),
      'BAD_USER_INPUT',
      'a programme has at most 100 modules',
    );
    refused(
      await defineFresh({ modules: [{ ...INTRO, title: 'x'.repeat(201) }] }),
      'BAD_USER_INPUT',
      'modules[0].title must be at most 200 characters',
    );
    refused(
      await defineFresh({ modules: [{ ...INTRO, id: 'an intro' }] }),
      'BAD_USER_INPUT',
      'modules[0].id must be 1 to 100 letters, digits or . _ : @ - characters',
    );
    refused(
      await defineFresh({ programmeId: 'two words' }),
      'BAD_USER_INPUT',
      'programmeId must be 1 to 100 letters, digits or . _ : @ - characters',
    );
    refused(await defineFresh({ modules: [{ id: 'x', title: 'No required flag' }] }), 'BAD_USER_INPUT');
    expect(await programmeEvents(fresh)).toEqual([]);
    // A redefinition that breaks a rule leaves the programme as it was.
    refused(await define({ programmeId, title: 'Broken', modules: [EXTRA] }), 'BAD_USER_INPUT');
    expect(await programmeEvents(programmeId)).toHaveLength(1);

    const bob = uid('bob');
    refused(await enrol('no-such-programme', ada), 'NOT_FOUND', 'training programme no-such-programme does not exist');
    expect(await enrolmentEvents('no-such-programme', ada)).toEqual([]);
    refused(
      await enrol(programmeId, bob),
      'CONFLICT',
      `member ${bob} is not registered: only registered members can be enrolled in training`,
    );
    const cy = uid('cy');
    await register(cy);
    ok(
      await t.graphql(
        `mutation($input: RecordMemberLeftInput!) { recordMemberLeft(input: $input) { id } }`,
        { input: { memberId: cy } },
        { token: cm },
      ),
    );
    refused(await enrol(programmeId, cy), 'CONFLICT', `member ${cy} has left the community: they can no longer be enrolled in training`);
    refused(await enrol(programmeId, 'not an id'), 'BAD_USER_INPUT', 'memberId must be 1 to 100 letters, digits or . _ : @ - characters');
    expect(await enrolmentEvents(programmeId, bob)).toEqual([]);
    expect(await enrolmentEvents(programmeId, cy)).toEqual([]);

    await register(bob);
    refused(await complete(programmeId, bob, 'intro'), 'NOT_FOUND', `member ${bob} is not enrolled in training programme ${programmeId}`);
    refused(await complete(programmeId, bob, 'intro', await t.token(bob, Role.MEMBER)), 'NOT_FOUND');
    refused(
      await complete(programmeId, ada, 'quiz'),
      'BAD_USER_INPUT',
      `module quiz is not part of training programme ${programmeId} as member ${ada} enrolled in it (revision 0)`,
    );
    refused(
      await complete(programmeId, ada, 'intro', cm, { evidence: 'e'.repeat(2001) }),
      'BAD_USER_INPUT',
      'evidence must be at most 2000 characters',
    );
    refused(await complete(programmeId, ada, 'intro', cm, { commandId: 'not a command id' }), 'BAD_USER_INPUT');
    expect(await enrolmentEvents(programmeId, bob)).toEqual([]);
    expect((await enrolmentEvents(programmeId, ada)).map((event) => event.type)).toEqual(['MemberEnrolledInTraining']);
  });

  test('a retried command answers its original result without recording it again', async () => {
    const programmeId = await programme();
    const ada = await enrolledMember(programmeId);
    const first = ok(await complete(programmeId, ada, 'cases', cm, { commandId: 'retry-1' })).completeTrainingModule;
    ok(await complete(programmeId, ada, 'intro'));
    // The retry answers the enrolment as it is now; its completion was recorded once.
    expect(first).toMatchObject({ status: 'IN_PROGRESS', completedModules: ['cases'], revision: 1 });
    expect(ok(await complete(programmeId, ada, 'cases', cm, { commandId: 'retry-1' })).completeTrainingModule).toMatchObject({
      status: 'COMPLETED',
      completedModules: ['cases', 'intro'],
      revision: 3,
    });
    expect((await enrolmentEvents(programmeId, ada)).map((event) => event.type)).toEqual([
      'MemberEnrolledInTraining',
      'TrainingModuleCompleted',
      'TrainingModuleCompleted',
      'TrainingEnrolmentCompleted',
    ]);
  });
});
