import { foldState } from '#event-store';
import { DeciderSpecification } from '#testing';
import { DomainError, type DomainErrorCode } from '../../platform/shared/domain-error.ts';
import {
  isTrainingEnrolmentEvent,
  remainingRequiredModules,
  TRAINING_ENROLMENT_EVENT_SCHEMAS,
  TRAINING_ENROLMENT_EVENT_TYPES,
  trainingEnrolmentDecider,
  trainingEnrolmentStreamId,
  type CompleteTrainingModule,
  type EnrolInTraining,
  type EnrolledModule,
  type MemberEnrolledInTraining,
  type RecordTrainingFailed,
  type TrainingAuthority,
  type TrainingEnrolmentEvent,
  type TrainingModuleCompleted,
  type WithdrawFromTraining,
} from './training-enrolment.decider.ts';

const spec = DeciderSpecification.for(trainingEnrolmentDecider);

// ---------------------------------------------------------------- cast and calendar

const PROGRAMME = 'moderation-basics';
const MEMBER = 'm-ada';
const OTHER = 'm-bob';
const CM = 'm-cm-1';

const MANAGER: TrainingAuthority = { kind: 'community_manager' };
const SELF: TrainingAuthority = { kind: 'self' };

const ENROLLED_AT = '2025-02-15T09:00:00.000Z';
const FIRST_AT = '2025-02-16T09:00:00.000Z';
const SECOND_AT = '2025-02-17T09:00:00.000Z';
const THIRD_AT = '2025-02-18T09:00:00.000Z';

/** Revision 1 of the programme: two required modules (one self-paced) and an optional self-paced one. */
const INTRO: EnrolledModule = { id: 'intro', required: true, selfPaced: true };
const CASES: EnrolledModule = { id: 'cases', required: true, selfPaced: false };
const EXTRA: EnrolledModule = { id: 'extra', required: false, selfPaced: true };
const MODULES = [INTRO, CASES, EXTRA];

// ---------------------------------------------------------------- events and commands

const enrolled = (data: Partial<MemberEnrolledInTraining['data']> = {}): TrainingEnrolmentEvent => ({
  type: 'MemberEnrolledInTraining',
  data: {
    programmeId: PROGRAMME,
    memberId: MEMBER,
    programmeRevision: 1,
    modules: MODULES,
    enrolledBy: CM,
    enrolledAt: ENROLLED_AT,
    ...data,
  },
});

const completed = (moduleId: string, data: Partial<TrainingModuleCompleted['data']> = {}): TrainingEnrolmentEvent => ({
  type: 'TrainingModuleCompleted',
  data: { programmeId: PROGRAMME, memberId: MEMBER, moduleId, evidence: null, recordedBy: CM, completedAt: FIRST_AT, ...data },
});

const enrolmentCompleted = (completedAt: string): TrainingEnrolmentEvent => ({
  type: 'TrainingEnrolmentCompleted',
  data: { programmeId: PROGRAMME, memberId: MEMBER, programmeRevision: 1, completedAt },
});

const enrol = (command: Partial<EnrolInTraining> = {}): EnrolInTraining => ({
  type: 'EnrolInTraining',
  programmeId: PROGRAMME,
  memberId: MEMBER,
  programme: { revision: 1, modules: MODULES },
  member: 'active',
  actorId: CM,
  authority: MANAGER,
  at: ENROLLED_AT,
  ...command,
});

const complete = (moduleId: string, command: Partial<CompleteTrainingModule> = {}): CompleteTrainingModule => ({
  type: 'CompleteTrainingModule',
  programmeId: PROGRAMME,
  memberId: MEMBER,
  moduleId,
  evidence: null,
  actorId: CM,
  authority: MANAGER,
  at: FIRST_AT,
  ...command,
});

