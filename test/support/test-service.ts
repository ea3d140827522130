import { signDevelopmentToken } from '../../src/auth/development-token.ts';
import type { Role } from '../../src/auth/role.ts';
import { startService, type RunningService } from '../../src/bootstrap.ts';
import { loadConfig, type AuthConfig } from '../../src/config/config.ts';
import { createTestDatabase, type TestDatabase } from '#testing';

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
  /** Events stored for a stream, straight from PostgreSQL: what an assertion that "nothing was appended" reads. */
  storedEvents(streamId: string): Promise<{ type: string; data: string; metadata: Record<string, unknown> }[]>;
  close(): Promise<void>;
}

export interface TestServiceOptions {
  /** Default: HS256 with the suite's secret, which `token()` signs with. */
  readonly auth?: AuthConfig;
  /** Extra environment for loadConfig (e.g. SCHEDULER_INTERVAL_MS). */
  readonly env?: Readonly<Record<string, string>>;
}

/** The whole service over HTTP on a free port, on its own database of the test PostgreSQL. */
export async function startTestService(options: TestServiceOptions = {}): Promise<TestService> {
  const database = await createTestDatabase('e2e');
  // The suite signs its tokens with a shared secret, also where a test runs the service as production.
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    AUTH_JWT_SECRET: SECRET,
    AUTH_ALLOW_SHARED_SECRET_IN_PRODUCTION: 'true',
    READ_MODEL_WAIT_MS: '10000',
    ...options.env,
  });
  const auth = options.auth ?? { mode: 'hs256' as const, secret: SECRET, source: 'AUTH_JWT_SECRET' as const };
  let service: RunningService;
  try {
    service = await startService({ ...config, auth }, database.url);
  } catch (error) {
    await database.drop();
    throw error;
  }
  return {
    service,
    database,
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
      const { rows } = await service.eventSourcing.pool.query<{ event_type: string; data: string; metadata: string }>(
        'SELECT event_type, data::text AS data, metadata::text AS metadata FROM es_events WHERE stream_id = $1 ORDER BY stream_revision',
        [streamId],
      );
      return rows.map((r) => ({ type: r.event_type, data: r.data, metadata: JSON.parse(r.metadata) as Record<string, unknown> }));
    },
    async close() {
      await service.close();
      await database.drop();
    },
  };
}
