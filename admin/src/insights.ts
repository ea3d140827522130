// The insights view's pure logic: KPI values in words, the KPIs per scope with the target that applies, and the trend
// series for the charts.
import { MESSAGES, type Language, type MessageKey } from './i18n.ts';

export type KpiUnit = 'RATIO' | 'COUNT' | 'PER_WEEK' | 'PER_100_MEMBERS' | 'HOURS' | 'DAYS' | string;

const localeOf = (language: Language) => (language === 'nl' ? 'nl-NL' : 'en-GB');

/**
 * A number with at most `digits` decimals, never in exponent notation, and never "-0" (a rounding of a tiny negative:
 * chart ticks come out as -2.8e-17 around zero).
 */
function plain(language: Language, n: number, digits: number): string {
  const factor = 10 ** digits;
  const rounded = Math.round(n * factor) / factor;
  return new Intl.NumberFormat(localeOf(language), { maximumFractionDigits: digits }).format(rounded === 0 ? 0 : rounded);
}

/**
 * Decimals for a duration: enough that a target of 0.75 days reads "0.75 d", not "0.8 d"; fewer as the number grows
 * (a day is 24 hours: a hundredth of a day is a quarter of an hour, a tenth of an hour six minutes).
 */
function durationDigits(value: number, unit: 'HOURS' | 'DAYS'): number {
  const size = Math.abs(value);
  if (unit === 'DAYS') return size < 10 ? 2 : size < 100 ? 1 : 0;
  return size < 1 ? 2 : size < 100 ? 1 : 0;
}

export function formatKpi(language: Language, value: number | null | undefined, unit: KpiUnit): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  switch (unit) {
    case 'RATIO':
      // A share too small to show in tenths of a percent is not nothing: "< 0.1 %", not "0 %".
      if (value > 0 && value * 100 < 0.05) return `< ${plain(language, 0.1, 1)} %`;
      return `${plain(language, value * 100, 1)} %`;
    case 'COUNT':
      return plain(language, value, 0);
    case 'HOURS':
      return `${plain(language, value, durationDigits(value, 'HOURS'))} ${language === 'nl' ? 'u' : 'h'}`;
    case 'DAYS':
      return `${plain(language, value, durationDigits(value, 'DAYS'))} d`;
    case 'PER_WEEK':
      return `${plain(language, value, 1)} / week`;
    case 'PER_100_MEMBERS':
      return `${plain(language, value, 2)} / 100 ${language === 'nl' ? 'leden' : 'members'}`;
    default:
      return plain(language, value, 2);
  }
}

/**
 * A tick of a chart's value axis in the KPI's unit. The ticks are round numbers the chart chose, but computed in
 * floating point: what is nearly zero is zero (not "< 0.1 %" or "1.25E-7"), and a share ticked in steps of 0.25 %
 * keeps its second decimal. "/ 100 members" and "/ week" are left to the title.
 */
export function formatAxisTick(language: Language, value: number, unit: KpiUnit): string {
  const tick = Math.abs(value) < 1e-9 ? 0 : value;
  switch (unit) {
    case 'RATIO':
      return `${plain(language, tick * 100, 2)} %`;
    case 'PER_100_MEMBERS':
    case 'PER_WEEK':
      return plain(language, tick, 2);
    default:
      return formatKpi(language, tick, unit);
  }
}

/** The least top of a value axis: 1 % for a share, 1 for anything else (so a flat line at 0 or 1e-7 gets round ticks). */
export function axisFloor(unit: KpiUnit): number {
  return unit === 'RATIO' ? 0.01 : 1;
}

/** "≥ 80 %", "≤ 0.75 d": a target with the side of it that meets it; "—" without one. */
export function formatTarget(language: Language, direction: string, value: number | null | undefined, unit: KpiUnit): string {
  if (value === null || value === undefined) return '—';
  return `${direction === 'AT_MOST' ? '≤' : '≥'} ${formatKpi(language, value, unit)}`;
}

/**
 * The short title of a KPI in the language (the API's description is the long one, in English); a KPI the console has
 * no title for yet goes by its id rather than by nothing.
 */
export function kpiTitle(language: Language, kpi: string): string {
  const key = `kpiTitle_${kpi}`;
  return key in MESSAGES[language] ? MESSAGES[language][key as MessageKey] : kpi;
}

/** Whether the console has a short title for the KPI, in every language. */
export function hasKpiTitle(kpi: string): boolean {
  return Object.values(MESSAGES).every((messages) => `kpiTitle_${kpi}` in messages);
}

/** A KPI as `kpiDefinitions` describes it. */
export interface KpiDefinitionFacts {
  readonly kpi: string;
  readonly description: string;
  readonly unit: string;
  readonly direction: string;
  readonly scopeKind: string;
  readonly scopeRequired: boolean;
}

/** A value as `governanceInsights.kpis` answers it: the community's (scope null) or one scope's. */
export interface KpiScopedValue {
  readonly kpi: string;
  readonly scope: string | null;
  readonly value: number | null;
  readonly unit: string;
  readonly direction: string;
  readonly met: boolean | null;
  readonly target: { readonly value: number | null; readonly direction: string; readonly scope: string | null } | null;
}

