import { buildSchema, parse, specifiedRules, validate } from 'graphql';
import { ConfigError, loadConfig } from '../config/config.ts';
import { aliasLimit, mutationFieldLimit, PARSE_OPTIONS, QUERY_LIMITS } from './query-limits.ts';

describe('security configuration', () => {
  test('defaults: 600 requests a minute (off under NODE_ENV=test), 10 subscriptions, 20 WebSocket connections, no admin origin', () => {
    expect(loadConfig({}).security).toEqual({
      rateLimitPerMinute: 600,
      maxSubscriptionsPerToken: 10,
      maxWsConnectionsPerAddress: 20,
      adminOrigins: [],
    });
    expect(loadConfig({ MAX_WS_CONNECTIONS_PER_ADDRESS: '5' }).security.maxWsConnectionsPerAddress).toBe(5);
    expect(
      loadConfig({
        NODE_ENV: 'production',
        AUTH_JWT_SECRET: 'x'.repeat(32),
        AUTH_ALLOW_SHARED_SECRET_IN_PRODUCTION: 'true',
        LOG_SEALING: 'off',
      }).security.rateLimitPerMinute,
    ).toBe(600);
    expect(loadConfig({ NODE_ENV: 'test' }).security.rateLimitPerMinute).toBe(0);
    expect(loadConfig({ NODE_ENV: 'test', RATE_LIMIT_PER_MINUTE: '30' }).security.rateLimitPerMinute).toBe(30);
  });

  test('admin origins are normalised; anything that is not a bare http(s) origin is refused with what would be right', () => {
    expect(
      loadConfig({ ADMIN_ORIGIN: 'https://Admin.Example.org/, http://localhost:5173 ,https://admin.example.org' }).security.adminOrigins,
    ).toEqual(['https://admin.example.org', 'http://localhost:5173']);
    for (const wrong of [
      '*',
      'admin.example.org',
      'https://admin.example.org/console',
      'ftp://x.org',
      'https://u:p@x.org',
      'https://x.org?a=1',
    ]) {
      expect(() => loadConfig({ ADMIN_ORIGIN: wrong })).toThrow(ConfigError);
    }
    expect(() => loadConfig({ ADMIN_ORIGIN: '*' })).toThrow(/ADMIN_ORIGIN must list origins like https:\/\/admin.example.org/);
  });

  test('limits out of range are refused', () => {
    expect(() => loadConfig({ RATE_LIMIT_PER_MINUTE: '-1' })).toThrow(/RATE_LIMIT_PER_MINUTE must be a whole number from 0/);
    expect(() => loadConfig({ MAX_SUBSCRIPTIONS_PER_TOKEN: '0' })).toThrow(/MAX_SUBSCRIPTIONS_PER_TOKEN must be a whole number from 1/);
    expect(() => loadConfig({ MAX_WS_CONNECTIONS_PER_ADDRESS: '0' })).toThrow(
      /MAX_WS_CONNECTIONS_PER_ADDRESS must be a whole number from 1/,
    );
  });
});

describe('query limit rules', () => {
  const schema = buildSchema(`
    type Query { me: String, list(first: Int): [String] }
    type Mutation { act(n: Int): String }
  `);
  const errorsOf = (document: string, rules = [aliasLimit(3), mutationFieldLimit(2)]) =>
    validate(schema, parse(document), [...specifiedRules, ...rules]).map((error) => error.message);

  test('aliases are counted across the document, fragments included', () => {
    expect(errorsOf('{ a: me b: me c: me }')).toEqual([]);
    expect(errorsOf('{ a: me b: me c: me d: me }')).toEqual(['the query uses more than 3 aliases: ask for fewer things at once']);
    expect(errorsOf('{ a: me b: me ...F } fragment F on Query { c: me d: me }')).toHaveLength(1);
  });

  test('mutations at the root of an operation are counted, fragments followed once', () => {
    expect(errorsOf('mutation { act a: act(n: 1) }')).toEqual([]);
    expect(errorsOf('mutation { act a: act(n: 1) b: act(n: 2) }', [mutationFieldLimit(2)])).toEqual([
      'a request may run at most 2 mutations (this one has 3): send them in several requests',
    ]);
    expect(errorsOf('mutation { ...M ...M } fragment M on Mutation { act }', [mutationFieldLimit(2)])).toEqual([]);
    // Queries are not mutations: their width is the cost limit's business.
    expect(errorsOf('{ me list me2: me }', [mutationFieldLimit(1)])).toEqual([]);
  });

  test(`a document of more than ${QUERY_LIMITS.maxTokens} tokens is not even parsed`, () => {
    expect(() => parse(`{ ${'me '.repeat(QUERY_LIMITS.maxTokens)} }`, PARSE_OPTIONS)).toThrow(/10000 tokens/);
    expect(() => parse(`{ ${'me '.repeat(1_000)} }`, PARSE_OPTIONS)).not.toThrow();
  });
});
