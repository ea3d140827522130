import { EventEmitter } from 'node:events';
import { hostname } from 'node:os';
import type pg from 'pg';
import {
  comparePositions,
  filterMayTake,
  parsePosition,
  positionToString,
  START,
  type EventStore,
  type LogPosition,
  type RecordedEvent,
  type Subscription,
} from '#event-store';
import { runMigrations } from '#postgres';
import {
  receivesRecordedEvents,
  type AnyProjection,
  type ProjectionContext,
  type ProjectionState,
  type ProjectionStatus,
} from './projection.ts';
import { LOG_INDEX_PROJECTION, LogIndex, needsLogIndex } from './log-index.ts';
import { boundedLagCounter, storeLagCounter, type LagCounter, type LagQuery } from './projection-lag.ts';
import { PROJECTION_MIGRATIONS, READ_MODEL_SCHEMA } from './schema.ts';
import { Pause } from './pause.ts';
import { ServedCheckpoints } from './served-checkpoints.ts';

export interface ProjectionRunnerOptions<Event> {
  readonly store: EventStore;
  /** The read-model database (it also holds the checkpoints, so that both commit together). */
  readonly pool: pg.Pool;
  readonly projections: readonly AnyProjection<Event>[];
  /**
   * Turns a stored event into what `apply` receives (upcast, decrypted...). Default: the stored event itself. Not
   * applied for projections of recorded events (`input: 'recorded'`).
   */
  readonly deserialize?: (event: RecordedEvent) => Event | Promise<Event>;
  /** While another process holds a projection, how often to try to take it over. Default 1 s. */
  readonly standbyRetryMs?: number;
  /** After a failed event, how long before trying again. Default 5 s. */
  readonly failureRetryMs?: number;
  /**
   * How often a running runner looks for rebuild requests made through another process (requestRebuild wakes only
   * its own). Default 2 s: one small query per runner, however many projections.
   */
  readonly rebuildRequestPollMs?: number;
  readonly log?: (entry: { level: 'info' | 'warn' | 'error'; message: string; projection: string; [key: string]: unknown }) => void;
  /**
   * Which event log the checkpoints are positions in (e.g. the EVENT_STORE kind). Both adapters write positions as
   * "<n>:<n>", so checkpoints of one log would be taken silently as positions in another: the database is bound to
   * the first identity it runs with, and create() refuses any other. Unset: not checked.
   */
  readonly eventLogIdentity?: string;
  /**
   * On a store that counts only by reading its log (see needsLogIndex), how many events status() counts at most per
   * lag (default LAG_COUNT_LIMIT); the store's own exact count is used on the others.
   */
  readonly lagCountLimit?: number;
  /**
   * Names this instance to the others: the `application_name` of its projections' lock sessions, which status()
   * reports (on any instance) as the `runner` of the projections it holds. Default: the application_name the pool's
   * sessions already have (its config, the connection string's, or PGAPPNAME: an operator's name for the instance),
   * else `<pid>@<hostname>`, which names one process on one machine or container. PostgreSQL keeps 63 bytes of it,
   * printable ASCII.
   */
  readonly instanceName?: string;
  /**
   * From how many events of lag a running projection is reported as catching_up rather than running. Default
   * CATCHING_UP_LAG.
   */
  readonly catchingUpLag?: number;
}

/**
 * A projection that follows the log live is behind by what the batches in flight hold: a subscription reads at most
 * every 50 ms under a stream of appends, so tens of events at the rates the service is sized for (hundreds of
 * mutations a second). A thousand events is far past that, and still well under the lag a count may stop at
 * (LAG_COUNT_LIMIT), so the state is the same on every event store: a projection this far behind is working through
 * a backlog (just started or taken over after a pause, or outpaced by the appends), and reads of it are stale by that
 * much until it has caught up.
 */
export const CATCHING_UP_LAG = 1_000;

/** The read-model database holds checkpoints of another event log than the one the runner was given. */
export class EventLogMismatchError extends Error {
  override readonly name = 'EventLogMismatchError';
  constructor(
    readonly bound: string,
    readonly given: string,
  ) {
    super(
      `the read models in this database were built from the "${bound}" event log, but this runner reads "${given}": ` +
        `their checkpoints are positions in the other log and would skip or repeat events. Go back to "${bound}"; ` +
        `moving to another event log means rebuilding the read models from its start, in a database they have not ` +
        `been built in`,
    );
  }
}

export class ProjectionTimeoutError extends Error {
  override readonly name = 'ProjectionTimeoutError';
  constructor(
    readonly projections: readonly string[],
    readonly position: LogPosition,
    timeoutMs: number,
  ) {
    super(`read models ${projections.join(', ')} did not reach position ${positionToString(position)} within ${timeoutMs} ms`);
  }
}

/** A projection name this runner does not feed. */
export class UnknownProjectionError extends Error {
  override readonly name = 'UnknownProjectionError';
  constructor(readonly projection: string) {
    super(`unknown projection "${projection}"`);
  }
}

interface Generation {
  generation: number;
  version: number;
  status: 'active' | 'building' | 'retired';
  checkpoint: LogPosition;
}

const NAME = /^[a-z][a-z0-9_]{0,40}$/;

/**
 * Binds the database to `identity` on first use (a database from before the binding existed is taken to belong to
 * the log it runs with now), and refuses another one afterwards.
 */
