/**
 * History benchmark: how long the audit's governanceHistory takes for a page of 100 events with a filter, on a log
 * of N events (PostgresEventStore.readHistory: the indexed query behind it, rows mapped; and once through
 * GovernanceEventStore, which also deserialises), and what the history indexes (event store migration 2) cost appends.
 *
 *   npm run -s bench                                          # part of the main benchmark, under "history"
 *   npm run -s bench -- --skip-peer --skip-service --history-events 1000000
 *   node --experimental-transform-types --conditions=source --no-warnings bench/history.bench.ts --history-events 1000000
 *   … bench/history.bench.ts --history-events 10000000 --history-keep-db         (loads, measures, keeps the database)
 *   … bench/history.bench.ts --history-events 10000000 --history-reuse-db <name> (loads nothing: the queries again)
 *   … --history-cases monthWindow,yearWindow                                     (only those cases)
 *
 * A kept database holds the loaded log and the filled log index; a reuse applies the migrations the code has gained
 * since (new indexes are built then, and timed under "load.migrationsMs"), so the queries can be measured again, before
 * and after a change, without loading 10 million events again.
 *
 * The log is loaded with set-based INSERTs into es_events (batches of 5,000 rows, one transaction each, so the
 * transaction ids vary as they do in production), not through appends: loading a million events through the
 * append path would take most of the run and is measured elsewhere. Its shape: streams of 8 events over seven
 * categories, 50 streams at a time taking turns (so creations, updates and decisions are interleaved), 25 event types, 200 actors plus a rare one (one event in 20,000, spread over the whole log),
 * a correlation id per two events, governance metadata and data of the sizes the service writes, recorded over a
 * year. Then VACUUM ANALYZE, as autovacuum would have done on a log that grew over a year.
 *
 * Each case runs `--history-queries` times (after a warm-up of 5), each time with other values (actor, cursor,
 * window), and reports p50/p99/max. The target, < 50 ms for a page of 100 on a million events, is checked on every
 * case's p99 at whatever size was loaded (the result says which).
 *
 * The log index (the read model history is served from on EventStoreDB): filled from that log by the projection
 * runner, then the same cases through its query (under "logIndex", target logIndexHistoryPageP99).
 *
 * The append cost: the same append workload (appendToStream, 8 writers, single events) on fresh databases with the
 * history indexes, without the time index alone and without any of them, in alternating rounds of the same run.
 */
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import pg from 'pg';
import {
  EventSchemaRegistry,
  GovernanceEventStore,
  PostgresKeyStore,
  type HistoryFilter,
  type LogPosition,
  type ReadHistoryOptions,
} from '#event-store';
import { PostgresEventStore } from '../libs/event-store/src/postgres/index.ts';
import { LOG_INDEX_PROJECTION, LogIndex, LogIndexedEventStore, logIndexProjection, ProjectionRunner } from '#projections';
import {
  failure,
  addCleanup,
  cleanUpDownTo,
  createBenchDatabase,
  installSignalHandlers,
  log,
  now,
  redact,
  reportAndExit,
  resolveServer,
  round,
  stats,
  withClient,
  databaseUrl,
  type BenchDatabase,
  type Server,
  wholeNumberFlag,
} from './bench-server.ts';

export const HISTORY_FLAGS = {
  'skip-history': { type: 'boolean', default: false },
  'history-events': { type: 'string', default: '200000' },
  'history-queries': { type: 'string', default: '100' },
  'history-append-events': { type: 'string', default: '10000' },
  'history-keep-db': { type: 'boolean', default: false },
  'history-reuse-db': { type: 'string' },
  'history-cases': { type: 'string' },
} as const;

export interface HistoryBenchOptions {
  readonly events: number;
  readonly queries: number;
  readonly appendEvents: number;
  readonly keepDb: boolean;
  readonly reuseDb: string | undefined;
  /** Only these cases (all when undefined). */
  readonly cases: readonly string[] | undefined;
}

type HistoryFlagValues = { [K in keyof typeof HISTORY_FLAGS]?: string | boolean | undefined };

