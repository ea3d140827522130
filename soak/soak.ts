/**
 * npm run -s soak [-- --duration 600 --virtual-users 6 --seed 1 --fault-interval 15 --members 60 --event-store postgres
 *                     --instances 1]
 *
 * The whole service under a realistic load and scheduled faults, on a real PostgreSQL, then a proof that it kept its
 * promises; one JSON object on stdout (progress on stderr), exit code 0 when no discrepancy was found, 1 when one was,
 * 2 when the soak itself could not run. See the README's "Reliability" section.
 *
 * 1. PostgreSQL: DATABASE_URL's server (a database of its own, dropped afterwards; the server is not restarted, its
 *    sessions are ended instead) or an embedded one in a temporary directory that the injector restarts.
 * 2. The service, built once (`tsc -p tsconfig.build.json --noCheck` into a temporary directory), as a child process
 *    (`node dist/src/main.js`, NODE_ENV=test, HS256 tokens, SCHEDULER_INTERVAL_MS=500, no rate limit).
 *    Its e-mails go to an SMTP server and its webhook to an HTTP receiver, both in this process (soak/receivers.ts).
 * 3. A webhook hearing every event is registered; seed, then the load (soak/workload.ts), four subscribers
 *    (soak/subscribers.ts) and the fault injector (soak/faults.ts) for --duration seconds.
 * 4. Drain: the service restarts with its schedulers' clock 36 days ahead (past the furthest clock jump and every
 *    delivery claim a crash left), until every e-mail and webhook of the load is delivered.
 *    Settle: commands still waiting for an answer are retried to the end; the service restarts with its schedulers'
 *    clock 400 days ahead, so every suspension and certification is due, and runs until nothing is due any more and
 *    no leaver holds a group, an ambassadorship or a claimed case (the leaver consequences, also scheduler work).
 * 5. The checker (soak/checker.ts), reading the log through the event-store port.
 *
 * --instances N (N > 1): N instances on the one database behind HAProxy (soak/load-balancer.ts, installed when missing
 * and root), the workload's requests through it, each subscriber directly on its own instance, and the cluster's
 * faults (soak/cluster.ts): an instance SIGKILLed while the others serve, rolling restarts, the projections' lock
 * holder killed mid-batch; the report's `cluster` says how long projections were without a runner after each.
 *
 * --event-store eventstoredb keeps the events in the EventStoreDB server of EVENTSTORE_CONNECTION_STRING (read models
 * and keys stay in PostgreSQL). That server must hold no events yet (the soak's member ids are fixed, and the checker
 * counts every event of the log); it is not restarted by the fault injector (only the soak's own processes and
 * PostgreSQL sessions are).
 */
