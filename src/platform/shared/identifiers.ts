import { badInput } from './domain-error.ts';

// Opaque ids chosen by clients (member ids from the identity provider, group ids): letters, digits and . _ : @ -
// (a dash is fine: the stream category ends at the first dash, before the id).
const ID = /^[A-Za-z0-9._:@-]{1,100}$/;

/** True for a string that could be an id at all: lookups answer "not found" for anything else, without a query. */
export function isId(value: unknown): value is string {
  return typeof value === 'string' && ID.test(value);
}

/** Checks an id that becomes part of a stream id; refuses anything else as BAD_USER_INPUT naming the field. */
export function requireId(value: string, field: string): string {
  if (typeof value !== 'string' || !ID.test(value)) {
    throw badInput(`${field} must be 1 to 100 letters, digits or . _ : @ - characters`, { field });
  }
  return value;
}

/** Trims, and refuses empty or over-long text as BAD_USER_INPUT naming the field. */
export function requireText(value: string, field: string, maxLength: number): string {
  const text = typeof value === 'string' ? value.trim() : '';
  if (text.length === 0) throw badInput(`${field} must not be empty`, { field });
  if (text.length > maxLength) throw badInput(`${field} must be at most ${maxLength} characters`, { field });
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/.test(text))
    throw badInput(`${field} must not contain control characters`, { field });
  return text;
}

export function optionalText(value: string | null | undefined, field: string, maxLength: number): string | null {
  return value === null || value === undefined || value.trim() === '' ? null : requireText(value, field, maxLength);
}