const withdrawn = (data: { reason?: string | null; withdrawnBy?: string; withdrawnAt?: string } = {}): TrainingEnrolmentEvent => ({
  type: 'MemberWithdrewFromTraining',
  data: { programmeId: PROGRAMME, memberId: MEMBER, reason: null, withdrawnBy: MEMBER, withdrawnAt: SECOND_AT, ...data },
});

const failed = (data: { reason?: string | null; recordedBy?: string; failedAt?: string } = {}): TrainingEnrolmentEvent => ({
  type: 'TrainingEnrolmentFailed',
  data: { programmeId: PROGRAMME, memberId: MEMBER, reason: null, recordedBy: CM, failedAt: SECOND_AT, ...data },
});

const withdraw = (command: Partial<WithdrawFromTraining> = {}): WithdrawFromTraining => ({
  type: 'WithdrawFromTraining',
  programmeId: PROGRAMME,
  memberId: MEMBER,
  reason: null,
  actorId: MEMBER,
  authority: SELF,
  at: SECOND_AT,
  ...command,
});

const recordFailed = (command: Partial<RecordTrainingFailed> = {}): RecordTrainingFailed => ({
  type: 'RecordTrainingFailed',
  programmeId: PROGRAMME,
  memberId: MEMBER,
  reason: null,
  actorId: CM,
  authority: MANAGER,
  at: SECOND_AT,
  ...command,
});

// ---------------------------------------------------------------- histories

const justEnrolled = [enrolled()];
const inProgress = [...justEnrolled, completed('intro')];
const done = [...inProgress, completed('cases', { completedAt: SECOND_AT }), enrolmentCompleted(SECOND_AT)];

function domainError(code: DomainErrorCode, message: string, field?: string) {
  return (error: unknown): boolean => {
    expect(error).toBeInstanceOf(DomainError);
    expect({ code: (error as DomainError).code, message: (error as DomainError).message }).toEqual({ code, message });
    if (field !== undefined) expect((error as DomainError).details?.['field']).toBe(field);
    return true;
  };
}

const notEnrolled = domainError('NOT_FOUND', `member ${MEMBER} is not enrolled in training programme ${PROGRAMME}`, 'memberId');

// ---------------------------------------------------------------- ids and schemas

describe('training enrolment ids and schemas', () => {
  test('the stream id is training_enrolment-<programme id>-<member id>', () =>
    expect(trainingEnrolmentStreamId(PROGRAMME, MEMBER)).toBe('training_enrolment-moderation-basics-m-ada'));

  test('the stream id refuses what cannot be an id, naming the field', () => {
    expect(() => trainingEnrolmentStreamId('a b', MEMBER)).toThrow(
      expect.objectContaining({ code: 'BAD_USER_INPUT', details: { field: 'programmeId' } }) as Error,
    );
    expect(() => trainingEnrolmentStreamId(PROGRAMME, '')).toThrow(
      expect.objectContaining({ code: 'BAD_USER_INPUT', details: { field: 'memberId' } }) as Error,
    );
  });

  test("evidence and the reason an enrolment ended are the member's personal data; nothing else is personal", () => {
    expect(TRAINING_ENROLMENT_EVENT_TYPES).toEqual([
      'MemberEnrolledInTraining',
      'TrainingModuleCompleted',
      'TrainingEnrolmentCompleted',
      'MemberWithdrewFromTraining',
      'TrainingEnrolmentFailed',
    ]);
    expect(TRAINING_ENROLMENT_EVENT_SCHEMAS.map((schema) => [schema.type, schema.personal?.fields ?? null])).toEqual([
      ['MemberEnrolledInTraining', null],
      ['TrainingModuleCompleted', ['evidence']],
      ['TrainingEnrolmentCompleted', null],
      ['MemberWithdrewFromTraining', ['reason']],
      ['TrainingEnrolmentFailed', ['reason']],
    ]);
    const personal = TRAINING_ENROLMENT_EVENT_SCHEMAS[1]!.personal!;
    expect(personal.subject({ ...completed('intro').data, recordedBy: CM })).toBe(MEMBER);
    // The subject is the member whose enrolment it is, not whoever ended it.
    expect(TRAINING_ENROLMENT_EVENT_SCHEMAS[3]!.personal!.subject(withdrawn({ withdrawnBy: CM }).data)).toBe(MEMBER);
    expect(TRAINING_ENROLMENT_EVENT_SCHEMAS[4]!.personal!.subject(failed().data)).toBe(MEMBER);
  });

  test('knows its events', () => {
    expect(isTrainingEnrolmentEvent(enrolled())).toBe(true);
    expect(isTrainingEnrolmentEvent({ type: 'TrainingProgrammeDefined' })).toBe(false);
  });
});

