/**
 * Scale benchmark: a log of --scale-events governance events (default 1,000,000) in the PostgreSQL event store, then
 * what that size costs: the seeding rate, the log's size on disk (per million events), the time to rebuild every
 * projection of the service from the start, the read models' size, and history pages on that log. One JSON object on
 * stdout.
 *
 *   node --experimental-transform-types --conditions=source --no-warnings bench/scale.bench.ts
 *   … bench/scale.bench.ts --scale-events 1000000 --scale-keep-db      (seeds, measures, keeps the database)
 *   … bench/scale.bench.ts --scale-events 1000000 --scale-reuse-db <name>   (seeds nothing: rebuild and history only)
 *
 * The log: the simulated year of bench/insights.bench.ts (the plan of planYear and planActivity, streamed by planLog
 * and appended by its `load` through GovernanceEventStore with the metadata the API writes, so encrypted, chained and
 * batched as the service stores it), planned at the rate that gives about --scale-events events: members joining and
 * leaving, groups and owners, moderation cases with flags, claims, decisions and appeals, training enrolments and
 * completions, certifications (awards, renewals, expiries), ambassadors, agreement versions and acceptances, consents
 * and erasures, KPI targets, and --scale-activity-groups groups' weekly activity snapshots (default 2,000). At a
 * million events that is a year of a community of some 90,000 members. The plan is not held: planLog counts the year
 * once (the rate calibrated on a small plan), then plans it again a day at a time as the seeding reads it, so memory
 * stays at a day's commands plus the simulation's state (see bench/planner.bench.ts for its time and heap).
 * params.events is the count stored; plannedEvents the plan's (they agree when the seeding completed).
 *
 * The rebuild: the service's projections (SERVICE_PARTS.projections of src/bootstrap.ts, the projections of every
 * module) on a database whose read models are empty, fed by a ProjectionRunner as the service builds it
 * (createEventSourcing: the same pool size, deserialisation through GovernanceEventStore), timed from start() until
 * every projection's checkpoint reaches the log's head; each projection's own time too (they run concurrently, so
 * each is its time to the head while sharing the machine with the others). The service's modules are Nest modules
 * (decorators, which Node's type stripping does not run), so they are built as bench/service.bench.ts builds the
 * service (tsc into a temporary directory) and imported from there; the runner and the store come from the same
 * build. A reused database has its projections' state dropped first, so every rebuild starts from empty read models.
 * Every --scale-progress-seconds (60; 0: never) a line on stderr says where each projection not yet at the head is
 * and its rate since the last line, so that a rebuild stopped before its end still tells how far each got.
 *
 * History: pages of 100 through PostgresEventStore.readHistory (the query behind governanceHistory) on this log,
 * newest first, with the filters the audit offers (none, a category, an event type, an actor, a stream, a
 * correlation id), values and cursors drawn from the log; p50/p99/max of --scale-history-queries queries per case.
 * bench/history.bench.ts measures more cases (time windows, the log index) on a log it loads by SQL.
 *
 * A kept database records its flags; reusing it with others is refused. Drop it when done:
 * `dropdb -h 127.0.0.1 -U postgres --force <name>`.
 */
