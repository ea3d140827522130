import { Field, Float, ID, InputType, Int, ObjectType } from '@nestjs/graphql';
import { UncertifiedOwner } from '../certification/index.ts';
import { graphqlEnum } from '../../platform/graphql/graphql-enum.ts';
import { Node, NodeIdField } from '../../platform/graphql/node.ts';
import {
  KPI_DIRECTIONS,
  KPI_IDS,
  KPI_SCOPE_KINDS,
  KPI_UNITS,
  kpiDefinition,
  type KpiDirection as KpiDirectionId,
  type KpiId,
  type KpiScopeKind as KpiScopeKindId,
  type KpiUnit as KpiUnitId,
} from './kpi-catalogue.ts';
import { INSIGHT_STEPS, type InsightStep } from './insights-timeline.ts';
import { AdoptionComparisons } from './adoption-comparisons.graphql.ts';

export const Kpi = graphqlEnum('Kpi', KPI_IDS, {
  description: 'A governance KPI: one number, measured from the event history at any moment.',
  valueDescriptions: Object.fromEntries(KPI_IDS.map((kpi) => [kpi, kpiDefinition(kpi).description])),
});

export const KpiDirection = graphqlEnum('KpiDirection', KPI_DIRECTIONS, {
  description: 'Whether a value meets its target at or above it (AT_LEAST) or at or below it (AT_MOST).',
});

export const KpiUnit = graphqlEnum('KpiUnit', KPI_UNITS, { description: 'RATIO is a share from 0 to 1 (0.8 is 80 %).' });

export const KpiScopeKind = graphqlEnum('KpiScopeKind', KPI_SCOPE_KINDS, {
  description: 'What the scope of a KPI names; NONE: it has no scopes.',
});

export const InsightPeriod = graphqlEnum('InsightPeriod', INSIGHT_STEPS, {
  description: 'WEEK: 7 days. MONTH: a calendar month (UTC), the day of the month kept (or the last day of a shorter month).',
});

@ObjectType('KpiDefinition', { implements: () => [Node] })
export class KpiDefinitionType {
  @NodeIdField<KpiDefinitionType>('KpiDefinition', (definition) => [definition.kpi])
  id?: string; // computed when read: the objects answered need not carry it

  @Field(() => Kpi)
  kpi!: KpiId;

  @Field(() => String)
  description!: string;

  @Field(() => KpiUnit)
  unit!: KpiUnitId;

  @Field(() => KpiDirection)
  direction!: KpiDirectionId;

  @Field(() => KpiScopeKind)
  scopeKind!: KpiScopeKindId;

  @Field(() => Boolean, { description: 'Measured only per scope: a target needs a scope.' })
  scopeRequired!: boolean;

  @Field(() => Boolean, { description: 'Measured over the period that ends at the moment asked for; otherwise as things stood then.' })
  perPeriod!: boolean;
}

@ObjectType({
  description: 'A target a community manager set on a KPI, for the KPI as a whole or for one scope of it.',
  implements: () => [Node],
})
export class KpiTarget {
  // Its stream names it: one target per KPI and scope.
  @NodeIdField<KpiTarget>('KpiTarget', (target) => [target.streamId])
  id?: string; // computed when read: the objects answered need not carry it

  @Field(() => Kpi)
  kpi!: KpiId;

  @Field(() => String, { nullable: true, description: 'Null: the KPI as a whole, and every scope without a target of its own.' })
  scope!: string | null;

  @Field(() => Float, { nullable: true, description: 'Null: no target (it was cleared).' })
  value!: number | null;

  @Field(() => KpiDirection)
  direction!: KpiDirectionId;

  @Field(() => ID, { nullable: true, description: 'Who set (or cleared) it last; null: never set.' })
  changedBy!: string | null;

  @Field(() => Date, { nullable: true })
  changedAt!: Date | null;

  @Field(() => String, { description: 'kpi_target-<kpi>[-<scope>]: what auditors pass to streamStateAt.' })
  streamId!: string;

  @Field(() => Int, { description: "The revision of the target's stream: what expectedRevision compares with." })
  revision!: number;
}

@ObjectType({ description: "A KPI's value at a moment, with the target that applied then." })
export class KpiValue {
  @Field(() => Kpi)
  kpi!: KpiId;

  @Field(() => String, { nullable: true, description: 'Null: the community as a whole.' })
  scope!: string | null;

  @Field(() => Float, { nullable: true, description: 'Null: nothing to measure (no groups, no decisions in the period...).' })
  value!: number | null;

  @Field(() => KpiUnit)
  unit!: KpiUnitId;

  @Field(() => KpiDirection)
  direction!: KpiDirectionId;

  @Field(() => KpiTarget, { nullable: true, description: "The scope's own target, else the KPI's, as it was set at that moment." })
  target!: KpiTarget | null;

  @Field(() => Boolean, { nullable: true, description: 'Null without a target or without a value.' })
  met!: boolean | null;
}

@ObjectType()
export class GroupCertificationGap {
  @Field(() => ID)
  groupId!: string;

