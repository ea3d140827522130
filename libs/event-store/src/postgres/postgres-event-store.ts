import pg from 'pg';
import { isUnavailableError, runMigrations } from '#postgres';
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
import { comparePositions, START, type LogPosition } from '../position.ts';
import { AppendBatcher } from './append-batcher.ts';
import { AppendNotifier } from './notifier.ts';
import { EVENT_STORE_MIGRATIONS } from './schema.ts';
import { PollingSubscription } from './polling-subscription.ts';

export interface PostgresEventStoreOptions {
  readonly connectionString: string;
  /** Connections in the pool. Default 10. */
  readonly poolSize?: number;
  /** Append transactions in flight at once; further appends queue and share the next commit. Default 2. */
  readonly maxAppendsInFlight?: number;
  /** Appends in one transaction at most. Default 200. */
  readonly maxAppendBatch?: number;
  /** How often an idle subscription looks for new events when no notification woke it. Default 250 ms. */
  readonly subscriptionPollMs?: number;
  /** Events per page a subscription reads. Default 500. */
  readonly subscriptionBatchSize?: number;
}

/** The defaults of the tuning options above (the benchmark reports them alongside its figures). */
export const POSTGRES_EVENT_STORE_DEFAULTS = Object.freeze({
  poolSize: 10,
  maxAppendsInFlight: 2,
  maxAppendBatch: 200,
  subscriptionPollMs: 250,
  subscriptionBatchSize: 500,
});

interface AppendRequest {
  readonly stream: string;
  readonly expected: string;
  readonly events: readonly { id: string; type: string; data: string; metadata: string }[];
}

type AppendOutcome =
  | { revision: number; commit: string; prepare: number | string; replay?: boolean }
  | { error: 'revision'; actual: number }
  | { error: 'idempotency'; id: string }
  | { error: 'retry' }
  | { error: 'invalid'; message: string };

interface EventRow {
  transaction_id: string;
  global_position: string;
  stream_id: string;
  stream_revision: string;
  event_id: string;
  event_type: string;
  data: string;
  metadata: string;
  recorded_at: Date;
}

const MAX_POSITION = 9223372036854775807n;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// json and uuid are read back as text so the bytes are exactly those that were appended. The aliases shadow the
// column names in ORDER BY, so every ORDER BY names the table's columns as e.<column>, never the bare name.
const EVENT_COLUMNS = `e.transaction_id::text AS transaction_id, e.global_position::text AS global_position, e.stream_id,
  e.stream_revision::text AS stream_revision, e.event_id::text AS event_id, e.event_type, e.data::text AS data,
  e.metadata::text AS metadata, e.recorded_at`;
const RETRIES_ON_NEW_STREAM_RACE = 5;

export class PostgresEventStore implements EventStore {
  private readonly pool: pg.Pool;
  private readonly batcher: AppendBatcher<AppendRequest, AppendOutcome>;
  private readonly notifier: AppendNotifier;
  private readonly subscriptions = new Set<PollingSubscription>();