async function bindEventLog(pool: pg.Pool, identity: string): Promise<void> {
  await pool.query('INSERT INTO projection_event_log (identity) VALUES ($1) ON CONFLICT (single) DO NOTHING', [identity]);
  const { rows } = await pool.query<{ identity: string }>('SELECT identity FROM projection_event_log');
  const bound = rows[0]?.identity;
  if (bound !== identity) throw new EventLogMismatchError(bound ?? '?', identity);
}

/**
 * Runs projections over the global log. Per batch, the read-model writes and the checkpoint commit in one
 * transaction, so a crash anywhere neither loses nor repeats an effect. One process runs a projection at a time
 * (a session advisory lock); the others stand by and take over when it goes away.
 */
export class ProjectionRunner<Event = RecordedEvent> {
  private readonly events = new EventEmitter();
  /** What this process's own runners committed of the serving generations: most waits end there. */
  private readonly served = new ServedCheckpoints();
  private readonly workers: ProjectionWorker<Event>[];
  private readonly lagCounter: LagCounter;
  private started = false;
  private rebuildRequestPoll: NodeJS.Timeout | undefined;
  /** The checkpoint read waiters will share, until it starts (see freshCheckpoints). */
  private scheduledCheckpointRead: Promise<void> | undefined;
  /** When the last of those reads started (performance.now()): waiters poll on this one schedule. */
  private checkpointReadStartedAt = Number.NEGATIVE_INFINITY;
  /** How many of those reads are under way: while one is, a waiter due for a read waits for its answer instead. */
  private checkpointReadsInFlight = 0;
  /** The answer of the latest of those reads to finish, and when it started: every waiter that asked before takes it. */
  private latestStoredCheckpoints: { readonly startedAt: number; readonly checkpoints: ReadonlyMap<string, LogPosition> } | undefined;

  private constructor(private readonly options: ProjectionRunnerOptions<Event>) {
    this.events.setMaxListeners(0);
    const names = new Set<string>();
    for (const projection of options.projections) {
      if (!NAME.test(projection.name)) throw new Error(`projection name "${projection.name}" must match ${NAME}`);
      if (names.has(projection.name)) throw new Error(`projection "${projection.name}" is registered twice`);
      names.add(projection.name);
      for (const table of projection.tables) if (!NAME.test(table)) throw new Error(`table name "${table}" must match ${NAME}`);
    }
    this.workers = options.projections.map((p) => new ProjectionWorker(p, options, this.events, this.served));
    // A store without a history query of its own cannot count without reading its log either (EventStoreDB): the
    // lags are then counted in the log index where this runner feeds one, and capped.
    const index = options.projections.some((p) => p.name === LOG_INDEX_PROJECTION) ? new LogIndex(options.pool) : undefined;
    this.lagCounter = needsLogIndex(options.store)
      ? boundedLagCounter(options.store, index, options.lagCountLimit)
      : storeLagCounter(options.store);
  }

  static async create<Event = RecordedEvent>(options: ProjectionRunnerOptions<Event>): Promise<ProjectionRunner<Event>> {
    await runMigrations(options.pool, 'projections', PROJECTION_MIGRATIONS);
    if (options.eventLogIdentity !== undefined) await bindEventLog(options.pool, options.eventLogIdentity);
    return new ProjectionRunner(options);
  }

  /**
   * Creates the first generation (tables and `read_models` views) of every projection that has none yet, so that
   * readers find the read models, empty, as soon as this resolves, before any runner has processed an event.
   */
  async initialise(): Promise<void> {
    for (const worker of this.workers) await worker.ensureFirstGeneration();
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    for (const worker of this.workers) worker.start();
    // Another instance's requestRebuild reaches the database, not this process: the worker holding the projection,
    // following the log, would otherwise see the request only when its cycle starts again (the soak with three
    // instances found rebuilds never started).
    this.rebuildRequestPoll = setInterval(() => void this.wakeRequestedRebuilds(), this.options.rebuildRequestPollMs ?? 2_000);
    this.rebuildRequestPoll.unref();
  }

  /** Finishes the batches in flight, commits their checkpoints and releases the projections. */
  async stop(): Promise<void> {
    this.started = false;
    clearInterval(this.rebuildRequestPoll);
    await Promise.all(this.workers.map((w) => w.stop()));
  }

  /** Wakes the workers that run (hold) a projection someone asked to rebuild: their next cycle starts the rebuild. */
  private async wakeRequestedRebuilds(): Promise<void> {
    try {
      const { rows } = await this.options.pool.query<{ name: string }>('SELECT name FROM projection_rebuild_requests');
      for (const { name } of rows) {
        const worker = this.workers.find((w) => w.name === name);
        // Only where it runs: a worker already rebuilding answers the request at its next cycle; one standing by has
        // nothing to start.
        if (worker?.localState === 'running') worker.wake();
      }
    } catch {
      // The database is away (a restart): the next tick looks again.
    }
  }

  /** Rebuilds from position zero into fresh tables; the current tables keep serving until the new ones caught up. */
  async requestRebuild(name: string): Promise<void> {
    const worker = this.workers.find((w) => w.name === name);
    if (!worker) throw new UnknownProjectionError(name);
    await this.options.pool.query('INSERT INTO projection_rebuild_requests (name) VALUES ($1) ON CONFLICT (name) DO NOTHING', [name]);
    worker.wake();
  }

  /** The names of the projections this runner feeds. */
  get projectionNames(): string[] {
    return this.options.projections.map((projection) => projection.name);
  }