// ---------------------------------------------------------------- enrol

describe('enrolling in training', () => {
  test('a community manager enrols a member in the current revision, with its modules', () =>
    spec.given([]).when(enrol()).then([enrolled()]));

  test('a member enrols themselves', () =>
    spec
      .given([])
      .when(enrol({ actorId: MEMBER, authority: SELF }))
      .then([enrolled({ enrolledBy: MEMBER })]));

  test('the modules recorded are the ids, required and self-paced flags of the revision enrolled in', () =>
    spec
      .given([])
      .when(enrol({ programme: { revision: 4, modules: [{ ...CASES, title: 'Handling cases' } as EnrolledModule] } }))
      .then([enrolled({ programmeRevision: 4, modules: [CASES] })]));

  test('enrolling twice adds nothing, whoever asks and whatever the programme became', () => {
    spec.given(justEnrolled).when(enrol()).then([]);
    spec
      .given(inProgress)
      .when(enrol({ actorId: MEMBER, authority: SELF, programme: { revision: 2, modules: [INTRO] } }))
      .then([]);
    spec
      .given(done)
      .when(enrol({ member: 'left' }))
      .then([]);
  });

  test('a member cannot enrol someone else', () => {
    const refusal = domainError(
      'FORBIDDEN',
      'enrolling another member in a training programme needs the role COMMUNITY_MANAGER: members act only for themselves',
    );
    spec
      .given([])
      .when(enrol({ actorId: OTHER, authority: SELF }))
      .thenThrows(refusal);
    spec
      .given(justEnrolled)
      .when(enrol({ actorId: OTHER, authority: SELF }))
      .thenThrows(refusal);
  });

  test('the programme must exist', () =>
    spec
      .given([])
      .when(enrol({ programme: null }))
      .thenThrows(domainError('NOT_FOUND', `training programme ${PROGRAMME} does not exist`, 'programmeId')));

  test('the member must be registered and active', () => {
    spec
      .given([])
      .when(enrol({ member: 'unregistered' }))
      .thenThrows(
        domainError('CONFLICT', `member ${MEMBER} is not registered: only registered members can be enrolled in training`, 'memberId'),
      );
    spec
      .given([])
      .when(enrol({ member: 'left' }))
      .thenThrows(
        domainError('CONFLICT', `member ${MEMBER} has left the community: they can no longer be enrolled in training`, 'memberId'),
      );
  });

  test('refuses ids that cannot be ids', () => {
    spec
      .given([])
      .when(enrol({ programmeId: 'a b' }))
      .thenThrows(domainError('BAD_USER_INPUT', 'programmeId must be 1 to 100 letters, digits or . _ : @ - characters', 'programmeId'));
    spec
      .given([])
      .when(enrol({ memberId: 'x'.repeat(101) }))
      .thenThrows(domainError('BAD_USER_INPUT', 'memberId must be 1 to 100 letters, digits or . _ : @ - characters', 'memberId'));
  });
});

// ---------------------------------------------------------------- complete modules

