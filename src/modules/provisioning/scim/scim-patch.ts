/**
 * PATCH /Users/{id} (RFC 7644 §3.5.2), applied by scim-patch after the request is brought into the form that
 * library handles safely. Entra ID and Okta each bend the RFC a little; every bend handled here is one their own
 * documentation shows:
 *
 * - `"op": "Replace"`, `"Add"`, `"Remove"` (Entra ID): ops are matched without regard to case.
 * - A path-less add/replace whose value is an object of attributes (Okta's `{"op":"replace","value":{"active":false}}`,
 *   Entra ID's `{"op":"replace","value":{"name.givenName": ..., "urn:...:enterprise:2.0:User:employeeNumber": ...}}`):
 *   split into one operation per key, the key read as a path. scim-patch would otherwise store a key such as
 *   `emails[type eq "work"].value` as a literal property name.
 * - `"active": "False"` (Entra ID without the aadOptscim062020 flag): "true"/"false" strings in any case become booleans.
 * - `emails[type eq "work"].value` (Entra ID): passed on; scim-patch adds the work address when there is none.
 * - Attribute names in any case (`emails[type eq "other"].Value`, RFC 7643 §2.1): rewritten to this service's spelling.
 * - Attributes this service does not keep (title, nickName, phoneNumbers, employeeNumber, password, ...) are
 *   dropped, as Entra ID and Okta send their default mappings whatever the application supports.
 *
 * What reaches scim-patch is therefore only known attributes in their canonical spelling, with values free of
 * prototype keys: scim-patch 0.8.3 writes through `obj[key]`, so a path such as `__proto__.x` would otherwise
 * change Object.prototype for the whole process.
 */
import { parse } from 'scim2-parse-filter';
import { scimPatch, ScimError as PatchLibraryError, type ScimPatchOperation, type ScimResource } from 'scim-patch';
import { scimBadRequest } from './scim-error.ts';
import {
  CORE_USER_SCHEMA,
  ENTERPRISE_USER_SCHEMA,
  FORBIDDEN_KEYS,
  fromScimUser,
  isPlainObject,
  parseScimBoolean,
  type ScimEmail,
  type ScimName,
  type ScimUser,
} from './scim-user.ts';

export const PATCH_OP_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
/** A directory sends a handful per request; a hundred leaves room and bounds the work one request can ask for. */
export const MAX_PATCH_OPERATIONS = 100;
export const MAX_PATH_LENGTH = 512;
/** No value of a User attribute nests deeper than an array of objects of strings. */
const MAX_VALUE_DEPTH = 4;

type Op = 'add' | 'replace' | 'remove';

/** One operation in the form handed to scim-patch: canonical path, checked value. */
interface NormalOperation {
  op: Op;
  path: string;
  value?: unknown;
}

/** Top-level attributes this service keeps, by lower-cased name. */
const ATTRIBUTES: Record<string, string> = {
  username: 'userName',
  externalid: 'externalId',
  displayname: 'displayName',
  name: 'name',
  emails: 'emails',
  preferredlanguage: 'preferredLanguage',
  active: 'active',
};
const NAME_PARTS: Record<string, string> = { formatted: 'formatted', givenname: 'givenName', familyname: 'familyName' };
const EMAIL_PARTS: Record<string, string> = { value: 'value', type: 'type', primary: 'primary' };
/** Set by the service (RFC 7643 §3.1, mutability readOnly): a PATCH that names them is refused with "mutability". */
const READ_ONLY = new Set(['id', 'meta', 'schemas']);

// scim-patch splits a path on its last ':' to find a schema URN, even inside a filter's quoted value.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;
const ATTRIBUTE_PATH = /^([A-Za-z][\w$-]*)(?:\[(.+)\])?(?:\.([A-Za-z][\w$-]*))?$/;

/**
 * The User after the PATCH `body`, for the caller to read with `fromScimUser` and record. `current` is what
 * `toScimUser` answered; its `id`, `meta` and `schemas` are kept (schemas follow whether a department is set).
 * Throws a ScimError 400: invalidSyntax (not a PatchOp, unknown op), invalidPath, noTarget, mutability (id, meta,
 * schemas) or invalidValue (a value the User cannot hold, checked by `fromScimUser`).
 */
