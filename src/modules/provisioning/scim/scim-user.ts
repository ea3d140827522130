/**
 * The SCIM User resource (RFC 7643 §4.1, with the enterprise extension of §4.3) as this service offers it: the
 * few attributes a member has, read from and written to what Entra ID and Okta send. Pure: no I/O, no clock.
 */
import { scimBadRequest } from './scim-error.ts';

export const CORE_USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const ENTERPRISE_USER_SCHEMA = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

/**
 * Limits on what a directory may send. RFC 7643 sets none; these keep one request from storing megabytes in a
 * member's stream. An address is at most 254 characters (RFC 5321 §4.5.3.1.3).
 */
export const SCIM_LIMITS = {
  text: 256,
  email: 254,
  emails: 10,
  preferredLanguage: 35,
} as const;

export interface DirectoryEmail {
  value: string;
  /** `work`, `home`, `other` or whatever the directory sent (RFC 7643 lists those as canonical, not as the only values). */
  type: string | null;
  primary: boolean;
}

/** A member as the directory sees it: what `toScimUser` renders. */
export interface DirectoryMember {
  memberId: string;
  userName: string | null;
  externalId: string | null;
  displayName: string;
  /** The enterprise extension's department; null when the directory sent none. */
  department: string | null;
  emails: DirectoryEmail[];
  preferredLanguage: string | null;
  active: boolean;
  /** The member stream's revision: the ETag (`W/"<revision>"`). */
  revision: number;
  created: Date;
  lastModified: Date;
}

/** What a directory may set on a member: the answer of `fromScimUser`. */
export interface DirectoryUserInput {
  userName: string;
  externalId: string | null;
  displayName: string;
  department: string | null;
  emails: DirectoryEmail[];
  preferredLanguage: string | null;
  active: boolean;
}

export interface ScimEmail {
  value: string;
  type?: string;
  primary?: boolean;
}

export interface ScimName {
  formatted?: string;
  givenName?: string;
  familyName?: string;
}

export interface ScimUserMeta {
  resourceType: 'User';
  created: string;
  lastModified: string;
  location: string;
  version: string;
}

/** The JSON of a User as this service returns it. Unassigned attributes are left out (RFC 7643 §2.5), never null. */
export interface ScimUser {
  schemas: string[];
  id: string;
  userName?: string;
  externalId?: string;
  displayName?: string;
  name?: ScimName;
  emails?: ScimEmail[];
  preferredLanguage?: string;
  active: boolean;
  [ENTERPRISE_USER_SCHEMA]?: { department?: string };
  meta: ScimUserMeta;
}