describe('completing training modules', () => {
  test('the first module puts the enrolment in progress', () =>
    spec
      .given(justEnrolled)
      .when(complete('intro'))
      .then([completed('intro')]));

  test('an optional module first puts it in progress too, without completing it', () => {
    spec
      .given(justEnrolled)
      .when(complete('extra'))
      .then([completed('extra')]);
    expect(foldState(trainingEnrolmentDecider, [...justEnrolled, completed('extra')])).toMatchObject({
      status: 'IN_PROGRESS',
      completedModules: ['extra'],
    });
  });

  test('the last required module completes the enrolment in the same decision', () =>
    spec
      .given(inProgress)
      .when(complete('cases', { at: SECOND_AT }))
      .then([completed('cases', { completedAt: SECOND_AT }), enrolmentCompleted(SECOND_AT)]));

  test('a programme with one required module completes with it, straight from ENROLLED', () =>
    spec
      .given([enrolled({ modules: [{ ...CASES, required: true }, EXTRA] })])
      .when(complete('cases'))
      .then([completed('cases'), enrolmentCompleted(FIRST_AT)]));

  test('an optional module completed after the required ones adds the module, not a second completion', () =>
    spec
      .given(done)
      .when(complete('extra', { at: THIRD_AT }))
      .then([completed('extra', { completedAt: THIRD_AT })]));

  test('a module completed twice adds nothing, even after completion', () => {
    spec
      .given(inProgress)
      .when(complete('intro', { at: SECOND_AT, evidence: 'again' }))
      .then([]);
    spec
      .given(done)
      .when(complete('cases', { at: THIRD_AT }))
      .then([]);
    spec
      .given(done)
      .when(complete('intro', { actorId: MEMBER, authority: SELF }))
      .then([]);
  });

  test('evidence is kept, trimmed; blank evidence is none', () => {
    spec
      .given(justEnrolled)
      .when(complete('intro', { evidence: '  Quiz passed with 9/10 ' }))
      .then([completed('intro', { evidence: 'Quiz passed with 9/10' })]);
    spec
      .given(justEnrolled)
      .when(complete('intro', { evidence: '   ' }))
      .then([completed('intro')]);
    spec
      .given(justEnrolled)
      .when(complete('intro', { evidence: 'e'.repeat(2000) }))
      .then([completed('intro', { evidence: 'e'.repeat(2000) })]);
  });

  test('a member records their own self-paced modules', () => {
    spec
      .given(justEnrolled)
      .when(complete('intro', { actorId: MEMBER, authority: SELF }))
      .then([completed('intro', { recordedBy: MEMBER })]);
    spec
      .given(done)
      .when(complete('extra', { actorId: MEMBER, authority: SELF, at: THIRD_AT }))
      .then([completed('extra', { recordedBy: MEMBER, completedAt: THIRD_AT })]);
  });

  test('a member completing their last required module (self-paced) completes the enrolment', () =>
    spec
      .given([...justEnrolled, completed('cases')])
      .when(complete('intro', { actorId: MEMBER, authority: SELF, at: SECOND_AT }))
      .then([completed('intro', { recordedBy: MEMBER, completedAt: SECOND_AT }), enrolmentCompleted(SECOND_AT)]));

  test('a member cannot record a module that is not self-paced', () =>
    spec
      .given(inProgress)
      .when(complete('cases', { actorId: MEMBER, authority: SELF }))
      .thenThrows(
        domainError(
          'FORBIDDEN',
          'module cases is not self-paced: a community manager records its completion, members record only self-paced modules',
        ),
      ));

  test("a member cannot record someone else's training, not even self-paced modules", () =>
    spec
      .given(justEnrolled)
      .when(complete('intro', { actorId: OTHER, authority: SELF }))
      .thenThrows(
        domainError('FORBIDDEN', "recording another member's training needs the role COMMUNITY_MANAGER: members act only for themselves"),
      ));

  test("refusing someone else's training comes before saying whether they are enrolled", () =>
    spec
      .given([])
      .when(complete('intro', { actorId: OTHER, authority: SELF }))
      .thenThrows(
        domainError('FORBIDDEN', "recording another member's training needs the role COMMUNITY_MANAGER: members act only for themselves"),
      ));

  test('completing when not enrolled is not found', () => {
    spec.given([]).when(complete('intro')).thenThrows(notEnrolled);
    spec
      .given([])
      .when(complete('intro', { actorId: MEMBER, authority: SELF }))
      .thenThrows(notEnrolled);
  });

  test('a module not in the revision enrolled in is bad input', () => {
    const refusal = domainError(
      'BAD_USER_INPUT',
      `module quiz is not part of training programme ${PROGRAMME} as member ${MEMBER} enrolled in it (revision 1)`,
      'moduleId',
    );
    spec.given(justEnrolled).when(complete('quiz')).thenThrows(refusal);
    spec
      .given(done)
      .when(complete('quiz', { actorId: MEMBER, authority: SELF }))
      .thenThrows(refusal);
  });

  test.each<[string, Partial<CompleteTrainingModule>, string, string]>([
    [
      'a module id that is not an id',
      { moduleId: 'the intro' },
      'moduleId',
      'moduleId must be 1 to 100 letters, digits or . _ : @ - characters',
    ],
    ['evidence over 2000 characters', { evidence: 'e'.repeat(2001) }, 'evidence', 'evidence must be at most 2000 characters'],
    ['evidence with control characters', { evidence: 'ok\u0000' }, 'evidence', 'evidence must not contain control characters'],
    [
      'a programme id that is not an id',
      { programmeId: '' },
      'programmeId',
      'programmeId must be 1 to 100 letters, digits or . _ : @ - characters',
    ],
  ])('refuses %s as bad input naming the field', (_, override, field, message) =>
    spec
      .given(justEnrolled)
      .when({ ...complete('intro'), ...override })
      .thenThrows(domainError('BAD_USER_INPUT', message, field)),
  );
});

