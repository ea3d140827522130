/**
 * What sealing the log costs (issue 17), on a real PostgreSQL:
 *
 *   node --experimental-transform-types --conditions=source --no-warnings bench/log-seal.bench.ts \
 *     [--pg postgres://postgres@127.0.0.1:5432] [--append-events 50000] [--writers 8] [--rounds 3] [--verify-events 1000000]
 *
 * 1. Append throughput through the port (the workload shape of `npm run bench`: streams of 5 events, concurrent
 *    writers, one event per append) with and without a LogSealer running on the same database at its defaults
 *    (every 60 s or 10,000 events, looking every second). Rounds alternate on fresh databases; medians compared,
 *    and each round's pair (the two runs next to each other) compared, whose median drifts less with the machine's
 *    load. The load average is printed before and after, and per round on stderr: on a shared machine, read it first.
 * 2. A log of --verify-events valid events (hash-chained, bulk-inserted), sealed once from scratch, then verified
 *    whole (chains, seals, root): how long each takes.
 *
 * One JSON object on stdout, progress on stderr.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { computeEventHash, EventSchemaRegistry, START, GovernanceEventStore, PostgresKeyStore, ZERO_HASH } from '#event-store';
import { PostgresEventStore } from '#event-store/postgres';
import { INTEGRITY_EVENT_SCHEMAS } from '../src/integrity/event-schemas.ts';
import { LogIntegrity } from '../src/integrity/log-integrity.ts';
import { loadSealKey } from '../src/integrity/seal-keys.ts';
import { LogSealer } from '../src/integrity/sealer.ts';
import { postgresLeafReader } from '../src/integrity/leaf-reader.ts';

const { values } = parseArgs({
  options: {
    pg: { type: 'string' },
    'append-events': { type: 'string', default: '50000' },
    writers: { type: 'string', default: '8' },
    rounds: { type: 'string', default: '3' },
    'verify-events': { type: 'string', default: '1000000' },
  },
});
const server = (values.pg ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres').replace(/\/[^/]*$/, '');
const appendEvents = Number(values['append-events']);
const writers = Number(values.writers);
const rounds = Number(values.rounds);
const verifyEvents = Number(values['verify-events']);
const log = (message: string) => process.stderr.write(`[log-seal bench] ${message}\n`);

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: `${server}/postgres` });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function withDatabase<T>(work: (url: string) => Promise<T>): Promise<T> {
  const name = `log_seal_bench_${randomBytes(4).toString('hex')}`;
  await admin(`CREATE DATABASE ${name}`);
  try {
    return await work(`${server}/${name}`);
  } finally {
    await admin(`DROP DATABASE ${name} WITH (FORCE)`);
  }
}

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

const metadataText = (i: number) =>
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
  });
const dataText = (stream: number, revision: number) =>
  JSON.stringify({ groupId: `g-${stream}`, memberId: `m-${revision}`, note: 'x'.repeat(120) });

async function appendRound(withSealer: boolean, keyDir: string): Promise<number> {
  return withDatabase(async (url) => {
    const { port, pool, events } = await governance(url);
    const sealer = withSealer
      ? new LogSealer({
          store: port,
          leaves: postgresLeafReader(pool),
          events,
          pool,
          key: await loadSealKey({ privateKeyFile: undefined, dataDir: keyDir }),
          clock: { now: () => new Date() },
          intervalMs: 60_000,
          everyEvents: 10_000,
        })
      : undefined;
    sealer?.start();
    const streams = Math.ceil(appendEvents / 5);
    const started = performance.now();
    const cpu = process.cpuUsage();
    await Promise.all(
      Array.from({ length: writers }, async (_, w) => {
        for (let s = w; s < streams; s += writers) {
          for (let revision = 0; revision < 5; revision++) {
            await port.appendToStream(
              `group-b${s}`,
              [{ id: randomUUID(), type: 'GroupOwnerAssigned', data: dataText(s, revision), metadata: metadataText(revision) }],
              revision === 0 ? 'no_stream' : revision - 1,
            );
          }
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const used = process.cpuUsage(cpu);
    (sealer ? nodeCpuWith : nodeCpuWithout).push((used.user + used.system) / (streams * 5));
    await sealer?.stop();
    if (sealer) sealShares.push(await sealShare(pool));
    await port.close();
    await pool.end();
    return (streams * 5) / seconds;
  });
}

/**
 * This process's CPU time per event appended (writers, and the sealer when it runs): less sensitive to what else the
 * machine runs than throughput is. PostgreSQL's own CPU is not in it.
 */
