/**
 * What sealing the log costs (issue 17), on a real PostgreSQL. Part of `npm run bench` (under "logSeal", target
 * sealingCost; --skip-seal leaves it out, --seal-append-events / --seal-rounds / --seal-verify-events size it), and
 * on its own, larger by default:
 *
 *   node --experimental-transform-types --conditions=source --no-warnings bench/log-seal.bench.ts \
 *     [--pg postgres://postgres@127.0.0.1:5432] [--append-events 50000] [--writers 8] [--rounds 3] [--verify-events 1000000]
 *
 * 1. Append throughput through the port (the workload shape of `npm run bench`: streams of 5 events, concurrent
 *    writers, one event per append) with and without a LogSealer running on the same database at its defaults (every 60
 *    s or 10,000 events, looking every second). In both, a caught-up subscription reads every event as it comes,
 *    standing for the service's projections, which always do (the running sealer folds the pages their shared reads
 *    bring: LogSealerOptions.tailReads). Rounds alternate on fresh databases; medians compared, and each round's pair
 *    (the two runs next to each other) compared, whose median drifts less with the machine's load. Next to it, the CPU
 *    time an event costs (this process's, and PostgreSQL's backends' on the bench database when the server is local,
 *    read from /proc). After each run without the sealer, its log is sealed alone four times (one sealNow each,
 *    nothing else running): by a sealer reading the log itself, as it catches up when it takes the lock ("sealAlone"),
 *    and by one folding the events the stand-in read, as the running sealer has them ("sealFollowing"); then twice
 *    more from those events regrouped, since a seal lists a head per stream changed and the bench's streams of 5 give
 *    one head per 5 events: as if each were in a stream of its own ("sealFollowingSpread", a head an event) and with
 *    the scale bench's simulated year's 0.78 heads an event ("sealFollowingYearShape"; see spread). Both reported, not
 *    the target's. The appended events carry a chain hash, as the service's do: a leaf covers it.
 *    Sealing's CPU time per event, and its share of what appending the event cost (a third run per round appends with
 *    nothing beside it, as this share was always taken), are the steadiest figures on a shared machine (the throughput
 *    pairs scatter by tens of percent either way when other work runs). The target (sealing costs at most 5 % of append
 *    throughput) needs both the paired median and sealFollowing's share at or under 5 %. The load average is printed
 *    before and after, and per round on stderr.
 * 2. A log of --verify-events valid events (hash-chained, bulk-inserted), sealed once from scratch, then verified
 *    whole (chains, seals, root): how long each takes.
 *
 * One JSON object on stdout, progress on stderr.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import pg from 'pg';
import {
  comparePositions,
  computeEventHash,
  EventSchemaRegistry,
  START,
  GovernanceEventStore,
  PostgresKeyStore,
  StreamNotFoundError,
  ZERO_HASH,
  type EventStore,
  type RecordedEvent,
  type StoredEvent,
} from '#event-store';
import { PostgresEventStore } from '#event-store/postgres';
import { INTEGRITY_EVENT_SCHEMAS } from '../src/modules/integrity/event-schemas.ts';
import { LogIntegrity } from '../src/modules/integrity/log-integrity.ts';
import { loadSealKey, type SealSigningKey } from '../src/modules/integrity/seal-keys.ts';
import { adoptSealKey, LogSealer } from '../src/modules/integrity/sealer.ts';
import { portLeafReader, postgresLeafReader } from '../src/modules/integrity/leaf-reader.ts';
import { LOG_SEAL_STREAM } from '../src/modules/integrity/log-seal.ts';
import {
  failure,
  cleanUpDownTo,
  createBenchDatabase,
  installSignalHandlers,
  log,
  redact,
  reportAndExit,
  resolveServer,
  round,
  type Server,
  wholeNumberFlag,
} from './bench-server.ts';

/** The flags of the "logSeal" section of `npm run bench`: small by default, so the whole bench grows by seconds. */
export const LOG_SEAL_FLAGS = {
  'skip-seal': { type: 'boolean', default: false },
  'seal-append-events': { type: 'string', default: '20000' },
  'seal-rounds': { type: 'string', default: '3' },
  'seal-writers': { type: 'string', default: '8' },
  'seal-verify-events': { type: 'string', default: '0' },
} as const;

export interface LogSealBenchOptions {
  readonly appendEvents: number;
  readonly writers: number;
  readonly rounds: number;
  readonly verifyEvents: number;
}