  @Field(() => String)
  name!: string;

  @Field(() => Int, { description: '0: nobody answers for the group, so it fails.' })
  owners!: number;

  @Field(() => [UncertifiedOwner], { description: 'Its owners who were not certified then, in the order they became owners.' })
  uncertifiedOwners!: UncertifiedOwner[];
}

@ObjectType()
export class OwnerCertificationInsight {
  @Field(() => Int)
  groups!: number;

  @Field(() => Int, { description: 'Groups with at least one owner, every one of them certified (CERTIFIED or DUE_FOR_RENEWAL).' })
  coveredGroups!: number;

  @Field(() => Float, { nullable: true, description: 'coveredGroups / groups; null without groups.' })
  coverage!: number | null;

  @Field(() => Int)
  failingGroupCount!: number;
}

@ObjectType()
export class ProgrammeTrainingInsight {
  @Field(() => ID)
  programmeId!: string;

  @Field(() => String, { nullable: true, description: 'Null for a programme with enrolments but no definition at that moment.' })
  title!: string | null;

  @Field(() => Int)
  completed!: number;

  @Field(() => Int, { description: 'Not completed, of members still in the community.' })
  open!: number;

  @Field(() => Float, { nullable: true, description: 'completed / (completed + open); null when both are 0.' })
  completionRate!: number | null;

  @Field(() => Int)
  completedInPeriod!: number;

  @Field(() => Float, { nullable: true, description: 'Of the enrolments completed in the period; null when none was.' })
  medianDaysToComplete!: number | null;
}

@ObjectType()
export class TrainingInsight {
  @Field(() => Int)
  completed!: number;

  @Field(() => Int)
  open!: number;

  @Field(() => Float, { nullable: true })
  completionRate!: number | null;

  @Field(() => Int)
  completedInPeriod!: number;

  @Field(() => Float, { nullable: true })
  medianDaysToComplete!: number | null;

  @Field(() => [ProgrammeTrainingInsight], { description: 'By programme id.' })
  programmes!: ProgrammeTrainingInsight[];
}

@ObjectType()
export class DepartmentAmbassadorInsight {
  @Field(() => String)
  department!: string;

  @Field(() => Int)
  activeMembers!: number;

  @Field(() => Int, { description: 'ACTIVE ambassadors representing the department, who are still members.' })
  activeAmbassadors!: number;

  @Field(() => Float, { nullable: true, description: 'activeAmbassadors per 100 activeMembers; null without members.' })
  perHundredMembers!: number | null;
}

@ObjectType()
export class AmbassadorInsight {
  @Field(() => Int, { description: 'Departments of active members.' })
  departments!: number;

  @Field(() => Int, { description: 'Of those, the departments with at least one ACTIVE ambassador.' })
  coveredDepartments!: number;

  @Field(() => Float, { nullable: true })
  coverage!: number | null;

  @Field(() => Int)
  activeMembers!: number;

  @Field(() => Int)
  activeAmbassadors!: number;

  @Field(() => Float, { nullable: true })
  perHundredMembers!: number | null;

  @Field(() => [DepartmentAmbassadorInsight], {
    description: 'By department: those of active members, and any an active ambassador represents.',
  })
  byDepartment!: DepartmentAmbassadorInsight[];
}

@ObjectType({ description: 'Decisions made up to the moment, and what their appeals had come to by then.' })
export class DeciderModerationInsight {
  @Field(() => ID)
  deciderId!: string;

  @Field(() => Int)
  decisions!: number;

  @Field(() => Int, { description: 'Decisions with an outcome other than NO_ACTION: the ones that can be appealed.' })
  appealable!: number;

  @Field(() => Int)
  appealed!: number;

  @Field(() => Int)
  overturned!: number;

  @Field(() => Float, { nullable: true, description: 'appealed / appealable.' })
  appealRate!: number | null;

  @Field(() => Float, { nullable: true, description: 'overturned / decisions.' })
  overturnedShare!: number | null;
}

@ObjectType()
export class ModerationInsight {
  @Field(() => Int, { description: 'Cases opened in the period.' })
  casesOpened!: number;

  @Field(() => Float, { description: 'casesOpened per 7 days of the period.' })
  casesOpenedPerWeek!: number;

  @Field(() => Int, { description: 'Cases decided in the period.' })
  casesDecided!: number;

  @Field(() => Float, { nullable: true, description: 'From the first flag to the decision, of the cases decided in the period.' })
  medianHoursToDecision!: number | null;

  @Field(() => Float, { nullable: true, description: 'Nearest-rank 90th percentile of the same.' })
  p90HoursToDecision!: number | null;

  @Field(() => Int, { description: 'Cases open or in review.' })
  backlog!: number;

  @Field(() => Float, { nullable: true, description: 'Days since the first flag of the oldest case in the backlog.' })
  oldestOpenCaseDays!: number | null;

  @Field(() => Int, { description: 'Decisions made up to the moment (as are the appeal figures).' })
  decisions!: number;

  @Field(() => Int)
  appealable!: number;

