import {
  comparePositions,
  START,
  type EventStore,
  type GovernanceEventStore,
  type KeyLookup,
  type LogPosition,
  type ReadAllPage,
  type RecordedEvent,
  type StoredEvent,
} from '#event-store';
import { InsightsModel, INSIGHT_CATEGORIES, INSIGHT_EVENT_TYPES, type InsightEvent, type TargetFacts } from './insights-model.ts';
import { measure, type InsightsPoint, type InsightsSnapshot } from './insights-measures.ts';
import { foldTimeline } from './insights-timeline.ts';

export interface InsightsEngineOptions {
  /** Events per read of the log. Default 5000. */
  readonly pageSize?: number;
  /**
   * The most events kept in memory between requests, for a series to fold without reading the log again. Beyond it
   * the kept events are let go and every series reads the log, as it did before they were kept. Default
   * DEFAULT_MAX_KEPT_EVENTS; 0 keeps none.
   */
  readonly maxKeptEvents?: number;
  /** Told about an event the model could not take (it is skipped, so one bad event does not stop every KPI). */
  readonly onSkippedEvent?: (event: SkippedEvent, error: unknown) => void;
  /**
   * Awaited before each series and each catch-up of the live model. Reading the log index, it waits (bounded) for the
   * index to reach the store's head, so that what other commands just wrote is counted, as it is when reading the store.
   */
  readonly beforeRead?: () => Promise<unknown>;
}

export interface SkippedEvent {
  readonly streamId: string;
  readonly revision: number;
  readonly type: string;
}

/**
 * A kept event takes about 360 bytes of heap (measured on bench/insights.bench.ts: 67 MB for its 193,000 events, a year
 * of a few thousand members with weekly usage reports for 2,000 groups). Twice that year fits in about 150 MB, which a
 * service with Node's default heap limit can spare; a larger log reads itself for each series as before.
 */
export const DEFAULT_MAX_KEPT_EVENTS = 400_000;

/**
 * Each type read as the one string of INSIGHT_EVENT_TYPES: the model's switch then compares references rather than the
 * characters of a fresh string per event, and the kept events share one copy of each type's name.
 */
const EVENT_TYPES: ReadonlyMap<string, string> = new Map(INSIGHT_EVENT_TYPES.map((type) => [type, type]));

/** The KPIs need no personal field: nothing is decrypted, and no key is looked up. */
const NO_KEYS: KeyLookup = () => Promise.resolve(undefined);

export class InsightsTimeoutError extends Error {
  override readonly name = 'InsightsTimeoutError';
}

/**
 * Measures the KPIs from the log itself: the relevant categories in log order, each event compacted to what the model
 * needs, folded into a compact model that is measured as the fold passes each point (see foldTimeline).
 *
 * Values "now" come from a live model kept in memory and caught up from its checkpoint on each request: one small
 * read, and the same definitions as every past point, so "now" and "last March" cannot disagree the way a read
 * model (a second implementation of each KPI, in SQL) could. The events that catch-up reads are kept too (up to
 * maxKeptEvents), so a series reads only what is new and folds the rest from memory: the log is read once per process.
 */
export class InsightsEngine {
  private readonly pageSize: number;
  private readonly maxKeptEvents: number;
  private readonly live = new InsightsModel();
  /**
   * The events the live model folded, in the order a series folds them: by time, in log order among events of the same
   * time (what foldTimeline's stable sort makes of the log order), once `keptInOrder`. Null once there were more than
   * maxKeptEvents.
   */
  private kept: InsightEvent[] | null;
  /** False when an event kept since the last series came before an earlier one in time: sorted at the next series. */
  private keptInOrder = true;
  /** Kept events already reported as skipped: one that no model can take is told once, not at every series. */
  private readonly reported = new WeakSet<InsightEvent>();
  private checkpoint: LogPosition = START;
  /** Catch-ups run one after the other: each starts after the request that asked for it. */
  private tail: Promise<void> = Promise.resolve();

  constructor(
    /**
     * Where the log is read, filtered to the KPIs' categories and types: the store when it filters in the database
     * (PostgreSQL), else the log index (EventStoreDB: its readAll filters on the client, reading the whole log).
     */
    private readonly store: Pick<EventStore, 'readAll'>,
    private readonly events: GovernanceEventStore,
    private readonly options: InsightsEngineOptions = {},
  ) {
    this.pageSize = options.pageSize ?? 5000;
    this.maxKeptEvents = options.maxKeptEvents ?? DEFAULT_MAX_KEPT_EVENTS;
    this.kept = this.maxKeptEvents > 0 ? [] : null;
  }

  /**
   * Snapshots at `points` (ascending), from every event committed before this call: the kept events after a catch-up,
   * or (more than maxKeptEvents) one read of the relevant categories from the start of the log. Either way one fold in
   * time order (see foldTimeline).
   */
  async series(points: readonly InsightsPoint[]): Promise<InsightsSnapshot[]> {
    if (points.length === 0) return [];
    if (this.kept !== null) {
      await this.catchUp();
      // Read after the catch-up: it may have let them go. Folded without awaiting, so no catch-up appends meanwhile.
      const kept = this.kept as InsightEvent[] | null;
      if (kept !== null) {
        if (!this.keptInOrder) {
          // Stable, so the kept order (log order among equal times) stays; near-linear on a sorted list with a tail.
          kept.sort((a, b) => a.time - b.time);
          this.keptInOrder = true;
        }
        return foldTimeline(points, kept, (event, error) => this.reportOnce(event, error));
      }
    }
    return this.seriesFromLog(points);
  }