type LogSealFlagValues = { [K in keyof typeof LOG_SEAL_FLAGS]?: string | boolean | undefined };

export function logSealOptionsFrom(flags: LogSealFlagValues): LogSealBenchOptions {
  const int = (name: keyof typeof LOG_SEAL_FLAGS, min: number) => wholeNumberFlag(name, flags[name] ?? LOG_SEAL_FLAGS[name].default, min);
  return {
    appendEvents: int('seal-append-events', 1000),
    writers: int('seal-writers', 1),
    rounds: int('seal-rounds', 1),
    verifyEvents: int('seal-verify-events', 0),
  };
}

/** At most this share of append throughput may go to sealing (issue 17). */
const TARGET_PERCENT = 5;

const progress = (message: string) => log(`log seal: ${message}`);

async function governance(url: string) {
  const port = await PostgresEventStore.create({ connectionString: url });
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  // The database is dropped (WITH FORCE) right after: a connection still closing must not crash the run.
  pool.on('error', () => undefined);
  const keys = new PostgresKeyStore(pool);
  await keys.ensureSchema();
  const schemas = new EventSchemaRegistry();
  for (const schema of INTEGRITY_EVENT_SCHEMAS) schemas.register(schema);
  return { port, pool, events: new GovernanceEventStore({ store: port, schemas, keys }) };
}

/** The sealer as the service runs it at its defaults (every 60 s or 10,000 events), on this bench's database. */
function benchSealer(store: Awaited<ReturnType<typeof governance>>, key: SealSigningKey): LogSealer {
  return new LogSealer({
    store: store.port,
    leaves: postgresLeafReader(store.pool),
    tailReads: (observer) => store.port.observeTailReads(observer),
    events: store.events,
    pool: store.pool,
    key,
    clock: { now: () => new Date() },
    intervalMs: 60_000,
    everyEvents: 10_000,
  });
}

/**
 * An event's metadata as the service stores it, ending with its chain hash when given (GovernanceEventStore writes
 * one on every event): a leaf covers that hash, 64 characters that are part of what the sealer frames and hashes.
 */
const metadataText = (i: number, hash?: string) =>
  JSON.stringify({
    actorId: `cm-${i % 17}`,
    actorRoles: ['COMMUNITY_MANAGER'],
    authority: 'role:COMMUNITY_MANAGER',
    reason: null,
    source: 'bench',
    correlationId: randomUUID(),
    causationId: null,
    commandId: null,
    occurredAt: new Date().toISOString(),
    schemaVersion: 1,
    ...(hash === undefined ? {} : { hash }),
  });
/** The bench's streams: what the projections' stand-in counts and sealFollowingSpread spreads, the sealer's left out. */
const BENCH_STREAM_PREFIX = 'group-b';
/** A stand-in chain hash for the append workload: the sealer takes a stored hash as it is, valid or not. */
const standInHash = () => `${randomUUID()}${randomUUID()}`.replaceAll('-', '');
const dataText = (stream: number, revision: number) =>
  JSON.stringify({ groupId: `g-${stream}`, memberId: `m-${revision}`, note: 'x'.repeat(120) });

/**
 * CPU time (µs) of PostgreSQL's backends connected to the database, by pid, read from /proc: null when the server is
 * not on this machine (or not visible). The WAL writer's and checkpointer's share is not in it.
 */
async function backendCpu(pool: pg.Pool): Promise<Map<number, number> | null> {
  // Sessions only: an autovacuum worker that happens to be on the database at the second reading (not the first)
  // would count its whole life.
  const { rows } = await pool.query<{ pid: number }>(
    `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND backend_type = 'client backend'`,
  );
  const cpu = new Map<number, number>();
  for (const { pid } of rows) {
    const micros = await processCpuMicros(pid);
    if (micros === null) return null;
    cpu.set(pid, micros);
  }
  return cpu;
}

/**
 * A process's CPU time in µs: from /proc/<pid>/schedstat (nanoseconds on the CPU, proc(5)) where the kernel keeps
 * it, else utime + stime from /proc/<pid>/stat. The latter counts in ticks of 10 ms: sealing 20,000 events costs
 * PostgreSQL 20 to 40 ms, so a tick was 0.5 µs an event, a tenth of the figure it is part of.
 */