  /**
   * Each projection's state, checkpoint and lag, and the instance that runs it. The lag is exact where the store counts
   * without reading its events (PostgreSQL); elsewhere it is counted in the log index and capped at `lagCountLimit`, a
   * lag that reached it being a lower bound (see boundedLagCounter).
   *
   * The state is the projection's across the instances sharing the database, the same whichever instance is asked
   * (behind a load balancer, the answer must not depend on which one answers): read from the stored generations (an
   * error, a rebuild), from who holds the projection's lock (pg_locks), and from the lag. This instance's own worker
   * counts only when nobody holds the lock: standing by to take over, or stopped.
   */
  async status(): Promise<ProjectionStatus[]> {
    const [{ rows }, runners] = await Promise.all([this.generationRows(), this.runners()]);
    const generations = this.options.projections.map((projection) => ({
      projection,
      active: rows.find((r) => r.name === projection.name && r.status === 'active'),
      building: rows.find((r) => r.name === projection.name && r.status === 'building'),
    }));
    const lagAfter = (checkpoint: string | null | undefined, projection: AnyProjection<Event>): LagQuery => ({
      after: checkpoint ? parsePosition(checkpoint) : START,
      ...(projection.filter ? { filter: projection.filter } : {}),
    });
    // Counted together: where counting reads the store, the events past the log index are read once for all.
    const lags = await this.lagCounter.count(
      generations.flatMap(({ projection, active, building }) => [
        lagAfter(active?.checkpoint, projection),
        ...(building ? [lagAfter(building.checkpoint, projection)] : []),
      ]),
    );
    let next = 0;
    return generations.map(({ projection, active, building }) => {
      const lag = lags[next++]!;
      const rebuildLag = building ? lags[next++]! : 0;
      const runner = runners.get(projection.name) ?? null;
      let state: ProjectionState;
      // A stored error first: it needs an operator whether or not an instance still retries.
      if (active?.error || building?.error) state = 'failed';
      // Nobody runs it: this instance takes it over within standbyRetryMs if its runner is started.
      else if (runner === null) state = this.started ? 'standby' : 'stopped';
      else if (building) state = 'rebuilding';
      else state = lag >= (this.options.catchingUpLag ?? CATCHING_UP_LAG) ? 'catching_up' : 'running';
      return {
        name: projection.name,
        version: active?.version ?? projection.version,
        generation: active?.generation ?? 0,
        checkpoint: active?.checkpoint ?? null,
        lag,
        state,
        runner,
        error: active?.error ?? building?.error ?? null,
        failedEventId: active?.failed_event_id ?? building?.failed_event_id ?? null,
        failedPosition: active?.failed_position ?? building?.failed_position ?? null,
        rebuild: building
          ? { generation: building.generation, version: building.version, checkpoint: building.checkpoint, lag: rebuildLag }
          : null,
      };
    });
  }

  /** The current generations (active, and building during a rebuild) of every projection, with their stored errors. */
  private generationRows() {
    return this.options.pool.query<{
      name: string;
      generation: number;
      version: number;
      status: string;
      checkpoint: string | null;
      error: string | null;
      failed_event_id: string | null;
      failed_position: string | null;
    }>(`SELECT name, generation, version, status, checkpoint, error, failed_event_id, failed_position
          FROM projection_generations WHERE status IN ('active', 'building') ORDER BY name, generation`);
  }

  /** The instance running each projection that some session holds (projections nobody holds are absent). */
  private async runners(): Promise<ReadonlyMap<string, string>> {
    const names = this.projectionNames;
    const { rows } = await this.options.pool.query<{ name: string; runner: string }>({
      name: 'projection_runners',
      text: RUNNERS_SQL,
      values: [names, names.map(lockName)],
    });
    return new Map(rows.map((row) => [row.name, row.runner]));
  }

  /**
   * The projections that are failed now, as `status()` reports them, without counting any lag: what a readiness
   * probe needs, at the cost of one query whatever the size of the log (counting the lags costs a count per
   * projection, and on EventStoreDB a read of the events the log index has not reached yet).
   */
  async failures(): Promise<{ readonly name: string; readonly error: string }[]> {
    const { rows } = await this.options.pool.query<{ name: string; error: string }>({
      name: 'projection_failures',
      text: `SELECT name, min(error) AS error FROM projection_generations
              WHERE status IN ('active', 'building') AND error IS NOT NULL AND name = ANY($1::text[]) GROUP BY name ORDER BY name`,
      values: [this.projectionNames],
    });
    const stored = new Map(rows.map((r) => [r.name, r.error]));
    return this.workers
      .filter((worker) => stored.has(worker.name) || worker.localState === 'failed')
      .map((worker) => ({ name: worker.name, error: stored.get(worker.name) ?? 'not running (database unavailable)' }));
  }

