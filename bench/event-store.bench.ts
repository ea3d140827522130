/**
 * Event-store benchmark: the workload of ../shared/peer-bench (bench.mjs) run on our PostgreSQL adapter and our
 * projection runner, and, in the same run and on the same server, the peer's own targets (Emmett's store and raw
 * single INSERTs), so the figures are compared like for like.
 *
 *   npm run bench                                   # defaults: 2000 streams x 5 events, 8 writers
 *   npm run bench -- --streams 500 --skip-peer      # flags pass through
 *
 * Our store and the raw single INSERTs take turns over --rounds rounds (default 3), each round on fresh databases,
 * and the targets compare their medians: these machines' speed drifts by a third or more within minutes (the same
 * run of either, a few minutes apart), which turns a single pair into a coin toss whenever two figures are close.
 * Emmett's store runs once (it is far from ours). Every round's figures are in `rounds`.
 *
 * Then the service over HTTP (bench/service.bench.ts), under "service"; --skip-service leaves it out.
 * Then the audit's history queries on a log of --history-events (bench/history.bench.ts), under "history";
 * --skip-history leaves it out.
 * Then what sealing the log costs appends (bench/log-seal.bench.ts, small here: --seal-append-events 20000 over
 * --seal-rounds 3), under "logSeal"; --skip-seal leaves it out.
 * Then a directory provisioning --provisioning-users over SCIM (bench/provisioning.bench.ts), under "provisioning";
 * --skip-provisioning leaves it out.
 *
 * What the subscriptions' reads of the log cost the appends (issue #23): --subscriptions N bare subscriptions follow
 * the writes (filters as SUBSCRIPTION_FILTERS), --no-shared-tail-reads makes each read on its own; `write` then
 * reports the server's CPU per event (serverCpuUsPerEvent, from /proc for the database's backends) and the log reads
 * per second (logReadsPerSec), and the target noMissedOrDuplicated checks each subscription's events too.
 *
 * One JSON object on stdout, progress on stderr. Durability is never weakened: the server's synchronous_commit and
 * fsync are reported, and a target fails when either is off.
 */
import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import { copyFile, mkdir, readFile, rm, stat, symlink } from 'node:fs/promises';
import { availableParallelism, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import {
  comparePositions,
  START,
  streamCategory,
  WrongExpectedRevisionError,
  type EventToAppend,
  type LogFilter,
  type LogPosition,
  type RecordedEvent,
} from '#event-store';
import { ProjectionRunner, type ProjectionDefinition } from '#projections';
import {
  PostgresEventStore,
  POSTGRES_EVENT_STORE_DEFAULTS,
  type PostgresEventStoreOptions,
} from '../libs/event-store/src/postgres/index.ts';
import {
  addCleanup,
  checkpoint,
  cleanUpDownTo,
  createBenchDatabase,
  databaseUrl,
  installSignalHandlers,
  log,
  now,
  redact,
  reportAndExit,
  resolveServer,
  round,
  stats,
  withClient,
  type Server,
} from './bench-server.ts';
import { benchHistory, HISTORY_FLAGS, historyOptionsFrom, type HistorySection } from './history.bench.ts';
import { benchLogSeal, LOG_SEAL_FLAGS, logSealOptionsFrom, type LogSealSection } from './log-seal.bench.ts';
import { benchProvisioning, PROVISIONING_FLAGS, provisioningOptionsFrom, type ProvisioningSection } from './provisioning.bench.ts';
import { benchService, SERVICE_FLAGS, serviceOptionsFrom, type ServiceSection } from './service.bench.ts';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const PEER_SOURCE = resolve(REPO_ROOT, '..', 'shared', 'peer-bench', 'bench.mjs');
const PEER_DIR = join(REPO_ROOT, 'bench', '.peer');
/** The databases the peer creates for the targets we run (its names: peer_bench_<target>). */
const PEER_DATABASES = ['peer_bench_emmett', 'peer_bench_raw_single'];

const { values: flags } = parseArgs({
  allowNegative: true,
  options: {
    streams: { type: 'string', default: '2000' },
    events: { type: 'string', default: '5' },
    concurrency: { type: 'string', default: '8' },
    pg: { type: 'string' },
    'read-page': { type: 'string', default: '1000' },
    json: { type: 'boolean', default: true }, // accepted for parity with the peer; the output is always JSON
    'skip-peer': { type: 'boolean', default: false },
    rounds: { type: 'string', default: '3' },
    // Investigation knobs; without them the adapter's defaults apply.
    'pool-size': { type: 'string' },
    'max-appends-in-flight': { type: 'string' },
    'max-append-batch': { type: 'string' },
    'subscription-batch-size': { type: 'string' },
    'live-batching-ms': { type: 'string' },
    'live-projection': { type: 'boolean', default: true }, // --no-live-projection: writes without a projection running
    // Bare subscriptions following the writes besides the live projection (issue #23: what the projections' reads of
    // the log cost the appends); their filters cycle as SUBSCRIPTION_FILTERS says.
    subscriptions: { type: 'string', default: '0' },
    'shared-tail-reads': { type: 'boolean', default: true }, // --no-shared-tail-reads: each subscription reads on its own
    ...SERVICE_FLAGS,
    ...HISTORY_FLAGS,
    ...LOG_SEAL_FLAGS,
    ...PROVISIONING_FLAGS,
  },
});
installSignalHandlers();

const S = positiveInt('streams');
const E = positiveInt('events');
const C = positiveInt('concurrency');
const PAGE = positiveInt('read-page');
const TOTAL = S * E;
const ROUNDS = positiveInt('rounds');
const SUBSCRIPTIONS = wholeNumber('subscriptions');

// Checked before anything starts, so a wrong service flag does not surface after the event-store part.
const SERVICE_OPTIONS = flags['skip-service'] ? undefined : serviceOptionsFrom(flags);
const HISTORY_OPTIONS = flags['skip-history'] ? undefined : historyOptionsFrom(flags);
const LOG_SEAL_OPTIONS = flags['skip-seal'] ? undefined : logSealOptionsFrom(flags);
const PROVISIONING_OPTIONS = flags['skip-provisioning'] ? undefined : provisioningOptionsFrom(flags);

function positiveInt(name: keyof typeof flags): number {
  const n = Number(flags[name]);
  if (!Number.isSafeInteger(n) || n <= 0) throw new Error(`--${name} must be a positive whole number`);
  return n;
}
function wholeNumber(name: keyof typeof flags): number {
  const n = Number(flags[name]);
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`--${name} must be a whole number >= 0`);
  return n;
}
function optionalInt(name: keyof typeof flags): number | undefined {
  return flags[name] === undefined ? undefined : positiveInt(name);
}