async function processCpuMicros(pid: number): Promise<number | null> {
  try {
    const runNanos = Number((await readFile(`/proc/${pid}/schedstat`, 'utf8')).split(' ')[0]);
    if (Number.isFinite(runNanos) && runNanos > 0) return runNanos / 1000;
  } catch {
    // Not kept (a kernel without CONFIG_SCHED_INFO): the ticks, then.
  }
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // After "(comm) ": state is the first field, utime and stime the 12th and 13th (proc(5)); in ticks of 1/100 s.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1e6) / 100;
  } catch {
    return null;
  }
}

function cpuSpent(before: Map<number, number> | null, after: Map<number, number> | null): number | null {
  if (!before || !after) return null;
  let total = 0;
  for (const [pid, micros] of after) total += micros - (before.get(pid) ?? 0);
  return total;
}

interface AppendRun {
  eventsPerSec: number;
  /** This process's CPU time per event appended (writers, and the sealer when it runs). */
  nodeCpuMicrosPerEvent: number;
  /** PostgreSQL's backends' CPU time per event; null when it cannot be read. */
  postgresCpuMicrosPerEvent: number | null;
  seals?: { seals: number; sealBytes: number; percentOfLog: number };
  /** After a run read by the projections' stand-in: sealing its log alone, as one seal, reading the log itself. */
  sealAlone?: SealAlone;
  /** After a run read by the projections' stand-in: the same, folding the events the stand-in read (sealFollowing). */
  sealFollowing?: SealAlone;
  /** The same events folded as if each were in a stream of its own: a head per event in the seal (sealFollowingSpread). */
  sealFollowingSpread?: SealAlone;
  /** The same events regrouped to list the simulated year's heads per event (YEAR_HEADS_PER_EVENT). */
  sealFollowingYearShape?: SealAlone;
}

/**
 * What runs beside the writers: nothing (`appends`: what appending an event costs, the shares' denominator), the
 * projections' stand-in (`read`), or the stand-in and the sealer (`sealed`). The throughput pairs compare the last two.
 */
type RunKind = 'appends' | 'read' | 'sealed';

interface SealAlone {
  nodeCpuMicrosPerEvent: number;
  postgresCpuMicrosPerEvent: number | null;
}

async function appendRun(server: Server, options: LogSealBenchOptions, kind: RunKind, keyDir: string): Promise<AppendRun> {
  const database = await createBenchDatabase(server, 'log_seal_bench');
  try {
    const { port, pool, events } = await governance(database.url);
    try {
      const key = await loadSealKey({ privateKeyFile: undefined, dataDir: keyDir });
      // The key adopted beforehand, as a sealer that ran before would have: adopting it is an append made once per
      // key, not per event, and sealing the log alone counted it (0.2 to 0.5 µs of the 4 to 6 an event cost, at
      // 20,000 events).
      await adoptSealKey(events, key, new Date());
      const sealer = kind === 'sealed' ? benchSealer({ port, pool, events }, key) : undefined;
      // The writers' connections opened before timing, so both runs start with the same backends.
      await Promise.all(Array.from({ length: options.writers }, () => port.headPosition()));
      const projections = kind === 'appends' ? undefined : projectionsReading(port);
      sealer?.start();
      const streams = Math.ceil(options.appendEvents / 5);
      const total = streams * 5;
      const pgBefore = await backendCpu(pool);
      const started = performance.now();
      const cpu = process.cpuUsage();
      await Promise.all(
        Array.from({ length: options.writers }, async (_, w) => {
          for (let s = w; s < streams; s += options.writers) {
            for (let revision = 0; revision < 5; revision++) {
              await port.appendToStream(
                `${BENCH_STREAM_PREFIX}${s}`,
                [
                  {
                    id: randomUUID(),
                    type: 'GroupOwnerAssigned',
                    data: dataText(s, revision),
                    metadata: metadataText(revision, standInHash()),
                  },
                ],
                revision === 0 ? 'no_stream' : revision - 1,
              );
            }
          }
        }),
      );
      const seconds = (performance.now() - started) / 1000;
      const used = process.cpuUsage(cpu);
      // Before the sealer stops: it closes its connection then, and that backend's time would be lost.
      const pgSpent = cpuSpent(pgBefore, await backendCpu(pool));
      await sealer?.stop();
      const run: AppendRun = {
        eventsPerSec: Math.round(total / seconds),
        nodeCpuMicrosPerEvent: round((used.user + used.system) / total, 1),
        postgresCpuMicrosPerEvent: pgSpent === null ? null : round(pgSpent / total, 1),
      };
      // Every event read (and the key's adoption, and the seals), so that the reads are over before anything else is timed.
      const read = await projections?.close(total);
      if (sealer) run.seals = await sealShare(pool);
      else if (read) {
        run.sealAlone = await sealAlone(pool, port, events, keyDir, total);
        run.sealFollowing = await sealFollowing(pool, events, keyDir, read, total);
        run.sealFollowingSpread = await sealFollowing(pool, events, keyDir, spread(read, 1), total);
        run.sealFollowingYearShape = await sealFollowing(pool, events, keyDir, spread(read, YEAR_HEADS_PER_EVENT), total);
      }
      return run;
    } finally {
      await port.close();
      await pool.end();
    }
  } finally {
    await cleanUpDownTo(database.drop);
  }
}