  @Field(() => Int)
  appealed!: number;

  @Field(() => Int)
  overturned!: number;

  @Field(() => Float, { nullable: true })
  appealRate!: number | null;

  @Field(() => Float, { nullable: true })
  overturnedShare!: number | null;

  @Field(() => [DeciderModerationInsight], { description: 'By decider id: how consistent each one is.' })
  byDecider!: DeciderModerationInsight[];
}

@ObjectType()
export class AgreementAcceptanceInsight {
  @Field(() => ID)
  agreementId!: string;

  @Field(() => String)
  title!: string;

  @Field(() => Int)
  currentVersion!: number;

  @Field(() => Int, { description: 'The version members must have accepted (or a later one).' })
  bindingVersion!: number;

  @Field(() => Int)
  activeMembers!: number;

  @Field(() => Int)
  accepted!: number;

  @Field(() => Float, { nullable: true })
  acceptanceRate!: number | null;
}

@ObjectType()
export class AgreementInsight {
  @Field(() => Int)
  activeMembers!: number;

  @Field(() => Float, { nullable: true, description: 'Of every pair of an active member and a published agreement.' })
  acceptanceRate!: number | null;

  @Field(() => [AgreementAcceptanceInsight], { description: 'By agreement id.' })
  agreements!: AgreementAcceptanceInsight[];
}

@ObjectType()
export class ConsentInsight {
  @Field(() => String)
  purpose!: string;

  @Field(() => Int, { description: 'Active members who have given it.' })
  given!: number;

  @Field(() => Float, { nullable: true })
  share!: number | null;
}

@ObjectType()
export class ErasureInsight {
  @Field(() => Int, { description: 'Requests made up to the moment.' })
  requested!: number;

  @Field(() => Int)
  completed!: number;

  @Field(() => Int)
  pending!: number;

  @Field(() => Int)
  requestedInPeriod!: number;

  @Field(() => Int)
  completedInPeriod!: number;

  @Field(() => Float, { nullable: true, description: 'From request to completion, of the erasures completed in the period.' })
  medianHoursToComplete!: number | null;

  @Field(() => Float, { nullable: true })
  oldestPendingDays!: number | null;
}

@ObjectType()
export class PrivacyInsight {
  @Field(() => Int)
  activeMembers!: number;

  @Field(() => [ConsentInsight], { description: 'By purpose: every purpose ever consented to.' })
  consents!: ConsentInsight[];

  @Field(() => ErasureInsight)
  erasure!: ErasureInsight;
}

@ObjectType({
  description:
    'The KPIs as the event log stood at `at`: stocks (backlog, coverage...) at that moment, flows (cases opened, time to ' +
    'decision...) over the period (periodStart, at]. Later events never change them.',
})
export class GovernanceInsights {
  @Field(() => Date)
  at!: Date;

  @Field(() => Date, { description: 'Exclusive; the period ends at `at`.' })
  periodStart!: Date;

  @Field(() => OwnerCertificationInsight)
  ownerCertification!: OwnerCertificationInsight;

  @Field(() => TrainingInsight)
  training!: TrainingInsight;

  @Field(() => AmbassadorInsight)
  ambassadors!: AmbassadorInsight;

  @Field(() => ModerationInsight)
  moderation!: ModerationInsight;

  @Field(() => AgreementInsight)
  agreements!: AgreementInsight;

  @Field(() => PrivacyInsight)
  privacy!: PrivacyInsight;

  @Field(() => AdoptionComparisons, {
    description: 'Activity of groups with vs without certified owners or an ambassador nearby, and before vs after an award.',
  })
  adoptionComparisons!: AdoptionComparisons;
}

@ObjectType()
export class GovernanceInsightSeries {
  @Field(() => Date)
  from!: Date;

  @Field(() => Date)
  to!: Date;

  @Field(() => InsightPeriod)
  step!: InsightStep;

  @Field(() => [GovernanceInsights], {
    description: 'At from, then every step up to to (none after now); each covers the step since the one before.',
  })
  points!: GovernanceInsights[];
}

@InputType()
export class SetKpiTargetInput {
  @Field(() => Kpi)
  kpi!: KpiId;

  @Field(() => String, { nullable: true, description: 'A programme, department, decider, agreement, purpose or group, as the KPI takes.' })
  scope?: string | null;

  @Field(() => Float, { description: 'RATIO targets are shares from 0 to 1.' })
  value!: number;

  @Field(() => String, { nullable: true })
  reason?: string | null;

  @Field(() => ID, { nullable: true })
  commandId?: string | null;

  @Field(() => Int, { nullable: true })
  expectedRevision?: number | null;
}

@InputType()
export class ClearKpiTargetInput {
  @Field(() => Kpi)
  kpi!: KpiId;

  @Field(() => String, { nullable: true })
  scope?: string | null;

  @Field(() => String, { nullable: true })
  reason?: string | null;

  @Field(() => ID, { nullable: true })
  commandId?: string | null;

  @Field(() => Int, { nullable: true })
  expectedRevision?: number | null;
}
