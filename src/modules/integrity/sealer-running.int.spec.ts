import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import {
  comparePositions,
  EventSchemaRegistry,
  GovernanceEventStore,
  parsePosition,
  PostgresKeyStore,
  START,
  StreamNotFoundError,
  type Subscription,
} from '#event-store';
import { PostgresEventStore } from '#event-store/postgres';
import { createTestDatabase, eventually, type TestDatabase } from '#testing';
import { testMetadata } from '../../../test/support/event-metadata.ts';
import { INTEGRITY_EVENT_SCHEMAS, LogIntegrity } from './index.ts';
import { postgresLeafReader, type LeafReader } from './leaf-reader.ts';
import { LOG_SEAL_STREAM, sealFromJson, type LogSeal } from './log-seal.ts';
import { loadSealKey } from './seal-keys.ts';
import { LogSealer } from './sealer.ts';

/**
 * The running sealer (start(), as the service runs it) beside a caught-up subscription standing for the projections:
 * it folds the pages their shared reads of the log's tail bring (PostgresEventStore.observeTailReads) instead of
 * reading the same events again every second.
 */
interface Fixture {
  db: TestDatabase;
  port: PostgresEventStore;
  pool: pg.Pool;
  events: GovernanceEventStore;
  integrity: LogIntegrity;
  sealer: LogSealer;
  /** The events the sealer read on its own (its leaf reader), counted. */
  ownLeaves: () => number;
  /** Reads of the seals' stream through the sealer's event store (its own, and its appends' to extend the chain). */
  sealStreamReads: () => number;
  /** The projections' stand-in: a caught-up subscription reading every event as it comes. */
  standIn: Subscription;
  dataDir: string;
}