/**
 * The CPU time sealing an event takes, measured with nothing else running: a sealer folds the log just written and
 * seals it (reading, hashing, the seal's append), alone in this process and on the database. What other work on the
 * machine does to it is small, unlike what it does to throughput; its share of what appending an event cost is what
 * sealing costs appends on a machine whose CPU is the limit (this one's, PostgreSQL and Node on 2 cores). It leaves
 * out what running at the same time adds (the writers' and sealer's garbage and turns on the event loop), which the
 * paired throughput includes.
 */
async function sealAlone(
  pool: pg.Pool,
  port: PostgresEventStore,
  events: GovernanceEventStore,
  keyDir: string,
  appended: number,
): Promise<SealAlone> {
  const sealer = benchSealer({ port, pool, events }, await loadSealKey({ privateKeyFile: undefined, dataDir: keyDir }));
  await Promise.all(Array.from({ length: 4 }, () => pool.query('SELECT 1'))); // the pool's connections, opened
  return (await sealNowTimed(pool, sealer, appended)).cpu;
}

/**
 * A full garbage collection, run before each timed seal: otherwise a seal pays for what the steps before it left on
 * the heap (the runs' events, the copies that spread makes), and the later a seal runs in the process the dearer it
 * read (the fourth's per-event figure 30-60 % above the third's on the same events, 2026-12-06). `gc` is exposed at run
 * time, so `npm run bench` needs no flag.
 */
const collectGarbage = (() => {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
})();

/** One sealNow, and the CPU time it took this process and the database's backends, per event appended. */
async function sealNowTimed(pool: pg.Pool, sealer: LogSealer, appended: number) {
  collectGarbage();
  const pgBefore = await backendCpu(pool);
  const cpu = process.cpuUsage();
  const seal = await sealer.sealNow();
  const used = process.cpuUsage(cpu);
  const pgSpent = cpuSpent(pgBefore, await backendCpu(pool));
  const perEvent: SealAlone = {
    nodeCpuMicrosPerEvent: round((used.user + used.system) / appended, 1),
    postgresCpuMicrosPerEvent: pgSpent === null ? null : round(pgSpent / appended, 1),
  };
  return { seal, cpu: perEvent };
}

/**
 * What the service's projections do to the log in both runs: read every event as it comes, through a caught-up
 * subscription (on PostgreSQL one shared read of the tail for all of them, SharedTailRead, whose pages the running
 * sealer folds). The service never runs without them, so what sealing costs it is what the sealer adds to
 * appends that are read anyway. close(count) waits until `count` events of the bench's streams were read, then ends
 * the subscription and gives what it read, in log order.
 */
function projectionsReading(port: PostgresEventStore) {
  const subscription = port.subscribeToAll({ after: START });
  const read: RecordedEvent[] = [];
  let benchEvents = 0;
  let reached: (() => void) | undefined;
  let wanted = Number.POSITIVE_INFINITY;
  const done = (async () => {
    for await (const message of subscription) {
      if (message.kind !== 'event') continue;
      read.push(message.event);
      if (message.event.streamId.startsWith(BENCH_STREAM_PREFIX) && ++benchEvents >= wanted) reached?.();
    }
  })();
  return {
    async close(count: number): Promise<RecordedEvent[]> {
      if (benchEvents < count) {
        wanted = count;
        await new Promise<void>((resolve) => (reached = resolve));
      }
      await subscription.close();
      await done;
      return read;
    },
  };
}

