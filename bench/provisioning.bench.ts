/**
 * Provisioning benchmark (issue 20): a directory provisioning N users over SCIM 2.0 as Microsoft Entra ID does it,
 * each a look-up by filter then a create, from a fixed number of clients in parallel; the target is 200 users/s.
 *
 *   npm run bench                                          # part of the main benchmark, under "provisioning"
 *   npm run bench -- --skip-provisioning                   # without it
 *   node --experimental-transform-types --conditions=source --no-warnings bench/provisioning.bench.ts \
 *     [--pg URL] [--provisioning-users 10000] [--provisioning-concurrency 8] [--provisioning-retries 500]
 *
 * The service is built and started as bench/service.bench.ts does it (tsc -p tsconfig.build.json into a temporary
 * directory, `node dist/src/main.js` with NODE_ENV=production, its own database, a log seal key), with a static
 * SCIM_TOKEN, and its rate limit off as there (production's default, 600 requests a minute per address, holds
 * /scim/v2 too, and would cap a directory at 5 users/s).
 *
 * 1. A warm-up of --provisioning-warmup users (other user names), not counted.
 * 2. The measured run: user k is `GET /scim/v2/Users?filter=userName eq "<name>"` (its answer must be a ListResponse
 *    with totalResults 0) then `POST /scim/v2/Users` with what Entra ID sends by default (userName, externalId, name,
 *    displayName, emails, active, preferredLanguage, the enterprise extension's department); the create must answer
 *    201 with the user. --provisioning-concurrency clients each take the next user when done with one, over
 *    keep-alive connections. Users per second is users over the wall time of the run; latencies per request kind.
 *    Then every user must be registered once: MemberRegistered events = warm-up + users.
 * 3. Retries: --provisioning-retries of those creates sent again, unchanged (a directory that lost the answers), by
 *    the same clients; each must answer 409 with scimType uniqueness (what the SCIM e2e spec shows), and the log
 *    must not grow (its events counted before and after, the log seals' own streams left out: the sealer appends
 *    whenever 10,000 events have come since its last seal).
 *
 * Every answer other than the expected one (any non-2xx in 1 and 2, anything but 409 uniqueness in 3, a wrong body,
 * a connection error, a timeout of 30 s) counts as an error and is printed (the first 20 of each phase). The CPU the
 * service, its PostgreSQL backends (when the server is local), this process and the machine used in 2 is reported,
 * and the database's work per user (transactions, rows read and written, the tables written): where the time goes.
 *
 * One JSON object on stdout, progress on stderr.
 */