// ---------- the peer's workload, byte for byte ----------
const TYPES = ['MemberJoined', 'MemberRoleChanged', 'MemberSuspended', 'MemberReinstated', 'MemberNoteAdded'] as const;
const streamName = (s: number) => `member-${String(s).padStart(7, '0')}`;
const hex = (n: number, len: number) => n.toString(16).padStart(len, '0');
const uuidFor = (kind: number, n: number) => `${hex(kind, 8)}-0000-4000-8000-${hex(n, 12)}`;
/** `pos` is 1-based as in the peer; our revision is pos - 1. */
const typeFor = (pos: number): string => (pos === 1 ? TYPES[0] : TYPES[1 + ((pos - 2) % (TYPES.length - 1))]!);
const makeEvent = (s: number, pos: number) => ({
  type: typeFor(pos),
  data: {
    memberId: uuidFor(1, s),
    groupId: uuidFor(2, s % 97),
    actorId: randomUUID(),
    role: pos % 2 ? 'moderator' : 'member',
    reason: `Benchmark change #${pos} for stream ${s}: quarterly membership audit.`,
    source: 'peer-bench',
    occurredAt: new Date().toISOString(),
  },
});
const toAppend = (s: number, pos: number): EventToAppend => {
  const event = makeEvent(s, pos);
  // Metadata the size of the raw target's ({ messageId: uuid }).
  return {
    id: randomUUID(),
    type: event.type,
    data: JSON.stringify(event.data),
    metadata: JSON.stringify({ correlationId: randomUUID() }),
  };
};
/** Writer w owns streams s ≡ w (mod C) and appends round by round: event 1 to each of its streams, then event 2... */
function* plan(w: number): Generator<{ s: number; pos: number }> {
  for (let pos = 1; pos <= E; pos++) for (let s = w; s < S; s += C) yield { s, pos };
}
function ownedStreams(w: number): number[] {
  const owned: number[] = [];
  for (let s = w; s < S; s += C) owned.push(s);
  return owned;
}

// ---------- the projection ----------
/**
 * One row per stream, upserted with one statement per batch: the stream's event count, its last event, and the
 * revisions applied, in the order they were applied. The revisions make the check exact: an event applied twice
 * shows as a repeated revision, a missed one as a gap, whatever the count says.
 */
function streamSummaryProjection(name: string, batches: number[]): ProjectionDefinition {
  return {
    name,
    version: 1,
    tables: ['stream_summary'],
    async setup(client, ctx) {
      await client.query(`CREATE TABLE ${ctx.table('stream_summary')} (
        stream_id text PRIMARY KEY, events int NOT NULL, revisions bigint[] NOT NULL, last_type text NOT NULL,
        last_commit bigint NOT NULL, last_prepare bigint NOT NULL)`);
    },
    async apply(events, client, ctx) {
      batches.push(events.length);
      // Events come in log order, so ordinality orders each stream's events in the batch, and its highest
      // ordinality is its last event.
      await client.query(
        `INSERT INTO ${ctx.table('stream_summary')} AS t (stream_id, events, revisions, last_type, last_commit, last_prepare)
         SELECT stream_id, n, revisions, event_type, commit_position, prepare_position FROM (
           SELECT b.*, count(*) OVER w AS n, array_agg(b.revision) OVER (w ORDER BY b.ord) AS revisions,
                  row_number() OVER (w ORDER BY b.ord DESC) AS rn
             FROM unnest($1::text[], $2::bigint[], $3::text[], $4::bigint[], $5::bigint[]) WITH ORDINALITY
                  AS b(stream_id, revision, event_type, commit_position, prepare_position, ord)
           WINDOW w AS (PARTITION BY b.stream_id)) x
          WHERE rn = 1
         ON CONFLICT (stream_id) DO UPDATE SET events = t.events + EXCLUDED.events, revisions = t.revisions || EXCLUDED.revisions,
           last_type = EXCLUDED.last_type, last_commit = EXCLUDED.last_commit, last_prepare = EXCLUDED.last_prepare`,
        [
          events.map((e) => e.streamId),
          events.map((e) => e.revision),
          events.map((e) => e.type),
          events.map((e) => e.position.commit.toString()),
          events.map((e) => e.position.prepare.toString()),
        ],
      );
    },
  };
}

/**
 * Compares a projection's table with what was appended: every stream there, each with revisions 0..E-1 exactly once
 * and in order, and its last event right. Missed events are the revisions absent, duplicates the revisions applied
 * more than once, unknown events the revisions (or streams) the log does not have.
 */
