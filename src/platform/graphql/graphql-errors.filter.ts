import { Catch, type ArgumentsHost } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';

/**
 * GraphQL errors go to Apollo untouched: formatGraphQLError maps them and logs the unexpected ones once. Without
 * this, Nest would log every refused command (FORBIDDEN, CONFLICT...) as an error before Apollo saw it.
 * HTTP routes (health) keep Nest's own handling.
 */
@Catch()
export class GraphQLErrorsFilter extends BaseExceptionFilter {
  override catch(exception: unknown, host: ArgumentsHost): unknown {
    if (host.getType<string>() === 'graphql') return exception;
    return super.catch(exception, host);
  }
}