import { randomBytes } from 'node:crypto';
import { Agent, request as httpRequest } from 'node:http';
import { readFile } from 'node:fs/promises';
import { availableParallelism, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import pg from 'pg';
import {
  failure,
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
import { buildService, inParallel, machineCpu, processCpuMs, startService } from './service.bench.ts';

/** The flags of the "provisioning" section of `npm run bench`; alone, the same names. */
export const PROVISIONING_FLAGS = {
  'skip-provisioning': { type: 'boolean', default: false },
  'provisioning-users': { type: 'string', default: '10000' },
  'provisioning-concurrency': { type: 'string', default: '8' },
  'provisioning-retries': { type: 'string', default: '500' },
  'provisioning-warmup': { type: 'string', default: '200' },
  // Investigation knob: a Node option for the service's process (repeatable), e.g. --provisioning-node-option=--cpu-prof.
  'provisioning-node-option': { type: 'string', multiple: true },
} as const;

export interface ProvisioningBenchOptions {
  readonly users: number;
  readonly concurrency: number;
  readonly retries: number;
  readonly warmup: number;
  readonly nodeOptions: readonly string[];
}

type ProvisioningFlagValues = { [K in keyof typeof PROVISIONING_FLAGS]?: string | boolean | string[] | undefined };

export function provisioningOptionsFrom(flags: ProvisioningFlagValues): ProvisioningBenchOptions {
  const int = (name: Exclude<keyof typeof PROVISIONING_FLAGS, 'skip-provisioning' | 'provisioning-node-option'>, min: number) =>
    wholeNumberFlag(name, flags[name] ?? PROVISIONING_FLAGS[name].default, min);
  const users = int('provisioning-users', 1);
  const retries = int('provisioning-retries', 0);
  if (retries > users) throw new Error('--provisioning-retries cannot be more than --provisioning-users (it re-sends their creates)');
  return {
    users,
    concurrency: int('provisioning-concurrency', 1),
    retries,
    warmup: int('provisioning-warmup', 0),
    nodeOptions: (flags['provisioning-node-option'] as string[] | undefined) ?? [],
  };
}

const TARGET_USERS_PER_SEC = 200;
const TIMEOUT_MS = 30_000;
const PRINTED_ERRORS = 20;
const CORE = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const LIST_RESPONSE = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
/** Events of the log seals' own streams: the sealer appends them whatever the requests do. */
const NOT_SEALS = `stream_id NOT LIKE 'log_seal-%'`;

// ---------- the users, as Entra ID sends them ----------
const GIVEN = ['Alice', 'Bram', 'Chloé', 'Daan', 'Emma', 'Finn', 'Grace', 'Hugo', 'Iris', 'Jesse', 'Katja', 'Lars'];
const FAMILY = ['de Vries', 'Jansen', 'Bakker', 'Visser', 'Smit', 'Meijer', 'Mulder', 'de Boer', "O'Brien", 'Peeters', 'Novák'];
const DEPARTMENTS = ['Sales', 'Operations', 'Legal', 'Support', 'Engineering', 'Finance', 'People'];
const LANGUAGES = ['en-US', 'nl-NL', 'en-GB', 'de-DE', 'fr-FR'];

/** User `i` of a `kind` (warm-up or measured): the same body every time, so a retry is the create it repeats. */
function entraUser(kind: 'warmup' | 'user', i: number) {
  const givenName = GIVEN[i % GIVEN.length]!;
  const familyName = FAMILY[Math.floor(i / GIVEN.length) % FAMILY.length]!;
  const userName = `${givenName}.${familyName.replace(/[^A-Za-z]/g, '')}.${kind}${String(i).padStart(6, '0')}@contoso.com`.toLowerCase();
  return {
    schemas: [CORE, ENTERPRISE],
    externalId: `${kind === 'user' ? '0a21f0f2' : '7c4e0b11'}-8d2a-4f8e-bf98-${i.toString(16).padStart(12, '0')}`,
    userName,
    active: true,
    displayName: `${givenName} ${familyName}`,
    name: { formatted: `${givenName} ${familyName}`, familyName, givenName },
    emails: [{ primary: true, type: 'work', value: userName }],
    preferredLanguage: LANGUAGES[i % LANGUAGES.length],
    [ENTERPRISE]: { department: DEPARTMENTS[i % DEPARTMENTS.length] },
    meta: { resourceType: 'User' },
    roles: [],
  };
}

// ---------- the service, built and started as bench/service.bench.ts does it ----------

const delay = (ms: number) => new Promise<void>((resolveDelay) => setTimeout(resolveDelay, ms));

// ---------- the directory's client ----------
interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown> | null;
  readonly ms: number;
}

/**
 * A SCIM client over keep-alive connections, at most one per concurrent caller (node:http rather than fetch: less
 * work in this process, which shares the cores with the service and PostgreSQL).
 */
function scimClient(baseUrl: string, token: string, connections: number) {
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const { hostname, port } = new URL(baseUrl);
  const send = (method: 'GET' | 'POST', path: string, body?: unknown): Promise<Answer> =>
    new Promise((resolveAnswer, reject) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const t0 = now();
      const req = httpRequest(
        {
          agent,
          hostname,
          port,
          method,
          path: `/scim/v2${path}`,
          timeout: TIMEOUT_MS,
          headers: {
            authorization: `Bearer ${token}`,
            accept: 'application/scim+json',
            ...(payload === undefined ? {} : { 'content-type': 'application/scim+json', 'content-length': Buffer.byteLength(payload) }),
          },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
          res.on('end', () => {
            const ms = now() - t0;
            resolveAnswer({ status: res.statusCode ?? 0, body: parsedBody(text), ms });
          });
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`no answer within ${TIMEOUT_MS / 1000} s`)));
      req.on('error', reject);
      req.end(payload);
    });
  return { send, close: () => agent.destroy() };
}
type ScimClient = ReturnType<typeof scimClient>;

