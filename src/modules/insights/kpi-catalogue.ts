import { badInput } from '../../platform/shared/domain-error.ts';
import { isId, requireText } from '../../platform/shared/identifiers.ts';
import { unreachable } from '../../platform/shared/exhaustive.ts';

/**
 * The KPIs community managers set targets on. Each is one number, measured from the event history at a moment, with a
 * fixed direction (whether more or less is better) and a unit; some are also measured per scope (a programme, a
 * department...). Ids are part of stream ids (`kpi_target-<kpi>[-<scope>]`) and of the GraphQL enum: never renamed.
 */
export const KPI_IDS = [
  'OWNER_CERTIFICATION_COVERAGE',
  'TRAINING_COMPLETION_RATE',
  'TRAINING_MEDIAN_DAYS_TO_COMPLETE',
  'AMBASSADOR_DEPARTMENT_COVERAGE',
  'AMBASSADORS_PER_100_MEMBERS',
  'MODERATION_CASES_OPENED_PER_WEEK',
  'MODERATION_MEDIAN_HOURS_TO_DECISION',
  'MODERATION_P90_HOURS_TO_DECISION',
  'MODERATION_BACKLOG',
  'MODERATION_OLDEST_OPEN_CASE_DAYS',
  'MODERATION_APPEAL_RATE',
  'MODERATION_OVERTURNED_SHARE',
  'AGREEMENT_ACCEPTANCE_RATE',
  'CONSENT_RATE',
  'ERASURE_MEDIAN_HOURS_TO_COMPLETE',
  'ERASURES_PENDING',
  'ADOPTION_POSTING_SHARE',
  'ADOPTION_READING_SHARE',
  'ADOPTION_ACTIVE_GROUPS',
  'ADOPTION_GROUPS_INACTIVE_30_DAYS',
] as const;
export type KpiId = (typeof KPI_IDS)[number];

export const KPI_DIRECTIONS = ['AT_LEAST', 'AT_MOST'] as const;
export type KpiDirection = (typeof KPI_DIRECTIONS)[number];

/** RATIO is a share from 0 to 1 (0.8 is 80 %). */
export const KPI_UNITS = ['RATIO', 'COUNT', 'PER_WEEK', 'PER_100_MEMBERS', 'HOURS', 'DAYS'] as const;
export type KpiUnit = (typeof KPI_UNITS)[number];

export const KPI_SCOPE_KINDS = ['NONE', 'PROGRAMME', 'DEPARTMENT', 'DECIDER', 'AGREEMENT', 'PURPOSE', 'GROUP'] as const;
export type KpiScopeKind = (typeof KPI_SCOPE_KINDS)[number];

export interface KpiDefinition {
  readonly kpi: KpiId;
  readonly description: string;
  readonly unit: KpiUnit;
  readonly direction: KpiDirection;
  /** What a scope names; NONE: the KPI has no scopes. */
  readonly scopeKind: KpiScopeKind;
  /** Measured only per scope (no value for the community as a whole). */
  readonly scopeRequired: boolean;
  /** Measured over the period that ends at the moment asked for (otherwise: as things stood at that moment). */
  readonly perPeriod: boolean;
}