async function checkProjection(pool: pg.Pool, name: string, batches: readonly number[]) {
  const schema = `proj_${name}_g1`;
  const {
    rows: [summary],
  } = await pool.query<{
    streams: number;
    applied: number;
    distinct_applied: number;
    known: number;
    out_of_order: number;
    wrong_count: number;
    wrong_last: number;
  }>(
    `WITH applied AS (
       SELECT s.stream_id, r.revision, r.ord FROM ${schema}.stream_summary s, unnest(s.revisions) WITH ORDINALITY AS r(revision, ord))
     SELECT (SELECT count(*) FROM ${schema}.stream_summary)::int AS streams,
            (SELECT count(*) FROM applied)::int AS applied,
            (SELECT count(*) FROM (SELECT DISTINCT stream_id, revision FROM applied) d)::int AS distinct_applied,
            (SELECT count(*) FROM (SELECT DISTINCT a.stream_id, a.revision FROM applied a
                                    JOIN es_events e ON e.stream_id = a.stream_id AND e.stream_revision = a.revision) k)::int AS known,
            (SELECT count(*) FROM ${schema}.stream_summary s
              WHERE s.revisions <> ARRAY(SELECT r FROM unnest(s.revisions) r ORDER BY r))::int AS out_of_order,
            (SELECT count(*) FROM ${schema}.stream_summary s WHERE s.events <> $1 OR cardinality(s.revisions) <> s.events)::int AS wrong_count,
            (SELECT count(*) FROM ${schema}.stream_summary s
               LEFT JOIN es_events e ON e.stream_id = s.stream_id AND e.stream_revision = $1 - 1
              WHERE e.event_id IS NULL OR e.event_type <> s.last_type
                 OR e.transaction_id::text::bigint <> s.last_commit OR e.global_position <> s.last_prepare)::int AS wrong_last`,
    [E],
  );
  return {
    missedEvents: TOTAL - summary!.known,
    duplicateEvents: summary!.applied - summary!.distinct_applied,
    appliedEvents: summary!.applied,
    unknownEvents: summary!.distinct_applied - summary!.known,
    projectedStreams: summary!.streams,
    streamsOutOfOrder: summary!.out_of_order,
    streamsWithWrongCount: summary!.wrong_count + (S - summary!.streams),
    streamsWithWrongLastEvent: summary!.wrong_last,
    batches: batches.length,
    meanBatch: batches.length ? Math.round(batches.reduce((x, y) => x + y, 0) / batches.length) : 0,
    maxBatch: batches.length ? Math.max(...batches) : 0,
  };
}

// ---------- bare subscriptions (--subscriptions) ----------
/**
 * The filters of the bare subscriptions, in turn. All the writes are to `member` streams; as in the service, where an
 * append of one category wakes about half of the twelve projections (those taking its category, and those filtering on
 * event types only, which every append of this process wakes), half of these are woken by every append (the first
 * takes every event, the third a quarter of them) and half only poll (other categories).
 */
const SUBSCRIPTION_FILTERS: readonly LogFilter[] = [
  { categories: ['member'] },
  { categories: ['group'] },
  { eventTypes: ['MemberSuspended'] },
  { categories: ['group', 'privacy'] },
];

/** How many of the workload's events `filter` takes. */
function expectedEvents(filter: LogFilter): number {
  let n = 0;
  for (let pos = 1; pos <= E; pos++) {
    if (filter.categories && !filter.categories.includes('member')) continue;
    if (filter.eventTypes && !filter.eventTypes.includes(typeFor(pos))) continue;
    n += S;
  }
  return n;
}

/** A subscription that only counts what it is given, and checks it: each event once, in log order, of its filter. */
function followBare(store: PostgresEventStore, filter: LogFilter) {
  const subscription = store.subscribeToAll({ after: START, filter });
  const seen = new Set<string>();
  const state = { delivered: 0, outOfOrder: 0, foreign: 0, checkpoint: START as LogPosition, caughtUp: false };
  let previous: LogPosition | undefined;
  const events = new EventEmitter();
  const done = (async () => {
    for await (const message of subscription) {
      if (message.kind === 'checkpoint') {
        state.checkpoint = message.checkpoint;
        if (message.caughtUp) state.caughtUp = true;
        events.emit('checkpoint');
        continue;
      }
      const { event } = message;
      state.delivered++;
      seen.add(`${event.position.commit}:${event.position.prepare}`);
      if (previous && comparePositions(event.position, previous) <= 0) state.outOfOrder++;
      previous = event.position;
      if (filter.categories && !filter.categories.includes(streamCategory(event.streamId))) state.foreign++;
      if (filter.eventTypes && !filter.eventTypes.includes(event.type)) state.foreign++;
    }
  })();
  return {
    /** Resolves once `reached()` holds (checked at each checkpoint), or rejects after `timeoutMs`. */
    async until(reached: () => boolean, timeoutMs: number): Promise<void> {
      const deadline = now() + timeoutMs;
      while (!reached()) {
        if (now() > deadline) throw new Error(`a bare subscription (${JSON.stringify(filter)}) did not get there in ${timeoutMs} ms`);
        await new Promise((resolve) => {
          const timer = setTimeout(resolve, 100);
          events.once('checkpoint', () => resolve(clearTimeout(timer)));
        });
      }
    },
    state,
    async close() {
      await subscription.close();
      await done;
      const expected = expectedEvents(filter);
      return {
        filter,
        delivered: state.delivered,
        missed: expected - seen.size,
        duplicates: state.delivered - seen.size,
        outOfOrder: state.outOfOrder,
        foreign: state.foreign,
      };
    },
  };
}

