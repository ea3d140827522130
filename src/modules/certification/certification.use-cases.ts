import { Role } from '../../platform/auth/role.ts';
import { readAfterCommand } from '../../platform/command/read-after-command.ts';
import { idInStream, useCasesFor, type UseCaseRequest } from '../../platform/command/use-case.ts';
import { isId, requireId } from '../../platform/shared/identifiers.ts';
import { readMemberStatus } from '../members/index.ts';
import { completedProgrammes, programmeExists } from '../training/index.ts';
import { certificationView } from './certification-access.ts';
import {
  CERTIFICATION_LEVEL_MAX,
  certificationLevelDecider,
  certificationLevelStreamId,
  LEVEL_PROGRAMMES_MAX,
  requireLevel,
} from './certification-level.decider.ts';
import { readCertificationLevel, readCertificationLevels } from './certification-streams.ts';
import { certificationDecider, certificationStreamId } from './certification.decider.ts';
import type {
  AwardCertificationInput,
  Certification,
  CertificationLevel,
  ChangeCertificationInput,
  DefineCertificationLevelInput,
} from './certification.graphql.ts';
import { CERTIFICATION_PROJECTION } from './read-models/certification.projection.ts';
import { findCertificationLevel } from './read-models/certification.queries.ts';

const certificationLevelUseCase = useCasesFor(certificationLevelDecider);
const certificationUseCase = useCasesFor(certificationDecider);

/** Community managers change certification, and the answer is read from the certification read model. */
const certificationAdministration = {
  roles: [Role.COMMUNITY_MANAGER],
  readModels: [CERTIFICATION_PROJECTION],
} as const;

/** What every mutation of a member's certification shares: the member's stream, and their certification as it now is. */
const memberCertification = {
  ...certificationAdministration,
  stream: ({ input }: UseCaseRequest<{ memberId: string }>) => certificationStreamId(requireId(input.memberId, 'memberId')),
  answer: ({ services }: UseCaseRequest<unknown>, { streamId }: { readonly streamId: string }) =>
    certificationView(services.db, services.events, idInStream(streamId), new Date()),
} as const;

/** Community managers define levels; the previous level and the programmes are looked up in their streams. */
export const defineCertificationLevel = certificationLevelUseCase<DefineCertificationLevelInput, Omit<CertificationLevel, 'id'>>({
  ...certificationAdministration,
  action: 'defining a certification level',
  // After the role: a caller who may not do this learns nothing about which inputs would be valid.
  stream: ({ input }) => certificationLevelStreamId(requireLevel(input.level)),
  command: async ({ input, actor, services }, { at }) => {
    const level = input.level;
    const programmes = Array.isArray(input.requiredProgrammes) ? input.requiredProgrammes : [];
    const previousLevelDefined = level === 1 || (await readCertificationLevel(services.events, level - 1)) !== null;
    // Malformed ids and over-long lists are the decider's to refuse: they are not looked up.
    const lookups = programmes.length <= LEVEL_PROGRAMMES_MAX ? [...new Set(programmes.filter(isId))] : [];
    const exists = await Promise.all(lookups.map((programmeId) => programmeExists(services.events, programmeId)));
    return {
      type: 'DefineCertificationLevel',
      level,
      name: input.name,
      requiredProgrammes: programmes,
      validityMonths: input.validityMonths,
      previousLevelDefined,
      unknownProgrammes: lookups.filter((_, i) => !exists[i]),
      actorId: actor.id,
      at,
    };
  },
  answer: ({ input, services }) =>
    readAfterCommand(() => findCertificationLevel(services.db, input.level), `certification level ${input.level}`),
});

/** The levels, the member and their training are read from their streams, as the decision needs them now. */
export const awardCertification = certificationUseCase<AwardCertificationInput, Omit<Certification, 'id'>>({
  ...memberCertification,
  action: 'awarding a certification',
  command: async ({ input, actor, services }, { streamId, at }) => {
    const memberId = idInStream(streamId);
    const valid = Number.isSafeInteger(input.level) && input.level >= 1 && input.level <= CERTIFICATION_LEVEL_MAX;
    const levels = valid ? await readCertificationLevels(services.events, input.level) : [];
    const required = levels.flatMap((definition) => definition.requiredProgrammes);
    return {
      type: 'AwardCertification',
      memberId,
      level: input.level,
      evidence: input.evidence ?? null,
      member: await readMemberStatus(services.events, memberId),
      levels,
      completedProgrammes: [...(await completedProgrammes(services.events, memberId, required))],
      actorId: actor.id,
      at,
    };
  },
});

// Renewal, suspension, reinstatement, revocation: community managers only, with a reason that is recorded.

export const renewCertification = certificationUseCase<ChangeCertificationInput, Omit<Certification, 'id'>>({
  ...memberCertification,
  action: 'renewing a certification',
  command: async ({ input, actor, services }, { streamId, at }) => ({
    type: 'RenewCertification',
    memberId: idInStream(streamId),
    reason: input.reason,
    // Every level: the award's own is known only from the stream, which the decider reads.
    levels: await readCertificationLevels(services.events),
    actorId: actor.id,
    at,
  }),
});

export const suspendCertification = certificationUseCase<ChangeCertificationInput, Omit<Certification, 'id'>>({
  ...memberCertification,
  action: 'suspending a certification',
  command: ({ input, actor }, { streamId, at }) => ({
    type: 'SuspendCertification',
    memberId: idInStream(streamId),
    reason: input.reason,
    actorId: actor.id,
    at,
  }),
});

export const reinstateCertification = certificationUseCase<ChangeCertificationInput, Omit<Certification, 'id'>>({
  ...memberCertification,
  action: 'reinstating a certification',
  command: ({ input, actor }, { streamId, at }) => ({
    type: 'ReinstateCertification',
    memberId: idInStream(streamId),
    reason: input.reason,
    actorId: actor.id,
    at,
  }),
});

export const revokeCertification = certificationUseCase<ChangeCertificationInput, Omit<Certification, 'id'>>({
  ...memberCertification,
  action: 'revoking a certification',
  command: ({ input, actor }, { streamId, at }) => ({
    type: 'RevokeCertification',
    memberId: idInStream(streamId),
    reason: input.reason,
    actorId: actor.id,
    at,
  }),
});