  /**
   * Resolves once every named projection (all when omitted) has processed the log up to `position`, so a
   * mutation can answer with read models that contain its own events. Works across processes: what this process's
   * own runners committed ends the wait at their commit (ServedCheckpoints), and the stored checkpoints, read
   * REMOTE_FIRST_READ_MS after the wait starts (CHECKPOINT_POLL_MS when every projection waited for runs here) and
   * then at most every CHECKPOINT_POLL_MS, tell what other instances' runners did: every read that started after a
   * waiter's question answers it, whichever waiter asked. A wait for a projection another instance runs also has the store announce
   * this process's appends at once (EventStore.announceAppendsNow).
   *
   * `written`: the categories of the streams the caller wrote up to `position`, and the types of the events it wrote
   * when it knows them. A projection whose filter takes none of them cannot hold those events, so it is not waited
   * for. That is what makes the wait end on EventStoreDB: its server drops the events a filtered subscription does not
   * take, and sends the next checkpoint only after 32 more records of $all (EventStore v24.10.x
   * SubscriptionsService.ProcessEventCommited), so such a projection's checkpoint would pass the written events only
   * with later traffic. On PostgreSQL too, a subscription is not woken by appends it takes nothing of, and reaches
   * past them at its next poll. Without the types, a projection that filters on event types alone is waited for.
   */
  async waitForPosition(
    position: LogPosition,
    names?: readonly string[],
    timeoutMs = 5_000,
    written?: { readonly categories: readonly string[]; readonly eventTypes?: readonly string[] },
  ): Promise<void> {
    const wanted = (names ?? this.options.projections.map((p) => p.name)).filter((name) => !written || this.mayTake(name, written));
    if (wanted.length === 0) return;
    const deadline = Date.now() + timeoutMs;
    const askedAt = performance.now();
    const stored = new Set<string>();
    // Any read of the stored checkpoints that started after the question answers it, whichever waiter asked for it:
    // the reads are shared on one schedule, and a waiter that took only its own reads put them off while others'
    // kept the schedule busy (with a mutation every 10 ms, until the stream of mutations paused).
    const takeStored = () => {
      const latest = this.latestStoredCheckpoints;
      if (!latest || latest.startedAt < askedAt) return;
      for (const name of wanted) {
        const checkpoint = latest.checkpoints.get(name);
        if (checkpoint !== undefined && comparePositions(checkpoint, position) >= 0) stored.add(name);
      }
    };
    const reached = (name: string) => stored.has(name) || this.served.reached(name, position);
    // A read of the stored checkpoints runs beside the wait, never in its way: a commit of this process ends the wait
    // while the read is still under way.
    let storedRead: Promise<void> | undefined;
    let storedReadFailure: { readonly error: unknown } | undefined;
    // When every projection waited for runs in this process, their commits reach the wait here before their stored
    // checkpoints could, and a read at the start was a query per mutation for nothing: the first read waits for the
    // schedule, and still comes (a runner may lose its lock to another instance). Otherwise the first read comes
    // REMOTE_FIRST_READ_MS after the question: at once, it could not see what was appended a moment before.
    const allHere = wanted.every((name) => this.runsHere(name));
    const notBefore = askedAt + (allHere ? CHECKPOINT_POLL_MS : REMOTE_FIRST_READ_MS);
    // Another process runs some of them: it learns of this process's appends from the store's news of them, which
    // the store coalesces under steady appends (PostgreSQL: a NOTIFY per 50 ms, so up to 50 ms more for this wait).
    // Asked for at once instead: a NOTIFY per such wait at most.
    if (!allHere) this.options.store.announceAppendsNow?.();
    let first = !allHere;
    const nextReadAt = () => (first ? notBefore : Math.max(notBefore, this.checkpointReadStartedAt + CHECKPOINT_POLL_MS));
    for (;;) {
      takeStored();
      if (wanted.every(reached)) return;
      if (storedReadFailure) throw storedReadFailure.error;
      // After the first read, the stored checkpoints are read again when the process's last read of them is
      // CHECKPOINT_POLL_MS old and none is under way, not at each commit of this process that woke the wait: they can
      // only add what other instances committed. On that one schedule, the waiters of the moment share the read.
      const due = performance.now() >= nextReadAt();
      if (!storedRead && due && (first || this.checkpointReadsInFlight === 0)) {
        first = false;
        storedRead = this.freshCheckpoints().then(
          () => {
            storedRead = undefined;
          },
          (error: unknown) => {
            storedReadFailure = { error };
          },
        );
      }
      const remaining = deadline - Date.now();
      if (remaining <= 0)
        throw new ProjectionTimeoutError(
          wanted.filter((n) => !reached(n)),
          position,
          timeoutMs,
        );
      const inFlight = storedRead;
      await new Promise<void>((resolve) => {
        // Called by whichever comes first (a commit, the poll's timer, the stored read) and again by the others: harmless.
        const done = () => {
          clearTimeout(timer);
          this.events.off('checkpoint', done);
          this.events.off(STORED_CHECKPOINTS_READ, done);
          resolve();
        };
        const nextPoll = inFlight ? remaining : Math.max(1, nextReadAt() - performance.now());
        const timer = setTimeout(done, Math.min(remaining, nextPoll));
        this.events.once('checkpoint', done);
        this.events.once(STORED_CHECKPOINTS_READ, done);
        void inFlight?.then(done);
      });
    }
  }

