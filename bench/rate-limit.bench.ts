/**
 * What the limits shared across instances cost a request (issue 23), on a real PostgreSQL:
 *
 *   node --experimental-transform-types --conditions=source --no-warnings bench/rate-limit.bench.ts \
 *     [--pg postgres://postgres@127.0.0.1:5432] [--requests 20000] [--concurrency 16] [--rounds 2]
 *
 * 1. "take": one rate-limit decision, alone. The per-instance bucket (memory) against the shared one (one atomic
 *    statement on rate_limit_buckets), one at a time and `--concurrency` at once on a pool of 10 (the service's write
 *    pool has room for ten besides its projections); keys spread over 1,000 members, all allowed. Then a refused key:
 *    after its first refusal the instance answers from memory until the bucket refills.
 * 2. "service": the service built and run as production runs it (bench/service.bench.ts's buildService and
 *    startService), `{ __typename }` with a member's token over HTTP, closed loop, with RATE_LIMIT_PER_MINUTE=0 (off: no
 *    statement) and 1,000,000 (on, never refusing), alternating for `--rounds`: the difference is what the shared
 *    limit adds to a request, HTTP and token verification included in both.
 * 3. "subscriptionStart": starting and ending one subscription's row (the cap across instances), one at a time.
 *
 * One JSON object on stdout, progress on stderr.
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { signDevelopmentToken } from '../src/platform/auth/development-token.ts';
import { Role } from '../src/platform/auth/role.ts';
import { RateLimiter } from '../src/platform/security/rate-limiter.ts';
import { ensureSharedLimitsSchema } from '../src/platform/security/shared-limits-schema.ts';
import { SharedRateLimiter } from '../src/platform/security/shared-rate-limiter.ts';
import { SharedSubscriptionLimiter } from '../src/platform/security/shared-subscription-limiter.ts';
import {
  addCleanup,
  createBenchDatabase,
  installSignalHandlers,
  log,
  now,
  redact,
  reportAndExit,
  resolveServer,
  stats,
  wholeNumberFlag,
} from './bench-server.ts';
import { buildService, startService } from './service.bench.ts';

const SECRET = 'bench-secret-that-is-long-enough-for-hs256-0123456789';

/** `total` calls of `one`, `concurrency` at a time; each call's latency (ms) and the calls per second. */
async function closedLoop(total: number, concurrency: number, one: (i: number) => Promise<unknown>) {
  const latencies: number[] = [];
  let next = 0;
  const started = now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        const i = next++;
        const t = now();
        await one(i);
        latencies.push(now() - t);
      }
    }),
  );
  return { ...stats(latencies), perSecond: Math.round((total / (now() - started)) * 1000) };
}

async function benchTake(url: string, requests: number, concurrency: number) {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  addCleanup(() => pool.end());
  await ensureSharedLimitsSchema(pool);
  const memory = new RateLimiter(1_000_000);
  const shared = new SharedRateLimiter(1_000_000, pool);
  const key = (i: number) => `member:m-${i % 1_000}`;
  // Warm-up: the pool's connections, the statement's plan.
  await closedLoop(2_000, concurrency, (i) => shared.take(key(i)));
  const memoryAlone = await closedLoop(requests, 1, async (i) => memory.take(key(i)));
  const sharedAlone = await closedLoop(requests, 1, (i) => shared.take(key(i)));
  const sharedConcurrent = await closedLoop(requests, concurrency, (i) => shared.take(key(i)));
  // A refused key: the first refusal asks the database, the next ones are answered from memory.
  const strict = new SharedRateLimiter(1, pool);
  await strict.take('address:flood');
  const refusedFromMemory = await closedLoop(requests, 1, () => strict.take('address:flood'));
  const rows = Number((await pool.query<{ n: string }>('SELECT count(*) AS n FROM rate_limit_buckets')).rows[0]!.n);
  return { memoryAlone, sharedAlone, sharedConcurrent: { concurrency, ...sharedConcurrent }, refusedFromMemory, bucketRows: rows };
}