function parsedBody(text: string): Record<string, unknown> | null {
  if (text === '') return null;
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return { notJson: text.slice(0, 300) };
  }
}

const filterPath = (userName: string) => `/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`;

/** What went wrong in a phase: counted, the first few printed and kept for the report. */
class Errors {
  count = 0;
  readonly samples: string[] = [];
  constructor(private readonly phase: string) {}
  add(message: string) {
    this.count++;
    if (this.samples.length < PRINTED_ERRORS) {
      this.samples.push(message);
      log(`provisioning ${this.phase}: error: ${message}`);
    }
  }
}

const answerText = (answer: Answer) => `${answer.status} ${JSON.stringify(answer.body).slice(0, 300)}`;

/** Look-up then create for `users` users of `kind`, as Entra ID provisions a joiner. */
async function provision(client: ScimClient, kind: 'warmup' | 'user', users: number, concurrency: number) {
  const lookups: number[] = [];
  const creates: number[] = [];
  const perUser: number[] = [];
  const errors = new Errors(kind === 'user' ? 'run' : 'warm-up');
  const t0 = now();
  await inParallel(users, concurrency, async (i) => {
    const user = entraUser(kind, i);
    try {
      const found = await client.send('GET', filterPath(user.userName));
      lookups.push(found.ms);
      const list = found.body as { schemas?: string[]; totalResults?: number } | null;
      if (found.status !== 200) errors.add(`GET ${user.userName}: ${answerText(found)}`);
      else if (!list?.schemas?.includes(LIST_RESPONSE) || list.totalResults !== 0) {
        errors.add(`GET ${user.userName}: expected a ListResponse with totalResults 0, got ${answerText(found)}`);
      }
      const created = await client.send('POST', '/Users', user);
      creates.push(created.ms);
      perUser.push(found.ms + created.ms);
      if (created.status !== 201) errors.add(`POST ${user.userName}: ${answerText(created)}`);
      else if (created.body?.['userName'] !== user.userName || typeof created.body['id'] !== 'string') {
        errors.add(`POST ${user.userName}: the answer is not the user created: ${answerText(created)}`);
      }
    } catch (error) {
      errors.add(`${user.userName}: ${(error as Error).message}`);
    }
  });
  const seconds = (now() - t0) / 1000;
  return { seconds, lookups, creates, perUser, errors };
}

/** The same creates again, unchanged: each must be refused as a uniqueness conflict. */
async function retry(client: ScimClient, users: number, retries: number, concurrency: number) {
  // Spread over the whole run: early users and late ones.
  const picked = Array.from({ length: retries }, (_, j) => Math.floor((j * users) / retries));
  const latencies: number[] = [];
  const errors = new Errors('retries');
  const t0 = now();
  await inParallel(retries, concurrency, async (j) => {
    const user = entraUser('user', picked[j]!);
    try {
      const again = await client.send('POST', '/Users', user);
      latencies.push(again.ms);
      if (again.status !== 409 || again.body?.['scimType'] !== 'uniqueness') {
        errors.add(`POST ${user.userName} again: expected 409 uniqueness, got ${answerText(again)}`);
      }
    } catch (error) {
      errors.add(`${user.userName} again: ${(error as Error).message}`);
    }
  });
  return { seconds: (now() - t0) / 1000, latencies, errors };
}

const latency = (ms: readonly number[]) => {
  const s = stats(ms);
  const sorted = Float64Array.from(ms).sort();
  const p95 = sorted[Math.min(sorted.length - 1, Math.floor(0.95 * sorted.length))] ?? 0;
  return { n: s.n, p50Ms: s.p50Ms, p95Ms: round(p95), p99Ms: s.p99Ms, maxMs: s.maxMs, meanMs: s.meanMs };
};