const definitions: readonly KpiDefinition[] = [
  {
    kpi: 'OWNER_CERTIFICATION_COVERAGE',
    description: 'Share of groups whose owners are all currently certified (a group without owners fails).',
    unit: 'RATIO',
    direction: 'AT_LEAST',
    scopeKind: 'NONE',
    scopeRequired: false,
    perPeriod: false,
  },
  {
    kpi: 'TRAINING_COMPLETION_RATE',
    description: 'Completed enrolments out of completed and open ones (open: not completed, member still in the community).',
    unit: 'RATIO',
    direction: 'AT_LEAST',
    scopeKind: 'PROGRAMME',
    scopeRequired: false,
    perPeriod: false,
  },
  {
    kpi: 'TRAINING_MEDIAN_DAYS_TO_COMPLETE',
    description: 'Median days from enrolment to completion, of the enrolments completed in the period.',
    unit: 'DAYS',
    direction: 'AT_MOST',
    scopeKind: 'PROGRAMME',
    scopeRequired: false,
    perPeriod: true,
  },
  {
    kpi: 'AMBASSADOR_DEPARTMENT_COVERAGE',
    description: 'Share of the departments of active members that have at least one ACTIVE ambassador.',
    unit: 'RATIO',
    direction: 'AT_LEAST',
    scopeKind: 'NONE',
    scopeRequired: false,
    perPeriod: false,
  },
  {
    kpi: 'AMBASSADORS_PER_100_MEMBERS',
    description: 'ACTIVE ambassadors per 100 active members (in a department: its ambassadors per 100 of its members).',
    unit: 'PER_100_MEMBERS',
    direction: 'AT_LEAST',
    scopeKind: 'DEPARTMENT',
    scopeRequired: false,
    perPeriod: false,
  },
  {
    kpi: 'MODERATION_CASES_OPENED_PER_WEEK',
    description: 'Moderation cases opened in the period, per week of the period.',
    unit: 'PER_WEEK',
    direction: 'AT_MOST',
    scopeKind: 'NONE',
    scopeRequired: false,
    perPeriod: true,
  },
  {
    kpi: 'MODERATION_MEDIAN_HOURS_TO_DECISION',
    description: 'Median hours from the first flag to the decision, of the cases decided in the period.',
    unit: 'HOURS',
    direction: 'AT_MOST',
    scopeKind: 'NONE',
    scopeRequired: false,
    perPeriod: true,
  },
  {
    kpi: 'MODERATION_P90_HOURS_TO_DECISION',
    description: '90th percentile (nearest rank) of the hours from the first flag to the decision, of the cases decided in the period.',
    unit: 'HOURS',
    direction: 'AT_MOST',
    scopeKind: 'NONE',
    scopeRequired: false,
    perPeriod: true,
  },
  {
    kpi: 'MODERATION_BACKLOG',
    description: 'Cases open or in review.',
    unit: 'COUNT',
    direction: 'AT_MOST',
    scopeKind: 'NONE',
    scopeRequired: false,
    perPeriod: false,
  },
  {
    kpi: 'MODERATION_OLDEST_OPEN_CASE_DAYS',
    description: 'Days since the first flag of the oldest case still open or in review.',
    unit: 'DAYS',
    direction: 'AT_MOST',
    scopeKind: 'NONE',
    scopeRequired: false,
    perPeriod: false,
  },
  {
    kpi: 'MODERATION_APPEAL_RATE',
    description: 'Share of the appealable decisions (any outcome but NO_ACTION) made so far that were appealed.',
    unit: 'RATIO',
    direction: 'AT_MOST',
    scopeKind: 'DECIDER',
    scopeRequired: false,
    perPeriod: false,
  },
  {
    kpi: 'MODERATION_OVERTURNED_SHARE',
    description: 'Share of the decisions made so far that were overturned on appeal (per decider: consistency).',
    unit: 'RATIO',
    direction: 'AT_MOST',
    scopeKind: 'DECIDER',
    scopeRequired: false,
    perPeriod: false,
  },
  {
    kpi: 'AGREEMENT_ACCEPTANCE_RATE',
    description:
      'Share of active members who accepted the version of the agreement that binds them (overall: of every member-agreement pair).',
    unit: 'RATIO',
    direction: 'AT_LEAST',
    scopeKind: 'AGREEMENT',
    scopeRequired: false,
    perPeriod: false,
  },
  {
    kpi: 'CONSENT_RATE',
    description: 'Share of active members who have given consent for the purpose.',
    unit: 'RATIO',
    direction: 'AT_LEAST',
    scopeKind: 'PURPOSE',
    scopeRequired: true,
    perPeriod: false,
  },
  {
    kpi: 'ERASURE_MEDIAN_HOURS_TO_COMPLETE',
    description: 'Median hours from an erasure request to its completion, of the erasures completed in the period.',
    unit: 'HOURS',
    direction: 'AT_MOST',
    scopeKind: 'NONE',
    scopeRequired: false,
    perPeriod: true,
  },
  {
    kpi: 'ERASURES_PENDING',
    description: 'Erasure requests not completed yet.',
    unit: 'COUNT',
    direction: 'AT_MOST',
    scopeKind: 'NONE',
    scopeRequired: false,
    perPeriod: false,
  },
  // Adoption (issue 24): from the groups' imported usage reports, as recorded by the moment asked for. A group's
  // "latest report" is its latest period that had ended by then (a corrected report replacing the earlier figures).
  {
    kpi: 'ADOPTION_POSTING_SHARE',
    description:
      "Members who posted out of members, summed over each group's latest reported period that had ended by then (groups with members and a poster count only: Viva Engage gives none; a member of two groups counts twice).",
    unit: 'RATIO',
    direction: 'AT_LEAST',
    scopeKind: 'GROUP',
    scopeRequired: false,
    perPeriod: false,
  },
  {
    kpi: 'ADOPTION_READING_SHARE',
    description:
      "Members who read out of members, summed over each group's latest reported period that had ended by then (groups with members and a reader count only: Viva Engage gives none; a member of two groups counts twice).",
    unit: 'RATIO',
    direction: 'AT_LEAST',
    scopeKind: 'GROUP',
    scopeRequired: false,
    perPeriod: false,
  },
  {
    kpi: 'ADOPTION_ACTIVE_GROUPS',
    description:
      'Groups whose last reported activity falls in the 30 days before the moment (only as recent as the reports recorded by then; null before any report).',
    unit: 'COUNT',
    direction: 'AT_LEAST',
    scopeKind: 'NONE',
    scopeRequired: false,
    perPeriod: false,
  },
  {
    kpi: 'ADOPTION_GROUPS_INACTIVE_30_DAYS',
    description:
      'Groups some report covers whose last reported activity is more than 30 days before the moment, or not reported at all (a group no report names is not counted; null before any report).',
    unit: 'COUNT',
    direction: 'AT_MOST',
    scopeKind: 'NONE',
    scopeRequired: false,
    perPeriod: false,
  },
];

