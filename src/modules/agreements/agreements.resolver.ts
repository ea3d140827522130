import { Inject } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { Args, Context, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { DataSource } from 'typeorm';
import { requireActor, type RequestContext } from '../../platform/auth/request-context.ts';
import { PageArgs, pageRequest } from '../../platform/graphql/pagination.ts';
import { notFound } from '../../platform/shared/domain-error.ts';
import { isId, requireId } from '../../platform/shared/identifiers.ts';
import { requireAcceptanceReader } from './agreement-access.ts';
import { RunUseCase } from '../../platform/command/use-case.ts';
import { acceptAgreement, publishAgreementVersion } from './agreements.use-cases.ts';
import {
  AcceptAgreementInput,
  Agreement,
  AgreementAcceptance,
  AgreementConnection,
  PublishAgreementVersionInput,
} from './agreements.graphql.ts';
import { NodeRegistry } from '../../platform/graphql/node.ts';
import {
  findAgreement,
  findAgreementAcceptance,
  listAgreements,
  pendingAgreementsOf,
  type AgreementPage,
  type AgreementAcceptanceAnswer,
  type AgreementAnswer,
} from './read-models/agreements.queries.ts';

@Resolver(() => Agreement)
export class AgreementsResolver {
  constructor(
    @Inject(CommandBus) private readonly commands: CommandBus,
    @Inject(DataSource) private readonly db: DataSource,
    @Inject(NodeRegistry) nodes: NodeRegistry,
  ) {
    nodes.register('Agreement', 1, ([id], context) => this.agreement(id!, context), { domainId: true });
    nodes.register('AgreementVersion', 2, async ([agreementId, version], context) =>
      (await this.agreement(agreementId!, context))?.versions.find((candidate) => String(candidate.version) === version),
    );
    nodes.register('AgreementAcceptance', 2, ([agreementId, memberId], context) =>
      this.agreementAcceptance(agreementId!, memberId!, context),
    );
  }

  @Query(() => Agreement, { nullable: true, description: 'Agreements are the community’s rules: any signed-in member reads them.' })
  async agreement(@Args('id', { type: () => ID }) id: string, @Context() context: RequestContext): Promise<AgreementAnswer | null> {
    requireActor(context);
    if (!isId(id)) return null;
    return findAgreement(this.db, id);
  }

  @Query(() => AgreementConnection, { description: 'Every agreement, by id. For any signed-in member.' })
  agreements(@Context() context: RequestContext, @Args({ type: () => PageArgs }) paging: PageArgs): Promise<AgreementPage> {
    requireActor(context);
    return listAgreements(this.db, pageRequest(paging));
  }

  @Query(() => AgreementAcceptance, {
    description:
      'For the member, community managers and auditors. NOT_FOUND for an unknown agreement or a member never registered; nothing is pending for a member who left.',
  })
  async agreementAcceptance(
    @Args('agreementId', { type: () => ID }) agreementId: string,
    @Args('memberId', { type: () => ID }) memberId: string,
    @Context() context: RequestContext,
  ): Promise<AgreementAcceptanceAnswer> {
    // Who may read before whether the ids are well-formed: a refusal tells nothing about which ids would be valid.
    requireAcceptanceReader(context, memberId);
    requireId(memberId, 'memberId');
    requireId(agreementId, 'agreementId');
    const lookup = await findAgreementAcceptance(this.db, agreementId, memberId);
    if (lookup.found) return lookup.acceptance;
    throw lookup.missing === 'agreement'
      ? notFound(`agreement ${agreementId} does not exist`, { field: 'agreementId' })
      : notFound(`member ${memberId} is not registered`, { field: 'memberId' });
  }

  @Query(() => [Agreement], { description: 'What the caller still has to accept, by agreement id.' })
  myPendingAgreements(@Context() context: RequestContext): Promise<AgreementAnswer[]> {
    return pendingAgreementsOf(this.db, requireActor(context).id);
  }

  @Mutation(() => Agreement, { description: 'Community managers: version 1, then 2, ...' })
  publishAgreementVersion(
    @Args('input', { type: () => PublishAgreementVersionInput }) input: PublishAgreementVersionInput,
    @Context() context: RequestContext,
  ): Promise<AgreementAnswer> {
    return this.commands.execute(new RunUseCase(publishAgreementVersion, input, context));
  }

  @Mutation(() => AgreementAcceptance, { description: 'The caller accepts the current version for themself.' })
  acceptAgreement(
    @Args('input', { type: () => AcceptAgreementInput }) input: AcceptAgreementInput,
    @Context() context: RequestContext,
  ): Promise<AgreementAcceptanceAnswer> {
    return this.commands.execute(new RunUseCase(acceptAgreement, input, context));
  }
}
