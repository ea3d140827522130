import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import { EventStoreUnavailableError, WrongExpectedRevisionError, StreamNotFoundError } from '#event-store';
import { isUnavailableError } from '#postgres';
import { ProjectionTimeoutError } from '#projections';
import { UnauthenticatedError } from '../auth/request-context.ts';
import { IdentityProviderUnavailableError } from '../auth/token-verifier.ts';
import { DomainError } from '../shared/domain-error.ts';
import { logger } from '../observability/logger.ts';

/** Codes that Apollo itself produces for malformed requests; their messages are already meant for the client. */
const REQUEST_ERROR_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
]);

const TOO_MANY_VARIABLE_ERRORS = 'Too many errors processing variables, error limit reached. Execution aborted.';

/**
 * GraphQL's own messages quote the value they refused ("got invalid value ..."): a megabyte sent is not a megabyte
 * sent back. The start of the message says what was wrong.
 */
const MAX_MESSAGE = 1_000;
function clip(message: string): string {
  return message.length <= MAX_MESSAGE ? message : `${message.slice(0, MAX_MESSAGE)}… (${message.length - MAX_MESSAGE} more characters)`;
}

/**
 * The database went away (a restart, a failover): worth a retry, not an internal error. Read models (TypeORM, pg) fail
 * with the driver's errors rather than EventStoreUnavailableError; and a subscription's feed that loses its database
 * arrives wrapped in a GraphQLError without a path, which unwrapResolverError leaves as it is (found by the soak).
 */
function databaseUnavailable(error: unknown): boolean {
  const cause = error instanceof GraphQLError && error.originalError ? error.originalError : error;
  if (cause instanceof IdentityProviderUnavailableError) return false;
  return cause instanceof EventStoreUnavailableError || isUnavailableError(cause);
}

/**
 * Maps every error to the contract's `extensions.code` with a message a person can act on. Anything unexpected is
 * logged with its stack and answered as INTERNAL_SERVER_ERROR without details: no stack traces or SQL reach clients.
 */
export function formatGraphQLError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const original = unwrapResolverError(error);
  const base = {
    message: clip(formatted.message),
    ...(formatted.locations ? { locations: formatted.locations } : {}),
    ...(formatted.path ? { path: formatted.path } : {}),
  };
  if (original instanceof DomainError) {
    return { ...base, message: clip(original.message), extensions: { code: original.code, ...(original.details ?? {}) } };
  }
  if (original instanceof UnauthenticatedError) return { ...base, message: original.message, extensions: { code: 'UNAUTHENTICATED' } };
  if (original instanceof WrongExpectedRevisionError) {
    return {
      ...base,
      message: `this was changed meanwhile (now at revision ${original.actual ?? 'none'}, you saw ${String(original.expected)}): reload and try again`,
      extensions: { code: 'CONFLICT', actualRevision: original.actual ?? null },
    };
  }
  if (original instanceof StreamNotFoundError) return { ...base, message: clip(original.message), extensions: { code: 'NOT_FOUND' } };
  if (original instanceof ProjectionTimeoutError) {
    return {
      ...base,
      message: 'the change was saved, but the views did not catch up in time; reload in a moment',
      extensions: { code: 'INTERNAL_SERVER_ERROR', saved: true, retryable: false },
    };
  }
  if (databaseUnavailable(original)) {
    logger.warn('event store unavailable', { error: (original as Error).message });
    return {
      ...base,
      message: 'the service cannot reach its database right now; try again shortly',
      extensions: { code: 'INTERNAL_SERVER_ERROR', retryable: true },
    };
  }
  // Thrown while the context is built (the bearer token is checked there), so it arrives wrapped, without a path.
  const cause = original instanceof GraphQLError ? original.originalError : original;
  if (cause instanceof IdentityProviderUnavailableError) {
    logger.warn('identity provider unavailable', { error: cause.message });
    return {
      ...base,
      message: 'the service cannot check sign-ins with the identity provider right now; try again shortly',
      extensions: { code: 'INTERNAL_SERVER_ERROR', retryable: true },
    };
  }
  const code = formatted.extensions?.code;
  // A scalar that refuses a literal (date-time.scalar.ts) fails the document's validation, which Apollo names
  // GRAPHQL_VALIDATION_FAILED whatever the scalar said: the value was the client's mistake, as it is in a variable.
  if (code === 'GRAPHQL_VALIDATION_FAILED' && refusedByScalar(error)) return { ...base, extensions: { code: 'BAD_USER_INPUT' } };
  if (typeof code === 'string' && (REQUEST_ERROR_CODES.has(code) || code === 'UNAUTHENTICATED' || code === 'FORBIDDEN')) {
    return { ...base, extensions: { code } };
  }
  // graphql-js stops reading variables after 50 errors and says so with an error of its own that has no code.
  if (formatted.message === TOO_MANY_VARIABLE_ERRORS) return { ...base, extensions: { code: 'BAD_USER_INPUT' } };
  logger.error('unexpected error in a GraphQL request', {
    error: original instanceof Error ? (original.stack ?? original.message) : String(original),
  });
  return { ...base, message: 'internal error', extensions: { code: 'INTERNAL_SERVER_ERROR' } };
}

function refusedByScalar(error: unknown): boolean {
  for (let cause = error; cause instanceof GraphQLError; cause = cause.originalError) {
    if (cause !== error && cause.extensions['code'] === 'BAD_USER_INPUT') return true;
  }
  return false;
}
