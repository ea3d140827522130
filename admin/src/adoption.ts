// The adoption view's pure logic: which KPIs it charts, the three comparisons in one shape, differences in percentage
// points, and the groups that most need attention by their latest reports.
import type { Language, MessageKey } from './i18n.ts';

export const ADOPTION_KPIS = [
  'ADOPTION_POSTING_SHARE',
  'ADOPTION_READING_SHARE',
  'ADOPTION_ACTIVE_GROUPS',
  'ADOPTION_GROUPS_INACTIVE_30_DAYS',
] as const;

/** The weekly trend covers about half a year. */
export const ADOPTION_TREND_WEEKS = 26;

/** How many groups the attention list shows at most. */
export const ATTENTION_LIST_SIZE = 10;

export interface ComparisonSide {
  readonly groups: number;
  readonly members: number;
  readonly postingShare: number | null;
  readonly readingShare: number | null;
  readonly sampleTooSmall: boolean;
}

export interface AdoptionComparisonsAnswer {
  readonly minimumGroupsPerSide: number;
  readonly certifiedOwners: {
    readonly caveat: string;
    readonly postingShareDifference: number | null;
    readonly readingShareDifference: number | null;
    readonly sampleTooSmall: boolean;
    readonly certified: ComparisonSide;
    readonly uncertified: ComparisonSide;
  };
  readonly ambassadorInDepartment: {
    readonly caveat: string;
    readonly postingShareDifference: number | null;
    readonly readingShareDifference: number | null;
    readonly sampleTooSmall: boolean;
    readonly withAmbassador: ComparisonSide;
    readonly withoutAmbassador: ComparisonSide;
  };
  readonly beforeAfterCertification: {
    readonly caveat: string;
    readonly before: ComparisonSide;
    readonly after: ComparisonSide;
    /** After minus before, as the service gives them (a service before these fields: taken from the sides). */
    readonly postingShareDifference?: number | null;
    readonly readingShareDifference?: number | null;
    readonly sampleTooSmall?: boolean;
    readonly membersDifference?: number | null;
    readonly postersDifference?: number | null;
    readonly readersDifference?: number | null;
  };
}

/** After minus before of the counts; null: either side lacks that count. */
export interface CountDifferences {
  readonly members: number | null;
  readonly posters: number | null;
  readonly readers: number | null;
}

/** One comparison as the page shows it: two labelled sides, the differences (first side minus second), the caveat. */
export interface Comparison {
  readonly title: MessageKey;
  /** How the difference is taken, in words ("certified − uncertified"). */
  readonly differenceLabel: MessageKey;
  readonly sides: readonly [{ label: MessageKey; side: ComparisonSide }, { label: MessageKey; side: ComparisonSide }];
  readonly postingShareDifference: number | null;
  readonly readingShareDifference: number | null;
  readonly sampleTooSmall: boolean;
  /** Before/after only (the same groups on both sides, so counts compare): after minus before of each count. */
  readonly countDifferences: CountDifferences | null;
  /** In English, as the API words it. */
  readonly caveat: string;
}

const difference = (a: number | null, b: number | null): number | null => (a === null || b === null ? null : a - b);

/**
 * The three comparisons alike. Before/after's differences and flag come from the API; a service that predates them
 * leaves them out, and they follow from its sides (the same groups on both), after minus before, so it reads the same.
 */
