import { Role } from '../../platform/auth/role.ts';
import { DomainError } from '../../platform/shared/domain-error.ts';
import { readAfterCommand } from '../../platform/command/read-after-command.ts';
import { idInStream, useCasesFor, type UseCaseRequest } from '../../platform/command/use-case.ts';
import { requireId } from '../../platform/shared/identifiers.ts';
import { readMemberStatus } from '../members/index.ts';
import { ambassadorForViewer } from './ambassador-access.ts';
import { ambassadorDecider, ambassadorStreamId } from './ambassador.decider.ts';
import type { AmbassadorDecisionInput, NominateAmbassadorInput } from './ambassadors.graphql.ts';
import { AMBASSADORS_PROJECTION } from './read-models/ambassadors.projection.ts';
import { findAmbassador, type AmbassadorAnswer } from './read-models/ambassadors.queries.ts';

const ambassadorUseCase = useCasesFor(ambassadorDecider);

/** What every ambassador mutation shares: the member's enrolment stream, and the enrolment as the actor may see it. */
const enrolment = {
  readModels: [AMBASSADORS_PROJECTION],
  stream: ({ input }: UseCaseRequest<{ memberId: string }>) => ambassadorStreamId(requireId(input.memberId, 'memberId')),
  /** The enrolment as the actor may see it, read after the pipeline waited for the read model. */
  answer: async ({ actor, services }: UseCaseRequest<unknown>, { streamId }: { readonly streamId: string }): Promise<AmbassadorAnswer> => {
    const memberId = idInStream(streamId);
    const view = await readAfterCommand(() => findAmbassador(services.db, memberId), `the ambassador enrolment of ${memberId}`);
    // Whoever may act on an enrolment sees it (its nominee, its nominator, the programme's staff): a null would mean
    // that rule and the roles of a use case disagree, and nothing of the enrolment is shown then.
    const visible = ambassadorForViewer(view, actor);
    if (!visible) throw new DomainError('FORBIDDEN', `the ambassador enrolment of ${memberId} is not shown to ${actor.id}`);
    return visible;
  },
} as const;

/** The programme is run by community managers: every decision on an enrolment is theirs. */
const programmeDecision = { ...enrolment, roles: [Role.COMMUNITY_MANAGER] } as const;

/** Anyone signed in nominates a colleague or themselves; whether the nominee is an active member, their stream says. */
export const nominateAmbassador = ambassadorUseCase<NominateAmbassadorInput, AmbassadorAnswer>({
  ...enrolment,
  action: 'nominating an ambassador',
  authorize: ({ actor }, { streamId }) => (actor.id === idInStream(streamId) ? 'self' : 'any signed-in member may nominate'),
  // The motivation is the nominee's personal data: it goes into the event encrypted, never into the metadata.
  command: async ({ input, actor, services }, { streamId, at }) => {
    const memberId = idInStream(streamId);
    return {
      type: 'NominateAmbassador',
      memberId,
      department: input.department,
      motivation: input.motivation ?? null,
      nominee: await readMemberStatus(services.events, memberId),
      actorId: actor.id,
      at,
    };
  },
});

export const approveAmbassador = ambassadorUseCase<AmbassadorDecisionInput, AmbassadorAnswer>({
  ...programmeDecision,
  action: 'approving an ambassador',
  command: async ({ actor, services }, { streamId, at }) => {
    const memberId = idInStream(streamId);
    return { type: 'ApproveAmbassador', memberId, member: await readMemberStatus(services.events, memberId), actorId: actor.id, at };
  },
});

export const rejectAmbassador = ambassadorUseCase<AmbassadorDecisionInput, AmbassadorAnswer>({
  ...programmeDecision,
  action: 'rejecting an ambassador nomination',
  command: ({ actor }, { streamId, at }) => ({ type: 'RejectAmbassador', memberId: idInStream(streamId), actorId: actor.id, at }),
});

export const activateAmbassador = ambassadorUseCase<AmbassadorDecisionInput, AmbassadorAnswer>({
  ...programmeDecision,
  action: 'activating an ambassador',
  command: async ({ actor, services }, { streamId, at }) => {
    const memberId = idInStream(streamId);
    return { type: 'ActivateAmbassador', memberId, member: await readMemberStatus(services.events, memberId), actorId: actor.id, at };
  },
});

export const deactivateAmbassador = ambassadorUseCase<AmbassadorDecisionInput, AmbassadorAnswer>({
  ...programmeDecision,
  action: 'deactivating an ambassador',
  command: ({ actor }, { streamId, at }) => ({ type: 'DeactivateAmbassador', memberId: idInStream(streamId), actorId: actor.id, at }),
});

export const reactivateAmbassador = ambassadorUseCase<AmbassadorDecisionInput, AmbassadorAnswer>({
  ...programmeDecision,
  action: 'reactivating an ambassador',
  command: async ({ actor, services }, { streamId, at }) => {
    const memberId = idInStream(streamId);
    return { type: 'ReactivateAmbassador', memberId, member: await readMemberStatus(services.events, memberId), actorId: actor.id, at };
  },
});

export const offboardAmbassador = ambassadorUseCase<AmbassadorDecisionInput, AmbassadorAnswer>({
  ...programmeDecision,
  action: 'offboarding an ambassador',
  // The offboard reason is about the member: encrypted in the event, left out of the metadata.
  reasonIsPersonal: true,
  command: ({ input, actor }, { streamId, at }) => ({
    type: 'OffboardAmbassador',
    memberId: idInStream(streamId),
    reason: input.reason ?? null,
    actorId: actor.id,
    at,
  }),
});
