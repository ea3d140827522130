import { Inject } from '@nestjs/common';
import { CommandHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { requireActor, requireRole } from '../../platform/auth/request-context.ts';
import { Role } from '../../platform/auth/role.ts';
import { CommandPipeline } from '../../platform/command/command-pipeline.ts';
import { InputCommand } from '../../platform/command/input-command.ts';
import { groupsByIdOrName } from '../groups/index.ts';
import { badInput } from '../../platform/shared/domain-error.ts';
import { parseActivityReport } from './activity-report.ts';
import type { ActivityImportResult, ImportGroupActivityInput } from './adoption.graphql.ts';
import { ACTIVITY_REPORT_FORMATS, groupActivityDecider, groupActivityStreamId } from './group-activity.decider.ts';
import { matchableName, planActivityImport } from './import-plan.ts';

/** Usage reports are the community team's: they run the programme whose adoption the figures measure. */
const IMPORTERS = [Role.COMMUNITY_MANAGER];
const ACTION = 'importing group activity';
/** Groups recorded at the same time: a 2,000-group report does not take 2,000 round trips one after the other. */
const CONCURRENT_GROUPS = 8;

export class ImportGroupActivityCommand extends InputCommand<ImportGroupActivityInput, ActivityImportResult> {}

/**
 * Validates the whole file first, then records each matched group's figures on its own stream through the command
 * pipeline. All or nothing for invalid input: a single rejected row and nothing is recorded. The input's commandId
 * goes with every group's command: a retry finds each group's events by it, and the same commandId with another file
 * is refused (CONFLICT) before anything is recorded. Once the file is valid, a failure halfway (the database went
 * away) can leave some groups recorded: importing the same file again records the rest and repeats nothing.
 */
@CommandHandler(ImportGroupActivityCommand)
export class ImportGroupActivityHandler {
  constructor(
    @Inject(CommandPipeline) private readonly pipeline: CommandPipeline,
    @Inject(DataSource) private readonly db: DataSource,
  ) {}

  async execute({ input, context }: ImportGroupActivityCommand): Promise<ActivityImportResult> {
    // The role before the input: a caller who may not import learns nothing about which groups would match.
    requireRole(context, IMPORTERS, ACTION);
    if (typeof input.csv !== 'string') throw badInput('csv must be the text of the report', { field: 'csv' });
    if (!(ACTIVITY_REPORT_FORMATS as readonly string[]).includes(input.format)) {
      throw badInput(`format must be one of ${ACTIVITY_REPORT_FORMATS.join(', ')}`, { field: 'format' });
    }
    const report = parseActivityReport(input.csv, input.format);
    const ids = report.rows.flatMap((row) => (row.groupId === null ? [] : [row.groupId]));
    const names = report.rows.flatMap((row) => (row.groupName === null ? [] : [matchableName(row.groupName)]));
    const groups = await groupsByIdOrName(this.db, [...new Set(ids)], [...new Set(names)]);
    const plan = planActivityImport(report.rows, report.errors, groups);
    const actorId = requireActor(context).id;
    let next = 0;
    const worker = async () => {
      while (next < plan.matched.length) {
        const { row, groupId } = plan.matched[next++]!;
        await this.pipeline.executeMutation({
          context,
          roles: IMPORTERS,
          action: ACTION,
          input: { commandId: input.commandId ?? null },
          streamId: groupActivityStreamId(groupId),
          decider: groupActivityDecider,
          command: (at) => ({
            type: 'RecordGroupActivity' as const,
            groupId,
            period: row.period,
            figures: row.figures,
            source: input.format,
            actorId,
            at,
          }),
          // No read model holds the figures yet (the adoption KPIs will): nothing to wait for before answering.
          readModels: [],
        });
      }
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENT_GROUPS, plan.matched.length) }, worker));
    return {
      periodStart: plan.periodStart === null ? null : new Date(`${plan.periodStart}T00:00:00Z`),
      // The end of the last day: the period is the days it covers, both included.
      periodEnd: plan.periodEnd === null ? null : new Date(Date.parse(`${plan.periodEnd}T00:00:00Z`) + 86_400_000),
      rowsImported: plan.matched.length,
      rowsUnmatched: plan.unmatched,
      rowsRejected: plan.rejected.map((error) => ({ row: error.row, message: error.message })),
    };
  }
}

export const ADOPTION_COMMAND_HANDLERS = [ImportGroupActivityHandler];