export function historyOptionsFrom(flags: HistoryFlagValues): HistoryBenchOptions {
  const int = (name: 'history-events' | 'history-queries' | 'history-append-events', min: number) =>
    wholeNumberFlag(name, flags[name] ?? HISTORY_FLAGS[name].default, min);
  const reuse = flags['history-reuse-db'];
  // Interpolated into SQL: a plain identifier only.
  if (reuse !== undefined && (typeof reuse !== 'string' || !/^governance_bench_history_[a-f0-9]+$/.test(reuse)))
    throw new Error('--history-reuse-db must name a database kept by --history-keep-db');
  const only = flags['history-cases'];
  return {
    events: int('history-events', 20_000),
    queries: int('history-queries', 10),
    appendEvents: int('history-append-events', 0),
    keepDb: flags['history-keep-db'] === true,
    reuseDb: reuse,
    cases: typeof only === 'string' ? only.split(',').filter((name) => name !== '') : undefined,
  };
}

/** Where a kept database records what was loaded into it, so that a reuse with other flags is refused. */
const LOADED_TABLE = 'history_bench_loaded';

const PAGE = 100;
const BATCH = 5_000;
const ACTORS = 200;
const EVENTS_PER_STREAM = 8;
const RARE_EVERY = 20_000;
const YEAR_MS = 365 * 86_400_000;
const START_MS = Date.UTC(2024, 0, 1);
const CATEGORIES = ['member', 'group', 'moderation_case', 'moderator_notes', 'privacy', 'training_enrolment', 'certification'];
/** Per category: the type of revision 0, then the types later revisions cycle through (25 in all). */
const TYPES: Record<string, string[]> = {
  member: ['MemberRegistered', 'MemberUpdated', 'MemberLeft'],
  group: ['GroupCreated', 'GroupOwnerAssigned', 'GroupOwnerRemoved', 'GroupCertificationRequirementSet'],
  moderation_case: [
    'ModerationCaseOpened',
    'ContentFlagged',
    'ModerationCaseClaimed',
    'ModerationCaseDecided',
    'AppealFiled',
    'AppealDecided',
  ],
  moderator_notes: ['ModeratorNoteAdded', 'ModeratorNoteRetracted'],
  privacy: ['PrivacySettingsUpdated', 'ConsentGiven', 'ConsentWithdrawn'],
  training_enrolment: ['TrainingEnrolled', 'TrainingModuleCompleted', 'TrainingCompleted'],
  certification: ['CertificationAwarded', 'CertificationRenewed', 'CertificationSuspended', 'CertificationReinstated'],
};

/**
 * Rows i in [from, to). Streams live in blocks of INTERLEAVE streams and INTERLEAVE x EVENTS_PER_STREAM rows, taking
 * turns: row i is revision (i mod B) div INTERLEAVE of stream (i div B) x INTERLEAVE + i mod INTERLEAVE, where B is
 * the block's size. So each stream's revisions come in log order, and anywhere in the log streams at every stage
 * (creations, updates, decisions...) are interleaved, as in a real log. Stream ids, types, actors and times are
 * functions of i, so the benchmark knows what each query should find.
 */
const INTERLEAVE = 50;
const BLOCK = INTERLEAVE * EVENTS_PER_STREAM;
const LOAD_SQL = `
INSERT INTO es_events (stream_id, stream_revision, event_id, event_type, data, metadata, recorded_at)
SELECT c.category || '-s' || k.s, k.r, gen_random_uuid(),
       (c.types)[CASE WHEN k.r = 0 THEN 1 ELSE 2 + ((k.r - 1) % (cardinality(c.types) - 1)) END],
       ('{"subjectId":"m-' || k.s || '","note":"Benchmark event ' || g.i || ' of the governance history: a reason of ordinary length for an audit log.","at":"' ||
         to_char(t.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') || '"}')::json,
       ('{"actorId":"' || a.actor || '","actorRoles":["COMMUNITY_MANAGER"],"authority":"role:COMMUNITY_MANAGER","reason":null,"source":"api",' ||
         '"correlationId":"corr-' || (g.i / 2) || '","causationId":null,"commandId":null,"occurredAt":"' ||
         to_char(t.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') || '","schemaVersion":1,"hash":"' || md5(g.i::text) || md5((g.i + 1)::text) || '"}')::json,
       t.at
  FROM generate_series($1::bigint, $2::bigint - 1) AS g(i)
  CROSS JOIN LATERAL (SELECT (g.i / ${BLOCK}) * ${INTERLEAVE} + g.i % ${INTERLEAVE} AS s, (g.i % ${BLOCK}) / ${INTERLEAVE} AS r) AS k
  CROSS JOIN LATERAL (SELECT ($3::text[])[1 + k.s % cardinality($3::text[])] AS category,
                             string_to_array(($4::text[])[1 + k.s % cardinality($3::text[])], ',') AS types) AS c
  CROSS JOIN LATERAL (SELECT CASE WHEN g.i % ${RARE_EVERY} = 7 THEN 'actor-rare' ELSE 'actor-' || ((g.i * 2654435761) % ${ACTORS}) END AS actor) AS a
  CROSS JOIN LATERAL (SELECT to_timestamp(($5::bigint + g.i * $6::float8) / 1000.0) AS at) AS t`;

