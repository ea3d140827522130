import pg from 'pg';
import { endPoolFully, guardPoolClients, isUnavailableError, runMigrations } from '#postgres';
import {
  EventStoreError,
  EventStoreFailureError,
  EventStoreUnavailableError,
  IdempotencyConflictError,
  InvalidAppendError,
  StreamNotFoundError,
  WrongExpectedRevisionError,
} from '../errors.ts';
import type {
  AppendResult,
  EventStore,
  EventToAppend,
  ExpectedRevision,
  LogFilter,
  ReadAllOptions,
  ReadAllPage,
  ReadStreamOptions,
  RecordedEvent,
  SubscribeOptions,
  Subscription,
} from '../event-store.port.ts';
import { streamCategory } from '../event-store.port.ts';
import { validateHistoryOptions, type HistoryCapable, type HistoryPage, type ReadHistoryOptions } from '../history.ts';
import { comparePositions, START, type LogPosition } from '../position.ts';
import { AppendBatcher } from './append-batcher.ts';
import { filterConditions, toRecordedEvent, type EventRow } from './event-rows.ts';
import { historyQuery, type HistoryQueryTuning } from './history-query.ts';
import { AppendNotifier, type AppendedBatch } from './notifier.ts';
import { EVENT_STORE_MIGRATIONS } from './schema.ts';
import { PollingSubscription } from './polling-subscription.ts';
import { SharedTailRead } from './shared-tail-read.ts';

export interface PostgresEventStoreOptions {
  readonly connectionString: string;
  /** Connections in the pool. Default 10. */
  readonly poolSize?: number;
  /** How long a connection may sit idle before the pool closes it; 0 keeps it open until close(). Default pg's 10 s. */
  readonly poolIdleTimeoutMs?: number;
  /** Append transactions in flight at once; further appends queue and share the next commit. Default 2. */
  readonly maxAppendsInFlight?: number;
  /** Appends in one transaction at most. Default 200. */
  readonly maxAppendBatch?: number;
  /** How often an idle subscription looks for new events when no notification woke it. Default 250 ms. */
  readonly subscriptionPollMs?: number;
  /** Events per page a subscription reads. Default 500. */
  readonly subscriptionBatchSize?: number;
  /**
   * While appends keep coming, the least time between two reads of a subscription (the whole after a live read of 50
   * events or more, a share in proportion after one of 10 to 49: see liveBatchingPauseMs), and between two NOTIFYs
   * to other processes: subscribers then read (and projections commit) fewer, larger batches, at the cost of at most
   * this much delivery latency. Light traffic is delivered at once. Default 50:
   * under a sustained load a projection then commits about 20 batches a second instead of 100, which is what lets the
   * appends keep their pace while projections follow them (measured with `npm run bench`, see the README).
   */
  readonly liveBatchingMs?: number;
  /**
   * Whether the caught-up subscriptions of this store share their reads of the log's tail (SharedTailRead): one read
   * per wake-up for all of them instead of one each. Default true; false is for measuring what it saves.
   */
  readonly shareTailReads?: boolean;
  /** How a history query with a time window splits its work (see history-query.ts). Default HISTORY_QUERY_DEFAULTS. */
  readonly historyQuery?: HistoryQueryTuning;
  /**
   * The longest a read that must count everything committed before it (history, waitForCommitted) waits for the
   * transactions older than those commits to end. Default 5000.
   */
  readonly committedWaitMs?: number;
}

/** The defaults of the tuning options above (the benchmark reports them alongside its figures). */
export const POSTGRES_EVENT_STORE_DEFAULTS = Object.freeze({
  poolSize: 10,
  maxAppendsInFlight: 2,
  maxAppendBatch: 200,
  subscriptionPollMs: 250,
  committedWaitMs: 5_000,
  subscriptionBatchSize: 500,
  liveBatchingMs: 50,
  shareTailReads: true,
});

interface AppendRequest {
  readonly stream: string;
  /** As es_append takes it: a revision >= 0, or -1 no_stream, -2 stream_exists, -3 any. */
  readonly expected: number;
  readonly events: readonly { id: string; type: string; data: string; metadata: string }[];
}

