import type { IncomingMessage } from 'node:http';
import type { ApolloDriverConfig } from '@nestjs/apollo';
import {
  getOperationAST,
  GraphQLError,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type FormattedExecutionResult,
  type GraphQLFormattedError,
  type GraphQLSchema,
} from 'graphql';
import type { Context as WsContext, ServerOptions as WsServerOptions, SubscribePayload } from 'graphql-ws';
import { buildRequestContext, connectionHeaders } from '../auth/context.ts';
import type { RequestContext } from '../auth/request-context.ts';
import type { TokenVerifier } from '../auth/token-verifier.ts';
import type { AppConfig } from '../config/config.ts';
import { formatGraphQLError } from '../graphql/format-error.ts';
import { limitRules, NO_INTROSPECTION, PARSE_OPTIONS } from './query-limits.ts';
import { RateLimiter, type RateDecision } from './rate-limiter.ts';
import { SubscriptionLimiter } from './subscription-limiter.ts';

/** The code this module answers with when a limit is reached (formatGraphQLError does not know it). */
export const RATE_LIMITED = 'RATE_LIMITED';

/**
 * The service's abuse limits, shared by HTTP (http-security.ts) and WebSocket subscriptions: a rate limit per member,
 * a cap on each member's live subscriptions, the query limits, and what production hides (introspection, schema
 * details in error messages). One instance per running service (AppModule.forRoot makes it).
 */
export class Security {
  readonly rateLimiter: RateLimiter;
  readonly subscriptions: SubscriptionLimiter;
  private schema: (() => GraphQLSchema) | undefined;
  private readonly watched = new WeakSet<object>();

  constructor(
    readonly config: Pick<AppConfig, 'nodeEnv' | 'security'>,
    private readonly tokens: TokenVerifier,
  ) {
    this.rateLimiter = new RateLimiter(config.security.rateLimitPerMinute);
    this.subscriptions = new SubscriptionLimiter(config.security.maxSubscriptionsPerToken);
  }

  get production(): boolean {
    return this.config.nodeEnv === 'production';
  }

  /** Where the served schema comes from (GraphQLSchemaHost, once the application is created). */
  useSchema(schema: () => GraphQLSchema): void {
    this.schema = schema;
  }

  /** Apollo's part: query limits, no batching, no persisted queries, and in production no introspection. */
  apolloOptions() {
    return {
      validationRules: limitRules(),
      parseOptions: PARSE_OPTIONS,
      // One operation per request: the rate limit counts requests, and a batch would multiply what one may ask.
      allowBatchedHttpRequests: false,
      // Clients send whole documents: automatic persisted queries would only be a cache for anyone to fill.
      persistedQueries: false,
      introspection: !this.production,
      // "Did you mean ...?" would give the schema away where introspection is off.
      hideSchemaDetailsFromClientErrors: this.production,
      includeStacktraceInErrorResponses: false,
    } satisfies Partial<ApolloDriverConfig>;
  }

  /**
   * The rate-limit key of a request: the member its token names once verified, else the address it comes from. Never
   * an unverified claim: a forged token naming someone else must not spend that member's allowance.
   */
  keyOf(actor: RequestContext['actor'], address: string | undefined): string {
    return actor ? `member:${actor.id}` : `address:${address ?? 'unknown'}`;
  }

  /**
   * graphql-ws hooks. Over WebSocket, graphql-ws parses and validates by itself with GraphQL's rules only, and sends
   * errors as they are: here each subscription is held to the same limits as an HTTP request (rate, query limits,
   * introspection), a member's live subscriptions are capped, only subscriptions are taken (queries and mutations go
   * over HTTP), and errors are formatted as over HTTP (no internal messages).
   */
  graphqlWsOptions(): Pick<WsServerOptions, 'onSubscribe' | 'onNext' | 'onError' | 'onComplete' | 'onClose'> {
    return {
      onSubscribe: (ctx, id, payload) => this.subscribe(ctx, id, payload),
      onNext: (_ctx, _id, _payload, _args, result) => formatResult(result),
      onError: (_ctx, _id, _payload, errors) => errors.map(formatError),
      onComplete: (ctx, id) => this.subscriptions.release(ctx, id),
      onClose: (ctx) => this.subscriptions.releaseAll(ctx),
    };
  }