import { randomBytes } from 'node:crypto';
import { availableParallelism, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { Checker } from './checker.ts';
import type { Role } from '../src/platform/auth/role.ts';
import { DropWindow, SoakClient } from './client.ts';
import { eventStoreDbConnectionString, openEventLog, SOAK_EVENT_STORES, type SoakEventStore } from './event-log.ts';
import { ServiceCluster, TAKEOVER_TARGET_MS, type Takeover } from './cluster.ts';
import { describeOffset, FaultInjector, type FaultRecord } from './faults.ts';
import { START } from '#event-store';
import {
  addCleanup,
  buildService,
  cleanUp,
  installSignalHandlers,
  openDatabase,
  ServiceProcess,
  withClient,
  type SoakDatabase,
} from './harness.ts';
import { findOrInstallHaproxy, LoadBalancer, SHUTDOWN_GRACE_MS } from './load-balancer.ts';
import { SmtpSink, WebhookReceiver } from './receivers.ts';
import { startSubscribers } from './subscribers.ts';
import { Counter, delay, errorMessage, log, now, percentiles, Random, round } from './util.ts';
import { MANAGERS, Workload } from './workload.ts';

const SETTLE_OFFSET_MS = 400 * 86_400_000;
/**
 * The drain before the settle: past the furthest clock jump (35 days, faults.ts) by more than a delivery claim lives
 * (5 minutes for an e-mail, 2 for a webhook), so every claim a SIGKILL or a lost database left is taken again; and
 * within NOTIFICATION_MAX_AGE_HOURS (a year, below), so no e-mail of the load is too old to send. The settle's 400
 * days would make them all too old: they are delivered first.
 */
const DRAIN_OFFSET_MS = 36 * 86_400_000;
const WEBHOOK_INTERVAL_MS = '250';

export interface SoakOptions {
  readonly durationS: number;
  readonly virtualUsers: number;
  readonly seed: number;
  readonly faultIntervalS: number;
  readonly members: number;
  readonly eventStore: SoakEventStore;
  /** Service instances; more than one run behind HAProxy. */
  readonly instances: number;
}

export function parseOptions(argv: readonly string[]): SoakOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      duration: { type: 'string', default: '600' },
      'virtual-users': { type: 'string', default: '6' },
      seed: { type: 'string' },
      'fault-interval': { type: 'string' },
      members: { type: 'string', default: '60' },
      'event-store': { type: 'string', default: 'postgres' },
      instances: { type: 'string', default: '1' },
    },
  });
  const int = (name: string, raw: string | undefined, min: number): number => {
    const n = Number(raw);
    if (!Number.isSafeInteger(n) || n < min) throw new Error(`--${name} must be a whole number from ${min} up (got ${raw})`);
    return n;
  };
  const durationS = int('duration', values.duration, 20);
  const eventStore = values['event-store'] as SoakEventStore;
  if (!SOAK_EVENT_STORES.includes(eventStore)) {
    throw new Error(`--event-store must be ${SOAK_EVENT_STORES.join(' or ')} (got ${values['event-store']})`);
  }
  return {
    durationS,
    virtualUsers: int('virtual-users', values['virtual-users'], 1),
    seed: values.seed === undefined ? randomBytes(4).readUInt32BE() : int('seed', values.seed, 0),
    // Short runs get a fault every 7 s (all kinds within a minute), long ones every 15 s.
    faultIntervalS:
      values['fault-interval'] === undefined ? (durationS <= 120 ? 7 : 15) : int('fault-interval', values['fault-interval'], 3),
    members: int('members', values.members, 10),
    eventStore,
    instances: Math.min(int('instances', values.instances, 1), 8),
  };
}

export interface SoakReport {
  readonly ok: boolean;
  readonly discrepancies: readonly { check: string; detail: string; data?: unknown }[];
  readonly [key: string]: unknown;
}

