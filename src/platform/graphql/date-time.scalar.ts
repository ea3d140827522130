import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';

/**
 * RFC 3339's date-time, as the contract's DateTime means it: a date, a time and a zone (Z or an offset), fractions of
 * a second allowed. The stock scalar (@nestjs/graphql's GraphQLISODateTime) made `new Date(value)` of whatever came,
 * so "not a date" reached the resolvers as an invalid Date (an internal error where it was serialised) and a number
 * became milliseconds since 1970; a literal of another kind became null, as if the argument had been left out.
 */
const RFC_3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;

const EXPECTED = 'DateTime must be a date and time with a zone (RFC 3339), such as 2026-12-05T09:54:33Z';

/** Refused as the client's mistake: formatGraphQLError keeps BAD_USER_INPUT for it, also inside a validation error. */
function invalid(detail: string): GraphQLError {
  return new GraphQLError(`${EXPECTED}; ${detail}`, { extensions: { code: 'BAD_USER_INPUT' } });
}

export function parseDateTime(value: unknown): Date {
  if (typeof value !== 'string') throw invalid(`got a ${value === null ? 'null' : typeof value}`);
  const match = RFC_3339.exec(value);
  if (!match) throw invalid('got text in another form');
  const [, year, month, day, hour, minute, second] = match.map(Number) as number[];
  const date = new Date(value);
  // The calendar checked field by field: Date would roll 30 February over into March rather than refuse it.
  const days = new Date(Date.UTC(year!, month!, 0)).getUTCDate();
  if (Number.isNaN(date.getTime()) || month! < 1 || month! > 12 || day! < 1 || day! > days || hour! > 23 || minute! > 59 || second! > 59) {
    throw invalid('no such date or time');
  }
  return date;
}

export const DateTimeScalar = new GraphQLScalarType({
  name: 'DateTime',
  description: 'A date-time string at UTC, such as 2019-12-03T09:54:33Z, compliant with the date-time format.',
  serialize: (value) => (value instanceof Date ? value.toISOString() : null),
  parseValue: parseDateTime,
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING) throw invalid(`got a ${ast.kind.toLowerCase()} literal`);
    return parseDateTime(ast.value);
  },
});
