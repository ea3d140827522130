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
  };
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
  /** In English, as the API words it. */
  readonly caveat: string;
}

const difference = (a: number | null, b: number | null): number | null => (a === null || b === null ? null : a - b);

/**
 * The three comparisons alike. Before/after has no differences or flag of its own in the API: both follow from its
 * sides (the same groups on both), after minus before, so it reads like the others.
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
      caveat: a.caveat,
    },
    {
      title: 'cmpBeforeAfter',
      differenceLabel: 'cmpBeforeAfterDifference',
      sides: [
        { label: 'sideBefore', side: b.before },
        { label: 'sideAfter', side: b.after },
      ],
      postingShareDifference: difference(b.after.postingShare, b.before.postingShare),
      readingShareDifference: difference(b.after.readingShare, b.before.readingShare),
      sampleTooSmall: b.before.sampleTooSmall || b.after.sampleTooSmall,
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
