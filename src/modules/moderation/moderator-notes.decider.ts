import type { Decider, EventSchemaDefinition } from '#event-store';
import { conflict, notFound } from '../../platform/shared/domain-error.ts';
import { optionalText, requireId, requireText } from '../../platform/shared/identifiers.ts';
import { ignoreUnknownEvent, unreachable } from '../../platform/shared/exhaustive.ts';

/** All moderator notes about one member: `moderator_notes-<memberId>`. */
export const MODERATOR_NOTES_STREAM_CATEGORY = 'moderator_notes';

export function moderatorNotesStreamId(memberId: string): string {
  return `${MODERATOR_NOTES_STREAM_CATEGORY}-${requireId(memberId, 'memberId')}`;
}

export const NOTE_TEXT_MAX = 2000;
export const RETRACTION_REASON_MAX = 2000;

// ---------------------------------------------------------------- events (stored names never change)

export interface ModeratorNoteAdded {
  readonly type: 'ModeratorNoteAdded';
  readonly data: {
    readonly memberId: string;
    readonly noteId: string;
    readonly text: string;
    readonly authorId: string;
    readonly addedAt: string;
  };
}

/** A note is never edited: a wrong one is retracted, and stays in the history as written. */
export interface ModeratorNoteRetracted {
  readonly type: 'ModeratorNoteRetracted';
  readonly data: {
    readonly memberId: string;
    readonly noteId: string;
    readonly retractedBy: string;
    readonly retractedAt: string;
    readonly reason: string | null;
  };
}

export type ModeratorNoteEvent = ModeratorNoteAdded | ModeratorNoteRetracted;

export const MODERATOR_NOTE_EVENT_TYPES: readonly ModeratorNoteEvent['type'][] = ['ModeratorNoteAdded', 'ModeratorNoteRetracted'];

export function isModeratorNoteEvent(event: { readonly type: string }): event is ModeratorNoteEvent {
  return (MODERATOR_NOTE_EVENT_TYPES as readonly string[]).includes(event.type);
}

/** Notes, and the reasons for retracting them, are about the member: encrypted with the member's key. */
export const MODERATOR_NOTE_EVENT_SCHEMAS: EventSchemaDefinition[] = [
  { type: 'ModeratorNoteAdded', personal: { fields: ['text'], subject: (data) => String(data['memberId']) } },
  { type: 'ModeratorNoteRetracted', personal: { fields: ['reason'], subject: (data) => String(data['memberId']) } },
];

// ---------------------------------------------------------------- commands

export interface AddModeratorNote {
  readonly type: 'AddModeratorNote';
  readonly memberId: string;
  readonly noteId: string;
  readonly text: string;
  readonly authorId: string;
  readonly at: string;
}

export interface RetractModeratorNote {
  readonly type: 'RetractModeratorNote';
  readonly memberId: string;
  readonly noteId: string;
  readonly reason: string | null;
  readonly actorId: string;
  readonly at: string;
}

export type ModeratorNoteCommand = AddModeratorNote | RetractModeratorNote;

// ---------------------------------------------------------------- state

export interface ModeratorNotesState {
  /** Note id → whether it was retracted. A plain object, so that time travel can show the state as JSON. */
  readonly notes: Readonly<Record<string, { readonly retracted: boolean }>>;
}

const initialState: ModeratorNotesState = { notes: {} };

function evolve(state: ModeratorNotesState, event: ModeratorNoteEvent): ModeratorNotesState {
  switch (event.type) {
    case 'ModeratorNoteAdded':
      return { notes: { ...state.notes, [event.data.noteId]: { retracted: false } } };
    case 'ModeratorNoteRetracted':
      if (!Object.hasOwn(state.notes, event.data.noteId)) return state;
      return { notes: { ...state.notes, [event.data.noteId]: { retracted: true } } };
    default:
      return ignoreUnknownEvent(event, state);
  }
}

function decide(command: ModeratorNoteCommand, state: ModeratorNotesState): ModeratorNoteEvent[] {
  switch (command.type) {
    case 'AddModeratorNote': {
      const memberId = requireId(command.memberId, 'memberId');
      const noteId = requireId(command.noteId, 'noteId');
      const text = requireText(command.text, 'text', NOTE_TEXT_MAX);
      if (Object.hasOwn(state.notes, noteId)) throw conflict(`note ${noteId} already exists: notes are never edited, add a new one`);
      return [{ type: 'ModeratorNoteAdded', data: { memberId, noteId, text, authorId: command.authorId, addedAt: command.at } }];
    }
    case 'RetractModeratorNote': {
      const memberId = requireId(command.memberId, 'memberId');
      const noteId = requireId(command.noteId, 'noteId');
      const reason = optionalText(command.reason, 'reason', RETRACTION_REASON_MAX);
      const note = Object.hasOwn(state.notes, noteId) ? state.notes[noteId] : undefined;
      if (!note) throw notFound(`member ${memberId} has no note ${noteId}`);
      if (note.retracted) throw conflict(`note ${noteId} is already retracted`);
      return [
        { type: 'ModeratorNoteRetracted', data: { memberId, noteId, retractedBy: command.actorId, retractedAt: command.at, reason } },
      ];
    }
    default:
      return unreachable('moderator note command', command, 'type');
  }
}

export const moderatorNotesDecider: Decider<ModeratorNoteCommand, ModeratorNotesState, ModeratorNoteEvent> = {
  initialState,
  evolve,
  decide,
};