async function benchService(url: string, requests: number, concurrency: number, rounds: number) {
  const build = await buildService();
  const tokens = await Promise.all(Array.from({ length: 100 }, (_, i) => signDevelopmentToken(SECRET, `m-${i}`, [Role.MEMBER])));
  const runs: { name: string; alone: ReturnType<typeof stats>; concurrent: ReturnType<typeof stats> & { perSecond: number } }[] = [];
  // Off and on alternate, so that the machine's other work weighs on both alike.
  for (let round = 0; round < rounds; round++) {
    for (const [name, perMinute] of [
      ['off', '0'],
      ['shared', '1000000'],
    ] as const) {
      const service = await startService(build, url, SECRET, [], { RATE_LIMIT_PER_MINUTE: perMinute });
      try {
        const request = (i: number) =>
          fetch(`${service.url}/graphql`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens[i % tokens.length]}` },
            body: '{"query":"{ __typename }"}',
          }).then(async (response) => {
            await response.arrayBuffer();
            if (response.status !== 200) throw new Error(`status ${response.status}`);
          });
        await closedLoop(1_000, concurrency, request);
        const alone = await closedLoop(Math.min(requests, 5_000), 1, request);
        const concurrent = await closedLoop(requests, concurrency, request);
        log(`service ${name}: alone p50 ${alone.p50Ms} ms, ${concurrency} at once p50 ${concurrent.p50Ms} ms, ${concurrent.perSecond}/s`);
        runs.push({ name, alone, concurrent });
      } finally {
        await service.stop();
      }
    }
  }
  const median = (xs: number[]) => {
    const sorted = [...xs].sort((x, y) => x - y);
    const middle = sorted.length / 2;
    return Number.isInteger(middle) ? ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2 : (sorted[Math.floor(middle)] ?? 0);
  };
  const summary = (name: string) => {
    const of = runs.filter((run) => run.name === name);
    return {
      aloneP50Ms: median(of.map((run) => run.alone.p50Ms)),
      aloneP99Ms: median(of.map((run) => run.alone.p99Ms)),
      concurrentP50Ms: median(of.map((run) => run.concurrent.p50Ms)),
      concurrentP99Ms: median(of.map((run) => run.concurrent.p99Ms)),
      concurrentPerSecond: median(of.map((run) => run.concurrent.perSecond)),
    };
  };
  const off = summary('off');
  const shared = summary('shared');
  return {
    request: '{ __typename } with a member token (HTTP, token verification, no read model)',
    concurrency,
    off,
    shared,
    addedAloneP50Ms: Math.round((shared.aloneP50Ms - off.aloneP50Ms) * 1000) / 1000,
    addedConcurrentP50Ms: Math.round((shared.concurrentP50Ms - off.concurrentP50Ms) * 1000) / 1000,
    runs,
  };
}

async function benchSubscriptionStart(url: string, starts: number) {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  addCleanup(() => pool.end());
  const limiter = new SharedSubscriptionLimiter(10, pool);
  await limiter.start();
  addCleanup(() => limiter.stop());
  const acquire = await closedLoop(starts, 1, async (i) => {
    const connection = {};
    if (!(await limiter.acquire(connection, '1', `member:m-${i % 100}`))) throw new Error('refused');
    limiter.release(connection, '1');
  });
  return { startAndRelease: acquire };
}

if (import.meta.main) {
  installSignalHandlers();
  const { values } = parseArgs({
    options: {
      pg: { type: 'string' },
      requests: { type: 'string', default: '20000' },
      concurrency: { type: 'string', default: '16' },
      rounds: { type: 'string', default: '2' },
    },
  });
  const requests = wholeNumberFlag('requests', values.requests, 100);
  const concurrency = wholeNumberFlag('concurrency', values.concurrency, 1);
  const rounds = wholeNumberFlag('rounds', values.rounds, 1);
  await reportAndExit(async () => {
    const startedAt = new Date().toISOString();
    const loadBefore = loadavg().map((x) => Math.round(x * 100) / 100);
    const server = await resolveServer(values.pg);
    log(`server: ${redact(server.url)} (${server.source})`);
    const database = await createBenchDatabase(server, 'governance_bench_rate_limit');
    log('take: memory against PostgreSQL');
    const take = await benchTake(database.url, requests, concurrency);
    log('service: rate limit off against shared');
    const service = await benchService(database.url, requests, concurrency, rounds);
    log('subscription starts');
    const subscriptions = await benchSubscriptionStart(database.url, Math.min(requests, 2_000));
    return {
      output: {
        startedAt,
        finishedAt: new Date().toISOString(),
        server: { source: server.source, url: redact(server.url) },
        // The machine's other work moves every figure here: the load average before and after says how much.
        loadAverage: { before: loadBefore, after: loadavg().map((x) => Math.round(x * 100) / 100) },
        take,
        service,
        subscriptions,
      },
    };
  });
}