  /** The KPIs at `point.at` from the live model, after it caught up with everything committed before this call. */
  async current(point: InsightsPoint): Promise<InsightsSnapshot> {
    await this.catchUp();
    return measure(this.live, point);
  }

  /** The targets set now. */
  async currentTargets(): Promise<TargetFacts[]> {
    await this.catchUp();
    return [...this.live.targets.values()];
  }

  /**
   * Reads what is new into the live model and the kept events now: called at start, it spares the first request the
   * read of the whole log.
   */
  warmUp(): Promise<void> {
    return this.catchUp();
  }

  /** Read-your-writes for a mutation: the live model has folded `position` (or the wait timed out). */
  async waitFor(position: LogPosition, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      await this.catchUp();
      if (comparePositions(this.checkpoint, position) >= 0) return;
      // Not readable yet: an older transaction is still running (readAll reads only below the oldest one).
      if (Date.now() >= deadline) throw new InsightsTimeoutError(`insights did not reach position ${position.commit}:${position.prepare}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** One read of the whole filtered log, nothing kept: a series when the log holds more than maxKeptEvents. */
  private async seriesFromLog(points: readonly InsightsPoint[]): Promise<InsightsSnapshot[]> {
    await this.options.beforeRead?.();
    const events: InsightEvent[] = [];
    await this.readPages(START, (_recorded, event) => {
      if (event) events.push(event);
    });
    return foldTimeline(points, events, (event, error) => this.options.onSkippedEvent?.(event, error));
  }

  private catchUp(): Promise<void> {
    const round = this.tail.then(() => this.readNew());
    // A failed round leaves the model at its last folded event; the next round goes on from there.
    this.tail = round.catch(() => undefined);
    return round;
  }

  private async readNew(): Promise<void> {
    await this.options.beforeRead?.();
    const end = await this.readPages(this.checkpoint, (recorded, event) => {
      if (event) {
        this.guarded(recorded, event, () => this.live.apply(event));
        this.keep(event);
      }
      // Per event: a round that fails halfway never folds an event twice.
      this.checkpoint = recorded.position;
    });
    this.checkpoint = end;
  }

  /** After the live model folded it; lets every kept event go once there are more than maxKeptEvents. */
  private keep(event: InsightEvent): void {
    const kept = this.kept;
    if (kept === null) return;
    if (kept.length >= this.maxKeptEvents) {
      this.kept = null;
      return;
    }
    // The log is in time order but for clock skew between instances and events imported with their original time.
    if (kept.length > 0 && event.time < kept[kept.length - 1]!.time) this.keptInOrder = false;
    kept.push(event);
  }

  /**
   * Reads the filtered log after `after` to its end, page by page (the next page is read while this one is taken), and
   * hands `take` each event with its compacted form (null: unreadable, already reported). Answers the last page's
   * checkpoint.
   */
  private async readPages(after: LogPosition, take: (recorded: RecordedEvent, event: InsightEvent | null) => void): Promise<LogPosition> {
    let reading = this.readPage(after);
    let prefetch: Promise<ReadAllPage> | undefined = reading;
    try {
      for (;;) {
        const page: ReadAllPage = await reading;
        prefetch = page.isEnd ? undefined : (reading = this.readPage(page.checkpoint));
        // A page at a time rather than an await per event: the events of a page are independent.
        const compacted = await Promise.all(page.events.map((recorded) => this.toInsightEvent(recorded)));
        for (let i = 0; i < page.events.length; i++) take(page.events[i]!, compacted[i]!);
        if (page.isEnd) return page.checkpoint;
      }
    } finally {
      // Stopped by a failure: the page read ahead is not wanted, and its own failure must not go unhandled.
      prefetch?.catch(() => undefined);
    }
  }

  private readPage(after: LogPosition): Promise<ReadAllPage> {
    // Filtered in the database: the events no KPI looks at are neither sent nor deserialised.
    return this.store.readAll({
      after,
      maxCount: this.pageSize,
      filter: { categories: INSIGHT_CATEGORIES, eventTypes: INSIGHT_EVENT_TYPES },
    });
  }

  /** An event of a shape the model does not expect (written around the deciders) is skipped and reported. */
  private guarded(recorded: RecordedEvent, event: InsightEvent, fold: () => void): void {
    try {
      fold();
    } catch (error) {
      this.reported.add(event);
      this.options.onSkippedEvent?.(recorded, error);
    }
  }

  /** A kept event a series' fold could not take: reported unless the live model's fold reported it already. */
  private reportOnce(event: InsightEvent, error: unknown): void {
    if (this.reported.has(event)) return;
    this.reported.add(event);
    this.options.onSkippedEvent?.(event, error);
  }

  /** Upcast like every reader (personal fields stay sealed); null for an event that cannot be read, reported. */
  private async toInsightEvent(recorded: RecordedEvent): Promise<InsightEvent | null> {
    let stored: StoredEvent;
    try {
      stored = await this.events.deserialize(recorded, NO_KEYS);
    } catch (error) {
      this.options.onSkippedEvent?.(recorded, error);
      return null;
    }
    const occurred = Date.parse(stored.metadata.occurredAt);
    return {
      streamId: stored.streamId,
      revision: stored.revision,
      type: EVENT_TYPES.get(stored.type) ?? stored.type,
      data: stored.data,
      // An event written around the governance layer may have no occurredAt: the server's time is the next best.
      time: Number.isNaN(occurred) ? stored.recordedAt.getTime() : occurred,
    };
  }
}