/** A log held in memory, read as the port reads: pages after a position, in log order. */
function logInMemory(events: readonly RecordedEvent[]): Pick<EventStore, 'readAll'> {
  return {
    readAll: async ({ after = START, maxCount }) => {
      let low = 0;
      let high = events.length;
      while (low < high) {
        const middle = (low + high) >>> 1;
        if (comparePositions(events[middle]!.position, after) <= 0) low = middle + 1;
        else high = middle;
      }
      const page = events.slice(low, low + maxCount);
      return { events: page, checkpoint: page.at(-1)?.position ?? after, isEnd: page.length < maxCount };
    },
  };
}

/**
 * The CPU time sealing an event takes when its events come from the projections' read, as the running sealer
 * has them in the service (LogSealerOptions.tailReads): the events the stand-in read, folded from memory and sealed
 * (the seal's append is real), alone in this process. sealAlone sealed the log before it: that seal is hidden from
 * this sealer so that it folds every event as new, as sealAlone did.
 */
async function sealFollowing(
  pool: pg.Pool,
  events: GovernanceEventStore,
  keyDir: string,
  read: readonly RecordedEvent[],
  appended: number,
): Promise<SealAlone> {
  const log = logInMemory(read);
  // The seals' stream as the running sealer knows it, but no seal in it: where the stream ends (the revision and hash
  // its next append extends, which the service's sealer keeps from its last seal), read before the timing, not what
  // the seals say (this sealer folds every event as new).
  let end: StoredEvent | undefined;
  try {
    [end] = await events.readStream(LOG_SEAL_STREAM, { direction: 'backwards', maxCount: 1 });
  } catch (error) {
    if (!(error instanceof StreamNotFoundError)) throw error;
  }
  const sealsHidden: Pick<GovernanceEventStore, 'append' | 'readStream'> = {
    append: (...args) => events.append(...args),
    readStream: async (streamId, options) => {
      if (streamId !== LOG_SEAL_STREAM) return events.readStream(streamId, options);
      if (!end) throw new StreamNotFoundError(streamId);
      return [{ ...end, data: {} }];
    },
  };
  const sealer = new LogSealer({
    store: log,
    leaves: portLeafReader(log),
    events: sealsHidden,
    pool,
    key: await loadSealKey({ privateKeyFile: undefined, dataDir: keyDir }),
    clock: { now: () => new Date() },
    intervalMs: 60_000,
    everyEvents: 10_000,
  });
  const { seal, cpu } = await sealNowTimed(pool, sealer, appended);
  if (!seal || seal.eventCount < appended) throw new Error(`the following sealer sealed ${seal?.eventCount ?? 0} of ${appended} events`);
  return cpu;
}

/**
 * Heads per event that a seal of a governance log lists: 0.73-0.79 in the scale bench's simulated year (members,
 * groups, cases, enrolments... each its own stream, touched now and then), at seals of 1,000, 10,000 or 100,000
 * events (counted by SQL on its 10 M log). The bench's streams of 5 give 0.2.
 */
const YEAR_HEADS_PER_EVENT = 0.78;

/**
 * The events regrouped so that a seal of them lists `headsPerEvent` heads an event (the sealer's own events left as
 * they are): that share of them, evenly spread, each the only event of its stream (its own stream id, revision 0),
 * the rest in one stream, one head for all of them. At 1, a head for every event (sealFollowingSpread); at
 * YEAR_HEADS_PER_EVENT, the simulated year's shape (sealFollowingYearShape).
 */
function spread(events: readonly RecordedEvent[], headsPerEvent: number): RecordedEvent[] {
  let benchEvents = 0;
  let sharedRevision = 0;
  return events.map((event) => {
    if (!event.streamId.startsWith(BENCH_STREAM_PREFIX)) return event;
    const k = benchEvents++;
    if (Math.floor((k + 1) * headsPerEvent) > Math.floor(k * headsPerEvent)) {
      return { ...event, streamId: `${event.streamId}.${event.revision}`, revision: 0 };
    }
    return { ...event, streamId: `${BENCH_STREAM_PREFIX}.shared`, revision: sharedRevision++ };
  });
}

