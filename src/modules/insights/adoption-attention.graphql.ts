import { Field, ID, Int, ObjectType } from '@nestjs/graphql';

@ObjectType({ description: 'A group whose activity reports show no activity in the days asked for, or none at all.' })
export class GroupWithoutActivity {
  @Field(() => ID)
  groupId!: string;

  @Field(() => String, { nullable: true, description: 'Null: no group of the directory has this id (its reports name an unknown group).' })
  name!: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'The latest last-activity day (YYYY-MM-DD, UTC) of its reports over by then; null: never reported (never active).',
  })
  lastActivity!: string | null;

  @Field(() => Int, { nullable: true, description: 'Whole days from the start of lastActivity to the moment; null: never reported.' })
  daysSinceLastActivity!: number | null;

  @Field(() => Int, { description: 'The members its latest report over by then counted.' })
  members!: number;

  @Field(() => String, { description: 'The last day (YYYY-MM-DD) of that report.' })
  reportedUntil!: string;

  @Field(() => Int, { description: 'Its owners then; 0: nobody answers for it.' })
  owners!: number;

  @Field(() => Boolean, {
    description: 'Every owner held a current certification then (as OWNER_CERTIFICATION_COVERAGE counts a group); false without owners.',
  })
  ownersCertified!: boolean;
}

@ObjectType({
  description:
    'The groups without activity for `days` days at a moment, as the log stood then: those some report over by then covers ' +
    'whose last reported activity is older, or never reported. With 30 days, the groups ADOPTION_GROUPS_INACTIVE_30_DAYS counts.',
})
export class GroupsWithoutActivity {
  @Field(() => Date)
  at!: Date;

  @Field(() => Int)
  days!: number;

  @Field(() => Int, { description: 'How many groups there are; `groups` lists the first `first` of them.' })
  total!: number;

  @Field(() => [GroupWithoutActivity], { description: 'Never reported active first, then the longest without activity, then by group id.' })
  groups!: GroupWithoutActivity[];
}
