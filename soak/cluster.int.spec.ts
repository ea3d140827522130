import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { ProjectionLocks } from './cluster.ts';
import { cleanUp, withClient } from './harness.ts';
import { delay, now } from './util.ts';

/**
 * The multi-instance soak reads who runs a projection from pg_locks (the runner's session advisory lock
 * `hashtext('projection:<name>')`) and which instance that is from the session's application name. Checked on a real
 * server with sessions that take and drop the locks as runners do, including a key whose hash is negative (its high
 * half shows as 4294967295 in pg_locks.classid).
 */
describe('ProjectionLocks (pg_locks as the multi-instance soak reads it)', () => {
  const server = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const name = `soak_locks_${randomBytes(4).toString('hex')}`;
  const url = Object.assign(new URL(server), { pathname: `/${name}` }).toString();
  const sessions: pg.Client[] = [];
  let locks: ProjectionLocks;

  /** A runner's lock session, as an instance started with PGAPPNAME=soak-<instance> opens it. */
  const runner = async (instance: string, projection: string): Promise<pg.Client> => {
    const client = new pg.Client({ connectionString: url, application_name: `soak-${instance}` });
    client.on('error', () => undefined);
    await client.connect();
    sessions.push(client);
    const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS ok', [`projection:${projection}`]);
    expect(rows[0]!.ok).toBe(true);
    return client;
  };

  beforeAll(async () => {
    await withClient(server, (c) => c.query(`CREATE DATABASE ${name}`));
    await withClient(url, async (c) => {
      await c.query(`CREATE TABLE projection_generations (name text NOT NULL, generation int NOT NULL, status text NOT NULL)`);
      // 'members' hashes negative, 'alpha' positive: both halves of the key must be put back together right.
      await c.query(`INSERT INTO projection_generations VALUES ('members', 1, 'active'), ('alpha', 1, 'active'), ('gone', 1, 'retired')`);
      const { rows } = await c.query<{ m: number; a: number }>(
        `SELECT hashtext('projection:members') AS m, hashtext('projection:alpha') AS a`,
      );
      expect(rows[0]!.m).toBeLessThan(0);
      expect(rows[0]!.a).toBeGreaterThan(0);
    });
    locks = new ProjectionLocks(url);
  });

  afterAll(async () => {
    await Promise.all(sessions.map((s) => s.end().catch(() => undefined)));
    await cleanUp();
    await withClient(server, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  });

  it('names the instance holding each active projection, and none for a free one', async () => {
    const members = await runner('instance-1', 'members');
    // Another lock of the same session, not a projection's, is not mistaken for one.
    await members.query(`SELECT pg_advisory_lock(hashtext('integrity-sealer'))`);
    const holders = await locks.holders();
    expect([...holders.keys()].sort()).toEqual(['alpha', 'members']);
    expect(holders.get('members')).toEqual({ pid: expect.any(Number), instance: 'instance-1' });
    expect(holders.get('alpha')).toBeNull();
    expect([...(await locks.heldBy('instance-1')).keys()]).toEqual(['members']);
    expect((await locks.heldBy('instance-2')).size).toBe(0);
    await members.end();
  });

  it('measures how long a projection was without a runner: from the kill until another session holds its lock', async () => {
    const old = await runner('instance-1', 'members');
    const other = await runner('instance-3', 'alpha');
    const held = await locks.heldBy('instance-1');
    const killedAt = now();
    const watching = locks.watchTakeover(held, killedAt, 5_000);
    await old.end(); // the lock goes with the session, as with a killed instance's connection
    await delay(400);
    await runner('instance-2', 'members');
    const takeover = await watching;
    expect(takeover.notTakenOver).toEqual([]);
    expect(Object.keys(takeover.projections)).toEqual(['members']);
    expect(takeover.projections.members!.takenBy).toBe('instance-2');
    expect(takeover.maxWithoutRunnerMs).toBeGreaterThanOrEqual(400);
    expect(takeover.maxWithoutRunnerMs).toBeLessThan(2_000);
    await other.end();
  });

  it('says which projections nobody took over within the time given', async () => {
    await runner('instance-1', 'alpha');
    const held = await locks.heldBy('instance-1');
    expect([...held.keys()]).toEqual(['alpha']);
    const watching = locks.watchTakeover(held, now(), 600);
    await sessions.at(-1)!.end();
    const takeover = await watching;
    expect(takeover.notTakenOver).toEqual(['alpha']);
    expect(takeover.maxWithoutRunnerMs).toBeNull();
    expect(takeover.projections.alpha).toEqual({ withoutRunnerMs: null, takenBy: null });
  });
});
