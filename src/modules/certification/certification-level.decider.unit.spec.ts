import { DeciderSpecification } from '#testing';
import { DomainError, type DomainErrorCode } from '../../platform/shared/domain-error.ts';
import {
  CERTIFICATION_LEVEL_EVENT_SCHEMAS,
  CERTIFICATION_LEVEL_EVENT_TYPES,
  certificationLevelDecider,
  certificationLevelStreamId,
  isCertificationLevelEvent,
  type CertificationLevelEvent,
  type DefineCertificationLevel,
} from './certification-level.decider.ts';

const spec = DeciderSpecification.for(certificationLevelDecider);
const CM = 'cm-1';
const AT = '2025-03-01T09:00:00.000Z';
const LATER = '2025-04-01T09:00:00.000Z';

const define = (command: Partial<DefineCertificationLevel> = {}): DefineCertificationLevel => ({
  type: 'DefineCertificationLevel',
  level: 1,
  name: 'Moderator',
  requiredProgrammes: ['prog-a'],
  validityMonths: 12,
  previousLevelDefined: true,
  unknownProgrammes: [],
  actorId: CM,
  at: AT,
  ...command,
});

const defined = (
  data: Partial<Extract<CertificationLevelEvent, { type: 'CertificationLevelDefined' }>['data']> = {},
): CertificationLevelEvent => ({
  type: 'CertificationLevelDefined',
  data: { level: 1, name: 'Moderator', requiredProgrammes: ['prog-a'], validityMonths: 12, definedBy: CM, definedAt: AT, ...data },
});

function domainError(code: DomainErrorCode, message: string, field?: string) {
  return (error: unknown): boolean => {
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe(code);
    expect((error as DomainError).message).toBe(message);
    if (field !== undefined) expect((error as DomainError).details?.['field']).toBe(field);
    return true;
  };
}

describe('certification level stream id', () => {
  test('is certification_level-<n>', () => expect(certificationLevelStreamId(3)).toBe('certification_level-3'));
  test.each([0, -1, 1.5, 101, Number.NaN])('refuses level %p', (level) =>
    expect(() => certificationLevelStreamId(level)).toThrow('level must be a whole number from 1 to 100'),
  );
});

describe('certification level event schemas', () => {
  test('cover every event type, none personal', () => {
    expect(CERTIFICATION_LEVEL_EVENT_SCHEMAS).toEqual(CERTIFICATION_LEVEL_EVENT_TYPES.map((type) => ({ type })));
    expect(CERTIFICATION_LEVEL_EVENT_TYPES).toEqual(['CertificationLevelDefined', 'CertificationLevelRedefined']);
  });
  test('recognise their own events only', () => {
    expect(isCertificationLevelEvent({ type: 'CertificationLevelRedefined' })).toBe(true);
    expect(isCertificationLevelEvent({ type: 'CertificationAwarded' })).toBe(false);
  });
});

