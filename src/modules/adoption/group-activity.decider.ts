import type { Decider, EventSchemaDefinition } from '#event-store';
import { badInput } from '../../platform/shared/domain-error.ts';
import { ignoreUnknownEvent, unreachable } from '../../platform/shared/exhaustive.ts';
import { requireId } from '../../platform/shared/identifiers.ts';

/**
 * The activity of one group, period after period, as the platform's usage reports gave it: `group_activity-<groupId>`.
 * Aggregates only (how many members, posts, reads...), never who did what: privacy by design (issue 24).
 */
export const GROUP_ACTIVITY_STREAM_CATEGORY = 'group_activity';

/** Public: auditors pass it to `streamStateAt`. */
export function groupActivityStreamId(groupId: string): string {
  return `${GROUP_ACTIVITY_STREAM_CATEGORY}-${requireId(groupId, 'groupId')}`;
}

/** Where figures came from: the values of the contract's ActivityReportFormat. */
export const ACTIVITY_REPORT_FORMATS = ['VIVA_ENGAGE_GROUPS_ACTIVITY', 'GENERIC'] as const;
export type ActivityReportFormat = (typeof ACTIVITY_REPORT_FORMATS)[number];

/** A bound on every count: far beyond any group, and safely inside a JavaScript integer and a PostgreSQL bigint. */
export const ACTIVITY_COUNT_MAX = 1_000_000_000;

/** The days a report covers, both included, as calendar dates (YYYY-MM-DD, the reports' own dates). */
export interface ActivityPeriod {
  readonly start: string;
  readonly end: string;
}

/**
 * What a report says about one group for one period. A figure the source does not give is null (Viva Engage counts
 * messages, not the people who posted or read them), which is not the same as 0.
 */
export interface ActivityFigures {
  readonly members: number;
  /** Members who posted at least once in the period. */
  readonly posters: number | null;
  /** Members who read at least once in the period. */
  readonly readers: number | null;
  readonly posts: number | null;
  readonly reads: number | null;
  readonly reactions: number | null;
  /** The last day with any activity in the group, as the report has it. */
  readonly lastActivity: string | null;
}

// ---------------------------------------------------------------- events (stored names never change)

/**
 * The figures of one group for one period. A later event for the same period supersedes the earlier one (a corrected
 * report): the latest is what counts, and the earlier stays in the log as what was known before.
 */
export interface GroupActivityRecorded {
  readonly type: 'GroupActivityRecorded';
  readonly data: ActivityFigures & {
    readonly groupId: string;
    readonly periodStart: string;
    readonly periodEnd: string;
    readonly source: ActivityReportFormat;
    /** True when figures for this period were recorded before and these replace them. */
    readonly supersedes: boolean;
    readonly recordedBy: string;
    readonly recordedAt: string;
  };
}

export type GroupActivityEvent = GroupActivityRecorded;

export const GROUP_ACTIVITY_EVENT_TYPES: readonly GroupActivityEvent['type'][] = ['GroupActivityRecorded'];

export function isGroupActivityEvent(event: { readonly type: string }): event is GroupActivityEvent {
  return (GROUP_ACTIVITY_EVENT_TYPES as readonly string[]).includes(event.type);
}

/** Nothing personal: counts per group, no person named (a report's owner column is never read). */
export const GROUP_ACTIVITY_EVENT_SCHEMAS: EventSchemaDefinition[] = GROUP_ACTIVITY_EVENT_TYPES.map((type) => ({ type }));

// ---------------------------------------------------------------- commands

export interface RecordGroupActivity {
  readonly type: 'RecordGroupActivity';
  readonly groupId: string;
  readonly period: ActivityPeriod;
  readonly figures: ActivityFigures;
  readonly source: ActivityReportFormat;
  readonly actorId: string;
  readonly at: string;
}

export type GroupActivityCommand = RecordGroupActivity;

// ---------------------------------------------------------------- state

/** The figures that count now for each period the group has any for, keyed `<start>..<end>`. */
export interface GroupActivityState {
  readonly periods: Readonly<Record<string, ActivityFigures & { readonly source: ActivityReportFormat }>>;
}

const initialState: GroupActivityState = { periods: {} };

export function activityPeriodKey(period: ActivityPeriod): string {
  return `${period.start}..${period.end}`;
}

function evolve(state: GroupActivityState, event: GroupActivityEvent): GroupActivityState {
  switch (event.type) {
    case 'GroupActivityRecorded': {
      const { periodStart, periodEnd, source, members, posters, readers, posts, reads, reactions, lastActivity } = event.data;
      const key = activityPeriodKey({ start: periodStart, end: periodEnd });
      return {
        periods: { ...state.periods, [key]: { members, posters, readers, posts, reads, reactions, lastActivity, source } },
      };
    }
    default:
      // One event type so far: the type itself is what is left (`never`) when a case is missing.
      return ignoreUnknownEvent(event.type, state);
  }
}

function decide(command: GroupActivityCommand, state: GroupActivityState): GroupActivityEvent[] {
  switch (command.type) {
    case 'RecordGroupActivity': {
      requireId(command.groupId, 'groupId');
      requireValidPeriod(command.period);
      requireValidFigures(command.figures);
      const current = state.periods[activityPeriodKey(command.period)];
      // The same report imported again (or another source with the same figures): already known, nothing to record.
      if (current && sameFigures(current, command.figures)) return [];
      return [
        {
          type: 'GroupActivityRecorded',
          data: {
            groupId: command.groupId,
            periodStart: command.period.start,
            periodEnd: command.period.end,
            source: command.source,
            ...pickFigures(command.figures),
            supersedes: current !== undefined,
            recordedBy: command.actorId,
            recordedAt: command.at,
          },
        },
      ];
    }
    default:
      return unreachable('group activity command', command.type);
  }
}

const FIGURE_KEYS = ['members', 'posters', 'readers', 'posts', 'reads', 'reactions', 'lastActivity'] as const;

function pickFigures(figures: ActivityFigures): ActivityFigures {
  return Object.fromEntries(FIGURE_KEYS.map((key) => [key, figures[key]])) as unknown as ActivityFigures;
}

function sameFigures(a: ActivityFigures, b: ActivityFigures): boolean {
  return FIGURE_KEYS.every((key) => a[key] === b[key]);
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function isDate(value: unknown): value is string {
  return typeof value === 'string' && DATE.test(value) && new Date(`${value}T00:00:00Z`).toISOString().slice(0, 10) === value;
}

function requireValidPeriod(period: ActivityPeriod): void {
  if (!isDate(period.start) || !isDate(period.end)) throw badInput('the period must be two dates (YYYY-MM-DD)', { field: 'period' });
  if (period.start > period.end) throw badInput(`the period starts (${period.start}) after it ends (${period.end})`, { field: 'period' });
}

function requireValidFigures(figures: ActivityFigures): void {
  for (const key of FIGURE_KEYS) {
    const value = figures[key];
    if (key === 'lastActivity') {
      if (value !== null && !isDate(value)) throw badInput('lastActivity must be a date (YYYY-MM-DD)', { field: key });
      continue;
    }
    if (value === null && key !== 'members') continue;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > ACTIVITY_COUNT_MAX) {
      throw badInput(`${key} must be a whole number from 0 to ${ACTIVITY_COUNT_MAX}`, { field: key });
    }
  }
}

export const groupActivityDecider: Decider<GroupActivityCommand, GroupActivityState, GroupActivityEvent> = {
  initialState,
  evolve,
  decide,
};