/** Seal events' share of the stored bytes (data and metadata): seals list every stream changed since the last one. */
async function sealShare(pool: pg.Pool) {
  const { rows } = await pool.query<{ seals: string; seal_bytes: string | null; all_bytes: string }>(
    `SELECT count(*) FILTER (WHERE stream_id = 'log_seal-seals') AS seals,
            sum(octet_length(data::text) + octet_length(metadata::text)) FILTER (WHERE stream_id LIKE 'log_seal-%') AS seal_bytes,
            sum(octet_length(data::text) + octet_length(metadata::text)) AS all_bytes
       FROM es_events`,
  );
  const sealBytes = Number(rows[0]!.seal_bytes ?? 0);
  return { seals: Number(rows[0]!.seals), sealBytes, percentOfLog: Math.round((sealBytes / Number(rows[0]!.all_bytes)) * 1000) / 10 };
}

async function verifyRun(server: Server, verifyEvents: number, keyDir: string) {
  const database = await createBenchDatabase(server, 'log_seal_bench_verify');
  try {
    const { port, pool, events } = await governance(database.url);
    try {
      progress(`writing ${verifyEvents} hash-chained events`);
      const t0 = performance.now();
      const batch = 5000;
      const perStream = 10;
      for (let start = 0; start < verifyEvents; start += batch) {
        const rows = {
          stream: [] as string[],
          revision: [] as number[],
          id: [] as string[],
          type: [] as string[],
          data: [] as string[],
          metadata: [] as string[],
        };
        let previous = ZERO_HASH;
        for (let i = start; i < Math.min(verifyEvents, start + batch); i++) {
          const stream = `group-v${Math.floor(i / perStream)}`;
          const revision = i % perStream;
          if (revision === 0) previous = ZERO_HASH;
          const id = randomUUID();
          const data = dataText(i, revision);
          const blanked = metadataText(i, ZERO_HASH);
          const hash = computeEventHash(previous, { id, streamId: stream, revision, type: 'GroupOwnerAssigned', data }, blanked);
          previous = hash;
          rows.stream.push(stream);
          rows.revision.push(revision);
          rows.id.push(id);
          rows.type.push('GroupOwnerAssigned');
          rows.data.push(data);
          rows.metadata.push(`${blanked.slice(0, -66)}${hash}"}`);
        }
        await pool.query(
          `INSERT INTO es_events (stream_id, stream_revision, event_id, event_type, data, metadata)
           SELECT * FROM unnest($1::text[], $2::bigint[], $3::uuid[], $4::text[], $5::json[], $6::json[])`,
          [rows.stream, rows.revision, rows.id, rows.type, rows.data, rows.metadata],
        );
      }
      const writeMs = performance.now() - t0;
      const key = await loadSealKey({ privateKeyFile: undefined, dataDir: keyDir });
      const sealer = benchSealer({ port, pool, events }, key);
      progress('sealing the whole log from scratch');
      const t1 = performance.now();
      const seal = await sealer.sealNow();
      const sealMs = performance.now() - t1;
      progress('reading the whole log (what any verification costs at least)');
      const t3 = performance.now();
      for (let after = START, end = false; !end;) {
        const page = await port.readAll({ after, maxCount: 2000 });
        after = page.checkpoint;
        end = page.isEnd;
      }
      const scanMs = performance.now() - t3;
      progress('verifying the whole log');
      const integrity = new LogIntegrity(port, events, key);
      const t2 = performance.now();
      const report = await integrity.verifyAll();
      const verifyMs = performance.now() - t2;
      return {
        events: verifyEvents,
        writeMs: Math.round(writeMs),
        sealFromScratchMs: Math.round(sealMs),
        sealedEvents: seal?.eventCount ?? 0,
        readOnlyMs: Math.round(scanMs),
        verifyMs: Math.round(verifyMs),
        verifiedEvents: report.verifiedEvents,
        ok: report.ok,
        breaks: report.totalBreaks,
      };
    } finally {
      await port.close();
      await pool.end();
    }
  } finally {
    await cleanUpDownTo(database.drop);
  }
}

const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const load = () => loadavg().map((l) => round(l, 2));
const percent = (fraction: number) => round(fraction * 100, 1);
const cpuPerEvent = (run: AppendRun) =>
  run.postgresCpuMicrosPerEvent === null ? null : run.nodeCpuMicrosPerEvent + run.postgresCpuMicrosPerEvent;

/**
 * The medians of one way of sealing alone (after the `read` runs), and its share of the CPU an event cost to append
 * (the `appends` run of the same round: appending and nothing else, as this figure has always been taken).
 */