export function comparisonsOf(answer: AdoptionComparisonsAnswer): Comparison[] {
  const { certifiedOwners: c, ambassadorInDepartment: a, beforeAfterCertification: b } = answer;
  return [
    {
      title: 'cmpCertifiedOwners',
      differenceLabel: 'cmpCertifiedOwnersDifference',
      sides: [
        { label: 'sideCertified', side: c.certified },
        { label: 'sideUncertified', side: c.uncertified },
      ],
      postingShareDifference: c.postingShareDifference,
      readingShareDifference: c.readingShareDifference,
      sampleTooSmall: c.sampleTooSmall,
      countDifferences: null,
      caveat: c.caveat,
    },
    {
      title: 'cmpAmbassador',
      differenceLabel: 'cmpAmbassadorDifference',
      sides: [
        { label: 'sideWithAmbassador', side: a.withAmbassador },
        { label: 'sideWithoutAmbassador', side: a.withoutAmbassador },
      ],
      postingShareDifference: a.postingShareDifference,
      readingShareDifference: a.readingShareDifference,
      sampleTooSmall: a.sampleTooSmall,
      countDifferences: null,
      caveat: a.caveat,
    },
    {
      title: 'cmpBeforeAfter',
      differenceLabel: 'cmpBeforeAfterDifference',
      sides: [
        { label: 'sideBefore', side: b.before },
        { label: 'sideAfter', side: b.after },
      ],
      // null is the service's answer ("not known"), only undefined means it did not give one.
      postingShareDifference:
        b.postingShareDifference !== undefined ? b.postingShareDifference : difference(b.after.postingShare, b.before.postingShare),
      readingShareDifference:
        b.readingShareDifference !== undefined ? b.readingShareDifference : difference(b.after.readingShare, b.before.readingShare),
      sampleTooSmall: b.sampleTooSmall ?? (b.before.sampleTooSmall || b.after.sampleTooSmall),
      countDifferences:
        b.membersDifference === undefined
          ? null
          : { members: b.membersDifference, posters: b.postersDifference ?? null, readers: b.readersDifference ?? null },
      caveat: b.caveat,
    },
  ];
}

/** A difference of two shares in percentage points, signed ("+3.2 pp", "−0,5 procentpunt"); "—" when unknown. */
export function formatShareDifference(language: Language, value: number | null | undefined): string {
  if (value === null || value === undefined) return '—';
  const locale = language === 'nl' ? 'nl-NL' : 'en-GB';
  const points = new Intl.NumberFormat(locale, { maximumFractionDigits: 1, signDisplay: 'exceptZero' }).format(value * 100);
  return `${points} ${language === 'nl' ? 'procentpunt' : 'pp'}`;
}

/** A signed count ("+20", "−3,5"); "—" when unknown. Before/after counts are means per group, so they may have a fraction. */
export function formatCountDifference(language: Language, value: number | null | undefined): string {
  if (value === null || value === undefined) return '—';
  const locale = language === 'nl' ? 'nl-NL' : 'en-GB';
  return new Intl.NumberFormat(locale, { maximumFractionDigits: 1, signDisplay: 'exceptZero' }).format(value);
}

// ---------------------------------------------------------------- groups without activity

/** The days the service's KPI counts by; the list asks for the same, so its total matches the KPI beside it. */
export const INACTIVE_DAYS = 30;
/** How many groups without activity the page lists at most (the service says how many there are in all). */
export const INACTIVE_LIST_SIZE = 25;

export interface GroupWithoutActivity {
  readonly groupId: string;
  readonly name: string | null;
  readonly lastActivity: string | null;
  readonly daysSinceLastActivity: number | null;
  readonly members: number;
  readonly owners: number;
  readonly ownersCertified: boolean;
}

/** A report's calendar day (YYYY-MM-DD, UTC) as the language writes dates: the same day in every time zone. */
export function formatCalendarDate(language: Language, date: string): string {
  const ms = Date.parse(`${date}T00:00:00.000Z`);
  if (Number.isNaN(ms)) return date;
  return new Intl.DateTimeFormat(language === 'nl' ? 'nl-NL' : 'en-GB', { dateStyle: 'medium', timeZone: 'UTC' }).format(ms);
}

/** What the page says of a group's owners: a group without owners is not "uncertified", nobody answers for it. */
export function ownersLabel(group: Pick<GroupWithoutActivity, 'owners' | 'ownersCertified'>): MessageKey {
  if (group.owners === 0) return 'ownersNone';
  return group.ownersCertified ? 'ownersCertified' : 'ownersNotCertified';
}

/** The last activity as the page words it: the date (as `formatDate` writes it) and how long ago, or "never reported". */
export function lastActivityLabel(
  group: Pick<GroupWithoutActivity, 'lastActivity' | 'daysSinceLastActivity'>,
  formatDate: (date: string) => string,
): { key: MessageKey; values: Readonly<Record<string, string | number | null>> } {
  if (group.lastActivity === null) return { key: 'lastActivityNever', values: {} };
  return { key: 'lastActivityOn', values: { date: formatDate(group.lastActivity), days: group.daysSinceLastActivity } };
}

export interface KpiScopeValue {
  readonly kpi: string;
  readonly scope: string | null;
  readonly value: number | null;
}

export interface GroupShares {
  readonly groupId: string;
  readonly postingShare: number | null;
  readonly readingShare: number | null;
  /** Every share its latest report gives is 0: nobody posted or read. */
  readonly silent: boolean;
}

