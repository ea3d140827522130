import { badInput } from '../../platform/shared/domain-error.ts';
import { InsightsModel, type InsightEvent } from './insights-model.ts';
import { measure, WEEK_MS, type InsightsPoint, type InsightsSnapshot } from './insights-measures.ts';

export const INSIGHT_STEPS = ['WEEK', 'MONTH'] as const;
export type InsightStep = (typeof INSIGHT_STEPS)[number];

/** A year of weekly points is 53; ten years of months 120. More is refused rather than computed. */
export const MAX_SERIES_POINTS = 400;

/**
 * `ms` plus `months` calendar months in UTC, the time of day kept; a day the target month lacks becomes its last day
 * (31 January + 1 month = 28 or 29 February), so monthly points never run into the month after.
 */
export function addUtcMonths(ms: number, months: number): number {
  const start = new Date(ms);
  const target = new Date(ms);
  target.setUTCDate(1);
  target.setUTCMonth(start.getUTCMonth() + months);
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(start.getUTCDate(), lastDay));
  return target.getTime();
}

/** The k-th step from `origin` (k may be negative). Months are counted from the origin, so they never drift. */
export function stepFrom(origin: number, step: InsightStep, k: number): number {
  return step === 'WEEK' ? origin + k * WEEK_MS : addUtcMonths(origin, k);
}

/** One moment, with the period of one step that ends at it. */
export function pointAt(at: number, period: InsightStep): InsightsPoint {
  return { at, periodStart: stepFrom(at, period, -1) };
}

/**
 * `from`, then every step after it up to `to` (inclusive); each point's period is the step since the one before, so
 * the per-period figures of a series add up without overlap. Points after `notAfter` (now) are left out: the future
 * has no history yet.
 */
export function seriesPoints(from: number, to: number, step: InsightStep, notAfter: number): InsightsPoint[] {
  if (!Number.isFinite(from) || !Number.isFinite(to)) throw badInput('from and to must be dates and times', { field: 'from' });
  if (to < from) throw badInput('to must not be before from', { field: 'to' });
  if (from > notAfter) throw badInput('from must not be in the future: there is no history there yet', { field: 'from' });
  const points: InsightsPoint[] = [];
  for (let k = 0; ; k++) {
    const at = stepFrom(from, step, k);
    if (at > to || at > notAfter) break;
    if (points.length === MAX_SERIES_POINTS) {
      throw badInput(`a series has at most ${MAX_SERIES_POINTS} points: shorten the range or take a longer step`, { field: 'to' });
    }
    points.push({ at, periodStart: stepFrom(from, step, k - 1) });
  }
  return points;
}

/**
 * The series engine's core, without I/O: each point is the model folded from the events recorded (metadata.occurredAt)
 * at or before it, in log order, measured then. Nothing recorded after a point reaches it, and nothing of today is
 * back-filled into the past.
 *
 * Events must come in ascending time (see `foldTimeline`, which sorts); the fold measures each point the moment the
 * first event after it arrives.
 */
export class TimelineFold {
  private readonly model = new InsightsModel();
  private readonly snapshots: InsightsSnapshot[] = [];
  private next = 0;

  /** `points` in ascending order of `at`. */
  constructor(private readonly points: readonly InsightsPoint[]) {
    for (let i = 1; i < points.length; i++) {
      if (points[i]!.at < points[i - 1]!.at) throw new Error('timeline points must be in ascending order');
    }
  }

  /** Every point is measured: later events can change nothing. */
  get done(): boolean {
    return this.next >= this.points.length;
  }

  push(event: InsightEvent): void {
    while (this.next < this.points.length && event.time > this.points[this.next]!.at) this.emit();
    if (!this.done) this.model.apply(event);
  }

  /** The points after the last event are measured on everything there is. */
  finish(): InsightsSnapshot[] {
    while (!this.done) this.emit();
    return this.snapshots;
  }

  private emit(): void {
    this.snapshots.push(measure(this.model, this.points[this.next]!));
    this.next++;
  }
}

/**
 * Snapshots at `points` from `events` in log order. The log is in time order but for clock skew between instances or an
 * event imported with its original time: a stable sort by time (near-linear on an almost sorted log) puts each event
 * at the point its time belongs to, and keeps log order among events of the same time.
 */
export function foldTimeline(
  points: readonly InsightsPoint[],
  events: readonly InsightEvent[],
  onFailure: (event: InsightEvent, error: unknown) => void = (_event, error) => {
    throw error;
  },
): InsightsSnapshot[] {
  const fold = new TimelineFold(points);
  let ordered = events;
  for (let i = 1; i < events.length; i++) {
    if (events[i]!.time < events[i - 1]!.time) {
      ordered = [...events].sort((a, b) => a.time - b.time);
      break;
    }
  }
  for (const event of ordered) {
    if (fold.done) break;
    try {
      fold.push(event);
    } catch (error) {
      onFailure(event, error);
    }
  }
  return fold.finish();
}
