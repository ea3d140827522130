import type { ReadHistoryOptions } from '../history.ts';
import { historyQuery, RECORDED_DAY } from './history-query.ts';

const shape = (options: ReadHistoryOptions) => {
  const { text } = historyQuery(options, 'e.*');
  if (text.includes('WITH scanned')) return 'window';
  if (text.includes('UNION ALL')) return 'branches';
  return 'plain';
};
const window = { recordedFrom: new Date('2025-01-01T00:00:00Z'), recordedTo: new Date('2025-02-01T00:00:00Z') };

describe('historyQuery: the shape of the statement for what the filter leaves the planner', () => {
  test.each<[string, ReadHistoryOptions['filter'], string]>([
    ['no filter', undefined, 'plain'],
    ['one category', { categories: ['member'] }, 'plain'],
    ['one type', { eventTypes: ['MemberRegistered'] }, 'plain'],
    ['several types', { eventTypes: ['A', 'B', 'C'] }, 'branches'],
    ['several categories and a type', { categories: ['member', 'group'], eventTypes: ['A'] }, 'branches'],
    ['several types and an actor', { eventTypes: ['A', 'B'], actorId: 'a' }, 'plain'],
    ['a time window', window, 'window'],
    ['a time window and a category', { ...window, categories: ['member'] }, 'window'],
    ['a time window and several types', { ...window, eventTypes: ['A', 'B'] }, 'window'],
    ['a time window and an actor', { ...window, actorId: 'a' }, 'plain'],
    ['a time window and a correlation id', { ...window, correlationId: 'c' }, 'plain'],
    ['a time window and a stream', { ...window, streamId: 'member-1' }, 'plain'],
  ])('%s: %#', (_label, filter, expected) => {
    expect(shape({ direction: 'backwards', maxCount: 100, ...(filter ? { filter } : {}) })).toBe(expected);
  });

  test('every value travels as a parameter; the end of a window is inclusive at the millisecond', () => {
    const { text, values } = historyQuery(
      {
        direction: 'forwards',
        maxCount: 10,
        after: { commit: 5n, prepare: 7n },
        filter: { actorId: "o'brien", recordedTo: new Date('2025-01-31T23:59:59.999Z') },
      },
      'e.*',
    );
    expect(values).toEqual(['5', '7', "o'brien", '2025-02-01T00:00:00.000Z']);
    expect(text).not.toContain("o'brien");
    expect(text).toContain('LIMIT 11');
  });

  test("a window's days are read through the day index's expression, each in log order from the cursor", () => {
    const { text, values } = historyQuery({ direction: 'backwards', maxCount: 10, filter: window }, 'e.*');
    // The very expression the day indexes are built on (the planner matches it as written), against the day of a row.
    expect(text).toContain(`${RECORDED_DAY.replace('%', 'e')} = d.day`);
    expect(text).toContain('ORDER BY e.transaction_id DESC, e.global_position DESC LIMIT 11');
    // The window's first and last days come from its ends, which travel as parameters.
    expect(values).toEqual([
      '2025-01-01T00:00:00.000Z',
      '2025-02-01T00:00:00.001Z',
      '2025-01-01T00:00:00.000Z',
      '2025-02-01T00:00:00.000Z',
    ]);
  });

  test('counts written into the statement must be whole numbers', () => {
    expect(() => historyQuery({ direction: 'forwards', maxCount: 1.5 }, 'e.*')).toThrow('maxCount must be a whole number >= 1');
    expect(() => historyQuery({ direction: 'forwards', maxCount: 1 }, 'e.*', { windowScanBudget: 0, windowLeadDays: 1 })).toThrow(
      'windowScanBudget must be a whole number >= 1',
    );
    expect(() => historyQuery({ direction: 'forwards', maxCount: 1 }, 'e.*', { windowScanBudget: 1, windowLeadDays: 0.5 })).toThrow(
      'windowLeadDays must be a whole number >= 1',
    );
  });
});