export function applyUserPatch(current: ScimUser, body: unknown): ScimUser {
  const operations = operationsOf(body).flatMap((operation, index) => normalise(operation, index, current));
  let patched: unknown = JSON.parse(JSON.stringify(current));
  if (operations.length > 0) {
    try {
      patched = scimPatch(patched as ScimResource, operations as ScimPatchOperation[], { mutateDocument: false, treatMissingAsAdd: true });
    } catch (error) {
      if (error instanceof PatchLibraryError) {
        throw scimBadRequest(error.scimCode === 'noTarget' ? 'noTarget' : 'invalidSyntax', error.message);
      }
      throw error;
    }
  }
  const user = project(patched as Record<string, unknown>, current);
  fromScimUser(user);
  return user;
}

function operationsOf(body: unknown): unknown[] {
  if (!isPlainObject(body)) throw scimBadRequest('invalidSyntax', 'the body must be a JSON object (a SCIM PatchOp)');
  checkKeys(body, 'the body');
  const schemas = valueOf(body, 'schemas');
  if (
    !Array.isArray(schemas) ||
    !schemas.some((schema) => typeof schema === 'string' && schema.toLowerCase() === PATCH_OP_SCHEMA.toLowerCase())
  ) {
    throw scimBadRequest('invalidSyntax', `schemas must contain "${PATCH_OP_SCHEMA}"`);
  }
  const operations = valueOf(body, 'Operations');
  if (!Array.isArray(operations) || operations.length === 0) throw scimBadRequest('invalidSyntax', 'Operations must be a non-empty array');
  if (operations.length > MAX_PATCH_OPERATIONS)
    throw scimBadRequest('invalidSyntax', `at most ${MAX_PATCH_OPERATIONS} operations per request`);
  return operations;
}

function normalise(operation: unknown, index: number, current: ScimUser): NormalOperation[] {
  const where = `Operations[${index}]`;
  if (!isPlainObject(operation)) throw scimBadRequest('invalidSyntax', `${where} must be an object`);
  checkKeys(operation, where);
  const opText = valueOf(operation, 'op');
  const op = typeof opText === 'string' ? opText.toLowerCase() : undefined;
  if (op !== 'add' && op !== 'replace' && op !== 'remove') {
    throw scimBadRequest('invalidSyntax', `${where}.op must be "add", "replace" or "remove"`);
  }
  const path = valueOf(operation, 'path');
  const value = valueOf(operation, 'value');
  if (op !== 'remove' && value === undefined) throw scimBadRequest('invalidSyntax', `${where}: "${op}" needs a value`);
  checkValue(value, where, 0);
  if (path !== undefined && path !== null) {
    if (typeof path !== 'string') throw scimBadRequest('invalidPath', `${where}.path must be a string`);
    return expand(op, path, value, where);
  }
  // RFC 7644 §3.5.2.2: a remove without a path has no target.
  if (op === 'remove') throw scimBadRequest('noTarget', `${where}: "remove" needs a path`);
  if (!isPlainObject(value)) throw scimBadRequest('invalidValue', `${where}: without a path, the value must be an object of attributes`);
  return Object.entries(value).flatMap(([key, item]) => {
    // Okta repeats the resource's id in a path-less replace; it changes nothing.
    if (key.toLowerCase() === 'id' && item === current.id) return [];
    return expand(op, key, item, where);
  });
}

