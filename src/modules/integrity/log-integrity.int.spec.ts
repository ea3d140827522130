import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { computeEventHash, EventSchemaRegistry, GovernanceEventStore, PostgresKeyStore, ZERO_HASH, type EventMetadata } from '#event-store';
import { PostgresEventStore } from '#event-store/postgres';
import { createTestDatabase, type TestDatabase } from '#testing';
import { testMetadata } from '../../../test/support/event-metadata.ts';
import { createLogIntegrity, INTEGRITY_EVENT_SCHEMAS, LogIntegrity, type LogSealer } from './index.ts';

/**
 * What the review did with psql alone (issue 17), each on a sealed log: the old chain check answered ok to all of
 * them (asserted below as `chainsAlone`); the seals catch each one with its own kind.
 */
interface Fixture {
  db: TestDatabase;
  port: PostgresEventStore;
  pool: pg.Pool;
  events: GovernanceEventStore;
  integrity: LogIntegrity;
  sealer: LogSealer;
  witnessDir: string;
  dataDir: string;
}

const metadata = (): EventMetadata =>
  testMetadata('2026-01-01T00:00:00.000Z', { actorId: 'moderator-1', authority: 'role COMMUNITY_MANAGER', correlationId: 'corr-1' });

async function setUp(): Promise<Fixture> {
  const db = await createTestDatabase('log_integrity');
  const port = await PostgresEventStore.create({ connectionString: db.url });
  const pool = new pg.Pool({ connectionString: db.url });
  const keys = new PostgresKeyStore(pool);
  await keys.ensureSchema();
  const schemas = new EventSchemaRegistry()
    .register({ type: 'CaseOpened' })
    .register({ type: 'CaseNoted' })
    .register({ type: 'GroupCreated' })
    .register<{ memberId: string; statement: string }>({
      type: 'StatementGiven',
      personal: { fields: ['statement'], subject: (data) => `member-${data.memberId}` },
    });
  for (const schema of INTEGRITY_EVENT_SCHEMAS) schemas.register(schema);
  const events = new GovernanceEventStore({ store: port, schemas, keys });
  const dataDir = await mkdtemp(join(tmpdir(), 'seal-key-'));
  const witnessDir = join(dataDir, 'witness');
  const setup = await createLogIntegrity({
    config: { enabled: true, privateKeyFile: undefined, intervalMs: 60_000, everyEvents: 10_000, witnessDir },
    dataDir,
    store: port,
    events,
    pool,
    clock: { now: () => new Date() },
  });
  return { db, port, pool, events, integrity: setup.integrity, sealer: setup.sealer!, witnessDir, dataDir };
}

async function tearDown(f: Fixture): Promise<void> {
  await f.port.close();
  await f.pool.end();
  await f.db.drop();
  await rm(f.dataDir, { recursive: true, force: true });
}

/** Two case streams of three events, a group stream, then a seal. */
async function sealedHistory(f: Fixture): Promise<void> {
  for (const id of ['case-a', 'case-b']) {
    for (const [revision, type] of ['CaseOpened', 'CaseNoted', 'CaseNoted'].entries()) {
      await f.events.append(`moderation_case-${id}`, [{ type, data: { note: `${id} ${revision}` } }], {
        expectedRevision: revision === 0 ? 'no_stream' : revision - 1,
        metadata: metadata(),
      });
    }
  }
  await f.events.append('group-g1', [{ type: 'GroupCreated', data: { name: 'Group one' } }], {
    expectedRevision: 'no_stream',
    metadata: metadata(),
  });
  await sealEverything(f, 7);
}

/**
 * A seal covers only the stable head: a transaction running anywhere on the server (other suites share it) holds the
 * readable log back. Waits until all `count` events are readable, then seals.
 */
