import { foldState } from '#event-store';
import { DeciderSpecification } from '#testing';
import { DomainError } from '../../platform/shared/domain-error.ts';
import {
  isModeratorNoteEvent,
  MODERATOR_NOTE_EVENT_SCHEMAS,
  MODERATOR_NOTE_EVENT_TYPES,
  moderatorNotesDecider,
  moderatorNotesStreamId,
  type AddModeratorNote,
  type ModeratorNoteAdded,
  type ModeratorNoteEvent,
  type ModeratorNoteRetracted,
  type RetractModeratorNote,
} from './moderator-notes.decider.ts';
import { domainError } from '../../../test/support/domain-error.ts';

const spec = DeciderSpecification.for(moderatorNotesDecider);

const MEMBER = 'm-author';
const MODERATOR = 'm-cm-1';
const OTHER_MODERATOR = 'm-cm-2';
const ADDED_AT = '2025-03-01T09:00:00.000Z';
const RETRACTED_AT = '2025-03-02T09:00:00.000Z';

const added = (noteId: string, data: Partial<ModeratorNoteAdded['data']> = {}): ModeratorNoteEvent => ({
  type: 'ModeratorNoteAdded',
  data: { memberId: MEMBER, noteId, text: 'Warned informally about tone.', authorId: MODERATOR, addedAt: ADDED_AT, ...data },
});

const retracted = (noteId: string, data: Partial<ModeratorNoteRetracted['data']> = {}): ModeratorNoteEvent => ({
  type: 'ModeratorNoteRetracted',
  data: { memberId: MEMBER, noteId, retractedBy: OTHER_MODERATOR, retractedAt: RETRACTED_AT, reason: null, ...data },
});

const add = (noteId: string, command: Partial<AddModeratorNote> = {}): AddModeratorNote => ({
  type: 'AddModeratorNote',
  memberId: MEMBER,
  noteId,
  text: 'Warned informally about tone.',
  authorId: MODERATOR,
  at: ADDED_AT,
  ...command,
});

const retract = (noteId: string, command: Partial<RetractModeratorNote> = {}): RetractModeratorNote => ({
  type: 'RetractModeratorNote',
  memberId: MEMBER,
  noteId,
  reason: null,
  actorId: OTHER_MODERATOR,
  at: RETRACTED_AT,
  ...command,
});

describe('moderator notes stream id', () => {
  test('is moderator_notes-<member id>', () => expect(moderatorNotesStreamId(MEMBER)).toBe('moderator_notes-m-author'));
  test('refuses an id that would not be a safe stream id', () => expect(() => moderatorNotesStreamId('m 1')).toThrow(DomainError));
});

describe('moderator note event schemas', () => {
  const byType = Object.fromEntries(MODERATOR_NOTE_EVENT_SCHEMAS.map((s) => [s.type, s]));

  test('cover every event type', () => expect(Object.keys(byType).sort()).toEqual([...MODERATOR_NOTE_EVENT_TYPES].sort()));

  test("a note's text and a retraction's reason are the member's personal data, not the moderator's", () => {
    expect(byType['ModeratorNoteAdded']?.personal?.fields).toEqual(['text']);
    expect(byType['ModeratorNoteRetracted']?.personal?.fields).toEqual(['reason']);
    for (const schema of MODERATOR_NOTE_EVENT_SCHEMAS) {
      expect(schema.personal?.subject({ memberId: MEMBER, authorId: MODERATOR, retractedBy: OTHER_MODERATOR })).toBe(MEMBER);
    }
  });

  test('isModeratorNoteEvent recognises the note events only', () => {
    for (const type of MODERATOR_NOTE_EVENT_TYPES) expect(isModeratorNoteEvent({ type })).toBe(true);
    expect(isModeratorNoteEvent({ type: 'ContentFlagged' })).toBe(false);
  });
});

