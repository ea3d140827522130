import type { IncomingMessage } from 'node:http';
import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import type { ApolloDriverConfig } from '@nestjs/apollo';
import {
  getOperationAST,
  getVariableValues,
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
import type { Request, Response } from 'express';
import type pg from 'pg';
import type { Context as WsContext, ServerOptions as WsServerOptions, SubscribePayload } from 'graphql-ws';
import { decodeJwt } from 'jose';
import { buildRequestContext, connectionHeaders } from '../auth/context.ts';
import type { RequestContext } from '../auth/request-context.ts';
import type { TokenVerifier } from '../auth/token-verifier.ts';
import type { AppConfig } from '../config/config.ts';
import { formatGraphQLError } from '../graphql/format-error.ts';
import { limitRules, NO_INTROSPECTION, PARSE_OPTIONS } from './query-limits.ts';
import { RateLimiter, type RateDecision, type RateLimit } from './rate-limiter.ts';
import { ensureSharedLimitsSchema } from './shared-limits-schema.ts';
import { SharedRateLimiter } from './shared-rate-limiter.ts';
import { SharedSubscriptionLimiter } from './shared-subscription-limiter.ts';
import { SubscriptionLimiter, type SubscriptionLimits } from './subscription-limiter.ts';
import { closeAt, WebSocketConnections, type ClosableSocket } from './websocket-connections.ts';

/** The code this module answers with when a limit is reached (formatGraphQLError does not know it). */
export const RATE_LIMITED = 'RATE_LIMITED';

/** How long a WebSocket may stay open without a connection_init (graphql-ws closes it with 4408), and then without a valid token. */
export const AUTHENTICATION_WAIT_MS = 3_000;

/** graphql-ws's close code for a connection that is not (or no longer) signed in. */
const UNAUTHORIZED = 4401;
/** WebSocket close codes: a policy violation; a server that cannot serve now but may soon. */
const POLICY_VIOLATION = 1008;
const TRY_AGAIN_LATER = 1013;
const OPEN = 1;

const CLOSE_REASONS = {
  notSignedIn: 'sign in: a WebSocket connection needs a valid bearer token (authorization) in connection_init',
  tokenExpired: 'the token expired: reconnect with a fresh token and resume with afterPosition',
  signInUnavailable: 'the service cannot check sign-ins right now; try again shortly',
  tooManyConnections: (max: number) => `at most ${max} WebSocket connections per member: close one first`,
};

/**
 * The service's abuse limits, shared by HTTP (http-security.ts) and WebSocket subscriptions: a rate limit per member,
 * a cap on each member's live subscriptions, the query limits, and what production hides (introspection, schema
 * details in error messages). One instance per running service (AppModule.forRoot makes it).
 */
/**
 * How the rate limit treats the requests under one path prefix, registered by the module that serves them (the
 * platform knows no module): a machine client the module authenticates itself (the directory's provisioning client)
 * is not held to the per-member limit meant for people, and a refusal is written in the path's own format.
 */
export interface RateLimitPathPolicy {
  /** Whether the request is from a client this path serves at its own pace (checked before anything is counted). */
  exempt(req: Request): Promise<boolean>;
  /** The 429, in the path's own format; `retry-after` is set already. */
  refuse(res: Response, retryAfterSeconds: number, message: string): void;
}

export class Security {
  readonly rateLimiter: RateLimit;
  private readonly pathPolicies = new Map<string, RateLimitPathPolicy>();
  readonly subscriptions: SubscriptionLimits;
  readonly connections: WebSocketConnections;
  private schema: (() => GraphQLSchema) | undefined;
  private readonly watched = new WeakSet<object>();

  constructor(
    readonly config: Pick<AppConfig, 'nodeEnv' | 'security'>,
    private readonly tokens: TokenVerifier,
    /**
     * The database the rate limit and the subscription cap share with the other instances (the service's write
     * pool): without it they are this instance's alone (unit tests).
     */
    private readonly shared?: pg.Pool,
  ) {
    const { rateLimitPerMinute, maxSubscriptionsPerToken } = config.security;
    this.rateLimiter = shared ? new SharedRateLimiter(rateLimitPerMinute, shared) : new RateLimiter(rateLimitPerMinute);
    this.subscriptions = shared
      ? new SharedSubscriptionLimiter(maxSubscriptionsPerToken, shared)
      : new SubscriptionLimiter(maxSubscriptionsPerToken);
    this.connections = new WebSocketConnections(config.security.maxWsConnectionsPerAddress);
  }

  /** Nest, as the application starts: the shared limits' tables, their session and their cleanups. */
  async onModuleInit(): Promise<void> {
    if (!this.shared) return;
    await ensureSharedLimitsSchema(this.shared);
    if (this.rateLimiter instanceof SharedRateLimiter) this.rateLimiter.start();
    if (this.subscriptions instanceof SharedSubscriptionLimiter) await this.subscriptions.start();
  }

  /**
   * Nest, once the application stopped serving (the WebSocket server closed, so every subscription was released):
   * stops the cleanups and ends the session, before the pool closes.
   */
  async onApplicationShutdown(): Promise<void> {
    if (this.rateLimiter instanceof SharedRateLimiter) this.rateLimiter.stop();
    if (this.subscriptions instanceof SharedSubscriptionLimiter) await this.subscriptions.stop();
  }

  get production(): boolean {
    return this.config.nodeEnv === 'production';
  }

  /** `prefix` (e.g. `/scim/`): the rate limit asks `policy` about requests under it. */
  setRateLimitPathPolicy(prefix: string, policy: RateLimitPathPolicy): void {
    this.pathPolicies.set(prefix, policy);
  }

  rateLimitPathPolicy(path: string): RateLimitPathPolicy | undefined {
    for (const [prefix, policy] of this.pathPolicies) if (path.startsWith(prefix)) return policy;
    return undefined;
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
      plugins: [refusePersistedQueries, ApolloServerPluginCacheControlDisabled(), noStore, ...(this.production ? [hideSuggestions] : [])],
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
  graphqlWsOptions(): Pick<
    WsServerOptions,
    'connectionInitWaitTimeout' | 'onConnect' | 'onSubscribe' | 'onNext' | 'onError' | 'onComplete' | 'onClose'
  > {
    return {
      // graphql-ws's own default, stated: a connection that says nothing is closed (4408) after this long.
      connectionInitWaitTimeout: AUTHENTICATION_WAIT_MS,
      onConnect: (ctx) => this.connect(ctx),
      onSubscribe: (ctx, id, payload) => this.subscribe(ctx, id, payload),
      onNext: (_ctx, _id, _payload, _args, result) => this.formatResult(result),
      // A send that failed because the connection went away (a slow subscriber dropped, a keep-alive that timed out)
      // ends its subscription with an error nobody will receive: not an unexpected error of the service.
      onError: (ctx, _id, _payload, errors) =>
        socketOf(ctx)?.readyState === OPEN ? errors.map((error) => this.formatError(error)) : errors.map(quietly),
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

  /**
   * connection_init. A connection whose token verifies counts for its member from now on and is closed when the token
   * expires (4401: the client resumes with a fresh token and afterPosition). One without a valid token is acknowledged
   * as before, so that its subscriptions are refused as over HTTP (UNAUTHENTICATED, saying why), but is closed (4401)
   * after AUTHENTICATION_WAIT_MS: connections nobody signed in to are not held open.
   */
  private async connect(ctx: WsContext): Promise<boolean> {
    const socket = socketOf(ctx);
    const request = (ctx.extra as { request?: IncomingMessage } | undefined)?.request;
    if (!socket || !request) return true;
    const headers = connectionHeaders(ctx.connectionParams, request);
    let actor: RequestContext['actor'];
    try {
      actor = (await buildRequestContext({ headers }, this.tokens)).actor;
    } catch (error) {
      // A token refused (or one that is not for this API, FORBIDDEN): its subscriptions are refused saying why.
      const refused =
        error instanceof GraphQLError && (error.extensions.code === 'UNAUTHENTICATED' || error.extensions.code === 'FORBIDDEN');
      if (!refused) {
        closeAt(socket, Date.now() + AUTHENTICATION_WAIT_MS, TRY_AGAIN_LATER, CLOSE_REASONS.signInUnavailable);
        return true;
      }
      actor = null;
    }
    if (!actor) {
      closeAt(socket, Date.now() + AUTHENTICATION_WAIT_MS, UNAUTHORIZED, CLOSE_REASONS.notSignedIn);
      return true;
    }
    if (!this.connections.authenticate(request.socket, actor.id)) {
      socket.close(POLICY_VIOLATION, CLOSE_REASONS.tooManyConnections(this.connections.maxPerKey));
      return false;
    }
    // The token verified just now, so its claims can be read as they are. Verification requires exp.
    const expiresAt = decodeJwt(/^Bearer\s+(\S+)$/i.exec(String(headers.authorization).trim())![1]!).exp;
    if (expiresAt !== undefined) closeAt(socket, expiresAt * 1000, UNAUTHORIZED, CLOSE_REASONS.tokenExpired);
    return true;
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
    const rate = await this.rateLimiter.take(key);
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
    // graphql-js would report these as errors without a code (an internal error, then); Apollo calls them BAD_USER_INPUT.
    const variables = getVariableValues(schema, operation.variableDefinitions ?? [], payload.variables ?? {}, { maxErrors: 50 });
    if (variables.errors) {
      return variables.errors.map(
        (error) => new GraphQLError(error.message, { nodes: error.nodes, extensions: { code: 'BAD_USER_INPUT' } }),
      );
    }
    this.releaseOnClose(ctx);
    if (!(await this.subscriptions.acquire(ctx, id, key))) {
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

  /** As over HTTP (formatGraphQLError), and in production without schema hints (hideSuggestions does it for HTTP). */
  private formatError(error: GraphQLError): GraphQLFormattedError {
    const formatted = formatError(error);
    return this.production ? { ...formatted, message: withoutSuggestions(formatted.message) } : formatted;
  }

  private formatResult(result: ExecutionResult): FormattedExecutionResult | undefined {
    if (!result.errors?.length) return undefined;
    const { errors, ...rest } = result;
    return { ...(rest as FormattedExecutionResult), errors: errors.map((error) => this.formatError(error)) };
  }
}

/** "Did you mean ...?" as Apollo's hideSchemaDetailsFromClientErrors finds it (its own expression). */
function withoutSuggestions(message: string): string {
  return message.replace(/ ?Did you mean(.+?)\?$/, '');
}

/**
 * Apollo's hideSchemaDetailsFromClientErrors removes the hints from validation errors only: those about a variable
 * of the wrong shape ("Field "categry" is not defined by type ... Did you mean "category"?") give the schema away too.
 */
const hideSuggestions: ApolloServerPlugin = {
  async requestDidStart() {
    return {
      async didEncounterErrors({ errors }) {
        for (const error of errors) error.message = withoutSuggestions(error.message);
      },
    };
  },
};

/**
 * Every answer says `cache-control: no-store`: it holds what one member may see, and no browser or proxy may keep
 * it. Apollo's cache-control plugin (on unless disabled) said the same, the schema having no cache hints, but it
 * hooks every field of every answer to weigh hints there are none of: about 6 KB allocated per `group(id)`
 * request at 1,000 requests/s, garbage that the service's major collections, its slowest answers, come from.
 */
const noStore: ApolloServerPlugin = {
  async requestDidStart() {
    return {
      async willSendResponse({ response }) {
        response.http.headers.set('cache-control', 'no-store');
      },
    };
  },
};

/**
 * Automatic persisted queries are off (clients send whole documents: a cache of hashes anyone may fill buys nothing
 * here). Apollo then answers PERSISTED_QUERY_NOT_SUPPORTED with status 200, which would read as a success to anything
 * that looks at statuses: the same error (an APQ client falls back to sending the whole query on it) goes with 400.
 */
const refusePersistedQueries: ApolloServerPlugin = {
  async requestDidStart() {
    return {
      async didEncounterErrors({ errors }) {
        for (const error of errors) {
          const http = error.extensions.http as { status?: number } | undefined;
          if (error.extensions.code === 'PERSISTED_QUERY_NOT_SUPPORTED' && http) http.status = 400;
        }
      },
    };
  },
};

function socketOf(ctx: WsContext): ClosableSocket | undefined {
  return (ctx.extra as { socket?: ClosableSocket } | undefined)?.socket;
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

/** As the client would get it, without the logging that formatGraphQLError does for unexpected errors. */
function quietly(error: GraphQLError): GraphQLFormattedError {
  return { message: 'the connection closed', ...(error.path ? { path: error.path } : {}) };
}