/** The stream id of stream number s, as LOAD_SQL names it. */
function streamOf(s: number): string {
  return `${CATEGORIES[s % CATEGORIES.length]}-s${s}`;
}

async function loadLog(url: string, n: number): Promise<{ ms: number; tableBytes: number; indexBytes: Record<string, number> }> {
  const started = now();
  const types = CATEGORIES.map((c) => TYPES[c]!.join(','));
  await withClient(url, async (client) => {
    for (let from = 0; from < n; from += BATCH) {
      await client.query(LOAD_SQL, [from, Math.min(n, from + BATCH), CATEGORIES, types, START_MS, YEAR_MS / n]);
      if ((from / BATCH) % 40 === 0) log(`history: loaded ${from} / ${n} events`);
    }
    await client.query(`INSERT INTO es_streams (stream_id) SELECT DISTINCT stream_id FROM es_events ON CONFLICT DO NOTHING`);
    await client.query('VACUUM ANALYZE es_events');
    await client.query('VACUUM ANALYZE es_streams');
  });
  return { ms: Math.round(now() - started), ...(await logSizes(url)) };
}

async function logSizes(url: string): Promise<{ tableBytes: number; indexBytes: Record<string, number> }> {
  return withClient(url, async (client) => {
    const { rows } = await client.query<{ name: string; bytes: string }>(
      `SELECT c.relname AS name, pg_relation_size(c.oid)::text AS bytes FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
        WHERE i.indrelid = 'es_events'::regclass ORDER BY 1`,
    );
    const {
      rows: [table],
    } = await client.query<{ bytes: string }>(`SELECT pg_table_size('es_events')::text AS bytes`);
    return { tableBytes: Number(table!.bytes), indexBytes: Object.fromEntries(rows.map((r) => [r.name, Number(r.bytes)])) };
  });
}

/** A deterministic pseudo-random sequence, so that two runs ask the same questions. */
function random(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x / 2147483648;
  };
}

interface Case {
  readonly name: string;
  readonly description: string;
  /** The i-th query of the case. */
  options(i: number): ReadHistoryOptions;
}

async function positionsAt(url: string, indexes: number[]): Promise<LogPosition[]> {
  // global_position is an identity drawn in insertion order: event i has position i + 1.
  return withClient(url, async (client) => {
    const { rows } = await client.query<{ p: string; t: string }>(
      `SELECT global_position::text AS p, transaction_id::text AS t FROM es_events WHERE global_position = ANY($1::bigint[])`,
      [indexes.map((i) => i + 1)],
    );
    const byPosition = new Map(rows.map((r) => [Number(r.p), { commit: BigInt(r.t), prepare: BigInt(r.p) }]));
    return indexes.map((i) => byPosition.get(i + 1)!);
  });
}