/** The URL of one user: `<baseUrl>/Users/<id>`, whatever trailing slash the base URL has. */
export function userLocation(baseUrl: string, id: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/Users/${encodeURIComponent(id)}`;
}

export function toScimUser(member: DirectoryMember, baseUrl: string): ScimUser {
  const department = member.department ?? undefined;
  return {
    schemas: department === undefined ? [CORE_USER_SCHEMA] : [CORE_USER_SCHEMA, ENTERPRISE_USER_SCHEMA],
    id: member.memberId,
    ...(member.userName === null ? {} : { userName: member.userName }),
    ...(member.externalId === null ? {} : { externalId: member.externalId }),
    displayName: member.displayName,
    name: { formatted: member.displayName },
    emails: member.emails.map((email) => ({
      value: email.value,
      ...(email.type === null ? {} : { type: email.type }),
      primary: email.primary,
    })),
    ...(member.preferredLanguage === null ? {} : { preferredLanguage: member.preferredLanguage }),
    active: member.active,
    ...(department === undefined ? {} : { [ENTERPRISE_USER_SCHEMA]: { department } }),
    meta: {
      resourceType: 'User',
      created: member.created.toISOString(),
      lastModified: member.lastModified.toISOString(),
      location: userLocation(baseUrl, member.memberId),
      version: `W/"${member.revision}"`,
    },
  };
}

/**
 * Reads a User sent by a directory (POST, PUT, or the result of a PATCH). Attribute names are matched without
 * regard to case (RFC 7643 §2.1); attributes this service does not keep (title, phoneNumbers, password, ...) are
 * ignored, because Entra ID and Okta send their default mappings whatever the application supports.
 *
 * - `displayName`: displayName, else name.formatted, else givenName and familyName, else userName.
 * - `department`: the enterprise extension's department; null when absent, null or blank.
 * - `active`: a boolean, or "true"/"false" in any case (Entra ID sends "False"); true when absent, as a directory
 *   creates users to give them access.
 */
export function fromScimUser(json: unknown): DirectoryUserInput {
  if (!isPlainObject(json)) throw scimBadRequest('invalidSyntax', 'the body must be a JSON object (a SCIM User)');
  const user = caseInsensitive(json, 'the User');
  const name = optionalObject(user('name'), 'name');
  const nameOf = name === undefined ? undefined : caseInsensitive(name, 'name');
  const enterprise = optionalObject(user(ENTERPRISE_USER_SCHEMA), ENTERPRISE_USER_SCHEMA);

  const userName = optionalText(user('userName'), 'userName', SCIM_LIMITS.text);
  if (userName === null) throw scimBadRequest('invalidValue', 'userName is required');

  const givenName = optionalText(nameOf?.('givenName'), 'name.givenName', SCIM_LIMITS.text);
  const familyName = optionalText(nameOf?.('familyName'), 'name.familyName', SCIM_LIMITS.text);
  const fullName = [givenName, familyName].filter((part) => part !== null).join(' ');
  const displayName =
    optionalText(user('displayName'), 'displayName', SCIM_LIMITS.text) ??
    optionalText(nameOf?.('formatted'), 'name.formatted', SCIM_LIMITS.text) ??
    (fullName === '' ? userName : fullName);

  return {
    userName,
    externalId: optionalText(user('externalId'), 'externalId', SCIM_LIMITS.text),
    displayName,
    department:
      enterprise === undefined
        ? null
        : optionalText(caseInsensitive(enterprise, 'the enterprise extension')('department'), 'department', SCIM_LIMITS.text),
    emails: emailsOf(user('emails')),
    preferredLanguage: preferredLanguageOf(user('preferredLanguage')),
    active: parseScimBoolean(user('active'), 'active') ?? true,
  };
}

/**
 * A SCIM boolean as clients send it: true/false, or the strings "True"/"False" in any case (Entra ID's PATCH
 * without the aadOptscim062020 flag). Undefined or null is "not given".
 */
export function parseScimBoolean(value: unknown, attribute: string): boolean | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    const lower = value.trim().toLowerCase();
    if (lower === 'true') return true;
    if (lower === 'false') return false;
  }
  throw scimBadRequest('invalidValue', `${attribute} must be true or false`);
}

/**
 * A JSON object (not an array, not null, not a class instance). The prototype is compared by shape, not identity:
 * an object made in another realm (structuredClone, a vm context) has another realm's Object.prototype.
 */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value) as object | null;
  return prototype === null || Object.getPrototypeOf(prototype) === null;
}

/** Keys that must never become property names: writing them reaches Object.prototype. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** The object's own attributes by lower-cased name; the same name twice in different case is refused. */
function caseInsensitive(object: Record<string, unknown>, where: string): (name: string) => unknown {
  const byName = new Map<string, unknown>();
  for (const key of Object.keys(object)) {
    if (FORBIDDEN_KEYS.has(key)) throw scimBadRequest('invalidValue', `${where} has an attribute named "${key}", which is not allowed`);
    const lower = key.toLowerCase();
    if (byName.has(lower)) throw scimBadRequest('invalidValue', `${where} has the attribute "${key}" twice (names are case-insensitive)`);
    byName.set(lower, object[key]);
  }
  return (name) => byName.get(name.toLowerCase());
}

function optionalObject(value: unknown, attribute: string): Record<string, unknown> | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isPlainObject(value)) throw scimBadRequest('invalidValue', `${attribute} must be an object`);
  return value;
}

// Control characters (line breaks included) have no place in a name or an identifier, and they would let a
// directory forge lines in logs and exports.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/** A single-line string of at most `max` characters, trimmed; null when absent, null or blank. */
function optionalText(value: unknown, attribute: string, max: number): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw scimBadRequest('invalidValue', `${attribute} must be a string`);
  if (value.length > max) throw scimBadRequest('invalidValue', `${attribute} is longer than ${max} characters`);
  if (CONTROL.test(value)) throw scimBadRequest('invalidValue', `${attribute} must not contain control characters`);
  const trimmed = value.trim();
  return trimmed === '' ? null : trimmed;
}

// Deliberately loose: one @ with something on both sides and no spaces. The directory owns the address; this only
// refuses what cannot be one.
const EMAIL = /^[^\s@]+@[^\s@]+$/;

function emailsOf(value: unknown): DirectoryEmail[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw scimBadRequest('invalidValue', 'emails must be an array');
  if (value.length > SCIM_LIMITS.emails) throw scimBadRequest('invalidValue', `emails holds more than ${SCIM_LIMITS.emails} addresses`);
  const emails = value.map((item: unknown, index): DirectoryEmail => {
    const where = `emails[${index}]`;
    if (!isPlainObject(item)) throw scimBadRequest('invalidValue', `${where} must be an object with a value`);
    const email = caseInsensitive(item, where);
    const address = optionalText(email('value'), `${where}.value`, SCIM_LIMITS.email);
    if (address === null) throw scimBadRequest('invalidValue', `${where}.value is required`);
    if (!EMAIL.test(address)) throw scimBadRequest('invalidValue', `${where}.value is not an e-mail address`);
    return {
      value: address,
      type: optionalText(email('type'), `${where}.type`, SCIM_LIMITS.text),
      primary: parseScimBoolean(email('primary'), `${where}.primary`) ?? false,
    };
  });
  // RFC 7643 §2.4: the primary value "MUST appear no more than once".
  if (emails.filter((email) => email.primary).length > 1) throw scimBadRequest('invalidValue', 'only one of emails may be primary');
  return emails;
}

// A BCP 47 tag as RFC 7643 §4.1.1 asks ("en-US"); an underscore is accepted too, as some directories write "en_US".
const LANGUAGE_TAG = /^[A-Za-z]{1,8}(?:[-_][A-Za-z0-9]{1,8})*$/;

function preferredLanguageOf(value: unknown): string | null {
  const tag = optionalText(value, 'preferredLanguage', SCIM_LIMITS.preferredLanguage);
  if (tag !== null && !LANGUAGE_TAG.test(tag))
    throw scimBadRequest('invalidValue', 'preferredLanguage must be a language tag such as "en-US"');
  return tag;
}
