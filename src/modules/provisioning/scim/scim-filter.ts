/**
 * The `filter` of GET /Users (RFC 7644 §3.4.2.2), limited to what Entra ID and Okta use to find a user before
 * creating it: `userName eq "..."`, `externalId eq "..."`, and both joined by `and`. Parsed by scim2-parse-filter;
 * this file only accepts or refuses the tree it returns.
 */
import { parse, type Filter } from 'scim2-parse-filter';
import { scimBadRequest } from './scim-error.ts';
import { CORE_USER_SCHEMA } from './scim-user.ts';

/**
 * What a filter asks for. userName is case-insensitive in SCIM (RFC 7643 §4.1.1, caseExact false), so the query
 * behind this compares it without regard to case; externalId is case-exact (§3.1).
 */
export interface UserFilter {
  userName?: string;
  externalId?: string;
}

/** Long enough for two comparisons of 256-character values; a filter longer than this is not one a directory sends. */
export const MAX_FILTER_LENGTH = 1024;

const SUPPORTED = 'only userName eq "..." and externalId eq "...", optionally joined by and, are supported';

// A line break inside an unclosed quoted string makes scim2-parse-filter 0.2.10's tokenizer backtrack
// exponentially (24 take 60 ms, each one more doubles it), and no valid filter holds a control character: refuse them first.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

export function parseUserFilter(text: unknown): UserFilter {
  if (typeof text !== 'string') throw scimBadRequest('invalidFilter', 'the filter must be a single string');
  if (text.length > MAX_FILTER_LENGTH) throw scimBadRequest('invalidFilter', `the filter is longer than ${MAX_FILTER_LENGTH} characters`);
  if (CONTROL.test(text)) throw scimBadRequest('invalidFilter', 'the filter must not contain control characters (line breaks, tabs)');
  if (text.trim() === '') throw scimBadRequest('invalidFilter', 'the filter is empty');
  let tree: Filter;
  try {
    tree = parse(text);
  } catch (error) {
    throw scimBadRequest('invalidFilter', `the filter is not valid SCIM filter syntax (${(error as Error).message})`);
  }
  const found: UserFilter = {};
  collect(tree, found);
  return found;
}

function collect(filter: Filter, found: UserFilter): void {
  if (filter.op === 'and') {
    for (const part of (filter as Extract<Filter, { filters: Filter[] }>).filters) collect(part, found);
    return;
  }
  if (filter.op !== 'eq') throw scimBadRequest('invalidFilter', `the operator "${filter.op}" is not supported: ${SUPPORTED}`);
  const { attrPath, compValue } = filter as Extract<Filter, { op: 'eq' }>;
  const attribute = attributeOf(attrPath);
  if (attribute === undefined) throw scimBadRequest('invalidFilter', `filtering on "${attrPath}" is not supported: ${SUPPORTED}`);
  if (typeof compValue !== 'string') throw scimBadRequest('invalidFilter', `${attribute} must be compared with a quoted string`);
  const earlier = found[attribute];
  // Two different values for one attribute can match nothing; a directory never asks that, so it is refused
  // rather than answered with an empty list that would look like "not found, create it".
  if (earlier !== undefined && earlier !== compValue)
    throw scimBadRequest('invalidFilter', `${attribute} is compared with two different values`);
  found[attribute] = compValue;
}

/** userName or externalId, in any case, with or without the core User schema's URN before it (RFC 7644 §3.10). */
function attributeOf(attrPath: string): keyof UserFilter | undefined {
  const lower = attrPath.toLowerCase();
  const prefix = `${CORE_USER_SCHEMA.toLowerCase()}:`;
  const name = lower.startsWith(prefix) ? lower.slice(prefix.length) : lower;
  if (name === 'username') return 'userName';
  if (name === 'externalid') return 'externalId';
  return undefined;
}
