import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { positionToString, START, type EventToAppend } from '#event-store';
import {
  EventLogMismatchError,
  ProjectionRunner,
  ProjectionTimeoutError,
  UnknownProjectionError,
  type ProjectionDefinition,
} from '#projections';
import { createTestDatabase, eventually, type TestDatabase } from '#testing';
import { PostgresEventStore } from '#event-store/postgres';
import { countingProjection } from './fixtures/counting-projection.ts';

const event = (type = 'Counted'): EventToAppend => ({ id: randomUUID(), type, data: '{}', metadata: '{}' });

describe('projection runner', () => {
  let database: TestDatabase;
  let store: PostgresEventStore;
  let pool: pg.Pool;
  const runners: ProjectionRunner[] = [];

  beforeEach(async () => {
    database = await createTestDatabase('projections');
    store = await PostgresEventStore.create({ connectionString: database.url, subscriptionPollMs: 50 });
    pool = new pg.Pool({ connectionString: database.url });
  });
  afterEach(async () => {
    await Promise.all(runners.splice(0).map((r) => r.stop()));
    await store.close();
    await pool.end();
    await database.drop();
  });

  async function runner(options: Parameters<typeof countingProjection>[0] = {}) {
    const created = await ProjectionRunner.create({
      store,
      pool,
      projections: [countingProjection(options)],
      standbyRetryMs: 50,
      failureRetryMs: 60_000,
    });
    runners.push(created);
    return created;
  }
  const counts = async (table = 'read_models.stream_counts') =>
    Object.fromEntries(
      (await pool.query<{ stream_id: string; events: number }>(`SELECT * FROM ${table} ORDER BY stream_id`)).rows.map((r) => [
        r.stream_id,
        r.events,
      ]),
    );
  const appliedLog = async () =>
    (
      await pool.query<{ n: number; distinct: number }>(
        'SELECT count(*)::int AS n, count(DISTINCT event_id)::int AS distinct FROM read_models.applied_log',
      )
    ).rows[0]!;

  test('applies events to read models and answers waitForPosition once they are visible', async () => {
    const r = await runner({});
    r.start();
    await store.appendToStream('member-a', [event(), event()], 'no_stream');
    const { position } = await store.appendToStream('member-b', [event()], 'no_stream');
    await r.waitForPosition(position);
    expect(await counts()).toEqual({ 'member-a': 2, 'member-b': 1 });
    const [status] = await r.status();
    expect(status).toMatchObject({ name: 'stream_counts', state: 'running', lag: 0, generation: 1, error: null });
  });

  test('initialise makes the read models queryable before any event is processed, once across runners', async () => {
    const a = await runner({});
    const b = await runner({});
    await Promise.all([a.initialise(), b.initialise()]);
    expect(await counts()).toEqual({});
    const generations = await pool.query('SELECT generation FROM projection_generations');
    expect(generations.rows).toEqual([{ generation: 1 }]);
  });

  test('waitForPosition times out with a typed error when the projection is not running', async () => {
    const r = await runner({});
    const { position } = await store.appendToStream('member-a', [event()], 'no_stream');
    await expect(r.waitForPosition(position, undefined, 200)).rejects.toBeInstanceOf(ProjectionTimeoutError);
    const [status] = await r.status();
    expect(status?.lag).toBe(1);
  });

  test('one runner per projection across runners: the second stands by and takes over, nothing applied twice', async () => {
    const first = await runner({});
    const second = await runner({});
    first.start();
    second.start();
    for (let i = 0; i < 20; i++) await store.appendToStream(`member-${i % 3}`, [event()], 'any');
    await first.waitForPosition(await store.headPosition());
    await first.stop();
    for (let i = 0; i < 10; i++) await store.appendToStream(`member-${i % 3}`, [event()], 'any');
    await second.waitForPosition(await store.headPosition(), undefined, 10_000);
    expect(await appliedLog()).toEqual({ n: 30, distinct: 30 });
    expect(Object.values(await counts()).reduce((a, b) => a + b, 0)).toBe(30);
  });

  test('a runner whose checkpoint another one moved meanwhile applies nothing of its batch, then goes on from there', async () => {
    const r = await runner({});
    r.start();
    const e1 = event();
    const e2 = event();
    const { position: second } = await store.appendToStream('member-x', [e1, e2], 'no_stream');
    await r.waitForPosition(second);

    // Hold the checkpoint's row, so the runner's next batch waits at its guarded advance; meanwhile the checkpoint
    // moves past that batch, as when another runner took over and applied it.
    const holder = await pool.connect();
    try {
      await holder.query('BEGIN');
      await holder.query(`SELECT 1 FROM projection_generations WHERE name = 'stream_counts' AND status = 'active' FOR UPDATE`);
      const e3 = event();
      const { position: third } = await store.appendToStream('member-x', [e3], 1);
      await eventually(async () => {
        const { rows } = await pool.query(
          `SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%UPDATE projection_generations%'`,
        );
        expect(rows).toHaveLength(1);
      });
      await holder.query(`UPDATE projection_generations SET checkpoint = $1 WHERE name = 'stream_counts' AND status = 'active'`, [
        positionToString(third),
      ]);
      await holder.query('COMMIT');

      const e4 = event();
      const { position: fourth } = await store.appendToStream('member-x', [e4], 2);
      await r.waitForPosition(fourth, undefined, 10_000);
      const applied = await pool.query<{ event_id: string }>('SELECT event_id FROM read_models.applied_log');
      expect(applied.rows.map((row) => row.event_id).sort()).toEqual([e1.id, e2.id, e4.id].sort());
      expect(await counts()).toEqual({ 'member-x': 3 });
    } finally {
      await holder.query('ROLLBACK').catch(() => undefined);
      holder.release();
    }
  });

  test('a failing event stops the projection at that event, with the error in its status', async () => {
    const r = await runner({ failOn: (e) => e.type === 'Poison' });
    for (let i = 0; i < 5; i++) await store.appendToStream('member-p', [event()], 'any');
    const { position } = await store.appendToStream('member-p', [event('Poison')], 'any');
    await store.appendToStream('member-p', [event()], 'any');
    const [poison] = await store.readStream('member-p', { fromRevision: 5, maxCount: 1 });
    r.start();
    const status = await eventually(async () => {
      const [s] = await r.status();
      expect(s?.state).toBe('failed');
      // The recorded failure, not a moment of 'failed' while the pool could not connect (seen under load: the state
      // said failed before the poison was reached, with no error and no event).
      expect(s?.error).toBeTruthy();
      return s!;
    });
    expect(status.failedEventId).toBe(poison!.id);
    expect(status.failedPosition).toBe(`${position.commit}:${position.prepare}`);
    expect(status.error).toContain('refusing event Poison');
    expect(await counts()).toEqual({ 'member-p': 5 }); // everything before the poison, nothing after
    // What /health/ready reads: the same failure, without counting any lag.
    expect(await r.failures()).toEqual([{ name: 'stream_counts', error: status.error }]);
  });

  test('a new version rebuilds into fresh tables while the old ones keep serving, then swaps in', async () => {
    const v1 = await runner({ version: 1 });
    v1.start();
    await store.appendToStream('member-x', [event(), event()], 'no_stream');
    await v1.waitForPosition(await store.headPosition());
    await v1.stop();

    // Version 2 counts double and is slow, so the rebuild is observably in progress.
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const v2definition = countingProjection({ version: 2, weight: 2 });
    const slowV2 = {
      ...v2definition,
      apply: async (...args: Parameters<typeof v2definition.apply>) => {
        await gate;
        return v2definition.apply(...args);
      },
    };
    const v2 = await ProjectionRunner.create({ store, pool, projections: [slowV2], standbyRetryMs: 50 });
    runners.push(v2);
    v2.start();
    await eventually(async () => expect((await v2.status())[0]?.state).toBe('rebuilding'));
    expect(await counts()).toEqual({ 'member-x': 2 }); // the old generation serves meanwhile

    release();
    await eventually(async () => {
      const [s] = await v2.status();
      expect(s).toMatchObject({ version: 2, generation: 2, state: 'running', rebuild: null });
    });
    expect(await counts()).toEqual({ 'member-x': 4 });
    await store.appendToStream('member-x', [event()], 1);
    await v2.waitForPosition(await store.headPosition());
    expect(await counts()).toEqual({ 'member-x': 6 });
    const schemas = await pool.query(`SELECT nspname FROM pg_namespace WHERE nspname LIKE 'proj_stream_counts_%' ORDER BY 1`);
    expect(schemas.rows.map((r) => r.nspname)).toEqual(['proj_stream_counts_g2']);
  });

  test('a rebuild of the same version on request replaces the tables without going offline', async () => {
    const r = await runner({});
    r.start();
    await store.appendToStream('member-r', [event(), event(), event()], 'no_stream');
    await r.waitForPosition(await store.headPosition());
    await pool.query('UPDATE read_models.stream_counts SET events = 99'); // damage the read model by hand
    await r.requestRebuild('stream_counts');
    await eventually(async () => expect((await r.status())[0]).toMatchObject({ generation: 2, state: 'running' }));
    expect(await counts()).toEqual({ 'member-r': 3 });
    await expect(r.requestRebuild('nope')).rejects.toThrow(new UnknownProjectionError('nope'));
    await expect(r.requestRebuild('nope')).rejects.toBeInstanceOf(UnknownProjectionError);
  });

  test('a rebuild requested through another instance is started by the one holding the projection, within seconds', async () => {
    const holder = await runner({});
    holder.start();
    await store.appendToStream('member-r', [event(), event()], 'no_stream');
    await holder.waitForPosition(await store.headPosition());
    const other = await runner({});
    other.start();
    // Every instance reports the holder's state (not its own standby).
    await eventually(async () => expect((await other.status())[0]).toMatchObject({ state: 'running', runner: expect.any(String) }));
    await pool.query('UPDATE read_models.stream_counts SET events = 99'); // damage the read model by hand
    // The request reaches the database and this instance's worker only: the holder, busy following the log, has to
    // find it there (before, it looked only when its cycle started again, which a live projection may never do).
    await other.requestRebuild('stream_counts');
    await eventually(async () => expect((await holder.status())[0]).toMatchObject({ generation: 2, state: 'running' }), 10_000);
    expect(await counts()).toEqual({ 'member-r': 2 });
  });

  test('killed with SIGKILL mid-batch again and again, it neither loses nor repeats an effect', async () => {
    const streams = 200;
    const perStream = 10;
    for (let s = 0; s < streams; s++)
      await store.appendToStream(
        `member-${s}`,
        Array.from({ length: perStream }, () => event()),
        'no_stream',
      );
    const total = streams * perStream;

    const progress: number[] = [];
    for (let kill = 0; kill < 6; kill++) {
      const child = startChild(database.url, 0.03);
      await waitForOutput(child, 'started');
      await new Promise((resolve) => setTimeout(resolve, 150 + Math.random() * 250));
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));
      const log = await pool
        .query<{ n: number }>('SELECT count(*)::int AS n FROM read_models.applied_log')
        .catch(() => ({ rows: [{ n: 0 }] }));
      progress.push(log.rows[0]!.n);
    }
    // The kills landed while the work was under way, not before it started or after it ended.
    expect(progress.some((n) => n > 0 && n < total)).toBe(true);

    const finisher = await runner({});
    finisher.start();
    await finisher.waitForPosition(await store.headPosition(), undefined, 30_000);
    expect(await appliedLog()).toEqual({ n: total, distinct: total });
    const final = await counts();
    expect(Object.keys(final)).toHaveLength(streams);
    expect(Object.values(final).every((n) => n === perStream)).toBe(true);
  }, 120_000);

  test('a pool whose connections are all held by projection locks but one still makes progress when deserialising uses it', async () => {
    // Each projection holds a connection for its lock, so one is left for the batches and for deserialize, which reads
    // through the same pool (the service decrypts personal data with keys kept there). A batch that took its connection
    // before deserialising deadlocked here (found by the soak, with every projection rebuilding at once).
    const names = ['tight_a', 'tight_b', 'tight_c'];
    const tight = new pg.Pool({ connectionString: database.url, max: names.length + 1 });
    const r = await ProjectionRunner.create({
      store,
      pool: tight,
      projections: names.map((name) => seenProjection(name)),
      deserialize: async (recorded) => {
        await tight.query('SELECT 1');
        return recorded;
      },
      standbyRetryMs: 50,
      failureRetryMs: 60_000,
    });
    try {
      r.start();
      let position = START;
      for (let i = 0; i < 20; i++) position = (await store.appendToStream(`member-t${i}`, [event()], 'no_stream')).position;
      let timer: NodeJS.Timeout | undefined;
      const stuck = new Promise(
        (_, reject) => (timer = setTimeout(() => reject(new Error('the projections made no progress in 20 s')), 20_000)),
      );
      await Promise.race([r.waitForPosition(position, undefined, 20_000), stuck]).finally(() => clearTimeout(timer));
      for (const name of names) expect((await pool.query(`SELECT count(*)::int AS n FROM read_models.${name}`)).rows[0]).toEqual({ n: 20 });
    } finally {
      await r.stop();
      await tight.end();
    }
  });

  test('a database whose checkpoints belong to one event log refuses a runner reading another (EVENT_STORE switched)', async () => {
    const create = (eventLogIdentity: string) =>
      ProjectionRunner.create({ store, pool, projections: [countingProjection({})], eventLogIdentity }).then((r) => (runners.push(r), r));
    const first = await create('postgres');
    first.start();
    const { position } = await store.appendToStream('member-a', [event()], 'no_stream');
    await first.waitForPosition(position);
    await first.stop();
    const refused = await create('eventstoredb').then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(EventLogMismatchError);
    expect((refused as Error).message).toMatch(/built from the "postgres" event log, but this runner reads "eventstoredb"/);
    // The same log again is fine, and so is a runner that does not say.
    await expect(create('postgres')).resolves.toBeInstanceOf(ProjectionRunner);
    await expect(runner({})).resolves.toBeInstanceOf(ProjectionRunner);
  });

  test('status reports the checkpoint and lag of a projection that has not run', async () => {
    const r = await runner({});
    await store.appendToStream('member-l', [event(), event()], 'no_stream');
    const [status] = await r.status();
    expect(status).toMatchObject({ checkpoint: null, lag: 2, generation: 0 });
    expect(START).toEqual({ commit: 0n, prepare: 0n });
  });
});

/** A projection that records the id of every event it sees, in a table named after it. */
function seenProjection(name: string): ProjectionDefinition {
  return {
    name,
    version: 1,
    tables: [name],
    async setup(client, ctx) {
      await client.query(`CREATE TABLE ${ctx.table(name)} (event_id uuid PRIMARY KEY)`);
    },
    async apply(events, client, ctx) {
      await client.query(`INSERT INTO ${ctx.table(name)} SELECT unnest($1::uuid[])`, [events.map((e) => e.id)]);
    },
  };
}

function startChild(connectionString: string, sleepSeconds: number): ChildProcess {
  const script = fileURLToPath(new URL('./fixtures/crash-child.ts', import.meta.url));
  return spawn(
    process.execPath,
    ['--experimental-transform-types', '--conditions=source', '--no-warnings', script, connectionString, String(sleepSeconds)],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
}

function waitForOutput(child: ChildProcess, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      if (seen.includes(text)) resolve();
    });
    child.once('exit', (code) => reject(new Error(`child exited with ${code} before printing "${text}"`)));
  });
}
