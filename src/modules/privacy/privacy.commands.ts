import { Inject } from '@nestjs/common';
import { CommandHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { GovernanceEventStore } from '#event-store';
import { ProjectionRunner } from '#projections';
import { requireSelfOrRole, type RequestContext } from '../../platform/auth/request-context.ts';
import { Role } from '../../platform/auth/role.ts';
import type { Actor } from '../../platform/auth/token-verifier.ts';
import { InputCommand } from '../../platform/command/input-command.ts';
import { CommandPipeline } from '../../platform/command/command-pipeline.ts';
import { readAfterCommand } from '../../platform/command/read-after-command.ts';
import { requireRegisteredMember } from '../members/index.ts';
import { requireId } from '../../platform/shared/identifiers.ts';
import type { ConsentInput, RequestErasureInput, UpdatePrivacySettingsInput } from './privacy.graphql.ts';
import { privacyDecider, privacyStreamId, type PrivacyCommand } from './privacy.decider.ts';
import { PRIVACY_PROJECTION } from './read-models/privacy.projection.ts';
import {
  findErasureRequest,
  findPrivacySettings,
  listConsents,
  type ConsentView,
  type ErasureRequestView,
  type PrivacySettingsView,
} from './read-models/privacy.queries.ts';

export class UpdatePrivacySettingsCommand extends InputCommand<UpdatePrivacySettingsInput, PrivacySettingsView> {}
export class GiveConsentCommand extends InputCommand<ConsentInput, ConsentView[]> {}
export class WithdrawConsentCommand extends InputCommand<ConsentInput, ConsentView[]> {}
export class RequestErasureCommand extends InputCommand<RequestErasureInput, ErasureRequestView> {}

/**
 * Each handler checks who may act (the member themself, or the role) before the form of the id: a caller who may not
 * act is FORBIDDEN whatever they send, so refusals do not tell which ids would be valid. A malformed id is nobody's.
 */
abstract class PrivacyHandler {
  constructor(
    @Inject(CommandPipeline) protected readonly pipeline: CommandPipeline,
    @Inject(DataSource) protected readonly db: DataSource,
    @Inject(GovernanceEventStore) protected readonly events: GovernanceEventStore,
    @Inject(ProjectionRunner) protected readonly runner: ProjectionRunner,
  ) {}

  /** The member's own privacy stream; the actor has been checked, the member must exist. */
  protected async run(
    context: RequestContext,
    actor: Actor,
    authority: string,
    memberId: string,
    input: { commandId?: string | null; expectedRevision?: number | null },
    command: (at: string) => PrivacyCommand,
    readModels: readonly string[] = [PRIVACY_PROJECTION],
  ) {
    await requireRegisteredMember(this.events, memberId);
    const at = new Date().toISOString();
    return this.pipeline.execute({
      streamId: privacyStreamId(memberId),
      decider: privacyDecider,
      command: command(at),
      occurredAt: at,
      context,
      actor,
      authority,
      // Nothing a privacy command says goes into the plain metadata: an erasure's reason is the member's words.
      reason: null,
      commandId: input.commandId ?? null,
      expectedRevision: input.expectedRevision ?? null,
      readModels,
    });
  }
}

@CommandHandler(UpdatePrivacySettingsCommand)
export class UpdatePrivacySettingsHandler extends PrivacyHandler {
  async execute({ input, context }: UpdatePrivacySettingsCommand): Promise<PrivacySettingsView> {
    const { actor, authority } = requireSelfOrRole(context, input.memberId, [Role.PRIVACY_OFFICER], 'changing privacy settings');
    const memberId = requireId(input.memberId, 'memberId');
    await this.run(context, actor, authority, memberId, input, () => ({
      type: 'UpdatePrivacySettings',
      memberId,
      profilePhotoVisibility: input.profilePhotoVisibility ?? null,
      directoryListed: input.directoryListed ?? null,
    }));
    return findPrivacySettings(this.db, memberId);
  }
}

/** Consent is the member's own act: nobody gives or withdraws it for them. */
@CommandHandler(GiveConsentCommand)
export class GiveConsentHandler extends PrivacyHandler {
  async execute({ input, context }: GiveConsentCommand): Promise<ConsentView[]> {
    const { actor, authority } = requireSelfOrRole(context, input.memberId, [], 'giving consent');
    const memberId = requireId(input.memberId, 'memberId');
    await this.run(context, actor, authority, memberId, input, (at) => ({
      type: 'GiveConsent',
      memberId,
      purpose: input.purpose,
      noticeVersion: input.noticeVersion ?? null,
      at,
    }));
    return listConsents(this.db, memberId);
  }
}

@CommandHandler(WithdrawConsentCommand)
export class WithdrawConsentHandler extends PrivacyHandler {
  async execute({ input, context }: WithdrawConsentCommand): Promise<ConsentView[]> {
    const { actor, authority } = requireSelfOrRole(context, input.memberId, [], 'withdrawing consent');
    const memberId = requireId(input.memberId, 'memberId');
    await this.run(context, actor, authority, memberId, input, (at) => ({ type: 'WithdrawConsent', memberId, purpose: input.purpose, at }));
    return listConsents(this.db, memberId);
  }
}

/**
 * Erasure in three steps, each safe to repeat: record the request, destroy the member's key (crypto-shredding: every
 * personal field of theirs in every event now reads "[redacted]"), record the completion. Every projection purges its
 * copies when it applies ErasureCompleted, and the answer waits until all of them have. A crash between the steps
 * leaves the request REQUESTED; asking again finishes it.
 */
@CommandHandler(RequestErasureCommand)
export class RequestErasureHandler extends PrivacyHandler {
  async execute({ input, context }: RequestErasureCommand): Promise<ErasureRequestView> {
    const { actor, authority } = requireSelfOrRole(context, input.memberId, [Role.PRIVACY_OFFICER], 'requesting erasure');
    const memberId = requireId(input.memberId, 'memberId');
    await this.run(context, actor, authority, memberId, input, (at) => ({
      type: 'RequestErasure',
      memberId,
      reason: input.reason ?? null,
      at,
    }));
    await this.events.forgetSubject(memberId);
    // Digests of commands' inputs may hold the member's data too (a display name, a note): none may outlive the key.
    await this.pipeline.forgetCommandInputs();
    await this.run(
      context,
      actor,
      authority,
      memberId,
      {},
      (at) => ({ type: 'CompleteErasure', memberId, at }),
      this.runner.projectionNames,
    );
    return readAfterCommand(() => findErasureRequest(this.db, memberId), `the erasure request of ${memberId}`);
  }
}

export const PRIVACY_COMMAND_HANDLERS = [UpdatePrivacySettingsHandler, GiveConsentHandler, WithdrawConsentHandler, RequestErasureHandler];