/** One card: a KPI, its value for the community (none for a KPI measured per scope only) and its scopes' values. */
export interface KpiCard<V extends KpiScopedValue = KpiScopedValue> {
  readonly definition: KpiDefinitionFacts;
  readonly overall: V | null;
  readonly scopes: readonly V[];
}

/**
 * A card for every KPI the API defines, in its order, whether or not a value came back for it (a KPI measured per
 * scope only has no overall value: it still has a card). Values of a KPI the definitions do not name are left out.
 */
export function kpiCards<V extends KpiScopedValue>(definitions: readonly KpiDefinitionFacts[], values: readonly V[]): KpiCard<V>[] {
  return definitions.map((definition) => {
    const own = values.filter((value) => value.kpi === definition.kpi);
    return {
      definition,
      overall: own.find((value) => value.scope === null) ?? null,
      scopes: own.filter((value) => value.scope !== null),
    };
  });
}

/** The order the per-scope tables come in: the people-facing scopes first, then the documents. */
export const SCOPE_KINDS = ['DEPARTMENT', 'DECIDER', 'PROGRAMME', 'AGREEMENT', 'PURPOSE', 'GROUP'] as const;
export type ScopeKind = (typeof SCOPE_KINDS)[number];

/** One row of a per-scope table: a department (say) and, for each KPI of the table, its value there. */
export interface ScopeRow<V extends KpiScopedValue = KpiScopedValue> {
  readonly scope: string;
  readonly values: ReadonlyMap<string, V>;
  /** How many of its KPIs miss their target (the scope's own or the KPI's). */
  readonly missed: number;
}

export interface ScopeTable<V extends KpiScopedValue = KpiScopedValue> {
  readonly scopeKind: ScopeKind;
  /** The KPIs measured per this kind of scope, in the definitions' order: the table's columns. */
  readonly kpis: readonly KpiDefinitionFacts[];
  /** Every scope any of them has a value (or a target) for: those missing a target first, then by scope. */
  readonly rows: readonly ScopeRow<V>[];
  /** Scopes missing at least one target. */
  readonly missed: number;
}

/**
 * The scoped values as one table per kind of scope (department, decider, programme...): rows are scopes, columns the
 * KPIs measured per that kind. A manager reads a department's figures side by side, and sees first the scopes that
 * miss a target. Kinds without values are left out.
 */
export function scopeTables<V extends KpiScopedValue>(cards: readonly KpiCard<V>[]): ScopeTable<V>[] {
  const tables: ScopeTable<V>[] = [];
  for (const scopeKind of SCOPE_KINDS) {
    const columns = cards.filter((card) => card.definition.scopeKind === scopeKind);
    const byScope = new Map<string, Map<string, V>>();
    for (const card of columns) {
      for (const value of card.scopes) {
        const row = byScope.get(value.scope!) ?? new Map<string, V>();
        row.set(card.definition.kpi, value);
        byScope.set(value.scope!, row);
      }
    }
    if (byScope.size === 0) continue;
    const rows = [...byScope.entries()].map(([scope, values]) => ({
      scope,
      values,
      missed: [...values.values()].filter((value) => value.met === false).length,
    }));
    rows.sort((a, b) => Number(b.missed > 0) - Number(a.missed > 0) || (a.scope < b.scope ? -1 : a.scope > b.scope ? 1 : 0));
    tables.push({
      scopeKind,
      kpis: columns.map((card) => card.definition),
      rows,
      missed: rows.filter((row) => row.missed > 0).length,
    });
  }
  return tables;
}

/**
 * Whose target a scope's value is held to: its own (set for that scope), the KPI's (the community's, which applies to
 * every scope without one of its own), or none.
 */
export function targetSource(value: Pick<KpiScopedValue, 'scope' | 'target'>): 'own' | 'overall' | 'none' {
  if (!value.target || value.target.value === null) return 'none';
  return value.target.scope !== null && value.target.scope === value.scope ? 'own' : 'overall';
}

/** The first `limit` rows, and how many more there are (a community of 300 departments shows 20 until asked). */
export function firstRows<T>(rows: readonly T[], limit: number, all: boolean): { shown: readonly T[]; hidden: number } {
  if (all || rows.length <= limit) return { shown: rows, hidden: 0 };
  return { shown: rows.slice(0, limit), hidden: rows.length - limit };
}

/** The scopes a KPI has values for: what the target form offers for it. */
export function scopesOf(values: readonly Pick<KpiScopedValue, 'kpi' | 'scope'>[], kpi: string): string[] {
  return [...new Set(values.filter((value) => value.kpi === kpi && value.scope !== null).map((value) => value.scope!))].sort();
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

/**
 * The dates under a trend, short ("5 Dec"), in the language; with the year ("5 Dec 25") when the trend spans more than
 * one. Labels are the points' UTC dates (yyyy-mm-dd); anything else is left as it is.
 */
export function axisDates(language: Language, labels: readonly string[]): string[] {
  const years = new Set(labels.map((label) => label.slice(0, 4)));
  const format = new Intl.DateTimeFormat(localeOf(language), {
    day: 'numeric',
    month: 'short',
    ...(years.size > 1 ? { year: '2-digit' as const } : {}),
    timeZone: 'UTC',
  });
  return labels.map((label) => {
    const date = new Date(`${label}T00:00:00Z`);
    return /^\d{4}-\d{2}-\d{2}$/.test(label) && !Number.isNaN(date.getTime()) ? format.format(date) : label;
  });
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