describe('AddModeratorNote', () => {
  test('adds a note, trimmed', () =>
    spec
      .given([])
      .when(add('n-1', { text: '  Warned informally about tone.\n' }))
      .then([added('n-1')]));

  test('adds further notes', () =>
    spec
      .given([added('n-1')])
      .when(add('n-2', { text: 'Second line\nof a note.', authorId: OTHER_MODERATOR }))
      .then([added('n-2', { text: 'Second line\nof a note.', authorId: OTHER_MODERATOR })]));

  test('adding a note under an existing id is a conflict', () =>
    spec
      .given([added('n-1')])
      .when(add('n-1', { text: 'Corrected.' }))
      .thenThrows(domainError('CONFLICT', 'note n-1 already exists: notes are never edited, add a new one')));

  test('a retracted note id cannot be reused either', () =>
    spec
      .given([added('n-1'), retracted('n-1')])
      .when(add('n-1'))
      .thenThrows(domainError('CONFLICT', 'note n-1 already exists: notes are never edited, add a new one')));

  test('accepts a 2000-character note', () =>
    spec
      .given([])
      .when(add('n-1', { text: 't'.repeat(2000) }))
      .then([added('n-1', { text: 't'.repeat(2000) })]));

  test('a note id named like an Object.prototype property is an ordinary id', () =>
    spec
      .given([])
      .when(add('constructor'))
      .then([added('constructor')]));

  test.each([
    ['an empty text', { text: '' }, 'text', 'text must not be empty'],
    ['a blank text', { text: ' \n\t ' }, 'text', 'text must not be empty'],
    ['a text over 2000 characters', { text: 't'.repeat(2001) }, 'text', 'text must be at most 2000 characters'],
    ['a text with a control character', { text: 'beep\u0007' }, 'text', 'text must not contain control characters'],
    ['a text with a NUL', { text: 'a\u0000b' }, 'text', 'text must not contain control characters'],
    ['an empty member id', { memberId: '' }, 'memberId', /^memberId must be 1 to 100/],
    ['a bad note id', { noteId: 'n/1' }, 'noteId', /^noteId must be 1 to 100/],
  ])('refuses %s as bad input naming the field', (_, override: Partial<AddModeratorNote>, field, message) =>
    spec
      .given([])
      .when(add('n-1', override))
      .thenThrows(domainError('BAD_USER_INPUT', message, field)),
  );
});

describe('RetractModeratorNote', () => {
  test('retracts a note, with a trimmed reason', () =>
    spec
      .given([added('n-1')])
      .when(retract('n-1', { reason: ' Wrong member. ' }))
      .then([retracted('n-1', { reason: 'Wrong member.' })]));

  test('a blank reason is recorded as none', () =>
    spec
      .given([added('n-1')])
      .when(retract('n-1', { reason: '   ' }))
      .then([retracted('n-1')]));

  test('retracting one note leaves the others alone', () =>
    spec
      .given([added('n-1'), added('n-2'), retracted('n-1')])
      .when(retract('n-2'))
      .then([retracted('n-2')]));

  test('retracting twice is a conflict', () =>
    spec
      .given([added('n-1'), retracted('n-1')])
      .when(retract('n-1'))
      .thenThrows(domainError('CONFLICT', 'note n-1 is already retracted')));

  test('retracting an unknown note is not found', () =>
    spec
      .given([added('n-1')])
      .when(retract('n-2'))
      .thenThrows(domainError('NOT_FOUND', `member ${MEMBER} has no note n-2`)));

  test('retracting a note named like an inherited property is not found, not a crash', () =>
    spec
      .given([])
      .when(retract('toString'))
      .thenThrows(domainError('NOT_FOUND', `member ${MEMBER} has no note toString`)));

  test.each([
    ['a reason over 2000 characters', { reason: 'r'.repeat(2001) }, 'reason', 'reason must be at most 2000 characters'],
    ['a reason with a control character', { reason: 'x\u007f' }, 'reason', 'reason must not contain control characters'],
    ['a bad member id', { memberId: 'm 1' }, 'memberId', /^memberId /],
    ['an empty note id', { noteId: '' }, 'noteId', /^noteId /],
  ])('refuses %s as bad input naming the field', (_, override: Partial<RetractModeratorNote>, field, message) =>
    spec
      .given([added('n-1')])
      .when(retract('n-1', override))
      .thenThrows(domainError('BAD_USER_INPUT', message, field)),
  );
});

describe('moderator notes state', () => {
  test('folds notes and retractions', () => {
    expect(foldState(moderatorNotesDecider, [added('n-1'), added('n-2'), retracted('n-1')])).toEqual({
      notes: { 'n-1': { retracted: true }, 'n-2': { retracted: false } },
    });
  });

  test('a retraction of a note it never saw leaves the state alone', () => {
    expect(foldState(moderatorNotesDecider, [added('n-1'), retracted('n-9')])).toEqual({ notes: { 'n-1': { retracted: false } } });
  });

  test('an event type this code does not know leaves the state alone', () => {
    expect(foldState(moderatorNotesDecider, [added('n-1'), { type: 'ModeratorNoteEdited', data: {} }])).toEqual({
      notes: { 'n-1': { retracted: false } },
    });
  });

  test('is JSON-serialisable as it is, for time travel', () => {
    const state = foldState(moderatorNotesDecider, [added('n-1'), added('constructor'), added('n-2'), retracted('n-2')]);
    expect(JSON.parse(JSON.stringify(state))).toEqual(state);
    expect(JSON.stringify(state)).toBe('{"notes":{"n-1":{"retracted":false},"constructor":{"retracted":false},"n-2":{"retracted":true}}}');
  });
});
