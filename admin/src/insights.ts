// The insights view's pure logic: KPI values in words and the trend series for the charts.
import type { Language } from './i18n.ts';

export type KpiUnit = 'RATIO' | 'COUNT' | 'PER_WEEK' | 'PER_100_MEMBERS' | 'HOURS' | 'DAYS' | string;

export function formatKpi(language: Language, value: number | null | undefined, unit: KpiUnit): string {
  if (value === null || value === undefined) return '—';
  const locale = language === 'nl' ? 'nl-NL' : 'en-GB';
  const number = (n: number, digits: number) => new Intl.NumberFormat(locale, { maximumFractionDigits: digits }).format(n);
  switch (unit) {
    case 'RATIO':
      // A share too small to show in tenths of a percent is not nothing: "< 0.1 %", not "0 %".
      if (value > 0 && value * 100 < 0.05) return `< ${number(0.1, 1)} %`;
      return `${number(value * 100, 1)} %`;
    case 'COUNT':
      return number(value, 0);
    case 'HOURS':
      return `${number(value, 1)} h`;
    case 'DAYS':
      return `${number(value, 1)} d`;
    case 'PER_WEEK':
      return `${number(value, 1)} / ${language === 'nl' ? 'week' : 'week'}`;
    case 'PER_100_MEMBERS':
      return `${number(value, 2)} / 100`;
    default:
      return number(value, 2);
  }
}

export interface SeriesPoint {
  readonly at: string;
  readonly kpis: readonly {
    readonly kpi: string;
    readonly value: number | null;
    readonly target?: { readonly value: number | null } | null;
  }[];
}

/** One KPI's values (null where nothing was measured) and targets over the points, oldest first. */
export function seriesOf(
  points: readonly SeriesPoint[],
  kpi: string,
): { labels: string[]; values: (number | null)[]; targets: (number | null)[] } {
  const sorted = [...points].sort((a, b) => a.at.localeCompare(b.at));
  const values = sorted.map((p) => p.kpis.find((k) => k.kpi === kpi)?.value ?? null);
  const targets = sorted.map((p) => p.kpis.find((k) => k.kpi === kpi)?.target?.value ?? null);
  return { labels: sorted.map((p) => p.at.slice(0, 10)), values, targets };
}

/** The range of the trend: the last `count` steps up to now. */
export function trendRange(now: Date, step: 'WEEK' | 'MONTH', count = 12): { from: string; to: string } {
  const from = new Date(now.getTime());
  if (step === 'WEEK') from.setUTCDate(from.getUTCDate() - 7 * (count - 1));
  else from.setUTCMonth(from.getUTCMonth() - (count - 1));
  return { from: from.toISOString(), to: now.toISOString() };
}

/** A KPI target as `kpiTargets` lists it: overall (scope null) or for one scope. */
export interface KpiTarget {
  readonly kpi: string;
  readonly scope: string | null;
  readonly value: number | null;
  readonly revision: number;
}

/**
 * The revision a change of the target of `kpi` (and `scope`, blank: overall) is made on: the listed target's, so a
 * concurrent change answers CONFLICT; none for a target not set yet.
 */
export function targetRevision(targets: readonly KpiTarget[], kpi: string, scope: string): number | undefined {
  const wanted = scope.trim() || null;
  return targets.find((target) => target.kpi === kpi && (target.scope ?? null) === wanted)?.revision;
}

/** The targets set now (a cleared one has no value), overall before scoped, by KPI then scope. */
export function targetsSet<T extends KpiTarget>(targets: readonly T[]): T[] {
  return targets
    .filter((target) => target.value !== null)
    .sort((a, b) => a.kpi.localeCompare(b.kpi) || (a.scope ?? '').localeCompare(b.scope ?? ''));
}
