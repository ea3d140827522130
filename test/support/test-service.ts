import { signDevelopmentToken } from '../../src/platform/auth/development-token.ts';
import type { Role } from '../../src/platform/auth/role.ts';
import { startService, type RunningService } from '../../src/bootstrap.ts';
import { loadConfig, type AppConfig, type AuthConfig } from '../../src/platform/config/config.ts';
import { createTestDatabase, type TestDatabase } from '#testing';
import { START, StreamNotFoundError, type EventStore } from '#event-store';
import { openEventLog, testEventStoreEnv, withOwnStreamNamespace, type TestEventStoreKind } from './test-event-store.ts';

const SECRET = 'e2e-secret-that-is-long-enough-for-hs256-0123456789';

export interface GraphQLResponse<T = Record<string, unknown>> {
  status: number;
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string; [key: string]: unknown } }[];
}

export interface TestService {
  readonly service: RunningService;
  readonly database: TestDatabase;
  token(subject: string, ...roles: Role[]): Promise<string>;
  graphql<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    options?: { token?: string; headers?: Record<string, string> },
  ): Promise<GraphQLResponse<T>>;
  /** The store the service runs on: EVENT_STORE of the test run (see test/support/test-event-store.ts). */
  readonly eventStore: TestEventStoreKind;
  /**
   * Events stored for a stream, read through the port (on either store): what an assertion that "nothing was
   * appended" reads. Data as stored (JSON text, personal fields encrypted), metadata parsed.
   */
  storedEvents(streamId: string): Promise<{ type: string; data: string; metadata: Record<string, unknown> }[]>;
  /** How many events this service's log holds, through the port. */
  eventCount(): Promise<number>;
  /** Every stored byte of this service's log (data and metadata text of each event), through the port. */
  storedLogText(): Promise<string[]>;
  /** A connection of its own to this service's log, for reading it once the service is closed; close it after. */
  openEventLog(): Promise<EventStore>;
  close(): Promise<void>;
}

export interface TestServiceOptions {
  /** Default: HS256 with the suite's secret, which `token()` signs with. */
  readonly auth?: AuthConfig;
  /** Extra environment for loadConfig (e.g. SCHEDULER_INTERVAL_MS). */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * Another instance of that service, as instances behind a load balancer are: on its database (and, on EventStoreDB,
   * its stream namespace) instead of a new one. Its close() stops this instance only: close it before the first,
   * whose close() drops the database.
   */
  readonly sameDatabaseAs?: TestService;
}

/** Each service's event store settings (its stream namespace on EventStoreDB), for the instances that join it. */
const eventStoreOf = new WeakMap<TestService, AppConfig['eventStore']>();

/** The whole service over HTTP on a free port, on its own database of the test PostgreSQL. */
export async function startTestService(options: TestServiceOptions = {}): Promise<TestService> {
  const first = options.sameDatabaseAs;
  const database = first ? first.database : await createTestDatabase('e2e');
  // The suite signs its tokens with a shared secret, also where a test runs the service as production.
  const loaded = loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    AUTH_JWT_SECRET: SECRET,
    AUTH_ALLOW_SHARED_SECRET_IN_PRODUCTION: 'true',
    READ_MODEL_WAIT_MS: '10000',
    ...testEventStoreEnv(),
    ...options.env,
  });
  const config = first ? { ...loaded, eventStore: eventStoreOf.get(first) ?? loaded.eventStore } : withOwnStreamNamespace(loaded);
  const auth = options.auth ?? { mode: 'hs256' as const, secret: SECRET, source: 'AUTH_JWT_SECRET' as const };
  let service: RunningService;
  try {
    service = await startService({ ...config, auth }, database.url);
  } catch (error) {
    if (!first) await database.drop();
    throw error;
  }
  const started: TestService = {
    service,
    database,
    eventStore: config.eventStore.kind,
    token: (subject, ...roles) => signDevelopmentToken(SECRET, subject, roles),
    async graphql(query, variables, options = {}) {
      const response = await fetch(`${service.url}/graphql`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
          ...options.headers,
        },
        body: JSON.stringify({ query, variables }),
      });
      return { status: response.status, ...((await response.json()) as object) };
    },
    async storedEvents(streamId) {
      const events = await service.eventSourcing.store.readStream(streamId).catch((error: unknown) => {
        if (error instanceof StreamNotFoundError) return [];
        throw error;
      });
      return events.map((e) => ({ type: e.type, data: e.data, metadata: JSON.parse(e.metadata) as Record<string, unknown> }));
    },
    eventCount: () => service.eventSourcing.store.countEventsAfter(START),
    openEventLog: () => openEventLog(config.eventStore, database.url),
    async storedLogText() {
      const texts: string[] = [];
      for (let after = START; ;) {
        const page = await service.eventSourcing.store.readAll({ after, maxCount: 1000 });
        for (const event of page.events) texts.push(event.data + event.metadata);
        if (page.isEnd) return texts;
        after = page.checkpoint;
      }
    },
    async close() {
      await service.close();
      if (!first) await database.drop();
    },
  };
  eventStoreOf.set(started, config.eventStore);
  return started;
}
