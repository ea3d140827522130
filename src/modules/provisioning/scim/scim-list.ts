/**
 * Lists and paging of GET /Users (RFC 7644 §3.4.2.4): 1-based `startIndex`, `count` results per page, answered
 * as a ListResponse. Okta pages with count=100; Entra ID asks for small pages.
 */
import { scimBadRequest } from './scim-error.ts';

export const LIST_RESPONSE_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
export const DEFAULT_COUNT = 100;
/** The ServiceProviderConfig's filter.maxResults. */
export const MAX_COUNT = 200;

export interface ListResponse<T> {
  schemas: [typeof LIST_RESPONSE_SCHEMA];
  /** Numbers, never strings: Okta refuses a page whose totals are strings. */
  totalResults: number;
  startIndex: number;
  itemsPerPage: number;
  Resources: T[];
}

export interface Paging {
  /** 1-based index of the first result. */
  startIndex: number;
  /** Results per page, 0 to MAX_COUNT (0 answers only totalResults). */
  count: number;
}

export function listResponse<T>(resources: T[], totalResults: number, startIndex: number, itemsPerPage: number): ListResponse<T> {
  return { schemas: [LIST_RESPONSE_SCHEMA], totalResults, startIndex, itemsPerPage, Resources: resources };
}

/**
 * `startIndex` and `count` of a request's query (as Express parses it: a string, an array when repeated, or
 * absent). RFC 7644 would read startIndex below 1 as 1 and a negative count as 0; this service refuses them
 * instead, so a client with a paging bug learns of it at once rather than reading the same page forever.
 */
export function pagingOf(query: Record<string, unknown>): Paging {
  return {
    startIndex: integerOf(query.startIndex, 'startIndex', 1, 1, Number.MAX_SAFE_INTEGER),
    count: integerOf(query.count, 'count', DEFAULT_COUNT, 0, MAX_COUNT),
  };
}

function integerOf(raw: unknown, name: string, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  const text = typeof raw === 'number' ? String(raw) : raw;
  // Digits only: Number() would also take "", " 1", "1e3", "0x10".
  if (typeof text !== 'string' || !/^\d{1,16}$/.test(text))
    throw scimBadRequest('invalidValue', `${name} must be a whole number from ${min} to ${max}`);
  const value = Number(text);
  if (value < min || value > max) throw scimBadRequest('invalidValue', `${name} must be a whole number from ${min} to ${max}`);
  return value;
}