// ---------- CPU ----------
/**
 * Starts measuring the CPU of the service, of the PostgreSQL backends on the bench database (null when they are not
 * processes of this machine), of this process and of the machine; the function returned gives shares of one core.
 */
async function cpuMeter(servicePid: number, admin: pg.Client) {
  const backends = async (): Promise<number[]> =>
    admin
      .query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()')
      .then(({ rows }) => rows.map((r) => r.pid))
      .catch(() => []);
  const postgresMs = async (pids: readonly number[]) => {
    let sum = 0;
    for (const pid of pids) {
      const comm = await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => undefined);
      if (comm !== undefined && comm.trim() !== 'postgres') return null;
      sum += (await processCpuMs(pid)) ?? 0;
    }
    return sum;
  };
  const pids = await backends();
  const [service0, pg0, machine0, self0, t0] = [
    await processCpuMs(servicePid),
    await postgresMs(pids),
    await machineCpu(),
    process.cpuUsage(),
    now(),
  ];
  return async () => {
    const wallMs = now() - t0;
    // Backends opened during the run (the pool grows) are left out: a lower bound then.
    const [service1, pg1, machine1, self1] = [
      await processCpuMs(servicePid),
      await postgresMs(pids),
      await machineCpu(),
      process.cpuUsage(self0),
    ];
    const cores = (ms: number) => round(ms / wallMs, 2);
    return {
      serviceCores: service0 !== null && service1 !== null ? cores(service1 - service0) : null,
      postgresBackendCores: pg0 !== null && pg1 !== null ? cores(pg1 - pg0) : null,
      loadGeneratorCores: cores((self1.user + self1.system) / 1000),
      machineCores:
        machine0 && machine1
          ? round(((machine1.busy - machine0.busy) / Math.max(1, machine1.total - machine0.total)) * availableParallelism(), 2)
          : null,
      cpus: availableParallelism(),
    };
  };
}

// ---------- the benchmark ----------
/**
 * The bench database's transactions and rows so far, and the rows written per table (PostgreSQL's statistics,
 * which the backends report at most a second late).
 */
async function databaseWork(admin: pg.Client) {
  await delay(1_100);
  await admin.query('SELECT pg_stat_clear_snapshot()');
  const { rows } = await admin.query<{ commits: string; inserted: string; updated: string; returned: string }>(
    `SELECT xact_commit AS commits, tup_inserted AS inserted, tup_updated AS updated, tup_returned + tup_fetched AS returned
       FROM pg_stat_database WHERE datname = current_database()`,
  );
  const tables = await admin.query<{ name: string; written: string }>(
    `SELECT schemaname || '.' || relname AS name, n_tup_ins + n_tup_upd AS written FROM pg_stat_user_tables`,
  );
  const r = rows[0]!;
  return {
    commits: Number(r.commits),
    inserted: Number(r.inserted),
    updated: Number(r.updated),
    returned: Number(r.returned),
    tables: new Map(tables.rows.map((t) => [t.name, Number(t.written)])),
  };
}

/**
 * What the database did per user: transactions (a WAL flush each when it wrote), rows written and read, and the
 * tables most written (rows inserted or updated per user): each projection that takes members' events shows there.
 */
function perUser(before: Awaited<ReturnType<typeof databaseWork>>, after: Awaited<ReturnType<typeof databaseWork>>, users: number) {
  const per = (key: 'commits' | 'inserted' | 'updated' | 'returned') => round((after[key] - before[key]) / users, 1);
  const tables = [...after.tables]
    .map(([name, written]) => [name, round((written - (before.tables.get(name) ?? 0)) / users, 2)] as const)
    .filter(([, written]) => written >= 0.05)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 12);
  return {
    transactions: per('commits'),
    rowsInserted: per('inserted'),
    rowsUpdated: per('updated'),
    rowsRead: per('returned'),
    rowsWrittenByTable: Object.fromEntries(tables),
  };
}