  /**
   * graphql-ws ends a connection's subscriptions (and only then calls onClose) by awaiting each feed's return(), which
   * waits for the feed's pending read, i.e. until its next event: the places are given back as the socket closes.
   */
  private releaseOnClose(ctx: WsContext): void {
    const socket = (ctx.extra as { socket?: { once(event: 'close', listener: () => void): unknown } } | undefined)?.socket;
    if (!socket || this.watched.has(ctx)) return;
    this.watched.add(ctx);
    socket.once('close', () => this.subscriptions.releaseAll(ctx));
  }

  private async subscribe(ctx: WsContext, id: string, payload: SubscribePayload): Promise<ExecutionArgs | readonly GraphQLError[]> {
    const request = (ctx.extra as { request?: IncomingMessage } | undefined)?.request;
    let context: RequestContext;
    try {
      context = await buildRequestContext({ headers: connectionHeaders(ctx.connectionParams, request ?? { headers: {} }) }, this.tokens);
    } catch (error) {
      return [error instanceof GraphQLError ? error : new GraphQLError('internal error', { originalError: error as Error })];
    }
    const key = this.keyOf(context.actor, request?.socket.remoteAddress);
    const rate = this.rateLimiter.take(key);
    if (!rate.allowed) return [rateLimitedError(rate)];

    let document: DocumentNode;
    try {
      document = parse(payload.query, PARSE_OPTIONS);
    } catch (error) {
      return [new GraphQLError((error as Error).message, { extensions: { code: 'GRAPHQL_PARSE_FAILED' } })];
    }
    const schema = this.schema?.();
    if (!schema) return [new GraphQLError('the service is starting; try again shortly', { extensions: { code: 'BAD_REQUEST' } })];
    const invalid = validate(schema, document, [...specifiedRules, ...limitRules(), ...(this.production ? [NO_INTROSPECTION] : [])]);
    if (invalid.length > 0) {
      return invalid.map(
        (error) =>
          new GraphQLError(error.message, { nodes: error.nodes, extensions: { ...error.extensions, code: 'GRAPHQL_VALIDATION_FAILED' } }),
      );
    }
    const operation = getOperationAST(document, payload.operationName);
    if (!operation) return [new GraphQLError('name the operation to run (operationName)', { extensions: { code: 'BAD_REQUEST' } })];
    if (operation.operation !== 'subscription') {
      return [
        new GraphQLError(`over WebSocket only subscriptions are taken; send a ${operation.operation} as an HTTP POST to /graphql`, {
          extensions: { code: 'BAD_REQUEST' },
        }),
      ];
    }
    this.releaseOnClose(ctx);
    if (!this.subscriptions.acquire(ctx, id, key)) {
      return [
        new GraphQLError(`at most ${this.subscriptions.maxPerKey} subscriptions at once per member: complete one before starting another`, {
          extensions: { code: RATE_LIMITED, maxSubscriptions: this.subscriptions.maxPerKey },
        }),
      ];
    }
    return {
      schema,
      document,
      operationName: payload.operationName ?? null,
      variableValues: payload.variables ?? null,
      // As Nest's own context wrapper would make it for a graphql-ws operation.
      contextValue: { ...context, req: ctx },
    };
  }
}

export function rateLimitedError(rate: RateDecision): GraphQLError {
  return new GraphQLError(`too many requests: try again in ${rate.retryAfterSeconds} s`, {
    extensions: { code: RATE_LIMITED, retryAfterSeconds: rate.retryAfterSeconds, http: { status: 429 } },
  });
}

function formatError(error: GraphQLError): GraphQLFormattedError {
  const formatted = error.toJSON();
  if (formatted.extensions?.code === RATE_LIMITED) {
    const { http: _http, ...extensions } = formatted.extensions;
    return { ...formatted, extensions };
  }
  return formatGraphQLError(formatted, error);
}

function formatResult(result: ExecutionResult): FormattedExecutionResult | undefined {
  if (!result.errors?.length) return undefined;
  const { errors, ...rest } = result;
  return { ...(rest as FormattedExecutionResult), errors: errors.map(formatError) };
}
