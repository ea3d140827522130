import { Role } from '../../platform/auth/role.ts';
import { readAfterCommand } from '../../platform/command/read-after-command.ts';
import { idInStream, useCasesFor, type LoadedStream, type UseCaseRequest } from '../../platform/command/use-case.ts';
import { DomainError, notFound } from '../../platform/shared/domain-error.ts';
import { isId, requireId } from '../../platform/shared/identifiers.ts';
import { publishedAgreementVersion } from '../agreements/index.ts';
import { readGroupOwnership, type GroupOwnership } from '../groups/index.ts';
import { hasActedAsCommunityManager } from './community-manager-evidence.ts';
import {
  caseForViewer,
  isCaseModeratorByRole,
  isQueueStaff,
  moderationRefused,
  moderatorAuthority,
  OWNER_CERTIFICATION,
  type OwnerCertificationLookup,
} from './moderation-access.ts';
import {
  moderationCaseDecider,
  moderationCaseStreamId,
  type CaseFile,
  type ModerationCaseState,
  type ModeratorAuthority,
} from './moderation-case.decider.ts';
import type {
  ClaimModerationCaseInput,
  DecideAppealInput,
  DecideModerationCaseInput,
  FileAppealInput,
  ModerationCase,
} from './moderation.graphql.ts';
import { MODERATION_PROJECTION } from './read-models/moderation.projection.ts';
import { findModerationCase } from './read-models/moderation.queries.ts';

export const caseUseCase = useCasesFor(moderationCaseDecider);

// What one request learned on its way to the command, for its command and its answer, kept by the request object: it
// lives as long as the mutation, so nothing outlives it and nothing is read twice.
/** The group's ownership as this request read it (for its authority, or to check the group exists); null: no group. */
export const ownershipRead = new WeakMap<object, GroupOwnership | null>();
/** The authority over the case that `authorize` established, which the decider is given. */
const moderatorAuthorities = new WeakMap<object, ModeratorAuthority>();

/** What an earlier step of the same request established. */
export function known<T>(facts: WeakMap<object, T>, request: object): T {
  if (!facts.has(request)) throw new Error('a use case step ran before the step that establishes what it needs');
  return facts.get(request)!;
}

/**
 * What every case mutation shares: the answer is the case as the caller may see it, read after the pipeline waited
 * for the read model. Whether someone who is not staff owns the case's group is read from the group's stream, unless
 * this request read it already (staff see every case whole, and the group is not theirs to read).
 */
export const caseAnswer = {
  readModels: [MODERATION_PROJECTION],
  answer: async (request: UseCaseRequest<unknown>, { streamId }: { readonly streamId: string }): Promise<ModerationCase> => {
    const { actor, services } = request;
    const caseId = idInStream(streamId);
    const view = await readAfterCommand(() => findModerationCase(services.db, caseId), `moderation case ${caseId}`);
    if (view.groupId === null || isQueueStaff(actor)) return caseForViewer(view, actor, false);
    const read = ownershipRead.get(request);
    const ownership = read?.groupId === view.groupId ? read : await readGroupOwnership(services.events, view.groupId);
    return caseForViewer(view, actor, ownership?.ownerSince.has(actor.id) ?? false);
  },
} as const;

/**
 * What claiming and deciding share. The case a moderator names is checked in this order: who asks, then the id, then
 * whether the case exists. Only a community manager may learn that an id is malformed or names no case (see
 * isCaseModeratorByRole); the case's stream is read once, by the handler, between the id and the rest.
 */
const caseModeration = {
  ...caseAnswer,
  stream: ({ input, actor }: UseCaseRequest<{ caseId: string }>) => {
    if (!isCaseModeratorByRole(actor) && !isId(input.caseId)) throw moderationRefused();
    return moderationCaseStreamId(input.caseId);
  },
  authorize: async (request: UseCaseRequest<unknown>, { streamId, state }: LoadedStream<ModerationCaseState>) => {
    if (state.status === 'absent') {
      throw isCaseModeratorByRole(request.actor) ? notFound(`moderation case ${idInStream(streamId)} does not exist`) : moderationRefused();
    }
    const { authority, recorded, ownership } = await authorityOf(request, state);
    moderatorAuthorities.set(request, authority);
    ownershipRead.set(request, ownership);
    return recorded;
  },
} as const;

/**
 * Why the actor may moderate the case, from the streams as they are now: the role, or ownership of the case's group
 * (read from the group's stream) and, with the certification gate on, the owner's certification. For an owner, also
 * who the author is to them (a co-owner, or someone the log shows acting as a community manager). Refuses anyone
 * without authority over the case.
 */