  private constructor(private readonly options: PostgresEventStoreOptions) {
    this.pool = new pg.Pool({
      connectionString: options.connectionString,
      max: options.poolSize ?? POSTGRES_EVENT_STORE_DEFAULTS.poolSize,
    });
    // An idle client that loses its connection must not crash the process; the next query reports it.
    this.pool.on('error', () => undefined);
    this.batcher = new AppendBatcher(
      (batch) => this.appendBatch(batch),
      options.maxAppendsInFlight ?? POSTGRES_EVENT_STORE_DEFAULTS.maxAppendsInFlight,
      options.maxAppendBatch ?? POSTGRES_EVENT_STORE_DEFAULTS.maxAppendBatch,
    );
    this.notifier = new AppendNotifier(options.connectionString, () => this.pool.query(`SELECT pg_notify('es_events', '')`));
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
      expected: String(expectedRevision),
      events: events.map((e) => ({ id: e.id.toLowerCase(), type: e.type, data: e.data, metadata: e.metadata })),
    };
    for (let attempt = 0; ; attempt++) {
      const outcome = await this.batcher.submit(request);
      if (!('error' in outcome)) {
        return { nextExpectedRevision: outcome.revision, position: { commit: BigInt(outcome.commit), prepare: BigInt(outcome.prepare) } };
      }
      switch (outcome.error) {
        case 'revision':
          throw new WrongExpectedRevisionError(streamId, expectedRevision, outcome.actual < 0 ? undefined : outcome.actual);
        case 'idempotency':
          throw new IdempotencyConflictError(streamId, outcome.id);
        case 'invalid':
          throw new InvalidAppendError(`stream ${streamId}: ${outcome.message}`);
        case 'retry':
          // Another transaction created the stream (or stored these ids) concurrently; now it is visible.
          if (attempt < RETRIES_ON_NEW_STREAM_RACE) continue;
          throw new EventStoreFailureError(`stream ${streamId}: append kept colliding with concurrent appends`);
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
    const rows = await this.query<EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM es_events e WHERE ${conditions.join(' AND ')}
        ORDER BY e.stream_revision ${backwards ? 'DESC' : 'ASC'} ${limit}`,
      params,
    );
    if (rows.length === 0) {
      const exists = await this.query('SELECT 1 FROM es_streams WHERE stream_id = $1', [streamId]);
      if (exists.length === 0) throw new StreamNotFoundError(streamId);
    }
    return rows.map(toRecordedEvent);
  }

  async readAll(options: ReadAllOptions): Promise<ReadAllPage> {
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
    );
    const events = rows.filter((r) => r.event_id !== null).map(toRecordedEvent);
    const isEnd = events.length < options.maxCount;
    let checkpoint = events.at(-1)?.position ?? after;
    if (isEnd) {
      const horizon: LogPosition = { commit: BigInt(rows[0]!.horizon) - 1n, prepare: MAX_POSITION };
      if (comparePositions(horizon, checkpoint) > 0) checkpoint = horizon;
    }
    return { events, checkpoint, isEnd };
  }

  subscribeToAll(options: SubscribeOptions = {}): Subscription {
    const subscription = new PollingSubscription({
      read: (after, maxCount) => this.readAll({ after, maxCount, ...(options.filter ? { filter: options.filter } : {}) }),
      after: options.after ?? START,
      batchSize: this.options.subscriptionBatchSize ?? POSTGRES_EVENT_STORE_DEFAULTS.subscriptionBatchSize,
      pollMs: this.options.subscriptionPollMs ?? POSTGRES_EVENT_STORE_DEFAULTS.subscriptionPollMs,
      notifier: this.notifier,
      onClose: (s) => this.subscriptions.delete(s),
    });
    this.subscriptions.add(subscription);
    return subscription;
  }

  async headPosition(): Promise<LogPosition> {
    const rows = await this.query<{ transaction_id: string; global_position: string }>(
      `SELECT e.transaction_id::text AS transaction_id, e.global_position::text AS global_position FROM es_events e
        WHERE e.transaction_id < pg_snapshot_xmin(pg_current_snapshot())
        ORDER BY e.transaction_id DESC, e.global_position DESC LIMIT 1`,
    );
    const row = rows[0];
    return row ? { commit: BigInt(row.transaction_id), prepare: BigInt(row.global_position) } : START;
  }

  async countEventsAfter(position: LogPosition, filter?: LogFilter): Promise<number> {
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

  async close(): Promise<void> {
    await Promise.all([...this.subscriptions].map((s) => s.close()));
    await this.notifier.close();
    await this.pool.end().catch(() => undefined);
  }

  private async appendBatch(batch: readonly AppendRequest[]): Promise<AppendOutcome[]> {
    // es_append takes the batch's stream locks up front in one global order, so batches cannot deadlock.
    const payload = JSON.stringify(batch);
    for (let attempt = 0; ; attempt++) {
      try {
        const rows = await this.query<{ results: AppendOutcome[] }>('SELECT es_append($1::jsonb) AS results', [payload]);
        this.notifier.appended();
        return rows[0]!.results;
      } catch (error) {
        // A deadlock or serialisation failure rolled the whole batch back: nothing was written, so run it again.
        const code = (error as { cause?: { code?: string } }).cause?.code;
        if ((code === '40P01' || code === '40001') && attempt < 3) continue;
        throw error;
      }
    }
  }

  private async query<Row extends object>(text: string, params: readonly unknown[] = []): Promise<Row[]> {
    try {
      const result = await this.pool.query<Row>(text, params as unknown[]);
      return result.rows;
    } catch (error) {
      throw mapError(error);
    }
  }
}

function filterConditions(filter: LogFilter | undefined, params: unknown[]): string {
  let sql = '';
  if (filter?.categories) {
    params.push(filter.categories);
    sql += ` AND e.category = ANY($${params.length}::text[])`;
  }
  if (filter?.eventTypes) {
    params.push(filter.eventTypes);
    sql += ` AND e.event_type = ANY($${params.length}::text[])`;
  }
  return sql;
}

function toRecordedEvent(row: EventRow): RecordedEvent {
  return {
    id: row.event_id,
    streamId: row.stream_id,
    revision: Number(row.stream_revision),
    type: row.event_type,
    data: row.data,
    metadata: row.metadata,
    position: { commit: BigInt(row.transaction_id), prepare: BigInt(row.global_position) },
    recordedAt: row.recorded_at,
  };
}

function validateAppend(streamId: string, events: readonly EventToAppend[], expected: ExpectedRevision): void {
  if (typeof streamId !== 'string' || streamId.length === 0) throw new InvalidAppendError('stream id must be a non-empty string');
  if (events.length === 0) throw new InvalidAppendError(`stream ${streamId}: nothing to append`);
  if (typeof expected === 'number' && (!Number.isSafeInteger(expected) || expected < 0)) {
    throw new InvalidAppendError(
      `stream ${streamId}: expected revision must be a whole number >= 0, 'no_stream', 'stream_exists' or 'any'`,
    );
  }
  const ids = new Set<string>();
  for (const event of events) {
    if (!UUID.test(event.id)) throw new InvalidAppendError(`stream ${streamId}: event id "${event.id}" is not a UUID`);
    if (ids.has(event.id.toLowerCase()))
      throw new InvalidAppendError(`stream ${streamId}: event id ${event.id} appears twice in one append`);
    ids.add(event.id.toLowerCase());
    if (!event.type) throw new InvalidAppendError(`stream ${streamId}: event type must be a non-empty string`);
  }
}

function mapError(error: unknown): EventStoreError {
  if (error instanceof EventStoreError) return error;
  if (isUnavailableError(error)) return new EventStoreUnavailableError((error as Error).message, { cause: error });
  return new EventStoreFailureError(`PostgreSQL event store failed: ${(error as Error)?.message ?? String(error)}`, { cause: error });
}