/** One path (or path-less key) and its value, as operations on attributes this service keeps. */
function expand(op: Op, path: string, value: unknown, where: string): NormalOperation[] {
  if (path.length > MAX_PATH_LENGTH) throw scimBadRequest('invalidPath', `${where}: the path is longer than ${MAX_PATH_LENGTH} characters`);
  if (CONTROL.test(path)) throw scimBadRequest('invalidPath', `${where}: the path must not contain control characters`);
  const trimmed = path.trim();
  const lower = trimmed.toLowerCase();
  const enterprise = ENTERPRISE_USER_SCHEMA.toLowerCase();
  if (lower === enterprise) {
    // The whole extension: {"urn:...:enterprise:2.0:User": {"department": "..."}} becomes one path per attribute.
    if (op === 'remove' || value === null) return [{ op: 'remove', path: `${ENTERPRISE_USER_SCHEMA}:department` }];
    if (!isPlainObject(value)) throw scimBadRequest('invalidValue', `${where}: ${ENTERPRISE_USER_SCHEMA} must be an object`);
    return Object.entries(value).flatMap(([key, item]) => expand(op, `${ENTERPRISE_USER_SCHEMA}:${key}`, item, where));
  }
  if (lower.startsWith(`${enterprise}:`)) {
    const attribute = lower.slice(enterprise.length + 1);
    if (attribute !== 'department') return [];
    return [withValue(op, `${ENTERPRISE_USER_SCHEMA}:department`, value)];
  }
  const core = `${CORE_USER_SCHEMA.toLowerCase()}:`;
  const local = lower.startsWith(core) ? trimmed.slice(core.length) : trimmed;
  // Another schema's URN (a custom extension an administrator mapped): not kept here.
  if (/^urn:/i.test(local)) return [];
  const match = ATTRIBUTE_PATH.exec(local);
  if (match === null) throw scimBadRequest('invalidPath', `${where}: "${path}" is not a valid attribute path`);
  const [, nameText, filter, subText] = match as unknown as [string, string, string | undefined, string | undefined];
  if (FORBIDDEN_KEYS.has(nameText) || (subText !== undefined && FORBIDDEN_KEYS.has(subText))) {
    throw scimBadRequest('invalidPath', `${where}: "${path}" is not a valid attribute path`);
  }
  if (READ_ONLY.has(nameText.toLowerCase()))
    throw scimBadRequest('mutability', `${where}: ${nameText} is set by the service and cannot be changed`);
  const attribute = ATTRIBUTES[nameText.toLowerCase()];
  if (attribute === undefined) return [];

  if (attribute === 'emails') return expandEmails(op, filter, subText, value, where);
  if (filter !== undefined) throw scimBadRequest('invalidPath', `${where}: ${attribute} is single-valued and takes no filter`);
  if (attribute === 'name') {
    if (subText === undefined) {
      if (op === 'remove' || value === null) return [{ op: 'remove', path: 'name' }];
      // A complex value replaces only the sub-attributes it names (RFC 7644 §3.5.2.3): one path per part.
      if (!isPlainObject(value)) throw scimBadRequest('invalidValue', `${where}: name must be an object`);
      return Object.entries(value).flatMap(([key, item]) => expand(op, `name.${key}`, item, where));
    }
    const part = NAME_PARTS[subText.toLowerCase()];
    return part === undefined ? [] : [withValue(op, `name.${part}`, value)];
  }
  if (subText !== undefined) throw scimBadRequest('invalidPath', `${where}: ${attribute} has no sub-attribute ${subText}`);
  if (attribute === 'active') {
    // A leaver must never be reactivated by accident: removing active would read as the default, true.
    if (op === 'remove' || value === null)
      throw scimBadRequest('invalidValue', `${where}: active cannot be removed; replace it with false`);
    return [{ op, path: 'active', value: parseScimBoolean(value, 'active') }];
  }
  return [withValue(op, attribute, value)];
}

function expandEmails(op: Op, filter: string | undefined, subText: string | undefined, value: unknown, where: string): NormalOperation[] {
  let path = 'emails';
  if (filter !== undefined) {
    if (filter.includes(':')) throw scimBadRequest('invalidPath', `${where}: a filter on emails must not contain ':'`);
    try {
      parse(filter);
    } catch (error) {
      throw scimBadRequest('invalidPath', `${where}: the filter emails[${filter}] is not valid (${(error as Error).message})`);
    }
    path = `emails[${filter}]`;
  }
  if (subText !== undefined) {
    const part = EMAIL_PARTS[subText.toLowerCase()];
    if (part === undefined) return [];
    const checked = part === 'primary' && op !== 'remove' && value !== null ? parseScimBoolean(value, 'emails.primary') : value;
    return [withValue(op, `${path}.${part}`, checked)];
  }
  if (op === 'remove' || value === null) return [{ op: 'remove', path }];
  if (filter !== undefined) {
    if (!isPlainObject(value)) throw scimBadRequest('invalidValue', `${where}: ${path} must be given an object`);
    return [{ op, path, value: emailOf(value, where) }];
  }
  // RFC 7644 §3.5.2.1 allows a single value for a multi-valued attribute; Okta and Entra ID send an array.
  const items = Array.isArray(value) ? value : [value];
  return [{ op, path, value: items.map((item) => emailOf(item, where)) }];
}

