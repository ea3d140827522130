import type { Decider, EventSchemaDefinition } from '#event-store';
import { badInput, conflict, notFound } from '../../platform/shared/domain-error.ts';
import { optionalText, requireId, requireText } from '../../platform/shared/identifiers.ts';
import { ignoreUnknownEvent, unreachable } from '../../platform/shared/exhaustive.ts';

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

export interface MemberRegistered {
  readonly type: 'MemberRegistered';
  readonly data: { readonly memberId: string; readonly displayName: string; readonly department: string };
}

/** Only the fields that changed are present. */
export interface MemberUpdated {
  readonly type: 'MemberUpdated';
  readonly data: { readonly memberId: string; readonly displayName?: string; readonly department?: string };
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
 * "[redacted]". The reason for leaving is free text about the member, so it is protected the same way.
 */
export const MEMBER_EVENT_SCHEMAS: EventSchemaDefinition[] = [
  { type: 'MemberRegistered', personal: { fields: ['displayName'], subject: (data) => String(data['memberId']) } },
  { type: 'MemberUpdated', personal: { fields: ['displayName'], subject: (data) => String(data['memberId']) } },
  { type: 'MemberLeft', personal: { fields: ['reason'], subject: (data) => String(data['memberId']) } },
];

// ---------------------------------------------------------------- commands

export interface RegisterMember {
  readonly type: 'RegisterMember';
  readonly memberId: string;
  readonly displayName: string;
  readonly department: string;
}

/** Absent (or null) fields stay as they are. */
export interface UpdateMember {
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

export type MemberState =
  | { readonly status: 'unregistered' }
  | { readonly status: 'active'; readonly memberId: string; readonly displayName: string; readonly department: string }
  | { readonly status: 'left'; readonly memberId: string; readonly displayName: string; readonly department: string };

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
      };
    case 'MemberUpdated':
      if (state.status === 'unregistered') return state;
      return {
        ...state,
        ...(event.data.displayName !== undefined ? { displayName: event.data.displayName } : {}),
        ...(event.data.department !== undefined ? { department: event.data.department } : {}),
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
  if (state.status !== 'unregistered') throw conflict(`member ${memberId} is already registered`);
  return [{ type: 'MemberRegistered', data: { memberId, displayName, department } }];
}

function update(command: UpdateMember, state: MemberState): MemberEvent[] {
  const memberId = requireId(command.memberId, 'memberId');
  const hasName = command.displayName !== undefined && command.displayName !== null;
  const hasDepartment = command.department !== undefined && command.department !== null;
  if (!hasName && !hasDepartment) throw badInput('give a displayName or a department to change', { field: 'displayName' });
  const displayName = hasName ? requireText(command.displayName!, 'displayName', DISPLAY_NAME_MAX) : undefined;
  const department = hasDepartment ? requireText(command.department!, 'department', DEPARTMENT_MAX) : undefined;
  const current = requireActive(memberId, state);
  const changed = {
    ...(displayName !== undefined && displayName !== current.displayName ? { displayName } : {}),
    ...(department !== undefined && department !== current.department ? { department } : {}),
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
