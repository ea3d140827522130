import { Role } from '../../platform/auth/role.ts';
import type { Actor } from '../../platform/auth/token-verifier.ts';
import { readAfterCommand } from '../../platform/command/read-after-command.ts';
import { idInStream, useCasesFor, type UseCaseRequest } from '../../platform/command/use-case.ts';
import { DomainError } from '../../platform/shared/domain-error.ts';
import { requireId } from '../../platform/shared/identifiers.ts';
import type {
  CompleteTrainingModuleInput,
  DefineTrainingProgrammeInput,
  EndTrainingEnrolmentInput,
  EnrolInTrainingInput,
} from './training.graphql.ts';
import { trainingEnrolmentDecider, trainingEnrolmentStreamId, type TrainingAuthority } from './training-enrolment.decider.ts';
import { trainingProgrammeDecider, trainingProgrammeStreamId } from './training-programme.decider.ts';
import { memberStatus, readProgramme } from './training-streams.ts';
import { TRAINING_PROJECTION } from './read-models/training.projection.ts';
import {
  findTrainingEnrolment,
  findTrainingProgramme,
  type TrainingEnrolment,
  type TrainingProgramme,
} from './read-models/training.queries.ts';

const READ_MODELS = [TRAINING_PROJECTION];

const programmeUseCase = useCasesFor(trainingProgrammeDecider);
const enrolmentUseCase = useCasesFor(trainingEnrolmentDecider);

export const defineTrainingProgramme = programmeUseCase<DefineTrainingProgrammeInput, TrainingProgramme>({
  action: 'defining a training programme',
  roles: [Role.COMMUNITY_MANAGER],
  readModels: READ_MODELS,
  stream: ({ input }) => trainingProgrammeStreamId(requireId(input.programmeId, 'programmeId')),
  command: ({ input, actor }, { streamId, at }) => ({
    type: 'DefineTrainingProgramme',
    programmeId: idInStream(streamId),
    title: input.title,
    modules: input.modules.map((module) => ({
      id: module.id,
      title: module.title,
      required: module.required,
      selfPaced: module.selfPaced ?? false,
    })),
    actorId: actor.id,
    at,
  }),
  answer: ({ services }, { streamId }) => {
    const programmeId = idInStream(streamId);
    return readAfterCommand(() => findTrainingProgramme(services.db, programmeId), `training programme ${programmeId}`);
  },
});

type EnrolmentIds = { readonly programmeId: string; readonly memberId: string };

/** What every enrolment mutation shares: the enrolment's stream, and the answer is the enrolment as it now is. */
const enrolment = {
  readModels: READ_MODELS,
  // No reason in the metadata: the reason an enrolment ended is the member's personal data, which only the event
  // holds (encrypted).
  reasonIsPersonal: true,
  answer: ({ input, services }: UseCaseRequest<EnrolmentIds>) =>
    readAfterCommand(
      () => findTrainingEnrolment(services.db, input.programmeId, input.memberId),
      `the enrolment of ${input.memberId} in ${input.programmeId}`,
    ),
} as const;

const enrolmentOf = ({ input }: UseCaseRequest<EnrolmentIds>) =>
  trainingEnrolmentStreamId(requireId(input.programmeId, 'programmeId'), requireId(input.memberId, 'memberId'));

/**
 * Enrolments and completions: community managers act for anyone, anyone else only for themselves (the decider says
 * what they may do), so there is no role to check first. The decider's own rule is checked before the ids are: a
 * member acting for someone else is FORBIDDEN whatever the ids, so a refusal tells nothing about which would be valid.
 */
function forSelfOrAnyone(action: string, selfAuthority: string) {
  return {
    stream: (request: UseCaseRequest<EnrolmentIds>) => {
      const { actor, input } = request;
      if (!isCommunityManager(actor) && actor.id !== input.memberId) {
        throw new DomainError('FORBIDDEN', `${action} needs the role COMMUNITY_MANAGER: members act only for themselves`);
      }
      return enrolmentOf(request);
    },
    authorize: ({ actor }: UseCaseRequest<EnrolmentIds>) => (isCommunityManager(actor) ? `role:${Role.COMMUNITY_MANAGER}` : selfAuthority),
  };
}

const isCommunityManager = (actor: Actor) => actor.roles.includes(Role.COMMUNITY_MANAGER);

const trainingAuthority = (actor: Actor): TrainingAuthority =>
  isCommunityManager(actor) ? { kind: 'community_manager' } : { kind: 'self' };

export const enrolInTraining = enrolmentUseCase<EnrolInTrainingInput, TrainingEnrolment>({
  ...enrolment,
  ...forSelfOrAnyone('enrolling another member in a training programme', 'the member enrolling themselves'),
  action: 'enrolling in a training programme',
  command: async ({ input, actor, services }, { at }) => {
    // The programme and the member as their own streams say now: the enrolment keeps the revision it was decided on.
    const [programme, member] = await Promise.all([
      readProgramme(services.events, input.programmeId),
      memberStatus(services.events, input.memberId),
    ]);
    return {
      type: 'EnrolInTraining',
      programmeId: input.programmeId,
      memberId: input.memberId,
      programme: programme && { revision: programme.revision, modules: programme.modules },
      member,
      actorId: actor.id,
      authority: trainingAuthority(actor),
      at,
    };
  },
});

export const completeTrainingModule = enrolmentUseCase<CompleteTrainingModuleInput, TrainingEnrolment>({
  ...enrolment,
  ...forSelfOrAnyone("recording another member's training", 'the member, for a self-paced module'),
  action: 'completing a training module',
  // The evidence is the member's personal data: it goes into the event encrypted, never into the metadata.
  command: ({ input, actor }, { at }) => ({
    type: 'CompleteTrainingModule',
    programmeId: input.programmeId,
    memberId: input.memberId,
    moduleId: input.moduleId,
    evidence: input.evidence ?? null,
    actorId: actor.id,
    authority: trainingAuthority(actor),
    at,
  }),
});

/** The member ends their own enrolment, or a community manager ends anyone's: WITHDRAWN. */
export const withdrawFromTraining = enrolmentUseCase<EndTrainingEnrolmentInput, TrainingEnrolment>({
  ...enrolment,
  ...forSelfOrAnyone("withdrawing another member's training enrolment", 'the member withdrawing themselves'),
  action: 'withdrawing from a training programme',
  command: ({ input, actor }, { at }) => ({
    type: 'WithdrawFromTraining',
    programmeId: input.programmeId,
    memberId: input.memberId,
    reason: input.reason ?? null,
    actorId: actor.id,
    authority: trainingAuthority(actor),
    at,
  }),
});

/** Community managers only (not even the member themself): FAILED, after which the member may enrol again. */
export const recordTrainingFailed = enrolmentUseCase<EndTrainingEnrolmentInput, TrainingEnrolment>({
  ...enrolment,
  action: 'recording that a member failed a training programme',
  roles: [Role.COMMUNITY_MANAGER],
  stream: enrolmentOf,
  command: ({ input, actor }, { at }) => ({
    type: 'RecordTrainingFailed',
    programmeId: input.programmeId,
    memberId: input.memberId,
    reason: input.reason ?? null,
    actorId: actor.id,
    authority: { kind: 'community_manager' },
    at,
  }),
});
