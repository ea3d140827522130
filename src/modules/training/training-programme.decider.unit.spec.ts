import { foldState } from '#event-store';
import { DeciderSpecification } from '#testing';
import { DomainError, type DomainErrorCode } from '../../platform/shared/domain-error.ts';
import {
  isTrainingProgrammeEvent,
  TRAINING_PROGRAMME_EVENT_SCHEMAS,
  TRAINING_PROGRAMME_EVENT_TYPES,
  trainingProgrammeDecider,
  trainingProgrammeStreamId,
  type DefineTrainingProgramme,
  type TrainingModuleDefinition,
  type TrainingProgrammeEvent,
} from './training-programme.decider.ts';

const spec = DeciderSpecification.for(trainingProgrammeDecider);

const PROGRAMME = 'moderation-basics';
const CM = 'm-cm-1';
const CM_2 = 'm-cm-2';
const DEFINED_AT = '2025-02-01T09:00:00.000Z';
const REDEFINED_AT = '2025-02-10T09:00:00.000Z';

const INTRO: TrainingModuleDefinition = { id: 'intro', title: 'Introduction', required: true, selfPaced: true };
const CASES: TrainingModuleDefinition = { id: 'cases', title: 'Handling cases', required: true, selfPaced: false };
const EXTRA: TrainingModuleDefinition = { id: 'extra', title: 'Further reading', required: false, selfPaced: true };
const MODULES = [INTRO, CASES, EXTRA];

const define = (command: Partial<DefineTrainingProgramme> = {}): DefineTrainingProgramme => ({
  type: 'DefineTrainingProgramme',
  programmeId: PROGRAMME,
  title: 'Moderation basics',
  modules: MODULES,
  actorId: CM,
  at: DEFINED_AT,
  ...command,
});

const defined = (
  data: Partial<Extract<TrainingProgrammeEvent, { type: 'TrainingProgrammeDefined' }>['data']> = {},
): TrainingProgrammeEvent => ({
  type: 'TrainingProgrammeDefined',
  data: { programmeId: PROGRAMME, title: 'Moderation basics', modules: MODULES, definedBy: CM, definedAt: DEFINED_AT, ...data },
});

const redefined = (
  data: Partial<Extract<TrainingProgrammeEvent, { type: 'TrainingProgrammeRedefined' }>['data']> = {},
): TrainingProgrammeEvent => ({
  type: 'TrainingProgrammeRedefined',
  data: { programmeId: PROGRAMME, title: 'Moderation basics', modules: MODULES, definedBy: CM_2, definedAt: REDEFINED_AT, ...data },
});

function domainError(code: DomainErrorCode, message: string, field?: string) {
  return (error: unknown): boolean => {
    expect(error).toBeInstanceOf(DomainError);
    expect({ code: (error as DomainError).code, message: (error as DomainError).message }).toEqual({ code, message });
    if (field !== undefined) expect((error as DomainError).details?.['field']).toBe(field);
    return true;
  };
}

describe('training programme ids and schemas', () => {
  test('the stream id is training_programme-<programme id>', () =>
    expect(trainingProgrammeStreamId(PROGRAMME)).toBe('training_programme-moderation-basics'));

  test('the stream id refuses what cannot be an id', () =>
    expect(() => trainingProgrammeStreamId('moderation basics')).toThrow(
      expect.objectContaining({ code: 'BAD_USER_INPUT', details: { field: 'programmeId' } }) as Error,
    ));

  test('schemas cover every event type, none personal', () => {
    expect(TRAINING_PROGRAMME_EVENT_SCHEMAS).toEqual([{ type: 'TrainingProgrammeDefined' }, { type: 'TrainingProgrammeRedefined' }]);
    expect(TRAINING_PROGRAMME_EVENT_TYPES).toEqual(['TrainingProgrammeDefined', 'TrainingProgrammeRedefined']);
    expect(isTrainingProgrammeEvent(defined())).toBe(true);
    expect(isTrainingProgrammeEvent({ type: 'MemberEnrolledInTraining' })).toBe(false);
  });
});

