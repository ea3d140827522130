import type pg from 'pg';
import {
  comparePositions,
  hasHistoryCapability,
  parsePosition,
  START,
  streamCategory,
  validateHistoryOptions,
  type EventStore,
  type HistoryCapable,
  type HistoryPage,
  type LogFilter,
  type LogPosition,
  type ReadAllOptions,
  type ReadAllPage,
  type ReadHistoryOptions,
  type RecordedEvent,
} from '#event-store';
import {
  filterConditions,
  historyQuery,
  RECORDED_DAY,
  toRecordedEvent,
  type EventRow,
  type HistoryQueryTuning,
  type HistoryTable,
} from '#event-store/postgres';
import type { ProjectionContext, RecordedEventProjection } from './projection.ts';
import { READ_MODEL_SCHEMA } from './schema.ts';

/**
 * The log index: a copy of the global log in PostgreSQL, indexed like the PostgreSQL store's own table, for an event
 * store that cannot answer filtered reads of its log without reading all of it (EventStoreDB through client 6.2.1:
 * its readAll has no server-side filter). The audit's history, the insights and the evidence the moderation reads
 * are then one indexed query here, never a scan of the store's log.
 *
 * Fed like every read model: the projection runner's subscription, rows and checkpoint in one transaction, so each
 * event is in it exactly once, in log order. It keeps the events as the store recorded them (`input: 'recorded'`):
 * personal fields stay encrypted (erasure shreds the key, and readers decrypt with the keys as they are now) and the
 * bytes stay those the integrity chain hashed.
 *
 * The position columns carry the names of the PostgreSQL store's (transaction_id, global_position) so that one
 * history query (history-query.ts) serves both tables; here they hold the store's (commit, prepare) pair, whatever
 * the store. xid8 is an unsigned 64-bit integer, which EventStoreDB's commit positions are too.
 */
export const LOG_INDEX_PROJECTION = 'log_index';
const TABLE = 'log_events';
/** The name projections migration 3 (schema.ts) gave this index in the generations that existed before it. */
const LOG_EVENTS_EVENT_ID_INDEX = 'log_events_event_id_order';
/** The name projections migration 4 (schema.ts) gives this index in the generations that existed before it. */
const LOG_EVENTS_RECORDED_DAY_INDEX = 'log_events_recorded_day_order';
/** Readers go through the view, which points at the generation that serves (a rebuild swaps it when caught up). */
const VIEW = `${READ_MODEL_SCHEMA}.${TABLE}`;

export const logIndexProjection: RecordedEventProjection = {
  name: LOG_INDEX_PROJECTION,
  // Not bumped for the event id index: migration 3 of the runner's schema (schema.ts) added it to the generations
  // that existed, in place, which a rebuild of the whole log would have done at the cost of a stale history meanwhile.
  version: 1,
  tables: [TABLE],
  input: 'recorded',
  async setup(client: pg.ClientBase, context: ProjectionContext) {
    const t = context.table(TABLE);
    await client.query(`
      CREATE TABLE ${t} (
        transaction_id  xid8        NOT NULL,
        global_position bigint      NOT NULL,
        stream_id       text        NOT NULL,
        stream_revision bigint      NOT NULL,
        category        text        NOT NULL,
        event_id        text        NOT NULL,
        event_type      text        NOT NULL,
        actor_id        text,
        correlation_id  text,
        actor_roles     jsonb       NOT NULL,
        data            text        NOT NULL,
        metadata        text        NOT NULL,
        recorded_at     timestamptz NOT NULL,
        PRIMARY KEY (transaction_id, global_position)
      );
      -- Each filter of a history page leads an index that goes on in log order, so a page is a range scan from its
      -- cursor whatever the size of the log (as on es_events: migrations 1 and 2 of the PostgreSQL store).
      CREATE INDEX ON ${t} (stream_id, transaction_id, global_position);
      -- node(id) of a GovernanceEvent: the event by its own id. Named, as projections migration 3 creates it.
      CREATE INDEX ${LOG_EVENTS_EVENT_ID_INDEX} ON ${t} (event_id, transaction_id, global_position);
      CREATE INDEX ON ${t} (category, transaction_id, global_position);
      CREATE INDEX ON ${t} (event_type, transaction_id, global_position);
      CREATE INDEX ON ${t} (actor_id, transaction_id, global_position);
      CREATE INDEX ON ${t} (correlation_id, transaction_id, global_position);
      -- A time window with a selective filter (an actor, say): the planner may combine this with the filter's index.
      CREATE INDEX ON ${t} (recorded_at) INCLUDE (transaction_id, global_position);
      -- Time windows: each day's rows in log order (history-query.ts), as es_events_recorded_day_order. Named, as
      -- projections migration 4 creates it.
      CREATE INDEX ${LOG_EVENTS_RECORDED_DAY_INDEX} ON ${t} (${RECORDED_DAY.replace('%.', '')}, transaction_id, global_position)
        INCLUDE (recorded_at);`);
  },
  async apply(events: readonly RecordedEvent[], client: pg.ClientBase, context: ProjectionContext) {
    const columns: unknown[][] = Array.from({ length: 13 }, () => []);
    for (const event of events) {
      const metadata = metadataFacts(event.metadata);
      const row = [
        event.position.commit.toString(),
        event.position.prepare.toString(),
        event.streamId,
        event.revision,
        streamCategory(event.streamId),
        event.id,
        event.type,
        metadata.actorId,
        metadata.correlationId,
        JSON.stringify(metadata.actorRoles),
        event.data,
        event.metadata,
        event.recordedAt.toISOString(),
      ];
      row.forEach((value, i) => columns[i]!.push(value));
    }
    // One statement per batch, whatever its size. A plain INSERT, not an upsert: an event met twice is a fault of
    // the runner's exactly-once promise, and it fails the batch (and is reported) instead of passing unnoticed.
    await client.query(
      `INSERT INTO ${context.table(TABLE)} (transaction_id, global_position, stream_id, stream_revision, category, event_id,
         event_type, actor_id, correlation_id, actor_roles, data, metadata, recorded_at)
       SELECT c::xid8, p, s, r, cat, id, ty, a, co, ro::jsonb, d, m, at
         FROM unnest($1::text[], $2::bigint[], $3::text[], $4::bigint[], $5::text[], $6::text[], $7::text[], $8::text[],
                     $9::text[], $10::text[], $11::text[], $12::text[], $13::timestamptz[])
           AS u(c, p, s, r, cat, id, ty, a, co, ro, d, m, at)`,
      columns,
    );
  },
};