describe('defining a level', () => {
  test('the first definition records the level, trimmed, with who and when', () =>
    spec
      .given([])
      .when(define({ name: '  Moderator ', requiredProgrammes: ['prog-a', 'prog-b'] }))
      .then([defined({ requiredProgrammes: ['prog-a', 'prog-b'] })]));

  test('a level may require no programme of its own', () =>
    spec
      .given([])
      .when(define({ requiredProgrammes: [] }))
      .then([defined({ requiredProgrammes: [] })]));

  test('level 2 once level 1 exists', () =>
    spec
      .given([])
      .when(define({ level: 2, name: 'Senior moderator', validityMonths: 24 }))
      .then([defined({ level: 2, name: 'Senior moderator', validityMonths: 24 })]));

  test('level N before level N-1 is a conflict', () =>
    spec
      .given([])
      .when(define({ level: 3, previousLevelDefined: false }))
      .thenThrows(domainError('CONFLICT', 'level 3 cannot be defined before level 2: levels are defined in order, from 1', 'level')));

  test('a programme that does not exist is named', () =>
    spec
      .given([])
      .when(define({ requiredProgrammes: ['prog-a', 'prog-x'], unknownProgrammes: ['prog-x'] }))
      .thenThrows(domainError('NOT_FOUND', 'training programme prog-x does not exist', 'requiredProgrammes')));

  test('several programmes that do not exist are all named', () =>
    spec
      .given([])
      .when(define({ requiredProgrammes: ['prog-x', 'prog-a', 'prog-y'], unknownProgrammes: ['prog-y', 'prog-x'] }))
      .thenThrows(domainError('NOT_FOUND', 'training programmes prog-x, prog-y do not exist', 'requiredProgrammes')));

  test('the order of the levels is checked before the programmes', () =>
    spec
      .given([])
      .when(define({ level: 2, previousLevelDefined: false, unknownProgrammes: ['prog-a'] }))
      .thenThrows(domainError('CONFLICT', 'level 2 cannot be defined before level 1: levels are defined in order, from 1')));

  test.each([
    ['level 0', { level: 0 }, 'level must be a whole number from 1 to 100', 'level'],
    ['level 2.5', { level: 2.5 }, 'level must be a whole number from 1 to 100', 'level'],
    ['a blank name', { name: '   ' }, 'name must not be empty', 'name'],
    ['a name of 201 characters', { name: 'x'.repeat(201) }, 'name must be at most 200 characters', 'name'],
    ['0 months', { validityMonths: 0 }, 'validityMonths must be a whole number from 1 to 120', 'validityMonths'],
    ['121 months', { validityMonths: 121 }, 'validityMonths must be a whole number from 1 to 120', 'validityMonths'],
    ['1.5 months', { validityMonths: 1.5 }, 'validityMonths must be a whole number from 1 to 120', 'validityMonths'],
    [
      'a programme id with a space',
      { requiredProgrammes: ['prog a'] },
      'requiredProgrammes must be 1 to 100 letters, digits or . _ : @ - characters',
      'requiredProgrammes',
    ],
    ['a programme twice', { requiredProgrammes: ['prog-a', 'prog-a'] }, 'requiredProgrammes lists prog-a twice', 'requiredProgrammes'],
    [
      '51 programmes',
      { requiredProgrammes: Array.from({ length: 51 }, (_, i) => `p-${i}`) },
      'a level requires at most 50 programmes',
      'requiredProgrammes',
    ],
  ])('refuses %s as bad input', (_label, change, message, field) =>
    spec
      .given([])
      .when(define(change as Partial<DefineCertificationLevel>))
      .thenThrows(domainError('BAD_USER_INPUT', message, field)),
  );

  test.each([1, 120])('accepts a validity of %p months', (validityMonths) =>
    spec
      .given([])
      .when(define({ validityMonths }))
      .then([defined({ validityMonths })]),
  );
});

describe('redefining a level', () => {
  test('a change is a new revision, complete in itself', () =>
    spec
      .given([defined()])
      .when(define({ name: 'Moderator', requiredProgrammes: ['prog-a', 'prog-b'], validityMonths: 6, actorId: 'cm-2', at: LATER }))
      .then([
        {
          type: 'CertificationLevelRedefined',
          data: {
            level: 1,
            name: 'Moderator',
            requiredProgrammes: ['prog-a', 'prog-b'],
            validityMonths: 6,
            definedBy: 'cm-2',
            definedAt: LATER,
          },
        },
      ]));

  test('an identical definition adds nothing, whoever sends it and whenever', () =>
    spec
      .given([defined({ requiredProgrammes: ['prog-a', 'prog-b'] })])
      .when(define({ requiredProgrammes: ['prog-b', 'prog-a'], actorId: 'cm-2', at: LATER }))
      .then([]));

  test('identical to the latest revision, not to the first', () =>
    spec
      .given([
        defined(),
        {
          type: 'CertificationLevelRedefined',
          data: { level: 1, name: 'Moderator', requiredProgrammes: [], validityMonths: 3, definedBy: CM, definedAt: LATER },
        },
      ])
      .when(define({ requiredProgrammes: [], validityMonths: 3 }))
      .then([]));

  test('going back to an earlier definition is a change', () =>
    spec
      .given([
        defined(),
        {
          type: 'CertificationLevelRedefined',
          data: { level: 1, name: 'Moderator', requiredProgrammes: [], validityMonths: 3, definedBy: CM, definedAt: LATER },
        },
      ])
      .when(define())
      .then([{ type: 'CertificationLevelRedefined', data: defined().data }]));

  test('a redefinition names programmes that do not exist too', () =>
    spec
      .given([defined()])
      .when(define({ requiredProgrammes: ['prog-z'], unknownProgrammes: ['prog-z'] }))
      .thenThrows(domainError('NOT_FOUND', 'training programme prog-z does not exist')));
});
