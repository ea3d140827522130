import { badInput } from './domain-error.ts';
import { requireId } from './identifiers.ts';

/** The cursor of a list keyed by an id: the id's base64url form, opaque to clients. */
export function encodeIdCursor(id: string): string {
  return Buffer.from(id, 'utf8').toString('base64url');
}

/** The id behind a cursor from encodeIdCursor; anything else is BAD_USER_INPUT on `field` (`after` or `before`). */
export function decodeIdCursor(cursor: string, field: 'after' | 'before' = 'after'): string {
  const invalid = () => badInput(`${field} is not a valid cursor`, { field });
  if (typeof cursor !== 'string' || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalid();
  const id = Buffer.from(cursor, 'base64url').toString('utf8');
  // Only the canonical encoding of a well-formed id is a cursor this module gave out.
  if (encodeIdCursor(id) !== cursor) throw invalid();
  try {
    return requireId(id, field);
  } catch {
    throw invalid();
  }
}

/** A read-side page size: a whole number from 0 to `max`. */
export function requireListSize(first: number, max: number): number {
  if (!Number.isSafeInteger(first) || first < 0 || first > max) {
    throw badInput(`first must be a whole number from 0 to ${max}`, { field: 'first' });
  }
  return first;
}