export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const startedAt = new Date();
  const wall0 = now();
  const loadAverageAtStart = loadavg().map((x) => round(x, 2));
  log(
    `soak: ${options.durationS} s, ${options.virtualUsers} virtual users, seed ${options.seed}, a fault every ${options.faultIntervalS} s` +
      (options.instances > 1 ? `, ${options.instances} instances behind HAProxy` : ''),
  );
  // First: without HAProxy (and no way to install it) the multi-instance soak cannot run at all.
  const haproxy = options.instances > 1 ? await findOrInstallHaproxy() : undefined;
  if (haproxy) log(`${haproxy.version} (${haproxy.path})${haproxy.installedInMs ? `, installed in ${haproxy.installedInMs} ms` : ''}`);
  const eventStoreEnv: Record<string, string> =
    options.eventStore === 'eventstoredb'
      ? { EVENT_STORE: 'eventstoredb', EVENTSTORE_CONNECTION_STRING: eventStoreDbConnectionString() }
      : { EVENT_STORE: 'postgres' };
  const [database, build] = await Promise.all([openDatabase(), buildService()]);
  log(`PostgreSQL: ${database.source} (${database.name}); service built in ${build.ms} ms`);
  if (haproxy) await makeRoomForInstances(database, options.instances);
  if (options.eventStore === 'eventstoredb') {
    const server = await openEventLog(options.eventStore, database.url);
    const already = await server.countEventsAfter(START).finally(() => server.close());
    if (already > 0) {
      throw new Error(
        `the EventStoreDB server of EVENTSTORE_CONNECTION_STRING already holds ${already} events: the soak needs one with an empty log ` +
          '(e.g. a fresh container: docker compose -f docker/docker-compose.yml down -v, then up -d eventstoredb)',
      );
    }
    log('event store: EventStoreDB (EVENTSTORE_CONNECTION_STRING), empty log');
  }
  // Notifications arrive in this process, which outlives the service's crashes: started first, stopped last.
  const smtp = new SmtpSink();
  const receiver = new WebhookReceiver();
  const [smtpUrl, receiverUrl] = await Promise.all([smtp.start(), receiver.start()]);
  addCleanup(() => Promise.all([smtp.stop(), receiver.stop()]));
  const secret = randomBytes(32).toString('hex');
  const serviceEnv = {
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    DATABASE_URL: database.url,
    AUTH_JWT_SECRET: secret,
    ...eventStoreEnv,
    LOG_LEVEL: 'warn',
    SCHEDULER_INTERVAL_MS: '500',
    RATE_LIMIT_PER_MINUTE: '0',
    READ_MODEL_WAIT_MS: '5000',
    CERTIFICATION_RENEWAL_WINDOW_DAYS: '7',
    SMTP_URL: smtpUrl,
    WEBHOOK_ALLOW_LOCAL: 'on',
    WEBHOOK_SIGNING_KEY: randomBytes(32).toString('hex'),
    WEBHOOK_INTERVAL_MS,
    // The longest allowed (a year): the clock jumps (35 days) must not make an e-mail of the load too old to send.
    NOTIFICATION_MAX_AGE_HOURS: String(365 * 24),
    // Behind the balancer an orderly stop first answers readiness 503 while still serving, until HAProxy has noticed.
    ...(haproxy ? { SHUTDOWN_GRACE_MS: String(SHUTDOWN_GRACE_MS) } : {}),
  };
  const service = haproxy
    ? await ServiceCluster.create(build, serviceEnv, options.instances, (servers) => LoadBalancer.start(haproxy.path, servers))
    : await ServiceProcess.create(build, serviceEnv);
  const cluster = service instanceof ServiceCluster ? service : undefined;
  const firstStartMs = await service.start({ SCHEDULER_CLOCK_OFFSET_MS: '0' });
  log(
    cluster
      ? `${options.instances} instances ready (${cluster.instances.map((i) => i.url).join(', ')}) behind ${cluster.url} after ${firstStartMs} ms`
      : `service ready at ${service.url} after ${firstStartMs} ms`,
  );

  const random = new Random(options.seed);
  const drops = new DropWindow();
  const client = new SoakClient(service.url, secret, drops, random);
  const workload = new Workload(client, random, {
    members: options.members,
    groups: 6,
    virtualUsers: options.virtualUsers,
    thinkMs: [20, 120],
    // Within the run, so the expiry scheduler fires during the load (the settle phase catches the last ones).
    suspensionSeconds: [8, Math.max(15, Math.min(120, Math.floor(options.durationS / 2)))],
  });
  const webhook = await registerWebhook(client, receiver, receiverUrl);
  log(`webhook ${webhook.webhookId} registered (every event), receiver ${receiverUrl}; SMTP ${smtpUrl}`);
  const s0 = now();
  await workload.seed();
  const seedMs = Math.round(now() - s0);
  log(`seeded in ${seedMs} ms (${client.ledger.length} commands)`);

  const subscribers = startSubscribers(client, cluster?.instances.map((i) => ({ name: i.name, url: i.url })) ?? []);
  const faults = new FaultInjector(service, database, drops, subscribers, {
    firstAfterS: 4,
    intervalS: options.faultIntervalS,
    quietEndS: 6,
    holdTransactionMs: 6_000,
    dropWindowMs: 3_000,
    dropProbability: 0.35,
  });
  service.supervise(() => faults.serviceEnv());
  const loadStart = now();
  const loadEnd = loadStart + options.durationS * 1000;
  const seedCommands = client.ledger.length;
  const progress = setInterval(() => {
    log(
      `t=${Math.round((now() - loadStart) / 1000)}s commands ${client.ledger.length - seedCommands} acknowledged ${client.acknowledgedByKind.total()} ` +
        `refused ${client.refusedByCode.total()} in flight ${client.inFlight.size} faults ${faults.records.length}`,
    );
  }, 10_000);
  await Promise.all([workload.run(loadEnd), faults.run(loadStart, loadEnd)]);
  clearInterval(progress);
  // What the balancer saw during the load (its counters go on through the drain, settle and checks).
  const balancerAtLoadEnd = cluster
    ? {
        ...(await balancerFigures(cluster).catch((e: unknown) => ({ error: errorMessage(e) }))),
        databaseSessions: await sessionsByApplication(database.url).catch((e: unknown) => ({ error: errorMessage(e) })),
      }
    : undefined;
  const loadS = (now() - loadStart) / 1000;
  log(`load done after ${round(loadS)} s; ${client.ledger.length} commands, ${faults.records.length} faults`);

  // ---------------------------------------------------------------- drain
  service.supervise(undefined);
  // Opened after the faults (a PostgreSQL restart would have broken its connections): the checker's view of the log.
  const eventLog = await openEventLog(options.eventStore, database.url);
  addCleanup(() => eventLog.close());
  const checker = new Checker(
    database.url,
    client,
    eventLog,
    options.eventStore,
    cluster?.instances.map((i) => new SoakClient(i.url, secret, new DropWindow(), new Random(options.seed))) ?? [],
  );
  const d0 = now();
  await service.stop();
  faults.clockOffsetMs = DRAIN_OFFSET_MS;
  const drainStartMs = await service.start(faults.serviceEnv());
  await checker.waitProjectionsCaughtUp(60_000);
  const drained = await checker.waitDeliveriesDrained({ receiver, webhookId: webhook.webhookId }, 90_000);
  const drain = { schedulersClock: `${describeOffset(DRAIN_OFFSET_MS)} (orderly restart)`, serviceStartMs: drainStartMs, ...drained };
  log(`deliveries drained in ${Math.round(now() - d0)} ms: ${JSON.stringify(drained)}`);

  // ---------------------------------------------------------------- settle
  const t1 = now();
  const horizon = new Date(Date.now() + SETTLE_OFFSET_MS);
  await service.stop();
  faults.clockOffsetMs = SETTLE_OFFSET_MS;
  const settleStartMs = await service.start(faults.serviceEnv());
  await waitNothingDue(database.url, horizon, 90_000);
  await checker.waitProjectionsCaughtUp(60_000);
  // Again, once the read models hold the whole log: a leaving projected late is only then the scheduler's to see; its
  // consequences are projected before the subscribers' and the checks' view of the log is taken.
  const due = await waitNothingDue(database.url, horizon, 30_000);
  const dueLeft = due.sanctionsAndCertifications + due.leaverHoldings;
  await checker.waitProjectionsCaughtUp(30_000);
  await checker.waitSubscribersCaughtUp(subscribers, 30_000);
  await Promise.all(subscribers.map((s) => s.stop()));
  const settle = {
    schedulersClock: `${describeOffset(SETTLE_OFFSET_MS)} (orderly restart)`,
    horizon: horizon.toISOString(),
    serviceStartMs: settleStartMs,
    dueLeft,
    leaverHoldingsLeft: due.leaverHoldings,
    ms: Math.round(now() - t1),
  };
  log(`settled in ${settle.ms} ms; checking`);

  // ---------------------------------------------------------------- checks
  const c0 = now();
  const commands = await checker.checkCommands(client.ledger);
  const streams = await checker.checkStreams();
  const hashChains = await checker.checkHashChains();
  const expiries = await checker.checkExpiries(horizon);
  const leavers = await checker.checkLeavers();
  const subscriberResults = await checker.checkSubscribers(subscribers);
  const readModels = await checker.checkReadModels(120_000);
  // Last: what the settle phase and the rebuilds recorded is delivered too, and a rebuild sends nothing again.
  const finalDrain = await checker.waitDeliveriesDrained({ receiver, webhookId: webhook.webhookId }, 60_000);
  const notifications = {
    drain,
    finalDrain,
    ...(await checker.checkNotifications({ smtp, receiver, webhookId: webhook.webhookId, addresses: addressesOf(client) })),
  };
  const checkMs = Math.round(now() - c0);
  await service.stop();
  const postgres = await database.serverSettings().catch((error: unknown) => ({ error: errorMessage(error) }));

  const discrepancies = [...client.discrepancies, ...checker.discrepancies];
  for (const crash of service.crashes) {
    discrepancies.push({
      check: 'service-crashed',
      detail: `the service exited on its own at ${crash.at} (code ${crash.code}, signal ${crash.signal})`,
      data: crash.lastErrors,
    });
  }
  if (dueLeft > 0)
    discrepancies.push({
      check: 'settle',
      detail: `after the settle phase: ${due.sanctionsAndCertifications} sanctions or certifications still due, ${due.leaverHoldings} holdings of leavers not ended`,
    });
  const ledger = client.ledger.slice(seedCommands);
  const mutationLatency = percentiles(client.mutationLatencies);
  return {
    ok: discrepancies.length === 0,
    command:
      `npm run -s soak -- --duration ${options.durationS} --virtual-users ${options.virtualUsers} --seed ${options.seed} --event-store ${options.eventStore}` +
      (cluster ? ` --instances ${options.instances}` : ''),
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    wallS: round((now() - wall0) / 1000),
    loadS: round(loadS),
    environment: {
      node: process.version,
      cpus: availableParallelism(),
      loadAverageAtStart,
      loadAverageAtEnd: loadavg().map((x) => round(x, 2)),
      postgres: { source: database.source, ...postgres },
      service: {
        command: 'node --enable-source-maps dist/src/main.js (built with tsc -p tsconfig.build.json --noCheck)',
        env: {
          ...serviceEnv,
          DATABASE_URL: '(the soak database)',
          AUTH_JWT_SECRET: '(random)',
          WEBHOOK_SIGNING_KEY: '(random)',
          ...(options.eventStore === 'eventstoredb' ? { EVENTSTORE_CONNECTION_STRING: '(not printed: it may carry credentials)' } : {}),
        },
        buildMs: build.ms,
        firstStartMs,
        starts: service.starts,
        crashes: service.crashes.length,
      },
    },
    seed: { rng: options.seed, commands: seedCommands, ms: seedMs, members: options.members },
    load: {
      virtualUsers: options.virtualUsers,
      subscribers: subscribers.length,
      actions: workload.actions,
    },
    requests: {
      sent: client.sent,
      mutations: {
        commands: ledger.length,
        acknowledged: ledger.filter((e) => e.status === 'acknowledged').length,
        acknowledgedSavedButReadModelsLate: ledger.filter((e) => e.savedWithoutAnswer).length,
        refused: ledger.filter((e) => e.status === 'refused').length,
        unresolved: ledger.filter((e) => e.status === 'unresolved').length,
        retriedCommands: client.retriedCommands,
        retries: client.retries,
        perSecond: round(ledger.length / loadS),
        byKind: byKind(ledger),
      },
      // Members the directory provisioned (SCIM, with an address): not commands (no commandId), so counted apart.
      scimProvisioning: {
        provisioned: client.directory.filter((e) => e.status === 'acknowledged').length,
        refused: client.directory.filter((e) => e.status === 'refused').length,
        unresolved: client.directory.filter((e) => e.status === 'unresolved').length,
        attempts: client.directory.reduce((sum, e) => sum + e.attempts, 0),
      },
      refusedByCode: client.refusedByCode.toJSON(),
      failedAttemptsByCause: client.attemptFailures.toJSON(),
      droppedBySoak: drops.dropped,
      queries: { sent: client.queries, failedByCode: client.queryFailures.toJSON() },
      latencyMs: { mutations: mutationLatency, queries: percentiles(client.queryLatencies) },
      // Every failed attempt a client saw, judged as a client would: retryable (it may send the same again) or not.
      clientErrors: {
        retryable: client.retryableSeen.toJSON(),
        nonRetryable: client.nonRetryableByCause.toJSON(),
        onlyRetryable: client.nonRetryableByCause.total() === 0,
        nonRetryableFirst: client.nonRetryableSeen,
        retryableFirst: client.retryableFirst,
      },
    },
    ...(cluster ? { cluster: clusterReport(cluster, faults.records, subscribers, balancerAtLoadEnd, haproxy!) } : {}),
    faults: {
      total: faults.records.length,
      byKind: countKinds(faults.records),
      injected: faults.records,
      ...(cluster ? { leftOutToFitTheDuration: faults.skipped } : {}),
    },
    settle,
    checks: { ms: checkMs, commands, streams, hashChains, expiries, leavers, readModels, subscribers: subscriberResults, notifications },
    serviceLog: service.logSummary(),
    discrepancies,
  };
}

