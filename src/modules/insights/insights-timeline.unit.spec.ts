import { DomainError } from '../../platform/shared/domain-error.ts';
import type { InsightEvent } from './insights-model.ts';
import { DAY_MS, HOUR_MS } from './insights-measures.ts';
import { addUtcMonths, foldTimeline, MAX_SERIES_POINTS, pointAt, seriesPoints, stepFrom, TimelineFold } from './insights-timeline.ts';

const T0 = Date.parse('2025-03-03T00:00:00.000Z');
const ms = (day: number, hour = 0) => T0 + day * DAY_MS + hour * HOUR_MS;
const iso = (day: number, hour = 0) => new Date(ms(day, hour)).toISOString();
const utc = (text: string) => Date.parse(text);

let revision = 0;
const event = (time: number, type: string, data: Record<string, unknown>): InsightEvent => ({
  streamId: 's',
  revision: revision++,
  type,
  data,
  time,
});
const report = (caseId: string, day: number, hour = 0): InsightEvent[] => [
  event(ms(day, hour), 'ModerationCaseOpened', {
    caseId,
    caseNumber: 1,
    contentId: caseId,
    contentType: 'post',
    authorId: 'a',
    groupId: null,
    contentStatus: 'VISIBLE',
    openedAt: iso(day, hour),
  }),
  event(ms(day, hour), 'ContentFlagged', { caseId, reporterId: 'r', reason: 'SPAM', note: null, flaggedAt: iso(day, hour) }),
];
const decide = (caseId: string, day: number, hour = 0): InsightEvent =>
  event(ms(day, hour), 'ModerationCaseDecided', {
    caseId,
    outcome: 'REMOVE_CONTENT',
    reason: 'r',
    guideline: null,
    decidedBy: 'mod-a',
    decidedAt: iso(day, hour),
    contentStatus: 'REMOVED',
    sanction: null,
  });

const run = (points: ReturnType<typeof seriesPoints>, events: readonly InsightEvent[]) => foldTimeline(points, events);

const badInput = (error: unknown) => error instanceof DomainError && error.code === 'BAD_USER_INPUT';