/**
 * CPU time (ms) of the server processes serving `database` (pg_stat_activity), from /proc: the server runs on this
 * machine. pg_stat_statements would need shared_preload_libraries, which a shared server cannot be restarted for.
 * Backends that exit in between are not counted (the pool keeps its connections while the writers run).
 */
async function serverCpuMs(url: string, database: string): Promise<Map<number, number>> {
  const pids = await withClient(url, async (c) => {
    const { rows } = await c.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [
      database,
    ]);
    return rows.map((r) => r.pid);
  });
  const cpu = new Map<number, number>();
  for (const pid of pids) {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
    if (!stat) continue;
    // Fields after the command name (which may hold spaces): state is the 3rd field, utime and stime the 14th and 15th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    cpu.set(pid, ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND);
  }
  return cpu;
}
/** USER_HZ, 100 on Linux everywhere it matters (getconf CLK_TCK). */
const CLOCK_TICKS_PER_SECOND = 100;

function cpuSpent(before: Map<number, number>, after: Map<number, number>): number {
  let ms = 0;
  for (const [pid, spent] of after) ms += spent - (before.get(pid) ?? 0);
  return ms;
}

/** Counts the log reads the store sends (es_read_all*, the subscriptions' reads) by wrapping its pool's query. */
function countLogReads(store: PostgresEventStore): { reads: number } {
  const counter = { reads: 0 };
  const pool = (store as unknown as { pool: pg.Pool }).pool;
  const query = pool.query.bind(pool) as (...args: unknown[]) => unknown;
  (pool as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
    const config = args[0] as { name?: string } | string;
    if (typeof config === 'object' && config.name?.startsWith('es_read_all')) counter.reads++;
    return query(...args);
  };
  return counter;
}

