import type { GroupActivityRecorded } from '../adoption/group-activity.decider.ts';
import { DAY_MS, HOUR_MS, measure, type InsightsPoint } from './insights-measures.ts';
import { InsightsModel, type ActivitySnapshotFacts, type GroupActivityHistory, type InsightEvent } from './insights-model.ts';
import { foldTimeline } from './insights-timeline.ts';

// Reports go through the model, so each period is keyed, dated and ordered exactly as the measures get it.
const T0 = Date.parse('2025-03-03T00:00:00.000Z');
const dayMs = (day: number) => T0 + day * DAY_MS;
const date = (day: number) => new Date(dayMs(day)).toISOString().slice(0, 10);

interface Report {
  readonly from: number;
  readonly to: number;
  readonly members: number;
  readonly lastActivity: number | null;
}

interface RawReport {
  readonly periodStart: string;
  readonly periodEnd: string;
  readonly members: number;
  readonly lastActivity: string | null;
}

const GROUP = 'g-1';

const raw = ({ from, to, members, lastActivity }: Report): RawReport => ({
  periodStart: date(from),
  periodEnd: date(to),
  members,
  lastActivity: lastActivity === null ? null : date(lastActivity),
});

let revision = 0;
const recorded = (report: RawReport, time = T0): InsightEvent => {
  const data: GroupActivityRecorded['data'] = {
    groupId: GROUP,
    periodStart: report.periodStart,
    periodEnd: report.periodEnd,
    source: 'GENERIC',
    members: report.members,
    posters: 1,
    readers: 2,
    posts: 3,
    reads: 4,
    reactions: 5,
    lastActivity: report.lastActivity,
    supersedes: false,
    recordedBy: 'cm-1',
    recordedAt: new Date(time).toISOString(),
  };
  return { streamId: `group_activity-${GROUP}`, revision: revision++, type: 'GroupActivityRecorded', data, time };
};

/** The index and a naive scan over the same reports, fed side by side. */
class Histories {
  private readonly model = new InsightsModel();
  readonly reference = new ReferenceHistory();

  record(report: RawReport): void {
    this.model.apply(recorded(report));
    this.reference.record(report);
  }

  get index(): GroupActivityHistory {
    return this.model.groupActivity.get(GROUP)!;
  }
}

/**
 * What the index must answer, written as plainly as possible: every report kept in log order, the last one per period
 * counts, a period counts from the start (UTC) of the day after its last day, the latest is the one ending last and of
 * those the latest report. A period without a real end never ends, and a last-activity day that is not a date is none.
 */
class ReferenceHistory {
  private readonly reports: RawReport[] = [];

  record(report: RawReport): void {
    this.reports.push(report);
  }

  private periods(): { report: RawReport; order: number }[] {
    const current = new Map<string, { report: RawReport; order: number }>();
    this.reports.forEach((report, order) => current.set(`${report.periodStart}..${report.periodEnd}`, { report, order }));
    return [...current.values()];
  }

  latestEndedBy(at: number): RawReport | null {
    let latest: { report: RawReport; order: number; endsAt: number } | null = null;
    for (const { report, order } of this.periods()) {
      const endsAt = Date.parse(`${report.periodEnd}T00:00:00.000Z`) + DAY_MS;
      if (!(endsAt <= at)) continue;
      if (latest === null || endsAt > latest.endsAt || (endsAt === latest.endsAt && order > latest.order)) {
        latest = { report, order, endsAt };
      }
    }
    return latest?.report ?? null;
  }

  lastActivityDayEndedBy(at: number): number | null {
    let lastDay: number | null = null;
    for (const { report } of this.periods()) {
      const endsAt = Date.parse(`${report.periodEnd}T00:00:00.000Z`) + DAY_MS;
      if (!(endsAt <= at) || report.lastActivity === null) continue;
      const day = Date.parse(`${report.lastActivity}T00:00:00.000Z`);
      if (!Number.isNaN(day) && (lastDay === null || day > lastDay)) lastDay = day;
    }
    return lastDay;
  }
}

/** Which report's figures: each report in a history has its own member count, so this tells a correction apart. */
interface ReportedFigures {
  readonly periodStart: string;
  readonly periodEnd: string;
  readonly members: number;
}
const figuresOf = (period: ActivitySnapshotFacts | RawReport | null): ReportedFigures | null =>
  period === null ? null : { periodStart: period.periodStart, periodEnd: period.periodEnd, members: period.members };

