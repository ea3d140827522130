import { Inject } from '@nestjs/common';
import { CommandHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { GovernanceEventStore } from '#event-store';
import { requireActor, requireRole, type RequestContext } from '../../platform/auth/request-context.ts';
import { Role } from '../../platform/auth/role.ts';
import type { Actor } from '../../platform/auth/token-verifier.ts';
import { InputCommand } from '../../platform/command/input-command.ts';
import { CommandPipeline } from '../../platform/command/command-pipeline.ts';
import { readAfterCommand } from '../../platform/command/read-after-command.ts';
import { DomainError } from '../../platform/shared/domain-error.ts';
import { requireId } from '../../platform/shared/identifiers.ts';
import type {
  CompleteTrainingModuleInput,
  DefineTrainingProgrammeInput,
  EndTrainingEnrolmentInput,
  EnrolInTrainingInput,
} from './training.graphql.ts';
import {
  trainingEnrolmentDecider,
  trainingEnrolmentStreamId,
  type TrainingAuthority,
  type TrainingEnrolmentCommand,
} from './training-enrolment.decider.ts';
import { trainingProgrammeDecider, trainingProgrammeStreamId, type TrainingProgrammeCommand } from './training-programme.decider.ts';
import { memberStatus, readProgramme } from './training-streams.ts';
import { TRAINING_PROJECTION } from './read-models/training.projection.ts';
import { findTrainingEnrolment, findTrainingProgramme } from './read-models/training.queries.ts';
import type { TrainingEnrolmentView, TrainingProgrammeView } from './read-models/training.views.ts';

const READ_MODELS = [TRAINING_PROJECTION];

export class DefineTrainingProgrammeCommand extends InputCommand<DefineTrainingProgrammeInput, TrainingProgrammeView> {}
export class EnrolInTrainingCommand extends InputCommand<EnrolInTrainingInput, TrainingEnrolmentView> {}
export class CompleteTrainingModuleCommand extends InputCommand<CompleteTrainingModuleInput, TrainingEnrolmentView> {}
export class WithdrawFromTrainingCommand extends InputCommand<EndTrainingEnrolmentInput, TrainingEnrolmentView> {}
export class RecordTrainingFailedCommand extends InputCommand<EndTrainingEnrolmentInput, TrainingEnrolmentView> {}

@CommandHandler(DefineTrainingProgrammeCommand)
export class DefineTrainingProgrammeHandler {
  constructor(
    @Inject(CommandPipeline) private readonly pipeline: CommandPipeline,
    @Inject(DataSource) private readonly db: DataSource,
  ) {}

  async execute({ input, context }: DefineTrainingProgrammeCommand): Promise<TrainingProgrammeView> {
    // The role before the input: a caller who may not do this learns nothing about which ids would be valid.
    requireRole(context, [Role.COMMUNITY_MANAGER], 'defining a training programme');
    const programmeId = requireId(input.programmeId, 'programmeId');
    await this.pipeline.executeMutation({
      context,
      roles: [Role.COMMUNITY_MANAGER],
      action: 'defining a training programme',
      input,
      streamId: trainingProgrammeStreamId(programmeId),
      decider: trainingProgrammeDecider,
      command: (at): TrainingProgrammeCommand => ({
        type: 'DefineTrainingProgramme',
        programmeId,
        title: input.title,
        modules: input.modules.map((module) => ({
          id: module.id,
          title: module.title,
          required: module.required,
          selfPaced: module.selfPaced ?? false,
        })),
        actorId: requireActor(context).id,
        at,
      }),
      readModels: READ_MODELS,
    });
    return readAfterCommand(() => findTrainingProgramme(this.db, programmeId), `training programme ${programmeId}`);
  }
}

/**
 * Enrolments and completions: community managers act for anyone, anyone else only for themselves (the decider says
 * what they may do), so the role check is the decider's rather than the pipeline's.
 */
abstract class EnrolmentHandler {
  constructor(
    @Inject(CommandPipeline) protected readonly pipeline: CommandPipeline,
    @Inject(DataSource) protected readonly db: DataSource,
    @Inject(GovernanceEventStore) protected readonly events: GovernanceEventStore,
  ) {}

  protected authorityOf(actor: Actor, selfAuthority: string): { authority: TrainingAuthority; recorded: string } {
    if (actor.roles.includes(Role.COMMUNITY_MANAGER)) {
      return { authority: { kind: 'community_manager' }, recorded: `role:${Role.COMMUNITY_MANAGER}` };
    }
    return { authority: { kind: 'self' }, recorded: selfAuthority };
  }

  protected async run(
    context: RequestContext,
    actor: Actor,
    ids: { programmeId: string; memberId: string },
    recorded: string,
    input: { readonly commandId?: string | null; readonly expectedRevision?: number | null },
    command: (at: string) => TrainingEnrolmentCommand,
  ): Promise<TrainingEnrolmentView> {
    const at = new Date().toISOString();
    // No reason in the metadata: the reason an enrolment ended is the member's personal data, which only the event
    // holds (encrypted).
    await this.pipeline.execute({
      streamId: trainingEnrolmentStreamId(ids.programmeId, ids.memberId),
      decider: trainingEnrolmentDecider,
      command: command(at),
      occurredAt: at,
      context,
      actor,
      authority: recorded,
      commandId: input.commandId ?? null,
      expectedRevision: input.expectedRevision ?? null,
      readModels: READ_MODELS,
    });
    return readAfterCommand(
      () => findTrainingEnrolment(this.db, ids.programmeId, ids.memberId),
      `the enrolment of ${ids.memberId} in ${ids.programmeId}`,
    );
  }
}

@CommandHandler(EnrolInTrainingCommand)
export class EnrolInTrainingHandler extends EnrolmentHandler {
  async execute({ input, context }: EnrolInTrainingCommand): Promise<TrainingEnrolmentView> {
    const actor = requireActor(context);
    refuseActingForOthers(actor, input.memberId, 'enrolling another member in a training programme');
    const programmeId = requireId(input.programmeId, 'programmeId');
    const memberId = requireId(input.memberId, 'memberId');
    const { authority, recorded } = this.authorityOf(actor, 'the member enrolling themselves');
    // The programme and the member as their own streams say now: the enrolment keeps the revision it was decided on.
    const [programme, member] = await Promise.all([readProgramme(this.events, programmeId), memberStatus(this.events, memberId)]);
    return this.run(context, actor, { programmeId, memberId }, recorded, input, (at) => ({
      type: 'EnrolInTraining',
      programmeId,
      memberId,
      programme: programme && { revision: programme.revision, modules: programme.modules },
      member,
      actorId: actor.id,
      authority,
      at,
    }));
  }
}

@CommandHandler(CompleteTrainingModuleCommand)
export class CompleteTrainingModuleHandler extends EnrolmentHandler {
  async execute({ input, context }: CompleteTrainingModuleCommand): Promise<TrainingEnrolmentView> {
    const actor = requireActor(context);
    refuseActingForOthers(actor, input.memberId, "recording another member's training");
    const programmeId = requireId(input.programmeId, 'programmeId');
    const memberId = requireId(input.memberId, 'memberId');
    const { authority, recorded } = this.authorityOf(actor, 'the member, for a self-paced module');
    // The evidence is the member's personal data: it goes into the event encrypted, never into the metadata.
    return this.run(context, actor, { programmeId, memberId }, recorded, input, (at) => ({
      type: 'CompleteTrainingModule',
      programmeId,
      memberId,
      moduleId: input.moduleId,
      evidence: input.evidence ?? null,
      actorId: actor.id,
      authority,
      at,
    }));
  }
}

/** The member ends their own enrolment, or a community manager ends anyone's: WITHDRAWN. */
@CommandHandler(WithdrawFromTrainingCommand)
export class WithdrawFromTrainingHandler extends EnrolmentHandler {
  async execute({ input, context }: WithdrawFromTrainingCommand): Promise<TrainingEnrolmentView> {
    const actor = requireActor(context);
    refuseActingForOthers(actor, input.memberId, "withdrawing another member's training enrolment");
    const programmeId = requireId(input.programmeId, 'programmeId');
    const memberId = requireId(input.memberId, 'memberId');
    const { authority, recorded } = this.authorityOf(actor, 'the member withdrawing themselves');
    return this.run(context, actor, { programmeId, memberId }, recorded, input, (at) => ({
      type: 'WithdrawFromTraining',
      programmeId,
      memberId,
      reason: input.reason ?? null,
      actorId: actor.id,
      authority,
      at,
    }));
  }
}

/** Community managers only (not even the member themself): FAILED, after which the member may enrol again. */
@CommandHandler(RecordTrainingFailedCommand)
export class RecordTrainingFailedHandler extends EnrolmentHandler {
  async execute({ input, context }: RecordTrainingFailedCommand): Promise<TrainingEnrolmentView> {
    // The role before the input: a caller who may not do this learns nothing about which ids would be valid.
    const { actor, authority: recorded } = requireRole(
      context,
      [Role.COMMUNITY_MANAGER],
      'recording that a member failed a training programme',
    );
    const programmeId = requireId(input.programmeId, 'programmeId');
    const memberId = requireId(input.memberId, 'memberId');
    return this.run(context, actor, { programmeId, memberId }, recorded, input, (at) => ({
      type: 'RecordTrainingFailed',
      programmeId,
      memberId,
      reason: input.reason ?? null,
      actorId: actor.id,
      authority: { kind: 'community_manager' },
      at,
    }));
  }
}

/**
 * The decider's own rule (community managers act for anyone, members for themselves), checked before the ids are: a
 * member acting for someone else is FORBIDDEN whatever the ids, so a refusal tells nothing about which would be valid.
 */
function refuseActingForOthers(actor: Actor, memberId: string, action: string): void {
  if (actor.roles.includes(Role.COMMUNITY_MANAGER) || actor.id === memberId) return;
  throw new DomainError('FORBIDDEN', `${action} needs the role COMMUNITY_MANAGER: members act only for themselves`);
}

export const TRAINING_COMMAND_HANDLERS = [
  DefineTrainingProgrammeHandler,
  EnrolInTrainingHandler,
  CompleteTrainingModuleHandler,
  WithdrawFromTrainingHandler,
  RecordTrainingFailedHandler,
];
