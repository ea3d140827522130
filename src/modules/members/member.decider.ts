import type { Decider, EventSchemaDefinition } from '#event-store';
import { badInput, conflict, notFound } from '../../platform/shared/domain-error.ts';
import { optionalText, requireId, requireText } from '../../platform/shared/identifiers.ts';
import { ignoreUnknownEvent, unreachable } from '../../platform/shared/exhaustive.ts';
import {
  changedDirectoryAttributes,
  directoryAttributesOf,
  hasDirectoryAttributes,
  PERSONAL_DIRECTORY_ATTRIBUTES,
  readDirectoryAttributes,
  type DirectoryAttributes,
  type DirectoryAttributesInput,
} from './member/directory-attributes.ts';

// The directory attributes (SCIM's userName, externalId, emails, preferredLanguage) are in ./member/.
export {
  DIRECTORY_ATTRIBUTE_NAMES,
  EMAIL_MAX,
  EMAILS_MAX,
  EXTERNAL_ID_MAX,
  MEMBER_EMAIL_TYPES,
  PERSONAL_DIRECTORY_ATTRIBUTES,
  PREFERRED_LANGUAGE_MAX,
  USER_NAME_MAX,
} from './member/directory-attributes.ts';
export type {
  DirectoryAttributes,
  DirectoryAttributesInput,
  MemberEmail,
  MemberEmailInput,
  MemberEmailType,
  Redacted,
} from './member/directory-attributes.ts';

export const MEMBER_STREAM_CATEGORY = 'member';

/** Public: auditors pass it to `streamStateAt`. */
export function memberStreamId(memberId: string): string {
  return `${MEMBER_STREAM_CATEGORY}-${requireId(memberId, 'memberId')}`;
}

export const DISPLAY_NAME_MAX = 200;
export const DEPARTMENT_MAX = 100;
export const LEAVE_REASON_MAX = 2000;
/** A registered member's status as the read model and the API show it (MemberStatus below is the stream's state). */
export const REGISTERED_MEMBER_STATUSES = ['ACTIVE', 'LEFT'] as const;
export type RegisteredMemberStatus = (typeof REGISTERED_MEMBER_STATUSES)[number];

// ---------------------------------------------------------------- events (stored names never change)

/** The directory attributes are present only when given (never on events written before they existed). */
export interface MemberRegistered {
  readonly type: 'MemberRegistered';
  readonly data: { readonly memberId: string; readonly displayName: string; readonly department: string } & DirectoryAttributes;
}

/** Only the fields that changed are present, directory attributes included. */
export interface MemberUpdated {
  readonly type: 'MemberUpdated';
  readonly data: { readonly memberId: string; readonly displayName?: string; readonly department?: string } & DirectoryAttributes;
}

export interface MemberLeft {
  readonly type: 'MemberLeft';
  readonly data: { readonly memberId: string; readonly reason: string | null };
}

export type MemberEvent = MemberRegistered | MemberUpdated | MemberLeft;

export const MEMBER_EVENT_TYPES: readonly MemberEvent['type'][] = ['MemberRegistered', 'MemberUpdated', 'MemberLeft'];

export function isMemberEvent(event: { readonly type: string }): event is MemberEvent {
  return (MEMBER_EVENT_TYPES as readonly string[]).includes(event.type);
}

/**
 * The display name is personal data, encrypted with the member's own key: erasing the member makes it read as
 * "[redacted]". The reason for leaving is free text about the member, so it is protected the same way, and so are
 * the directory's user name, e-mail addresses and preferred language. Each field is encrypted whole, whatever JSON
 * it holds, so the list of addresses is one field and reads as the one string "[redacted]" after an erasure.
 */
const PROFILE_PERSONAL_FIELDS = ['displayName', ...PERSONAL_DIRECTORY_ATTRIBUTES];
export const MEMBER_EVENT_SCHEMAS: EventSchemaDefinition[] = [
  { type: 'MemberRegistered', personal: { fields: PROFILE_PERSONAL_FIELDS, subject: (data) => String(data['memberId']) } },
  { type: 'MemberUpdated', personal: { fields: PROFILE_PERSONAL_FIELDS, subject: (data) => String(data['memberId']) } },
  { type: 'MemberLeft', personal: { fields: ['reason'], subject: (data) => String(data['memberId']) } },
];

// ---------------------------------------------------------------- commands

/** The directory attributes are optional: a member registered through the API has none. */
export interface RegisterMember extends DirectoryAttributesInput {
  readonly type: 'RegisterMember';
  readonly memberId: string;
  readonly displayName: string;
  readonly department: string;
}

/** Absent (or null) fields stay as they are; `emails: []` removes every address. */
export interface UpdateMember extends DirectoryAttributesInput {
  readonly type: 'UpdateMember';
  readonly memberId: string;
  readonly displayName?: string | null;
  readonly department?: string | null;
}

