import type { ActivityRow, ActivityRowError } from './activity-report.ts';
import { activityPeriodKey } from './group-activity.decider.ts';

/** A group of ours as the groups read model has it: what a row is matched against. */
export interface KnownGroup {
  readonly id: string;
  readonly name: string;
}

/**
 * The platform's groups that community managers mapped to ours (the group mapping read model): external id → group id
 * and matchableName(external name) → group id.
 */
export interface ExternalMappings {
  readonly byId: ReadonlyMap<string, string>;
  readonly byName: ReadonlyMap<string, string>;
}

export const NO_MAPPINGS: ExternalMappings = { byId: new Map(), byName: new Map() };

export interface ActivityImportPlan {
  /** The rows to record, each with the group it matched. Empty when any row was rejected: all or nothing. */
  readonly matched: { readonly row: ActivityRow; readonly groupId: string }[];
  /** Rows that named no group of ours, by the name (else the id) they carried. */
  readonly unmatched: string[];
  /** Invalid rows, by line; when there is any, nothing of the file is recorded. */
  readonly rejected: ActivityRowError[];
  /** The span the file's valid rows cover: the earliest start and the latest end (null for a file without rows). */
  readonly periodStart: string | null;
  readonly periodEnd: string | null;
}

/** The name as rows are matched on it: trimmed and case-insensitive (a report may write "Sales NL" as "sales nl"). */
export function matchableName(name: string): string {
  return name.trim().toLowerCase();
}

/**
 * Which group each valid row is about. What a community manager mapped comes first (the row's id as an external id,
 * then its name as an external name): the platform's ids and names are not ours, and a mapping is the one way to say
 * which group they mean. Then the group with the row's id, else the one group with the row's name. A name two groups
 * share matches neither (the row is unmatched: which one it meant cannot be told). Two rows for the same
 * group and period are a rejected row, as are the rows the report itself could not read (`errors`).
 */
export function planActivityImport(
  rows: readonly ActivityRow[],
  errors: readonly ActivityRowError[],
  groups: readonly KnownGroup[],
  mappings: ExternalMappings = NO_MAPPINGS,
): ActivityImportPlan {
  const byId = new Map(groups.map((group) => [group.id, group.id]));
  const byName = new Map<string, string | null>();
  for (const group of groups) {
    const name = matchableName(group.name);
    byName.set(name, byName.has(name) ? null : group.id);
  }
  const matched: ActivityImportPlan['matched'] = [];
  const unmatched: string[] = [];
  const rejected: ActivityRowError[] = [...errors];
  const firstLine = new Map<string, number>();
  for (const row of rows) {
    const groupId =
      (row.groupId !== null ? mappings.byId.get(row.groupId) : undefined) ??
      (row.groupName !== null ? mappings.byName.get(matchableName(row.groupName)) : undefined) ??
      (row.groupId !== null ? byId.get(row.groupId) : undefined) ??
      (row.groupName !== null ? byName.get(matchableName(row.groupName)) : undefined);
    if (groupId === undefined || groupId === null) {
      unmatched.push(row.groupName ?? row.groupId!);
      continue;
    }
    const key = `${groupId} ${activityPeriodKey(row.period)}`;
    const earlier = firstLine.get(key);
    if (earlier !== undefined) {
      rejected.push({
        row: row.line,
        message: `group ${groupId} already has a row for ${row.period.start} to ${row.period.end} (line ${earlier})`,
      });
      continue;
    }
    firstLine.set(key, row.line);
    matched.push({ row, groupId });
  }
  rejected.sort((a, b) => a.row - b.row);
  const starts = rows.map((row) => row.period.start).sort();
  const ends = rows.map((row) => row.period.end).sort();
  return {
    matched: rejected.length > 0 ? [] : matched,
    unmatched,
    rejected,
    periodStart: starts[0] ?? null,
    periodEnd: ends.at(-1) ?? null,
  };
}
