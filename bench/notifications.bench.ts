/**
 * Notifications benchmark (issue 21): deliveries per second to a local webhook receiver and a local SMTP server, and
 * what delivering a backlog does to the p99 of a mutation. Targets: >= 500 webhooks/s, >= 100 e-mails/s, and the
 * mutation p99 while a backlog is delivered within 10 % of its p99 while nothing is.
 *
 *   node --experimental-transform-types --conditions=source --no-warnings bench/notifications.bench.ts \
 *     [--pg URL] [--notifications-webhook-events 5000] [--notifications-emails 1000] [--notifications-backlog-webhooks 3]
 *     [--notifications-mutation-rate 50] [--notifications-mutation-duration 10] [--notifications-mutation-warmup 3]
 *
 * The service is built and started as bench/service.bench.ts does it (production, its own database), with
 * SMTP_URL, WEBHOOK_SIGNING_KEY and SCIM_TOKEN set, webhooks looked for every 100 ms (WEBHOOK_INTERVAL_MS) and the
 * other schedulers, the e-mail delivery among them, hourly (SCHEDULER_INTERVAL_MS): each runs a first pass when the
 * service starts, and that is when the e-mail backlog is delivered (below). The receivers run in a worker thread of
 * this process (bench/notification-receivers.ts): an HTTP server answering 204 and an SMTP server (smtp-server, no
 * TLS, no authentication), each counting distinct webhook-ids / Message-IDs, so a repeat shows as a duplicate; one
 * webhook request in 50 is verified with the `standardwebhooks` package. The HTTP receiver listens on this machine's
 * first non-loopback address: production refuses webhooks to loopback (WEBHOOK_ALLOW_LOCAL is refused there), and
 * private networks are allowed.
 *
 * 1. Seeding: members and groups for the mutations of step 4 (before any webhook: their events are not delivered).
 * 2. Webhooks: 1 + --notifications-backlog-webhooks webhooks on the `group` category, one path each, registered then
 *    disabled at once (a disabled webhook's cursor stays where it is: enabling it delivers what was recorded
 *    meanwhile). --notifications-webhook-events groups are created (a GroupCreated event each). The first webhook is
 *    enabled, and the time from the answer of `enableWebhook` until the receiver has them all is the rate
 *    (deliveries/s; the 100 ms interval is in it). Exactly once: as many distinct webhook-ids as `group` events after
 *    the registration, no repeat, every delivery row SENT at its first attempt. It is disabled again.
 * 3. E-mails: --notifications-emails members provisioned over SCIM with an address (half of them Dutch), each the
 *    author of a post that is reported and removed by a moderation decision (a MODERATION_DECISION e-mail each).
 *    Once the outbox holds every decision, the service is stopped and started again: its delivery's first pass sends
 *    the backlog. The rate is e-mails over the time from the first to the last message at the SMTP server; the time
 *    from the restart is reported too. Exactly once: one message per SENT delivery, no repeat, the Message-IDs those
 *    the deliveries recorded.
 * 4. Mutation p99: `assignGroupOwner` (a new pair each, answered once the read model has it) at a fixed rate, evenly
 *    paced, for a warm-up then the measured duration, three times: (a) with nothing to deliver (every webhook
 *    disabled), (b) right after enabling every webhook, whose backlogs (the groups of step 2 for the others, the
 *    mutations of (a) for all) are delivered meanwhile, and they hear the mutations' events too, (c) nothing to
 *    deliver again, once (b)'s backlog has drained and the webhooks are disabled. The difference is (b) against the
 *    mean of (a) and (c); the JSON says how long the backlog took to drain, so whether it lasted the whole phase.
 *    The latency of a request counts from its slot in the schedule (so a request that waited for a connection
 *    counts its wait). The e-mail delivery is idle in step 4: its backlog can only be made by a restart (step 3).
 *
 * Every figure comes with the CPU the service and the whole machine used: on a 2-core machine shared with test
 * suites, a busy neighbour shows there. One JSON object on stdout, progress on stderr.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { Agent, request as httpRequest } from 'node:http';
import { availableParallelism, loadavg, networkInterfaces } from 'node:os';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import pg from 'pg';
import { signDevelopmentToken } from '../src/platform/auth/development-token.ts';
import type { Role } from '../src/platform/auth/role.ts';
import {
  failure,
  addCleanup,
  checkpoint,
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
  type BenchDatabase,
  type Server,
  wholeNumberFlag,
} from './bench-server.ts';
import type { ReceiverCounts, ReceiversStarted } from './notification-receivers.ts';
import { buildService, inParallel, machineCpu, processCpuMs, startService, type RunningService } from './service.bench.ts';

/** The flags of this benchmark (as a section of `npm run bench`, the same names). */
export const NOTIFICATIONS_FLAGS = {
  'skip-notifications': { type: 'boolean', default: false },
  'notifications-webhook-events': { type: 'string', default: '5000' },
  'notifications-emails': { type: 'string', default: '1000' },
  'notifications-backlog-webhooks': { type: 'string', default: '3' },
  'notifications-mutation-rate': { type: 'string', default: '50' },
  'notifications-mutation-duration': { type: 'string', default: '10' },
  'notifications-mutation-warmup': { type: 'string', default: '3' },
  // Investigation knob: a Node option for the service's process (repeatable), e.g. --notifications-node-option=--cpu-prof.
  'notifications-node-option': { type: 'string', multiple: true },
} as const;