/**
 * Each instance keeps its own pools (the projections' locks and batches, the event store, subscriptions): measured at
 * 30 to 40 sessions under the load, so three use more than PostgreSQL's default 100 connections. The soak's own
 * server is given room for them (ALTER SYSTEM, then a restart before anything runs on it); a DATABASE_URL server is
 * only checked.
 */
async function makeRoomForInstances(database: SoakDatabase, instances: number): Promise<void> {
  const wanted = 100 * instances;
  const current = await withClient(database.url, async (c) =>
    Number((await c.query<{ n: string }>("SELECT current_setting('max_connections') AS n")).rows[0]!.n),
  );
  if (current >= wanted) return;
  if (!database.restartable) {
    log(`warning: the server of DATABASE_URL allows ${current} connections; ${instances} instances may need ${wanted}`);
    return;
  }
  await withClient(database.url, (c) => c.query(`ALTER SYSTEM SET max_connections = ${wanted}`));
  await database.restart('fast', 0);
  log(`PostgreSQL: max_connections ${current} → ${wanted} for ${instances} instances`);
}

/** Sessions per instance (their application name) and the soak's own, now. */
async function sessionsByApplication(databaseUrl: string): Promise<Record<string, number>> {
  const { rows } = await withClient(databaseUrl, (c) =>
    c.query<{ app: string; n: number }>(
      `SELECT coalesce(nullif(application_name, ''), '(none)') AS app, count(*)::int AS n FROM pg_stat_activity
        WHERE datname = current_database() GROUP BY 1 ORDER BY 1`,
    ),
  );
  return Object.fromEntries(rows.map((r) => [r.app, r.n]));
}

