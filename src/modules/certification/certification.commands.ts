import { Inject } from '@nestjs/common';
import { CommandHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { GovernanceEventStore } from '#event-store';
import { requireActor, requireRole } from '../../platform/auth/request-context.ts';
import { Role } from '../../platform/auth/role.ts';
import { InputCommand } from '../../platform/command/input-command.ts';
import { CommandPipeline } from '../../platform/command/command-pipeline.ts';
import { readAfterCommand } from '../../platform/command/read-after-command.ts';
import { readMemberStatus } from '../members/index.ts';
import { isId, requireId } from '../../platform/shared/identifiers.ts';
import { completedProgrammes, programmeExists } from '../training/index.ts';
import { certificationView } from './certification-access.ts';
import {
  CERTIFICATION_LEVEL_MAX,
  certificationLevelDecider,
  certificationLevelStreamId,
  LEVEL_PROGRAMMES_MAX,
  requireLevel,
  type CertificationLevelCommand,
} from './certification-level.decider.ts';
import { readCertificationLevel, readCertificationLevels } from './certification-streams.ts';
import { certificationDecider, certificationStreamId, type CertificationCommand } from './certification.decider.ts';
import type { AwardCertificationInput, ChangeCertificationInput, DefineCertificationLevelInput } from './certification.graphql.ts';
import { CERTIFICATION_PROJECTION } from './read-models/certification.projection.ts';
import { findCertificationLevel } from './read-models/certification.queries.ts';
import type { CertificationLevelView, CertificationView } from './read-models/certification.views.ts';
import { unreachable } from '../../platform/shared/exhaustive.ts';

const READ_MODELS = [CERTIFICATION_PROJECTION];

export class DefineCertificationLevelCommand extends InputCommand<DefineCertificationLevelInput, CertificationLevelView> {}
export class AwardCertificationCommand extends InputCommand<AwardCertificationInput, CertificationView> {}
export class RenewCertificationCommand extends InputCommand<ChangeCertificationInput, CertificationView> {}
export class SuspendCertificationCommand extends InputCommand<ChangeCertificationInput, CertificationView> {}
export class ReinstateCertificationCommand extends InputCommand<ChangeCertificationInput, CertificationView> {}
export class RevokeCertificationCommand extends InputCommand<ChangeCertificationInput, CertificationView> {}

abstract class CertificationHandler {
  constructor(
    @Inject(CommandPipeline) protected readonly pipeline: CommandPipeline,
    @Inject(DataSource) protected readonly db: DataSource,
    @Inject(GovernanceEventStore) protected readonly events: GovernanceEventStore,
  ) {}

  /** The member's certification, read after the pipeline waited for the read model. */
  protected answer(memberId: string): Promise<CertificationView> {
    return certificationView(this.db, this.events, memberId, new Date());
  }
}

/** Community managers define levels; the previous level and the programmes are looked up in their streams. */
@CommandHandler(DefineCertificationLevelCommand)
export class DefineCertificationLevelHandler extends CertificationHandler {
  async execute({ input, context }: DefineCertificationLevelCommand): Promise<CertificationLevelView> {
    // The role before the input: a caller who may not do this learns nothing about which inputs would be valid.
    requireRole(context, [Role.COMMUNITY_MANAGER], 'defining a certification level');
    const level = requireLevel(input.level);
    await this.pipeline.executeMutation({
      context,
      roles: [Role.COMMUNITY_MANAGER],
      action: 'defining a certification level',
      input,
      streamId: certificationLevelStreamId(level),
      decider: certificationLevelDecider,
      command: async (at): Promise<CertificationLevelCommand> => {
        const programmes = Array.isArray(input.requiredProgrammes) ? input.requiredProgrammes : [];
        const previousLevelDefined = level === 1 || (await readCertificationLevel(this.events, level - 1)) !== null;
        // Malformed ids and over-long lists are the decider's to refuse: they are not looked up.
        const lookups = programmes.length <= LEVEL_PROGRAMMES_MAX ? [...new Set(programmes.filter(isId))] : [];
        const exists = await Promise.all(lookups.map((programmeId) => programmeExists(this.events, programmeId)));
        return {
          type: 'DefineCertificationLevel',
          level,
          name: input.name,
          requiredProgrammes: programmes,
          validityMonths: input.validityMonths,
          previousLevelDefined,
          unknownProgrammes: lookups.filter((_, i) => !exists[i]),
          actorId: requireActor(context).id,
          at,
        };
      },
      readModels: READ_MODELS,
    });
    return readAfterCommand(() => findCertificationLevel(this.db, level), `certification level ${level}`);
  }
}

/** The levels, the member and their training are read from their streams, as the decision needs them now. */
@CommandHandler(AwardCertificationCommand)
export class AwardCertificationHandler extends CertificationHandler {
  async execute({ input, context }: AwardCertificationCommand): Promise<CertificationView> {
    requireRole(context, [Role.COMMUNITY_MANAGER], 'awarding a certification');
    const memberId = requireId(input.memberId, 'memberId');
    await this.pipeline.executeMutation({
      context,
      roles: [Role.COMMUNITY_MANAGER],
      action: 'awarding a certification',
      input,
      streamId: certificationStreamId(memberId),
      decider: certificationDecider,
      command: async (at): Promise<CertificationCommand> => {
        const valid = Number.isSafeInteger(input.level) && input.level >= 1 && input.level <= CERTIFICATION_LEVEL_MAX;
        const levels = valid ? await readCertificationLevels(this.events, input.level) : [];
        const required = levels.flatMap((definition) => definition.requiredProgrammes);
        return {
          type: 'AwardCertification',
          memberId,
          level: input.level,
          evidence: input.evidence ?? null,
          member: await readMemberStatus(this.events, memberId),
          levels,
          completedProgrammes: [...(await completedProgrammes(this.events, memberId, required))],
          actorId: requireActor(context).id,
          at,
        };
      },
      readModels: READ_MODELS,
    });
    return this.answer(memberId);
  }
}

type ChangeType = 'RenewCertification' | 'SuspendCertification' | 'ReinstateCertification' | 'RevokeCertification';

/** Renewal, suspension, reinstatement, revocation: community managers only, with a reason that is recorded. */
abstract class ChangeCertificationHandler extends CertificationHandler {
  protected abstract readonly type: ChangeType;
  protected abstract readonly action: string;

  async execute({ input, context }: InputCommand<ChangeCertificationInput, CertificationView>): Promise<CertificationView> {
    requireRole(context, [Role.COMMUNITY_MANAGER], this.action);
    const memberId = requireId(input.memberId, 'memberId');
    await this.pipeline.executeMutation({
      context,
      roles: [Role.COMMUNITY_MANAGER],
      action: this.action,
      input,
      streamId: certificationStreamId(memberId),
      decider: certificationDecider,
      command: async (at): Promise<CertificationCommand> => {
        const actorId = requireActor(context).id;
        const { reason } = input;
        switch (this.type) {
          case 'RenewCertification':
            // Every level: the award's own is known only from the stream, which the decider reads.
            return { type: this.type, memberId, reason, levels: await readCertificationLevels(this.events), actorId, at };
          case 'SuspendCertification':
          case 'ReinstateCertification':
          case 'RevokeCertification':
            return { type: this.type, memberId, reason, actorId, at };
          default:
            return unreachable('certification change', this.type);
        }
      },
      readModels: READ_MODELS,
    });
    return this.answer(memberId);
  }
}

@CommandHandler(RenewCertificationCommand)
export class RenewCertificationHandler extends ChangeCertificationHandler {
  protected readonly type = 'RenewCertification';
  protected readonly action = 'renewing a certification';
}

@CommandHandler(SuspendCertificationCommand)
export class SuspendCertificationHandler extends ChangeCertificationHandler {
  protected readonly type = 'SuspendCertification';
  protected readonly action = 'suspending a certification';
}

@CommandHandler(ReinstateCertificationCommand)
export class ReinstateCertificationHandler extends ChangeCertificationHandler {
  protected readonly type = 'ReinstateCertification';
  protected readonly action = 'reinstating a certification';
}

@CommandHandler(RevokeCertificationCommand)
export class RevokeCertificationHandler extends ChangeCertificationHandler {
  protected readonly type = 'RevokeCertification';
  protected readonly action = 'revoking a certification';
}

export const CERTIFICATION_COMMAND_HANDLERS = [
  DefineCertificationLevelHandler,
  AwardCertificationHandler,
  RenewCertificationHandler,
  SuspendCertificationHandler,
  ReinstateCertificationHandler,
  RevokeCertificationHandler,
];