/** The metadata keys the index filters on; anything unreadable (an event written around the layer) reads as none. */
function metadataFacts(text: string): { actorId: string | null; correlationId: string | null; actorRoles: string[] } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = null;
  }
  const object = parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  const text_ = (value: unknown) => (typeof value === 'string' ? value : null);
  const roles = Array.isArray(object.actorRoles) ? object.actorRoles.filter((r): r is string => typeof r === 'string') : [];
  return { actorId: text_(object.actorId), correlationId: text_(object.correlationId), actorRoles: roles };
}

const LOG_INDEX_TABLE: HistoryTable = Object.freeze({
  table: VIEW,
  // Written in log order by one runner, through the store's subscription: it only grows at its head.
  horizon: false,
  actorId: '%.actor_id',
  correlationId: '%.correlation_id',
  actorHasRole: (alias: string, parameter: string) => `${alias}.actor_roles ? ${parameter}`,
});

const COLUMNS = `e.transaction_id::text AS transaction_id, e.global_position::text AS global_position, e.stream_id,
  e.stream_revision::text AS stream_revision, e.event_id, e.event_type, e.data, e.metadata,
  floor(extract(epoch FROM e.recorded_at) * 1000)::text AS recorded_at`;

export interface LogIndexOptions {
  readonly historyQuery?: HistoryQueryTuning;
}

/**
 * Reads the log index: history pages (the same query, shapes and answers as the PostgreSQL store's readHistory) and
 * filtered reads of the log in order (the port's readAll, for readers such as the insights). It answers what the
 * index holds: everything up to its checkpoint.
 */
export class LogIndex implements HistoryCapable, Pick<EventStore, 'readAll'> {
  constructor(
    private readonly pool: pg.Pool,
    private readonly options: LogIndexOptions = {},
  ) {}

  async readHistory(options: ReadHistoryOptions): Promise<HistoryPage> {
    validateHistoryOptions(options);
    const { text, values } = historyQuery(options, COLUMNS, this.options.historyQuery, LOG_INDEX_TABLE);
    const { rows } = await this.pool.query<EventRow>(text, values);
    return { events: rows.slice(0, options.maxCount).map(toRecordedEvent), hasMore: rows.length > options.maxCount };
  }

  /**
   * Like the port's readAll. At the end of what the index holds, the checkpoint is the index's own (read in the same
   * statement as the rows, so the two agree): a reader waiting for a position learns when the index has passed it,
   * even when no event of its filter lies there.
   */
  async readAll(options: ReadAllOptions): Promise<ReadAllPage> {
    if (!Number.isSafeInteger(options.maxCount) || options.maxCount < 0) throw new RangeError('maxCount must be a whole number >= 0');
    const after = options.after ?? START;
    const values: unknown[] = [LOG_INDEX_PROJECTION, after.commit.toString(), after.prepare.toString(), options.maxCount];
    const conditions = filterConditions(options.filter, values);
    const { rows } = await this.pool.query<EventRow & { checkpoint: string | null }>(
      `WITH cp AS (SELECT checkpoint FROM projection_generations WHERE name = $1 AND status = 'active')
       SELECT (SELECT checkpoint FROM cp) AS checkpoint, page.* FROM (SELECT 1) one LEFT JOIN LATERAL (
         SELECT ${COLUMNS} FROM ${VIEW} e
          WHERE (e.transaction_id, e.global_position) > ($2::text::xid8, $3::bigint) ${conditions}
          ORDER BY e.transaction_id, e.global_position LIMIT $4) page ON true
       ORDER BY page.transaction_id::xid8, page.global_position::bigint`,
      values,
    );
    const events = rows.filter((r) => r.event_id !== null).map(toRecordedEvent);
    const isEnd = events.length < options.maxCount;
    let checkpoint = events.at(-1)?.position ?? after;
    const indexed = rows[0]?.checkpoint ? parsePosition(rows[0].checkpoint) : START;
    if (isEnd && comparePositions(indexed, checkpoint) > 0) checkpoint = indexed;
    return { events, checkpoint, isEnd };
  }

