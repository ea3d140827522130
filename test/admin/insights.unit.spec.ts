// The insights page's pure logic (admin/src/insights.ts) against the service's own KPI catalogue: every KPI the API
// defines has a short title in both languages and a card, the KPIs measured per department, decider, programme,
// agreement or purpose are the ones the page reads per scope, and values, targets and axis ticks read as numbers in
// their unit. Here rather than beside the console's other specs: it reads the service's catalogue, which the console's
// own tsconfig does not compile.
import { INSIGHTS } from '../../admin/src/api/documents.ts';
import {
  axisDates,
  axisFloor,
  firstRows,
  formatAxisTick,
  formatKpi,
  formatTarget,
  hasKpiTitle,
  kpiCards,
  kpiTitle,
  scopesOf,
  scopeTables,
  targetSource,
  type KpiScopedValue,
} from '../../admin/src/insights.ts';
import { KPI_DEFINITIONS, KPI_IDS } from '../../src/modules/insights/kpi-catalogue.ts';

const DEFINITIONS = [...KPI_DEFINITIONS.values()];

const value = (kpi: string, scope: string | null, v: number | null, target?: { value: number; scope: string | null }): KpiScopedValue => {
  // A KPI the catalogue does not name (one the console meets before its definition) counts things, at most.
  const definition = KPI_DEFINITIONS.get(kpi as never) ?? { unit: 'COUNT', direction: 'AT_MOST' };
  return {
    kpi,
    scope,
    value: v,
    unit: definition.unit,
    direction: definition.direction,
    target: target ? { value: target.value, direction: definition.direction, scope: target.scope } : null,
    met: target && v !== null ? (definition.direction === 'AT_LEAST' ? v >= target.value : v <= target.value) : null,
  };
};

describe('KPI titles', () => {
  test('every KPI the API defines has a short title in English and in Dutch, not its description', () => {
    expect(KPI_IDS.filter((kpi) => !hasKpiTitle(kpi))).toEqual([]);
    for (const definition of DEFINITIONS) {
      const en = kpiTitle('en', definition.kpi);
      const nl = kpiTitle('nl', definition.kpi);
      expect(en.length).toBeLessThanOrEqual(45);
      expect(nl.length).toBeLessThanOrEqual(45);
      expect(en).not.toBe(definition.description);
      expect(en).not.toBe(definition.kpi);
    }
    expect(kpiTitle('en', 'MODERATION_BACKLOG')).toBe('Moderation backlog');
    expect(kpiTitle('nl', 'MODERATION_BACKLOG')).toBe('Werkvoorraad moderatie');
  });

  test('a KPI the console has no title for yet goes by its id', () => {
    expect(hasKpiTitle('SOMETHING_NEW')).toBe(false);
    expect(kpiTitle('nl', 'SOMETHING_NEW')).toBe('SOMETHING_NEW');
  });
});

describe('which KPIs the page reads per scope', () => {
  test('exactly those measured per department, decider, programme, agreement or purpose (per group: the adoption page)', () => {
    const scoped = /scoped: kpis\(kpis: \[([^\]]*)\]\)/
      .exec(INSIGHTS.query)?.[1]
      ?.split(',')
      .map((kpi) => kpi.trim());
    const expected = DEFINITIONS.filter((d) => d.scopeKind !== 'NONE' && d.scopeKind !== 'GROUP').map((d) => d.kpi);
    expect([...(scoped ?? [])].sort()).toEqual([...expected].sort());
    // Every KPI's community value too, whatever the console knows of: a KPI added later still gets its card.
    expect(INSIGHTS.query).toMatch(/\n\s+kpis\(overallOnly: true\)/);
  });
});

