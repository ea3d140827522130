import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { Global, Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import { GraphQLModule } from '@nestjs/graphql';
import type { Request } from 'express';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { GovernanceEventStore } from '#event-store';
import { ProjectionRunner } from '#projections';
import { AdminModule } from './platform/admin/admin.module.ts';
import { buildRequestContext, connectionHeaders } from './platform/auth/context.ts';
import { TokenVerifier } from './platform/auth/token-verifier.ts';
import { CommandPipeline } from './platform/command/command-pipeline.ts';
import { MutationCallRecorder } from './platform/command/mutation-call.recorder.ts';
import { UseCaseHandler } from './platform/command/use-case.ts';
import type { AppConfig } from './platform/config/config.ts';
import { DateTimeScalar } from './platform/graphql/date-time.scalar.ts';
import { formatGraphQLError } from './platform/graphql/format-error.ts';
import { GraphQLErrorsFilter } from './platform/graphql/graphql-errors.filter.ts';
import { NodeModule } from './platform/graphql/node.ts';
import { GOVERNANCE_STREAMS, MODULES } from './modules/index.ts';
import { IntegrityModule, type LogIntegrity } from './modules/integrity/index.ts';
import { HealthController } from './platform/health/health.controller.ts';
import type { EventSourcing } from './platform/infrastructure/event-sourcing.ts';
import { APP_CONFIG, EVENT_SOURCING, GOVERNANCE_STREAMS as GOVERNANCE_STREAMS_TOKEN } from './platform/shared/tokens.ts';
import { Security } from './platform/security/index.ts';
import { WebSocketUpgradeGuard } from './platform/security/websocket-upgrade-guard.ts';
import { ReadOnlyMutationGuard } from './platform/security/read-only-roles.ts';

export interface AppRuntime {
  readonly config: AppConfig;
  readonly eventSourcing: EventSourcing;
  readonly tokens: TokenVerifier;
  readonly integrity: LogIntegrity;
}

/** The infrastructure built before Nest starts, offered to every feature module. */
@Global()
@Module({})
class RuntimeModule {
  static with(runtime: AppRuntime): DynamicModule {
    const providers = [
      { provide: APP_CONFIG, useValue: runtime.config },
      { provide: EVENT_SOURCING, useValue: runtime.eventSourcing },
      { provide: TokenVerifier, useValue: runtime.tokens },
      { provide: GovernanceEventStore, useValue: runtime.eventSourcing.events },
      { provide: ProjectionRunner, useValue: runtime.eventSourcing.runner },
      { provide: pg.Pool, useValue: runtime.eventSourcing.pool },
      { provide: DataSource, useValue: runtime.eventSourcing.readModels },
      // Every module's streams, for the modules that read any stream (audit's time travel and event type catalogue).
      { provide: GOVERNANCE_STREAMS_TOKEN, useValue: GOVERNANCE_STREAMS },
      {
        provide: CommandPipeline,
        useValue: new CommandPipeline(
          runtime.eventSourcing.events,
          runtime.eventSourcing.runner,
          runtime.config.readModelWaitMs,
          runtime.eventSourcing.commandInputs,
        ),
      },
    ];
    return { module: RuntimeModule, providers, exports: providers.map((p) => p.provide) };
  }
}

@Module({})
export class AppModule {
  static forRoot(runtime: AppRuntime): DynamicModule {
    const security = new Security(runtime.config, runtime.tokens, runtime.eventSourcing.pool);
    return {
      module: AppModule,
      imports: [
        RuntimeModule.with(runtime),
        IntegrityModule.with(runtime.integrity),
        CqrsModule.forRoot(),
        GraphQLModule.forRoot<ApolloDriverConfig>({
          driver: ApolloDriver,
          path: '/graphql',
          autoSchemaFile: true,
          sortSchema: true,
          // Every Date in and out is the contract's DateTime, parsed strictly (a malformed one is BAD_USER_INPUT).
          buildSchemaOptions: { scalarsMap: [{ type: Date, scalar: DateTimeScalar }] },
          // HTTP requests carry the token in headers; graphql-ws connections in their connection parameters.
          context: (arg: { req?: Request; connectionParams?: Record<string, unknown>; extra?: { request: Request } }) =>
            arg.req
              ? buildRequestContext(arg.req, runtime.tokens)
              : buildRequestContext({ headers: connectionHeaders(arg.connectionParams, arg.extra!.request) }, runtime.tokens),
          formatError: formatGraphQLError,
          // Query limits, no batching, and in production no introspection (src/platform/security).
          ...security.apolloOptions(),
          playground: false,
          subscriptions: { 'graphql-ws': { path: '/graphql', ...security.graphqlWsOptions() } },
        }),
        // Before the feature modules: their resolvers register their types with node(id).
        NodeModule,
        ...MODULES.flatMap((module) => (module.nestModule ? [module.nestModule] : [])),
        AdminModule,
      ],
      providers: [
        // The one handler of every mutation (each module declares its use cases: see src/platform/command/use-case.ts).
        UseCaseHandler,
        { provide: APP_FILTER, useClass: GraphQLErrorsFilter },
        // Every mutation refuses a read-only (auditor's) token before its resolver runs (src/platform/security/read-only-roles.ts).
        { provide: APP_GUARD, useClass: ReadOnlyMutationGuard },
        // Each mutation's input, noted for the command pipeline, which binds a commandId to it (src/platform/command/command-inputs.ts).
        { provide: APP_INTERCEPTOR, useClass: MutationCallRecorder },
        { provide: Security, useValue: security },
        // Upgrades counted per address before graphql-ws takes them (src/platform/security/websocket-connections.ts).
        WebSocketUpgradeGuard,
      ],
      controllers: [HealthController],
    };
  }
}