/** An e-mail object with only value, type and primary, spelled canonically; the rest is dropped. */
function emailOf(item: unknown, where: string): ScimEmail {
  if (!isPlainObject(item)) throw scimBadRequest('invalidValue', `${where}: each of emails must be an object`);
  const email: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(item)) {
    const part = EMAIL_PARTS[key.toLowerCase()];
    if (part !== undefined) email[part] = part === 'primary' ? parseScimBoolean(value, 'emails.primary') : value;
  }
  return email as unknown as ScimEmail;
}

/** A replace or add to null is a remove (RFC 7643 §2.5: null is "unassigned"). */
function withValue(op: Op, path: string, value: unknown): NormalOperation {
  return op === 'remove' || value === null ? { op: 'remove', path } : { op, path, value };
}

/** Refuses prototype keys and absurd nesting anywhere in a value, before any of it is copied or written. */
function checkValue(value: unknown, where: string, depth: number): void {
  if (typeof value !== 'object' || value === null) return;
  if (depth > MAX_VALUE_DEPTH) throw scimBadRequest('invalidValue', `${where}: the value is nested too deeply`);
  if (Array.isArray(value)) {
    for (const item of value) checkValue(item, where, depth + 1);
    return;
  }
  for (const [key, item] of Object.entries(value)) {
    if (FORBIDDEN_KEYS.has(key)) throw scimBadRequest('invalidValue', `${where}: "${key}" is not allowed as an attribute name`);
    checkValue(item, where, depth + 1);
  }
}

function checkKeys(object: Record<string, unknown>, where: string): void {
  const forbidden = Object.keys(object).find((key) => FORBIDDEN_KEYS.has(key));
  if (forbidden !== undefined) throw scimBadRequest('invalidSyntax', `${where}: "${forbidden}" is not allowed as a member name`);
}

/** The attribute named `name` in any case; a name given twice in different case is ambiguous and refused. */
function valueOf(object: Record<string, unknown>, name: string): unknown {
  const keys = Object.keys(object).filter((key) => key.toLowerCase() === name.toLowerCase());
  if (keys.length > 1) throw scimBadRequest('invalidSyntax', `"${name}" is given more than once`);
  return keys.length === 1 ? object[keys[0]!] : undefined;
}

/** The patched resource cut back to what this service keeps, with the service's own id and meta. */
function project(patched: Record<string, unknown>, current: ScimUser): ScimUser {
  const pick = (source: unknown, keys: string[]): Record<string, unknown> => {
    const picked: Record<string, unknown> = {};
    if (!isPlainObject(source)) return picked;
    for (const key of keys) if (source[key] !== undefined && source[key] !== null) picked[key] = source[key];
    return picked;
  };
  const attributes = pick(patched, ['userName', 'externalId', 'displayName', 'emails', 'preferredLanguage', 'active']);
  const name = pick(patched.name, Object.values(NAME_PARTS)) as ScimName;
  const extension = pick(patched[ENTERPRISE_USER_SCHEMA], ['department']);
  const hasExtension = Object.keys(extension).length > 0;
  return {
    schemas: hasExtension ? [CORE_USER_SCHEMA, ENTERPRISE_USER_SCHEMA] : [CORE_USER_SCHEMA],
    id: current.id,
    ...attributes,
    ...(Object.keys(name).length > 0 ? { name } : {}),
    ...(hasExtension ? { [ENTERPRISE_USER_SCHEMA]: extension } : {}),
    meta: current.meta,
  } as ScimUser;
}