describe('KPI values in their unit', () => {
  test('durations keep the digits a target was set with', () => {
    expect(formatKpi('en', 0.75, 'DAYS')).toBe('0.75 d');
    expect(formatKpi('nl', 0.75, 'DAYS')).toBe('0,75 d');
    expect(formatKpi('en', 12.345, 'DAYS')).toBe('12.3 d');
    expect(formatKpi('en', 18, 'HOURS')).toBe('18 h');
    expect(formatKpi('nl', 18, 'HOURS')).toBe('18 u');
    expect(formatKpi('en', 0.25, 'HOURS')).toBe('0.25 h');
    expect(formatKpi('en', 250.4, 'HOURS')).toBe('250 h');
    expect(formatTarget('en', 'AT_MOST', 0.75, 'DAYS')).toBe('≤ 0.75 d');
    expect(formatTarget('nl', 'AT_LEAST', 0.8, 'RATIO')).toBe('≥ 80 %');
    expect(formatTarget('en', 'AT_LEAST', null, 'RATIO')).toBe('—');
  });

  test('rates and counts', () => {
    expect(formatKpi('en', 2.5, 'PER_WEEK')).toBe('2.5 / week');
    expect(formatKpi('en', 1.234, 'PER_100_MEMBERS')).toBe('1.23 / 100 members');
    expect(formatKpi('nl', 1.234, 'PER_100_MEMBERS')).toBe('1,23 / 100 leden');
    expect(formatKpi('en', 12_345, 'COUNT')).toBe('12,345');
    expect(formatKpi('nl', 12_345, 'COUNT')).toBe('12.345');
  });

  test('never in exponent notation, never "-0", never "NaN"', () => {
    for (const unit of ['RATIO', 'COUNT', 'PER_WEEK', 'PER_100_MEMBERS', 'HOURS', 'DAYS']) {
      for (const n of [1.25e-7, -2.7755575615628914e-17, 3e21, 0]) {
        for (const language of ['en', 'nl'] as const) {
          const text = formatKpi(language, n, unit);
          expect(text).not.toMatch(/e[+-]?\d|E|-0(?![.,\d])|NaN|∞/);
          expect(formatAxisTick(language, n, unit)).not.toMatch(/e[+-]?\d|E|-0(?![.,\d])|NaN|∞|</);
        }
      }
    }
    expect(formatKpi('en', 1.25e-7, 'COUNT')).toBe('0');
    expect(formatKpi('en', Number.NaN, 'COUNT')).toBe('—');
  });

  test('axis ticks: a float-noise zero is zero, a share in steps of a quarter percent keeps its digits', () => {
    expect(formatAxisTick('en', 2.7755575615628914e-17, 'RATIO')).toBe('0 %');
    expect(formatAxisTick('en', 0.0025, 'RATIO')).toBe('0.25 %');
    expect(formatAxisTick('nl', 0.5, 'RATIO')).toBe('50 %');
    expect(formatAxisTick('en', 1.25e-7, 'HOURS')).toBe('0 h');
    expect(formatAxisTick('en', 0.25, 'DAYS')).toBe('0.25 d');
    expect(formatAxisTick('en', 0.5, 'PER_100_MEMBERS')).toBe('0.5');
    expect(axisFloor('RATIO')).toBe(0.01);
    expect(axisFloor('COUNT')).toBe(1);
  });
});

describe('trend dates', () => {
  test('short and in the language; with the year when the trend spans two', () => {
    expect(axisDates('en', ['2026-01-05', '2026-02-05'])).toEqual(['5 Jan', '5 Feb']);
    expect(axisDates('nl', ['2026-03-05'])).toEqual(['5 mrt']);
    expect(axisDates('en', ['2025-12-29', '2026-01-05'])).toEqual(['29 Dec 25', '5 Jan 26']);
    expect(axisDates('en', ['not a date'])).toEqual(['not a date']);
  });
});