// ---------------------------------------------------------------- state

describe('training enrolment state', () => {
  test('folds each step to its status', () => {
    expect(foldState(trainingEnrolmentDecider, [])).toEqual({ status: 'absent' });
    expect(foldState(trainingEnrolmentDecider, justEnrolled)).toEqual({
      status: 'ENROLLED',
      programmeId: PROGRAMME,
      memberId: MEMBER,
      programmeRevision: 1,
      modules: MODULES,
      completedModules: [],
      enrolledAt: ENROLLED_AT,
      completedAt: null,
      endedAt: null,
    });
    expect(foldState(trainingEnrolmentDecider, inProgress)).toMatchObject({ status: 'IN_PROGRESS', completedModules: ['intro'] });
    expect(foldState(trainingEnrolmentDecider, done)).toMatchObject({
      status: 'COMPLETED',
      completedModules: ['intro', 'cases'],
      completedAt: SECOND_AT,
    });
    expect(foldState(trainingEnrolmentDecider, [...done, completed('extra', { completedAt: THIRD_AT })])).toMatchObject({
      status: 'COMPLETED',
      completedModules: ['intro', 'cases', 'extra'],
      completedAt: SECOND_AT,
    });
  });

  test('a repeated module completion written around the decider is not listed twice', () =>
    expect(foldState(trainingEnrolmentDecider, [...inProgress, completed('intro')])).toMatchObject({ completedModules: ['intro'] }));

  test('remaining required modules are those of the enrolled revision not completed yet, in programme order', () => {
    expect(remainingRequiredModules({ modules: MODULES, completedModules: [] })).toEqual(['intro', 'cases']);
    expect(remainingRequiredModules({ modules: MODULES, completedModules: ['extra', 'cases'] })).toEqual(['intro']);
    expect(remainingRequiredModules({ modules: MODULES, completedModules: ['cases', 'intro'] })).toEqual([]);
  });

  test('events before the enrolment leave it absent; unknown event types leave the state alone', () => {
    expect(foldState(trainingEnrolmentDecider, [completed('intro'), enrolmentCompleted(FIRST_AT)])).toEqual({ status: 'absent' });
    const before = foldState(trainingEnrolmentDecider, inProgress);
    expect(foldState(trainingEnrolmentDecider, [...inProgress, { type: 'TrainingEnrolmentWithdrawn', data: {} }])).toEqual(before);
  });

  test('a withdrawal or a failure ends the enrolment, keeping what was completed; enrolling again starts over', () => {
    expect(foldState(trainingEnrolmentDecider, [...inProgress, withdrawn()])).toMatchObject({
      status: 'WITHDRAWN',
      completedModules: ['intro'],
      endedAt: SECOND_AT,
    });
    expect(foldState(trainingEnrolmentDecider, [...inProgress, failed({ failedAt: THIRD_AT })])).toMatchObject({
      status: 'FAILED',
      endedAt: THIRD_AT,
    });
    expect(
      foldState(trainingEnrolmentDecider, [...inProgress, failed(), enrolled({ enrolledAt: THIRD_AT, programmeRevision: 2 })]),
    ).toEqual({
      status: 'ENROLLED',
      programmeId: PROGRAMME,
      memberId: MEMBER,
      programmeRevision: 2,
      modules: MODULES,
      completedModules: [],
      enrolledAt: THIRD_AT,
      completedAt: null,
      endedAt: null,
    });
  });
});