async function eventCounts(admin: pg.Client) {
  const { rows } = await admin.query<{ events: number; registered: number }>(
    `SELECT count(*)::int AS events, count(*) FILTER (WHERE event_type = 'MemberRegistered')::int AS registered
       FROM es_events WHERE ${NOT_SEALS}`,
  );
  return rows[0]!;
}

export type ProvisioningSection = { skipped: string } | { error: string } | Awaited<ReturnType<typeof benchProvisioningUnchecked>>;

/**
 * The provisioning section; a failure is reported in it ({ error }), not thrown. The service, its build and its
 * database are gone when it returns.
 */
export async function benchProvisioning(server: Server, options: ProvisioningBenchOptions): Promise<ProvisioningSection> {
  const created: { database?: BenchDatabase } = {};
  try {
    return await benchProvisioningUnchecked(server, options, created);
  } catch (error) {
    log(failure('provisioning bench', error));
    return { error: (error as Error).message };
  } finally {
    if (created.database) await cleanUpDownTo(created.database.drop);
  }
}

async function benchProvisioningUnchecked(server: Server, options: ProvisioningBenchOptions, created: { database?: BenchDatabase }) {
  const loadAverageAtStart = loadavg().map((x) => round(x, 2));
  const database = (created.database = await createBenchDatabase(server, 'governance_bench_provisioning'));
  log('provisioning: building and starting the service');
  const token = randomBytes(32).toString('base64url');
  const build = await buildService();
  // The directory's static token; the bench's own signing secret, as service.bench.ts uses one.
  const service = await startService(build, database.url, randomBytes(32).toString('hex'), options.nodeOptions, { SCIM_TOKEN: token });
  log(`provisioning: service ready at ${service.url} after ${service.startMs} ms (build ${build.ms} ms, database ${database.name})`);
  const client = scimClient(service.url, token, options.concurrency);
  // Opened now and held: on a server shared with test suites, a connection asked for after the run may be refused
  // (too many clients), which would lose the run's figures.
  const admin = new pg.Client({ connectionString: database.url });
  admin.on('error', () => undefined);
  await admin.connect();
  try {
    const warmup = await provision(client, 'warmup', options.warmup, options.concurrency);
    log(`provisioning: warm-up of ${options.warmup} users in ${round(warmup.seconds, 1)} s, errors ${warmup.errors.count}`);

    await checkpoint(database.url);
    log(`provisioning: ${options.users} users (look-up then create), ${options.concurrency} clients`);
    const workBefore = await databaseWork(admin);
    const cpu = await cpuMeter(service.pid, admin);
    const run = await provision(client, 'user', options.users, options.concurrency);
    const cpuUsed = await cpu();
    const workPerUser = perUser(workBefore, await databaseWork(admin), options.users);
    const usersPerSec = round(options.users / run.seconds, 1);
    const afterRun = await eventCounts(admin);
    const lookup = latency(run.lookups);
    const create = latency(run.creates);
    log(
      `provisioning: ${options.users} users in ${round(run.seconds, 1)} s = ${usersPerSec} users/s; ` +
        `look-up p50/p95/p99 ${lookup.p50Ms}/${lookup.p95Ms}/${lookup.p99Ms} ms, create ${create.p50Ms}/${create.p95Ms}/${create.p99Ms} ms, ` +
        `errors ${run.errors.count}; MemberRegistered ${afterRun.registered}`,
    );

    const retries = options.retries > 0 ? await retry(client, options.users, options.retries, options.concurrency) : undefined;
    const afterRetries = await eventCounts(admin);
    const appendedByRetries = afterRetries.events - afterRun.events;
    if (retries) {
      log(
        `provisioning: ${options.retries} retried creates, errors ${retries.errors.count}, events appended ${appendedByRetries} ` +
          `(${afterRun.events} before, ${afterRetries.events} after)`,
      );
    }

    const expectedRegistered = options.warmup + options.users;
    const duringRun = { warn: service.logged.warn, error: service.logged.error, other: service.logged.other };
    await service.stop();
    const targets = {
      provisioningRate: {
        description: `users provisioned per second (SCIM look-up by filter then create, ${options.concurrency} clients) >= ${TARGET_USERS_PER_SEC}`,
        target: TARGET_USERS_PER_SEC,
        measured: usersPerSec,
        // A run with errors proves no rate: the failed users were not provisioned.
        met: usersPerSec >= TARGET_USERS_PER_SEC && run.errors.count === 0,
        ...(loadAverageAtStart[0]! > availableParallelism()
          ? { note: `load average ${loadAverageAtStart[0]} at the start on ${availableParallelism()} CPUs: other work shares the cores` }
          : {}),
      },
      provisioningNoErrors: {
        description: 'no unexpected answer, connection error or timeout (warm-up, run and retries), and every user registered once',
        target: 0,
        measured: warmup.errors.count + run.errors.count + (retries?.errors.count ?? 0),
        registered: { expected: expectedRegistered, measured: afterRun.registered },
        met: warmup.errors.count + run.errors.count + (retries?.errors.count ?? 0) === 0 && afterRun.registered === expectedRegistered,
      },
      provisioningRetriesAppendNothing: {
        description: "retried creates answer 409 uniqueness and append no event (the log's events outside the seals' streams)",
        target: 0,
        measured: retries ? appendedByRetries : null,
        met: retries !== undefined && appendedByRetries === 0 && retries.errors.count === 0,
        ...(retries ? {} : { note: '--provisioning-retries 0' }),
      },
    };
    return {
      params: {
        users: options.users,
        concurrency: options.concurrency,
        retries: options.retries,
        warmupUsers: options.warmup,
        timeoutMs: TIMEOUT_MS,
      },
      env: { node: process.version, cpus: availableParallelism(), loadAverageAtStart, loadAverageAtEnd: loadavg().map((x) => round(x, 2)) },
      service: {
        command: service.command,
        env: service.env,
        buildMs: build.ms,
        startMs: service.startMs,
        database: database.name,
        logged: { duringRun, first: service.logged.first },
      },
      warmup: { users: options.warmup, seconds: round(warmup.seconds, 2), errors: warmup.errors.count },
      run: {
        users: options.users,
        seconds: round(run.seconds, 2),
        usersPerSec,
        latencyMs: { lookup, create, lookupThenCreate: latency(run.perUser) },
        errors: run.errors.count,
        sampleErrors: run.errors.samples,
        memberRegisteredEvents: afterRun.registered,
        cpu: cpuUsed,
        // The service's CPU time per user (ms), and the database's work per user (its statistics, whole database).
        serviceCpuMsPerUser: cpuUsed.serviceCores === null ? null : round((cpuUsed.serviceCores * run.seconds * 1000) / options.users, 2),
        postgresPerUser: workPerUser,
      },
      retries: retries && {
        creates: options.retries,
        seconds: round(retries.seconds, 2),
        latencyMs: latency(retries.latencies),
        errors: retries.errors.count,
        sampleErrors: retries.errors.samples,
        eventsBefore: afterRun.events,
        eventsAfter: afterRetries.events,
        appended: appendedByRetries,
      },
      targets,
    };
  } finally {
    client.close();
    await admin.end().catch(() => undefined);
    await service.stop();
  }
}

// ---------- alone ----------
if (import.meta.main) {
  installSignalHandlers();
  const { values } = parseArgs({ options: { pg: { type: 'string' }, ...PROVISIONING_FLAGS } });
  const options = provisioningOptionsFrom(values);
  await reportAndExit(async () => {
    const startedAt = new Date().toISOString();
    const server = await resolveServer(values.pg);
    log(`server: ${redact(server.url)} (${server.source})`);
    const provisioning = await benchProvisioning(server, options);
    return {
      output: { startedAt, finishedAt: new Date().toISOString(), server: { source: server.source, url: redact(server.url) }, provisioning },
      ...('targets' in provisioning ? { targets: provisioning.targets } : {}),
      failed: 'error' in provisioning,
    };
  });
}
