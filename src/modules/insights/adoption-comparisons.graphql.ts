import { Field, Float, Int, ObjectType } from '@nestjs/graphql';
import { MINIMUM_GROUPS_PER_SIDE, WEEKS_AROUND_AWARD } from './adoption-comparisons.ts';

@ObjectType({
  description:
    'One side of an adoption comparison: its groups and their activity, summed as ADOPTION_POSTING_SHARE and ' +
    'ADOPTION_READING_SHARE sum it (posters over members, large groups weighing more).',
})
export class AdoptionComparisonSide {
  @Field(() => Int)
  groups!: number;

  @Field(() => Float, {
    description: "All members of the side's groups (before/after: each group's mean over its report periods in the window).",
  })
  members!: number;

  @Field(() => Float, { description: 'Posters of the groups whose reports count them (Viva Engage counts messages, not people).' })
  posters!: number;

  @Field(() => Float, { description: 'Readers of the groups whose reports count them.' })
  readers!: number;

  @Field(() => Float, { nullable: true, description: 'posters / the members of the groups that count posters; null: none does.' })
  postingShare!: number | null;

  @Field(() => Float, { nullable: true, description: 'readers / the members of the groups that count readers; null: none does.' })
  readingShare!: number | null;

  @Field(() => Boolean, { description: `Fewer than ${MINIMUM_GROUPS_PER_SIDE} groups: its shares can swing with one group.` })
  sampleTooSmall!: boolean;
}

const difference = (sides: string) => ({ nullable: true, description: `${sides}; null when either share is null.` });
const SAMPLE_TOO_SMALL = { description: `Either side has fewer than ${MINIMUM_GROUPS_PER_SIDE} groups.` };
const CAVEAT = { description: 'What the comparison can and cannot show (correlation, group sizes, sample size), in plain English.' };

@ObjectType({
  description:
    'Groups whose owners all held a current certification at that moment (as OWNER_CERTIFICATION_COVERAGE counts a ' +
    'group covered) against the other groups, groups without owners included; each by its latest report period over by then.',
})
export class CertifiedOwnersComparison {
  @Field(() => AdoptionComparisonSide)
  certified!: AdoptionComparisonSide;

  @Field(() => AdoptionComparisonSide)
  uncertified!: AdoptionComparisonSide;

  @Field(() => Float, difference('certified minus uncertified'))
  postingShareDifference!: number | null;

  @Field(() => Float, difference('certified minus uncertified'))
  readingShareDifference!: number | null;

  @Field(() => Boolean, SAMPLE_TOO_SMALL)
  sampleTooSmall!: boolean;

  @Field(() => String, CAVEAT)
  caveat!: string;
}

@ObjectType({
  description:
    'Groups with an active ambassador in their department against the others, each by its latest report period over by ' +
    "then. Groups have no department of their own: a group's departments are those of its owners who are still members, " +
    'and a group whose owners have none (no owners, or owners who left) counts as without.',
})
export class AmbassadorNearbyComparison {
  @Field(() => AdoptionComparisonSide)
  withAmbassador!: AdoptionComparisonSide;

  @Field(() => AdoptionComparisonSide)
  withoutAmbassador!: AdoptionComparisonSide;

  @Field(() => Float, difference('withAmbassador minus withoutAmbassador'))
  postingShareDifference!: number | null;

  @Field(() => Float, difference('withAmbassador minus withoutAmbassador'))
  readingShareDifference!: number | null;

  @Field(() => Boolean, SAMPLE_TOO_SMALL)
  sampleTooSmall!: boolean;

  @Field(() => String, CAVEAT)
  caveat!: string;
}

@ObjectType({
  description:
    `Each group against itself around the day (UTC) the first of its current owners was first certified: its report ` +
    `periods wholly in the ${WEEKS_AROUND_AWARD} weeks before that day against those wholly in the ${WEEKS_AROUND_AWARD} ` +
    'weeks from it (over by then), each group as its mean over its periods in a window. Only groups with a period on ' +
    'both sides count, so both sides hold the same groups.',
})
export class CertificationBeforeAfterComparison {
  @Field(() => Int, { description: `The weeks on each side of the award day: ${WEEKS_AROUND_AWARD}.` })
  weeks!: number;

  @Field(() => AdoptionComparisonSide)
  before!: AdoptionComparisonSide;

  @Field(() => AdoptionComparisonSide)
  after!: AdoptionComparisonSide;

  @Field(() => Float, difference('after minus before'))
  postingShareDifference!: number | null;

  @Field(() => Float, difference('after minus before'))
  readingShareDifference!: number | null;

  @Field(() => Float, { nullable: true, description: 'after.members minus before.members; null when no group is compared.' })
  membersDifference!: number | null;

  @Field(() => Float, {
    nullable: true,
    description: 'after.posters minus before.posters; null when either side has no group whose reports count posters.',
  })
  postersDifference!: number | null;

  @Field(() => Float, {
    nullable: true,
    description: 'after.readers minus before.readers; null when either side has no group whose reports count readers.',
  })
  readersDifference!: number | null;

  @Field(() => Boolean, SAMPLE_TOO_SMALL)
  sampleTooSmall!: boolean;

  @Field(() => String, CAVEAT)
  caveat!: string;
}

@ObjectType({
  description:
    'Do groups do better where governance work was done? Activity compared three ways at that moment. Each shows a ' +
    'correlation at best, never a cause: read its caveat.',
})
export class AdoptionComparisons {
  @Field(() => Int, { description: 'A side with fewer groups is flagged sampleTooSmall.' })
  minimumGroupsPerSide!: number;

  @Field(() => CertifiedOwnersComparison)
  certifiedOwners!: CertifiedOwnersComparison;

  @Field(() => AmbassadorNearbyComparison)
  ambassadorInDepartment!: AmbassadorNearbyComparison;

  @Field(() => CertificationBeforeAfterComparison)
  beforeAfterCertification!: CertificationBeforeAfterComparison;
}