/** Mulberry32: a fixed seed gives the same histories on every run, so a disagreement can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
const integer = (next: () => number, below: number) => Math.floor(next() * below);

/**
 * A history of reports out of order: a small pool of periods (weeks, months, single days, several ending the same
 * day) so that corrections and ties are frequent, each report with its own member count so that a correction is told
 * apart from the figures it replaced.
 */
function randomReports(next: () => number): RawReport[] {
  const pool: { from: number; to: number }[] = [];
  const periods = 1 + integer(next, 10);
  for (let i = 0; i < periods; i++) {
    const to = integer(next, 60);
    pool.push({ from: to - integer(next, 14), to });
  }
  const reports: RawReport[] = [];
  const count = 1 + integer(next, 30);
  for (let i = 0; i < count; i++) {
    const { from, to } = pool[integer(next, pool.length)]!;
    const lastActivity = next() < 0.3 ? null : from + integer(next, to - from + 1);
    reports.push(raw({ from, to, members: 1000 + reports.length, lastActivity }));
  }
  return reports;
}

/** Points around every day the histories use: midnights (where periods end), just before and after, mid-day. */
function queryPoints(next: () => number): number[] {
  const points: number[] = [Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY];
  for (let day = -16; day <= 62; day++) points.push(dayMs(day) - 1, dayMs(day), dayMs(day) + 1, dayMs(day) + 12 * HOUR_MS);
  // Shuffled: the index caches its running last-activity day, so the order of the questions must not matter.
  for (let i = points.length - 1; i > 0; i--) {
    const j = integer(next, i + 1);
    [points[i], points[j]] = [points[j]!, points[i]!];
  }
  return points;
}

function disagreements(histories: Histories, points: readonly number[]): string[] {
  const found: string[] = [];
  for (const at of points) {
    const latest = figuresOf(histories.index.latestEndedBy(at));
    const expectedLatest = figuresOf(histories.reference.latestEndedBy(at));
    if (JSON.stringify(latest) !== JSON.stringify(expectedLatest)) {
      found.push(`latestEndedBy(${at}): ${JSON.stringify(latest)} vs ${JSON.stringify(expectedLatest)}`);
    }
    const lastDay = histories.index.lastActivityDayEndedBy(at);
    const expectedLastDay = histories.reference.lastActivityDayEndedBy(at);
    if (!Object.is(lastDay, expectedLastDay)) found.push(`lastActivityDayEndedBy(${at}): ${lastDay} vs ${expectedLastDay}`);
  }
  return found;
}

const SEED = 20_251_205;
const HISTORIES = 300;