export interface NotificationsBenchOptions {
  readonly webhookEvents: number;
  readonly emails: number;
  readonly backlogWebhooks: number;
  readonly mutationRate: number;
  readonly mutationDurationS: number;
  readonly mutationWarmupS: number;
  readonly nodeOptions: readonly string[];
}

type NotificationsFlagValues = { [K in keyof typeof NOTIFICATIONS_FLAGS]?: string | boolean | string[] | undefined };

export function notificationsOptionsFrom(flags: NotificationsFlagValues): NotificationsBenchOptions {
  const int = (name: Exclude<keyof typeof NOTIFICATIONS_FLAGS, 'skip-notifications' | 'notifications-node-option'>, min: number) =>
    wholeNumberFlag(name, flags[name] ?? NOTIFICATIONS_FLAGS[name].default, min);
  return {
    webhookEvents: int('notifications-webhook-events', 1),
    emails: int('notifications-emails', 1),
    backlogWebhooks: int('notifications-backlog-webhooks', 0),
    mutationRate: int('notifications-mutation-rate', 1),
    mutationDurationS: int('notifications-mutation-duration', 1),
    mutationWarmupS: int('notifications-mutation-warmup', 0),
    nodeOptions: (flags['notifications-node-option'] as string[] | undefined) ?? [],
  };
}

const TARGETS = { webhooksPerSec: 500, emailsPerSec: 100, mutationP99IncreasePercent: 10 };
const SEED_CONCURRENCY = 8;
const MUTATION_CONNECTIONS = 32;
const REQUEST_TIMEOUT_MS = 10_000;
/** A wait for deliveries gives up when nothing new arrived for this long. */
const STALL_MS = 60_000;
const VERIFY_EVERY = 50;
const GROUPS = 100;

const ASSIGN = 'mutation($input: AssignGroupOwnerInput!) { assignGroupOwner(input: $input) { id owners } }';
const REGISTER_WEBHOOK = `mutation($input: RegisterWebhookInput!) { registerWebhook(input: $input) { secret webhook { webhookId } } }`;
const DISABLE_WEBHOOK = `mutation($input: WebhookChangeInput!) { disableWebhook(input: $input) { status } }`;
const ENABLE_WEBHOOK = `mutation($input: WebhookChangeInput!) { enableWebhook(input: $input) { status } }`;
const REPORT = `mutation($input: ReportContentInput!) { reportContent(input: $input) { id } }`;
const DECIDE = `mutation($input: DecideModerationCaseInput!) { decideModerationCase(input: $input) { id status } }`;
const memberId = (i: number) => `bench-m-${String(i).padStart(5, '0')}`;
const groupId = (i: number) => `bench-g-${String(i).padStart(4, '0')}`;
const delay = (ms: number) => new Promise<void>((resolveDelay) => setTimeout(resolveDelay, ms));

// ---------- the receivers, in their own thread ----------
interface ReceiverStats {
  readonly webhooks: Record<string, ReceiverCounts>;
  readonly mail: ReceiverCounts;
}

async function startReceivers(host: string) {
  const worker = new Worker(new URL('./notification-receivers.ts', import.meta.url), { workerData: { host, verifyEvery: VERIFY_EVERY } });
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  let nextId = 1;
  worker.on('message', (message: { id: number; result?: unknown; error?: string }) => {
    const waiting = pending.get(message.id);
    pending.delete(message.id);
    if (message.error !== undefined) waiting?.reject(new Error(message.error));
    else waiting?.resolve(message.result);
  });
  worker.on('error', (error) => {
    for (const waiting of pending.values()) waiting.reject(error);
    pending.clear();
  });
  const started = new Promise<ReceiversStarted>((resolveStart, reject) => pending.set(0, { resolve: resolveStart as never, reject }));
  const ask = <T>(request: Record<string, unknown>): Promise<T> =>
    new Promise<T>((resolveAnswer, reject) => {
      const id = nextId++;
      pending.set(id, { resolve: resolveAnswer as (value: unknown) => void, reject });
      worker.postMessage({ id, ...request });
    });
  const ports = await started;
  const close = async () => {
    await Promise.race([ask({ kind: 'close' }), delay(3_000)]).catch(() => undefined);
    await worker.terminate();
  };
  addCleanup(close);
  return {
    ...ports,
    stats: () => ask<ReceiverStats>({ kind: 'stats' }),
    ids: (path: string) => ask<[string, string][]>({ kind: 'ids', path }),
    secret: (path: string, secret: string) => ask<boolean>({ kind: 'secret', path, secret }),
    close,
  };
}

/** An address of this machine that webhooks may reach in production: not loopback, not link-local. */
function receiverHost(): string {
  for (const addresses of Object.values(networkInterfaces())) {
    for (const address of addresses ?? []) {
      if (address.family === 'IPv4' && !address.internal && !address.address.startsWith('169.254.')) return address.address;
    }
  }
  throw new Error('no IPv4 address other than loopback: production refuses webhooks to loopback, so there is nowhere to listen');
}

