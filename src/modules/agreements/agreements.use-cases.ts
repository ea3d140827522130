import { Role } from '../../platform/auth/role.ts';
import { readAfterCommand } from '../../platform/command/read-after-command.ts';
import { idInStream, useCasesFor } from '../../platform/command/use-case.ts';
import { requireId } from '../../platform/shared/identifiers.ts';
import { readMemberStatus } from '../members/index.ts';
import { acceptanceStreamId, agreementAcceptanceDecider } from './agreement-acceptance.decider.ts';
import { readAgreement } from './agreement-streams.ts';
import { agreementDecider, agreementStreamId } from './agreement.decider.ts';
import type { AcceptAgreementInput, PublishAgreementVersionInput } from './agreements.graphql.ts';
import { AGREEMENTS_PROJECTION } from './read-models/agreements.projection.ts';
import {
  findAgreement,
  findAgreementAcceptance,
  type AgreementAcceptanceAnswer,
  type AgreementAnswer,
} from './read-models/agreements.queries.ts';

const READ_MODELS = [AGREEMENTS_PROJECTION];

export const publishAgreementVersion = useCasesFor(agreementDecider)<PublishAgreementVersionInput, AgreementAnswer>({
  action: 'publishing an agreement version',
  roles: [Role.COMMUNITY_MANAGER],
  readModels: READ_MODELS,
  stream: ({ input }) => agreementStreamId(requireId(input.agreementId, 'agreementId')),
  command: ({ input, actor }, { streamId, at }) => ({
    type: 'PublishAgreementVersion',
    agreementId: idInStream(streamId),
    title: input.title,
    body: input.body,
    requiresReacceptance: input.requiresReacceptance,
    actorId: actor.id,
    at,
  }),
  answer: ({ services }, { streamId }) => {
    const agreementId = idInStream(streamId);
    return readAfterCommand(() => findAgreement(services.db, agreementId), `agreement ${agreementId}`);
  },
});

/**
 * A member accepts for themselves, the current version only. Which version is current, and whether the member is an
 * active one, is read from their streams as they are now.
 */
export const acceptAgreement = useCasesFor(agreementAcceptanceDecider)<AcceptAgreementInput, AgreementAcceptanceAnswer>({
  action: 'accepting an agreement',
  readModels: READ_MODELS,
  stream: ({ input, actor }) => acceptanceStreamId(requireId(input.agreementId, 'agreementId'), actor.id),
  // Any signed-in member, for themselves: the stream is theirs by its id.
  authorize: () => 'self',
  command: async ({ input, actor, services }, { at }) => {
    const agreement = await readAgreement(services.events, input.agreementId);
    return {
      type: 'AcceptAgreement',
      agreementId: input.agreementId,
      memberId: actor.id,
      version: input.version,
      agreement:
        agreement.status === 'published'
          ? { currentVersion: agreement.currentVersion, currentBodySha256: agreement.versions.at(-1)!.bodySha256 }
          : null,
      acceptor: await readMemberStatus(services.events, actor.id),
      at,
    };
  },
  answer: ({ input, actor, services }) =>
    readAfterCommand(async () => {
      const lookup = await findAgreementAcceptance(services.db, input.agreementId, actor.id);
      return lookup.found ? lookup.acceptance : null;
    }, `the acceptance of ${input.agreementId} by ${actor.id}`),
});