function cases(n: number, queries: number, cursors: LogPosition[]): Case[] {
  const rnd = random(42);
  const pick = <T>(values: readonly T[]) => values[Math.floor(rnd() * values.length)]!;
  const actors = Array.from({ length: queries + 5 }, () => `actor-${Math.floor(rnd() * ACTORS)}`);
  const correlations = Array.from({ length: queries + 5 }, () => `corr-${Math.floor(rnd() * (n / 2))}`);
  const streamsCount = Math.floor(n / BLOCK) * INTERLEAVE;
  const streams = Array.from({ length: queries + 5 }, () => streamOf(Math.floor(rnd() * streamsCount)));
  const windowStarts = Array.from({ length: queries + 5 }, () => START_MS + 23 * 86_400_000 + rnd() * (YEAR_MS - 30 * 86_400_000));
  const cursor = (i: number) => cursors[i % cursors.length]!;
  const backwards = (filter: HistoryFilter | undefined, after?: LogPosition): ReadHistoryOptions => ({
    direction: 'backwards',
    maxCount: PAGE,
    ...(filter ? { filter } : {}),
    ...(after ? { after } : {}),
  });
  const day = 86_400_000;
  return [
    { name: 'unfiltered', description: 'no filter, newest first, from a random cursor', options: (i) => backwards(undefined, cursor(i)) },
    {
      name: 'category',
      description: 'category moderation_case, newest first, from a random cursor',
      options: (i) => backwards({ categories: ['moderation_case'] }, cursor(i)),
    },
    {
      name: 'eventType',
      description: 'one event type (ModerationCaseDecided), newest first, from a random cursor',
      options: (i) => backwards({ eventTypes: ['ModerationCaseDecided'] }, cursor(i)),
    },
    {
      name: 'eventTypes3',
      description: 'three event types, newest first, first page',
      options: () => backwards({ eventTypes: ['AppealFiled', 'AppealDecided', 'CertificationSuspended'] }),
    },
    { name: 'actor', description: 'one of 200 actors, newest first, first page', options: (i) => backwards({ actorId: actors[i]! }) },
    {
      name: 'actorFromCursor',
      description: 'one of 200 actors, newest first, from a random cursor',
      options: (i) => backwards({ actorId: actors[i]! }, cursor(i)),
    },
    {
      name: 'actorOldestFirst',
      description: 'one of 200 actors, oldest first, from a random cursor',
      options: (i) => ({ direction: 'forwards', maxCount: PAGE, filter: { actorId: actors[i]! }, after: cursor(i) }),
    },
    {
      name: 'rareActor',
      description: `an actor with one event in ${RARE_EVERY}, spread over the log, newest first (the whole history fits in a page)`,
      options: () => backwards({ actorId: 'actor-rare' }),
    },
    {
      name: 'actorAndCategory',
      description: 'an actor within one category, newest first',
      options: (i) => backwards({ actorId: actors[i]!, categories: [pick(CATEGORIES)] }),
    },
    { name: 'correlation', description: 'one correlation id (2 events)', options: (i) => backwards({ correlationId: correlations[i]! }) },
    { name: 'stream', description: 'one stream (about 8 events)', options: (i) => backwards({ streamId: streams[i]! }) },
    {
      name: 'recentDay',
      description: 'the last day of the log, newest first',
      options: () => backwards({ recordedFrom: new Date(START_MS + YEAR_MS - day) }),
    },
    {
      name: 'weekWindow',
      description: 'a random week of the year, newest first',
      options: (i) => backwards({ recordedFrom: new Date(windowStarts[i]!), recordedTo: new Date(windowStarts[i]! + 7 * day) }),
    },
    {
      name: 'monthWindow',
      description: 'a random month of the year, newest first',
      options: (i) => backwards({ recordedFrom: new Date(windowStarts[i]! - 23 * day), recordedTo: new Date(windowStarts[i]! + 7 * day) }),
    },
    {
      name: 'weekWindowCategory',
      description: 'a random week of the year within one category, newest first',
      options: (i) =>
        backwards({
          categories: ['moderation_case'],
          recordedFrom: new Date(windowStarts[i]!),
          recordedTo: new Date(windowStarts[i]! + 7 * day),
        }),
    },
    {
      name: 'firstQuarterWindow',
      description: 'the first quarter of the year (a quarter of the log, at its far end), newest first',
      options: () => backwards({ recordedFrom: new Date(START_MS), recordedTo: new Date(START_MS + YEAR_MS / 4) }),
    },
    {
      name: 'monthWindowOldestFirst',
      description: 'a random month of the year, oldest first',
      options: (i) => ({
        direction: 'forwards',
        maxCount: PAGE,
        filter: { recordedFrom: new Date(windowStarts[i]! - 23 * day), recordedTo: new Date(windowStarts[i]! + 7 * day) },
      }),
    },
    {
      name: 'monthWindowFromCursor',
      description: 'a random month of the year, newest first, from a random cursor (before, within or after the month)',
      options: (i) =>
        backwards({ recordedFrom: new Date(windowStarts[i]! - 23 * day), recordedTo: new Date(windowStarts[i]! + 7 * day) }, cursor(i)),
    },
    {
      name: 'longWindow',
      description: 'the first 300 days of the year (300 days, ending two months before the end of the log), newest first',
      options: () => backwards({ recordedFrom: new Date(START_MS), recordedTo: new Date(START_MS + 300 * day) }),
    },
    {
      name: 'windowAndActor',
      description: 'a random week of the year and one actor, newest first',
      options: (i) =>
        backwards({ actorId: actors[i]!, recordedFrom: new Date(windowStarts[i]!), recordedTo: new Date(windowStarts[i]! + 7 * day) }),
    },
  ];
}