// ---------- our store ----------
async function benchOurs(server: Server, database: string) {
  const url = databaseUrl(server.url, database);
  const adapterOptions: PostgresEventStoreOptions = {
    connectionString: url,
    ...(optionalInt('pool-size') !== undefined ? { poolSize: optionalInt('pool-size') } : {}),
    ...(optionalInt('max-appends-in-flight') !== undefined ? { maxAppendsInFlight: optionalInt('max-appends-in-flight') } : {}),
    ...(optionalInt('max-append-batch') !== undefined ? { maxAppendBatch: optionalInt('max-append-batch') } : {}),
    ...(optionalInt('subscription-batch-size') !== undefined ? { subscriptionBatchSize: optionalInt('subscription-batch-size') } : {}),
    ...(optionalInt('live-batching-ms') !== undefined ? { liveBatchingMs: optionalInt('live-batching-ms') } : {}),
    ...(flags['shared-tail-reads'] ? {} : { shareTailReads: false }),
  };
  const { connectionString: _url, ...overrides } = adapterOptions;
  const adapter = { ...POSTGRES_EVENT_STORE_DEFAULTS, ...overrides, overridden: Object.keys(overrides) };

  const store = await PostgresEventStore.create(adapterOptions);
  addCleanup(() => store.close());
  const readModels = new pg.Pool({ connectionString: url, max: 4 });
  readModels.on('error', () => undefined);
  addCleanup(() => readModels.end());
  const runnerLog = (entry: { level: string; message: string }) => {
    if (entry.level !== 'info') log(`projection ${entry.level}: ${entry.message}`);
  };

  const settings = await withClient(url, async (c) => {
    const { rows } = await c.query<{ name: string; setting: string }>(
      `SELECT name, current_setting(name) AS setting FROM unnest(ARRAY['server_version', 'synchronous_commit', 'fsync', 'full_page_writes',
         'wal_sync_method', 'commit_delay', 'shared_buffers', 'max_connections']) AS name`,
    );
    return Object.fromEntries(rows.map((r) => [r.name, r.setting]));
  });
  if (settings.synchronous_commit !== 'on' || settings.fsync !== 'on') {
    log(
      `WARNING: the server runs with synchronous_commit=${settings.synchronous_commit} fsync=${settings.fsync}: figures are not durable ones`,
    );
  }

  // Live projection: running before the first append, so it follows the writers as they go.
  const liveName = 'bench_live';
  const liveBatches: number[] = [];
  const live = flags['live-projection']
    ? await ProjectionRunner.create({
        store,
        pool: readModels,
        projections: [streamSummaryProjection(liveName, liveBatches)],
        log: runnerLog,
      })
    : undefined;
  if (live) {
    addCleanup(() => live.stop());
    live.start();
    await live.waitForPosition(START, [liveName], 30_000);
  }

  const bare = Array.from({ length: SUBSCRIPTIONS }, (_, i) => followBare(store, SUBSCRIPTION_FILTERS[i % SUBSCRIPTION_FILTERS.length]!));
  addCleanup(async () => void (await Promise.all(bare.map((b) => b.close()))));
  await Promise.all(bare.map((b) => b.until(() => b.state.caughtUp, 30_000)));
  const logReads = countLogReads(store);

  // Open C pooled connections before timing, as the peer does for Emmett.
  await Promise.all(Array.from({ length: C }, () => store.headPosition()));
  await checkpoint(url);
  const serverCpu0 = await serverCpuMs(url, database);
  const logReads0 = logReads.reads;

  log(`ours: writing S=${S} E=${E} C=${C}${live ? ' (live projection running)' : ''}`);
  let conflicts = 0;
  let head: LogPosition = START;
  const latencies = Array.from({ length: C }, () => [] as number[]);
  const cpu0 = process.cpuUsage();
  const t0 = now();
  const counts = await Promise.all(
    latencies.map(async (lat, w) => {
      let n = 0;
      for (const { s, pos } of plan(w)) {
        const event = toAppend(s, pos);
        const started = now();
        try {
          const result = await store.appendToStream(streamName(s), [event], pos === 1 ? 'no_stream' : pos - 2);
          if (comparePositions(result.position, head) > 0) head = result.position;
          n++;
        } catch (error) {
          if (error instanceof WrongExpectedRevisionError) conflicts++;
          else throw error;
        }
        lat.push(now() - started);
      }
      return n;
    }),
  );
  const lastAppendAt = now();
  const cpu = process.cpuUsage(cpu0);
  const logReadsDuringWrites = logReads.reads - logReads0;
  const serverCpuDuringWrites = cpuSpent(serverCpu0, await serverCpuMs(url, database));
  const wallMs = lastAppendAt - t0;
  const events = counts.reduce((x, y) => x + y, 0);
  const write = {
    events,
    wallMs: Math.round(wallMs),
    eventsPerSec: Math.round(events / (wallMs / 1000)),
    latency: stats(latencies.flat()),
    conflicts,
    // CPU of this process (writers, and the live projection when it runs) over the write phase: with few cores,
    // the client competes with the server for them.
    benchProcessCpuMs: Math.round((cpu.user + cpu.system) / 1000),
    // CPU of the server processes serving this database over the write phase (see serverCpuMs), and the log reads
    // (es_read_all*) the store sent meanwhile: the subscriptions' reads, the live projection's and the bare ones.
    serverCpuMs: Math.round(serverCpuDuringWrites),
    serverCpuUsPerEvent: round((serverCpuDuringWrites * 1000) / Math.max(1, events), 1),
    subscriptions: SUBSCRIPTIONS,
    logReads: logReadsDuringWrites,
    logReadsPerSec: Math.round(logReadsDuringWrites / (wallMs / 1000)),
  };
  log(`ours: ${write.eventsPerSec} ev/s, p50 ${write.latency.p50Ms} ms, p99 ${write.latency.p99Ms} ms`);

  let liveResult: Record<string, unknown> = { skipped: '--no-live-projection' };
  if (live) {
    await live.waitForPosition(head, [liveName], 120_000);
    const liveLagAfterWritesMs = Math.round(now() - lastAppendAt);
    await live.stop();
    liveResult = { liveLagAfterWritesMs, ...(await checkProjection(readModels, liveName, liveBatches)) };
    log(`ours: live projection at the head ${liveLagAfterWritesMs} ms after the last append`);
  }

  let bareResult: Awaited<ReturnType<(typeof bare)[number]['close']>>[] = [];
  if (bare.length) {
    await Promise.all(bare.map((b) => b.until(() => comparePositions(b.state.checkpoint, head) >= 0, 120_000)));
    bareResult = await Promise.all(bare.map((b) => b.close()));
  }

  // A stale expected revision must be refused (the stream is at E - 1; with E = 1, 'no_stream' is the stale one).
  const occStaleRejected = await store.appendToStream(streamName(0), [toAppend(0, 1)], E > 1 ? 0 : 'no_stream').then(
    () => false,
    (error: unknown) => error instanceof WrongExpectedRevisionError,
  );

  const r0 = now();
  const readCounts = await Promise.all(
    Array.from({ length: C }, async (_, w) => {
      let n = 0;
      for (const s of ownedStreams(w)) {
        const recorded = await store.readStream(streamName(s));
        if (recorded.length !== E || recorded.some((e, i) => e.revision !== i)) {
          throw new Error(`stream ${s}: bad revisions ${recorded.map((e) => e.revision).join(',')}`);
        }
        n += recorded.length;
      }
      return n;
    }),
  );
  const readMs = now() - r0;
  const readEvents = readCounts.reduce((x, y) => x + y, 0);
  const readPerStream = { ms: Math.round(readMs), events: readEvents, eventsPerSec: Math.round(readEvents / (readMs / 1000)) };

  const g0 = now();
  const seen = new Set<string>();
  let delivered = 0;
  let outOfOrder = 0;
  let pages = 0;
  let previous: RecordedEvent | undefined;
  for (let after = START; ;) {
    const page = await store.readAll({ after, maxCount: PAGE });
    pages++;
    for (const event of page.events) {
      delivered++;
      seen.add(`${event.position.commit}:${event.position.prepare}`);
      if (previous && comparePositions(event.position, previous.position) <= 0) outOfOrder++;
      previous = event;
    }
    after = page.checkpoint;
    if (page.isEnd) break;
  }
  const readAllGlobal = {
    ms: Math.round(now() - g0),
    events: delivered,
    distinct: seen.size,
    duplicates: delivered - seen.size,
    missing: TOTAL - seen.size,
    outOfOrder,
    pages,
    pageSize: PAGE,
  };
  log(`ours: read back (${readPerStream.ms} ms per stream, ${readAllGlobal.ms} ms global)`);

  // Catch-up: a fresh projection started after the writes, from position zero.
  const catchUpName = 'bench_catch_up';
  const catchUpBatches: number[] = [];
  const catchUp = await ProjectionRunner.create({
    store,
    pool: readModels,
    projections: [streamSummaryProjection(catchUpName, catchUpBatches)],
    log: runnerLog,
  });
  addCleanup(() => catchUp.stop());
  await checkpoint(url);
  const c0 = now();
  catchUp.start();
  await catchUp.waitForPosition(head, [catchUpName], 120_000);
  const catchUpMs = now() - c0;
  await catchUp.stop();
  const catchUpCheck = await checkProjection(readModels, catchUpName, catchUpBatches);
  log(`ours: catch-up projection ${Math.round(catchUpMs)} ms (${Math.round(TOTAL / (catchUpMs / 1000))} ev/s)`);

  const {
    rows: [size],
  } = await readModels.query<{ rows: number; bytes: string }>(
    `SELECT (SELECT count(*)::int FROM es_events) AS rows,
            (pg_total_relation_size('es_events') + pg_total_relation_size('es_streams'))::text AS bytes`,
  );

  const projection = {
    liveLagAfterWritesMs: liveResult.liveLagAfterWritesMs ?? null,
    missedEvents: liveResult.missedEvents ?? null,
    duplicateEvents: liveResult.duplicateEvents ?? null,
    catchUpMs: Math.round(catchUpMs),
    eventsPerSec: Math.round(TOTAL / (catchUpMs / 1000)),
    live: liveResult,
    catchUp: catchUpCheck,
  };
  return {
    bareSubscriptions: bareResult,
    settings,
    adapter,
    write,
    occStaleRejected,
    readPerStream,
    readAllGlobal,
    projection,
    table: { rows: size!.rows, bytes: Number(size!.bytes), bytesPerEvent: Math.round(Number(size!.bytes) / Math.max(1, size!.rows)) },
  };
}

