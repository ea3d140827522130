import { Inject } from '@nestjs/common';
import { Args, Context, Field, ID, ObjectType, Query, Resolver } from '@nestjs/graphql';
import { DataSource } from 'typeorm';
import { requireRole, type RequestContext } from '../../platform/auth/request-context.ts';
import { Role } from '../../platform/auth/role.ts';
import { Group, listGroups } from '../groups/index.ts';
import { Connection, type KeyBound, keysetPage, PageArgs, pageRequest } from '../../platform/graphql/pagination.ts';
import { encodeIdCursor } from '../../platform/shared/id-cursor.ts';
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
  group!: Group;

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
    @Args({ type: () => PageArgs }) paging: PageArgs,
  ): Promise<GroupWithUncertifiedOwnersConnection> {
    requireRole(context, [Role.COMMUNITY_MANAGER, Role.AUDITOR], 'listing groups with uncertified owners');
    const request = pageRequest(paging);
    // Every group is looked at once (in batches) for the total; a directory of a few thousand groups stays cheap.
    const gaps: GroupWithUncertifiedOwners[] = [];
    for (let cursor: string | null = null; ;) {
      const page: Awaited<ReturnType<typeof listGroups>> = await listGroups(this.db, {
        page: { direction: 'forward', size: GROUP_BATCH, cursor },
      });
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
    // Paged in memory the way the read models page in SQL: by group id, compared by code unit (as PostgreSQL's "C"
    // collation compares ids), so a cursor means the same whichever way the client pages.
    gaps.sort((a, b) => compareIds(a.group.id, b.group.id));
    const page = await keysetPage(
      request,
      (gap: GroupWithUncertifiedOwners) => gap.group.id,
      async ({ bound, order, limit }) => {
        const within = bound === null ? gaps : gaps.filter((gap) => isWithin(gap.group.id, bound));
        return (order === 'ASC' ? within : within.toReversed()).slice(0, limit);
      },
    );
    return {
      edges: page.rows.map((node) => ({ cursor: encodeIdCursor(node.group.id), node })),
      pageInfo: page.pageInfo,
      totalCount: gaps.length,
    };
  }
}

function compareIds(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

function isWithin(id: string, bound: KeyBound): boolean {
  const comparison = compareIds(id, bound.key);
  if (comparison === 0) return bound.inclusive;
  return bound.side === 'above' ? comparison > 0 : comparison < 0;
}