  /**
   * The events of `filter` after `after` up to `through` (inclusive), counted up to `limit`: a range of one of the
   * index's indexes, never more than `limit` rows of it.
   */
  async countBetween(after: LogPosition, through: LogPosition, filter: LogFilter | undefined, limit: number): Promise<number> {
    const values: unknown[] = [
      after.commit.toString(),
      after.prepare.toString(),
      through.commit.toString(),
      through.prepare.toString(),
      limit,
    ];
    const conditions = filterConditions(filter, values);
    const { rows } = await this.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM (
         SELECT 1 FROM ${VIEW} e
          WHERE (e.transaction_id, e.global_position) > ($1::text::xid8, $2::bigint)
            AND (e.transaction_id, e.global_position) <= ($3::text::xid8, $4::bigint) ${conditions}
          LIMIT $5) counted`,
      values,
    );
    return rows[0]?.n ?? 0;
  }

  /** The position the index has read the log up to (START before its first batch). */
  async checkpoint(): Promise<LogPosition> {
    const { rows } = await this.pool.query<{ checkpoint: string | null }>({
      name: 'log_index_checkpoint',
      text: `SELECT checkpoint FROM projection_generations WHERE name = $1 AND status = 'active'`,
      values: [LOG_INDEX_PROJECTION],
    });
    return rows[0]?.checkpoint ? parsePosition(rows[0].checkpoint) : START;
  }
}

export interface LogIndexedStoreOptions {
  /**
   * How long a history read waits for the index to reach the store's head before it answers from what the index
   * holds. Default 5 s.
   */
  readonly freshnessWaitMs?: number;
  readonly pollMs?: number;
}

/**
 * The store, with history pages served by the log index: what the serialisation layer is given when the store has no
 * history query of its own. Everything else goes to the store unchanged (the integrity check still reads the store).
 *
 * Read-your-writes: a page is read once the index has reached the store's head as it was when the request came (one
 * cheap read of the head), or after `freshnessWaitMs` (a rebuilding index), from what it holds then. Either way the
 * page is consistent: the index only grows at its head, so a cursor never has an event appear behind it.
 */
export class LogIndexedEventStore implements EventStore, HistoryCapable {
  private readonly freshnessWaitMs: number;
  private readonly pollMs: number;

  constructor(
    readonly store: EventStore,
    readonly index: LogIndex,
    options: LogIndexedStoreOptions = {},
  ) {
    this.freshnessWaitMs = options.freshnessWaitMs ?? 5_000;
    this.pollMs = options.pollMs ?? 20;
  }

  async readHistory(options: ReadHistoryOptions): Promise<HistoryPage> {
    validateHistoryOptions(options);
    await this.waitForHead();
    return this.index.readHistory(options);
  }

  /** Whether the index had reached the store's head (as it was when called) before the wait ended. */
  async waitForHead(): Promise<boolean> {
    const head = await this.store.headPosition();
    const deadline = Date.now() + this.freshnessWaitMs;
    for (;;) {
      if (comparePositions(await this.index.checkpoint(), head) >= 0) return true;
      if (Date.now() >= deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, this.pollMs));
    }
  }

  appendToStream: EventStore['appendToStream'] = (...args) => this.store.appendToStream(...args);
  readStream: EventStore['readStream'] = (...args) => this.store.readStream(...args);
  readAll: EventStore['readAll'] = (...args) => this.store.readAll(...args);
  subscribeToAll: EventStore['subscribeToAll'] = (...args) => this.store.subscribeToAll(...args);
  headPosition: EventStore['headPosition'] = () => this.store.headPosition();
  countEventsAfter: EventStore['countEventsAfter'] = (...args) => this.store.countEventsAfter(...args);
  announceAppendsNow: NonNullable<EventStore['announceAppendsNow']> = () => this.store.announceAppendsNow?.();
  close: EventStore['close'] = () => this.store.close();
}

/** Whether history and filtered reads of `store` need the log index: it has no history query of its own. */
export function needsLogIndex(store: EventStore): boolean {
  return !hasHistoryCapability(store);
}