function selected(all: Case[], options: HistoryBenchOptions): Case[] {
  if (!options.cases) return all;
  if (options.cases.length === 0) throw new Error('--history-cases: name at least one case');
  const unknown = options.cases.filter((name) => !all.some((c) => c.name === name));
  if (unknown.length > 0) throw new Error(`--history-cases: no case ${unknown.join(', ')}`);
  return all.filter((c) => options.cases!.includes(c.name));
}

async function measure(
  read: (options: ReadHistoryOptions) => Promise<{ events: readonly unknown[] }>,
  testCase: Case,
  queries: number,
): Promise<{ description: string; rowsPerPage: number } & ReturnType<typeof stats>> {
  for (let i = 0; i < 5; i++) await read(testCase.options(queries + i)); // warm-up, other values than measured
  const latencies: number[] = [];
  let rows = 0;
  for (let i = 0; i < queries; i++) {
    const options = testCase.options(i);
    const started = now();
    const page = await read(options);
    latencies.push(now() - started);
    rows += page.events.length;
  }
  return { description: testCase.description, rowsPerPage: round(rows / queries, 1), ...stats(latencies) };
}

/**
 * The same appends on a database with the history indexes, without the time index alone, and without any, in
 * alternating rounds (so that other load on the machine weighs on each): what the indexes cost a writer.
 */
async function appendCost(server: Server, events: number) {
  if (events === 0) return { skipped: '--history-append-events 0' };
  // The history indexes each variant drops: none, the time index of migration 2 alone (since the day index of migration
  // 4 it only serves windows with an actor or another selective filter: what it costs for that), all of them.
  const dropped = {
    withHistoryIndexes: [],
    withoutTimeIndex: ['es_events_recorded_at'],
    withoutHistoryIndexes: [
      'es_events_actor_order',
      'es_events_correlation_order',
      'es_events_recorded_at',
      'es_events_recorded_day_order',
    ],
  } as const;
  const variants = Object.keys(dropped) as (keyof typeof dropped)[];
  const rounds: Record<(typeof variants)[number], { eventsPerSec: number; p50Ms: number; p99Ms: number }[]> = {
    withHistoryIndexes: [],
    withoutTimeIndex: [],
    withoutHistoryIndexes: [],
  };
  const writers = 8;
  for (let round = 0; round < 2; round++) {
    for (const variant of variants) {
      const database = await createBenchDatabase(server, 'governance_bench_append');
      try {
        const store = await PostgresEventStore.create({ connectionString: database.url });
        try {
          const drop = dropped[variant];
          if (drop.length > 0) await withClient(database.url, (c) => c.query(`DROP INDEX IF EXISTS ${drop.join(', ')}`));
          await Promise.all(Array.from({ length: writers }, () => store.headPosition())); // the pool's connections, opened
          const latencies: number[] = [];
          const started = now();
          await Promise.all(
            Array.from({ length: writers }, async (_, w) => {
              for (let i = w; i < events; i += writers) {
                const at = now();
                await store.appendToStream(`member-w${w}-${i % 200}`, [appendEvent(i)], 'any');
                latencies.push(now() - at);
              }
            }),
          );
          const ms = now() - started;
          const latency = stats(latencies);
          rounds[variant].push({ eventsPerSec: Math.round(events / (ms / 1000)), p50Ms: latency.p50Ms, p99Ms: latency.p99Ms });
          log(`history: appends ${variant}, round ${round + 1}: ${rounds[variant].at(-1)!.eventsPerSec} ev/s`);
        } finally {
          await store.close();
        }
      } finally {
        await cleanUpDownTo(database.drop);
      }
    }
  }
  const mean = (variant: (typeof variants)[number]) => rounds[variant].reduce((x, r) => x + r.eventsPerSec, 0) / rounds[variant].length;
  return {
    eventsPerRound: events,
    writers,
    rounds,
    meanEventsPerSec: {
      withHistoryIndexes: Math.round(mean('withHistoryIndexes')),
      withoutTimeIndex: Math.round(mean('withoutTimeIndex')),
      withoutHistoryIndexes: Math.round(mean('withoutHistoryIndexes')),
    },
    throughputRatio: round(mean('withHistoryIndexes') / mean('withoutHistoryIndexes'), 3),
    throughputRatioWithoutTimeIndex: round(mean('withoutTimeIndex') / mean('withoutHistoryIndexes'), 3),
  };
}