// ---------- GraphQL and SCIM ----------
interface GraphQLAnswer {
  data?: Record<string, unknown> | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

/**
 * GraphQL with the bench's token. The setup runs on a PostgreSQL server shared with test suites, which may refuse a
 * connection for a moment, and on a machine so busy that a read model may lag past the service's wait: an answer marked
 * retryable or saved (or no answer) is tried again with the same variables, whose commandId makes a repeat of a
 * command that did commit answer the same.
 */
function apiClient(url: string, token: string) {
  return async <T = Record<string, unknown>>(query: string, variables: Record<string, unknown>): Promise<T> => {
    for (let attempt = 1; ; attempt++) {
      let problem: string;
      try {
        const response = await fetch(`${url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({ query, variables }),
        });
        const answer = (await response.json()) as GraphQLAnswer;
        if (response.ok && !answer.errors?.length && answer.data) return answer.data as T;
        problem = `GraphQL answered ${response.status}: ${JSON.stringify(answer.errors ?? answer).slice(0, 500)}`;
        // Saved but the views were late: the same commandId again answers the recorded outcome once they caught up.
        const again = answer.errors?.some((error) => error.extensions?.['retryable'] === true || error.extensions?.['saved'] === true);
        if (!again) throw new Error(problem);
      } catch (error) {
        if (!(error instanceof TypeError)) throw error; // fetch's own failure (no answer) is a TypeError
        problem = error.message;
      }
      if (attempt >= 6) throw new Error(`${problem} (after ${attempt} attempts)`);
      log(`notifications: ${problem.slice(0, 200)}; trying again in 2 s`);
      await delay(2_000);
    }
  };
}

/** A member with an address, as a directory provisions one (SCIM); a repeat after a lost answer finds it created. */
async function provisionMember(url: string, scimToken: string, i: number): Promise<string> {
  const userName = `bench.author.${String(i).padStart(6, '0')}@contoso.com`;
  for (let attempt = 1; ; attempt++) {
    let problem: string;
    try {
      const response = await fetch(`${url}/scim/v2/Users`, {
        method: 'POST',
        headers: { authorization: `Bearer ${scimToken}`, 'content-type': 'application/scim+json' },
        body: JSON.stringify({
          schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
          userName,
          displayName: `Bench Author ${i}`,
          active: true,
          preferredLanguage: i % 2 === 0 ? 'nl-NL' : 'en-GB',
          emails: [{ value: userName, type: 'work', primary: true }],
        }),
      });
      const body = (await response.json()) as { id?: string };
      if (response.status === 201 && typeof body.id === 'string') return body.id;
      if (response.status === 409 && attempt > 1) return await existingMemberId(url, scimToken, userName);
      problem = `SCIM create answered ${response.status}: ${JSON.stringify(body).slice(0, 300)}`;
      if (response.status < 500) throw new Error(problem);
    } catch (error) {
      if (!(error instanceof TypeError)) throw error;
      problem = error.message;
    }
    if (attempt >= 6) throw new Error(`${problem} (after ${attempt} attempts)`);
    log(`notifications: ${problem.slice(0, 200)}; trying again in 2 s`);
    await delay(2_000);
  }
}

/** The id of a user an earlier attempt created (its answer lost), looked up by userName. */
async function existingMemberId(url: string, scimToken: string, userName: string): Promise<string> {
  const filter = encodeURIComponent(`userName eq "${userName}"`);
  const response = await fetch(`${url}/scim/v2/Users?filter=${filter}`, { headers: { authorization: `Bearer ${scimToken}` } });
  const body = (await response.json()) as { Resources?: { id: string }[] };
  const id = body.Resources?.[0]?.id;
  if (response.status !== 200 || !id)
    throw new Error(`SCIM look-up of ${userName} answered ${response.status}: ${JSON.stringify(body).slice(0, 300)}`);
  return id;
}

// ---------- CPU ----------
/** Starts measuring the service's and the machine's CPU; the function returned gives shares of one core since. */
async function cpuMeter(servicePid: number) {
  const [service0, machine0, t0] = [await processCpuMs(servicePid), await machineCpu(), now()];
  return async () => {
    const wallMs = now() - t0;
    const [service1, machine1] = [await processCpuMs(servicePid), await machineCpu()];
    return {
      serviceCores: service0 !== null && service1 !== null ? round((service1 - service0) / wallMs, 2) : null,
      machineCores:
        machine0 && machine1
          ? round(((machine1.busy - machine0.busy) / Math.max(1, machine1.total - machine0.total)) * availableParallelism(), 2)
          : null,
      cpus: availableParallelism(),
    };
  };
}

// ---------- waiting for deliveries ----------
/**
 * Polls `progress` until it reaches `expected`; gives up when it has not moved for STALL_MS. Answers what it reached
 * and whether that was all.
 */
async function waitFor(label: string, expected: () => Promise<number> | number, progress: () => Promise<number>, everyMs = 100) {
  let last = -1;
  let movedAt = now();
  let lastLogged = now();
  for (;;) {
    const [reached, target] = [await progress(), await expected()];
    if (reached >= target) return { reached, complete: true };
    if (reached !== last) {
      last = reached;
      movedAt = now();
    }
    if (now() - lastLogged > 5_000) {
      log(`notifications: ${label}: ${reached} of ${target}`);
      lastLogged = now();
    }
    if (now() - movedAt > STALL_MS) {
      log(`notifications: ${label}: stuck at ${reached} of ${target} for ${STALL_MS / 1000} s, giving up`);
      return { reached, complete: false };
    }
    await delay(everyMs);
  }
}

// ---------- the mutations, at a fixed rate ----------
interface Pairs {
  next(): { groupId: string; memberId: string };
}

/**
 * `assignGroupOwner` at `rate` per second for warm-up + duration seconds, one request every 1/rate s over keep-alive
 * connections; the latencies of the measured part, from each request's slot in the schedule to the end of its answer.
 */
async function mutationsAtFixedRate(url: string, token: string, pairs: Pairs, rate: number, warmupS: number, durationS: number) {
  const agent = new Agent({ keepAlive: true, maxSockets: MUTATION_CONNECTIONS });
  const { hostname, port } = new URL(url);
  const interval = 1000 / rate;
  const total = Math.round(rate * (warmupS + durationS));
  const warmupCount = Math.round(rate * warmupS);
  const latencies: number[] = [];
  const slowest: { ms: number; atS: number }[] = [];
  const errors = { count: 0, samples: [] as string[] };
  const fail = (message: string) => {
    errors.count++;
    if (errors.samples.length < 10) errors.samples.push(message);
  };
  const t0 = now() + 20;
  const measureFrom = t0 + warmupCount * interval;
  let finished = 0;
  await new Promise<void>((resolveRun) => {
    const send = (k: number) => {
      const slot = t0 + k * interval;
      const pair = pairs.next();
      const body = JSON.stringify({ query: ASSIGN, variables: { input: pair } });
      const done = (problem?: string) => {
        const ms = now() - slot;
        if (k >= warmupCount) {
          latencies.push(ms);
          slowest.push({ ms: round(ms, 1), atS: round((slot - measureFrom) / 1000, 2) });
        }
        if (problem) fail(problem);
        if (++finished === total) resolveRun();
      };
      const req = httpRequest(
        {
          agent,
          hostname,
          port,
          method: 'POST',
          path: '/graphql',
          timeout: REQUEST_TIMEOUT_MS,
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
          res.on('end', () => {
            try {
              const answer = JSON.parse(text) as GraphQLAnswer;
              const group = answer.data?.['assignGroupOwner'] as { id?: string; owners?: string[] } | undefined;
              if (res.statusCode !== 200 || answer.errors?.length) done(`${res.statusCode}: ${text.slice(0, 300)}`);
              else if (group?.id !== pair.groupId || !group.owners?.includes(pair.memberId)) done(`wrong answer: ${text.slice(0, 300)}`);
              else done();
            } catch {
              done(`${res.statusCode}: not JSON: ${text.slice(0, 200)}`);
            }
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS / 1000} s`)));
      req.on('error', (error) => done(error.message));
      req.end(body);
    };
    let sent = 0;
    const tick = () => {
      while (sent < total && now() >= t0 + sent * interval) send(sent++);
      if (sent < total) setTimeout(tick, Math.max(0, t0 + sent * interval - now()));
    };
    setTimeout(tick, 20);
  });
  agent.destroy();
  const s = stats(latencies);
  // p99 of a few hundred requests is the fifth worst: one stall of the machine (a neighbour, the database server's
  // checkpoint) holds several paced requests at once and decides it. p90 and p95 are less at the mercy of one stall.
  const sorted = [...latencies].sort((a, b) => a - b);
  const quantile = (q: number) => round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0);
  return {
    rate,
    requests: latencies.length,
    latencyMs: { p50: s.p50Ms, p90: quantile(0.9), p95: quantile(0.95), p99: s.p99Ms, max: s.maxMs, mean: s.meanMs },
    slowest: slowest.sort((a, b) => b.ms - a.ms).slice(0, 5),
    errors: errors.count,
    sampleErrors: errors.samples,
  };
}

