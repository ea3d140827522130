import { Field, ID, InputType, Int, ObjectType } from '@nestjs/graphql';
import { graphqlEnum } from '../../platform/graphql/graphql-enum.ts';
import { Connection } from '../../platform/graphql/pagination.ts';
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

/** The platform's group (by its id, its name or both) and the group of ours it is. */
@InputType()
export class MapExternalGroupInput {
  @Field(() => ActivityReportFormat, { description: 'The platform, as the format of its reports.' })
  format!: ActivityReportFormat;

  @Field(() => ID, { nullable: true, description: "The platform's group id (GENERIC reports' group_id); give it, the name or both." })
  externalId?: string | null;

  @Field(() => String, { nullable: true, description: "The platform's group name, matched trimmed and in any case." })
  externalName?: string | null;

  @Field(() => ID)
  groupId!: string;

  @Field(() => String, { nullable: true })
  reason?: string | null;

  @Field(() => ID, { nullable: true })
  commandId?: string | null;
}

@InputType()
export class UnmapExternalGroupInput extends MapExternalGroupInput {}

@ObjectType({ description: "One of a platform's keys for a group (its id or its name) and the group of ours it means." })
export class ExternalGroupMapping {
  @Field(() => ActivityReportFormat)
  format!: ActivityReportFormat;

  @Field(() => ID, { nullable: true, description: 'Null for a mapping by name.' })
  externalId!: string | null;

  @Field(() => String, { nullable: true, description: 'Null for a mapping by id.' })
  externalName!: string | null;

  @Field(() => ID)
  groupId!: string;

  @Field(() => ID, { description: 'The community manager who mapped it.' })
  mappedBy!: string;

  @Field(() => Date)
  mappedAt!: Date;
}

@ObjectType()
export class ExternalGroupMappingConnection extends Connection(ExternalGroupMapping) {}
