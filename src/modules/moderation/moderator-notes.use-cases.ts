import { randomUUID } from 'node:crypto';
import { Role } from '../../platform/auth/role.ts';
import { idInStream, useCasesFor, type UseCaseRequest } from '../../platform/command/use-case.ts';
import { requireId } from '../../platform/shared/identifiers.ts';
import { requireRegisteredMember } from '../members/index.ts';
import { standingForViewer } from './moderation-access.ts';
import type { AddModeratorNoteInput, MemberStanding, RetractModeratorNoteInput } from './moderation.graphql.ts';
import { moderatorNotesDecider, moderatorNotesStreamId } from './moderator-notes.decider.ts';
import { MODERATION_PROJECTION } from './read-models/moderation.projection.ts';
import { findMemberStanding } from './read-models/moderation.queries.ts';

const notesUseCase = useCasesFor(moderatorNotesDecider);

/** Notes about a member are kept by community managers; reading them is for staff (see standingForViewer). */
const notesKeeping = {
  roles: [Role.COMMUNITY_MANAGER],
  readModels: [MODERATION_PROJECTION],
  stream: ({ input }: UseCaseRequest<{ memberId: string }>) => moderatorNotesStreamId(requireId(input.memberId, 'memberId')),
  answer: async ({ actor, services }: UseCaseRequest<unknown>, { streamId }: { readonly streamId: string }) =>
    standingForViewer(await findMemberStanding(services.db, idInStream(streamId), new Date()), actor),
} as const;

export const addModeratorNote = notesUseCase<AddModeratorNoteInput, Omit<MemberStanding, 'id'>>({
  ...notesKeeping,
  action: 'adding a moderator note',
  command: async ({ input, actor, services }, { streamId, at }) => {
    const memberId = idInStream(streamId);
    await requireRegisteredMember(services.events, memberId);
    // A retried commandId answers its original note without deciding again, so a fresh id per attempt is safe.
    return { type: 'AddModeratorNote', memberId, noteId: `note-${randomUUID()}`, text: input.text, authorId: actor.id, at };
  },
});

export const retractModeratorNote = notesUseCase<RetractModeratorNoteInput, Omit<MemberStanding, 'id'>>({
  ...notesKeeping,
  action: 'retracting a moderator note',
  // The reason says something about the member: it is encrypted in the event, not written to the metadata.
  reasonIsPersonal: true,
  command: ({ input, actor }, { streamId, at }) => ({
    type: 'RetractModeratorNote',
    memberId: idInStream(streamId),
    noteId: input.noteId,
    reason: input.reason ?? null,
    actorId: actor.id,
    at,
  }),
});
