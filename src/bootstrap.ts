import 'reflect-metadata';
import { writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { NestFactory } from '@nestjs/core';
import { GraphQLSchemaHost } from '@nestjs/graphql';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import { lexicographicSortSchema, printSchema } from 'graphql';
import { AppModule } from './app.module.ts';
import { correlationIdOf } from './auth/context.ts';
import { TokenVerifier } from './auth/token-verifier.ts';
import type { AppConfig, AuthConfig } from './config/config.ts';
import { GROUP_EVENT_SCHEMAS } from './groups/group.decider.ts';
import { groupsProjection } from './groups/read-models/groups.projection.ts';
import { createEventSourcing, type EventSourcing } from './infrastructure/event-sourcing.ts';
import { MEMBER_EVENT_SCHEMAS } from './members/member.decider.ts';
import { membersProjection } from './members/read-models/members.projection.ts';
import { JsonLogger, logContext, logger } from './observability/logger.ts';

export interface RunningService {
  readonly url: string;
  readonly app: NestExpressApplication;
  readonly eventSourcing: EventSourcing;
  /** The schema the service serves, as committed in schema.gql. */
  schemaSdl(): string;
  /** Stops taking requests, finishes the ones in flight, stops projections at a checkpoint, closes the database. */
  close(): Promise<void>;
}

/** The event schemas and projections of every module: what the service is made of. */
export const SERVICE_PARTS = {
  schemas: [...MEMBER_EVENT_SCHEMAS, ...GROUP_EVENT_SCHEMAS],
  projections: [membersProjection, groupsProjection],
};

export async function startService(config: AppConfig & { auth: AuthConfig }, databaseUrl: string): Promise<RunningService> {
  const eventSourcing = await createEventSourcing(config, databaseUrl, SERVICE_PARTS);
  let app: NestExpressApplication | undefined;
  try {
    await eventSourcing.runner.initialise();
    eventSourcing.runner.start();
    app = await NestFactory.create<NestExpressApplication>(
      AppModule.forRoot({ config, eventSourcing, tokens: new TokenVerifier(config.auth) }),
      { logger: new JsonLogger(), bodyParser: false },
    );
    app.useBodyParser('json', { limit: config.maxBodyBytes });
    app.use((req: Request, res: Response, next: NextFunction) => {
      const correlationId = correlationIdOf(req);
      (req as Request & { correlationId?: string }).correlationId = correlationId;
      res.setHeader('x-correlation-id', correlationId);
      logContext.run({ correlationId }, next);
    });
    await app.listen(config.port, config.host);
  } catch (error) {
    await app?.close().catch(() => undefined);
    await eventSourcing.close().catch(() => undefined);
    throw error;
  }
  const started = app;
  const address = started.getHttpServer().address() as AddressInfo;
  const schemaHost = started.get(GraphQLSchemaHost);
  return {
    url: `http://${config.host}:${address.port}`,
    app: started,
    eventSourcing,
    schemaSdl: () => `${printSchema(lexicographicSortSchema(schemaHost.schema))}\n`,
    async close() {
      await started.close();
      await eventSourcing.close();
      logger.info('stopped');
    },
  };
}

export async function writeSchemaFile(service: RunningService, path: string): Promise<void> {
  await writeFile(path, service.schemaSdl());
}