/** HAProxy's counters: per instance, and the frontend (what the clients were answered). */
async function balancerFigures(cluster: ServiceCluster) {
  const [servers, frontend] = await Promise.all([cluster.balancer.stats(), cluster.balancer.frontend()]);
  return { frontend, instances: servers };
}

/**
 * The multi-instance figures: how long projections were without a runner after each kill (from the SIGKILL until
 * another backend held the projection's advisory lock, read from pg_locks) and after each orderly stop of a rolling
 * restart (from the lock's release), against the target; where the subscribers were connected; the balancer's view.
 */
function clusterReport(
  cluster: ServiceCluster,
  records: readonly FaultRecord[],
  subscribers: readonly { name: string; connections: readonly { instance?: string }[] }[],
  balancerAtLoadEnd: unknown,
  haproxy: { version: string; path: string; installedInMs?: number },
) {
  const kills = records
    .filter((r) => r.kind === 'instance-kill' || r.kind === 'projection-holder-kill')
    .map((r) => {
      const takeover = r.detail.takeover as Takeover | undefined;
      return {
        kind: r.kind,
        t: r.t,
        instance: r.detail.instance,
        projectionsItRan: (r.detail.projectionLocksHeld as string[] | undefined)?.length ?? 0,
        ...(r.kind === 'projection-holder-kill'
          ? { midBatch: r.detail.midBatch, batchAfterKill: r.detail.transactionAfterKill ?? null }
          : {}),
        maxWithoutRunnerMs: takeover?.maxWithoutRunnerMs ?? null,
        notTakenOver: takeover?.notTakenOver ?? [],
        ...(r.error ? { error: r.error } : {}),
      };
    });
  const orderlyStops = records.flatMap((r) => {
    const steps = r.detail.steps as { instance: string; takeover: Takeover }[] | undefined;
    return (steps ?? []).map((s) => ({ kind: r.kind, t: r.t, instance: s.instance, maxWithoutRunnerMs: s.takeover.maxWithoutRunnerMs }));
  });
  const worst = (xs: readonly { maxWithoutRunnerMs: number | null }[]) =>
    xs.reduce<number | null>((m, x) => (x.maxWithoutRunnerMs === null ? m : Math.max(m ?? 0, x.maxWithoutRunnerMs)), null);
  const worstKill = worst(kills);
  return {
    instances: cluster.instances.length,
    balancer: {
      haproxy: haproxy.version,
      ...(haproxy.installedInMs ? { installedInMs: haproxy.installedInMs } : {}),
      config: 'leastconn; check GET /health/ready every 500 ms, fall 2, rise 2; retries 3, option redispatch',
      instancesShutdownGraceMs: SHUTDOWN_GRACE_MS,
      atLoadEnd: balancerAtLoadEnd,
    },
    projectionsWithoutRunner: {
      measuredBy:
        'pg_locks: the advisory lock hashtext(projection:<name>) granted to a backend (pg_stat_activity.application_name names the instance), polled every 50 ms',
      targetMs: TAKEOVER_TARGET_MS,
      afterKillsMaxMs: worstKill,
      targetMet: kills.every((k) => k.notTakenOver.length === 0) && (worstKill ?? 0) < TAKEOVER_TARGET_MS,
      kills,
      afterOrderlyStopsMaxMs: worst(orderlyStops),
      orderlyStops,
    },
    subscribers: subscribers.map((s) => ({
      name: s.name,
      connectionsByInstance: Object.fromEntries(
        [...new Set(s.connections.map((c) => c.instance ?? '?'))]
          .sort()
          .map((i) => [i, s.connections.filter((c) => (c.instance ?? '?') === i).length]),
      ),
    })),
  };
}

