import { Inject } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { Args, Context, ID, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import { DataSource } from 'typeorm';
import { GovernanceEventStore } from '#event-store';
import { requireActor, requireRole, type RequestContext } from '../../platform/auth/request-context.ts';
import { Role } from '../../platform/auth/role.ts';
import { PageArgs, type PageInfo, pageRequest } from '../../platform/graphql/pagination.ts';
import { requireRegisteredMember } from '../members/index.ts';
import { requireId } from '../../platform/shared/identifiers.ts';
import { certificationView, requireCertificationReader } from './certification-access.ts';
import {
  awardCertification,
  defineCertificationLevel,
  reinstateCertification,
  renewCertification,
  revokeCertification,
  suspendCertification,
} from './certification.use-cases.ts';
import {
  AwardCertificationInput,
  Certification,
  CertificationConnection,
  CertificationLevel,
  CertificationStatus,
  ChangeCertificationInput,
  DefineCertificationLevelInput,
} from './certification.graphql.ts';
import { requireLevel } from './certification-level.decider.ts';
import { listCertificationLevels, listCertifiedMembers } from './read-models/certification.queries.ts';
import { NodeRegistry } from '../../platform/graphql/node.ts';
import { RunUseCase } from '../../platform/command/use-case.ts';

@Resolver(() => Certification)
export class CertificationResolver {
  constructor(
    @Inject(CommandBus) private readonly commands: CommandBus,
    @Inject(DataSource) private readonly db: DataSource,
    @Inject(GovernanceEventStore) private readonly events: GovernanceEventStore,
    @Inject(NodeRegistry) nodes: NodeRegistry,
  ) {
    nodes.register('Certification', 1, ([memberId], context) => this.certification(memberId!, context));
    nodes.register('CertificationLevel', 1, async ([level], context) =>
      (await this.certificationLevels(context)).find((candidate) => String(candidate.level) === level),
    );
  }

  @Query(() => [CertificationLevel], { description: 'Every defined level, from 1 up. For any signed-in member.' })
  certificationLevels(@Context() context: RequestContext): Promise<Omit<CertificationLevel, 'id'>[]> {
    requireActor(context);
    return listCertificationLevels(this.db);
  }

  @Query(() => Certification, { description: 'For community managers, auditors and the member themself.' })
  async certification(
    @Args('memberId', { type: () => ID }) memberId: string,
    @Context() context: RequestContext,
  ): Promise<Omit<Certification, 'id'>> {
    // Who may read before whether the id is well-formed: a refusal tells nothing about which ids would be valid.
    requireCertificationReader(requireActor(context), memberId);
    const id = requireId(memberId, 'memberId');
    // An uncertified record for an id that names nobody would look like a member who never trained.
    await requireRegisteredMember(this.events, id);
    return certificationView(this.db, this.events, id, new Date());
  }

  @Query(() => CertificationConnection, {
    description:
      'Community managers and auditors: the members ever certified, by member id, with their certification as of now. NOT_CERTIFIED matches nobody here (members never certified have none to list).',
  })
  async certifications(
    @Context() context: RequestContext,
    @Args({ type: () => PageArgs }) paging: PageArgs,
    @Args('status', {
      type: () => [CertificationStatus],
      nullable: true,
      description: 'Any of these, as of now; every status when absent or empty.',
    })
    status?: CertificationStatus[] | null,
    @Args('level', { type: () => Int, nullable: true, description: "The current award's level (also once it expired or was revoked)." })
    level?: number | null,
  ): Promise<{ edges: { cursor: string; node: Omit<Certification, 'id'> }[]; pageInfo: PageInfo; totalCount: number }> {
    requireRole(context, [Role.COMMUNITY_MANAGER, Role.AUDITOR], 'listing certifications');
    const filter = { statuses: status ?? null, level: level === null || level === undefined ? null : requireLevel(level) };
    // One moment for the whole page: the filter and every node's status agree.
    const at = new Date();
    const page = await listCertifiedMembers(this.db, filter, pageRequest(paging), at);
    const nodes = await Promise.all(page.edges.map((edge) => certificationView(this.db, this.events, edge.memberId, at)));
    return {
      edges: page.edges.map((edge, i) => ({ cursor: edge.cursor, node: nodes[i]! })),
      pageInfo: page.pageInfo,
      totalCount: page.totalCount,
    };
  }

  @Query(() => Certification, { description: "The caller's own certification: what a group owner looks at." })
  myCertification(@Context() context: RequestContext): Promise<Omit<Certification, 'id'>> {
    const actor = requireActor(context);
    return certificationView(this.db, this.events, actor.id, new Date());
  }

  @Mutation(() => CertificationLevel)
  defineCertificationLevel(
    @Args('input', { type: () => DefineCertificationLevelInput }) input: DefineCertificationLevelInput,
    @Context() context: RequestContext,
  ) {
    return this.commands.execute(new RunUseCase(defineCertificationLevel, input, context));
  }

  @Mutation(() => Certification)
  awardCertification(
    @Args('input', { type: () => AwardCertificationInput }) input: AwardCertificationInput,
    @Context() context: RequestContext,
  ) {
    return this.commands.execute(new RunUseCase(awardCertification, input, context));
  }

  @Mutation(() => Certification)
  renewCertification(
    @Args('input', { type: () => ChangeCertificationInput }) input: ChangeCertificationInput,
    @Context() context: RequestContext,
  ) {
    return this.commands.execute(new RunUseCase(renewCertification, input, context));
  }

  @Mutation(() => Certification)
  suspendCertification(
    @Args('input', { type: () => ChangeCertificationInput }) input: ChangeCertificationInput,
    @Context() context: RequestContext,
  ) {
    return this.commands.execute(new RunUseCase(suspendCertification, input, context));
  }

  @Mutation(() => Certification)
  reinstateCertification(
    @Args('input', { type: () => ChangeCertificationInput }) input: ChangeCertificationInput,
    @Context() context: RequestContext,
  ) {
    return this.commands.execute(new RunUseCase(reinstateCertification, input, context));
  }

  @Mutation(() => Certification)
  revokeCertification(
    @Args('input', { type: () => ChangeCertificationInput }) input: ChangeCertificationInput,
    @Context() context: RequestContext,
  ) {
    return this.commands.execute(new RunUseCase(revokeCertification, input, context));
  }
}
