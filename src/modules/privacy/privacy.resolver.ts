import { Inject } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { Args, Context, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { DataSource } from 'typeorm';
import { GovernanceEventStore } from '#event-store';
import { requireSelfOrRole, type RequestContext } from '../../platform/auth/request-context.ts';
import { Role } from '../../platform/auth/role.ts';
import { requireRegisteredMember } from '../members/index.ts';
import { requireId } from '../../platform/shared/identifiers.ts';
import { RunUseCase } from '../../platform/command/use-case.ts';
import { giveConsent, requestErasure, updatePrivacySettings, withdrawConsent } from './privacy.use-cases.ts';
import { NodeRegistry } from '../../platform/graphql/node.ts';
import {
  Consent,
  ConsentInput,
  ErasureRequest,
  PrivacySettings,
  RequestErasureInput,
  UpdatePrivacySettingsInput,
} from './privacy.graphql.ts';
import {
  findErasureRequest,
  findPrivacySettings,
  listConsents,
  type ConsentAnswer,
  type ErasureRequestAnswer,
  type PrivacySettingsAnswer,
} from './read-models/privacy.queries.ts';

/** Who may read is checked before the form of the id (as in privacy.use-cases.ts): refusals reveal nothing about ids. */
@Resolver(() => PrivacySettings)
export class PrivacyResolver {
  constructor(
    @Inject(CommandBus) private readonly commands: CommandBus,
    @Inject(DataSource) private readonly db: DataSource,
    @Inject(GovernanceEventStore) private readonly events: GovernanceEventStore,
    @Inject(NodeRegistry) nodes: NodeRegistry,
  ) {
    nodes.register('PrivacySettings', 1, ([memberId], context) => this.privacySettings(memberId!, context));
    nodes.register('Consent', 2, async ([memberId, purpose], context) =>
      (await this.consents(memberId!, context)).find((consent) => consent.purpose === purpose),
    );
    nodes.register('ErasureRequest', 1, ([memberId], context) => this.erasureRequest(memberId!, context));
  }

  @Query(() => PrivacySettings)
  async privacySettings(
    @Args('memberId', { type: () => ID }) memberId: string,
    @Context() context: RequestContext,
  ): Promise<PrivacySettingsAnswer> {
    requireSelfOrRole(context, memberId, [Role.COMMUNITY_MANAGER, Role.PRIVACY_OFFICER], "reading a member's privacy settings");
    const id = requireId(memberId, 'memberId');
    // The most private defaults for an id that names nobody would read as a member who chose them.
    await requireRegisteredMember(this.events, id);
    return findPrivacySettings(this.db, id);
  }

  @Query(() => [Consent])
  consents(@Args('memberId', { type: () => ID }) memberId: string, @Context() context: RequestContext): Promise<ConsentAnswer[]> {
    requireSelfOrRole(context, memberId, [Role.PRIVACY_OFFICER], "reading a member's consents");
    const id = requireId(memberId, 'memberId');
    return listConsents(this.db, id);
  }

  @Query(() => ErasureRequest, { nullable: true })
  erasureRequest(
    @Args('memberId', { type: () => ID }) memberId: string,
    @Context() context: RequestContext,
  ): Promise<ErasureRequestAnswer | null> {
    requireSelfOrRole(context, memberId, [Role.PRIVACY_OFFICER], "reading a member's erasure request");
    const id = requireId(memberId, 'memberId');
    return findErasureRequest(this.db, id);
  }

  @Mutation(() => PrivacySettings)
  updatePrivacySettings(
    @Args('input', { type: () => UpdatePrivacySettingsInput }) input: UpdatePrivacySettingsInput,
    @Context() context: RequestContext,
  ) {
    return this.commands.execute(new RunUseCase(updatePrivacySettings, input, context));
  }

  @Mutation(() => [Consent])
  giveConsent(@Args('input', { type: () => ConsentInput }) input: ConsentInput, @Context() context: RequestContext) {
    return this.commands.execute(new RunUseCase(giveConsent, input, context));
  }

  @Mutation(() => [Consent])
  withdrawConsent(@Args('input', { type: () => ConsentInput }) input: ConsentInput, @Context() context: RequestContext) {
    return this.commands.execute(new RunUseCase(withdrawConsent, input, context));
  }

  @Mutation(() => ErasureRequest)
  requestErasure(@Args('input', { type: () => RequestErasureInput }) input: RequestErasureInput, @Context() context: RequestContext) {
    return this.commands.execute(new RunUseCase(requestErasure, input, context));
  }
}