/** The per-group values of the two share KPIs (scope: the group id), one entry per group, by id. */
export function groupSharesOf(values: readonly KpiScopeValue[]): GroupShares[] {
  const byGroup = new Map<string, { postingShare: number | null; readingShare: number | null }>();
  for (const v of values) {
    if (v.scope === null) continue;
    const entry = byGroup.get(v.scope) ?? { postingShare: null, readingShare: null };
    if (v.kpi === 'ADOPTION_POSTING_SHARE') entry.postingShare = v.value;
    else if (v.kpi === 'ADOPTION_READING_SHARE') entry.readingShare = v.value;
    else continue;
    byGroup.set(v.scope, entry);
  }
  return [...byGroup.entries()]
    .map(([groupId, shares]) => {
      const known = [shares.postingShare, shares.readingShare].filter((s): s is number => s !== null);
      return { groupId, ...shares, silent: known.length > 0 && known.every((s) => s === 0) };
    })
    .sort((a, b) => (a.groupId < b.groupId ? -1 : a.groupId > b.groupId ? 1 : 0));
}

const ascending = (a: number | null, b: number | null): number => {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a - b;
};

/**
 * The groups to look at first: those where nobody posted or read, then the lowest posting share (then reading share).
 * Groups whose reports count neither posters nor readers (Viva Engage's) cannot be ranked: they are counted apart.
 */
export function groupsNeedingAttention(
  groups: readonly GroupShares[],
  size = ATTENTION_LIST_SIZE,
): { shown: GroupShares[]; more: number; unranked: number } {
  const ranked = groups.filter((g) => g.postingShare !== null || g.readingShare !== null);
  ranked.sort(
    (a, b) =>
      Number(b.silent) - Number(a.silent) ||
      ascending(a.postingShare, b.postingShare) ||
      ascending(a.readingShare, b.readingShare) ||
      (a.groupId < b.groupId ? -1 : a.groupId > b.groupId ? 1 : 0),
  );
  const shown = ranked.slice(0, size);
  return { shown, more: ranked.length - shown.length, unranked: groups.length - ranked.length };
}

/** Before any activity report, every adoption KPI is null: the page explains how to import one. */
export function hasActivityReports(overall: readonly KpiScopeValue[]): boolean {
  return overall.some((v) => v.scope === null && (ADOPTION_KPIS as readonly string[]).includes(v.kpi) && v.value !== null);
}

// ---------------------------------------------------------------- importing a usage report

/** The report formats importGroupActivity takes, as the page offers them. */
export const ACTIVITY_REPORT_FORMATS = ['VIVA_ENGAGE_GROUPS_ACTIVITY', 'GENERIC'] as const;
export type ActivityReportFormat = (typeof ACTIVITY_REPORT_FORMATS)[number];

export interface ActivityImportAnswer {
  readonly periodStart: string | null;
  readonly periodEnd: string | null;
  readonly rowsImported: number;
  readonly rowsUnmatched: readonly string[];
  readonly rowsRejected: readonly { readonly row: number; readonly message: string }[];
}

/**
 * What an import's answer means for the page. Any rejected row means nothing of the file was imported (the service
 * imports all or nothing); unmatched rows were left out of an import that otherwise went through.
 */
export function importOutcome(answer: ActivityImportAnswer): { key: MessageKey; count: number; refresh: boolean } {
  if (answer.rowsRejected.length > 0) return { key: 'importRejected', count: answer.rowsRejected.length, refresh: false };
  if (answer.rowsImported === 0) return { key: 'importNothing', count: 0, refresh: false };
  return { key: 'importDone', count: answer.rowsImported, refresh: true };
}

/**
 * The report's days (YYYY-MM-DD, UTC, both included): the service answers the start of the first day and the end of
 * the last (the start of the day after it). Null when the answer has no period (nothing imported).
 */
export function importedDays(answer: Pick<ActivityImportAnswer, 'periodStart' | 'periodEnd'>): { from: string; to: string } | null {
  if (answer.periodStart === null || answer.periodEnd === null) return null;
  const from = Date.parse(answer.periodStart);
  const end = Date.parse(answer.periodEnd);
  if (Number.isNaN(from) || Number.isNaN(end)) return null;
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  return { from: day(from), to: day(end - 86_400_000) };
}