function sealAloneFigures(
  read: readonly AppendRun[],
  appends: readonly AppendRun[],
  way: 'sealAlone' | 'sealFollowing' | 'sealFollowingSpread' | 'sealFollowingYearShape',
) {
  const runs = read.map((r) => r[way]!);
  const node = median(runs.map((r) => r.nodeCpuMicrosPerEvent));
  const postgres = runs.every((r) => r.postgresCpuMicrosPerEvent !== null) ? median(runs.map((r) => r.postgresCpuMicrosPerEvent!)) : null;
  const shares = runs.flatMap((sealed, round) => {
    const seal = sealed.postgresCpuMicrosPerEvent === null ? null : sealed.nodeCpuMicrosPerEvent + sealed.postgresCpuMicrosPerEvent;
    const append = cpuPerEvent(appends[round]!);
    return seal === null || append === null ? [] : [seal / (append + seal)];
  });
  return {
    cpuMicrosecondsPerEvent: { node, postgres },
    shareOfAppendCpuPercent: shares.length ? { median: percent(median(shares)), perRound: shares.map(percent) } : null,
  };
}

export type LogSealSection = { skipped: string } | { error: string } | Awaited<ReturnType<typeof benchLogSealUnchecked>>;

/** The logSeal section; a failure is reported in it ({ error }), not thrown. Its databases are gone when it returns. */
export async function benchLogSeal(server: Server, options: LogSealBenchOptions): Promise<LogSealSection> {
  try {
    return await benchLogSealUnchecked(server, options);
  } catch (error) {
    log(failure('log seal bench', error));
    return { error: (error as Error).message };
  }
}

