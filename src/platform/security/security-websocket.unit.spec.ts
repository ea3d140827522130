import { GraphQLError } from 'graphql';
import type { Context as WsContext } from 'graphql-ws';
import { TokenVerifier } from '../auth/token-verifier.ts';
import { loadConfig } from '../config/config.ts';
import { Security } from './security.ts';

/** The service's log lines (JSON on stdout) while `run` runs. */
function logged(run: () => unknown): { level: string }[] {
  const lines: { level: string }[] = [];
  const write = process.stdout.write;
  process.stdout.write = ((chunk: unknown) => {
    if (String(chunk).startsWith('{')) lines.push(JSON.parse(String(chunk)) as { level: string });
    return true;
  }) as typeof process.stdout.write;
  try {
    run();
  } finally {
    process.stdout.write = write;
  }
  return lines;
}

describe('graphql-ws errors', () => {
  const security = new Security(
    loadConfig({ NODE_ENV: 'test' }),
    new TokenVerifier({ mode: 'hs256', secret: 'x'.repeat(32), source: 'AUTH_JWT_SECRET' }),
  );
  const { onError } = security.graphqlWsOptions();
  const connection = (readyState: number) => ({ extra: { socket: { readyState } } }) as unknown as WsContext;
  const sendFailed = () => [new GraphQLError('WebSocket is not open: readyState 3 (CLOSED)', { originalError: new Error('not open') })];

  test('a send that failed because the connection went away is not logged as an unexpected error', () => {
    let answer: unknown;
    const lines = logged(() => (answer = onError!(connection(3), '1', { query: '' }, sendFailed())));
    expect(answer).toEqual([{ message: 'the connection closed' }]);
    expect(lines.filter((line) => line.level === 'error')).toEqual([]);
  });

  test('on an open connection an unexpected error is still answered as internal and logged', () => {
    let answer: unknown;
    const lines = logged(() => (answer = onError!(connection(1), '1', { query: '' }, sendFailed())));
    expect(answer).toEqual([{ message: 'internal error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }]);
    expect(lines.map((line) => line.level)).toEqual(['error']);
  });
});
