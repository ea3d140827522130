// Type-only imports: the benchmark loads the insights under plain Node (see insights-model.ts).
import type { InsightsSnapshot } from './insights-measures.ts';

const DAY_MS = 86_400_000;
/** As ADOPTION_GROUPS_INACTIVE_30_DAYS counts them, unless asked for another number of days. */
export const DEFAULT_DAYS_WITHOUT_ACTIVITY = 30;
/** A year and a day: longer than any report cycle, short enough that "without activity" still means something. */
export const MAX_DAYS_WITHOUT_ACTIVITY = 366;
/** The API's page limit for every list (api conventions); `total` says how many there are beyond them. */
export const MAX_GROUPS_WITHOUT_ACTIVITY = 100;

/** A group whose reports show no activity in the days asked for. */
export interface GroupWithoutActivity {
  readonly groupId: string;
  /** Null for a group the directory does not know (its reports name an id no group has). */
  readonly name: string | null;
  /** The latest last-activity day any of its reports ended by then gave (YYYY-MM-DD); null: never reported. */
  readonly lastActivity: string | null;
  /** Whole days from the start of that day to the moment; null: never reported. */
  readonly daysSinceLastActivity: number | null;
  /** The members its latest report ended by then counted. */
  readonly members: number;
  /** The last day of that report (YYYY-MM-DD). */
  readonly reportedUntil: string;
  readonly owners: number;
  /** Every owner held a current certification then, as OWNER_CERTIFICATION_COVERAGE counts a group covered (false without owners). */
  readonly ownersCertified: boolean;
}

export interface GroupsWithoutActivity {
  readonly at: number;
  readonly days: number;
  /** Every such group; `groups` holds the first `first` of them. */
  readonly total: number;
  /** Never reported active first, then the longest without activity, then by group id. */
  readonly groups: readonly GroupWithoutActivity[];
}

/**
 * The groups some report ended by `snapshot.at` covers whose last reported activity is more than `days` whole days
 * before that moment, or was never reported: with `days` 30, exactly the groups ADOPTION_GROUPS_INACTIVE_30_DAYS counts
 * (the same rule, on the same snapshot). A group no report names is not listed: nothing says how it is used.
 */
export function groupsWithoutActivity(
  snapshot: Pick<InsightsSnapshot, 'at' | 'adoption' | 'ownerCertification'>,
  days: number,
  first: number,
): GroupsWithoutActivity {
  const { at } = snapshot;
  // A day counts when any part of it lies in the window, as the KPI counts it.
  const activeFrom = at - days * DAY_MS;
  const failing = new Set(snapshot.ownerCertification.failingGroups.map((gap) => gap.groupId));
  const listed: (GroupWithoutActivity & { lastActivityDay: number | null })[] = [];
  for (const group of snapshot.adoption.byGroup) {
    const lastActivityDay = group.lastActivity === null ? null : Date.parse(`${group.lastActivity}T00:00:00.000Z`);
    if (lastActivityDay !== null && lastActivityDay + DAY_MS > activeFrom) continue;
    listed.push({
      groupId: group.groupId,
      name: group.name,
      lastActivity: group.lastActivity,
      lastActivityDay,
      daysSinceLastActivity: lastActivityDay === null ? null : Math.floor((at - lastActivityDay) / DAY_MS),
      members: group.members,
      reportedUntil: group.periodEnd,
      owners: group.owners,
      // The coverage lists every group of the directory that is not covered; a group it does not know is not covered.
      ownersCertified: group.name !== null && !failing.has(group.groupId),
    });
  }
  // byGroup is by group id already: a stable sort keeps that order among groups idle since the same day.
  listed.sort((a, b) => byIdleSince(a.lastActivityDay, b.lastActivityDay));
  return { at, days, total: listed.length, groups: listed.slice(0, first).map(({ lastActivityDay: _, ...group }) => group) };
}

/** Never reported active sorts before any day, and an earlier day before a later one. */
function byIdleSince(a: number | null, b: number | null): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  return a - b;
}
