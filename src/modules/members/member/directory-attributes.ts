import type { REDACTED } from '#event-store';
import { badInput } from '../../../platform/shared/domain-error.ts';
import { requireText } from '../../../platform/shared/identifiers.ts';

// The attributes a member carries from the organisation's directory, as SCIM 2.0 (RFC 7643, the User resource)
// names them. A member registered through the API has none of them; a provisioned member has what the directory sent.

export const USER_NAME_MAX = 256;
export const EXTERNAL_ID_MAX = 256;
export const EMAILS_MAX = 10;
export const EMAIL_MAX = 254;
export const PREFERRED_LANGUAGE_MAX = 35;
/** SCIM's canonical values of an e-mail address's `type`. */
export const MEMBER_EMAIL_TYPES = ['work', 'home', 'other'] as const;
export type MemberEmailType = (typeof MEMBER_EMAIL_TYPES)[number];

/** Attributes are personal data; once the member was erased they read as "[redacted]" (the e-mail list too). */
export type Redacted = typeof REDACTED;

export interface MemberEmail {
  readonly value: string;
  readonly type: MemberEmailType | null;
  readonly primary: boolean;
}

/**
 * As events carry them and the state keeps them: each present only when the directory gave it. `userName` (SCIM's
 * unique user name, often an e-mail address), `emails` and `preferredLanguage` are personal data; `externalId`
 * (the directory's own id for the member) is not.
 */
export interface DirectoryAttributes {
  readonly userName?: string;
  readonly externalId?: string;
  readonly emails?: readonly MemberEmail[] | Redacted;
  readonly preferredLanguage?: string;
}

export const DIRECTORY_ATTRIBUTE_NAMES = ['userName', 'externalId', 'emails', 'preferredLanguage'] as const;
/** The attributes encrypted with the member's key. */
export const PERSONAL_DIRECTORY_ATTRIBUTES = ['userName', 'emails', 'preferredLanguage'] as const;

/** An address as a command gives it: SCIM makes `type` and `primary` optional (no type, not primary). */
export interface MemberEmailInput {
  readonly value: string;
  readonly type?: string | null;
  readonly primary?: boolean | null;
}

/** As commands take them: absent (or null) means "not given". An empty `emails` list means "no addresses". */
export interface DirectoryAttributesInput {
  readonly userName?: string | null;
  readonly externalId?: string | null;
  readonly emails?: readonly MemberEmailInput[] | null;
  readonly preferredLanguage?: string | null;
}

/** A well-formed attribute has the shape of its kind; the whole tag is checked, not the registry of languages. */
const LANGUAGE_TAG = /^[A-Za-z]{2,8}(?:-[A-Za-z0-9]{1,8})*$/;
/** Deliberately loose: one @ with something on either side and no spaces. The directory owns the address. */
const EMAIL_ADDRESS = /^[^\s@]+@[^\s@]+$/;

/** The attributes given, checked and trimmed; BAD_USER_INPUT names the field (`emails[0].value`). */
export function readDirectoryAttributes(input: DirectoryAttributesInput): DirectoryAttributes {
  const given = (value: unknown): boolean => value !== undefined && value !== null;
  return {
    ...(given(input.userName) ? { userName: text(input.userName, 'userName', USER_NAME_MAX) } : {}),
    ...(given(input.externalId) ? { externalId: text(input.externalId, 'externalId', EXTERNAL_ID_MAX) } : {}),
    ...(given(input.emails) ? { emails: readEmails(input.emails) } : {}),
    ...(given(input.preferredLanguage) ? { preferredLanguage: languageTag(input.preferredLanguage) } : {}),
  };
}

export function hasDirectoryAttributes(attributes: DirectoryAttributes): boolean {
  return DIRECTORY_ATTRIBUTE_NAMES.some((name) => attributes[name] !== undefined);
}