function appendEvent(i: number) {
  const at = new Date().toISOString();
  return {
    id: crypto.randomUUID(),
    type: 'MemberUpdated',
    data: JSON.stringify({ memberId: `m-${i}`, department: 'Benchmark department of ordinary length' }),
    metadata: JSON.stringify({
      actorId: `actor-${i % ACTORS}`,
      actorRoles: ['COMMUNITY_MANAGER'],
      authority: 'role:COMMUNITY_MANAGER',
      reason: null,
      source: 'api',
      correlationId: crypto.randomUUID(),
      causationId: null,
      commandId: null,
      occurredAt: at,
      schemaVersion: 1,
      hash: 'ab'.repeat(32),
    }),
  };
}

export type HistorySection = { skipped: string } | { error: string } | Awaited<ReturnType<typeof benchHistoryUnchecked>>;

/** The history section; a failure is reported in it ({ error }), not thrown. Its databases are gone when it returns. */
export async function benchHistory(server: Server, options: HistoryBenchOptions): Promise<HistorySection> {
  try {
    return await benchHistoryUnchecked(server, options);
  } catch (error) {
    log(failure('history bench', error));
    return { error: (error as Error).message };
  }
}

/**
 * The database of a run: a new one (dropped at the end unless --history-keep-db, and always when the load did not
 * finish), or the kept one of --history-reuse-db, checked to hold as many events as asked for.
 */
async function openDatabase(
  server: Server,
  options: HistoryBenchOptions,
): Promise<BenchDatabase & { reused: boolean; markLoaded(): Promise<void> }> {
  if (options.reuseDb) {
    const url = databaseUrl(server.url, options.reuseDb);
    const loaded = await withClient(
      url,
      async (c) => (await c.query<{ events: string }>(`SELECT events::text FROM ${LOADED_TABLE}`)).rows[0],
    );
    if (Number(loaded?.events) !== options.events)
      throw new Error(`--history-reuse-db ${options.reuseDb} holds ${loaded?.events ?? 'no'} loaded events, not ${options.events}`);
    // Nothing to drop; a step all the same, so that cleanUpDownTo closes what this run opened in it.
    const drop = addCleanup(() => Promise.resolve());
    return { name: options.reuseDb, url, drop, reused: true, markLoaded: () => Promise.resolve() };
  }
  // Not createBenchDatabase: its drop step would run at the end whatever --history-keep-db says.
  const name = `governance_bench_history_${randomBytes(6).toString('hex')}`;
  const admin = databaseUrl(server.url, 'postgres');
  await withClient(admin, (c) => c.query(`CREATE DATABASE ${name}`));
  let kept = false;
  // Without --history-keep-db, or when the load did not finish, the database goes at the end.
  const drop = addCleanup(() =>
    kept ? Promise.resolve() : withClient(admin, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)),
  );
  const database = { name, url: databaseUrl(server.url, name) };
  return {
    ...database,
    drop,
    reused: false,
    markLoaded: async () => {
      if (!options.keepDb) return;
      await withClient(database.url, async (c) => {
        await c.query(`CREATE TABLE ${LOADED_TABLE} (events bigint NOT NULL)`);
        await c.query(`INSERT INTO ${LOADED_TABLE} (events) VALUES ($1)`, [options.events]);
      });
      kept = true;
      log(`history: database kept: ${database.name} (reuse it with --history-reuse-db ${database.name})`);
    },
  };
}