async function setUp(options: { intervalMs: number; everyEvents: number; checkMs?: number }): Promise<Fixture> {
  const db = await createTestDatabase('sealer_follow');
  const port = await PostgresEventStore.create({ connectionString: db.url });
  const pool = new pg.Pool({ connectionString: db.url });
  const keys = new PostgresKeyStore(pool);
  await keys.ensureSchema();
  const schemas = new EventSchemaRegistry().register({ type: 'CaseNoted' });
  for (const schema of INTEGRITY_EVENT_SCHEMAS) schemas.register(schema);
  const events = new GovernanceEventStore({ store: port, schemas, keys });
  let sealStreamReads = 0;
  const countingPort = new Proxy(port, {
    get(target, property) {
      if (property === 'readStream') {
        return (streamId: string, options?: Parameters<PostgresEventStore['readStream']>[1]) => {
          if (streamId === LOG_SEAL_STREAM) sealStreamReads++;
          return target.readStream(streamId, options);
        };
      }
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
  const dataDir = await mkdtemp(join(tmpdir(), 'sealer-follow-'));
  const key = await loadSealKey({ privateKeyFile: undefined, dataDir });
  const pages = postgresLeafReader(pool);
  let own = 0;
  const leaves: LeafReader = async (after, maxCount) => {
    const page = await pages(after, maxCount);
    own += page.leaves.length;
    return page;
  };
  const standIn = port.subscribeToAll({ after: START });
  void (async () => {
    for await (const message of standIn) void message;
  })();
  const sealer = new LogSealer({
    store: port,
    leaves,
    tailReads: (observer) => port.observeTailReads(observer),
    events: new GovernanceEventStore({ store: countingPort, schemas, keys }),
    pool,
    key,
    clock: { now: () => new Date() },
    intervalMs: options.intervalMs,
    everyEvents: options.everyEvents,
    checkMs: options.checkMs ?? 50,
  });
  const integrity = new LogIntegrity(port, events, key, undefined);
  return { db, port, pool, events, integrity, sealer, ownLeaves: () => own, sealStreamReads: () => sealStreamReads, standIn, dataDir };
}

async function tearDown(f: Fixture): Promise<void> {
  await f.sealer.stop();
  await f.standIn.close();
  await f.port.close();
  await f.pool.end();
  await f.db.drop();
  await rm(f.dataDir, { recursive: true, force: true });
}

async function note(f: Fixture, caseId: string, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    await f.events.append(`moderation_case-${caseId}`, [{ type: 'CaseNoted', data: { note: `${caseId} ${i}` } }], {
      expectedRevision: 'any',
      metadata: testMetadata('2026-01-01T00:00:00.000Z'),
    });
  }
}

async function latestSeal(f: Fixture): Promise<LogSeal | undefined> {
  try {
    const [last] = await f.events.readStream(LOG_SEAL_STREAM, { direction: 'backwards', maxCount: 1 });
    return last ? sealFromJson(last.data) : undefined;
  } catch (error) {
    if (error instanceof StreamNotFoundError) return undefined;
    throw error;
  }
}

/** The latest seal once it covers all `count` of the case events appended (seals and key adoptions besides). */
async function sealCovering(f: Fixture, count: number): Promise<LogSeal> {
  return eventually(async () => {
    const seal = await latestSeal(f);
    expect(seal).toBeDefined();
    const { events } = await f.port.readAll({ maxCount: 1000 });
    const cases = events.filter((e) => e.streamId.startsWith('moderation_case-'));
    expect(cases).toHaveLength(count);
    const sealed = cases.filter((e) => comparePositions(e.position, parsePosition(seal!.position)) <= 0);
    expect(sealed).toHaveLength(count);
    return seal!;
  }, 20_000);
}

let f: Fixture | undefined;
afterEach(async () => {
  if (f) await tearDown(f);
  f = undefined;
});

describe('the running sealer beside the projections', () => {
  it('folds the pages the projections read rather than reading the events again', async () => {
    // Looking every half second, as production does every second: the stand-in has read what was appended by then.
    f = await setUp({ intervalMs: 60_000, everyEvents: 1, checkMs: 500 });
    await note(f, 'a', 3);
    f.sealer.start();
    await sealCovering(f, 3);
    const ownCaughtUp = f.ownLeaves();
    expect(ownCaughtUp).toBeGreaterThanOrEqual(3);

    for (const caseId of ['b', 'c', 'd']) await note(f, caseId, 10);
    await sealCovering(f, 33);
    // Reading them itself, it read all 30 (and the seals); folding others' pages, it reads across a gap at most.
    expect(f.ownLeaves() - ownCaughtUp).toBeLessThan(10);
    const report = await f.integrity.verifyAll();
    expect(report.ok).toBe(true);
    expect(report.breaks).toEqual([]);
  });

  it("extends the seals' chain from the seal it appended, without reading the previous seal back", async () => {
    f = await setUp({ intervalMs: 60_000, everyEvents: 2 });
    await note(f, 'a', 2);
    f.sealer.start();
    await sealCovering(f, 2);
    await note(f, 'b', 2);
    await sealCovering(f, 4);
    await note(f, 'c', 2);
    await sealCovering(f, 6);
    // Once, when it took the lock and looked for the last seal; the three appends extended the chain from what it knew.
    expect(f.sealStreamReads()).toBe(1);

    // Something else appended to the seals' stream: what the sealer knew is stale, the port refuses the append, and
    // the sealer's append reads where the stream ends and lands.
    await f.events.append(LOG_SEAL_STREAM, [{ type: 'CaseNoted', data: { note: 'not a seal' } }], {
      expectedRevision: 'any',
      metadata: testMetadata('2026-01-01T00:00:00.000Z'),
    });
    await note(f, 'd', 2);
    await sealCovering(f, 8);
    expect(f.sealStreamReads()).toBe(2);
    const report = await f.integrity.verifyAll();
    expect(report.breaks).toEqual([]);
    expect(report.latestSeal?.eventCount).toBeGreaterThanOrEqual(8);
  });

  it('seals a quiet log at the interval, the last events having come before it', async () => {
    f = await setUp({ intervalMs: 300, everyEvents: 1_000 });
    f.sealer.start();
    await note(f, 'a', 2);
    // No event follows: the seal comes from the sealer's own look at the clock.
    await sealCovering(f, 2);
    expect((await f.integrity.verifyAll()).ok).toBe(true);
  });

  it('stops, and another sealer takes over where the seals end', async () => {
    f = await setUp({ intervalMs: 60_000, everyEvents: 2 });
    await note(f, 'a', 2);
    f.sealer.start();
    await sealCovering(f, 2);
    await f.sealer.stop();

    await note(f, 'b', 2);
    // The same database, a new sealer: the first one's lock is free once it stopped.
    const again = new LogSealer({
      store: f.port,
      events: f.events,
      pool: f.pool,
      key: await loadSealKey({ privateKeyFile: undefined, dataDir: f.dataDir }),
      clock: { now: () => new Date() },
      intervalMs: 60_000,
      everyEvents: 2,
      checkMs: 50,
    });
    again.start();
    try {
      await sealCovering(f, 4);
    } finally {
      await again.stop();
    }
    expect((await f.integrity.verifyAll()).ok).toBe(true);
  });
});