// ---------- the benchmark ----------
export type NotificationsSection = { skipped: string } | { error: string } | Awaited<ReturnType<typeof benchNotificationsUnchecked>>;

/** The notifications section; a failure is reported in it ({ error }), not thrown. Its service and database are gone after. */
export async function benchNotifications(server: Server, options: NotificationsBenchOptions): Promise<NotificationsSection> {
  const created: { database?: BenchDatabase } = {};
  try {
    return await benchNotificationsUnchecked(server, options, created);
  } catch (error) {
    log(failure('notifications bench', error));
    return { error: (error as Error).message };
  } finally {
    if (created.database) await cleanUpDownTo(created.database.drop);
  }
}

async function benchNotificationsUnchecked(server: Server, options: NotificationsBenchOptions, created: { database?: BenchDatabase }) {
  const loadAverageAtStart = loadavg().map((x) => round(x, 2));
  const host = receiverHost();
  const receivers = await startReceivers(host);
  log(`notifications: webhook receiver on http://${host}:${receivers.webhookPort}, SMTP server on 127.0.0.1:${receivers.smtpPort}`);
  const database = (created.database = await createBenchDatabase(server, 'governance_bench_notifications'));
  log('notifications: building the service');
  const build = await buildService();
  const secret = randomBytes(32).toString('hex');
  const scimToken = randomBytes(32).toString('base64url');
  const env = {
    SMTP_URL: `smtp://127.0.0.1:${receivers.smtpPort}`,
    WEBHOOK_SIGNING_KEY: randomBytes(32).toString('base64url'),
    SCIM_TOKEN: scimToken,
    WEBHOOK_INTERVAL_MS: '100',
    SCHEDULER_INTERVAL_MS: '3600000',
  };
  // On a PostgreSQL server shared with test suites, a start may find no free connection ("too many clients"): tried again.
  const start = async (): Promise<RunningService> => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await startService(build, database.url, secret, options.nodeOptions, env);
      } catch (error) {
        if (attempt >= 5 || !/too many clients/.test((error as Error).message)) throw error;
        log(`notifications: the service could not start (${(error as Error).message.slice(0, 200)}); trying again in 5 s`);
        await delay(5_000);
      }
    }
  };
  let service = await start();
  log(`notifications: service ready at ${service.url} after ${service.startMs} ms (build ${build.ms} ms, database ${database.name})`);
  const token = await signDevelopmentToken(secret, 'bench-community-manager', ['COMMUNITY_MANAGER' as Role], '2h');
  // Decisions come from another community manager: one may not decide a case they reported.
  const moderatorToken = await signDevelopmentToken(secret, 'bench-moderator', ['COMMUNITY_MANAGER' as Role], '2h');
  let api = apiClient(service.url, token);
  const admin = new pg.Client({ connectionString: database.url });
  admin.on('error', () => undefined);
  await admin.connect();
  const count = async (sql: string, params: unknown[] = []) => Number((await admin.query<{ n: string }>(sql, params)).rows[0]!.n);

  try {
    // 1. Members and groups for the mutations of step 4: a new (group, member) pair for every request of three phases.
    const pairsNeeded = 3 * Math.ceil(options.mutationRate * (options.mutationWarmupS + options.mutationDurationS)) + 10;
    const members = Math.ceil(pairsNeeded / GROUPS) + 1;
    await inParallel(members, SEED_CONCURRENCY, (i) =>
      api('mutation($input: RegisterMemberInput!) { registerMember(input: $input) { id } }', {
        input: { commandId: `bench-member-${i}`, memberId: memberId(i), displayName: `Bench Member ${i}`, department: 'Ops' },
      }),
    );
    await inParallel(GROUPS, SEED_CONCURRENCY, (i) =>
      api('mutation($input: CreateGroupInput!) { createGroup(input: $input) { id } }', {
        input: { groupId: groupId(i), name: `Bench group ${i}` },
      }),
    );
    let k = 0;
    const pairs: Pairs = {
      next() {
        // Request k assigns member (q + r) mod M to group r, k = q * GROUPS + r: a pair never used before.
        const q = Math.floor(k / GROUPS);
        const r = k++ % GROUPS;
        return { groupId: groupId(r), memberId: memberId((q + r) % members) };
      },
    };
    log(`notifications: seeded ${members} members and ${GROUPS} groups`);

    // 2. Webhooks, registered and disabled at once; then the events they will hear.
    const base = `http://${host}:${receivers.webhookPort}`;
    const webhooks: { webhookId: string; path: string }[] = [];
    for (let i = 0; i <= options.backlogWebhooks; i++) {
      const path = `/hooks/w${i}`;
      const answer = await api<{ registerWebhook: { secret: string; webhook: { webhookId: string } } }>(REGISTER_WEBHOOK, {
        input: { commandId: `bench-webhook-${i}`, url: `${base}${path}`, categories: ['group'], description: `bench ${i}` },
      });
      await receivers.secret(path, answer.registerWebhook.secret);
      await api(DISABLE_WEBHOOK, {
        input: { commandId: randomUUID(), webhookId: answer.registerWebhook.webhook.webhookId, reason: 'bench: held until measured' },
      });
      webhooks.push({ webhookId: answer.registerWebhook.webhook.webhookId, path });
    }
    // The `group` events a webhook hears: those after its registration.
    const expectedFor = (webhookId: string) =>
      count(
        `SELECT count(*) AS n FROM es_events WHERE category = 'group'
            AND global_position > (SELECT min(global_position) FROM es_events WHERE stream_id = $1)`,
        [`webhook-${webhookId}`],
      );
    // The dispatcher records a batch's outcomes after its last request: the rows are checked once it has.
    const recorded = () =>
      waitFor(
        'webhook outcomes recorded',
        () => 0,
        async () => -(await count(`SELECT count(*) AS n FROM webhook_deliveries WHERE status IN ('PENDING', 'SENDING')`)),
      );
    const r0 = now();
    await inParallel(options.webhookEvents, SEED_CONCURRENCY, (i) =>
      api('mutation($input: CreateGroupInput!) { createGroup(input: $input) { id } }', {
        input: { commandId: `bench-hooked-${i}`, groupId: `bench-hooked-${String(i).padStart(6, '0')}`, name: `Heard group ${i}` },
      }),
    );
    log(`notifications: ${options.webhookEvents} groups created in ${round((now() - r0) / 1000, 1)} s while the webhooks are disabled`);

    const first = webhooks[0]!;
    const firstExpected = await expectedFor(first.webhookId);
    await checkpoint(database.url);
    log(`notifications: enabling ${first.path}: ${firstExpected} deliveries due`);
    const webhookCpu = await cpuMeter(service.pid);
    const enabledAt = performance.timeOrigin + performance.now();
    await api(ENABLE_WEBHOOK, { input: { commandId: randomUUID(), webhookId: first.webhookId, reason: 'bench: measured' } });
    const enableAnsweredAt = performance.timeOrigin + performance.now();
    const webhookWait = await waitFor(
      'webhooks',
      () => firstExpected,
      async () => (await receivers.stats()).webhooks[first.path]?.unique ?? 0,
      20,
    );
    const webhookCpuUsed = await webhookCpu();
    await recorded();
    const firstCounts = (await receivers.stats()).webhooks[first.path]!;
    await api(DISABLE_WEBHOOK, { input: { commandId: randomUUID(), webhookId: first.webhookId, reason: 'bench: idle phase' } });
    const webhookSeconds = ((firstCounts.lastAt ?? enabledAt) - enabledAt) / 1000;
    const webhooksPerSec = round(firstCounts.unique / webhookSeconds, 1);
    const firstRows = await admin.query<{ status: string; attempts: number; n: string }>(
      `SELECT status, attempts, count(*) AS n FROM webhook_deliveries WHERE webhook_id = $1 GROUP BY status, attempts ORDER BY status, attempts`,
      [first.webhookId],
    );
    const firstIds = new Set((await receivers.ids(first.path)).map(([id]) => id));
    const firstRowIds = (
      await admin.query<{ message_id: string }>(`SELECT message_id FROM webhook_deliveries WHERE webhook_id = $1`, [first.webhookId])
    ).rows;
    const webhookSection = {
      deliveries: firstExpected,
      seconds: round(webhookSeconds, 2),
      deliveriesPerSec: webhooksPerSec,
      firstToLastSeconds: round(((firstCounts.lastAt ?? 0) - (firstCounts.firstAt ?? 0)) / 1000, 2),
      enableWebhookMs: round(enableAnsweredAt - enabledAt, 1),
      complete: webhookWait.complete,
      receiver: firstCounts,
      rowsByStatusAndAttempts: firstRows.rows.map((r) => ({ status: r.status, attempts: r.attempts, rows: Number(r.n) })),
      rowsNotReceived: firstRowIds.filter((r) => !firstIds.has(r.message_id)).length,
      cpu: webhookCpuUsed,
    };
    const webhookExactlyOnce =
      firstCounts.unique === firstExpected &&
      firstCounts.duplicates === 0 &&
      firstCounts.withoutId === 0 &&
      firstCounts.verifyFailed === 0 &&
      webhookSection.rowsNotReceived === 0 &&
      firstRowIds.length === firstExpected &&
      firstRows.rows.every((r) => r.status === 'SENT' && r.attempts === 1);
    log(
      `notifications: webhooks: ${firstCounts.unique} of ${firstExpected} in ${webhookSection.seconds} s = ${webhooksPerSec}/s, ` +
        `duplicates ${firstCounts.duplicates}, verified ${firstCounts.verified} (failed ${firstCounts.verifyFailed})`,
    );

    // 3. E-mails: authors with addresses, a removal decision each; delivered by the first pass after a restart.
    const e0 = now();
    const authors: string[] = [];
    await inParallel(options.emails, SEED_CONCURRENCY, async (i) => {
      authors[i] = await provisionMember(service.url, scimToken, i);
    });
    await inParallel(options.emails, SEED_CONCURRENCY, async (i) => {
      const report = await api<{ reportContent: { id: string } }>(REPORT, {
        input: { commandId: `bench-report-${i}`, contentId: `bench-post-${i}`, contentType: 'post', authorId: authors[i], reason: 'SPAM' },
      });
      await apiClient(service.url, moderatorToken)(DECIDE, {
        input: {
          commandId: `bench-decide-${i}`,
          caseId: report.reportContent.id,
          outcome: 'REMOVE_CONTENT',
          reason: `Advertising is not allowed here (${i})`,
        },
      });
    });
    log(`notifications: ${options.emails} authors provisioned and decided about in ${round((now() - e0) / 1000, 1)} s`);
    const outboxed = await waitFor(
      'outbox',
      () => options.emails,
      () => count(`SELECT count(*) AS n FROM read_models.notification_outbox WHERE event_type = 'ModerationCaseDecided'`),
      200,
    );
    if (!outboxed.complete) throw new Error(`the outbox holds ${outboxed.reached} of ${options.emails} decisions`);
    const sentBefore = await count(`SELECT count(*) AS n FROM notification_deliveries`);
    if (sentBefore > 0) throw new Error(`${sentBefore} notifications were delivered before the restart: the delivery was not idle`);
    await service.stop();
    await checkpoint(database.url);
    log('notifications: restarting the service: its first delivery pass sends the backlog');
    const restartAt = performance.timeOrigin + performance.now();
    service = await start();
    api = apiClient(service.url, token);
    const mailCpu = await cpuMeter(service.pid);
    const outboxRows = await count(`SELECT count(*) AS n FROM read_models.notification_outbox`);
    const mailWait = await waitFor(
      'e-mails',
      () => outboxRows,
      () => count(`SELECT count(*) AS n FROM notification_events_done`),
      200,
    );
    const mailCpuUsed = await mailCpu();
    const mailCounts = (await receivers.stats()).mail;
    const mailRows = await admin.query<{ kind: string; status: string; attempts: number; n: string }>(
      `SELECT kind, status, attempts, count(*) AS n FROM notification_deliveries GROUP BY kind, status, attempts ORDER BY kind, status, attempts`,
    );
    const sentIds = (await admin.query<{ message_id: string }>(`SELECT message_id FROM notification_deliveries WHERE status = 'SENT'`))
      .rows;
    const receivedMail = new Set((await receivers.ids('smtp')).map(([id]) => id));
    const decisionsSent = await count(
      `SELECT count(*) AS n FROM notification_deliveries WHERE kind = 'MODERATION_DECISION' AND status = 'SENT' AND attempts = 1`,
    );
    const mailSeconds = ((mailCounts.lastAt ?? 0) - (mailCounts.firstAt ?? 0)) / 1000;
    const emailsPerSec = round(mailCounts.unique / mailSeconds, 1);
    const mailSection = {
      emails: mailCounts.unique,
      firstToLastSeconds: round(mailSeconds, 2),
      emailsPerSec,
      fromRestartSeconds: round(((mailCounts.lastAt ?? restartAt) - restartAt) / 1000, 2),
      serviceStartMs: service.startMs,
      complete: mailWait.complete,
      receiver: mailCounts,
      rowsByKindStatusAndAttempts: mailRows.rows.map((r) => ({ kind: r.kind, status: r.status, attempts: r.attempts, rows: Number(r.n) })),
      sentNotReceived: sentIds.filter((r) => !receivedMail.has(r.message_id)).length,
      cpu: mailCpuUsed,
    };
    const mailExactlyOnce =
      decisionsSent === options.emails &&
      mailCounts.unique === sentIds.length &&
      mailCounts.duplicates === 0 &&
      mailCounts.withoutId === 0 &&
      mailSection.sentNotReceived === 0;
    log(
      `notifications: e-mails: ${mailCounts.unique} in ${mailSection.firstToLastSeconds} s = ${emailsPerSec}/s ` +
        `(${mailSection.fromRestartSeconds} s from the restart), duplicates ${mailCounts.duplicates}`,
    );

    // 4. Mutation p99: nothing to deliver, a webhook backlog being delivered, nothing again.
    const phase = async (name: string) => {
      await checkpoint(database.url);
      log(`notifications: assignGroupOwner at ${options.mutationRate}/s (${name})`);
      const cpu = await cpuMeter(service.pid);
      const result = await mutationsAtFixedRate(
        service.url,
        token,
        pairs,
        options.mutationRate,
        options.mutationWarmupS,
        options.mutationDurationS,
      );
      const cpuUsed = await cpu();
      log(`notifications: ${name}: p50 ${result.latencyMs.p50} ms, p99 ${result.latencyMs.p99} ms, errors ${result.errors}`);
      return { ...result, cpu: cpuUsed };
    };
    const idleBefore = await phase('nothing to deliver');
    const backlogDue = (await Promise.all(webhooks.map((w) => expectedFor(w.webhookId)))).reduce((x, y) => x + y, 0);
    const deliveredBefore = Object.values((await receivers.stats()).webhooks).reduce((sum, c) => sum + c.unique, 0);
    log(`notifications: enabling ${webhooks.length} webhooks: ${backlogDue - deliveredBefore} deliveries due`);
    const busyStart = performance.timeOrigin + performance.now();
    for (const webhook of webhooks)
      await api(ENABLE_WEBHOOK, { input: { commandId: randomUUID(), webhookId: webhook.webhookId, reason: 'bench: backlog' } });
    const deliveredTotal = async () => Object.values((await receivers.stats()).webhooks).reduce((sum, c) => sum + c.unique, 0);
    let drainedAt: number | undefined;
    let watching = true;
    // Watches for the moment the backlog (as due at the start) has drained, while the mutations run.
    const watcher = (async () => {
      while (watching && drainedAt === undefined) {
        if ((await deliveredTotal()) >= backlogDue) drainedAt = performance.timeOrigin + performance.now();
        else await delay(100);
      }
    })();
    const busy = await phase('while a webhook backlog is delivered');
    const busyEnd = performance.timeOrigin + performance.now();
    watching = false;
    await watcher;
    const allDue = async () => (await Promise.all(webhooks.map((w) => expectedFor(w.webhookId)))).reduce((x, y) => x + y, 0);
    const drained = await waitFor('webhook backlog', allDue, deliveredTotal, 100);
    drainedAt ??= performance.timeOrigin + performance.now();
    // Exactly once for every webhook, over the whole run (checked before they are disabled again): what was due,
    // received once, each row SENT.
    await recorded();
    const finalStats = await receivers.stats();
    const perWebhook = await Promise.all(
      webhooks.map(async (w) => {
        const due = await expectedFor(w.webhookId);
        const counts = finalStats.webhooks[w.path];
        const notSent = await count(`SELECT count(*) AS n FROM webhook_deliveries WHERE webhook_id = $1 AND status <> 'SENT'`, [
          w.webhookId,
        ]);
        const rows = await count(`SELECT count(*) AS n FROM webhook_deliveries WHERE webhook_id = $1`, [w.webhookId]);
        return {
          path: w.path,
          due,
          rows,
          notSent,
          unique: counts?.unique ?? 0,
          duplicates: counts?.duplicates ?? 0,
          verified: counts?.verified ?? 0,
          verifyFailed: counts?.verifyFailed ?? 0,
        };
      }),
    );
    const allExactlyOnce = perWebhook.every(
      (w) => w.unique === w.due && w.rows === w.due && w.notSent === 0 && w.duplicates === 0 && w.verifyFailed === 0,
    );
    for (const webhook of webhooks)
      await api(DISABLE_WEBHOOK, { input: { commandId: randomUUID(), webhookId: webhook.webhookId, reason: 'bench: idle phase' } });
    const idleAfter = await phase('nothing to deliver, again');

    const idleP99 = (idleBefore.latencyMs.p99 + idleAfter.latencyMs.p99) / 2;
    const increasePercent = round(((busy.latencyMs.p99 - idleP99) / idleP99) * 100, 1);
    const busySeconds = (busyEnd - busyStart) / 1000;
    const drainSeconds = (drainedAt - busyStart) / 1000;
    const mutationErrors = idleBefore.errors + busy.errors + idleAfter.errors;
    const duringRun = { warn: service.logged.warn, error: service.logged.error, other: service.logged.other };
    await service.stop();

    const busyNote =
      drainSeconds < busySeconds
        ? `the backlog drained ${round(drainSeconds, 1)} s into a ${round(busySeconds, 1)} s phase: the rest of the phase had only the mutations' own deliveries`
        : undefined;
    const targets = {
      webhookRate: {
        description: `webhook deliveries per second (${firstExpected} events recorded while the webhook was disabled, from enableWebhook to the last at the receiver) >= ${TARGETS.webhooksPerSec}`,
        target: TARGETS.webhooksPerSec,
        measured: webhooksPerSec,
        met: webhooksPerSec >= TARGETS.webhooksPerSec && webhookWait.complete,
      },
      emailRate: {
        description: `e-mails per second (${options.emails} moderation decisions, from the first message at the SMTP server to the last) >= ${TARGETS.emailsPerSec}`,
        target: TARGETS.emailsPerSec,
        measured: emailsPerSec,
        met: emailsPerSec >= TARGETS.emailsPerSec && mailWait.complete,
      },
      mutationP99WhileDelivering: {
        description: `assignGroupOwner p99 at ${options.mutationRate}/s while a webhook backlog is delivered, against the mean of the idle phases before and after: at most +${TARGETS.mutationP99IncreasePercent} %`,
        target: TARGETS.mutationP99IncreasePercent,
        measured: increasePercent,
        p99Ms: { idleBefore: idleBefore.latencyMs.p99, busy: busy.latencyMs.p99, idleAfter: idleAfter.latencyMs.p99 },
        met: increasePercent <= TARGETS.mutationP99IncreasePercent && mutationErrors === 0,
        ...(busyNote ? { note: busyNote } : {}),
      },
      exactlyOnce: {
        description:
          'every webhook delivery and e-mail received once (distinct ids = due, no repeat, every row SENT at its first attempt), signatures verified',
        target: 0,
        measured: (webhookExactlyOnce ? 0 : 1) + (mailExactlyOnce ? 0 : 1) + (allExactlyOnce ? 0 : 1),
        met: webhookExactlyOnce && mailExactlyOnce && allExactlyOnce,
      },
    };
    return {
      params: {
        webhookEvents: options.webhookEvents,
        emails: options.emails,
        backlogWebhooks: options.backlogWebhooks,
        mutationRate: options.mutationRate,
        mutationDurationS: options.mutationDurationS,
        mutationWarmupS: options.mutationWarmupS,
        mutationConnections: MUTATION_CONNECTIONS,
        verifyEveryNthWebhook: VERIFY_EVERY,
      },
      env: { node: process.version, cpus: availableParallelism(), loadAverageAtStart, loadAverageAtEnd: loadavg().map((x) => round(x, 2)) },
      service: {
        command: service.command,
        env: { ...service.env, WEBHOOK_SIGNING_KEY: '***' },
        buildMs: build.ms,
        database: database.name,
        logged: { duringRun, first: service.logged.first },
      },
      webhooks: webhookSection,
      emails: mailSection,
      mutations: {
        idleBefore,
        whileDelivering: {
          ...busy,
          backlogDue: backlogDue - deliveredBefore,
          backlogDrainedAfterS: round(drainSeconds, 2),
          phaseSeconds: round(busySeconds, 2),
          drainComplete: drained.complete,
          deliveriesPerSecDuringPhase: round((backlogDue - deliveredBefore) / Math.max(drainSeconds, 0.001), 1),
        },
        idleAfter,
        p99IncreasePercent: increasePercent,
        errors: mutationErrors,
      },
      webhooksExactlyOnce: perWebhook,
      targets,
    };
  } finally {
    await service.stop();
    await admin.end().catch(() => undefined);
    await receivers.close();
  }
}

// ---------- alone ----------
if (import.meta.main) {
  installSignalHandlers();
  const { values } = parseArgs({ options: { pg: { type: 'string' }, ...NOTIFICATIONS_FLAGS } });
  const options = notificationsOptionsFrom(values);
  await reportAndExit(async () => {
    const startedAt = new Date().toISOString();
    const server = await resolveServer(values.pg);
    log(`server: ${redact(server.url)} (${server.source})`);
    const notifications = await benchNotifications(server, options);
    return {
      output: {
        startedAt,
        finishedAt: new Date().toISOString(),
        server: { source: server.source, url: redact(server.url) },
        notifications,
      },
      ...('targets' in notifications ? { targets: notifications.targets } : {}),
      failed: 'error' in notifications,
    };
  });
}
