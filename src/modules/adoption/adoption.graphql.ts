import { Field, ID, InputType, Int, ObjectType } from '@nestjs/graphql';
import { graphqlEnum } from '../../platform/graphql/graphql-enum.ts';
import { ACTIVITY_REPORT_FORMATS, type ActivityReportFormat as ActivityReportFormatValue } from './group-activity.decider.ts';

export const ActivityReportFormat = graphqlEnum('ActivityReportFormat', ACTIVITY_REPORT_FORMATS, {
  valueDescriptions: {
    VIVA_ENGAGE_GROUPS_ACTIVITY: "Microsoft Viva Engage's groups activity detail report (Microsoft Graph), as CSV.",
    GENERIC: 'The generic per-group CSV documented in the README.',
  },
});
export type ActivityReportFormat = ActivityReportFormatValue;

@InputType()
export class ImportGroupActivityInput {
  @Field(() => String, { description: "The report's CSV text." })
  csv!: string;

  @Field(() => ActivityReportFormat)
  format!: ActivityReportFormat;

  @Field(() => ID, { nullable: true })
  commandId?: string | null;
}

@ObjectType()
export class ActivityImportRowError {
  @Field(() => Int, { description: '1-based line number in the CSV.' })
  row!: number;

  @Field(() => String)
  message!: string;
}

@ObjectType()
export class ActivityImportResult {
  @Field(() => Date, { nullable: true })
  periodStart!: Date | null;

  @Field(() => Date, { nullable: true })
  periodEnd!: Date | null;

  @Field(() => Int)
  rowsImported!: number;

  @Field(() => [String], { description: 'Rows whose group matched no known group, by the name or id they carried.' })
  rowsUnmatched!: string[];

  @Field(() => [ActivityImportRowError], { description: 'Invalid rows; when there are any, nothing of the file was imported.' })
  rowsRejected!: ActivityImportRowError[];
}
