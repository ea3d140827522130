import { streamCategory, type LogFilter, type ReadAllPage, type RecordedEvent } from '../event-store.port.ts';
import { comparePositions, type LogPosition } from '../position.ts';

interface TailRequest {
  readonly after: LogPosition;
  readonly filter: LogFilter | undefined;
  resolve(page: ReadAllPage): void;
  reject(error: unknown): void;
}

/**
 * One read of the log's tail for every caught-up subscription of a store that asks at about the same time, each
 * filtering the page in memory, instead of one filtered query each: the service runs a projection per module, and a
 * wake-up otherwise sends as many reads as subscriptions it woke (issue #23, figures in the README).
 *
 * A request is answered only by a read sent after it was made. A subscription marks its doorbell before it asks, so
 * the page it gets was read after the mark, as its own read would have been: an append that committed after the
 * read's snapshot (or a transaction that ended after it, letting the horizon pass an append) rings the doorbell after
 * the mark, and the subscription reads again at once. Requests made while a read is in flight wait for the next one.
 *
 * The read is unfiltered and horizon-bounded, from the lowest position asked for (`readAll` below the horizon, as a
 * subscription's own read): every request's range is covered from its own position up to the page's checkpoint, so
 * nothing is skipped or repeated. A page that does not reach the end (more events than a page holds) answers the
 * requests it covers, whose subscriptions then read on their own until they are caught up again; a request it does
 * not reach at all waits for the next read. A subscription behind (catching up, rebuilding) reads on its own: the
 * subscription decides (see PollingSubscription), so that a request here is near the tail.
 *
 * The events handed out are the same objects for every subscription: RecordedEvent is read-only.
 */
export class SharedTailRead {
  private pending: TailRequest[] = [];
  private running = false;
  private readonly observers = new Set<(after: LogPosition, page: ReadAllPage) => void>();

  /**
   * Hands `observer` every page this reads, unfiltered, with the position it was read after: the page holds every
   * event of (after, page.checkpoint]. Returns the function that stops it.
   */
  observe(observer: (after: LogPosition, page: ReadAllPage) => void): () => void {
    this.observers.add(observer);
    return () => this.observers.delete(observer);
  }

  constructor(
    /** An unfiltered, horizon-bounded read of the log (readAll without the wait for this process's own appends). */
    private readonly readTail: (after: LogPosition, maxCount: number) => Promise<ReadAllPage>,
    private readonly maxCount: number,
  ) {}

  /** The page of the log after `after` that `filter` takes, from a read sent after this call. */
  read(after: LogPosition, filter: LogFilter | undefined): Promise<ReadAllPage> {
    return new Promise<ReadAllPage>((resolve, reject) => {
      this.pending.push({ after, filter, resolve, reject });
      if (this.running) return;
      this.running = true;
      // The subscriptions one append woke ask within the same turn of the event loop: they share the first read.
      setImmediate(() => void this.run());
    });
  }

  private async run(): Promise<void> {
    try {
      while (this.pending.length > 0) {
        // Taken before the read is sent: whoever asks from now on waits for the next read.
        const requests = this.pending;
        this.pending = [];
        let start = requests[0]!.after;
        for (const r of requests) if (comparePositions(r.after, start) < 0) start = r.after;
        let page: ReadAllPage;
        try {
          page = await this.readTail(start, this.maxCount);
        } catch (error) {
          for (const r of requests) r.reject(error);
          continue;
        }
        for (const observer of this.observers) {
          try {
            observer(start, page);
          } catch {
            // An observer's failure is its own: the subscriptions waiting for this read must still get it.
          }
        }
        for (const r of requests) {
          // Not reached by a page that stopped short of the end: its range starts past what was read.
          if (!page.isEnd && comparePositions(r.after, page.checkpoint) >= 0) this.pending.push(r);
          else r.resolve(pageFor(page, r.after, r.filter));
        }
      }
    } finally {
      this.running = false;
    }
  }
}

/**
 * What a read of its own would have answered a subscription at `after` with `filter`, from a page read from an
 * earlier or equal position: the page covers (start, checkpoint], so it covers (after, checkpoint] too.
 */
function pageFor(page: ReadAllPage, after: LogPosition, filter: LogFilter | undefined): ReadAllPage {
  const events = page.events.filter((e) => comparePositions(e.position, after) > 0 && takes(filter, e));
  const checkpoint = comparePositions(page.checkpoint, after) > 0 ? page.checkpoint : after;
  return { events, checkpoint, isEnd: page.isEnd };
}

/** The log filter's test, as filterConditions puts it to PostgreSQL (the category column is streamCategory's). */
function takes(filter: LogFilter | undefined, event: RecordedEvent): boolean {
  if (filter?.categories && !filter.categories.includes(streamCategory(event.streamId))) return false;
  if (filter?.eventTypes && !filter.eventTypes.includes(event.type)) return false;
  return true;
}