describe('GroupActivityHistory', () => {
  const week = (from: number, members: number, lastActivity: number | null = null): RawReport =>
    raw({ from, to: from + 6, members, lastActivity });

  test('a period counts from the start (UTC) of the day after its last day, not a millisecond before', () => {
    const histories = new Histories();
    histories.record(week(0, 10, 3));
    const dayAfter = dayMs(7);
    expect(histories.index.latestEndedBy(dayAfter - 1)).toBeNull();
    expect(histories.index.lastActivityDayEndedBy(dayAfter - 1)).toBeNull();
    expect(histories.index.latestEndedBy(dayAfter)).toMatchObject({ periodEnd: date(6), endsAt: dayAfter, members: 10 });
    expect(histories.index.lastActivityDayEndedBy(dayAfter)).toBe(dayMs(3));
    expect(histories.index.latestEndedBy(dayAfter + 1)).toMatchObject({ members: 10 });
    // The last day itself, up to its last millisecond, is still within the period.
    expect(histories.index.latestEndedBy(dayMs(6) + 23 * HOUR_MS + 59 * 60_000 + 59_999)).toBeNull();
  });

  test('reports out of order: the latest period ended at each point, whatever order they came in', () => {
    const histories = new Histories();
    histories.record(week(14, 30, 15));
    histories.record(week(0, 10, 2));
    histories.record(week(7, 20, null));
    const latestMembers = (day: number) => histories.index.latestEndedBy(dayMs(day))?.members ?? null;
    expect([6, 7, 13, 14, 20, 21, 100].map(latestMembers)).toEqual([null, 10, 10, 20, 20, 30, 30]);
    // The middle week gave no last-activity day: the day before it stands until the third week ends.
    const lastDays = [7, 14, 21].map((day) => histories.index.lastActivityDayEndedBy(dayMs(day)));
    expect(lastDays).toEqual([dayMs(2), dayMs(2), dayMs(15)]);
    expect(disagreements(histories, queryPoints(random(1)))).toEqual([]);
  });

  test('a correction (same period, a later report) replaces the earlier figures in place', () => {
    const histories = new Histories();
    histories.record(week(0, 10, 5));
    histories.record(week(7, 20, 9));
    histories.record(week(0, 11, 1));
    expect(histories.index.byPeriod.size).toBe(2);
    expect(histories.index.latestEndedBy(dayMs(7))).toMatchObject({ members: 11, lastActivityDay: dayMs(1) });
    // The corrected day replaces the earlier one: 5 is not remembered.
    expect(histories.index.lastActivityDayEndedBy(dayMs(7))).toBe(dayMs(1));
    // Corrected, the first week does not become later than the second.
    expect(histories.index.latestEndedBy(dayMs(14))).toMatchObject({ members: 20 });
    expect(histories.index.lastActivityDayEndedBy(dayMs(14))).toBe(dayMs(9));
  });

  test('a correction after the running last-activity day was asked for: the cached days are recomputed', () => {
    const histories = new Histories();
    histories.record(week(0, 10, 6));
    histories.record(week(7, 20, null));
    histories.record(week(14, 30, null));
    expect(histories.index.lastActivityDayEndedBy(dayMs(21))).toBe(dayMs(6));
    histories.record(week(0, 11, null));
    expect(histories.index.lastActivityDayEndedBy(dayMs(21))).toBeNull();
    histories.record(week(7, 21, 12));
    expect(histories.index.lastActivityDayEndedBy(dayMs(14))).toBe(dayMs(12));
    expect(histories.index.lastActivityDayEndedBy(dayMs(7))).toBeNull();
  });

  test('periods ending the same day: the latest report is the group figure, of whichever period', () => {
    const histories = new Histories();
    histories.record(raw({ from: 0, to: 13, members: 10, lastActivity: 13 }));
    histories.record(week(7, 20, 8));
    expect(histories.index.latestEndedBy(dayMs(14))).toMatchObject({ periodStart: date(7), members: 20 });
    // A correction of the fortnight is now the latest report ending that day.
    histories.record(raw({ from: 0, to: 13, members: 11, lastActivity: 2 }));
    expect(histories.index.latestEndedBy(dayMs(14))).toMatchObject({ periodStart: date(0), members: 11 });
    expect(histories.index.lastActivityDayEndedBy(dayMs(14))).toBe(dayMs(8));
    // A later period that ends earlier does not hide what ended later.
    histories.record(raw({ from: 2, to: 2, members: 30, lastActivity: 2 }));
    expect(histories.index.latestEndedBy(dayMs(3))).toMatchObject({ members: 30 });
    expect(histories.index.latestEndedBy(dayMs(14))).toMatchObject({ members: 11 });
  });

  test('a report counts only from when it was recorded: a later report or correction never moves a past point', () => {
    const events = [
      recorded(week(0, 10, 3), dayMs(8)),
      recorded(week(7, 20, 10), dayMs(16)),
      recorded(week(0, 11, 5), dayMs(20)),
      recorded(week(14, 30, 16), dayMs(21) + HOUR_MS),
    ];
    const points: InsightsPoint[] = [7, 8, 9, 16, 20, 21, 22].map((day) => ({ at: dayMs(day), periodStart: dayMs(day - 1) }));
    const byDay = foldTimeline(points, events).map(({ adoption }) => {
      const group = adoption.byGroup.find(({ groupId }) => groupId === GROUP);
      return group ? `${group.periodStart} ${group.members} ${group.lastActivity}` : null;
    });
    expect(byDay).toEqual([
      null, // day 7: the first week has ended, but its report comes on day 8
      `${date(0)} 10 ${date(3)}`, // recorded at the very moment: counted
      `${date(0)} 10 ${date(3)}`,
      `${date(7)} 20 ${date(10)}`,
      `${date(7)} 20 ${date(10)}`, // the first week corrected: the second is still the latest
      `${date(7)} 20 ${date(10)}`, // the third week has ended, its report comes an hour later
      `${date(14)} 30 ${date(16)}`,
    ]);
  });

  test(`the index and a naive scan agree on ${HISTORIES} random histories (seed ${SEED}), asked after every report`, () => {
    const next = random(SEED);
    const found: string[] = [];
    for (let h = 0; h < HISTORIES && found.length === 0; h++) {
      const histories = new Histories();
      const reports = randomReports(next);
      for (const [i, report] of reports.entries()) {
        histories.record(report);
        // Every few reports, so that records and cached questions interleave without asking thousands of times.
        if (i % 3 === 2 || i === reports.length - 1) {
          for (const problem of disagreements(histories, queryPoints(next))) found.push(`history ${h}, report ${i}: ${problem}`);
        }
      }
    }
    expect(found.slice(0, 5)).toEqual([]);
  });

  describe('a period with bad dates (refused by the decider, but an event written around it could hold one)', () => {
    const BAD: Record<string, RawReport> = {
      'ending before it starts': raw({ from: 30, to: 20, members: 7, lastActivity: 25 }),
      'an end that is not a date': { periodStart: date(3), periodEnd: 'not a date', members: 7, lastActivity: date(50) },
      'a start that is not a date': { periodStart: 'not a date', periodEnd: date(8), members: 7, lastActivity: date(8) },
      'a last-activity day that is not a date': { periodStart: date(3), periodEnd: date(9), members: 7, lastActivity: 'not a date' },
    };

    for (const [name, bad] of Object.entries(BAD)) {
      test(`${name}: the full scan answers as the index and the naive scan do, wherever the bad period comes`, () => {
        const next = random(SEED + name.length);
        const found: string[] = [];
        for (let h = 0; h < HISTORIES / 3 && found.length === 0; h++) {
          const reports = randomReports(next);
          const badAt = integer(next, reports.length + 1);
          const withBad = [...reports.slice(0, badAt), bad, ...reports.slice(badAt)];
          const histories = new Histories();
          for (const report of withBad) histories.record(report);
          for (const problem of disagreements(histories, queryPoints(next))) found.push(`history ${h}, bad at ${badAt}: ${problem}`);
        }
        expect(found.slice(0, 5)).toEqual([]);
      });
    }

    test('measuring: a last-activity day that is not a date neither breaks the figures nor hides the real days', () => {
      const model = new InsightsModel();
      model.apply(recorded({ periodStart: date(0), periodEnd: date(6), members: 10, lastActivity: 'not a date' }));
      model.apply(recorded(week(7, 20, 10)));
      const groupAt = (day: number) => measure(model, { at: dayMs(day), periodStart: dayMs(day - 7) }).adoption.byGroup[0];
      expect(groupAt(7)).toMatchObject({ members: 10, lastActivity: null, active: false });
      expect(groupAt(14)).toMatchObject({ members: 20, lastActivity: date(10), active: true });
    });

    test('the same answers as the index gives for the same good reports, when the bad period never counts', () => {
      const next = random(SEED + 1);
      const found: string[] = [];
      for (let h = 0; h < HISTORIES / 3 && found.length === 0; h++) {
        const reports = randomReports(next);
        const indexed = new Histories();
        const scanned = new Histories();
        for (const report of reports) indexed.record(report);
        // Ends far after every point asked, and before it starts: the group falls back to the full scan.
        scanned.record(raw({ from: 1000, to: 900, members: 7, lastActivity: 950 }));
        for (const report of reports) scanned.record(report);
        for (const at of queryPoints(next).filter(Number.isFinite)) {
          const expected = [figuresOf(indexed.index.latestEndedBy(at)), indexed.index.lastActivityDayEndedBy(at)];
          const actual = [figuresOf(scanned.index.latestEndedBy(at)), scanned.index.lastActivityDayEndedBy(at)];
          if (JSON.stringify(actual) !== JSON.stringify(expected))
            found.push(`history ${h} at ${at}: ${JSON.stringify(actual)} vs ${JSON.stringify(expected)}`);
        }
      }
      expect(found.slice(0, 5)).toEqual([]);
    });
  });
});