// ---------- the peer ----------
interface PeerTargetResult {
  write: { eventsPerSec: number; latency: { p50Ms: number; p99Ms: number } };
  [key: string]: unknown;
}
type PeerTarget = 'emmett' | 'raw-single';
interface PeerRun {
  results: Partial<Record<PeerTarget, PeerTargetResult>>;
  params: unknown;
  env: unknown;
  command: string;
}
type PeerSection =
  | { skipped: string }
  | { error: string }
  | {
      emmett: PeerTargetResult;
      /** The round whose append rate is the median of the rounds'. */
      rawSingle: PeerTargetResult;
      rawSingleRounds: RoundSummary[];
      params: unknown;
      env: unknown;
      commands: string[];
    };

/** Copies the peer's script into bench/.peer (see below); undefined when it cannot run, with the reason. */
async function preparePeer(): Promise<{ script: string } | { skipped: string }> {
  if (flags['skip-peer']) return { skipped: '--skip-peer' };
  try {
    await stat(PEER_SOURCE);
  } catch {
    return { skipped: `${PEER_SOURCE} not found` };
  }
  // A copy inside the repository resolves its imports from OUR node_modules (pinned devDependencies); the
  // node_modules link is for the peer's own version lookup (./node_modules/<package>/package.json).
  await mkdir(PEER_DIR, { recursive: true });
  const script = join(PEER_DIR, 'bench.mjs');
  await rm(script, { force: true }); // the source may be read-only, and copyFile keeps the mode
  await copyFile(PEER_SOURCE, script);
  await symlink(join(REPO_ROOT, 'node_modules'), join(PEER_DIR, 'node_modules'), 'dir').catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error;
  });
  return { script };
}