const REGISTER_WEBHOOK = `mutation($input: RegisterWebhookInput!) {
  registerWebhook(input: $input) { secret webhook { webhookId status } } }`;

/**
 * A community manager registers the team channel's webhook (no filter: every event), before anything else happens;
 * the receiver learns its secret from the answer (the only time it is given).
 */
async function registerWebhook(client: SoakClient, receiver: WebhookReceiver, url: string): Promise<{ webhookId: string }> {
  const result = await client.mutate<{ secret: string; webhook: { webhookId: string; status: string } }>({
    kind: 'registerWebhook',
    actor: MANAGERS[0]!,
    roles: ['COMMUNITY_MANAGER'] as Role[],
    document: REGISTER_WEBHOOK,
    field: 'registerWebhook',
    input: { url: `${url}/hooks/soak-team-channel`, description: 'The soak’s receiver: every event' },
    expect: 'change',
    allowed: ['WebhookRegistered'],
    streamPrefix: 'webhook-',
  });
  if (!result.data) throw new Error(`registering the webhook was ${result.status} (${result.code})`);
  receiver.secrets = [result.data.secret];
  return { webhookId: result.data.webhook.webhookId };
}

/** member id → the address the directory gave them: whom a notification may be e-mailed to. */
function addressesOf(client: SoakClient): Map<string, string> {
  return new Map(client.directory.filter((e) => e.status === 'acknowledged').map((e) => [e.memberId, e.email]));
}