async function benchHistoryUnchecked(server: Server, options: HistoryBenchOptions) {
  const database = await openDatabase(server, options);
  try {
    const migrationsStarted = now();
    const store = await PostgresEventStore.create({ connectionString: database.url });
    addCleanup(() => store.close());
    const migrationsMs = Math.round(now() - migrationsStarted);
    let load: Awaited<ReturnType<typeof loadLog>> & { reusedDatabase?: string; migrationsMs?: number };
    if (database.reused) {
      // As the load ends: statistics for what the migrations added (an expression index has its own).
      await withClient(database.url, (c) => c.query('ANALYZE es_events'));
      load = { ...(await logSizes(database.url)), ms: 0, reusedDatabase: database.name, migrationsMs };
      log(`history: reusing ${database.name} (migrations ${migrationsMs} ms)`);
    } else {
      log(`history: loading ${options.events} events`);
      load = await loadLog(database.url, options.events);
      log(`history: loaded in ${load.ms} ms`);
    }

    const rnd = random(7);
    const cursors = await positionsAt(
      database.url,
      Array.from({ length: options.queries + 5 }, () => Math.floor(options.events * (0.05 + 0.9 * rnd()))),
    );
    const byCase: Record<string, Awaited<ReturnType<typeof measure>>> = {};
    for (const testCase of selected(cases(options.events, options.queries, cursors), options)) {
      byCase[testCase.name] = await measure((o) => store.readHistory(o), testCase, options.queries);
      log(`history: ${testCase.name} p50 ${byCase[testCase.name]!.p50Ms} ms, p99 ${byCase[testCase.name]!.p99Ms} ms`);
    }

    // Through the layer the resolver calls: the same query, then deserialisation (metadata, upcasting, decryption).
    const pool = new pg.Pool({ connectionString: database.url, max: 2 });
    addCleanup(() => pool.end());
    const keys = new PostgresKeyStore(pool);
    await keys.ensureSchema();
    const governance = new GovernanceEventStore({ store, schemas: new EventSchemaRegistry(), keys });
    const actorCase = cases(options.events, options.queries, cursors).find((c) => c.name === 'actorFromCursor')!;
    const throughGovernanceEventStore = await measure((o) => governance.readHistory(o), actorCase, options.queries);

    const worst = Object.entries(byCase).reduce((a, b) => (b[1].p99Ms > a[1].p99Ms ? b : a));
    const logIndex = await benchLogIndex(database.url, store, options, cursors, () => database.markLoaded());
    const append = await appendCost(server, options.appendEvents);
    return {
      params: {
        events: options.events,
        queriesPerCase: options.queries,
        pageSize: PAGE,
        actors: ACTORS,
        eventsPerStream: EVENTS_PER_STREAM,
      },
      load,
      cases: byCase,
      throughGovernanceEventStore: { case: 'actorFromCursor', ...throughGovernanceEventStore },
      logIndex: logIndex.section,
      appendCost: append,
      targets: {
        historyPageP99: {
          description: 'a page of 100 with a filter answers in < 50 ms (p99 of every case) on a log of a million events',
          target: 50,
          measured: worst[1].p99Ms,
          worstCase: worst[0],
          atEvents: options.events,
          met: worst[1].p99Ms < 50 && options.events >= 1_000_000,
          ...(options.events < 1_000_000
            ? { note: `measured on ${options.events} events; run with --history-events 1000000 for the target's size` }
            : {}),
        },
        logIndexHistoryPageP99: {
          description:
            'the same pages from the log index (the read model EventStoreDB is served from): < 50 ms (p99 of every case) on a million events',
          target: 50,
          measured: logIndex.worst[1].p99Ms,
          worstCase: logIndex.worst[0],
          atEvents: options.events,
          met: logIndex.worst[1].p99Ms < 50 && options.events >= 1_000_000,
          ...(options.events < 1_000_000
            ? { note: `measured on ${options.events} events; run with --history-events 1000000 for the target's size` }
            : {}),
        },
      },
    };
  } finally {
    await cleanUpDownTo(database.drop);
  }
}