// ---------------------------------------------------------------- withdraw, fail, enrol again

describe('withdrawing from training', () => {
  test('the member withdraws from their running enrolment, with or without a reason', () => {
    spec.given(justEnrolled).when(withdraw()).then([withdrawn()]);
    spec
      .given(inProgress)
      .when(withdraw({ reason: '  Moving to another team ' }))
      .then([withdrawn({ reason: 'Moving to another team' })]);
  });

  test('a community manager withdraws a member', () =>
    spec
      .given(inProgress)
      .when(withdraw({ actorId: CM, authority: MANAGER }))
      .then([withdrawn({ withdrawnBy: CM })]));

  test('a member cannot withdraw someone else, enrolled or not', () => {
    const refusal = domainError(
      'FORBIDDEN',
      "withdrawing another member's training enrolment needs the role COMMUNITY_MANAGER: members act only for themselves",
    );
    spec
      .given(inProgress)
      .when(withdraw({ actorId: OTHER }))
      .thenThrows(refusal);
    spec
      .given([])
      .when(withdraw({ actorId: OTHER }))
      .thenThrows(refusal);
  });

  test('withdrawing from nothing is NOT_FOUND', () => spec.given([]).when(withdraw()).thenThrows(notEnrolled));

  test('withdrawing again adds nothing', () =>
    spec
      .given([...inProgress, withdrawn()])
      .when(withdraw({ at: THIRD_AT }))
      .then([]));

  test('a completed enrolment cannot be withdrawn, nor a failed one', () => {
    spec
      .given(done)
      .when(withdraw())
      .thenThrows(
        domainError(
          'CONFLICT',
          `member ${MEMBER} has completed training programme ${PROGRAMME}: a completed enrolment cannot be WITHDRAWN`,
        ),
      );
    spec
      .given([...inProgress, failed()])
      .when(withdraw())
      .thenThrows(
        domainError('CONFLICT', `the enrolment of member ${MEMBER} in training programme ${PROGRAMME} has already ended: it is FAILED`),
      );
  });
});

