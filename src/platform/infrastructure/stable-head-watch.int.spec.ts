import pg from 'pg';
import { createTestDatabase, eventually, type TestDatabase } from '#testing';
import { StableHeadWatch, type StableHeadHolder } from './stable-head-watch.ts';

// A write transaction left open in *another* database of the same server holds back the service's stable head: the
// watch reports it, naming the holder, once the head has stood still past the threshold while later transactions
// committed, and says when it moves again. The hold is kept short: the suites running beside this one share the
// server, and their readers wait for it too.

describe('the stable head watch', () => {
  let ours: TestDatabase;
  let theirs: TestDatabase;
  let pool: pg.Pool;

  beforeAll(async () => {
    [ours, theirs] = await Promise.all([createTestDatabase('stable_head_ours'), createTestDatabase('stable_head_theirs')]);
    pool = new pg.Pool({ connectionString: ours.url, max: 2 });
  });
  afterAll(async () => {
    await pool?.end();
    await Promise.all([ours?.drop(), theirs?.drop()]);
  });

  test("another database's open transaction is reported with who holds it, and its end too", async () => {
    let now = 0;
    const held: StableHeadHolder[] = [];
    const released: number[] = [];
    const watch = new StableHeadWatch(
      pool,
      { intervalMs: 1_000, thresholdMs: 1_000, onHeld: (h) => held.push(h), onReleased: (ms) => released.push(ms) },
      () => now,
    );
    const commitOne = () => pool.query('SELECT pg_current_xact_id()'); // a transaction with an id, committed at once
    const holder = new pg.Client({ connectionString: theirs.url, application_name: 'nightly-batch' });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      const { rows } = await holder.query<{ xid: string }>('SELECT pg_current_xact_id()::text AS xid');
      const holderPid = (await holder.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
      // Transactions older than it (other suites') end soon; from then on it is the oldest one running.
      await eventually(async () => {
        const { rows: head } = await pool.query<{ xmin: string }>('SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xmin');
        expect(head[0]!.xmin).toBe(rows[0]!.xid);
      }, 5_000);

      await watch.look();
      await commitOne();
      now = 999;
      await watch.look();
      expect(held).toEqual([]); // not yet past the threshold

      now = 1_001;
      await commitOne();
      await watch.look();
      expect(held).toEqual([
        expect.objectContaining({
          heldForMs: 1_001,
          pid: holderPid,
          database: theirs.name,
          application: 'nightly-batch',
          state: 'idle in transaction',
        }),
      ]);
      expect(held[0]!.transactionAgeMs).toBeGreaterThanOrEqual(0);

      now = 2_000;
      await commitOne();
      await watch.look();
      expect(held).toHaveLength(1); // said once, not at every look
    } finally {
      await holder.query('COMMIT');
      await holder.end();
    }
    now = 2_500;
    await commitOne();
    await watch.look();
    expect(released).toEqual([2_500]);
  });
});