function byKind(ledger: readonly { kind: string; status: string }[]): Record<string, Record<string, number>> {
  const result: Record<string, Record<string, number>> = {};
  for (const entry of ledger) {
    const kind = (result[entry.kind] ??= {});
    kind[entry.status] = (kind[entry.status] ?? 0) + 1;
  }
  return Object.fromEntries(Object.entries(result).sort(([a], [b]) => a.localeCompare(b)));
}

function countKinds(records: readonly FaultRecord[]): Record<string, number> {
  const counter = new Counter();
  for (const record of records) counter.add(record.kind);
  return counter.toJSON();
}

interface DueLeft {
  readonly sanctionsAndCertifications: number;
  /** Groups owned, ambassadorships live (APPROVED, ACTIVE, INACTIVE) and cases claimed (IN_REVIEW) by members who left. */
  readonly leaverHoldings: number;
}

/**
 * Until the read models the schedulers read show nothing due before `horizon` and nothing held by a leaver; answers
 * what was left (-1: the database could not be asked).
 */
async function waitNothingDue(databaseUrl: string, horizon: Date, timeoutMs: number): Promise<DueLeft> {
  const deadline = now() + timeoutMs;
  for (;;) {
    const left = await withClient(databaseUrl, (c) =>
      c.query<{ due: number; held: number }>(
        `WITH leavers AS (SELECT member_id FROM read_models.members WHERE status = 'LEFT')
         SELECT (SELECT count(*) FROM read_models.moderation_sanctions WHERE state = 'active' AND until IS NOT NULL AND until <= $1)
              + (SELECT count(*) FROM read_models.certifications
                  WHERE status IN ('CERTIFIED', 'DUE_FOR_RENEWAL', 'SUSPENDED') AND expires_at <= $1) AS due,
                (SELECT count(*) FROM read_models.groups g, unnest(g.owners) AS o(member_id) WHERE o.member_id IN (SELECT member_id FROM leavers))
              + (SELECT count(*) FROM read_models.ambassadors
                  WHERE status IN ('APPROVED', 'ACTIVE', 'INACTIVE') AND member_id IN (SELECT member_id FROM leavers))
              + (SELECT count(*) FROM read_models.moderation_cases
                  WHERE status = 'IN_REVIEW' AND assigned_to IN (SELECT member_id FROM leavers)) AS held`,
        [horizon],
      ),
    ).then(
      ({ rows }) => ({ sanctionsAndCertifications: Number(rows[0]!.due), leaverHoldings: Number(rows[0]!.held) }),
      () => ({ sanctionsAndCertifications: -1, leaverHoldings: -1 }),
    );
    if ((left.sanctionsAndCertifications === 0 && left.leaverHoldings === 0) || now() > deadline) {
      return { sanctionsAndCertifications: Math.max(left.sanctionsAndCertifications, 0), leaverHoldings: Math.max(left.leaverHoldings, 0) };
    }
    await delay(250);
  }
}

if (import.meta.main) {
  installSignalHandlers();
  let exitCode = 2;
  try {
    const report = await runSoak(parseOptions(process.argv.slice(2)));
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    exitCode = report.ok ? 0 : 1;
    log(report.ok ? 'no discrepancy' : `${report.discrepancies.length} discrepancies`);
  } catch (error) {
    log(`the soak failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.stdout.write(
      `${JSON.stringify({ ok: false, error: errorMessage(error), discrepancies: [{ check: 'soak', detail: errorMessage(error) }] }, null, 2)}\n`,
    );
  } finally {
    await cleanUp();
  }
  process.exit(exitCode);
}
