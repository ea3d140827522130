import type { ActivityRow } from './activity-report.ts';
import { planActivityImport } from './import-plan.ts';

const figures = { members: 10, posters: null, readers: null, posts: 1, reads: 2, reactions: 3, lastActivity: null };
const row = (line: number, groupId: string | null, groupName: string | null, start = '2026-11-23', end = '2026-11-29'): ActivityRow => ({
  line,
  groupId,
  groupName,
  period: { start, end },
  figures,
});
const groups = [
  { id: 'g-sales', name: 'Sales NL' },
  { id: 'g-eng', name: 'Engineering, Platform' },
  { id: 'g-x1', name: 'Twins' },
  { id: 'g-x2', name: 'twins' },
];

describe('planActivityImport', () => {
  test('given rows by id and by name (trimmed, any case), matches each to its group', () => {
    const plan = planActivityImport([row(2, 'g-sales', null), row(3, null, '  engineering, PLATFORM ')], [], groups);
    expect(plan.matched.map((m) => [m.row.line, m.groupId])).toEqual([
      [2, 'g-sales'],
      [3, 'g-eng'],
    ]);
    expect(plan).toMatchObject({ unmatched: [], rejected: [], periodStart: '2026-11-23', periodEnd: '2026-11-29' });
  });

  test('an id that is not ours falls back to the name; a row matching neither is listed by its name, else its id', () => {
    const plan = planActivityImport([row(2, 'ext-1', 'Sales NL'), row(3, 'ext-2', 'Nowhere'), row(4, 'ext-3', null)], [], groups);
    expect(plan.matched.map((m) => m.groupId)).toEqual(['g-sales']);
    expect(plan.unmatched).toEqual(['Nowhere', 'ext-3']);
  });

  test('a name two groups share matches neither: unmatched, never a guess', () => {
    expect(planActivityImport([row(2, null, 'TWINS')], [], groups)).toMatchObject({ matched: [], unmatched: ['TWINS'] });
  });

  test('two rows for one group and period: the second is rejected, and then nothing is matched (all or nothing)', () => {
    const plan = planActivityImport([row(2, 'g-sales', null), row(3, null, 'Sales NL'), row(4, 'g-eng', null)], [], groups);
    expect(plan.rejected).toEqual([{ row: 3, message: 'group g-sales already has a row for 2026-11-23 to 2026-11-29 (line 2)' }]);
    expect(plan.matched).toEqual([]);
  });

  test('the same group for two periods is two rows to record; the span covers both', () => {
    const plan = planActivityImport([row(2, 'g-sales', null, '2026-11-30', '2026-12-06'), row(3, 'g-sales', null)], [], groups);
    expect(plan.matched).toHaveLength(2);
    expect(plan).toMatchObject({ periodStart: '2026-11-23', periodEnd: '2026-12-06' });
  });

  test('rows the report could not read are rejected in line order with the rest, and nothing is matched', () => {
    const plan = planActivityImport([row(2, 'g-sales', null), row(4, 'g-sales', null)], [{ row: 3, message: 'bad' }], groups);
    expect(plan.rejected.map((error) => error.row)).toEqual([3, 4]);
    expect(plan.matched).toEqual([]);
  });

  test('what a community manager mapped comes first: the external id, then the external name, then our own ids and names', () => {
    const mappings = {
      byId: new Map([
        ['6e3f-guid', 'g-eng'],
        ['g-sales', 'g-x1'],
      ]),
      byName: new Map([['verkoop nl', 'g-sales']]),
    };
    const plan = planActivityImport(
      [
        row(2, '6e3f-guid', 'Verkoop NL'),
        row(3, null, ' VERKOOP nl'),
        row(4, 'g-sales', null),
        row(5, 'other', 'Twins'),
        row(6, null, 'Sales NL', '2026-11-30', '2026-12-06'),
      ],
      [],
      groups,
      mappings,
    );
    expect(plan.matched.map((m) => [m.row.line, m.groupId])).toEqual([
      [2, 'g-eng'],
      [3, 'g-sales'],
      [4, 'g-x1'],
      [6, 'g-sales'],
    ]);
    expect(plan.unmatched).toEqual(['Twins']);
  });

  test('a file without rows has no period', () => {
    expect(planActivityImport([], [], groups)).toEqual({ matched: [], unmatched: [], rejected: [], periodStart: null, periodEnd: null });
  });
});