describe('KPI cards and the per-scope tables', () => {
  const values = [
    value('MODERATION_BACKLOG', null, 4),
    value('MODERATION_APPEAL_RATE', null, 0.2, { value: 0.1, scope: null }),
    value('MODERATION_APPEAL_RATE', 'cm-2', 0.5, { value: 0.1, scope: null }),
    value('MODERATION_APPEAL_RATE', 'cm-1', 0, { value: 0.3, scope: 'cm-1' }),
    value('MODERATION_OVERTURNED_SHARE', 'cm-3', 0),
    value('AMBASSADORS_PER_100_MEMBERS', 'Sales', 0, { value: 1, scope: 'Sales' }),
    value('CONSENT_RATE', 'newsletter', 0.9),
    value('NOT_DEFINED', null, 1),
  ];

  test('a card for every KPI defined, in the definitions’ order; one measured per scope only has no overall value', () => {
    const cards = kpiCards(DEFINITIONS, values);
    expect(cards.map((card) => card.definition.kpi)).toEqual([...KPI_IDS]);
    const consent = cards.find((card) => card.definition.kpi === 'CONSENT_RATE')!;
    expect(consent.overall).toBeNull();
    expect(consent.scopes.map((v) => v.scope)).toEqual(['newsletter']);
    const appeal = cards.find((card) => card.definition.kpi === 'MODERATION_APPEAL_RATE')!;
    expect(appeal.overall?.value).toBe(0.2);
    expect(appeal.scopes.map((v) => v.scope)).toEqual(['cm-2', 'cm-1']);
    expect(cards.find((card) => card.definition.kpi === 'TRAINING_COMPLETION_RATE')).toMatchObject({ overall: null, scopes: [] });
  });

  test('one table per kind of scope with values, the scopes missing a target first', () => {
    const tables = scopeTables(kpiCards(DEFINITIONS, values));
    expect(tables.map((table) => table.scopeKind)).toEqual(['DEPARTMENT', 'DECIDER', 'PURPOSE']);
    const deciders = tables.find((table) => table.scopeKind === 'DECIDER')!;
    expect(deciders.kpis.map((d) => d.kpi)).toEqual(['MODERATION_APPEAL_RATE', 'MODERATION_OVERTURNED_SHARE']);
    // cm-2's 50 % misses the overall 10 %: first; then cm-1 and cm-3 by id.
    expect(deciders.rows.map((row) => [row.scope, row.missed])).toEqual([
      ['cm-2', 1],
      ['cm-1', 0],
      ['cm-3', 0],
    ]);
    expect(deciders.missed).toBe(1);
    expect(deciders.rows[1]!.values.get('MODERATION_OVERTURNED_SHARE')).toBeUndefined();
    const departments = tables.find((table) => table.scopeKind === 'DEPARTMENT')!;
    expect(departments.rows.map((row) => [row.scope, row.missed])).toEqual([['Sales', 1]]);
  });

  test('whose target a scope is held to', () => {
    expect(targetSource(value('MODERATION_APPEAL_RATE', 'cm-1', 0, { value: 0.3, scope: 'cm-1' }))).toBe('own');
    expect(targetSource(value('MODERATION_APPEAL_RATE', 'cm-2', 0.5, { value: 0.1, scope: null }))).toBe('overall');
    expect(targetSource(value('MODERATION_APPEAL_RATE', 'cm-2', 0.5))).toBe('none');
    expect(targetSource({ scope: 'cm-2', target: { value: null, direction: 'AT_MOST', scope: 'cm-2' } })).toBe('none');
  });

  test('the first rows until all are asked for; the scopes the target form offers', () => {
    const rows = Array.from({ length: 25 }, (_, i) => i);
    expect(firstRows(rows, 20, false)).toEqual({ shown: rows.slice(0, 20), hidden: 5 });
    expect(firstRows(rows, 20, true)).toEqual({ shown: rows, hidden: 0 });
    expect(firstRows(rows.slice(0, 3), 20, false)).toEqual({ shown: [0, 1, 2], hidden: 0 });
    expect(scopesOf(values, 'MODERATION_APPEAL_RATE')).toEqual(['cm-1', 'cm-2']);
    expect(scopesOf(values, 'MODERATION_BACKLOG')).toEqual([]);
  });
});