async function sealEverything(fixture: Fixture, count: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  while ((await fixture.port.readAll({ maxCount: count + 10 })).events.length < count) {
    if (Date.now() > deadline) throw new Error(`fewer than ${count} events readable after a minute`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  expect(await fixture.sealer.sealNow()).toMatchObject({ eventCount: count });
}

let f: Fixture;
beforeEach(async () => {
  f = await setUp();
  await sealedHistory(f);
});
afterEach(() => tearDown(f));

const chainsAlone = async () => (await f.events.verifyAll()).ok;

async function waitReadable(count: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  while ((await f.port.readAll({ maxCount: count + 10 })).events.length < count && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('the sealed log', () => {
  test('verifies, names its latest seal and counts what came after it; the seal is also a witness file', async () => {
    await waitReadable(9);
    const report = await f.integrity.verifyAll();
    expect(report).toMatchObject({ ok: true, breaks: [] });
    const latest = await f.integrity.latestSeal();
    expect(report.latestSeal).toEqual(latest);
    // The key adoption and the seal itself came after what the seal covers.
    expect(latest!.eventCount).toBe(7);
    expect(report.unsealedEvents).toBe(2);
    expect(report.verifiedEvents).toBe(9);
    const files = await readdir(f.witnessDir);
    expect(files).toHaveLength(1);
    expect(JSON.parse(await readFile(join(f.witnessDir, files[0]!), 'utf8'))).toMatchObject({ rootHash: latest!.rootHash });
    const keys = await f.integrity.sealKeys();
    expect(keys).toEqual([expect.objectContaining({ keyId: latest!.keyId, algorithm: 'Ed25519' })]);
    // Nothing but the seal arrived since: no new seal.
    expect(await f.sealer.sealNow()).toBeUndefined();
  });

  test('(a) an event edited and its chain recomputed with the service own hash function: HASH_MISMATCH', async () => {
    const rows = await f.pool.query<{ id: string; rev: string; type: string; metadata: string }>(
      `SELECT event_id::text AS id, stream_revision::text AS rev, event_type AS type, metadata::text AS metadata
         FROM es_events WHERE stream_id = 'moderation_case-case-a' ORDER BY stream_revision`,
    );
    let previous = ZERO_HASH;
    for (const row of rows.rows) {
      const data = Number(row.rev) === 1 ? '{"note":"rewritten by the administrator"}' : undefined;
      const current = await f.pool.query<{ data: string }>(
        `SELECT data::text AS data FROM es_events WHERE stream_id = 'moderation_case-case-a' AND stream_revision = $1`,
        [row.rev],
      );
      const text = data ?? current.rows[0]!.data;
      const blanked = row.metadata.slice(0, -'"}'.length - 64) + ZERO_HASH + '"}';
      const hash = computeEventHash(
        previous,
        { id: row.id, streamId: 'moderation_case-case-a', revision: Number(row.rev), type: row.type, data: text },
        blanked,
      );
      await f.pool.query(
        `UPDATE es_events SET data = $1::json, metadata = $2::json WHERE stream_id = 'moderation_case-case-a' AND stream_revision = $3`,
        [text, blanked.slice(0, -'"}'.length - 64) + hash + '"}', row.rev],
      );
      previous = hash;
    }
    expect(await chainsAlone()).toBe(true);
    const report = await f.integrity.verifyAll();
    expect(report.ok).toBe(false);
    expect(report.breaks).toEqual([
      expect.objectContaining({
        kind: 'HASH_MISMATCH',
        streamId: 'moderation_case-case-a',
        revision: 2,
        detail: expect.stringMatching(/recomputed/),
      }),
    ]);
    expect((await f.integrity.verifyStream('moderation_case-case-a'))!.breaks).toEqual([
      expect.objectContaining({ kind: 'HASH_MISMATCH' }),
    ]);
  });

  test('(b) the last event of a case stream deleted: TRUNCATED_STREAM', async () => {
    await f.pool.query(`DELETE FROM es_events WHERE stream_id = 'moderation_case-case-b' AND stream_revision = 2`);
    expect(await chainsAlone()).toBe(true);
    const report = await f.integrity.verifyAll();
    expect(report.breaks).toEqual([expect.objectContaining({ kind: 'TRUNCATED_STREAM', streamId: 'moderation_case-case-b', revision: 2 })]);
    expect((await f.integrity.verifyStream('moderation_case-case-b'))!.breaks).toEqual([
      expect.objectContaining({ kind: 'TRUNCATED_STREAM' }),
    ]);
  });

  test('(c) a whole group stream deleted: MISSING_STREAM, and the stream check says so instead of "not found"', async () => {
    await f.pool.query(`DELETE FROM es_events WHERE stream_id = 'group-g1'`);
    await f.pool.query(`DELETE FROM es_streams WHERE stream_id = 'group-g1'`);
    expect(await chainsAlone()).toBe(true);
    const report = await f.integrity.verifyAll();
    expect(report.breaks).toEqual([expect.objectContaining({ kind: 'MISSING_STREAM', streamId: 'group-g1', revision: 0 })]);
    expect((await f.integrity.verifyStream('group-g1'))!.breaks).toEqual([expect.objectContaining({ kind: 'MISSING_STREAM' })]);
    expect(await f.integrity.verifyStream('group-never-was')).toBeUndefined();
  });

  test("(d) an event's recorded_at moved 300 days back: HASH_MISMATCH on its recorded time", async () => {
    await f.pool.query(
      `UPDATE es_events SET recorded_at = recorded_at - interval '300 days' WHERE stream_id = 'moderation_case-case-a' AND stream_revision = 0`,
    );
    expect(await chainsAlone()).toBe(true);
    const report = await f.integrity.verifyAll();
    expect(report.breaks).toEqual([
      expect.objectContaining({
        kind: 'HASH_MISMATCH',
        streamId: 'moderation_case-case-a',
        detail: expect.stringMatching(/recorded time/),
      }),
    ]);
  });

  test("two events' log positions swapped: REORDERED", async () => {
    await f.pool.query(
      `WITH pair AS (
         SELECT (SELECT transaction_id FROM es_events WHERE stream_id = 'moderation_case-case-a' AND stream_revision = 2) AS a,
                (SELECT transaction_id FROM es_events WHERE stream_id = 'moderation_case-case-b' AND stream_revision = 0) AS b)
       UPDATE es_events e SET transaction_id = CASE WHEN e.transaction_id = pair.a THEN pair.b ELSE pair.a END
         FROM pair WHERE e.transaction_id IN (pair.a, pair.b)`,
    );
    expect(await chainsAlone()).toBe(true);
    const report = await f.integrity.verifyAll();
    expect(report.ok).toBe(false);
    expect(report.breaks.map((b) => b.kind)).toContain('REORDERED');
    expect(report.breaks.every((b) => b.kind === 'REORDERED')).toBe(true);
  });

  test('an event deleted from the middle of a stream: MISSING_EVENT', async () => {
    await f.pool.query(`DELETE FROM es_events WHERE stream_id = 'moderation_case-case-a' AND stream_revision = 1`);
    const report = await f.integrity.verifyAll();
    expect(report.breaks).toEqual([expect.objectContaining({ kind: 'MISSING_EVENT', streamId: 'moderation_case-case-a', revision: 2 })]);
  });

  test("a seal's signature replaced: BAD_SEAL", async () => {
    await f.pool.query(
      `UPDATE es_events SET data = jsonb_set(data::jsonb, '{signature}', to_jsonb(repeat('A', 86)))::json WHERE stream_id = 'log_seal-seals'`,
    );
    const report = await f.integrity.verifyAll();
    expect(report.breaks.map((b) => b.kind)).toContain('BAD_SEAL');
    expect(report.latestSeal).toBeNull();
  });

  test('erasure (crypto-shredding) still verifies, before and after the next seal', async () => {
    await f.events.append('member-m1', [{ type: 'StatementGiven', data: { memberId: 'm1', statement: 'personal words' } }], {
      expectedRevision: 'no_stream',
      metadata: metadata(),
    });
    await sealEverything(f, 10);
    await f.events.forgetSubject('member-m1');
    const report = await f.integrity.verifyAll();
    expect(report).toMatchObject({ ok: true, breaks: [] });
    expect(report.latestSeal!.eventCount).toBe(10);
  });

  test('key rotation: a new key id signs from then on; the retired key stays listed and its seals still verify', async () => {
    const oldKeyId = (await f.integrity.latestSeal())!.keyId;
    const otherDir = await mkdtemp(join(tmpdir(), 'seal-key-rotated-'));
    try {
      const rotated = await createLogIntegrity({
        config: { enabled: true, privateKeyFile: undefined, intervalMs: 60_000, everyEvents: 10_000, witnessDir: undefined },
        dataDir: otherDir,
        store: f.port,
        events: f.events,
        pool: f.pool,
        clock: { now: () => new Date() },
      });
      await f.events.append('group-g2', [{ type: 'GroupCreated', data: { name: 'Group two' } }], {
        expectedRevision: 'no_stream',
        metadata: metadata(),
      });
      const deadline = Date.now() + 60_000;
      let seal;
      while (!(seal = await rotated.sealer!.sealNow()) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(seal!.keyId).not.toBe(oldKeyId);
      const keys = await rotated.integrity.sealKeys();
      expect(keys.map((key) => key.keyId)).toEqual([seal!.keyId, oldKeyId]);
      const report = await rotated.integrity.verifyAll();
      expect(report).toMatchObject({ ok: true, breaks: [] });
      expect(report.latestSeal!.keyId).toBe(seal!.keyId);
    } finally {
      await rm(otherDir, { recursive: true, force: true });
    }
  });

  test('seals deleted from the database (all of them) still count through their witness copies', async () => {
    await f.pool.query(`DELETE FROM es_events WHERE stream_id = 'log_seal-seals'`);
    await f.pool.query(`DELETE FROM es_streams WHERE stream_id = 'log_seal-seals'`);
    await f.pool.query(
      `UPDATE es_events SET recorded_at = recorded_at - interval '300 days' WHERE stream_id = 'moderation_case-case-b' AND stream_revision = 1`,
    );
    // Without the witness directory the log looks merely unsealed.
    expect(await new LogIntegrity(f.port, f.events, undefined).verifyAll()).toMatchObject({ ok: true, latestSeal: null });
    const report = await f.integrity.verifyAll();
    expect(report.breaks).toEqual([
      expect.objectContaining({
        kind: 'MISSING_EVENT',
        streamId: 'log_seal-seals',
        detail: expect.stringMatching(/witness directory but not in the log/),
      }),
      expect.objectContaining({
        kind: 'HASH_MISMATCH',
        streamId: 'moderation_case-case-b',
        detail: expect.stringMatching(/recorded time/),
      }),
    ]);
  });
});