type AppendOutcome =
  | { revision: number; commit: string; prepare: string }
  | { error: 'revision'; actual: number }
  | { error: 'idempotency'; id: string }
  | { error: 'retry' }
  | { error: 'invalid'; message: string }
  | { error: 'failed'; cause: unknown };

interface AppendRow {
  o_kind: number[];
  o_revision: string[];
  o_commit: (string | null)[];
  o_prepare: (string | null)[];
}

const MAX_POSITION = 9223372036854775807n;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// json and uuid are read back as text so the bytes are exactly those that were appended. The aliases shadow the
// column names in ORDER BY, so every ORDER BY names the table's columns as e.<column>, never the bare name.
// recorded_at comes as whole milliseconds since the epoch (a Date's precision, truncated as the driver's own
// timestamptz parser does), which costs far less to turn into a Date than the driver's parsing of the text form.
const EVENT_COLUMNS = `e.transaction_id::text AS transaction_id, e.global_position::text AS global_position, e.stream_id,
  e.stream_revision::text AS stream_revision, e.event_id::text AS event_id, e.event_type, e.data::text AS data,
  e.metadata::text AS metadata, floor(extract(epoch FROM e.recorded_at) * 1000)::text AS recorded_at`;
const RETRIES_ON_NEW_STREAM_RACE = 5;
const EXPECTED_CODES = { no_stream: -1, stream_exists: -2, any: -3 } as const;
/** Deadlock and serialisation failure: the whole transaction was rolled back, nothing was written. */
const RETRYABLE = new Set(['40P01', '40001']);

export class PostgresEventStore implements EventStore, HistoryCapable {
  private readonly pool: pg.Pool;
  private readonly batcher: AppendBatcher<AppendRequest, AppendOutcome>;
  private readonly notifier: AppendNotifier;
  private readonly subscriptions = new Set<PollingSubscription>();
  /** The caught-up subscriptions' reads, one per wake-up for all of them (see SharedTailRead). */
  private readonly tail: SharedTailRead;
  /** The newest transaction id of this store's own appends (see ownWritesReadable). */
  private ownNewest = 0n;
  /** Every transaction below this id had ended when last looked: below it, nothing is hidden any more. */
  private endedBelow = 0n;

  private constructor(private readonly options: PostgresEventStoreOptions) {
    this.pool = new pg.Pool({
      connectionString: options.connectionString,
      max: options.poolSize ?? POSTGRES_EVENT_STORE_DEFAULTS.poolSize,
      // Undefined leaves pg's default (pg-pool fills in 10 s for a missing or undefined value).
      idleTimeoutMillis: options.poolIdleTimeoutMs,
    });
    // An idle client that loses its connection must not crash the process; the next query reports it.
    this.pool.on('error', () => undefined);
    guardPoolClients(this.pool);
    this.batcher = new AppendBatcher(
      (batch) => this.appendBatch(batch),
      options.maxAppendsInFlight ?? POSTGRES_EVENT_STORE_DEFAULTS.maxAppendsInFlight,
      options.maxAppendBatch ?? POSTGRES_EVENT_STORE_DEFAULTS.maxAppendBatch,
    );
    this.tail = new SharedTailRead((after, maxCount) => this.readAllBelowHorizon({ after, maxCount }), this.subscriptionBatchSize());
    this.notifier = new AppendNotifier(
      options.connectionString,
      (payload) => this.pool.query(`SELECT pg_notify('es_events', $1)`, [payload]),
      this.liveBatchingMs(),
    );
  }

  /** Connects and applies the event store's migrations. */
  static async create(options: PostgresEventStoreOptions): Promise<PostgresEventStore> {
    const store = new PostgresEventStore(options);
    try {
      await runMigrations(store.pool, 'event-store', EVENT_STORE_MIGRATIONS);
    } catch (error) {
      await store.pool.end().catch(() => undefined);
      throw mapError(error);
    }
    return store;
  }

