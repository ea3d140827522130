import { Inject } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { Args, Context, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { DataSource } from 'typeorm';
import { GovernanceEventStore } from '#event-store';
import { requireActor, type RequestContext } from '../auth/request-context.ts';
import { requireRegisteredMember } from '../members/index.ts';
import { requireId } from '../shared/identifiers.ts';
import { certificationView, requireCertificationReader } from './certification-access.ts';
import {
  AwardCertificationCommand,
  DefineCertificationLevelCommand,
  ReinstateCertificationCommand,
  RenewCertificationCommand,
  RevokeCertificationCommand,
  SuspendCertificationCommand,
} from './certification.commands.ts';
import {
  AwardCertificationInput,
  Certification,
  CertificationLevel,
  ChangeCertificationInput,
  DefineCertificationLevelInput,
} from './certification.graphql.ts';
import { listCertificationLevels } from './read-models/certification.queries.ts';
import type { CertificationLevelView, CertificationView } from './read-models/certification.views.ts';

@Resolver(() => Certification)
export class CertificationResolver {
  constructor(
    @Inject(CommandBus) private readonly commands: CommandBus,
    @Inject(DataSource) private readonly db: DataSource,
    @Inject(GovernanceEventStore) private readonly events: GovernanceEventStore,
  ) {}

  @Query(() => [CertificationLevel], { description: 'Every defined level, from 1 up. For any signed-in member.' })
  certificationLevels(@Context() context: RequestContext): Promise<CertificationLevelView[]> {
    requireActor(context);
    return listCertificationLevels(this.db);
  }

  @Query(() => Certification, { description: 'For community managers, auditors and the member themself.' })
  async certification(
    @Args('memberId', { type: () => ID }) memberId: string,
    @Context() context: RequestContext,
  ): Promise<CertificationView> {
    // Who may read before whether the id is well-formed: a refusal tells nothing about which ids would be valid.
    requireCertificationReader(requireActor(context), memberId);
    const id = requireId(memberId, 'memberId');
    // An uncertified record for an id that names nobody would look like a member who never trained.
    await requireRegisteredMember(this.events, id);
    return certificationView(this.db, this.events, id, new Date());
  }

  @Query(() => Certification, { description: "The caller's own certification: what a group owner looks at." })
  myCertification(@Context() context: RequestContext): Promise<CertificationView> {
    const actor = requireActor(context);
    return certificationView(this.db, this.events, actor.id, new Date());
  }

  @Mutation(() => CertificationLevel)
  defineCertificationLevel(
    @Args('input', { type: () => DefineCertificationLevelInput }) input: DefineCertificationLevelInput,
    @Context() context: RequestContext,
  ) {
    return this.commands.execute(new DefineCertificationLevelCommand(input, context));
  }

  @Mutation(() => Certification)
  awardCertification(
    @Args('input', { type: () => AwardCertificationInput }) input: AwardCertificationInput,
    @Context() context: RequestContext,
  ) {
    return this.commands.execute(new AwardCertificationCommand(input, context));
  }

  @Mutation(() => Certification)
  renewCertification(
    @Args('input', { type: () => ChangeCertificationInput }) input: ChangeCertificationInput,
    @Context() context: RequestContext,
  ) {
    return this.commands.execute(new RenewCertificationCommand(input, context));
  }

  @Mutation(() => Certification)
  suspendCertification(
    @Args('input', { type: () => ChangeCertificationInput }) input: ChangeCertificationInput,
    @Context() context: RequestContext,
  ) {
    return this.commands.execute(new SuspendCertificationCommand(input, context));
  }

  @Mutation(() => Certification)
  reinstateCertification(
    @Args('input', { type: () => ChangeCertificationInput }) input: ChangeCertificationInput,
    @Context() context: RequestContext,
  ) {
    return this.commands.execute(new ReinstateCertificationCommand(input, context));
  }

  @Mutation(() => Certification)
  revokeCertification(
    @Args('input', { type: () => ChangeCertificationInput }) input: ChangeCertificationInput,
    @Context() context: RequestContext,
  ) {
    return this.commands.execute(new RevokeCertificationCommand(input, context));
  }
}
