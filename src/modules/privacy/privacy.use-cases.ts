import { CommandBus } from '@nestjs/cqrs';
import { requireSelfOrRole } from '../../platform/auth/request-context.ts';
import { Role } from '../../platform/auth/role.ts';
import {
  CommandPipeline,
  EVERY_FOLLOWING_READ_MODEL,
  type MutationInput,
  type ReadModelsToWaitFor,
} from '../../platform/command/command-pipeline.ts';
import { readAfterCommand } from '../../platform/command/read-after-command.ts';
import { writtenBy } from '../../platform/command/command-pipeline.ts';
import { idInStream, RunUseCase, useCasesFor, type UseCaseRequest } from '../../platform/command/use-case.ts';
import { requireId } from '../../platform/shared/identifiers.ts';
import { requireRegisteredMember } from '../members/index.ts';
import { KEEP_ERASURE_CONTACT, type KeepErasureContact } from './erasure-contact.ts';
import type { ConsentInput, RequestErasureInput, UpdatePrivacySettingsInput } from './privacy.graphql.ts';
import { privacyDecider, privacyStreamId } from './privacy.decider.ts';
import {
  findErasureRequest,
  findPrivacySettings,
  listConsents,
  type ConsentAnswer,
  type ErasureRequestAnswer,
  type PrivacySettingsAnswer,
} from './read-models/privacy.queries.ts';

const privacyUseCase = useCasesFor(privacyDecider);

/**
 * What every privacy mutation shares: the member's own privacy stream, for the member themself or one of `roles`.
 * Who may act is checked before the form of the id: a caller who may not act is FORBIDDEN whatever they send, so
 * refusals do not tell which ids would be valid. A malformed id is nobody's.
 */
function ownPrivacy(roles: readonly Role[], action: string) {
  const selfOrRole = ({ context, input }: UseCaseRequest<{ memberId: string }>) =>
    requireSelfOrRole(context, input.memberId, roles, action);
  return {
    action,
    // Not privacy's alone: the directory (members) hides an unlisted member and the photo follows consent, so the
    // answer waits for every read model that follows privacy events (an unlisting is then in effect when answered).
    readModels: EVERY_FOLLOWING_READ_MODEL as ReadModelsToWaitFor,
    // Nothing a privacy command says goes into the plain metadata: an erasure's reason is the member's words.
    reasonIsPersonal: true,
    stream: async (request: UseCaseRequest<{ memberId: string }>) => {
      selfOrRole(request);
      const memberId = requireId(request.input.memberId, 'memberId');
      await requireRegisteredMember(request.services.events, memberId);
      return privacyStreamId(memberId);
    },
    // The same check as in `stream`, which refused everyone else: here it names the authority recorded ("self" or the role).
    authorize: (request: UseCaseRequest<{ memberId: string }>) => selfOrRole(request).authority,
  };
}

export const updatePrivacySettings = privacyUseCase<UpdatePrivacySettingsInput, PrivacySettingsAnswer>({
  ...ownPrivacy([Role.PRIVACY_OFFICER], 'changing privacy settings'),
  command: ({ input }, { streamId }) => ({
    type: 'UpdatePrivacySettings',
    memberId: idInStream(streamId),
    profilePhotoVisibility: input.profilePhotoVisibility ?? null,
    directoryListed: input.directoryListed ?? null,
  }),
  answer: ({ services }, { streamId }) => findPrivacySettings(services.db, idInStream(streamId)),
});

/** Consent is the member's own act: nobody gives or withdraws it for them. */
export const giveConsent = privacyUseCase<ConsentInput, ConsentAnswer[]>({
  ...ownPrivacy([], 'giving consent'),
  command: ({ input }, { streamId, at }) => ({
    type: 'GiveConsent',
    memberId: idInStream(streamId),
    purpose: input.purpose,
    noticeVersion: input.noticeVersion ?? null,
    at,
  }),
  answer: ({ services }, { streamId }) => listConsents(services.db, idInStream(streamId)),
});

export const withdrawConsent = privacyUseCase<ConsentInput, ConsentAnswer[]>({
  ...ownPrivacy([], 'withdrawing consent'),
  command: ({ input }, { streamId, at }) => ({ type: 'WithdrawConsent', memberId: idInStream(streamId), purpose: input.purpose, at }),
  answer: ({ services }, { streamId }) => listConsents(services.db, idInStream(streamId)),
});

type CompleteErasureInput = Pick<RequestErasureInput, 'memberId'> & MutationInput;

const erasure = ownPrivacy([Role.PRIVACY_OFFICER], 'requesting erasure');

/**
 * The last step of an erasure (see requestErasure), run by its answer once the key is destroyed. Every projection
 * purges its copies when it applies ErasureCompleted, and the answer waits until all of them have.
 */
const completeErasure = privacyUseCase<CompleteErasureInput, ErasureRequestAnswer>({
  ...erasure,
  // Every read model, not only privacy's: waited for in the answer, since their list is the projection runner's.
  readModels: [],
  command: (_request, { streamId, at }) => ({ type: 'CompleteErasure', memberId: idInStream(streamId), at }),
  answer: async ({ services }, { streamId, result }) => {
    const memberId = idInStream(streamId);
    await services.runner.waitForPosition(result.position, undefined, services.config.readModelWaitMs, writtenBy(streamId, result));
    return readAfterCommand(() => findErasureRequest(services.db, memberId), `the erasure request of ${memberId}`);
  },
});

/**
 * Erasure in three steps, each safe to repeat: record the request, destroy the member's key (crypto-shredding: every
 * personal field of theirs in every event now reads "[redacted]"), record the completion. A crash between the steps
 * leaves the request REQUESTED; asking again finishes it.
 */
export const requestErasure = privacyUseCase<RequestErasureInput, ErasureRequestAnswer>({
  ...erasure,
  command: ({ input }, { streamId, at }) => ({ type: 'RequestErasure', memberId: idInStream(streamId), reason: input.reason ?? null, at }),
  // The key is destroyed, and the inputs forgotten, only once the request is recorded: an erasure that could not be
  // recorded destroys nothing.
  answer: async ({ context, services }, { streamId }) => {
    const memberId = idInStream(streamId);
    // The last moment the member's address can be read: kept aside (not in the log) to tell them, once the erasure is
    // complete, that it is; the notification's delivery forgets it (notifications/erasure-notices.ts).
    await services.get<KeepErasureContact>(KEEP_ERASURE_CONTACT)(memberId);
    await services.events.forgetSubject(memberId);
    // Digests of commands' inputs may hold the member's data too (a display name, a note): none may outlive the key.
    await services.get(CommandPipeline).forgetCommandInputs();
    const completion: CompleteErasureInput = { memberId };
    return services.get(CommandBus).execute(new RunUseCase(completeErasure, completion, context));
  },
});