const nodeCpuWith: number[] = [];
const nodeCpuWithout: number[] = [];

/** Seal events' share of the stored bytes (data and metadata): seals list every stream changed since the last one. */
const sealShares: { seals: number; sealBytes: number; percentOfLog: number }[] = [];
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

async function verifyRun(keyDir: string) {
  return withDatabase(async (url) => {
    const { port, pool, events } = await governance(url);
    log(`writing ${verifyEvents} hash-chained events`);
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
        const blanked = `${metadataText(i).slice(0, -1)},"hash":"${ZERO_HASH}"}`;
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
    const sealer = new LogSealer({
      store: port,
      leaves: postgresLeafReader(pool),
      events,
      pool,
      key,
      clock: { now: () => new Date() },
      intervalMs: 60_000,
      everyEvents: 10_000,
    });
    log('sealing the whole log from scratch');
    const t1 = performance.now();
    const seal = await sealer.sealNow();
    const sealMs = performance.now() - t1;
    log('reading the whole log (what any verification costs at least)');
    const t3 = performance.now();
    for (let after = START, end = false; !end;) {
      const page = await port.readAll({ after, maxCount: 2000 });
      after = page.checkpoint;
      end = page.isEnd;
    }
    const scanMs = performance.now() - t3;
    log('verifying the whole log');
    const integrity = new LogIntegrity(port, events, key);
    const t2 = performance.now();
    const report = await integrity.verifyAll();
    const verifyMs = performance.now() - t2;
    await port.close();
    await pool.end();
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
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const load = () => loadavg().map((l) => Math.round(l * 100) / 100);
const percent = (fraction: number) => Math.round(fraction * 1000) / 10;

const keyDir = await mkdtemp(join(tmpdir(), 'log-seal-bench-'));
try {
  const loadBefore = load();
  const without: number[] = [];
  const withSealer: number[] = [];
  const pairedCost: number[] = [];
  for (let round = 1; round <= rounds; round++) {
    // Alternating, so that drift in the machine's speed falls on both alike.
    const order = round % 2 === 1 ? [false, true] : [true, false];
    for (const sealing of order) {
      const rate = await appendRound(sealing, keyDir);
      (sealing ? withSealer : without).push(Math.round(rate));
      log(`round ${round} ${sealing ? 'with' : 'without'} sealer: ${Math.round(rate)} events/s (load ${load().join(' ')})`);
    }
    pairedCost.push((without.at(-1)! - withSealer.at(-1)!) / without.at(-1)!);
  }
  const loadAfterAppends = load();
  const verify = verifyEvents > 0 ? await verifyRun(keyDir) : { skipped: true };
  const m0 = median(without);
  const m1 = median(withSealer);
  process.stdout.write(
    `${JSON.stringify(
      {
        append: {
          events: appendEvents,
          writers,
          withoutSealer: without,
          withSealer,
          medianWithout: m0,
          medianWith: m1,
          costPercent: percent((m0 - m1) / m0),
          pairedCostPercent: { median: percent(median(pairedCost)), perRound: pairedCost.map(percent) },
          loadAverage: { before: loadBefore, after: loadAfterAppends },
          nodeCpuMicrosecondsPerEvent: {
            withoutSealer: Math.round(median(nodeCpuWithout) * 10) / 10,
            withSealer: Math.round(median(nodeCpuWith) * 10) / 10,
          },
          sealEventsPerRound: sealShares,
        },
        verify,
      },
      null,
      2,
    )}\n`,
  );
} finally {
  await rm(keyDir, { recursive: true, force: true });
}
