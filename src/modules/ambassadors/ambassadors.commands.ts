import { Inject } from '@nestjs/common';
import { CommandHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { GovernanceEventStore } from '#event-store';
import { requireActor, requireRole } from '../../platform/auth/request-context.ts';
import { Role } from '../../platform/auth/role.ts';
import type { Actor } from '../../platform/auth/token-verifier.ts';
import { InputCommand } from '../../platform/command/input-command.ts';
import { CommandPipeline } from '../../platform/command/command-pipeline.ts';
import { readAfterCommand } from '../../platform/command/read-after-command.ts';
import { readMemberStatus } from '../members/index.ts';
import { requireId } from '../../platform/shared/identifiers.ts';
import { ambassadorForViewer } from './ambassador-access.ts';
import { ambassadorDecider, ambassadorStreamId, type AmbassadorCommand } from './ambassador.decider.ts';
import type { AmbassadorDecisionInput, NominateAmbassadorInput } from './ambassadors.graphql.ts';
import { AMBASSADORS_PROJECTION } from './read-models/ambassadors.projection.ts';
import { findAmbassador, type AmbassadorView } from './read-models/ambassadors.queries.ts';

const READ_MODELS = [AMBASSADORS_PROJECTION];

/** The programme is run by community managers: every decision on an enrolment is theirs. */
const PROGRAMME_MANAGERS = [Role.COMMUNITY_MANAGER];

export class NominateAmbassadorCommand extends InputCommand<NominateAmbassadorInput, AmbassadorView> {}
export class ApproveAmbassadorCommand extends InputCommand<AmbassadorDecisionInput, AmbassadorView> {}
export class RejectAmbassadorCommand extends InputCommand<AmbassadorDecisionInput, AmbassadorView> {}
export class ActivateAmbassadorCommand extends InputCommand<AmbassadorDecisionInput, AmbassadorView> {}
export class DeactivateAmbassadorCommand extends InputCommand<AmbassadorDecisionInput, AmbassadorView> {}
export class ReactivateAmbassadorCommand extends InputCommand<AmbassadorDecisionInput, AmbassadorView> {}
export class OffboardAmbassadorCommand extends InputCommand<AmbassadorDecisionInput, AmbassadorView> {}

abstract class AmbassadorHandler {
  constructor(
    @Inject(CommandPipeline) protected readonly pipeline: CommandPipeline,
    @Inject(DataSource) protected readonly db: DataSource,
    @Inject(GovernanceEventStore) protected readonly events: GovernanceEventStore,
  ) {}

  /** The enrolment as `actor` may see it, read after the pipeline waited for the read model. */
  protected async answer(memberId: string, actor: Actor): Promise<AmbassadorView> {
    const view = await readAfterCommand(() => findAmbassador(this.db, memberId), `the ambassador enrolment of ${memberId}`);
    return ambassadorForViewer(view, actor);
  }
}

/** Anyone signed in nominates a colleague or themselves; whether the nominee is an active member, their stream says. */
@CommandHandler(NominateAmbassadorCommand)
export class NominateAmbassadorHandler extends AmbassadorHandler {
  async execute({ input, context }: NominateAmbassadorCommand): Promise<AmbassadorView> {
    const actor = requireActor(context);
    const memberId = requireId(input.memberId, 'memberId');
    const nominee = await readMemberStatus(this.events, memberId);
    const at = new Date().toISOString();
    await this.pipeline.execute({
      streamId: ambassadorStreamId(memberId),
      decider: ambassadorDecider,
      // The motivation is the nominee's personal data: it goes into the event encrypted, never into the metadata.
      command: {
        type: 'NominateAmbassador',
        memberId,
        department: input.department,
        motivation: input.motivation ?? null,
        nominee,
        actorId: actor.id,
        at,
      },
      occurredAt: at,
      context,
      actor,
      authority: actor.id === memberId ? 'self' : 'any signed-in member may nominate',
      commandId: input.commandId ?? null,
      readModels: READ_MODELS,
    });
    return this.answer(memberId, actor);
  }
}

/** A community manager's decision on the member's current enrolment. */
abstract class DecisionHandler<C extends InputCommand<AmbassadorDecisionInput, AmbassadorView>> extends AmbassadorHandler {
  protected abstract readonly action: string;
  /** The offboard reason is about the member: encrypted in the event, left out of the metadata. */
  protected readonly reasonIsPersonal: boolean = false;
  protected abstract toDomain(memberId: string, actorId: string, at: string, input: AmbassadorDecisionInput): Promise<AmbassadorCommand>;

  async execute({ input, context }: C): Promise<AmbassadorView> {
    // The role before the input: a caller who may not do this learns nothing about which ids would be valid.
    requireRole(context, PROGRAMME_MANAGERS, this.action);
    const memberId = requireId(input.memberId, 'memberId');
    await this.pipeline.executeMutation({
      context,
      roles: PROGRAMME_MANAGERS,
      action: this.action,
      input,
      streamId: ambassadorStreamId(memberId),
      decider: ambassadorDecider,
      command: (at) => this.toDomain(memberId, requireActor(context).id, at, input),
      readModels: READ_MODELS,
      reasonIsPersonal: this.reasonIsPersonal,
    });
    return this.answer(memberId, requireActor(context));
  }

  protected memberStatus(memberId: string) {
    return readMemberStatus(this.events, memberId);
  }
}

@CommandHandler(ApproveAmbassadorCommand)
export class ApproveAmbassadorHandler extends DecisionHandler<ApproveAmbassadorCommand> {
  protected readonly action = 'approving an ambassador';
  protected async toDomain(memberId: string, actorId: string, at: string): Promise<AmbassadorCommand> {
    return { type: 'ApproveAmbassador', memberId, member: await this.memberStatus(memberId), actorId, at };
  }
}

@CommandHandler(RejectAmbassadorCommand)
export class RejectAmbassadorHandler extends DecisionHandler<RejectAmbassadorCommand> {
  protected readonly action = 'rejecting an ambassador nomination';
  protected async toDomain(memberId: string, actorId: string, at: string): Promise<AmbassadorCommand> {
    return { type: 'RejectAmbassador', memberId, actorId, at };
  }
}

@CommandHandler(ActivateAmbassadorCommand)
export class ActivateAmbassadorHandler extends DecisionHandler<ActivateAmbassadorCommand> {
  protected readonly action = 'activating an ambassador';
  protected async toDomain(memberId: string, actorId: string, at: string): Promise<AmbassadorCommand> {
    return { type: 'ActivateAmbassador', memberId, member: await this.memberStatus(memberId), actorId, at };
  }
}

@CommandHandler(DeactivateAmbassadorCommand)
export class DeactivateAmbassadorHandler extends DecisionHandler<DeactivateAmbassadorCommand> {
  protected readonly action = 'deactivating an ambassador';
  protected async toDomain(memberId: string, actorId: string, at: string): Promise<AmbassadorCommand> {
    return { type: 'DeactivateAmbassador', memberId, actorId, at };
  }
}

@CommandHandler(ReactivateAmbassadorCommand)
export class ReactivateAmbassadorHandler extends DecisionHandler<ReactivateAmbassadorCommand> {
  protected readonly action = 'reactivating an ambassador';
  protected async toDomain(memberId: string, actorId: string, at: string): Promise<AmbassadorCommand> {
    return { type: 'ReactivateAmbassador', memberId, member: await this.memberStatus(memberId), actorId, at };
  }
}

@CommandHandler(OffboardAmbassadorCommand)
export class OffboardAmbassadorHandler extends DecisionHandler<OffboardAmbassadorCommand> {
  protected readonly action = 'offboarding an ambassador';
  protected override readonly reasonIsPersonal = true;
  protected async toDomain(memberId: string, actorId: string, at: string, input: AmbassadorDecisionInput): Promise<AmbassadorCommand> {
    return { type: 'OffboardAmbassador', memberId, reason: input.reason ?? null, actorId, at };
  }
}

export const AMBASSADOR_COMMAND_HANDLERS = [
  NominateAmbassadorHandler,
  ApproveAmbassadorHandler,
  RejectAmbassadorHandler,
  ActivateAmbassadorHandler,
  DeactivateAmbassadorHandler,
  ReactivateAmbassadorHandler,
  OffboardAmbassadorHandler,
];