/** The attributes of `data` (an event's, a state's), the absent ones left out. */
export function directoryAttributesOf(data: DirectoryAttributes): DirectoryAttributes {
  return {
    ...(data.userName !== undefined ? { userName: data.userName } : {}),
    ...(data.externalId !== undefined ? { externalId: data.externalId } : {}),
    ...(data.emails !== undefined ? { emails: data.emails } : {}),
    ...(data.preferredLanguage !== undefined ? { preferredLanguage: data.preferredLanguage } : {}),
  };
}

/**
 * The given attributes that differ from the current ones. A member without addresses has an empty list, so giving
 * none changes nothing; a list is equal only in the same order (a directory sends its list the same way each time).
 */
export function changedDirectoryAttributes(given: DirectoryAttributes, current: DirectoryAttributes): DirectoryAttributes {
  return {
    ...(given.userName !== undefined && given.userName !== current.userName ? { userName: given.userName } : {}),
    ...(given.externalId !== undefined && given.externalId !== current.externalId ? { externalId: given.externalId } : {}),
    ...(given.emails !== undefined && !sameEmails(given.emails, current.emails ?? []) ? { emails: given.emails } : {}),
    ...(given.preferredLanguage !== undefined && given.preferredLanguage !== current.preferredLanguage
      ? { preferredLanguage: given.preferredLanguage }
      : {}),
  };
}

function sameEmails(a: readonly MemberEmail[] | Redacted, b: readonly MemberEmail[] | Redacted): boolean {
  if (typeof a === 'string' || typeof b === 'string') return a === b;
  return (
    a.length === b.length &&
    a.every((email, i) => email.value === b[i]!.value && email.type === b[i]!.type && email.primary === b[i]!.primary)
  );
}

function text(value: unknown, field: string, maxLength: number): string {
  if (typeof value !== 'string') throw badInput(`${field} must be text`, { field });
  return requireText(value, field, maxLength);
}

function languageTag(value: unknown): string {
  const tag = text(value, 'preferredLanguage', PREFERRED_LANGUAGE_MAX);
  if (!LANGUAGE_TAG.test(tag)) throw badInput('preferredLanguage must be a language tag like nl-NL', { field: 'preferredLanguage' });
  return tag;
}

function readEmails(value: unknown): MemberEmail[] {
  if (!Array.isArray(value)) throw badInput('emails must be a list of addresses', { field: 'emails' });
  if (value.length > EMAILS_MAX) throw badInput(`emails must hold at most ${EMAILS_MAX} addresses`, { field: 'emails' });
  const emails = value.map((email: unknown, i) => readEmail(email, `emails[${i}]`));
  // RFC 7643 (2.4): the primary value "MUST appear no more than once".
  if (emails.filter((email) => email.primary).length > 1) throw badInput('emails may mark only one address primary', { field: 'emails' });
  return emails;
}

function readEmail(value: unknown, field: string): MemberEmail {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw badInput(`${field} must be an address with a value`, { field });
  const { value: address, type, primary } = value as Record<string, unknown>;
  const addressField = `${field}.value`;
  const checked = text(address, addressField, EMAIL_MAX);
  if (!EMAIL_ADDRESS.test(checked)) throw badInput(`${addressField} must be an e-mail address`, { field: addressField });
  return { value: checked, type: emailType(type, `${field}.type`), primary: emailPrimary(primary, `${field}.primary`) };
}

function emailType(value: unknown, field: string): MemberEmailType | null {
  if (value === undefined || value === null) return null;
  const type = typeof value === 'string' ? value.trim().toLowerCase() : value;
  if (!(MEMBER_EMAIL_TYPES as readonly unknown[]).includes(type))
    throw badInput(`${field} must be one of ${MEMBER_EMAIL_TYPES.join(', ')}`, { field });
  return type as MemberEmailType;
}

function emailPrimary(value: unknown, field: string): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value !== 'boolean') throw badInput(`${field} must be true or false`, { field });
  return value;
}
