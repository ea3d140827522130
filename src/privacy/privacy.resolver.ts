import { Inject } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { Args, Context, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { DataSource } from 'typeorm';
import { requireSelfOrRole, type RequestContext } from '../auth/request-context.ts';
import { Role } from '../auth/role.ts';
import { requireId } from '../shared/identifiers.ts';
import { GiveConsentCommand, RequestErasureCommand, UpdatePrivacySettingsCommand, WithdrawConsentCommand } from './privacy.commands.ts';
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
  type ConsentView,
  type ErasureRequestView,
  type PrivacySettingsView,
} from './read-models/privacy.queries.ts';

@Resolver(() => PrivacySettings)
export class PrivacyResolver {
  constructor(
    @Inject(CommandBus) private readonly commands: CommandBus,
    @Inject(DataSource) private readonly db: DataSource,
  ) {}

  @Query(() => PrivacySettings)
  privacySettings(
    @Args('memberId', { type: () => ID }) memberId: string,
    @Context() context: RequestContext,
  ): Promise<PrivacySettingsView> {
    const id = requireId(memberId, 'memberId');
    requireSelfOrRole(context, id, [Role.COMMUNITY_MANAGER, Role.PRIVACY_OFFICER], "reading a member's privacy settings");
    return findPrivacySettings(this.db, id);
  }

  @Query(() => [Consent])
  consents(@Args('memberId', { type: () => ID }) memberId: string, @Context() context: RequestContext): Promise<ConsentView[]> {
    const id = requireId(memberId, 'memberId');
    requireSelfOrRole(context, id, [Role.PRIVACY_OFFICER], "reading a member's consents");
    return listConsents(this.db, id);
  }

  @Query(() => ErasureRequest, { nullable: true })
  erasureRequest(
    @Args('memberId', { type: () => ID }) memberId: string,
    @Context() context: RequestContext,
  ): Promise<ErasureRequestView | null> {
    const id = requireId(memberId, 'memberId');
    requireSelfOrRole(context, id, [Role.PRIVACY_OFFICER], "reading a member's erasure request");
    return findErasureRequest(this.db, id);
  }

  @Mutation(() => PrivacySettings)
  updatePrivacySettings(
    @Args('input', { type: () => UpdatePrivacySettingsInput }) input: UpdatePrivacySettingsInput,
    @Context() context: RequestContext,
  ) {
    return this.commands.execute(new UpdatePrivacySettingsCommand(input, context));
  }

  @Mutation(() => [Consent])
  giveConsent(@Args('input', { type: () => ConsentInput }) input: ConsentInput, @Context() context: RequestContext) {
    return this.commands.execute(new GiveConsentCommand(input, context));
  }

  @Mutation(() => [Consent])
  withdrawConsent(@Args('input', { type: () => ConsentInput }) input: ConsentInput, @Context() context: RequestContext) {
    return this.commands.execute(new WithdrawConsentCommand(input, context));
  }

  @Mutation(() => ErasureRequest)
  requestErasure(@Args('input', { type: () => RequestErasureInput }) input: RequestErasureInput, @Context() context: RequestContext) {
    return this.commands.execute(new RequestErasureCommand(input, context));
  }
}
