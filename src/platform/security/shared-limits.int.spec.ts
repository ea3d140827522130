import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '#testing';
import { ensureSharedLimitsSchema } from './shared-limits-schema.ts';
import { SharedRateLimiter } from './shared-rate-limiter.ts';
import { SharedSubscriptionLimiter } from './shared-subscription-limiter.ts';

/** Two instances are two pools on one database: nothing in memory is shared between these limiters. */
describe('limits shared by every instance (PostgreSQL)', () => {
  let database: TestDatabase;
  const pools: pg.Pool[] = [];
  const open = (url: string) => {
    const pool = new pg.Pool({ connectionString: url, max: 3 });
    pools.push(pool);
    return pool;
  };
  /** Each limiter keeps its state in memory: a new one on either pool is one more instance. */
  const instancePools: pg.Pool[] = [];
  let turn = 0;
  const newPool = () => instancePools[turn++ % 2]!;
  let admin: pg.Pool;

  beforeAll(async () => {
    database = await createTestDatabase('shared_limits');
    admin = open(database.url);
    instancePools.push(open(database.url), open(database.url));
    await ensureSharedLimitsSchema(admin);
    // A second instance starting changes nothing.
    await ensureSharedLimitsSchema(instancePools[0]!);
  });
  afterAll(async () => {
    await Promise.all(pools.map((pool) => pool.end()));
    await database?.drop();
  });

  describe('SharedRateLimiter', () => {
    test("one bucket per key across instances: a minute's worth in all, then refused with the time until the next", async () => {
      const [a, b] = [new SharedRateLimiter(6, newPool()), new SharedRateLimiter(6, newPool())];
      const answers = [];
      for (let i = 0; i < 6; i++) answers.push(await (i % 2 ? a : b).take('member:shared'));
      expect(answers.map((answer) => answer.allowed)).toEqual([true, true, true, true, true, true]);
      expect(answers.map((answer) => answer.remaining)).toEqual([5, 4, 3, 2, 1, 0]);
      // One request every 10 s: the next is 10 s away (a moment less, since the first was taken).
      expect(await a.take('member:shared')).toEqual({ allowed: false, remaining: 0, retryAfterSeconds: 10 });
      expect(await b.take('member:shared')).toMatchObject({ allowed: false, retryAfterSeconds: 10 });
      // Another key is not affected.
      expect((await a.take('member:other')).allowed).toBe(true);
    });

    test('concurrent requests from both instances: exactly the allowance passes', async () => {
      const [a, b] = [new SharedRateLimiter(20, newPool()), new SharedRateLimiter(20, newPool())];
      const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => (i % 2 ? a : b).take('member:race')));
      expect(answers.filter((answer) => answer.allowed)).toHaveLength(20);
    });

    test('the bucket refills at the rate, never beyond a minute’s worth; full buckets are swept', async () => {
      const limiter = new SharedRateLimiter(6, newPool());
      for (let i = 0; i < 6; i++) await limiter.take('member:refill');
      // 25 s pass (moved in the row: the database's clock decides): two requests' worth, and no more.
      await admin.query(`UPDATE rate_limit_buckets SET full_at = full_at - interval '25 s' WHERE key = 'member:refill'`);
      const fresh = new SharedRateLimiter(6, newPool());
      expect((await fresh.take('member:refill')).allowed).toBe(true);
      expect((await fresh.take('member:refill')).allowed).toBe(true);
      expect(await fresh.take('member:refill')).toMatchObject({ allowed: false, retryAfterSeconds: 5 });
      // An hour idle: full again, not more.
      await admin.query(`UPDATE rate_limit_buckets SET full_at = now() - interval '1 hour' WHERE key = 'member:refill'`);
      const later = new SharedRateLimiter(6, newPool());
      for (let i = 0; i < 6; i++) expect((await later.take('member:refill')).allowed).toBe(true);
      expect((await later.take('member:refill')).allowed).toBe(false);
      await admin.query(`UPDATE rate_limit_buckets SET full_at = now() - interval '1 s' WHERE key = 'member:refill'`);
      expect(await later.sweep()).toBeGreaterThanOrEqual(1);
      expect((await admin.query(`SELECT 1 FROM rate_limit_buckets WHERE key = 'member:refill'`)).rowCount).toBe(0);
    });

    test('a key refused once is refused locally until its bucket could allow one: no statement per refused request', async () => {
      const pool = open(database.url);
      const limiter = new SharedRateLimiter(1, pool);
      expect((await limiter.take('address:flood')).allowed).toBe(true);
      expect((await limiter.take('address:flood')).allowed).toBe(false);
      let statements = 0;
      const query = pool.query.bind(pool);
      pool.query = ((...args: Parameters<typeof query>) => (statements++, query(...args))) as typeof pool.query;
      for (let i = 0; i < 100; i++) expect(await limiter.take('address:flood')).toMatchObject({ allowed: false, retryAfterSeconds: 60 });
      expect(statements).toBe(0);
    });

    test('fails open to a bucket of its own when the database does not answer', async () => {
      const pool = open(database.url.replace(/\/[^/]+$/, '/no_such_database'));
      const limiter = new SharedRateLimiter(3, pool);
      const answers = [];
      for (let i = 0; i < 4; i++) answers.push((await limiter.take('member:outage')).allowed);
      expect(answers).toEqual([true, true, true, false]);
    });
  });

  describe('SharedSubscriptionLimiter', () => {
    const started: SharedSubscriptionLimiter[] = [];
    const instance = async (max: number) => {
      const limiter = new SharedSubscriptionLimiter(max, newPool());
      await limiter.start();
      started.push(limiter);
      return limiter;
    };
    afterEach(async () => {
      await Promise.all(started.splice(0).map((limiter) => limiter.stop()));
    });
    const rowsOf = async (key: string) =>
      Number((await admin.query<{ n: string }>('SELECT count(*) AS n FROM live_subscriptions WHERE key = $1', [key])).rows[0]!.n);
    const eventually = async (check: () => Promise<boolean>) => {
      for (const deadline = Date.now() + 5_000; !(await check());) {
        if (Date.now() > deadline) throw new Error('not within 5 s');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };

    test('the cap counts every instance; a subscription ended on one frees a place on the other', async () => {
      const [a, b] = [await instance(2), await instance(2)];
      const [onA, onB] = [{}, {}];
      expect(await a.acquire(onA, '1', 'member:x')).toBe(true);
      expect(await b.acquire(onB, '1', 'member:x')).toBe(true);
      expect(await b.acquire(onB, '2', 'member:x')).toBe(false);
      expect(await a.acquire(onA, '2', 'member:x')).toBe(false);
      expect(await a.acquire(onA, '2', 'member:y')).toBe(true);
      a.release(onA, '1');
      await eventually(async () => (await rowsOf('member:x')) === 1);
      expect(await b.acquire(onB, '2', 'member:x')).toBe(true);
      b.releaseAll(onB);
      a.releaseAll(onA);
      await eventually(async () => (await rowsOf('member:x')) + (await rowsOf('member:y')) === 0);
    });

    test('concurrent starts on both instances: exactly the cap is admitted', async () => {
      const [a, b] = [await instance(5), await instance(5)];
      const answers = await Promise.all(Array.from({ length: 16 }, (_, i) => (i % 2 ? a : b).acquire({}, String(i), 'member:race')));
      expect(answers.filter(Boolean)).toHaveLength(5);
      expect(await rowsOf('member:race')).toBe(5);
    });

    test('an instance that died holds no place: its session is gone, so its rows stop counting at once and are deleted', async () => {
      const [dying, b] = [await instance(2), await instance(2)];
      expect(await dying.acquire({}, '1', 'member:z')).toBe(true);
      expect(await dying.acquire({}, '2', 'member:z')).toBe(true);
      expect(await b.acquire({}, '1', 'member:z')).toBe(false);
      // Its session ends without a word (as when the process is killed): the rows stay behind.
      await (dying as unknown as { session: { close(): Promise<void> } }).session.close();
      expect(await rowsOf('member:z')).toBe(2);
      await eventually(async () => b.acquire({}, '2', 'member:z'));
      expect(await rowsOf('member:z')).toBe(1);
    });

    test('a lost session reconnects and holds its live subscriptions again under the new one', async () => {
      const [a, b] = [await instance(1), await instance(1)];
      expect(await a.acquire({}, '1', 'member:w')).toBe(true);
      const session = (a as unknown as { session: { identity?: { pid: number } } }).session;
      const before = session.identity!.pid;
      await admin.query('SELECT pg_terminate_backend($1)', [before]);
      await eventually(async () => session.identity !== undefined && session.identity.pid !== before);
      await a.reconcile();
      const holders = await admin.query<{ holder_pid: number }>(`SELECT holder_pid FROM live_subscriptions WHERE key = 'member:w'`);
      expect(holders.rows).toEqual([{ holder_pid: session.identity!.pid }]);
      expect(await b.acquire({}, '1', 'member:w')).toBe(false);
    });
  });
});