/** One run of the peer's bench.mjs for `targets`, in a child process, on its own databases (dropped afterwards). */
async function runPeer(server: Server, script: string, targets: readonly PeerTarget[]): Promise<PeerRun> {
  const args = [
    '--targets',
    targets.join(','),
    '--streams',
    String(S),
    '--events',
    String(E),
    '--concurrency',
    String(C),
    '--read-page',
    String(PAGE),
    '--pg',
    server.url,
    '--json',
    // The peer force-drops its databases while Emmett's pool may still hold idle connections, which then crash
    // its child on the unhandled 'error' event (seen in about half the runs). So it keeps them and we drop them
    // once it has exited.
    '--keep',
  ];
  const dropPeerDatabases = () =>
    withClient(databaseUrl(server.url, 'postgres'), async (c) => {
      for (const name of PEER_DATABASES) await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    });
  addCleanup(dropPeerDatabases);
  await checkpoint(databaseUrl(server.url, 'postgres'));
  const command = `node bench/.peer/bench.mjs ${args.join(' ').replace(server.url, redact(server.url))}`;
  log(`peer: ${command}`);
  try {
    const stdout = await new Promise<string>((resolvePeer, reject) => {
      const child = spawn(process.execPath, [script, ...args], { cwd: PEER_DIR, stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
      child.on('error', reject);
      child.on('close', (code) => (code === 0 ? resolvePeer(out) : reject(new Error(`peer bench exited with status ${code}`))));
    });
    const parsed = JSON.parse(stdout) as { params: unknown; env: unknown; results: Record<string, PeerTargetResult> };
    for (const target of targets) if (!parsed.results[target]) throw new Error(`peer output lacks results["${target}"]`);
    return { results: parsed.results, params: parsed.params, env: parsed.env, command };
  } finally {
    await cleanUpDownTo(dropPeerDatabases);
  }
}

// ---------- rounds ----------
interface RoundSummary {
  round: number;
  eventsPerSec: number;
  p50Ms: number;
  p99Ms: number;
}

function summary(round: number, write: { eventsPerSec: number; latency: { p50Ms: number; p99Ms: number } }): RoundSummary {
  return { round, eventsPerSec: write.eventsPerSec, p50Ms: write.latency.p50Ms, p99Ms: write.latency.p99Ms };
}

/** The element whose key is the median (the lower middle one for an even count). */
function medianBy<T>(items: readonly T[], key: (item: T) => number): T {
  const sorted = [...items].sort((a, b) => key(a) - key(b));
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}

function median(values: readonly number[]): number {
  return medianBy(values, (v) => v);
}

// ---------- targets ----------
type OursResult = Awaited<ReturnType<typeof benchOurs>>;

/**
 * Throughput and latency: medians over the rounds. Correctness: every round counts, so one bad round fails it.
 */
function targets(
  rounds: readonly OursResult[],
  peer: PeerSection,
  service: ServiceSection,
  history: HistorySection,
  logSeal: LogSealSection,
  provisioning: ProvisioningSection,
) {
  const ours = medianBy(rounds, (r) => r.write.eventsPerSec);
  const eps = ours.write.eventsPerSec;
  const p99 = median(rounds.map((r) => r.write.latency.p99Ms));
  const emmett = 'emmett' in peer ? peer.emmett.write.eventsPerSec : null;
  const raw = 'rawSingle' in peer ? peer.rawSingle.write.eventsPerSec : null;
  const peerNote = 'skipped' in peer ? `peer skipped: ${peer.skipped}` : 'error' in peer ? `peer failed: ${peer.error}` : undefined;
  const sum = (f: (r: OursResult) => unknown) => rounds.reduce<number>((x, r) => x + Math.abs(Number(f(r) ?? 0)), 0);
  const missedOrDuplicated = {
    readAllMissing: sum((r) => r.readAllGlobal.missing),
    readAllDuplicates: sum((r) => r.readAllGlobal.duplicates),
    liveMissed: sum((r) => r.projection.live.missedEvents),
    liveDuplicates: sum((r) => r.projection.live.duplicateEvents),
    catchUpMissed: sum((r) => r.projection.catchUp.missedEvents),
    catchUpDuplicates: sum((r) => r.projection.catchUp.duplicateEvents),
    // Not missed or doubled, but as wrong: events the log does not have, and a stream's events applied out of order.
    liveUnknown: sum((r) => r.projection.live.unknownEvents),
    liveStreamsOutOfOrder: sum((r) => r.projection.live.streamsOutOfOrder),
    catchUpUnknown: sum((r) => r.projection.catchUp.unknownEvents),
    catchUpStreamsOutOfOrder: sum((r) => r.projection.catchUp.streamsOutOfOrder),
    bareMissed: sum((r) => r.bareSubscriptions.reduce((x, b) => x + Math.abs(b.missed), 0)),
    bareDuplicates: sum((r) => r.bareSubscriptions.reduce((x, b) => x + b.duplicates, 0)),
    bareOutOfOrderOrForeign: sum((r) => r.bareSubscriptions.reduce((x, b) => x + b.outOfOrder + b.foreign, 0)),
  };
  const totalBad = Object.values(missedOrDuplicated).reduce<number>((x, y) => x + Math.abs(Number(y)), 0);
  const durable = rounds.every((r) => r.settings.synchronous_commit === 'on' && r.settings.fsync === 'on');
  return {
    appendsVsEmmett: {
      description: 'our append events/s (median of the rounds) >= 2 x Emmett events/s (same run, same server)',
      target: emmett === null ? null : 2 * emmett,
      measured: eps,
      ratio: emmett ? round(eps / emmett, 2) : null,
      met: emmett !== null && eps >= 2 * emmett,
      ...(peerNote ? { note: peerNote } : {}),
    },
    appendsVsRawSingle: {
      description: 'our append events/s >= raw single-INSERT events/s (medians of the rounds, taken in turn; same run, same server)',
      target: raw,
      measured: eps,
      ratio: raw ? round(eps / raw, 2) : null,
      met: raw !== null && eps >= raw,
      ...(peerNote ? { note: peerNote } : {}),
    },
    appendP99: {
      description: 'our append latency p99 < 15 ms (median of the rounds)',
      target: 15,
      measured: p99,
      met: p99 < 15,
    },
    projectionCatchUp: {
      description: 'projection catch-up >= 10,000 events/s (the median round)',
      target: 10_000,
      measured: ours.projection.eventsPerSec,
      met: ours.projection.eventsPerSec >= 10_000,
    },
    noMissedOrDuplicated: {
      description: 'zero missed, duplicated, unknown or reordered events (readAll, live and catch-up projections)',
      target: 0,
      measured: totalBad,
      detail: missedOrDuplicated,
      met: totalBad === 0 && rounds.every((r) => r.projection.live.missedEvents !== undefined),
    },
    durability: {
      description: 'synchronous_commit=on and fsync=on (never weakened)',
      target: 'synchronous_commit=on, fsync=on',
      measured: `synchronous_commit=${ours.settings.synchronous_commit}, fsync=${ours.settings.fsync}`,
      met: durable,
    },
    ...serviceTargets(service),
    ...historyTargets(history),
    ...logSealTargets(logSeal),
    ...provisioningTargets(provisioning),
  };
}

/** The provisioning targets next to the others (a failed run misses them all; a skipped one has none). */
function provisioningTargets(provisioning: ProvisioningSection) {
  if ('skipped' in provisioning) return {};
  if ('error' in provisioning) {
    const failed = { measured: null, met: false, note: `provisioning failed: ${provisioning.error}` };
    return { provisioningRate: failed, provisioningNoErrors: failed, provisioningRetriesAppendNothing: failed };
  }
  return provisioning.targets;
}

/** The sealing cost next to the others (a failed run misses it; a skipped one has none). */
function logSealTargets(logSeal: LogSealSection) {
  if ('skipped' in logSeal) return {};
  if ('error' in logSeal) return { sealingCost: { measured: null, met: false, note: `log seal bench failed: ${logSeal.error}` } };
  return { sealingCost: logSeal.targets.sealingCost };
}

/** The history target next to the others (a failed history run misses it; a skipped one has none). */
function historyTargets(history: HistorySection) {
  if ('skipped' in history) return {};
  if ('error' in history) return { historyPageP99: { measured: null, met: false, note: `history failed: ${history.error}` } };
  return { historyPageP99: history.targets.historyPageP99 };
}

/** The service's targets next to the others (a failed service run misses them all; a skipped one has none). */
function serviceTargets(service: ServiceSection) {
  if ('skipped' in service) return {};
  if ('error' in service) {
    const failed = { measured: null, met: false, note: `service failed: ${service.error}` };
    return { serviceMutationP99: failed, serviceQueryP99: failed, serviceNoErrors: failed };
  }
  return {
    serviceMutationP99: service.targets.mutationP99,
    serviceQueryP99: service.targets.queryP99,
    serviceNoErrors: service.targets.noErrors,
  };
}

// ---------- driver ----------
async function main(): Promise<Record<string, unknown>> {
  const startedAt = new Date().toISOString();
  // Other work on the machine shows up in the figures; the load average at the start says how much there was.
  const loadAverageAtStart = loadavg().map((x) => round(x, 2));
  const server = await resolveServer(flags.pg);
  log(`server: ${redact(server.url)} (${server.source})`);
  // Our store and the raw single INSERTs in turn, round by round, each on fresh databases; Emmett once, after.
  const peerScript = await preparePeer();
  const oursRounds: OursResult[] = [];
  const rawRounds: PeerTargetResult[] = [];
  const databases: string[] = [];
  const peerRuns: PeerRun[] = [];
  let peerError: string | undefined;
  for (let round = 1; round <= ROUNDS; round++) {
    log(`round ${round} of ${ROUNDS}`);
    const { name: database, drop: dropDatabase } = await createBenchDatabase(server, 'governance_bench');
    databases.push(database);
    oursRounds.push(await benchOurs(server, database));
    // Our database goes before the peer runs, so it does not compete with the peer's.
    await cleanUpDownTo(dropDatabase);
    if ('script' in peerScript && !peerError) {
      try {
        const run = await runPeer(server, peerScript.script, ['raw-single']);
        peerRuns.push(run);
        rawRounds.push(run.results['raw-single']!);
      } catch (error) {
        peerError = (error as Error).message;
        log(`peer failed: ${peerError}`);
      }
    }
  }
  let peer: PeerSection;
  if (!('script' in peerScript)) peer = peerScript;
  else if (peerError) peer = { error: peerError };
  else {
    try {
      const run = await runPeer(server, peerScript.script, ['emmett']);
      peerRuns.push(run);
      peer = {
        emmett: run.results.emmett!,
        rawSingle: medianBy(rawRounds, (r) => r.write.eventsPerSec),
        rawSingleRounds: rawRounds.map((r, i) => summary(i + 1, r.write)),
        params: run.params,
        env: run.env,
        commands: peerRuns.map((r) => r.command),
      };
    } catch (error) {
      log(`peer failed: ${(error as Error).message}`);
      peer = { error: (error as Error).message };
    }
  }
  // The service last, on its own database, with the others gone.
  const service: ServiceSection = SERVICE_OPTIONS ? await benchService(server, SERVICE_OPTIONS) : { skipped: '--skip-service' };
  const history: HistorySection = HISTORY_OPTIONS ? await benchHistory(server, HISTORY_OPTIONS) : { skipped: '--skip-history' };
  const logSeal: LogSealSection = LOG_SEAL_OPTIONS ? await benchLogSeal(server, LOG_SEAL_OPTIONS) : { skipped: '--skip-seal' };
  const provisioning: ProvisioningSection = PROVISIONING_OPTIONS
    ? await benchProvisioning(server, PROVISIONING_OPTIONS)
    : { skipped: '--skip-provisioning' };

  const sample = Array.from({ length: 50 }, (_, i) => JSON.stringify(makeEvent(i * 7919, 1 + (i % E)).data).length);
  const ours = medianBy(oursRounds, (r) => r.write.eventsPerSec);
  const { settings, adapter, ...figures } = ours;
  return {
    startedAt,
    finishedAt: new Date().toISOString(),
    params: {
      streams: S,
      events: E,
      concurrency: C,
      totalEvents: TOTAL,
      readPageSize: PAGE,
      avgPayloadBytes: Math.round(sample.reduce((x, y) => x + y, 0) / sample.length),
      liveProjectionDuringWrites: flags['live-projection'],
      rounds: ROUNDS,
    },
    server: { source: server.source, url: redact(server.url), databases },
    env: {
      node: process.version,
      cpus: availableParallelism(),
      loadAverageAtStart,
      server: settings,
      adapterOptions: adapter,
      projection: { readModelPoolSize: 4, batchSize: adapter.subscriptionBatchSize },
    },
    // The figures of the round whose append rate is the median; every round's in `rounds`.
    ...figures,
    rounds: {
      count: ROUNDS,
      medianRound: oursRounds.indexOf(ours) + 1,
      ours: oursRounds.map((r, i) => ({
        ...summary(i + 1, r.write),
        liveMissed: r.projection.live.missedEvents ?? null,
        liveDuplicates: r.projection.live.duplicateEvents ?? null,
        catchUpEventsPerSec: r.projection.eventsPerSec,
        serverCpuUsPerEvent: r.write.serverCpuUsPerEvent,
        logReadsPerSec: r.write.logReadsPerSec,
      })),
      rawSingle: 'rawSingleRounds' in peer ? peer.rawSingleRounds : [],
    },
    peer,
    service,
    history,
    logSeal,
    provisioning,
    targets: targets(oursRounds, peer, service, history, logSeal, provisioning),
  };
}

await reportAndExit(async () => {
  const result = await main();
  return { output: result, targets: result.targets as Record<string, { met: boolean }> };
});