  /**
   * Reads the active generations' checkpoints into latestStoredCheckpoints, by a query that starts after this call:
   * one query serves every waiter that asks before it starts (and every waiter that asked before it started takes
   * its answer there). Under load every mutation waits: a query per waiter and wake-up was the busiest query
   * of a mutation (about 6.6 per mutation at 90/s, filling the pool); one shared query, at most every
   * CHECKPOINT_POLL_MS while anything waits, answers them all. The read is started in the next turn of the event loop,
   * so that all the waiters one checkpoint wakes (synchronously, one after the other) join it; a waiter that asks
   * after it started gets the next one, never an answer older than its question.
   */
  private freshCheckpoints(): Promise<void> {
    if (this.scheduledCheckpointRead) return this.scheduledCheckpointRead;
    const read: Promise<void> = new Promise<void>((resolve) => setImmediate(resolve)).then(async () => {
      // Started: whoever asks from now on needs a read that starts later.
      if (this.scheduledCheckpointRead === read) this.scheduledCheckpointRead = undefined;
      const startedAt = performance.now();
      this.checkpointReadStartedAt = startedAt;
      this.checkpointReadsInFlight++;
      try {
        // Prepared: it runs at every checkpoint while commands wait.
        const { rows } = await this.options.pool.query<{ name: string; checkpoint: string | null }>({
          name: 'projection_active_checkpoints',
          text: `SELECT name, checkpoint FROM projection_generations WHERE status = 'active'`,
        });
        const checkpoints = new Map<string, LogPosition>();
        for (const row of rows) if (row.checkpoint) checkpoints.set(row.name, parsePosition(row.checkpoint));
        if (!this.latestStoredCheckpoints || this.latestStoredCheckpoints.startedAt < startedAt) {
          this.latestStoredCheckpoints = { startedAt, checkpoints };
        }
      } finally {
        this.checkpointReadsInFlight--;
        // Every waiter looks at the answer (or, after a failure, is due to ask again).
        this.events.emit(STORED_CHECKPOINTS_READ);
      }
    });
    this.scheduledCheckpointRead = read;
    return read;
  }

  /** Whether this process holds the projection `name` and feeds the generation that serves it. */
  private runsHere(name: string): boolean {
    return this.workers.find((worker) => worker.name === name)?.localState === 'running';
  }

  /** Whether the projection `name` may take something of what was `written` (filterMayTake; an unknown name: as if it did). */
  private mayTake(name: string, written: { readonly categories: readonly string[]; readonly eventTypes?: readonly string[] }): boolean {
    return filterMayTake(this.options.projections.find((p) => p.name === name)?.filter, written);
  }
}

class LostOwnershipError extends Error {}

/** Emitted on the runner's events when a read of the stored checkpoints ended (see freshCheckpoints). */
const STORED_CHECKPOINTS_READ = 'stored-checkpoints-read';

/**
 * How often a read-your-writes wait reads the stored checkpoints (the first time REMOTE_FIRST_READ_MS after it
 * starts, or this much later when every projection it waits for runs in this process), whatever woke it:
 * that is how it learns of projections another instance runs (behind a load balancer, half the mutations answered by an
 * instance that does not run their read model). At 50 ms that instance's answers came 40–50 ms after the others'
 * (the two-instance service benchmark: p50 63 against 23 ms); the read is one prepared query over a row per
 * projection, shared by every waiter of the process (freshCheckpoints), so at most 100 a second while anything waits.
 */
const CHECKPOINT_POLL_MS = 10;

/**
 * When a wait for a projection another instance runs reads the stored checkpoints first. That instance hears of the
 * append by NOTIFY and commits it about 2 ms later (two instances on the service benchmark's machine: heard 0.4 ms
 * after the NOTIFY was sent, committed 1.8 ms after hearing, medians); a read at the question's moment could not see
 * it, and the next came on the 10 ms schedule. Whatever this figure, the schedule still follows.
 */
const REMOTE_FIRST_READ_MS = 3;

/** The key of the session advisory lock that one process holds a projection with (hashtext: see RUNNERS_SQL). */
function lockName(projection: string): string {
  return `projection:${projection}`;
}

/**
 * Which session holds each projection's lock, and its application_name (the holder's instanceName), in one query for
 * all. pg_try_advisory_lock(hashtext(...)) takes the bigint form (hashtext's int4 is sign-extended), which PostgreSQL
 * shows in pg_locks as classid = the key's high 32 bits, objid = its low 32 bits (both unsigned, as oid), and
 * objsubid = 1 (2 is the form with two int4 keys). pg_locks lists every database of the server: same projection
 * names in another database are other locks.
 */
const RUNNERS_SQL = `SELECT p.name, a.application_name AS runner
   FROM unnest($1::text[], $2::text[]) AS p(name, lock_name)
   JOIN pg_locks l ON l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
    AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
    AND l.classid = ((hashtext(p.lock_name)::bigint >> 32) & 4294967295)::oid
    AND l.objid = (hashtext(p.lock_name)::bigint & 4294967295)::oid
   JOIN pg_stat_activity a ON a.pid = l.pid`;

class ProjectionWorker<Event> {
  localState: ProjectionState = 'stopped';
  private stopping = false;
  private loop: Promise<void> | undefined;
  private readonly subscriptions = new Set<Subscription>();
  private readonly pause = new Pause(() => this.stopping);

  constructor(
    private readonly projection: AnyProjection<Event>,
    private readonly options: ProjectionRunnerOptions<Event>,
    private readonly events: EventEmitter,
    private readonly served: ServedCheckpoints,
  ) {}

  get name(): string {
    return this.projection.name;
  }

  start(): void {
    this.stopping = false;
    this.loop ??= this.run().finally(() => (this.loop = undefined));
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.wake();
    await Promise.all([...this.subscriptions].map((s) => s.close()));
    await this.loop;
    this.localState = 'stopped';
  }