describe('insights timeline', () => {
  test('calendar months in UTC: the day of the month kept, or the last day of a shorter month', () => {
    expect(new Date(addUtcMonths(utc('2025-01-31T10:00:00Z'), 1)).toISOString()).toBe('2025-02-28T10:00:00.000Z');
    expect(new Date(addUtcMonths(utc('2024-01-31T10:00:00Z'), 1)).toISOString()).toBe('2024-02-29T10:00:00.000Z');
    expect(new Date(addUtcMonths(utc('2025-03-31T00:00:00Z'), -1)).toISOString()).toBe('2025-02-28T00:00:00.000Z');
    expect(new Date(addUtcMonths(utc('2025-11-15T00:00:00Z'), 3)).toISOString()).toBe('2026-02-15T00:00:00.000Z');
    // Counted from the origin, months never drift: 31 January + 2 months is 31 March, not 28 March.
    expect(new Date(stepFrom(utc('2025-01-31T00:00:00Z'), 'MONTH', 2)).toISOString()).toBe('2025-03-31T00:00:00.000Z');
  });

  test('series points: from, every step up to to, each covering the step since the one before', () => {
    const weeks = seriesPoints(ms(0), ms(21), 'WEEK', ms(100));
    expect(weeks).toEqual([
      { at: ms(0), periodStart: ms(-7) },
      { at: ms(7), periodStart: ms(0) },
      { at: ms(14), periodStart: ms(7) },
      { at: ms(21), periodStart: ms(14) },
    ]);
    expect(seriesPoints(ms(0), ms(20), 'WEEK', ms(100))).toHaveLength(3);
    expect(seriesPoints(ms(0), ms(0), 'WEEK', ms(100))).toEqual([{ at: ms(0), periodStart: ms(-7) }]);
    const months = seriesPoints(utc('2025-01-31T00:00:00Z'), utc('2025-05-01T00:00:00Z'), 'MONTH', ms(1000)).map((p) =>
      [p.periodStart, p.at].map((x) => new Date(x).toISOString().slice(0, 10)),
    );
    expect(months).toEqual([
      ['2024-12-31', '2025-01-31'],
      ['2025-01-31', '2025-02-28'],
      ['2025-02-28', '2025-03-31'],
      ['2025-03-31', '2025-04-30'],
    ]);
    // A year of weeks: 53 points.
    expect(seriesPoints(utc('2025-01-01T00:00:00Z'), utc('2025-12-31T00:00:00Z'), 'WEEK', utc('2026-06-01T00:00:00Z'))).toHaveLength(53);
    expect(pointAt(ms(7), 'WEEK')).toEqual({ at: ms(7), periodStart: ms(0) });
  });

  test('no point after now; a range backwards, in the future or too long is refused', () => {
    expect(seriesPoints(ms(0), ms(70), 'WEEK', ms(15)).map((p) => p.at)).toEqual([ms(0), ms(7), ms(14)]);
    const refused = (run: () => unknown) => {
      try {
        run();
      } catch (error) {
        return badInput(error);
      }
      return false;
    };
    expect(refused(() => seriesPoints(ms(7), ms(0), 'WEEK', ms(100)))).toBe(true);
    expect(refused(() => seriesPoints(ms(20), ms(30), 'WEEK', ms(15)))).toBe(true);
    expect(refused(() => seriesPoints(Number.NaN, ms(7), 'WEEK', ms(100)))).toBe(true);
    expect(refused(() => seriesPoints(ms(0), ms(7 * MAX_SERIES_POINTS), 'WEEK', ms(10_000)))).toBe(true);
    expect(seriesPoints(ms(0), ms(7 * (MAX_SERIES_POINTS - 1)), 'WEEK', ms(10_000))).toHaveLength(MAX_SERIES_POINTS);
  });

  test('each point is the log as it stood at that moment: backlog and flows per week', () => {
    const history = [...report('c1', 1), ...report('c2', 2), decide('c1', 9), ...report('c3', 10), decide('c2', 16), decide('c3', 16, 12)];
    const points = seriesPoints(ms(0), ms(21), 'WEEK', ms(100));
    const series = run(points, history).map((s) => ({
      at: s.at,
      backlog: s.moderation.backlog,
      opened: s.moderation.casesOpened,
      decided: s.moderation.casesDecided,
      medianHours: s.moderation.medianHoursToDecision,
      oldestDays: s.moderation.oldestOpenCaseDays,
    }));
    expect(series).toEqual([
      { at: ms(0), backlog: 0, opened: 0, decided: 0, medianHours: null, oldestDays: null },
      { at: ms(7), backlog: 2, opened: 2, decided: 0, medianHours: null, oldestDays: 6 },
      { at: ms(14), backlog: 2, opened: 1, decided: 1, medianHours: 8 * 24, oldestDays: 12 },
      { at: ms(21), backlog: 0, opened: 0, decided: 2, medianHours: (14 * 24 + 6.5 * 24) / 2, oldestDays: null },
    ]);
  });

  test('changing state after a date does not move the points before it', () => {
    const before = [...report('c1', 1), ...report('c2', 2)];
    const after = [decide('c1', 9), ...report('c3', 10), decide('c2', 16)];
    const points = seriesPoints(ms(0), ms(21), 'WEEK', ms(100));
    const withoutLater = run(points, before);
    const withLater = run(points, [...before, ...after]);
    // Day 7 and before: identical, whatever was recorded after day 7.
    expect(withLater.slice(0, 2)).toEqual(withoutLater.slice(0, 2));
    expect(withLater[1]!.moderation.backlog).toBe(2);
    // Later points do see the later events.
    expect([withoutLater[2]!.moderation.casesDecided, withLater[2]!.moderation.casesDecided]).toEqual([0, 1]);
  });

  test('an event counts at its own time wherever it sits in the log (a clock a little behind, an import of old history)', () => {
    const points = seriesPoints(ms(0), ms(14), 'WEEK', ms(100));
    // Recorded after the events of day 8, but at day 5: it belongs to the week that ends on day 7.
    const series = run(points, [...report('c1', 1), ...report('c2', 2), ...report('c3', 8), decide('c1', 5)]);
    expect(series.map((s) => [s.moderation.backlog, s.moderation.casesDecided, s.moderation.medianHoursToDecision])).toEqual([
      [0, 0, null],
      [1, 1, 4 * 24],
      [2, 0, null],
    ]);
    // Events of the same time keep their log order: the flag after the opening of its case.
    const failures: string[] = [];
    const [point] = foldTimeline([pointAt(ms(7), 'WEEK')], [...report('c9', 3), event(ms(1), 'MemberLeft', null as never)], (e) =>
      failures.push(e.type),
    );
    expect(point!.moderation.backlog).toBe(1);
    expect(failures).toEqual(['MemberLeft']);
  });

  test('the fold is done once the log passed the last point: the reader may stop', () => {
    const fold = new TimelineFold([pointAt(ms(7), 'WEEK')]);
    for (const e of report('c1', 1)) fold.push(e);
    expect(fold.done).toBe(false);
    fold.push(report('c2', 8)[0]!);
    expect(fold.done).toBe(true);
    const [snapshot] = fold.finish();
    expect(snapshot!.moderation.backlog).toBe(1);
    expect(new TimelineFold([]).done).toBe(true);
    expect(() => new TimelineFold([pointAt(ms(7), 'WEEK'), pointAt(ms(0), 'WEEK')])).toThrow('ascending');
  });
});