async function authorityOf({ actor, services }: UseCaseRequest<unknown>, file: CaseFile) {
  // A community manager's authority is the role, whoever owns the group: the group is read only for anyone else,
  // once for the command (the same ownership says who may act and what the answer shows them).
  const ownership = file.groupId === null || isCaseModeratorByRole(actor) ? null : await readGroupOwnership(services.events, file.groupId);
  const owner = !actor.roles.includes(Role.COMMUNITY_MANAGER) && (ownership?.ownerSince.has(actor.id) ?? false);
  // Provided as null when the certification gate is off (see ModerationModule).
  const ownerCertification = services.get<OwnerCertificationLookup | null>(OWNER_CERTIFICATION);
  const certification = owner && ownerCertification ? await ownerCertification(actor.id, new Date()) : null;
  // Only an owner's authority depends on who the author is: the history is read for them alone.
  const authorActedAsCommunityManager = owner ? await hasActedAsCommunityManager(services.events, file.authorId) : false;
  const established = moderatorAuthority(actor, file, ownership, certification, authorActedAsCommunityManager);
  // Someone with no authority over the case gets the refusal a case that does not exist gets: the decider's would
  // name the case's group, and its difference from that one would say that the case exists.
  if (established.authority.kind === 'none') throw moderationRefused();
  return { ...established, ownership };
}

export const claimModerationCase = caseUseCase<ClaimModerationCaseInput, ModerationCase>({
  ...caseModeration,
  action: 'claiming a moderation case',
  command: (request, { streamId, at }) => ({
    type: 'ClaimCase',
    caseId: idInStream(streamId),
    actorId: request.actor.id,
    authority: known(moderatorAuthorities, request),
    at,
  }),
});

export const decideModerationCase = caseUseCase<DecideModerationCaseInput, ModerationCase>({
  ...caseModeration,
  action: 'deciding a moderation case',
  command: async (request, { streamId, at }) => {
    const { input, actor, services } = request;
    const cited = input.guideline;
    const guidelinePublished = cited ? await publishedAgreementVersion(services.events, cited.agreementId, cited.version) : undefined;
    return {
      type: 'DecideCase',
      ...(guidelinePublished === undefined ? {} : { guidelinePublished }),
      caseId: idInStream(streamId),
      actorId: actor.id,
      authority: known(moderatorAuthorities, request),
      outcome: input.outcome,
      reason: input.reason,
      guideline: cited ? { agreementId: cited.agreementId, version: cited.version, section: cited.section ?? null } : null,
      suspendUntil: toIsoOrInvalid(input.suspendUntil),
      at,
    };
  },
});

/**
 * Only the author of a case's content appeals: no id that is malformed or names no case can be theirs. The decider
 * refuses a case that does not exist as NOT_FOUND, after it checked the statement and after the pipeline checked the
 * caller and the commandId: `refusal` turns it into this one.
 */
export const fileAppeal = caseUseCase<FileAppealInput, ModerationCase>({
  ...caseAnswer,
  action: 'filing an appeal',
  stream: ({ input }) => {
    if (!isId(input.caseId)) throw appealRefused();
    return moderationCaseStreamId(input.caseId);
  },
  // The decider checks that the actor is the author, in its order (see fileAppeal in moderation-case/appeal.ts).
  authorize: () => 'author of the content',
  refusal: (error) => (error instanceof DomainError && error.code === 'NOT_FOUND' ? appealRefused() : error),
  // The statement is the appellant's personal data: it goes into the event encrypted, never into the metadata.
  command: ({ input, actor, services }, { streamId, at }) => ({
    type: 'FileAppeal',
    caseId: idInStream(streamId),
    actorId: actor.id,
    statement: input.statement,
    appealWindowDays: services.config.appealWindowDays,
    at,
  }),
});

export const decideAppeal = caseUseCase<DecideAppealInput, ModerationCase>({
  ...caseAnswer,
  action: 'deciding an appeal',
  // The role before the id: a refused caller learns nothing about which ids would do.
  roles: [Role.COMMUNITY_MANAGER],
  stream: ({ input }) => moderationCaseStreamId(requireId(input.caseId, 'caseId')),
  command: ({ input, actor }, { streamId, at }) => ({
    type: 'DecideAppeal',
    caseId: idInStream(streamId),
    actorId: actor.id,
    outcome: input.outcome,
    reason: input.reason,
    at,
  }),
  answer: (request, outcome) => {
    const caseId = idInStream(outcome.streamId);
    if (outcome.result.state.status === 'absent') throw notFound(`moderation case ${caseId} does not exist`);
    return caseAnswer.answer(request, outcome);
  },
});

function appealRefused(): DomainError {
  return new DomainError('FORBIDDEN', 'only the author of the content may appeal its decision');
}

/** GraphQL's DateTime gives a Date (an invalid one for a value it could not read): the decider refuses that clearly. */
function toIsoOrInvalid(value: Date | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  return Number.isNaN(value.getTime()) ? 'invalid date' : value.toISOString();
}