/**
 * The log index: the read model that serves history when the store cannot (EventStoreDB). Filled by the projection
 * runner from the store's subscription, as in the service (so the catch-up figure is the runner's), then the same
 * cases as above through LogIndex.readHistory, and the actor case through the layer the resolver calls on EventStoreDB
 * (LogIndexedEventStore: a read of the store's head and of the index's checkpoint first, then the page, deserialised).
 */
async function benchLogIndex(
  url: string,
  store: PostgresEventStore,
  options: HistoryBenchOptions,
  cursors: LogPosition[],
  onFilled: () => Promise<void>,
) {
  const pool = new pg.Pool({ connectionString: url, max: 11 });
  addCleanup(() => pool.end());
  const runner = await ProjectionRunner.create({ store, pool, projections: [logIndexProjection] });
  await runner.initialise();
  log(`history: filling the log index from ${options.events} events (projection runner)`);
  const started = now();
  runner.start();
  try {
    await runner.waitForPosition(await store.headPosition(), [LOG_INDEX_PROJECTION], 3_600_000);
  } finally {
    await runner.stop();
  }
  const catchUpMs = Math.round(now() - started);
  log(`history: log index caught up in ${catchUpMs} ms`);
  await onFilled();
  await withClient(url, (client) => client.query(`VACUUM ANALYZE proj_${LOG_INDEX_PROJECTION}_g1.log_events`));
  const { rows } = await pool.query<{ table: string; indexes: string }>(
    `SELECT pg_table_size('proj_${LOG_INDEX_PROJECTION}_g1.log_events')::text AS table,
            pg_indexes_size('proj_${LOG_INDEX_PROJECTION}_g1.log_events')::text AS indexes`,
  );

  const index = new LogIndex(pool);
  const byCase: Record<string, Awaited<ReturnType<typeof measure>>> = {};
  for (const testCase of selected(cases(options.events, options.queries, cursors), options)) {
    byCase[testCase.name] = await measure((o) => index.readHistory(o), testCase, options.queries);
    log(`history (log index): ${testCase.name} p50 ${byCase[testCase.name]!.p50Ms} ms, p99 ${byCase[testCase.name]!.p99Ms} ms`);
  }
  const keys = new PostgresKeyStore(pool);
  await keys.ensureSchema();
  const governance = new GovernanceEventStore({ store: new LogIndexedEventStore(store, index), schemas: new EventSchemaRegistry(), keys });
  const actorCase = cases(options.events, options.queries, cursors).find((c) => c.name === 'actorFromCursor')!;
  const throughGovernanceEventStore = await measure((o) => governance.readHistory(o), actorCase, options.queries);
  const worst = Object.entries(byCase).reduce((a, b) => (b[1].p99Ms > a[1].p99Ms ? b : a));
  return {
    worst,
    section: {
      catchUp: { ms: catchUpMs, eventsPerSec: Math.round(options.events / (catchUpMs / 1000)) },
      tableBytes: Number(rows[0]!.table),
      indexBytes: Number(rows[0]!.indexes),
      cases: byCase,
      throughGovernanceEventStore: { case: 'actorFromCursor', ...throughGovernanceEventStore },
    },
  };
}

// ---------- alone ----------
if (import.meta.main) {
  installSignalHandlers();
  const { values } = parseArgs({ options: { pg: { type: 'string' }, ...HISTORY_FLAGS } });
  const options = historyOptionsFrom(values);
  await reportAndExit(async () => {
    const startedAt = new Date().toISOString();
    const loadAverageAtStart = loadavg();
    const server = await resolveServer(values.pg);
    log(`server: ${redact(server.url)} (${server.source})`);
    const history = values['skip-history'] ? { skipped: '--skip-history' } : await benchHistory(server, options);
    return {
      output: {
        startedAt,
        finishedAt: new Date().toISOString(),
        // The machine's load (1, 5, 15 min) around the run: other work on it weighs on every figure.
        loadAverage: { atStart: loadAverageAtStart, atEnd: loadavg() },
        server: { source: server.source, url: redact(server.url) },
        history,
      },
      ...('targets' in history ? { targets: history.targets } : {}),
      failed: 'error' in history,
    };
  });
}