import { randomBytes } from 'node:crypto';
import { availableParallelism, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { symlink } from 'node:fs/promises';
import {
  EventSchemaRegistry,
  GovernanceEventStore,
  parsePosition,
  PostgresKeyStore,
  type LogPosition,
  type ReadHistoryOptions,
} from '#event-store';
import { ProjectionRunner } from '#projections';
import { PostgresEventStore } from '../libs/event-store/src/postgres/index.ts';
import type * as Bootstrap from '../src/bootstrap.ts';
import {
  failure,
  stopped,
  addCleanup,
  cpuReferenceMicroseconds,
  databaseUrl,
  installSignalHandlers,
  log,
  now,
  redact,
  reportAndExit,
  resolveServer,
  round,
  stats,
  type Server,
  wholeNumberFlag,
  withClient,
} from './bench-server.ts';
import { load, planLog } from './insights.bench.ts';
import { buildService } from './service.bench.ts';

export const SCALE_FLAGS = {
  'scale-events': { type: 'string', default: '1000000' },
  'scale-activity-groups': { type: 'string', default: '2000' },
  'scale-seed': { type: 'string', default: '42' },
  'scale-history-queries': { type: 'string', default: '50' },
  'scale-progress-seconds': { type: 'string', default: '60' },
  'scale-keep-db': { type: 'boolean', default: false },
  'scale-reuse-db': { type: 'string' },
} as const;

export interface ScaleBenchOptions {
  readonly events: number;
  readonly activityGroups: number;
  readonly seed: number;
  readonly historyQueries: number;
  /** How often the rebuild logs where each projection is (0: never). */
  readonly progressSeconds: number;
  readonly keepDb: boolean;
  readonly reuseDb: string | undefined;
}

type ScaleFlagValues = { [K in keyof typeof SCALE_FLAGS]?: string | boolean | undefined };

export function scaleOptionsFrom(flags: ScaleFlagValues): ScaleBenchOptions {
  const int = (
    name: 'scale-events' | 'scale-activity-groups' | 'scale-seed' | 'scale-history-queries' | 'scale-progress-seconds',
    min: number,
  ) => wholeNumberFlag(name, flags[name] ?? SCALE_FLAGS[name].default, min);
  const reuse = flags['scale-reuse-db'];
  // Interpolated into SQL: a plain identifier only.
  if (reuse !== undefined && (typeof reuse !== 'string' || !/^scale_bench_[a-f0-9]+$/.test(reuse)))
    throw new Error('--scale-reuse-db must name a database kept by --scale-keep-db');
  return {
    events: int('scale-events', 10_000),
    activityGroups: int('scale-activity-groups', 0),
    seed: int('scale-seed', 0),
    historyQueries: int('scale-history-queries', 1),
    progressSeconds: int('scale-progress-seconds', 0),
    keepDb: flags['scale-keep-db'] === true,
    reuseDb: reuse,
  };
}

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const PAGE = 100;
const WEEKS = 53;
const LOADED_TABLE = 'scale_bench_loaded';
const REBUILD_TIMEOUT_MS = 6 * 3_600_000;
const load1m = () => round(loadavg()[0]!, 2);
const mb = (bytes: number) => round(bytes / 2 ** 20, 1);

/**
 * SERVICE_PARTS from a tsc build of the service in a temporary directory (dist/ is left alone). This process runs with
 * --conditions=source, so the build's `#event-store`, `#projections`... resolve to ./libs/…/*.ts of its directory: a
 * link to the repository's libs makes them the very modules this file imports (one runner, one store, one registry).
 */
async function importServiceParts(): Promise<{ parts: (typeof Bootstrap)['SERVICE_PARTS']; buildMs: number }> {
  const build = await buildService();
  await symlink(join(REPO_ROOT, 'libs'), join(build.dir, 'libs'), 'dir');
  await import('reflect-metadata');
  const bootstrap = (await import(pathToFileURL(join(build.dir, 'dist', 'src', 'bootstrap.js')).href)) as typeof Bootstrap;
  return { parts: bootstrap.SERVICE_PARTS, buildMs: build.ms };
}

// ---------------------------------------------------------------- the database

interface ScaleDatabase {
  readonly name: string;
  readonly url: string;
  readonly reused: boolean;
  readonly markLoaded: () => Promise<void>;
}

function loadFlags(options: ScaleBenchOptions) {
  return { events: options.events, seed: options.seed, activityGroups: options.activityGroups };
}

async function openDatabase(server: Server, options: ScaleBenchOptions): Promise<ScaleDatabase> {
  const admin = databaseUrl(server.url, 'postgres');
  const wanted = loadFlags(options);
  if (options.reuseDb) {
    const url = databaseUrl(server.url, options.reuseDb);
    const recorded = await withClient(
      url,
      async (c) => (await c.query<{ flags: Record<string, unknown> }>(`SELECT flags FROM ${LOADED_TABLE}`)).rows[0]?.flags,
    );
    // jsonb keeps its own key order: compared flag by flag.
    if ((Object.keys(wanted) as (keyof typeof wanted)[]).some((key) => recorded?.[key] !== wanted[key]))
      throw new Error(`--scale-reuse-db ${options.reuseDb} was loaded with ${JSON.stringify(recorded)}, not ${JSON.stringify(wanted)}`);
    return { name: options.reuseDb, url, reused: true, markLoaded: () => Promise.resolve() };
  }
  const name = `scale_bench_${randomBytes(6).toString('hex')}`;
  const url = databaseUrl(server.url, name);
  await withClient(admin, (c) => c.query(`CREATE DATABASE ${name}`));
  let kept = false;
  // Without --scale-keep-db, or when the load did not finish, the database goes at the end.
  addCleanup(() => (kept ? Promise.resolve() : withClient(admin, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`))));
  return {
    name,
    url,
    reused: false,
    markLoaded: async () => {
      if (!options.keepDb) return;
      await withClient(url, async (c) => {
        await c.query(`CREATE TABLE ${LOADED_TABLE} (flags jsonb NOT NULL)`);
        await c.query(`INSERT INTO ${LOADED_TABLE} (flags) VALUES ($1)`, [JSON.stringify(wanted)]);
      });
      kept = true;
      log(`scale: database kept: ${name} (reuse it with --scale-reuse-db ${name})`);
    },
  };
}

/**
 * Every `seconds`, a line with where each projection not yet at the head is, and its rate since the last line: a
 * rebuild stopped before its end (10 M events took longer than a session) still says how far each got and how fast.
 * Where is the checkpoint's log position's second part, the log's identity column, which numbers the events of a
 * seeded log from 1: cheap to read, unlike counting what is left.
 */
function rebuildProgress(pool: pg.Pool, head: LogPosition, started: number, seconds: number, done: Record<string, number>) {
  if (seconds === 0) return { stop: () => undefined };
  const previous = new Map<string, number>();
  let previousAt = started;
  const millions = (n: number) => `${round(n / 1e6, 2)} M`;
  const timer = setInterval(() => {
    void pool
      .query<{ name: string; checkpoint: string | null }>(`SELECT name, checkpoint FROM projection_generations WHERE status = 'active'`)
      .then(({ rows }) => {
        const at = now();
        const parts = rows
          .filter((row) => done[row.name] === undefined)
          .map((row) => {
            const position = row.checkpoint ? Number(parsePosition(row.checkpoint).prepare) : 0;
            const rate = (position - (previous.get(row.name) ?? 0)) / ((at - previousAt) / 1000);
            previous.set(row.name, position);
            return `${row.name} ${millions(position)} (${Math.round(rate)}/s)`;
          });
        previousAt = at;
        log(
          `scale: rebuild ${round((at - started) / 60_000, 1)} min of ${millions(Number(head.prepare))}: ${parts.join(', ') || 'none left'}; ` +
            `at the head: ${Object.keys(done).join(', ') || 'none yet'}`,
        );
      })
      .catch(() => undefined);
  }, seconds * 1000);
  return { stop: () => clearInterval(timer) };
}

/** A reused database held the read models of the last run: dropped, so the rebuild starts from empty ones. */
async function dropProjectionState(url: string): Promise<void> {
  await withClient(url, async (c) => {
    const { rows } = await c.query<{ name: string }>(
      `SELECT nspname AS name FROM pg_namespace WHERE nspname LIKE 'proj\\_%' OR nspname = 'read_models'`,
    );
    for (const { name } of rows) await c.query(`DROP SCHEMA "${name}" CASCADE`);
    await c.query('DROP TABLE IF EXISTS projection_generations, projection_rebuild_requests, projection_event_log CASCADE');
    await c.query(`DELETE FROM schema_migrations WHERE component = 'projections'`);
  });
}

// ---------------------------------------------------------------- sizes

async function logSize(pool: pg.Pool) {
  const { rows } = await pool.query<{ name: string; table: string; indexes: string; total: string }>(
    `SELECT c.relname AS name, pg_table_size(c.oid)::text AS table, pg_indexes_size(c.oid)::text AS indexes,
            pg_total_relation_size(c.oid)::text AS total
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relkind = 'r' AND (c.relname LIKE 'es\\_%' OR c.relname = 'pd_subject_keys')
      ORDER BY 1`,
  );
  const tables = Object.fromEntries(
    rows.map((r) => [r.name, { tableBytes: Number(r.table), indexBytes: Number(r.indexes), totalBytes: Number(r.total) }]),
  );
  const { rows: indexes } = await pool.query<{ name: string; bytes: string }>(
    `SELECT c.relname AS name, pg_relation_size(c.oid)::text AS bytes FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
      WHERE i.indrelid = 'es_events'::regclass ORDER BY 1`,
  );
  // The log: the event tables and their indexes (TOAST included); the subjects' keys are reported beside it.
  const logBytes = rows.filter((r) => r.name.startsWith('es_')).reduce((sum, r) => sum + Number(r.total), 0);
  return { logBytes, tables, esEventsIndexes: Object.fromEntries(indexes.map((r) => [r.name, Number(r.bytes)])) };
}

async function readModelSize(pool: pg.Pool) {
  const { rows } = await pool.query<{ schema: string; bytes: string; rows: string }>(
    `SELECT n.nspname AS schema, sum(pg_total_relation_size(c.oid))::text AS bytes, sum(greatest(c.reltuples, 0))::bigint::text AS rows
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname LIKE 'proj\\_%' AND c.relkind IN ('r', 'm')
      GROUP BY 1 ORDER BY 2 DESC`,
  );
  return {
    totalBytes: rows.reduce((sum, r) => sum + Number(r.bytes), 0),
    bySchema: Object.fromEntries(rows.map((r) => [r.schema, { bytes: Number(r.bytes), estimatedRows: Number(r.rows) }])),
  };
}

// ---------------------------------------------------------------- history pages

async function measureHistory(store: PostgresEventStore, pool: pg.Pool, queries: number) {
  const count = queries + 5;
  // Values drawn from the log: rows at random positions give cursors, actors, streams and correlation ids.
  const { rows } = await pool.query<{ p: string; t: string; stream: string; actor: string; correlation: string }>(
    `SELECT global_position::text AS p, transaction_id::text AS t, stream_id AS stream, metadata ->> 'actorId' AS actor,
            metadata ->> 'correlationId' AS correlation
       FROM es_events WHERE global_position IN (
         SELECT (random() * (SELECT max(global_position) FROM es_events))::bigint FROM generate_series(1, $1 * 3))
      LIMIT $1`,
    [count],
  );
  const at = (i: number) => rows[i % rows.length]!;
  const cursor = (i: number) => ({ commit: BigInt(at(i).t), prepare: BigInt(at(i).p) });
  const backwards = (filter: ReadHistoryOptions['filter'] | undefined, i?: number): ReadHistoryOptions => ({
    direction: 'backwards',
    maxCount: PAGE,
    ...(filter ? { filter } : {}),
    ...(i === undefined ? {} : { after: cursor(i) }),
  });
  const cases: Record<string, (i: number) => ReadHistoryOptions> = {
    unfilteredFromCursor: (i) => backwards(undefined, i),
    categoryFromCursor: (i) => backwards({ categories: ['moderation_case'] }, i),
    eventTypeFromCursor: (i) => backwards({ eventTypes: ['ModerationCaseDecided'] }, i),
    actorFirstPage: (i) => backwards({ actorId: at(i).actor }),
    actorFromCursor: (i) => backwards({ actorId: at(i).actor }, i),
    stream: (i) => backwards({ streamId: at(i).stream }),
    correlation: (i) => backwards({ correlationId: at(i).correlation }),
  };
  const byCase: Record<string, { rowsPerPage: number } & ReturnType<typeof stats>> = {};
  for (const [name, options] of Object.entries(cases)) {
    for (let i = 0; i < 5; i++) await store.readHistory(options(queries + i));
    const latencies: number[] = [];
    let rowsRead = 0;
    for (let i = 0; i < queries; i++) {
      const started = now();
      const page = await store.readHistory(options(i));
      latencies.push(now() - started);
      rowsRead += page.events.length;
    }
    byCase[name] = { rowsPerPage: round(rowsRead / queries, 1), ...stats(latencies) };
    log(`scale: history ${name} p50 ${byCase[name].p50Ms} ms, p99 ${byCase[name].p99Ms} ms`);
  }
  const worst = Object.entries(byCase).reduce((a, b) => (b[1].p99Ms > a[1].p99Ms ? b : a));
  return {
    pageSize: PAGE,
    queriesPerCase: queries,
    cases: byCase,
    worstP99: { case: worst[0], ms: worst[1].p99Ms },
    loadAverage1m: load1m(),
  };
}

// ---------------------------------------------------------------- the run

export type ScaleSection = { error: string } | Awaited<ReturnType<typeof measureScale>>;

export async function benchScale(server: Server, options: ScaleBenchOptions): Promise<ScaleSection> {
  try {
    return await measureScale(server, options);
  } catch (error) {
    log(failure('scale', error));
    return { error: (error as Error).message };
  }
}

async function measureScale(server: Server, options: ScaleBenchOptions) {
  // How fast the machine's CPU is, before the seeding and the rebuild load it.
  const cpuReferenceUs = cpuReferenceMicroseconds();
  const built = await importServiceParts();
  log(`scale: service built in ${built.buildMs} ms`);
  const SERVICE_PARTS = built.parts;

  // The activity snapshots are about one per group and week; the year is planned to make up the rest.
  const activityEstimate = options.activityGroups * WEEKS;
  const planned = now();
  // Counted here; the commands themselves are planned again, a day at a time, as the seeding reads them.
  const plan = planLog({
    events: Math.max(10_000, options.events - activityEstimate),
    seed: options.seed,
    activityGroups: options.activityGroups,
  });
  const totalEvents = plan.events;
  const planMs = now() - planned;
  log(
    `scale: planned ${totalEvents} events in ${plan.commands} commands at rate ${round(plan.rate, 3)} ` +
      `(year cut at ${plan.yearCutAt ?? 'its end'}; counted in ${round(planMs / 1000, 1)} s)`,
  );

  const database = await openDatabase(server, options);
  const pool = new pg.Pool({ connectionString: database.url, max: SERVICE_PARTS.projections.length + 10 });
  addCleanup(() => pool.end());
  const keys = new PostgresKeyStore(pool);
  await keys.ensureSchema();
  const schemas = new EventSchemaRegistry();
  for (const schema of SERVICE_PARTS.schemas) schemas.register(schema);

  let seeding: Record<string, unknown>;
  if (database.reused) {
    log(`scale: reusing ${database.name} (${totalEvents} events, not seeded again)`);
    await dropProjectionState(database.url);
    seeding = { reusedDatabase: database.name };
  } else {
    // As the insights benchmark loads: 128 streams in flight, appends batched into shared commits.
    const writer = await PostgresEventStore.create({ connectionString: database.url, poolSize: 12, maxAppendsInFlight: 4 });
    const loadAtStart = load1m();
    const loaded = await load(new GovernanceEventStore({ store: writer, schemas, keys }), plan.stream(), plan.commands);
    await writer.close();
    const vacuumStarted = now();
    await pool.query('VACUUM ANALYZE es_events');
    await pool.query('VACUUM ANALYZE es_streams');
    const vacuumMs = now() - vacuumStarted;
    log(`scale: seeded ${totalEvents} events in ${round(loaded.ms / 1000, 1)} s`);
    await database.markLoaded();
    seeding = {
      ms: Math.round(loaded.ms),
      eventsPerSec: Math.round(totalEvents / (loaded.ms / 1000)),
      streams: loaded.streams,
      vacuumAnalyzeMs: Math.round(vacuumMs),
      // The counting pass; the second pass runs inside ms, interleaved with the appends.
      planMs: Math.round(planMs),
      loadAverage1m: { atStart: loadAtStart, atEnd: load1m() },
      ...(options.keepDb ? { keptDatabase: database.name } : {}),
    };
  }
  // The stored log's events by type (a reused database's too, which this run did not seed).
  const { rows: byType } = await pool.query<{ type: string; n: string }>(
    'SELECT event_type AS type, count(*)::text AS n FROM es_events GROUP BY 1 ORDER BY count(*) DESC, 1',
  );
  const storedEvents = byType.reduce((sum, row) => sum + Number(row.n), 0);
  const size = await logSize(pool);

  // The rebuild: the service's runner, as createEventSourcing builds it, on empty read models.
  const store = await PostgresEventStore.create({ connectionString: database.url });
  addCleanup(() => store.close());
  const events = new GovernanceEventStore({ store, schemas, keys });
  const runner = await ProjectionRunner.create({
    store,
    pool,
    projections: SERVICE_PARTS.projections,
    deserialize: (event) => events.deserialize(event),
    log: ({ level, message, projection }) => {
      if (level !== 'info' && !stopped()) log(`scale: runner ${level} (${projection}): ${message}`);
    },
    eventLogIdentity: 'postgres',
  });
  await runner.initialise();
  const head = await store.headPosition();
  const rebuildLoadAtStart = load1m();
  const cpuAtStart = process.cpuUsage();
  const started = now();
  runner.start();
  const perProjection: Record<string, number> = {};
  const progress = rebuildProgress(pool, head, started, options.progressSeconds, perProjection);
  try {
    await Promise.all(
      runner.projectionNames.map(async (name) => {
        await runner.waitForPosition(head, [name], REBUILD_TIMEOUT_MS);
        perProjection[name] = Math.round(now() - started);
      }),
    );
  } finally {
    progress.stop();
    await runner.stop();
  }
  const rebuildMs = now() - started;
  const cpu = process.cpuUsage(cpuAtStart);
  const failures = await runner.failures();
  log(`scale: rebuilt ${runner.projectionNames.length} projections from ${storedEvents} events in ${round(rebuildMs / 1000, 1)} s`);
  // Statistics for the row estimates (as autovacuum would gather them); the sizes do not depend on it.
  await pool.query('ANALYZE');
  const readModels = await readModelSize(pool);

  const history = await measureHistory(store, pool, options.historyQueries);
  const perMillion = (bytes: number) => Math.round(bytes / (storedEvents / 1e6));
  return {
    params: {
      events: storedEvents,
      plannedEvents: totalEvents,
      activityGroups: options.activityGroups,
      activityEvents: plan.activity?.events ?? 0,
      rate: plan.rate,
      yearCutAt: plan.yearCutAt,
      seed: options.seed,
      eventTypes: Object.fromEntries(byType.map((row) => [row.type, Number(row.n)])),
    },
    machine: { cpus: availableParallelism(), cpuReferenceUs, serviceBuildMs: built.buildMs },
    seeding,
    log: {
      bytes: size.logBytes,
      mb: mb(size.logBytes),
      bytesPerEvent: round(size.logBytes / storedEvents, 0),
      mbPerMillionEvents: mb(perMillion(size.logBytes)),
      tables: size.tables,
      esEventsIndexes: size.esEventsIndexes,
    },
    rebuild: {
      projections: runner.projectionNames.length,
      ms: Math.round(rebuildMs),
      eventsPerSec: Math.round(storedEvents / (rebuildMs / 1000)),
      // Concurrent: each is that projection's time to the head while the others ran beside it.
      perProjectionMs: Object.fromEntries(Object.entries(perProjection).sort((a, b) => b[1] - a[1])),
      processCpuMs: Math.round((cpu.user + cpu.system) / 1000),
      failures,
      loadAverage1m: { atStart: rebuildLoadAtStart, atEnd: load1m() },
    },
    readModels: { ...readModels, mb: mb(readModels.totalBytes), mbPerMillionEvents: mb(perMillion(readModels.totalBytes)) },
    history,
  };
}

// ---------- alone ----------
if (import.meta.main) {
  installSignalHandlers();
  const { values } = parseArgs({ options: { pg: { type: 'string' }, ...SCALE_FLAGS } });
  const options = scaleOptionsFrom(values);
  await reportAndExit(async () => {
    const startedAt = new Date().toISOString();
    const server = await resolveServer(values.pg);
    log(`server: ${redact(server.url)} (${server.source})`);
    const scale = await benchScale(server, options);
    return {
      output: { startedAt, finishedAt: new Date().toISOString(), server: { source: server.source, url: redact(server.url) }, scale },
      failed: 'error' in scale,
    };
  });
}