export const KPI_DEFINITIONS: ReadonlyMap<KpiId, KpiDefinition> = new Map(definitions.map((d) => [d.kpi, d]));

export function isKpiId(value: unknown): value is KpiId {
  return typeof value === 'string' && (KPI_IDS as readonly string[]).includes(value);
}

export function kpiDefinition(kpi: KpiId): KpiDefinition {
  return KPI_DEFINITIONS.get(kpi)!;
}

export function requireKpi(value: string): KpiDefinition {
  if (!isKpiId(value)) throw badInput(`kpi must be one of ${KPI_IDS.join(', ')}`, { field: 'kpi' });
  return kpiDefinition(value);
}

/** The consent purposes of the privacy module: lower-case letters, digits and underscores. */
const PURPOSE = /^[a-z][a-z0-9_]{0,49}$/;
export const DEPARTMENT_SCOPE_MAX = 100;

/** The scope as the KPI accepts it (trimmed), or a BAD_USER_INPUT that says what it should be. */
export function requireScope(definition: KpiDefinition, scope: string | null | undefined): string | null {
  const given = scope === null || scope === undefined || scope.trim() === '' ? null : scope.trim();
  if (definition.scopeKind === 'NONE') {
    if (given !== null) throw badInput(`${definition.kpi} has no scopes: leave scope out`, { field: 'scope' });
    return null;
  }
  const kind = definition.scopeKind.toLowerCase();
  if (given === null) {
    if (definition.scopeRequired)
      throw badInput(`${definition.kpi} is measured per ${kind}: give the ${kind} as scope`, { field: 'scope' });
    return null;
  }
  switch (definition.scopeKind) {
    case 'DEPARTMENT':
      return requireText(given, 'scope', DEPARTMENT_SCOPE_MAX);
    case 'PURPOSE':
      if (!PURPOSE.test(given)) throw badInput('scope must be a consent purpose: lower-case letters, digits and _', { field: 'scope' });
      return given;
    case 'PROGRAMME':
    case 'DECIDER':
    case 'AGREEMENT':
    case 'GROUP':
      if (!isId(given)) throw badInput(`scope must be a ${kind} id: 1 to 100 letters, digits or . _ : @ - characters`, { field: 'scope' });
      return given;
    default:
      return unreachable('KPI scope kind', definition.scopeKind);
  }
}

/** Shares are from 0 to 1; everything else is a number from 0. */
export function requireTargetValue(definition: KpiDefinition, value: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw badInput('value must be a number from 0', { field: 'value' });
  }
  if (definition.unit === 'RATIO' && value > 1) throw badInput('value is a share: from 0 to 1 (0.8 for 80 %)', { field: 'value' });
  return value;
}

/** Whether `value` meets `target`; null when there is nothing to compare. */
export function targetMet(direction: KpiDirection, value: number | null, target: number | null): boolean | null {
  if (value === null || target === null) return null;
  return direction === 'AT_LEAST' ? value >= target : value <= target;
}
