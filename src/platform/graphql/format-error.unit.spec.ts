import { GraphQLError } from 'graphql';
import { EventStoreUnavailableError } from '#event-store';
import { IdentityProviderUnavailableError } from '../auth/token-verifier.ts';
import { formatGraphQLError } from './format-error.ts';

/** A database that went away answers "try again", wherever the error came from (found by the soak's restarts). */
describe('formatGraphQLError: the database unavailable', () => {
  const level = process.env.LOG_LEVEL;
  beforeAll(() => (process.env.LOG_LEVEL = 'silent'));
  afterAll(() => (level === undefined ? delete process.env.LOG_LEVEL : (process.env.LOG_LEVEL = level)));

  const format = (error: GraphQLError) => formatGraphQLError(error.toJSON(), error);
  const retryable = {
    message: 'the service cannot reach its database right now; try again shortly',
    extensions: { code: 'INTERNAL_SERVER_ERROR', retryable: true },
  };
  const pgError = (code: string, message: string) => Object.assign(new Error(message), { code });

  test('a subscription whose feed lost the event store: the error arrives wrapped without a path', () => {
    const error = new GraphQLError('event store unavailable', {
      originalError: new EventStoreUnavailableError('connect ECONNREFUSED 127.0.0.1:5432'),
    });
    expect(format(error)).toMatchObject(retryable);
  });

  test('a read model query whose connection was ended or refused (pg and TypeORM errors, not the event store’s)', () => {
    const shutdown = new GraphQLError('terminating connection', {
      path: ['members'],
      originalError: pgError('57P01', 'terminating connection due to administrator command'),
    });
    const refused = new GraphQLError('connect ECONNREFUSED', {
      path: ['group'],
      originalError: pgError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432'),
    });
    const terminated = new GraphQLError('x', { path: ['group'], originalError: new Error('Connection terminated unexpectedly') });
    for (const error of [shutdown, refused, terminated]) expect(format(error)).toMatchObject(retryable);
  });

  test('other failures stay what they were', () => {
    const identity = new GraphQLError('x', {
      originalError: new IdentityProviderUnavailableError('the JWKS could not be read: Connection terminated'),
    });
    expect(format(identity).message).toMatch(/identity provider/);
    const bug = new GraphQLError('boom', { path: ['group'], originalError: new Error('boom') });
    expect(format(bug)).toEqual({ message: 'internal error', path: ['group'], extensions: { code: 'INTERNAL_SERVER_ERROR' } });
    const syntax = new GraphQLError('syntax error at or near', { path: ['group'], originalError: pgError('42601', 'syntax error') });
    expect(format(syntax).extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR' });
  });
});