describe('recording a training failure', () => {
  test('a community manager records that the member did not pass, with or without a reason', () => {
    spec.given(inProgress).when(recordFailed()).then([failed()]);
    spec
      .given(justEnrolled)
      .when(recordFailed({ reason: 'Did not pass the assessment' }))
      .then([failed({ reason: 'Did not pass the assessment' })]);
  });

  test('a member cannot record a failure, not even their own', () => {
    const refusal = domainError('FORBIDDEN', 'recording that a member failed a training programme needs the role COMMUNITY_MANAGER');
    spec
      .given(inProgress)
      .when(recordFailed({ actorId: MEMBER, authority: SELF }))
      .thenThrows(refusal);
    spec
      .given(inProgress)
      .when(recordFailed({ actorId: OTHER, authority: SELF }))
      .thenThrows(refusal);
  });

  test('failing nothing is NOT_FOUND; failing again adds nothing', () => {
    spec.given([]).when(recordFailed()).thenThrows(notEnrolled);
    spec
      .given([...inProgress, failed()])
      .when(recordFailed())
      .then([]);
  });

  test('a completed enrolment cannot be failed, nor a withdrawn one', () => {
    spec
      .given(done)
      .when(recordFailed())
      .thenThrows(
        domainError('CONFLICT', `member ${MEMBER} has completed training programme ${PROGRAMME}: a completed enrolment cannot be FAILED`),
      );
    spec
      .given([...inProgress, withdrawn()])
      .when(recordFailed())
      .thenThrows(
        domainError('CONFLICT', `the enrolment of member ${MEMBER} in training programme ${PROGRAMME} has already ended: it is WITHDRAWN`),
      );
  });

  test.each([
    ['a reason too long', { reason: 'x'.repeat(2001) }, 'reason must be at most 2000 characters'],
    ['a reason with control characters', { reason: 'bad\u0000' }, 'reason must not contain control characters'],
    ['a member id that is not an id', { memberId: 'a b' }, 'memberId must be 1 to 100 letters, digits or . _ : @ - characters'],
  ])('refuses %s as bad input naming the field', (_, override, message) => {
    const field = 'memberId' in override ? 'memberId' : 'reason';
    spec
      .given(inProgress)
      .when(recordFailed(override))
      .thenThrows(domainError('BAD_USER_INPUT', message, field));
    spec
      .given(inProgress)
      .when(withdraw(override))
      .thenThrows(domainError('BAD_USER_INPUT', message, field));
  });
});

describe('after a failure or a withdrawal', () => {
  test('the member enrols again: a new enrolment in the programme as it is now, nothing completed', () => {
    spec
      .given([...inProgress, failed()])
      .when(enrol({ actorId: MEMBER, authority: SELF, programme: { revision: 2, modules: [CASES] }, at: THIRD_AT }))
      .then([enrolled({ enrolledBy: MEMBER, programmeRevision: 2, modules: [CASES], enrolledAt: THIRD_AT })]);
    spec
      .given([...inProgress, withdrawn()])
      .when(enrol({ at: THIRD_AT }))
      .then([enrolled({ enrolledAt: THIRD_AT })]);
  });

  test('enrolling again follows the rules of a first enrolment', () => {
    spec
      .given([...inProgress, withdrawn()])
      .when(enrol({ member: 'left' }))
      .thenThrows(
        domainError('CONFLICT', `member ${MEMBER} has left the community: they can no longer be enrolled in training`, 'memberId'),
      );
    spec
      .given([...inProgress, withdrawn()])
      .when(enrol({ actorId: OTHER, authority: SELF }))
      .thenThrows(
        domainError(
          'FORBIDDEN',
          'enrolling another member in a training programme needs the role COMMUNITY_MANAGER: members act only for themselves',
        ),
      );
  });

  test('no module can be completed until they enrol again', () =>
    spec
      .given([...justEnrolled, withdrawn()])
      .when(complete('intro'))
      .thenThrows(
        domainError(
          'CONFLICT',
          `the enrolment of member ${MEMBER} in training programme ${PROGRAMME} is WITHDRAWN: enrol again to complete modules`,
          'memberId',
        ),
      ));

  test('a module completed before the withdrawal stays completed: recording it again adds nothing', () =>
    spec
      .given([...inProgress, withdrawn()])
      .when(complete('intro'))
      .then([]));
});
