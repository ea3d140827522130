import { ConfigError, loadConfig } from './config.ts';

describe('configuration', () => {
  test('defaults: embedded database, PostgreSQL event store, port 3000, development auth', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      nodeEnv: 'development',
      port: 3000,
      databaseUrl: undefined,
      eventStore: { kind: 'postgres' },
      auth: { mode: 'development' },
    });
  });

  test('every wrong value is reported at once, each with what would be right', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'eighty', EVENT_STORE: 'mongo', DATABASE_URL: 'mysql://x', AUTH_JWT_SECRET: 'short', LOG_LEVEL: 'loud' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toHaveLength(5);
    expect(problems.join('\n')).toMatch(/LOG_LEVEL must be one of debug, info, warn, error, silent/);
    expect(problems.join('\n')).toMatch(/PORT must be a whole number from 0 to 65535 \(got "eighty"\)/);
    expect(problems.join('\n')).toMatch(/EVENT_STORE must be one of postgres, eventstoredb/);
    expect(problems.join('\n')).toMatch(/DATABASE_URL must be a postgres/);
    expect(problems.join('\n')).toMatch(/AUTH_JWT_SECRET must be at least 32 characters/);
  });

  test('EventStoreDB needs its connection string', () => {
    expect(() => loadConfig({ EVENT_STORE: 'eventstoredb' })).toThrow(/needs EVENTSTORE_CONNECTION_STRING/);
    expect(loadConfig({ EVENT_STORE: 'eventstoredb', EVENTSTORE_CONNECTION_STRING: 'esdb://127.0.0.1:2113?tls=false' }).eventStore).toEqual(
      {
        kind: 'eventstoredb',
        connectionString: 'esdb://127.0.0.1:2113?tls=false',
      },
    );
  });

  test('EventStoreDB connection strings: kurrentdb:// is accepted; options client 6.2.1 cannot honour are refused', () => {
    const eventStoreOf = (connectionString: string) =>
      loadConfig({ EVENT_STORE: 'eventstoredb', EVENTSTORE_CONNECTION_STRING: connectionString }).eventStore;
    // Kept as written: the adapter translates the scheme for the client.
    expect(eventStoreOf('kurrentdb://127.0.0.1:2113?tls=false')).toEqual({
      kind: 'eventstoredb',
      connectionString: 'kurrentdb://127.0.0.1:2113?tls=false',
    });
    expect(eventStoreOf('kurrentdb+discover://cluster.example:2113')).toMatchObject({ kind: 'eventstoredb' });
    expect(() => eventStoreOf('esdb://127.0.0.1:2113?tls=false&throwOnAppendFailure=false')).toThrow(
      /EVENTSTORE_CONNECTION_STRING throwOnAppendFailure=false is not supported/,
    );
    expect(() => eventStoreOf('esdb://127.0.0.1:2113?tlsVerifyCert=false')).toThrow(
      /EVENTSTORE_CONNECTION_STRING tlsVerifyCert=false has no effect .*tlsCAFile/,
    );
    expect(() => eventStoreOf('tcp://secret@127.0.0.1:1113')).toThrow(
      /EVENTSTORE_CONNECTION_STRING must start with esdb:\/\/, esdb\+discover:\/\/, kurrentdb:\/\/, kurrentdb\+discover:\/\//,
    );
    // The string itself may carry credentials: it is never quoted back.
    expect(() => eventStoreOf('tcp://secret@127.0.0.1:1113')).not.toThrow(/secret/);
  });

  test('production refuses to start without authentication configured', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/NODE_ENV=production needs authentication configured/);
    expect(
      loadConfig({ NODE_ENV: 'production', AUTH_ISSUER: 'https://id.example.org', AUTH_AUDIENCE: 'governance', LOG_SEALING: 'off' }).auth,
    ).toMatchObject({
      mode: 'oidc',
    });
  });

  test('production refuses a shared secret (AUTH_JWT_SECRET) unless AUTH_ALLOW_SHARED_SECRET_IN_PRODUCTION=true', () => {
    const secret = 'x'.repeat(32);
    expect(() => loadConfig({ NODE_ENV: 'production', AUTH_JWT_SECRET: secret })).toThrow(
      /NODE_ENV=production with AUTH_JWT_SECRET: .*AUTH_ALLOW_SHARED_SECRET_IN_PRODUCTION=true/,
    );
    expect(() => loadConfig({ NODE_ENV: 'production', AUTH_JWT_SECRET: secret, AUTH_ALLOW_SHARED_SECRET_IN_PRODUCTION: 'false' })).toThrow(
      ConfigError,
    );
    expect(
      loadConfig({ NODE_ENV: 'production', AUTH_JWT_SECRET: secret, AUTH_ALLOW_SHARED_SECRET_IN_PRODUCTION: 'true', LOG_SEALING: 'off' })
        .auth,
    ).toEqual({
      mode: 'hs256',
      secret,
      source: 'AUTH_JWT_SECRET',
    });
    expect(() => loadConfig({ AUTH_ALLOW_SHARED_SECRET_IN_PRODUCTION: 'yes' })).toThrow(
      /AUTH_ALLOW_SHARED_SECRET_IN_PRODUCTION must be one of true, false/,
    );
    // Outside production the secret needs no permission.
    expect(loadConfig({ NODE_ENV: 'development', AUTH_JWT_SECRET: secret }).auth).toMatchObject({ mode: 'hs256' });
  });

  test("the community managers' digest hour: 07:00 UTC by default, a whole hour of the day otherwise", () => {
    expect(loadConfig({}).notifications.digestHour).toBe(7);
    expect(loadConfig({ NOTIFICATION_DIGEST_HOUR: '0' }).notifications.digestHour).toBe(0);
    expect(loadConfig({ NOTIFICATION_DIGEST_HOUR: '23' }).notifications.digestHour).toBe(23);
    expect(() => loadConfig({ NOTIFICATION_DIGEST_HOUR: '24' })).toThrow(/NOTIFICATION_DIGEST_HOUR must be a whole number from 0 to 23/);
    expect(() => loadConfig({ NOTIFICATION_DIGEST_HOUR: '7.5' })).toThrow(/NOTIFICATION_DIGEST_HOUR must be a whole number from 0 to 23/);
  });

  test('deliveries: 16 sends in flight and no cap by default; a whole number of each otherwise', () => {
    expect(loadConfig({}).notifications.delivery).toEqual({ concurrency: 16, maxPerSecond: 0 });
    expect(loadConfig({ DELIVERY_CONCURRENCY: '4', DELIVERY_MAX_PER_SECOND: '200' }).notifications.delivery).toEqual({
      concurrency: 4,
      maxPerSecond: 200,
    });
    expect(() => loadConfig({ DELIVERY_CONCURRENCY: '0' })).toThrow(/DELIVERY_CONCURRENCY must be a whole number from 1 to 256/);
    expect(() => loadConfig({ DELIVERY_MAX_PER_SECOND: '-1' })).toThrow(/DELIVERY_MAX_PER_SECOND must be a whole number from 0 to 100000/);
  });

  test("V8's worker threads: nice 19 by default, 0 leaves them alone, nothing outside 0 to 19", () => {
    expect(loadConfig({}).v8WorkerNice).toBe(19);
    expect(loadConfig({ V8_WORKER_NICE: '0' }).v8WorkerNice).toBe(0);
    expect(loadConfig({ V8_WORKER_NICE: '10' }).v8WorkerNice).toBe(10);
    expect(() => loadConfig({ V8_WORKER_NICE: '-5' })).toThrow(/V8_WORKER_NICE must be a whole number from 0 to 19/);
    expect(() => loadConfig({ V8_WORKER_NICE: '20' })).toThrow(/V8_WORKER_NICE must be a whole number from 0 to 19/);
  });

  test('OIDC needs issuer and audience together', () => {
    expect(() => loadConfig({ AUTH_ISSUER: 'https://id.example.org' })).toThrow(/AUTH_ISSUER and AUTH_AUDIENCE go together/);
  });
});