  async appendToStream(streamId: string, events: readonly EventToAppend[], expectedRevision: ExpectedRevision): Promise<AppendResult> {
    validateAppend(streamId, events, expectedRevision);
    const request: AppendRequest = {
      stream: streamId,
      expected: typeof expectedRevision === 'number' ? expectedRevision : EXPECTED_CODES[expectedRevision],
      events: events.map((e) => ({ id: e.id.toLowerCase(), type: e.type, data: e.data, metadata: e.metadata })),
    };
    for (let attempt = 0; ; attempt++) {
      const outcome = await this.batcher.submit(request).catch((error: unknown) => {
        throw mapError(error);
      });
      if (!('error' in outcome)) {
        const commit = BigInt(outcome.commit);
        if (commit > this.ownNewest) this.ownNewest = commit;
        return { nextExpectedRevision: outcome.revision, position: { commit, prepare: BigInt(outcome.prepare) } };
      }
      switch (outcome.error) {
        case 'revision':
          throw new WrongExpectedRevisionError(streamId, expectedRevision, outcome.actual < 0 ? undefined : outcome.actual);
        case 'idempotency':
          throw new IdempotencyConflictError(streamId, outcome.id);
        case 'invalid':
          throw new InvalidAppendError(`stream ${streamId}: ${outcome.message}`);
        case 'retry':
          // A unique violation the stream locks should have made impossible; try again, a few times.
          if (attempt < RETRIES_ON_NEW_STREAM_RACE) continue;
          throw new EventStoreFailureError(`stream ${streamId}: append kept colliding with concurrent appends`);
        case 'failed':
          throw mapError(outcome.cause);
      }
    }
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const backwards = options.direction === 'backwards';
    const conditions = ['e.stream_id = $1'];
    const params: unknown[] = [streamId];
    if (options.fromRevision !== undefined) {
      params.push(options.fromRevision);
      conditions.push(`e.stream_revision ${backwards ? '<=' : '>='} $${params.length}`);
    }
    if (options.toRevision !== undefined) {
      params.push(options.toRevision);
      conditions.push(`e.stream_revision ${backwards ? '>=' : '<='} $${params.length}`);
    }
    let limit = '';
    if (options.maxCount !== undefined) {
      params.push(options.maxCount);
      limit = `LIMIT $${params.length}`;
    }
    // Prepared once per connection and shape (direction and which bounds are given): commands read streams all the
    // time, and planning each read cost more server time than running it.
    const shape = `${backwards ? 'b' : 'f'}${options.fromRevision !== undefined ? 'r' : ''}${options.toRevision !== undefined ? 't' : ''}${limit ? 'l' : ''}`;
    const rows = await this.query<EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM es_events e WHERE ${conditions.join(' AND ')}
        ORDER BY e.stream_revision ${backwards ? 'DESC' : 'ASC'} ${limit}`,
      params,
      `es_read_stream_${shape}`,
    );
    if (rows.length === 0) {
      const exists = await this.query('SELECT 1 FROM es_streams WHERE stream_id = $1', [streamId], 'es_stream_exists');
      if (exists.length === 0) throw new StreamNotFoundError(streamId);
    }
    return rows.map(toRecordedEvent);
  }

  /**
   * Hands `observer` every page the caught-up subscriptions' shared reads of the log's tail bring (see SharedTailRead):
   * every event of (after, page.checkpoint], unfiltered, below the horizon as readAll gives them. A reader that
   * follows the whole log (the log sealer) folds those rather than reading them again. Returns the function that stops
   * it.
   */
  observeTailReads(observer: (after: LogPosition, page: ReadAllPage) => void): () => void {
    return this.tail.observe(observer);
  }

  async readAll(options: ReadAllOptions): Promise<ReadAllPage> {
    await this.ownWritesReadable();
    return this.readAllBelowHorizon(options);
  }

  /**
   * Read-your-writes within a process: what this store appended is in its own reads (readAll, headPosition,
   * countEventsAfter) once the transactions older than those appends have ended (bounded by committedWaitMs). Reads
   * stop below the oldest transaction still running (see readAll), and a writer that began before our append (a
   * projection's batch, another process) would otherwise hide it from the very process that wrote it. One small query
   * after an append, none otherwise. Subscriptions do not wait: they deliver what is readable and come back for the rest.
   */
  private async ownWritesReadable(): Promise<void> {
    await this.untilEnded(this.ownNewest, {});
  }

  /**
   * Waits, bounded, until every transaction up to `transactionId` has ended (its writes are then readable); whether it
   * did. What was seen ended once stays ended, so a transaction below that answers at once, with no query.
   */
  private async untilEnded(transactionId: bigint, options: { timeoutMs?: number; pollMs?: number }): Promise<boolean> {
    const deadline = Date.now() + (options.timeoutMs ?? this.options.committedWaitMs ?? POSTGRES_EVENT_STORE_DEFAULTS.committedWaitMs);
    for (;;) {
      if (transactionId < this.endedBelow) return true;
      const [row] = await this.query<{ xmin: string }>('SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xmin', [], 'es_xmin');
      this.sawHorizon(BigInt(row!.xmin));
      if (transactionId < this.endedBelow) return true;
      if (Date.now() >= deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 10));
    }
  }

  /** Every transaction below `xmin` has ended (the horizon never moves back). */
  private sawHorizon(xmin: bigint): void {
    if (xmin > this.endedBelow) this.endedBelow = xmin;
  }

  private async readAllBelowHorizon(options: ReadAllOptions): Promise<ReadAllPage> {
    const after = options.after ?? START;
    const params: unknown[] = [after.commit.toString(), after.prepare.toString(), options.maxCount];
    const filters = filterConditions(options.filter, params);
    // One statement, one snapshot: the horizon and the rows agree. Only transactions older than the oldest one
    // still running are read, so nothing can later commit before the checkpoint we hand out.
    const rows = await this.query<EventRow & { horizon: string }>(
      `WITH h AS (SELECT pg_snapshot_xmin(pg_current_snapshot()) AS xmin)
       SELECT h.xmin::text AS horizon, page.* FROM h LEFT JOIN LATERAL (
         SELECT ${EVENT_COLUMNS} FROM es_events e
          WHERE (e.transaction_id, e.global_position) > ($1::text::xid8, $2::bigint) AND e.transaction_id < h.xmin ${filters}
          ORDER BY e.transaction_id, e.global_position LIMIT $3) page ON true
       ORDER BY page.transaction_id::xid8, page.global_position::bigint`,
      params,
      // Prepared once per connection and filter shape: with a projection per module, each filtering the log, these
      // reads follow every append; parsing and planning (these among other statements) took about 44% of the server's
      // CPU under the service benchmark's commands. PostgreSQL's plan cache still plans a filtered read for its values
      // while a plan for any values would cost clearly more.
      `es_read_all${filterShape(options.filter)}`,
    );
    // The same snapshot's horizon: what a read of its own appends would otherwise ask again (ownWritesReadable).
    if (rows[0]) this.sawHorizon(BigInt(rows[0].horizon));
    const events = rows.filter((r) => r.event_id !== null).map(toRecordedEvent);
    const isEnd = events.length < options.maxCount;
    let checkpoint = events.at(-1)?.position ?? after;
    if (isEnd) {
      const horizon: LogPosition = { commit: BigInt(rows[0]!.horizon) - 1n, prepare: MAX_POSITION };
      if (comparePositions(horizon, checkpoint) > 0) checkpoint = horizon;
    }
    return { events, checkpoint, isEnd };
  }

  /**
   * One statement per page, indexed (see history-query.ts for its shapes and migration 2 for the indexes). Like
   * readAll it reads only transactions older than the oldest one running, so a cursor never has an event appear
   * behind it.
   */
  async readHistory(options: ReadHistoryOptions): Promise<HistoryPage> {
    validateHistoryOptions(options);
    // What was committed before the question is in the answer (an auditor's, a decision's evidence), as on the log
    // index: the query reads only below the oldest transaction still running, which may have begun before it.
    await this.waitForCommitted();
    const { text, values } = historyQuery(options, EVENT_COLUMNS, this.options.historyQuery);
    const rows = await this.query<EventRow>(text, values);
    return { events: rows.slice(0, options.maxCount).map(toRecordedEvent), hasMore: rows.length > options.maxCount };
  }

  subscribeToAll(options: SubscribeOptions = {}): Subscription {
    const subscription = new PollingSubscription({
      read: (after, maxCount) => this.readAllBelowHorizon({ after, maxCount, ...(options.filter ? { filter: options.filter } : {}) }),
      after: options.after ?? START,
      ...((this.options.shareTailReads ?? POSTGRES_EVENT_STORE_DEFAULTS.shareTailReads)
        ? { readTail: (after: LogPosition) => this.tail.read(after, options.filter) }
        : {}),
      batchSize: this.subscriptionBatchSize(),
      pollMs: this.options.subscriptionPollMs ?? POSTGRES_EVENT_STORE_DEFAULTS.subscriptionPollMs,
      liveBatchingMs: this.liveBatchingMs(),
      notifier: this.notifier,
      ...(options.filter ? { filter: options.filter } : {}),
      onClose: (s) => this.subscriptions.delete(s),
    });
    this.subscriptions.add(subscription);
    return subscription;
  }

  async headPosition(): Promise<LogPosition> {
    await this.ownWritesReadable();
    const rows = await this.query<{ transaction_id: string; global_position: string }>(
      `SELECT e.transaction_id::text AS transaction_id, e.global_position::text AS global_position FROM es_events e
        WHERE e.transaction_id < pg_snapshot_xmin(pg_current_snapshot())
        ORDER BY e.transaction_id DESC, e.global_position DESC LIMIT 1`,
    );
    const row = rows[0];
    return row ? { commit: BigInt(row.transaction_id), prepare: BigInt(row.global_position) } : START;
  }

  /**
   * Waits (bounded) until every event committed before the call is readable. readAll and headPosition read only below
   * the oldest transaction still running, so that no reader skips an event committed later at a lower position; but a
   * writer that began before an append and is still running (a projection's batch, another instance's append) then
   * hides that append from them, however long ago it was committed. A reader that must count what was written before
   * it was asked (a report after a direct write, a second instance's append) waits here first. Whether the events
   * became readable before the timeout.
   */
  async waitForCommitted(options: { timeoutMs?: number; pollMs?: number } = {}): Promise<boolean> {
    // The newest committed event and the horizon in one query: when nothing older still runs, no other is needed.
    const [newest] = await this.query<{ transaction_id: string; xmin: string }>(
      `SELECT e.transaction_id::text AS transaction_id, pg_snapshot_xmin(pg_current_snapshot())::text AS xmin
         FROM es_events e ORDER BY e.transaction_id DESC, e.global_position DESC LIMIT 1`,
    );
    if (newest === undefined) return true;
    this.sawHorizon(BigInt(newest.xmin));
    return this.untilEnded(BigInt(newest.transaction_id), options);
  }

  async countEventsAfter(position: LogPosition, filter?: LogFilter): Promise<number> {
    await this.ownWritesReadable();
    const params: unknown[] = [position.commit.toString(), position.prepare.toString()];
    const filters = filterConditions(filter, params);
    const rows = await this.query<{ n: string }>(
      `SELECT count(*) AS n FROM es_events e
        WHERE (e.transaction_id, e.global_position) > ($1::text::xid8, $2::bigint)
          AND e.transaction_id < pg_snapshot_xmin(pg_current_snapshot()) ${filters}`,
      params,
    );
    return Number(rows[0]?.n ?? 0);
  }

  /** See EventStore.announceAppendsNow: the NOTIFY held back by the coalescing interval goes at once. */
  announceAppendsNow(): void {
    this.notifier.hurry();
  }

  async close(): Promise<void> {
    await Promise.all([...this.subscriptions].map((s) => s.close()));
    await this.notifier.close();
    await endPoolFully(this.pool).catch(() => undefined);
  }

  /**
   * One es_append call per batch. Appends that repeat a (stream, event id) pair of an earlier one in the batch
   * (concurrent retries of one append) go in a later call, so es_append answers them as replays of a committed
   * append. A call that fails for a reason other than unavailability leaves nothing written; its appends are then
   * run one by one, so only the faulty one is refused.
   */
  private async appendBatch(batch: readonly AppendRequest[]): Promise<AppendOutcome[]> {
    const outcomes: AppendOutcome[] = [];
    for (const group of withoutRepeatedIds(batch)) {
      try {
        outcomes.push(...(await this.runAppends(group)));
      } catch (error) {
        if (group.length === 1 || isUnavailableError(error)) {
          for (let i = 0; i < group.length; i++) outcomes.push(failedAppend(error));
          continue;
        }
        for (const request of group) outcomes.push(await this.runAppends([request]).then(([o]) => o!, failedAppend));
      }
    }
    this.notifier.appended(appendedBatch(batch, outcomes));
    return outcomes;
  }

  private async runAppends(group: readonly AppendRequest[]): Promise<AppendOutcome[]> {
    const streams: string[] = [];
    const streamIndex = new Map<string, number>();
    const appendStream: number[] = [];
    const expected: number[] = [];
    const counts: number[] = [];
    const eventStream: number[] = [];
    const ids: string[] = [];
    const types: string[] = [];
    const data: string[] = [];
    const metadata: string[] = [];
    for (const request of group) {
      let index = streamIndex.get(request.stream);
      if (index === undefined) {
        index = streams.push(request.stream);
        streamIndex.set(request.stream, index);
      }
      appendStream.push(index);
      expected.push(request.expected);
      counts.push(request.events.length);
      for (const event of request.events) {
        eventStream.push(index);
        ids.push(event.id);
        types.push(event.type);
        data.push(event.data);
        metadata.push(event.metadata);
      }
    }
    let checkAllIds = false;
    for (let attempt = 0; ; attempt++) {
      try {
        const values = [streams, appendStream, expected, counts, eventStream, ids, types, data, metadata, checkAllIds];
        const result = await this.pool.query<AppendRow>({ name: 'es_append', text: APPEND_SQL, values });
        const row = result.rows[0]!;
        return group.map((request, i) => toOutcome(request, row, i));
      } catch (error) {
        const { code, constraint } = error as { code?: string; constraint?: string };
        // A deadlock or serialisation failure rolled the whole call back: nothing was written, so run it again.
        if (RETRYABLE.has(code ?? '') && attempt < 3) continue;
        // An append reused an id stored by another one (see es_append): again, looking every id up this time.
        if (code === '23505' && constraint === 'es_events_stream_id_event_id_key' && !checkAllIds) {
          checkAllIds = true;
          continue;
        }
        throw error;
      }
    }
  }

  private subscriptionBatchSize(): number {
    return this.options.subscriptionBatchSize ?? POSTGRES_EVENT_STORE_DEFAULTS.subscriptionBatchSize;
  }

  private liveBatchingMs(): number {
    return this.options.liveBatchingMs ?? POSTGRES_EVENT_STORE_DEFAULTS.liveBatchingMs;
  }

  /** `name` prepares the statement once per connection: only for a text that never changes under that name. */
  private async query<Row extends object>(text: string, params: readonly unknown[] = [], name?: string): Promise<Row[]> {
    try {
      const result = await this.pool.query<Row>(name ? { name, text, values: params as unknown[] } : { text, values: params as unknown[] });
      return result.rows;
    } catch (error) {
      throw mapError(error);
    }
  }
}

/** Which filters a read has (not their values): the part of its prepared statement's name that tells the texts apart. */
function filterShape(filter: LogFilter | undefined): string {
  return `${filter?.categories ? '_c' : ''}${filter?.eventTypes ? '_t' : ''}`;
}

const APPEND_SQL = 'SELECT o_kind, o_revision, o_commit, o_prepare FROM es_append($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)';

/**
 * What a batch wrote, for the notifier: the categories of the streams it appended to (streamCategory, as the category
 * column computes them), the types of its events and its highest position. Refused appends wrote nothing.
 */
function appendedBatch(batch: readonly AppendRequest[], outcomes: readonly AppendOutcome[]): AppendedBatch {
  const categories = new Set<string>();
  const types = new Set<string>();
  let position: LogPosition = START;
  batch.forEach((request, i) => {
    const outcome = outcomes[i];
    if (!outcome || 'error' in outcome) return;
    categories.add(streamCategory(request.stream));
    for (const event of request.events) types.add(event.type);
    const written = { commit: BigInt(outcome.commit), prepare: BigInt(outcome.prepare) };
    if (comparePositions(written, position) > 0) position = written;
  });
  return { categories, types, position };
}

/** Splits a batch where an append repeats a (stream, event id) pair of an earlier append in the same part. */
function withoutRepeatedIds(batch: readonly AppendRequest[]): AppendRequest[][] {
  const groups: AppendRequest[][] = [[]];
  let seen = new Set<string>();
  for (const request of batch) {
    const keys = request.events.map((e) => `${e.id}\u0000${request.stream}`);
    if (keys.some((k) => seen.has(k))) {
      groups.push([]);
      seen = new Set();
    }
    for (const k of keys) seen.add(k);
    groups.at(-1)!.push(request);
  }
  return groups.filter((g) => g.length > 0);
}

function toOutcome(request: AppendRequest, row: AppendRow, i: number): AppendOutcome {
  const revision = Number(row.o_revision[i]);
  switch (row.o_kind[i]) {
    case 0:
    case 1:
      return { revision, commit: row.o_commit[i]!, prepare: row.o_prepare[i]! };
    case 2:
      return { error: 'revision', actual: revision };
    case 3:
      return { error: 'idempotency', id: request.events[revision - 1]!.id };
    default:
      return { error: 'failed', cause: new Error(`es_append answered an unknown outcome ${String(row.o_kind[i])}`) };
  }
}

/**
 * The outcome of an append that failed alone: its own data (a data exception, a missing value, a value past a
 * limit such as an index entry's size or JSON nesting: invalid), a unique violation (retry), or the store.
 */
function failedAppend(error: unknown): AppendOutcome {
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (code.startsWith('22') || code.startsWith('54') || code === '23502')) {
    return { error: 'invalid', message: (error as Error).message };
  }
  if (code === '23505') return { error: 'retry' };
  return { error: 'failed', cause: error };
}

function validateAppend(streamId: string, events: readonly EventToAppend[], expected: ExpectedRevision): void {
  if (typeof streamId !== 'string' || streamId.length === 0) throw new InvalidAppendError('stream id must be a non-empty string');
  if (events.length === 0) throw new InvalidAppendError(`stream ${streamId}: nothing to append`);
  if (typeof expected === 'number' ? !Number.isSafeInteger(expected) || expected < 0 : !Object.hasOwn(EXPECTED_CODES, expected)) {
    throw new InvalidAppendError(
      `stream ${streamId}: expected revision must be a whole number >= 0, 'no_stream', 'stream_exists' or 'any'`,
    );
  }
  if (streamId.includes('\u0000')) throw new InvalidAppendError(`stream ${streamId}: stream id contains a NUL character`);
  // Checked here, not left to the server: a batch's appends share one statement, which one bad value would fail.
  const ids = new Set<string>();
  for (const event of events) {
    if (typeof event.id !== 'string' || !UUID.test(event.id)) {
      throw new InvalidAppendError(`stream ${streamId}: event id "${String(event.id)}" is not a UUID`);
    }
    if (ids.has(event.id.toLowerCase()))
      throw new InvalidAppendError(`stream ${streamId}: event id ${event.id} appears twice in one append`);
    ids.add(event.id.toLowerCase());
    if (typeof event.type !== 'string' || !event.type || event.type.includes('\u0000')) {
      throw new InvalidAppendError(`stream ${streamId}: event type must be a non-empty string without NUL characters`);
    }
    for (const field of ['data', 'metadata'] as const) {
      const text: unknown = event[field];
      if (typeof text !== 'string') throw new InvalidAppendError(`stream ${streamId}: event ${event.id}: ${field} must be JSON text`);
      try {
        JSON.parse(text);
      } catch (error) {
        throw new InvalidAppendError(`stream ${streamId}: event ${event.id}: ${field} is not JSON (${(error as Error).message})`);
      }
    }
  }
}

function mapError(error: unknown): EventStoreError {
  if (error instanceof EventStoreError) return error;
  if (isUnavailableError(error)) return new EventStoreUnavailableError((error as Error).message, { cause: error });
  return new EventStoreFailureError(`PostgreSQL event store failed: ${(error as Error)?.message ?? String(error)}`, { cause: error });
}
