import 'reflect-metadata';
import { writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { NestFactory } from '@nestjs/core';
import { GraphQLSchemaHost } from '@nestjs/graphql';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import { lexicographicSortSchema, printSchema } from 'graphql';
import { AppModule } from './app.module.ts';
import { correlationIdOf } from './platform/auth/context.ts';
import { TokenVerifier } from './platform/auth/token-verifier.ts';
import type { AppConfig, AuthConfig } from './platform/config/config.ts';
import { createEventSourcing, readModelsCaughtUpWith, type EventSourcing } from './platform/infrastructure/event-sourcing.ts';
import { systemClock, type Clock } from './platform/shared/clock.ts';
import { applyHttpSecurity } from './platform/security/index.ts';
import type { LogSealer } from './modules/integrity/index.ts';
import type { BackgroundWork } from './platform/manifest/governance-module.ts';
import { createLogIntegrity } from './modules/integrity/index.ts';
import { GOVERNANCE_STREAMS, MODULES } from './modules/index.ts';
import { JsonLogger, logContext, logger } from './platform/observability/logger.ts';

export interface RunningService {
  readonly url: string;
  readonly app: NestExpressApplication;
  readonly eventSourcing: EventSourcing;
  /** The schema the service serves, as committed in schema.gql. */
  schemaSdl(): string;
  /**
   * The modules' background work (sanction expiry, certification renewal...), running with the real clock. A test that
   * writes a simulated past stops it first: a pass in the middle of that history decides on today's date.
   */
  readonly schedulers: readonly BackgroundWork[];
  /** Stops taking requests, finishes the ones in flight, stops projections at a checkpoint, closes the database. */
  close(): Promise<void>;
}

/** The event schemas, projections and read-model entities of every module (MODULES): what the service is made of. */
export const SERVICE_PARTS = {
  schemas: GOVERNANCE_STREAMS.flatMap((declared) => declared.schemas),
  projections: MODULES.flatMap((module) => module.projections),
  readModelEntities: MODULES.flatMap((module) => module.readModelEntities),
};

export async function startService(config: AppConfig & { auth: AuthConfig }, databaseUrl: string): Promise<RunningService> {
  const eventSourcing = await createEventSourcing(config, databaseUrl, SERVICE_PARTS);
  const drain = new RequestDrain();
  // SCHEDULER_CLOCK_OFFSET_MS (never in production) moves the schedulers' time: the soak makes their clock jump.
  const offsetMs = config.schedulerClockOffsetMs;
  const schedulerClock: Clock = offsetMs === 0 ? systemClock : { now: () => new Date(Date.now() + offsetMs) };
  // Work the service does on its own when a date passes. Every instance runs them: the streams make them exactly-once.
  const schedulers = MODULES.flatMap((module) =>
    module.schedulers({
      events: eventSourcing.events,
      readModels: eventSourcing.readModels,
      clock: schedulerClock,
      config,
      forgetCommandInputs: () => eventSourcing.commandInputs.forgetAll(),
      readModelsCaughtUp: readModelsCaughtUpWith(eventSourcing, config.readModelWaitMs),
    }),
  );
  let app: NestExpressApplication | undefined;
  let sealer: LogSealer | undefined;
  try {
    // One sealer at a time across instances signs the log now and then (src/modules/integrity); the key never goes to the database.
    const integrity = await createLogIntegrity({
      config: config.logSeal,
      dataDir: config.dataDir,
      store: eventSourcing.store,
      events: eventSourcing.events,
      pool: eventSourcing.pool,
      clock: systemClock,
      log: (level, message, fields) => logger[level](message, fields ?? {}),
    });
    sealer = integrity.sealer;
    await eventSourcing.runner.initialise();
    eventSourcing.runner.start();
    for (const scheduler of schedulers) scheduler.start();
    sealer?.start();
    app = await NestFactory.create<NestExpressApplication>(
      AppModule.forRoot({ config, eventSourcing, tokens: new TokenVerifier(config.auth), integrity: integrity.integrity }),
      { logger: new JsonLogger(), bodyParser: false },
    );
    // First, so that a request that arrives during shutdown is refused before its body is even read.
    app.use(drain.middleware);
    // Security headers, CORS and the rate limit, before the body is read (src/platform/security).
    applyHttpSecurity(app);
    // SCIM clients send application/scim+json (RFC 7644 §3.1); it is JSON, read with the same limit.
    app.useBodyParser('json', { limit: config.maxBodyBytes, type: ['application/json', 'application/scim+json'] });
    app.use((req: Request, res: Response, next: NextFunction) => {
      const correlationId = correlationIdOf(req);
      (req as Request & { correlationId?: string }).correlationId = correlationId;
      res.setHeader('x-correlation-id', correlationId);
      logContext.run({ correlationId }, next);
    });
    await app.listen(config.port, config.host);
  } catch (error) {
    await Promise.all(schedulers.map((scheduler) => scheduler.stop()));
    await sealer?.stop();
    await app?.close().catch(() => undefined);
    await eventSourcing.close().catch(() => undefined);
    throw error;
  }
  const started = app;
  const address = started.getHttpServer().address() as AddressInfo;
  const schemaHost = started.get(GraphQLSchemaHost);
  let closing: Promise<void> | undefined;
  return {
    url: `http://${config.host}:${address.port}`,
    app: started,
    eventSourcing,
    schemaSdl: () => `${printSchema(lexicographicSortSchema(schemaHost.schema))}\n`,
    schedulers,
    close() {
      closing ??= (async () => {
        // Behind a load balancer: readiness says "stopping" while requests are still served, until the balancer has
        // seen it and sends them elsewhere; only then does the instance stop taking connections.
        if (config.shutdownGraceMs > 0) {
          drain.announceStopping();
          logger.info(`not ready: serving ${config.shutdownGraceMs} ms more while load balancers notice`);
          await new Promise((resolve) => setTimeout(resolve, config.shutdownGraceMs));
        }
        // The requests being handled finish (a mutation waits up to readModelWaitMs for its read models) before
        // Nest stops GraphQL and the database goes: none is cut off between its append and its answer.
        await drain.close(started.getHttpServer() as Server, config.readModelWaitMs + 5_000);
        await Promise.all(schedulers.map((scheduler) => scheduler.stop()));
        await sealer?.stop();
        await started.close();
        await eventSourcing.close();
        logger.info('stopped');
      })();
      return closing;
    },
  };
}

/**
 * Counts the requests being handled, so that shutdown can wait for them. Once shutdown has begun, a request that
 * still arrives (on a kept-alive connection, or one accepted just before) is refused by closing its connection
 * before anything of it runs: the client sees a connection error, as for a connection the server no longer takes,
 * and nothing is appended for it. Without this, Apollo's drain ends such a connection while its request is already
 * on its way, the request runs anyway with no one to answer, and meets a closed database pool halfway.
 */
class RequestDrain {
  private running = 0;
  private stopping = false;
  private closing = false;
  private idle: (() => void) | undefined;

  /** From now on /health/ready answers 503; everything else is still served as usual. */
  announceStopping(): void {
    this.stopping = true;
  }

  readonly middleware = (req: Request, res: Response, next: NextFunction): void => {
    if (this.closing) {
      req.socket.destroy();
      return;
    }
    if (this.stopping && req.path === '/health/ready') {
      res.status(503).json({ status: 'stopping' });
      return;
    }
    this.running++;
    let done = false;
    // A request is done when its handler ends the response. 'finish' would never come for a client that went away
    // meanwhile, and 'close' comes as soon as it went, while the handler may still be using the database.
    const end = res.end.bind(res) as (...args: unknown[]) => Response;
    res.end = ((...args: unknown[]) => {
      if (!done) {
        done = true;
        // The connection is not kept alive for another request: the server can close as soon as this is answered.
        if (this.closing && !res.headersSent) res.setHeader('connection', 'close');
        if (--this.running === 0) this.idle?.();
      }
      return end(...args);
    }) as Response['end'];
    next();
  };

  /** Stops accepting connections and waits (at most `timeoutMs`) until the requests being handled have answered. */
  async close(server: Server, timeoutMs: number): Promise<void> {
    this.closing = true;
    // Node also closes the kept-alive connections that have no request in progress.
    server.close();
    if (this.running > 0) {
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        this.idle = resolve;
        timer = setTimeout(resolve, timeoutMs);
      });
      clearTimeout(timer);
    }
    if (this.running > 0) {
      logger.warn('shutdown: requests still running after the drain timeout; closing their connections', {
        running: this.running,
        timeoutMs,
      });
      server.closeAllConnections();
    }
  }
}

export async function writeSchemaFile(service: RunningService, path: string): Promise<void> {
  await writeFile(path, service.schemaSdl());
}
