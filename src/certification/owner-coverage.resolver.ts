import { Inject } from '@nestjs/common';
import { Args, Context, Field, ID, Int, ObjectType, Query, Resolver } from '@nestjs/graphql';
import { DataSource } from 'typeorm';
import { requireRole, type RequestContext } from '../auth/request-context.ts';
import { Role } from '../auth/role.ts';
import { Group } from '../groups/group.graphql.ts';
import { listGroups, type GroupView } from '../groups/index.ts';
import { Connection, pageSize } from '../graphql/pagination.ts';
import { decodeIdCursor, encodeIdCursor } from '../shared/id-cursor.ts';
import { CertificationStatus } from './certification.graphql.ts';
import { certificationStatuses } from './read-models/certification.queries.ts';

/** A status under which an owner counts as certified now. */
const CURRENT = new Set<string>(['CERTIFIED', 'DUE_FOR_RENEWAL']);
const GROUP_BATCH = 500;

@ObjectType()
export class UncertifiedOwner {
  @Field(() => ID)
  memberId!: string;

  @Field(() => CertificationStatus)
  status!: CertificationStatus;
}

@ObjectType()
export class GroupWithUncertifiedOwners {
  @Field(() => Group)
  group!: GroupView;

  @Field(() => [UncertifiedOwner], { description: 'Its owners who are not currently certified, in the order they became owners.' })
  uncertifiedOwners!: UncertifiedOwner[];
}

@ObjectType()
export class GroupWithUncertifiedOwnersConnection extends Connection(GroupWithUncertifiedOwners) {}

/**
 * Which groups are run by owners who are not currently certified (none, expired, suspended or revoked): what community
 * managers follow up on. Read from the groups and certifications read models through their modules' queries.
 */
@Resolver(() => GroupWithUncertifiedOwners)
export class OwnerCoverageResolver {
  constructor(@Inject(DataSource) private readonly db: DataSource) {}

  @Query(() => GroupWithUncertifiedOwnersConnection, {
    description: 'Community managers and auditors: groups with at least one owner who is not currently certified, by group id.',
  })
  async groupsWithUncertifiedOwners(
    @Context() context: RequestContext,
    @Args('first', { type: () => Int, nullable: true }) first?: number | null,
    @Args('after', { type: () => String, nullable: true }) after?: string | null,
  ): Promise<GroupWithUncertifiedOwnersConnection> {
    requireRole(context, [Role.COMMUNITY_MANAGER, Role.AUDITOR], 'listing groups with uncertified owners');
    const size = pageSize(first);
    const afterId = after === null || after === undefined ? null : decodeIdCursor(after);
    // Every group is looked at once (in batches) for the total; a directory of a few thousand groups stays cheap.
    const gaps: GroupWithUncertifiedOwners[] = [];
    for (let cursor: string | null = null; ;) {
      const page = await listGroups(this.db, { first: GROUP_BATCH, after: cursor });
      const statuses = await certificationStatuses(this.db, [...new Set(page.nodes.flatMap((group) => group.owners))]);
      for (const group of page.nodes) {
        const uncertifiedOwners = group.owners
          .map((memberId) => ({ memberId, status: (statuses.get(memberId) ?? 'NOT_CERTIFIED') as CertificationStatus }))
          .filter((owner) => !CURRENT.has(owner.status));
        if (uncertifiedOwners.length > 0) gaps.push({ group, uncertifiedOwners });
      }
      if (!page.hasNextPage) break;
      cursor = page.endCursor;
    }
    const start = afterId === null ? 0 : gaps.findIndex((gap) => gap.group.id > afterId);
    const nodes = start < 0 ? [] : gaps.slice(start, start + size);
    return {
      edges: nodes.map((node) => ({ cursor: encodeIdCursor(node.group.id), node })),
      pageInfo: {
        hasNextPage: start >= 0 && start + size < gaps.length,
        endCursor: nodes.length > 0 ? encodeIdCursor(nodes.at(-1)!.group.id) : null,
      },
      totalCount: gaps.length,
    };
  }
}
