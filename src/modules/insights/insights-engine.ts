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

/** The KPIs need no personal field: nothing is decrypted, and no key is looked up. */
const NO_KEYS: KeyLookup = () => Promise.resolve(undefined);

export class InsightsTimeoutError extends Error {
  override readonly name = 'InsightsTimeoutError';
}

/**
 * Measures the KPIs from the log itself. A series is one read of the relevant categories in log order, folded into a
 * compact model that is measured as the fold passes each point (see foldTimeline).
 *
 * Values "now" come from a live model kept in memory and caught up from its checkpoint on each request: one small
 * read, and the same definitions as every past point, so "now" and "last March" cannot disagree the way a read
 * model (a second implementation of each KPI, in SQL) could.
 */
export class InsightsEngine {
  private readonly pageSize: number;
  private readonly live = new InsightsModel();
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
  }

  /**
   * Snapshots at `points` (ascending): one read of the relevant categories from the start of the log, each event
   * compacted as it arrives (the next page is read meanwhile), then one fold in time order (see foldTimeline).
   */
  async series(points: readonly InsightsPoint[]): Promise<InsightsSnapshot[]> {
    if (points.length === 0) return [];
    await this.options.beforeRead?.();
    const events: InsightEvent[] = [];
    let prefetch: Promise<ReadAllPage> | undefined = this.readPage(START);
    try {
      while (prefetch) {
        const page: ReadAllPage = await prefetch;
        prefetch = page.isEnd ? undefined : this.readPage(page.checkpoint);
        for (const recorded of page.events) {
          const event = await this.toInsightEvent(recorded);
          if (event) events.push(event);
        }
      }
    } finally {
      // Stopped by a failure: the page read ahead is not wanted, and its own failure must not go unhandled.
      prefetch?.catch(() => undefined);
    }
    return foldTimeline(points, events, (event, error) => this.options.onSkippedEvent?.(event, error));
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

  private catchUp(): Promise<void> {
    const round = this.tail.then(() => this.readNew());
    // A failed round leaves the model at its last folded event; the next round goes on from there.
    this.tail = round.catch(() => undefined);
    return round;
  }

  private async readNew(): Promise<void> {
    await this.options.beforeRead?.();
    for (;;) {
      const page = await this.readPage(this.checkpoint);
      for (const recorded of page.events) {
        const event = await this.toInsightEvent(recorded);
        if (event) this.guarded(recorded, () => this.live.apply(event));
        // Per event: a round that fails halfway never folds an event twice.
        this.checkpoint = recorded.position;
      }
      this.checkpoint = page.checkpoint;
      if (page.isEnd) return;
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
  private guarded(recorded: RecordedEvent, fold: () => void): void {
    try {
      fold();
    } catch (error) {
      this.options.onSkippedEvent?.(recorded, error);
    }
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
      type: stored.type,
      data: stored.data,
      // An event written around the governance layer may have no occurredAt: the server's time is the next best.
      time: Number.isNaN(occurred) ? stored.recordedAt.getTime() : occurred,
    };
  }
}
