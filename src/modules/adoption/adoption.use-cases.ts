import type { DataSource } from 'typeorm';
import { requireRole, type RequestContext } from '../../platform/auth/request-context.ts';
import { Role } from '../../platform/auth/role.ts';
import { idInStream, useCasesFor } from '../../platform/command/use-case.ts';
import { badInput } from '../../platform/shared/domain-error.ts';
import { groupsByIdOrName } from '../groups/index.ts';
import { parseActivityReport } from './activity-report.ts';
import type { ActivityImportResult, ImportGroupActivityInput } from './adoption.graphql.ts';
import {
  ACTIVITY_REPORT_FORMATS,
  groupActivityDecider,
  groupActivityStreamId,
  type ActivityFigures,
  type ActivityPeriod,
  type ActivityReportFormat,
} from './group-activity.decider.ts';
import { matchableName, planActivityImport, type ActivityImportPlan } from './import-plan.ts';
import { externalMappingsFor } from './read-models/group-mappings.queries.ts';

/** Usage reports are the community team's: they run the programme whose adoption the figures measure. */
const IMPORTERS = [Role.COMMUNITY_MANAGER];
const ACTION = 'importing group activity';
/** Groups recorded at the same time: a 2,000-group report does not take 2,000 round trips one after the other. */
export const CONCURRENT_GROUPS = 8;

/** One matched row of a report, recorded on its group's stream with the import's commandId. */
export interface RecordGroupActivityInput {
  readonly groupId: string;
  readonly period: ActivityPeriod;
  readonly figures: ActivityFigures;
  readonly source: ActivityReportFormat;
  readonly commandId?: string | null;
}

export const recordGroupActivity = useCasesFor(groupActivityDecider)<RecordGroupActivityInput, void>({
  action: ACTION,
  roles: IMPORTERS,
  // No read model holds the figures yet (the adoption KPIs will): nothing to wait for before answering.
  readModels: [],
  // The group comes from the groups read model (planGroupActivityImport), never from the caller as such.
  stream: ({ input }) => groupActivityStreamId(input.groupId),
  command: ({ input, actor }, { streamId, at }) => ({
    type: 'RecordGroupActivity',
    groupId: idInStream(streamId),
    period: input.period,
    figures: input.figures,
    source: input.source,
    actorId: actor.id,
    at,
  }),
  // The mutation answers the import as a whole (activityImportResult), not one group.
  answer: async () => undefined,
});

/**
 * Validates the whole file and matches its rows to our groups, what community managers mapped first (import-plan.ts):
 * what `recordGroupActivity` then records, group by group. All or nothing for invalid input: a single rejected row and the plan matches nothing, so nothing is recorded.
 * The input's commandId goes with every group's command: a retry finds each group's events by it, and the same
 * commandId with another file is refused (CONFLICT) before anything is recorded. Once the file is valid, a failure
 * halfway (the database went away) can leave some groups recorded: importing the same file again records the rest and
 * repeats nothing.
 */
export async function planGroupActivityImport(
  db: DataSource,
  input: ImportGroupActivityInput,
  context: RequestContext,
): Promise<ActivityImportPlan> {
  // The role before the input: a caller who may not import learns nothing about which groups would match.
  requireRole(context, IMPORTERS, ACTION);
  if (typeof input.csv !== 'string') throw badInput('csv must be the text of the report', { field: 'csv' });
  if (!(ACTIVITY_REPORT_FORMATS as readonly string[]).includes(input.format)) {
    throw badInput(`format must be one of ${ACTIVITY_REPORT_FORMATS.join(', ')}`, { field: 'format' });
  }
  const report = parseActivityReport(input.csv, input.format);
  const ids = report.rows.flatMap((row) => (row.groupId === null ? [] : [row.groupId]));
  const names = report.rows.flatMap((row) => (row.groupName === null ? [] : [matchableName(row.groupName)]));
  const [groups, mappings] = await Promise.all([
    groupsByIdOrName(db, [...new Set(ids)], [...new Set(names)]),
    externalMappingsFor(db, input.format, [...new Set(ids)], [...new Set(names)]),
  ]);
  return planActivityImport(report.rows, report.errors, groups, mappings);
}

/** What the import answers once every matched group is recorded. */
export function activityImportResult(plan: ActivityImportPlan): ActivityImportResult {
  return {
    periodStart: plan.periodStart === null ? null : new Date(`${plan.periodStart}T00:00:00Z`),
    // The end of the last day: the period is the days it covers, both included.
    periodEnd: plan.periodEnd === null ? null : new Date(Date.parse(`${plan.periodEnd}T00:00:00Z`) + 86_400_000),
    rowsImported: plan.matched.length,
    rowsUnmatched: plan.unmatched,
    rowsRejected: plan.rejected.map((error) => ({ row: error.row, message: error.message })),
  };
}