export interface RecordMemberLeft {
  readonly type: 'RecordMemberLeft';
  readonly memberId: string;
  readonly reason?: string | null;
}

export type MemberCommand = RegisterMember | UpdateMember | RecordMemberLeft;

// ---------------------------------------------------------------- state

/** The directory attributes the member's events gave, so that an update can tell what changed. */
export interface MemberProfile extends DirectoryAttributes {
  readonly memberId: string;
  readonly displayName: string;
  readonly department: string;
}

export type MemberState =
  { readonly status: 'unregistered' } | ({ readonly status: 'active' } & MemberProfile) | ({ readonly status: 'left' } & MemberProfile);

export type MemberStatus = MemberState['status'];

const initialState: MemberState = { status: 'unregistered' };

function evolve(state: MemberState, event: MemberEvent): MemberState {
  switch (event.type) {
    case 'MemberRegistered':
      return {
        status: 'active',
        memberId: event.data.memberId,
        displayName: event.data.displayName,
        department: event.data.department,
        ...directoryAttributesOf(event.data),
      };
    case 'MemberUpdated':
      if (state.status === 'unregistered') return state;
      return {
        ...state,
        ...(event.data.displayName !== undefined ? { displayName: event.data.displayName } : {}),
        ...(event.data.department !== undefined ? { department: event.data.department } : {}),
        ...directoryAttributesOf(event.data),
      };
    case 'MemberLeft':
      if (state.status === 'unregistered') return state;
      return { ...state, status: 'left' };
    default:
      return ignoreUnknownEvent(event, state);
  }
}

function decide(command: MemberCommand, state: MemberState): MemberEvent[] {
  switch (command.type) {
    case 'RegisterMember':
      return register(command, state);
    case 'UpdateMember':
      return update(command, state);
    case 'RecordMemberLeft':
      return recordLeft(command, state);
    default:
      return unreachable('member command', command, 'type');
  }
}

export const memberDecider: Decider<MemberCommand, MemberState, MemberEvent> = { initialState, evolve, decide };

function register(command: RegisterMember, state: MemberState): MemberEvent[] {
  const memberId = requireId(command.memberId, 'memberId');
  const displayName = requireText(command.displayName, 'displayName', DISPLAY_NAME_MAX);
  const department = requireText(command.department, 'department', DEPARTMENT_MAX);
  const { emails, ...attributes } = readDirectoryAttributes(command);
  if (state.status !== 'unregistered') throw conflict(`member ${memberId} is already registered`);
  // No addresses is what a member without the attribute has: an empty list is left out rather than recorded.
  const withEmails = emails !== undefined && emails.length > 0 ? { emails } : {};
  return [{ type: 'MemberRegistered', data: { memberId, displayName, department, ...attributes, ...withEmails } }];
}

function update(command: UpdateMember, state: MemberState): MemberEvent[] {
  const memberId = requireId(command.memberId, 'memberId');
  const hasName = command.displayName !== undefined && command.displayName !== null;
  const hasDepartment = command.department !== undefined && command.department !== null;
  const attributes = readDirectoryAttributes(command);
  if (!hasName && !hasDepartment && !hasDirectoryAttributes(attributes)) {
    throw badInput('give a displayName or a department to change', { field: 'displayName' });
  }
  const displayName = hasName ? requireText(command.displayName!, 'displayName', DISPLAY_NAME_MAX) : undefined;
  const department = hasDepartment ? requireText(command.department!, 'department', DEPARTMENT_MAX) : undefined;
  const current = requireActive(memberId, state);
  // The same request sent again (a directory retrying) changes nothing, so it appends nothing.
  const changed = {
    ...(displayName !== undefined && displayName !== current.displayName ? { displayName } : {}),
    ...(department !== undefined && department !== current.department ? { department } : {}),
    ...changedDirectoryAttributes(attributes, current),
  };
  if (Object.keys(changed).length === 0) return [];
  return [{ type: 'MemberUpdated', data: { memberId, ...changed } }];
}

function recordLeft(command: RecordMemberLeft, state: MemberState): MemberEvent[] {
  const memberId = requireId(command.memberId, 'memberId');
  const reason = optionalText(command.reason, 'reason', LEAVE_REASON_MAX);
  requireActive(memberId, state);
  return [{ type: 'MemberLeft', data: { memberId, reason } }];
}

function requireActive(memberId: string, state: MemberState): Extract<MemberState, { status: 'active' }> {
  switch (state.status) {
    case 'unregistered':
      throw notFound(`member ${memberId} is not registered`);
    case 'left':
      throw conflict(`member ${memberId} has left`);
    case 'active':
      return state;
    default:
      return unreachable('member state', state, 'status');
  }
}