  wake(): void {
    this.pause.end();
    // A rebuild request ends the current cycle so that the next one sees it.
    for (const subscription of this.subscriptions) void subscription.close();
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      const lockClient = await this.connectOrWait();
      if (!lockClient) continue;
      let lost = false;
      const onLockLost = () => {
        lost = true;
        this.wake();
      };
      lockClient.on('error', onLockLost);
      try {
        // Named first (the name is evaluated before the lock, in one round trip), so that whoever finds this session
        // holding the lock also finds which instance it is. The session ends with the lock: the name goes with it.
        const { rows } = await lockClient.query<{ ok: boolean }>(
          `SELECT set_config('application_name', COALESCE($2, NULLIF(current_setting('application_name'), ''), $3), false) AS named,
                  pg_try_advisory_lock(hashtext($1)) AS ok`,
          [lockName(this.name), this.options.instanceName ?? null, defaultInstanceName()],
        );
        if (!rows[0]?.ok) {
          this.localState = 'standby';
          await this.pause.for(this.options.standbyRetryMs ?? 1_000);
          continue;
        }
        while (!this.stopping && !lost) {
          const failed = await this.cycle();
          if (failed) await this.pause.for(this.options.failureRetryMs ?? 5_000);
        }
      } catch (error) {
        this.log('error', `projection ${this.name} stopped: ${(error as Error).message}`);
        await this.pause.for(this.options.failureRetryMs ?? 5_000);
      } finally {
        lockClient.off('error', onLockLost);
        // Ending the session releases the advisory lock even when the unlock query cannot run.
        await lockClient.query('SELECT pg_advisory_unlock_all()').catch(() => undefined);
        lockClient.release(true);
      }
    }
  }

  /** One pass with the lock held: returns true when it ended on a failed event. */
  private async cycle(): Promise<boolean> {
    let { active, building } = await this.loadGenerations();
    if (!active) {
      // First run: nothing serves yet, so the first generation is active from the start.
      active = await this.createGeneration(1, 'active', { onlyIfNone: true });
    }
    if (building) {
      // A rebuild is already under way and started before the request was seen through: it answers it.
      await this.options.pool.query('DELETE FROM projection_rebuild_requests WHERE name = $1', [this.name]);
    } else {
      const requested = await this.options.pool.query('SELECT 1 FROM projection_rebuild_requests WHERE name = $1', [this.name]);
      if (active.version !== this.projection.version || requested.rowCount) {
        // createGeneration consumes the request in the transaction that starts the rebuild, so a crash loses neither.
        building = await this.createGeneration(active.generation + 1, 'building');
        this.log('info', `projection ${this.name}: rebuilding into generation ${building.generation} (version ${building.version})`);
      }
    }
    if (this.stopping) return false;

    this.localState = building ? 'rebuilding' : 'running';
    const runs: Promise<'failed' | 'done' | 'swapped'>[] = [];
    // An active generation of an older version has no code left to feed it: it keeps serving as it is.
    if (active.version === this.projection.version) runs.push(this.follow(active, false));
    if (building) runs.push(this.follow(building, true));
    const results = await Promise.all(runs);
    return results.includes('failed');
  }

  /** Feeds one generation from its checkpoint; a building one is swapped in once it has caught up. */
  private async follow(generation: Generation, swapWhenCaughtUp: boolean): Promise<'failed' | 'done' | 'swapped'> {
    const subscription = this.options.store.subscribeToAll({
      after: generation.checkpoint,
      ...(this.projection.filter ? { filter: this.projection.filter } : {}),
    });
    this.subscriptions.add(subscription);
    // stop() closes the subscriptions it can see; one opened after it looked must not keep the worker alive.
    if (this.stopping) await subscription.close();
    let checkpoint = generation.checkpoint;
    let buffer: RecordedEvent[] = [];
    try {
      for await (const message of subscription) {
        if (message.kind === 'event') {
          buffer.push(message.event);
          continue;
        }
        const outcome = await this.commit(generation, buffer, checkpoint, message.checkpoint);
        buffer = [];
        if (outcome === 'failed') return 'failed';
        checkpoint = message.checkpoint;
        if (swapWhenCaughtUp && message.caughtUp) {
          await this.swapIn(generation);
          // The cycle starts over so that the active loop follows the new generation.
          this.wake();
          return 'swapped';
        }
      }
      return 'done';
    } catch (error) {
      if (error instanceof LostOwnershipError) {
        this.log('warn', `projection ${this.name}: checkpoint moved under us; another runner owns it now`);
        return 'done';
      }
      throw error;
    } finally {
      this.subscriptions.delete(subscription);
      await subscription.close();
    }
  }

  private async commit(
    generation: Generation,
    events: readonly RecordedEvent[],
    from: LogPosition,
    to: LogPosition,
  ): Promise<'ok' | 'failed'> {
    if (events.length === 0 && comparePositions(to, from) <= 0) return 'ok';
    try {
      await this.applyInTransaction(generation, events, from, to);
      return 'ok';
    } catch (error) {
      if (error instanceof LostOwnershipError) throw error;
      if (events.length <= 1) {
        await this.recordFailure(generation, events[0], error);
        return 'failed';
      }
      // Find the event that fails: apply the batch one event per transaction, up to it.
      let previous = from;
      for (const event of events) {
        try {
          await this.applyInTransaction(generation, [event], previous, event.position);
          previous = event.position;
        } catch (single) {
          if (single instanceof LostOwnershipError) throw single;
          await this.recordFailure(generation, event, single);
          return 'failed';
        }
      }
      await this.applyInTransaction(generation, [], previous, to);
      return 'ok';
    }
  }

  private async applyInTransaction(
    generation: Generation,
    events: readonly RecordedEvent[],
    from: LogPosition,
    to: LogPosition,
  ): Promise<void> {
    // Deserialised before a connection is taken: decrypting reads keys through the same pool, and transactions each
    // holding a connection while waiting for another deadlocked the pool once the projections' locks held the rest
    // (every projection rebuilding at once; found by the soak).
    const deserialize = receivesRecordedEvents(this.projection) ? undefined : this.options.deserialize;
    const mapped: readonly unknown[] = deserialize ? await Promise.all(events.map((e) => deserialize(e))) : events;
    if (mapped.length === 0) {
      // Only the position moved (events of other categories went by, or the horizon did): one prepared statement, in
      // one round trip. With a projection per module each filtering the log, most wake-ups end here.
      const updated = await this.options.pool.query({
        name: 'projection_advance',
        text: ADVANCE_CHECKPOINT,
        values: [this.name, generation.generation, positionToString(to), storedCheckpoint(from)],
      });
      if (updated.rowCount !== 1) throw new LostOwnershipError();
      this.advanced(generation, to);
      return;
    }
    const client = await connectGuarded(this.options.pool);
    try {
      // The transaction opens with the checkpoint's guarded advance, in one round trip: each batch pays a round trip
      // less, and a runner that lost its lock learns it before applying.
      const advance = advanceCheckpointSql(
        literal(client, this.name),
        String(generation.generation),
        literal(client, positionToString(to)),
        literal(client, storedCheckpoint(from)),
      );
      const [, updated] = (await client.query(`BEGIN; ${advance}`)) as unknown as [pg.QueryResult, pg.QueryResult];
      if (updated.rowCount !== 1) {
        await client.query('ROLLBACK');
        throw new LostOwnershipError();
      }
      // Recorded events for a projection of them, else what `deserialize` made (or the recorded ones, without it).
      await (this.projection.apply as (events: readonly unknown[], client: pg.ClientBase, context: ProjectionContext) => Promise<void>)(
        mapped,
        client,
        this.context(generation.generation),
      );
      await client.query('COMMIT');
      this.advanced(generation, to);
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  /** The checkpoint `to` is committed: waiters may look again. */
  private advanced(generation: Generation, to: LogPosition): void {
    generation.checkpoint = to;
    if (generation.status === 'active') this.served.committed(this.name, generation.generation, to);
    this.events.emit('checkpoint', this.name, to);
  }

  private async recordFailure(generation: Generation, event: RecordedEvent | undefined, error: unknown): Promise<void> {
    const message = error instanceof Error ? error.message : String(error);
    this.log('error', `projection ${this.name} failed at event ${event?.id ?? '-'}: ${message}`, {
      eventId: event?.id,
      eventType: event?.type,
      position: event ? positionToString(event.position) : undefined,
    });
    await this.options.pool.query(
      `UPDATE projection_generations SET error = $3, failed_event_id = $4, failed_position = $5, failed_at = now()
        WHERE name = $1 AND generation = $2`,
      [this.name, generation.generation, message.slice(0, 2000), event?.id ?? null, event ? positionToString(event.position) : null],
    );
    // Only now: whoever sees the state 'failed' also finds the error and the event in the stored status.
    this.localState = 'failed';
  }

  private async loadGenerations(): Promise<{ active?: Generation; building?: Generation }> {
    const { rows } = await this.options.pool.query<{
      generation: number;
      version: number;
      status: Generation['status'];
      checkpoint: string | null;
    }>(`SELECT generation, version, status, checkpoint FROM projection_generations WHERE name = $1 AND status IN ('active', 'building')`, [
      this.name,
    ]);
    const toGeneration = (r: (typeof rows)[number]): Generation => ({
      generation: r.generation,
      version: r.version,
      status: r.status,
      checkpoint: r.checkpoint ? parsePosition(r.checkpoint) : START,
    });
    const active = rows.find((r) => r.status === 'active');
    const building = rows.find((r) => r.status === 'building');
    return { ...(active ? { active: toGeneration(active) } : {}), ...(building ? { building: toGeneration(building) } : {}) };
  }

  async ensureFirstGeneration(): Promise<void> {
    await this.createGeneration(1, 'active', { onlyIfNone: true });
  }

  private async createGeneration(
    generation: number,
    status: 'active' | 'building',
    options: { onlyIfNone?: boolean } = {},
  ): Promise<Generation> {
    const client = await connectGuarded(this.options.pool);
    try {
      await client.query('BEGIN');
      if (options.onlyIfNone) {
        // Two processes starting at once: the second waits here, then finds the first one's generation.
        await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`projection-setup:${this.name}`]);
        const { rows } = await client.query<{ generation: number; version: number; checkpoint: string | null }>(
          `SELECT generation, version, checkpoint FROM projection_generations WHERE name = $1 AND status = 'active'`,
          [this.name],
        );
        if (rows[0]) {
          await client.query('COMMIT');
          return {
            generation: rows[0].generation,
            version: rows[0].version,
            status: 'active',
            checkpoint: rows[0].checkpoint ? parsePosition(rows[0].checkpoint) : START,
          };
        }
      }
      // A rebuild that was interrupted left its schema behind: start it clean.
      await client.query(`DROP SCHEMA IF EXISTS ${schemaName(this.name, generation)} CASCADE`);
      await client.query(`CREATE SCHEMA ${schemaName(this.name, generation)}`);
      await this.projection.setup(client, this.context(generation));
      await client.query(
        `INSERT INTO projection_generations (name, generation, version, status, activated_at)
         VALUES ($1, $2, $3, $4, CASE WHEN $4 = 'active' THEN now() END)
         ON CONFLICT (name, generation) DO UPDATE SET version = EXCLUDED.version, status = EXCLUDED.status, checkpoint = NULL, error = NULL`,
        [this.name, generation, this.projection.version, status],
      );
      if (status === 'active') await this.pointViewsAt(client, generation);
      else await client.query('DELETE FROM projection_rebuild_requests WHERE name = $1', [this.name]);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
    return { generation, version: this.projection.version, status, checkpoint: START };
  }

  private async swapIn(building: Generation): Promise<void> {
    const client = await connectGuarded(this.options.pool);
    try {
      await client.query('BEGIN');
      const { rows } = await client.query<{ generation: number }>(
        `UPDATE projection_generations SET status = 'retired' WHERE name = $1 AND status = 'active' RETURNING generation`,
        [this.name],
      );
      await client.query(`UPDATE projection_generations SET status = 'active', activated_at = now() WHERE name = $1 AND generation = $2`, [
        this.name,
        building.generation,
      ]);
      await this.pointViewsAt(client, building.generation);
      for (const old of rows) await client.query(`DROP SCHEMA IF EXISTS ${schemaName(this.name, old.generation)} CASCADE`);
      await client.query('COMMIT');
      this.served.swappedIn(this.name, building.generation, building.checkpoint);
      this.events.emit('checkpoint', this.name, building.checkpoint);
      this.log('info', `projection ${this.name}: generation ${building.generation} caught up and now serves`);
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  private async pointViewsAt(client: pg.ClientBase, generation: number): Promise<void> {
    for (const table of this.projection.tables) {
      // Dropped and created (not replaced): a new version may change the columns.
      await client.query(`DROP VIEW IF EXISTS ${READ_MODEL_SCHEMA}.${table}`);
      await client.query(`CREATE VIEW ${READ_MODEL_SCHEMA}.${table} AS SELECT * FROM ${schemaName(this.name, generation)}.${table}`);
    }
  }

  private context(generation: number): ProjectionContext {
    return {
      generation,
      table: (name) => {
        if (!this.projection.tables.includes(name)) throw new Error(`projection ${this.name} did not declare table "${name}"`);
        return `${schemaName(this.name, generation)}.${name}`;
      },
    };
  }

  private async connectOrWait(): Promise<pg.PoolClient | undefined> {
    try {
      return await connectGuarded(this.options.pool);
    } catch (error) {
      this.localState = 'failed';
      this.log('warn', `projection ${this.name}: database unavailable: ${(error as Error).message}`);
      await this.pause.for(this.options.failureRetryMs ?? 5_000);
      return undefined;
    }
  }

  private log(level: 'info' | 'warn' | 'error', message: string, extra: Record<string, unknown> = {}): void {
    this.options.log?.({ level, message, projection: this.name, ...extra });
  }
}

const guarded = new WeakSet<pg.PoolClient>();

/**
 * A client checked out of the pool, listened to for errors. A connection that dies while the client is checked out but
 * between two queries (a transaction waiting for its events to be deserialised, a lock held between batches) emits
 * 'error' on the client, and an 'error' nobody listens to ends the process: a PostgreSQL restart did exactly that
 * (found by the soak). The error is not lost: the next query on the client fails with it, and the pool discards a
 * client that failed.
 */
async function connectGuarded(pool: pg.Pool): Promise<pg.PoolClient> {
  const client = await pool.connect();
  if (!guarded.has(client)) {
    guarded.add(client);
    client.on('error', () => undefined);
  }
  return client;
}

/**
 * A projection's checkpoint advance, guarded by the previous checkpoint: a runner that lost its lock without noticing
 * matches no row, so it cannot apply twice. The arguments are SQL: parameters, or literals where the statement shares
 * a round trip with others (simple protocol).
 */
function advanceCheckpointSql(name: string, generation: string, to: string, from: string): string {
  return `UPDATE projection_generations SET checkpoint = ${to}, error = NULL, failed_event_id = NULL, failed_position = NULL,
            failed_at = NULL
           WHERE name = ${name} AND generation = ${generation} AND status IN ('active', 'building')
             AND checkpoint IS NOT DISTINCT FROM ${from}`;
}
const ADVANCE_CHECKPOINT = advanceCheckpointSql('$1', '$2', '$3', '$4');

/** A value as an SQL literal: NULL, or a quoted string the server reads back as the same text. */
function literal(client: pg.ClientBase, value: string | null): string {
  return value === null ? 'NULL' : client.escapeLiteral(value);
}

/** One process on one machine (or container: its hostname), pid first so that PostgreSQL's 63 bytes keep it. */
function defaultInstanceName(): string {
  return `${process.pid}@${hostname()}`;
}

function schemaName(projection: string, generation: number): string {
  return `proj_${projection}_g${generation}`;
}

function storedCheckpoint(position: LogPosition): string | null {
  return comparePositions(position, START) === 0 ? null : positionToString(position);
}