describe('defining a training programme', () => {
  test('the first definition defines it', () => spec.given([]).when(define()).then([defined()]));

  test('titles are trimmed and modules keep their order', () =>
    spec
      .given([])
      .when(define({ title: '  Moderation basics ', modules: [{ ...EXTRA, title: ' Further reading ' }, INTRO, CASES] }))
      .then([defined({ modules: [EXTRA, INTRO, CASES] })]));

  test('a later definition is a redefinition, complete in itself', () =>
    spec
      .given([defined()])
      .when(define({ title: 'Moderation essentials', modules: [INTRO, { ...CASES, selfPaced: true }], actorId: CM_2, at: REDEFINED_AT }))
      .then([redefined({ title: 'Moderation essentials', modules: [INTRO, { ...CASES, selfPaced: true }] })]));

  test('the same title and modules add nothing, after a redefinition too', () => {
    spec
      .given([defined()])
      .when(define({ actorId: CM_2, at: REDEFINED_AT }))
      .then([]);
    spec
      .given([defined()])
      .when(define({ title: ' Moderation basics ' }))
      .then([]);
    spec
      .given([defined(), redefined({ modules: [INTRO] })])
      .when(define({ modules: [INTRO] }))
      .then([]);
  });

  test.each<[string, Partial<DefineTrainingProgramme>]>([
    ['a changed title', { title: 'Moderation 101' }],
    ['a module made optional', { modules: [INTRO, { ...CASES, required: false }, EXTRA] }],
    ['a module made self-paced', { modules: [INTRO, { ...CASES, selfPaced: true }, EXTRA] }],
    ['a module renamed', { modules: [INTRO, { ...CASES, title: 'Cases' }, EXTRA] }],
    ['modules reordered', { modules: [CASES, INTRO, EXTRA] }],
    ['a module removed', { modules: [INTRO, CASES] }],
  ])('%s is a new revision', (_, change) =>
    spec
      .given([defined()])
      .when(define({ ...change, at: REDEFINED_AT, actorId: CM_2 }))
      .then([redefined({ title: change.title ?? 'Moderation basics', modules: change.modules ?? MODULES })]),
  );

  test.each<[string, Partial<DefineTrainingProgramme>, string, string]>([
    [
      'a programme id that is not an id',
      { programmeId: 'moderation basics' },
      'programmeId',
      'programmeId must be 1 to 100 letters, digits or . _ : @ - characters',
    ],
    ['an empty title', { title: '   ' }, 'title', 'title must not be empty'],
    ['a title over 200 characters', { title: 't'.repeat(201) }, 'title', 'title must be at most 200 characters'],
    ['no modules', { modules: [] }, 'modules', 'a programme needs at least one module'],
    [
      'more than 100 modules',
      { modules: Array.from({ length: 101 }, (_, i) => ({ ...INTRO, id: `m-${i}` })) },
      'modules',
      'a programme has at most 100 modules',
    ],
    [
      'a module id used twice',
      { modules: [INTRO, CASES, { ...EXTRA, id: 'intro' }] },
      'modules[2].id',
      'module id intro is used twice: module ids must be unique within a programme',
    ],
    [
      'a module id that is not an id',
      { modules: [INTRO, { ...CASES, id: 'handling cases' }] },
      'modules[1].id',
      'modules[1].id must be 1 to 100 letters, digits or . _ : @ - characters',
    ],
    ['a module without a title', { modules: [{ ...INTRO, title: '' }] }, 'modules[0].title', 'modules[0].title must not be empty'],
    [
      'a module title over 200 characters',
      { modules: [{ ...INTRO, title: 'x'.repeat(201) }] },
      'modules[0].title',
      'modules[0].title must be at most 200 characters',
    ],
    [
      'no required module',
      { modules: [EXTRA, { ...INTRO, required: false }] },
      'modules',
      'a programme needs at least one required module: completing it means completing its required modules',
    ],
  ])('refuses %s as bad input naming the field', (_, override, field, message) => {
    spec
      .given([])
      .when(define(override))
      .thenThrows(domainError('BAD_USER_INPUT', message, field));
    spec
      .given([defined()])
      .when(define(override))
      .thenThrows(domainError('BAD_USER_INPUT', message, field));
  });

  test('the limits themselves are accepted', () => {
    const modules = Array.from({ length: 100 }, (_, i) => ({ ...INTRO, id: `m-${i}`, title: 'x'.repeat(200) }));
    spec
      .given([])
      .when(define({ title: 't'.repeat(200), modules }))
      .then([defined({ title: 't'.repeat(200), modules })]);
  });
});

describe('training programme state', () => {
  test('folds to the latest definition, counting definitions', () => {
    expect(foldState(trainingProgrammeDecider, [])).toEqual({ status: 'absent' });
    expect(foldState(trainingProgrammeDecider, [defined()])).toEqual({
      status: 'defined',
      programmeId: PROGRAMME,
      title: 'Moderation basics',
      modules: MODULES,
      definitions: 1,
    });
    expect(foldState(trainingProgrammeDecider, [defined(), redefined({ title: 'Essentials', modules: [CASES] })])).toEqual({
      status: 'defined',
      programmeId: PROGRAMME,
      title: 'Essentials',
      modules: [CASES],
      definitions: 2,
    });
  });

  test('an event type this code does not know leaves the state alone', () => {
    const before = foldState(trainingProgrammeDecider, [defined()]);
    expect(foldState(trainingProgrammeDecider, [defined(), { type: 'TrainingProgrammeArchived', data: {} }])).toEqual(before);
  });
});
