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
import { requireId } from '../../platform/shared/identifiers.ts';
import { acceptanceStreamId, agreementAcceptanceDecider } from './agreement-acceptance.decider.ts';
import { readAgreement } from './agreement-streams.ts';
import { agreementDecider, agreementStreamId, type AgreementCommand } from './agreement.decider.ts';
import type { AcceptAgreementInput, PublishAgreementVersionInput } from './agreements.graphql.ts';
import { AGREEMENTS_PROJECTION } from './read-models/agreements.projection.ts';
import {
  findAgreement,
  findAgreementAcceptance,
  type AgreementAcceptanceView,
  type AgreementView,
} from './read-models/agreements.queries.ts';

const READ_MODELS = [AGREEMENTS_PROJECTION];

export class PublishAgreementVersionCommand extends InputCommand<PublishAgreementVersionInput, AgreementView> {}
export class AcceptAgreementCommand extends InputCommand<AcceptAgreementInput, AgreementAcceptanceView> {}

@CommandHandler(PublishAgreementVersionCommand)
export class PublishAgreementVersionHandler {
  constructor(
    @Inject(CommandPipeline) private readonly pipeline: CommandPipeline,
    @Inject(DataSource) private readonly db: DataSource,
  ) {}

  async execute({ input, context }: PublishAgreementVersionCommand): Promise<AgreementView> {
    // The role before the input: a caller who may not do this learns nothing about which ids would be valid.
    requireRole(context, [Role.COMMUNITY_MANAGER], 'publishing an agreement version');
    const agreementId = requireId(input.agreementId, 'agreementId');
    await this.pipeline.executeMutation({
      context,
      roles: [Role.COMMUNITY_MANAGER],
      action: 'publishing an agreement version',
      input,
      streamId: agreementStreamId(agreementId),
      decider: agreementDecider,
      command: (at): AgreementCommand => ({
        type: 'PublishAgreementVersion',
        agreementId,
        title: input.title,
        body: input.body,
        requiresReacceptance: input.requiresReacceptance,
        actorId: requireActor(context).id,
        at,
      }),
      readModels: READ_MODELS,
    });
    return readAfterCommand(() => findAgreement(this.db, agreementId), `agreement ${agreementId}`);
  }
}

/**
 * A member accepts for themselves, the current version only. Which version is current, and whether the member is an
 * active one, is read from their streams as they are now.
 */
@CommandHandler(AcceptAgreementCommand)
export class AcceptAgreementHandler {
  constructor(
    @Inject(CommandPipeline) private readonly pipeline: CommandPipeline,
    @Inject(DataSource) private readonly db: DataSource,
    @Inject(GovernanceEventStore) private readonly events: GovernanceEventStore,
  ) {}

  async execute({ input, context }: AcceptAgreementCommand): Promise<AgreementAcceptanceView> {
    const actor = requireActor(context);
    const agreementId = requireId(input.agreementId, 'agreementId');
    const agreement = await readAgreement(this.events, agreementId);
    const acceptor = await readMemberStatus(this.events, actor.id);
    const at = new Date().toISOString();
    await this.pipeline.execute({
      streamId: acceptanceStreamId(agreementId, actor.id),
      decider: agreementAcceptanceDecider,
      command: {
        type: 'AcceptAgreement',
        agreementId,
        memberId: actor.id,
        version: input.version,
        agreement:
          agreement.status === 'published'
            ? { currentVersion: agreement.currentVersion, currentBodySha256: agreement.versions.at(-1)!.bodySha256 }
            : null,
        acceptor,
        at,
      },
      occurredAt: at,
      context,
      actor,
      authority: 'self',
      commandId: input.commandId ?? null,
      readModels: READ_MODELS,
    });
    return readAfterCommand(async () => {
      const lookup = await findAgreementAcceptance(this.db, agreementId, actor.id);
      return lookup.found ? lookup.acceptance : null;
    }, `the acceptance of ${agreementId} by ${actor.id}`);
  }
}

export const AGREEMENT_COMMAND_HANDLERS = [PublishAgreementVersionHandler, AcceptAgreementHandler];
