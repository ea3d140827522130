/*
 * The EventStoreDB connection string as @eventstore/db-client 6.2.1 reads it. Kept free of the client itself, so
 * that configuration can check it at start-up without loading the driver.
 */

const CLIENT_SCHEMES: Readonly<Record<string, string>> = {
  'esdb://': 'esdb://',
  'esdb+discover://': 'esdb+discover://',
  // KurrentDB (EventStoreDB renamed) documents these; client 6.2.1 parses only the esdb ones
  // (dist/Client/parseConnectionString.js parseProtocol), and the options after them are the same.
  'kurrentdb://': 'esdb://',
  'kurrentdb+discover://': 'esdb+discover://',
};

export const ACCEPTED_SCHEMES = Object.keys(CLIENT_SCHEMES);

export type ConnectionStringCheck =
  { readonly ok: true; readonly clientConnectionString: string } | { readonly ok: false; readonly problem: string };

/**
 * Accepts what the adapter can run on, translated for the client, or says why not. Messages never repeat the
 * string itself: it may carry credentials.
 */
export function checkConnectionString(connectionString: string): ConnectionStringCheck {
  const trimmed = connectionString.trim();
  const scheme = ACCEPTED_SCHEMES.find((s) => trimmed.startsWith(s));
  if (!scheme) return { ok: false, problem: `must start with ${ACCEPTED_SCHEMES.join(', ')}` };
  const rest = trimmed.slice(scheme.length);
  for (const [key, value] of queryOptions(rest)) {
    // Keys are matched as the client matches them: case, '-' and '_' do not count.
    const option = key.trim().toLowerCase().replace(/[_-]/g, '');
    if (option === 'throwonappendfailure' && value.trim() === 'false') {
      return {
        ok: false,
        problem:
          'throwOnAppendFailure=false is not supported: the client would then answer an append refused for its ' +
          'expected revision as a success (remove the option; it defaults to true)',
      };
    }
    if (option === 'tlsverifycert' && value.trim() === 'false') {
      return {
        ok: false,
        problem:
          'tlsVerifyCert=false has no effect in @eventstore/db-client 6.2.1 (the certificate is verified anyway): ' +
          "trust the server's certificate authority with tlsCAFile=<path> or NODE_EXTRA_CA_CERTS instead",
      };
    }
  }
  return { ok: true, clientConnectionString: `${CLIENT_SCHEMES[scheme]!}${rest}` };
}

/**
 * The key=value pairs after '?'. A password may hold a '?', so the search starts after the credentials, found
 * the way the client finds them (parseCredentials: `user:password@`, the password without '@').
 */
function queryOptions(afterScheme: string): [string, string][] {
  const credentials = /^[^:]+:[^@]+@/.exec(afterScheme);
  const query = afterScheme.indexOf('?', credentials ? credentials[0].length : 0);
  if (query === -1) return [];
  return afterScheme
    .slice(query + 1)
    .split('&')
    .filter((pair) => pair.length > 0)
    .map((pair) => {
      const equals = pair.indexOf('=');
      return equals === -1 ? [pair, ''] : [pair.slice(0, equals), pair.slice(equals + 1)];
    });
}