async function benchLogSealUnchecked(server: Server, options: LogSealBenchOptions) {
  const keyDir = await mkdtemp(join(tmpdir(), 'log-seal-bench-'));
  try {
    const loadBefore = load();
    const appendsAlone: AppendRun[] = [];
    const without: AppendRun[] = [];
    const withSealer: AppendRun[] = [];
    const pairedCost: number[] = [];
    const pairedCpuCost: number[] = [];
    const loadPerRound: number[][] = [];
    for (let round = 1; round <= options.rounds; round++) {
      // Alternating, so that drift in the machine's speed falls on all alike.
      const order: RunKind[] = round % 2 === 1 ? ['appends', 'read', 'sealed'] : ['sealed', 'read', 'appends'];
      for (const kind of order) {
        const run = await appendRun(server, options, kind, keyDir);
        ({ appends: appendsAlone, read: without, sealed: withSealer })[kind].push(run);
        const beside = { appends: 'nothing', read: "the projections' stand-in", sealed: 'the stand-in and the sealer' }[kind];
        progress(
          `round ${round}, ${beside} beside: ${run.eventsPerSec} events/s, CPU µs/event node ${run.nodeCpuMicrosPerEvent} ` +
            `postgres ${run.postgresCpuMicrosPerEvent} (load ${load().join(' ')})`,
        );
      }
      loadPerRound.push(load());
      const [a, b] = [without.at(-1)!, withSealer.at(-1)!];
      pairedCost.push((a.eventsPerSec - b.eventsPerSec) / a.eventsPerSec);
      const [ca, cb] = [cpuPerEvent(a), cpuPerEvent(b)];
      if (ca !== null && cb !== null) pairedCpuCost.push((cb - ca) / cb);
    }
    const loadAfterAppends = load();
    const verify = options.verifyEvents > 0 ? await verifyRun(server, options.verifyEvents, keyDir) : { skipped: 'no verify events' };
    const m0 = median(without.map((r) => r.eventsPerSec));
    const m1 = median(withSealer.map((r) => r.eventsPerSec));
    const paired = percent(median(pairedCost));
    const alone = sealAloneFigures(without, appendsAlone, 'sealAlone');
    const following = sealAloneFigures(without, appendsAlone, 'sealFollowing');
    const followingSpread = sealAloneFigures(without, appendsAlone, 'sealFollowingSpread');
    const followingYearShape = sealAloneFigures(without, appendsAlone, 'sealFollowingYearShape');
    // The service's running sealer folds the pages the projections' shared reads bring (LogSealerOptions.tailReads):
    // its events come from their read. Reading the log itself (sealAlone) is what it does when it takes the lock and
    // catches up, and across a gap between those pages.
    const cpuShare = following.shareOfAppendCpuPercent?.median ?? null;
    const busy = Math.max(loadBefore[0]!, loadAfterAppends[0]!) > availableParallelism();
    const cpuFigures = (runs: AppendRun[]) => ({
      node: median(runs.map((r) => r.nodeCpuMicrosPerEvent)),
      postgres: runs.every((r) => r.postgresCpuMicrosPerEvent !== null) ? median(runs.map((r) => r.postgresCpuMicrosPerEvent!)) : null,
    });
    return {
      append: {
        events: options.appendEvents,
        writers: options.writers,
        rounds: options.rounds,
        // Appending and nothing else: what the CPU shares below are shares of.
        appendsAlone: { eventsPerSec: appendsAlone.map((r) => r.eventsPerSec), cpuMicrosecondsPerEvent: cpuFigures(appendsAlone) },
        // With the projections' stand-in reading the log, with and without the sealer.
        withoutSealer: without.map((r) => r.eventsPerSec),
        withSealer: withSealer.map((r) => r.eventsPerSec),
        medianWithout: m0,
        medianWith: m1,
        costPercent: percent((m0 - m1) / m0),
        pairedCostPercent: { median: paired, perRound: pairedCost.map(percent) },
        loadAverage: { before: loadBefore, perRound: loadPerRound, after: loadAfterAppends },
        cpuMicrosecondsPerEvent: { withoutSealer: cpuFigures(without), withSealer: cpuFigures(withSealer) },
        // The share of the CPU an appended event costs that goes to sealing it: throughput's cost on a machine whose
        // CPU is the limit (this one's), without the drift of the machine's other load.
        cpuCostPercent: pairedCpuCost.length ? { median: percent(median(pairedCpuCost)), perRound: pairedCpuCost.map(percent) } : null,
        sealEventsPerRound: withSealer.map((r) => r.seals),
      },
      sealAlone: alone,
      sealFollowing: following,
      // Reported, not the target's: the same with a head per event, and with the simulated year's heads per event
      // (see spread).
      sealFollowingSpread: followingSpread,
      sealFollowingYearShape: { headsPerEvent: YEAR_HEADS_PER_EVENT, ...followingYearShape },
      verify,
      targets: {
        sealingCost: {
          description:
            `appends/s with the log sealer running (defaults) >= ${100 - TARGET_PERCENT} % of appends/s without it (paired median ` +
            `of alternating rounds, both with the projections' stand-in reading the log), and sealing's share of an appended ` +
            `event's CPU time as the running sealer seals it, from the projections' reads (sealFollowing) <= ${TARGET_PERCENT} % where ` +
            'it can be read: on a busy machine the throughput pairs scatter either way, and a lucky scatter alone meets nothing',
          target: TARGET_PERCENT,
          measured: paired,
          cpuShare: cpuShare,
          met: paired <= TARGET_PERCENT && (cpuShare === null || cpuShare <= TARGET_PERCENT),
          ...(busy
            ? {
                note: `load average ${loadBefore[0]} to ${loadAfterAppends[0]} on ${availableParallelism()} CPUs: the throughput figures are unreliable`,
              }
            : {}),
        },
      },
    };
  } finally {
    await rm(keyDir, { recursive: true, force: true });
  }
}

// ---------- alone ----------
if (import.meta.main) {
  installSignalHandlers();
  const { values } = parseArgs({
    options: {
      pg: { type: 'string' },
      'append-events': { type: 'string', default: '50000' },
      writers: { type: 'string', default: '8' },
      rounds: { type: 'string', default: '3' },
      'verify-events': { type: 'string', default: '1000000' },
    },
  });
  const options = logSealOptionsFrom({
    'seal-append-events': values['append-events'],
    'seal-writers': values.writers,
    'seal-rounds': values.rounds,
    'seal-verify-events': values['verify-events'],
  });
  await reportAndExit(async () => {
    const startedAt = new Date().toISOString();
    const server = await resolveServer(values.pg);
    log(`server: ${redact(server.url)} (${server.source})`);
    const logSeal = await benchLogSeal(server, options);
    return {
      output: { startedAt, finishedAt: new Date().toISOString(), server: { source: server.source, url: redact(server.url) }, ...logSeal },
      ...('targets' in logSeal ? { targets: logSeal.targets } : {}),
      failed: 'error' in logSeal,
    };
  });
}
