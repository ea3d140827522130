import type { Decider, EventSchemaDefinition } from '#event-store';
import { badInput, conflict, notFound } from '../../platform/shared/domain-error.ts';
import { requireId, requireText } from '../../platform/shared/identifiers.ts';
import { ignoreUnknownEvent, unreachable } from '../../platform/shared/exhaustive.ts';

export const GROUP_STREAM_CATEGORY = 'group';

/** Public: auditors pass it to `streamStateAt`. */
export function groupStreamId(groupId: string): string {
  return `${GROUP_STREAM_CATEGORY}-${requireId(groupId, 'groupId')}`;
}

export const GROUP_NAME_MAX = 200;

// ---------------------------------------------------------------- events (stored names never change)

export interface GroupCreated {
  readonly type: 'GroupCreated';
  readonly data: { readonly groupId: string; readonly name: string };
}

export interface GroupOwnerAssigned {
  readonly type: 'GroupOwnerAssigned';
  readonly data: { readonly groupId: string; readonly memberId: string };
}

export interface GroupOwnerRemoved {
  readonly type: 'GroupOwnerRemoved';
  readonly data: { readonly groupId: string; readonly memberId: string };
}

/** Whether the group's owners must hold a current certification to moderate its cases (the certification gate). */
export interface GroupCertificationRequirementSet {
  readonly type: 'GroupCertificationRequirementSet';
  readonly data: { readonly groupId: string; readonly required: boolean };
}

export type GroupEvent = GroupCreated | GroupOwnerAssigned | GroupOwnerRemoved | GroupCertificationRequirementSet;

export const GROUP_EVENT_TYPES: readonly GroupEvent['type'][] = [
  'GroupCreated',
  'GroupOwnerAssigned',
  'GroupOwnerRemoved',
  'GroupCertificationRequirementSet',
];

export function isGroupEvent(event: { readonly type: string }): event is GroupEvent {
  return (GROUP_EVENT_TYPES as readonly string[]).includes(event.type);
}

/** No personal data: a group's name is not about a person, and member ids are opaque. */
export const GROUP_EVENT_SCHEMAS: EventSchemaDefinition[] = GROUP_EVENT_TYPES.map((type) => ({ type }));

// ---------------------------------------------------------------- commands

export interface CreateGroup {
  readonly type: 'CreateGroup';
  readonly groupId: string;
  readonly name: string;
}

/** The member's status as folded from the member's own stream; the handler reads it (see memberDecider). */
export interface OwnerCandidate {
  readonly status: 'active' | 'left' | 'unregistered';
}

export interface AssignGroupOwner {
  readonly type: 'AssignGroupOwner';
  readonly groupId: string;
  readonly memberId: string;
  readonly candidate: OwnerCandidate;
}

export interface RemoveGroupOwner {
  readonly type: 'RemoveGroupOwner';
  readonly groupId: string;
  readonly memberId: string;
}

export interface SetGroupCertificationRequirement {
  readonly type: 'SetGroupCertificationRequirement';
  readonly groupId: string;
  readonly required: boolean;
}

export type GroupCommand = CreateGroup | AssignGroupOwner | RemoveGroupOwner | SetGroupCertificationRequirement;

// ---------------------------------------------------------------- state

export type GroupState =
  | { readonly status: 'absent' }
  | {
      readonly status: 'active';
      readonly groupId: string;
      readonly name: string;
      readonly owners: readonly string[];
      /** Absent in states folded before the requirement existed: false. */
      readonly requiresCertification?: boolean;
    };

const initialState: GroupState = { status: 'absent' };

function evolve(state: GroupState, event: GroupEvent): GroupState {
  switch (event.type) {
    case 'GroupCreated':
      return { status: 'active', groupId: event.data.groupId, name: event.data.name, owners: [] };
    case 'GroupOwnerAssigned':
      if (state.status !== 'active' || state.owners.includes(event.data.memberId)) return state;
      return { ...state, owners: [...state.owners, event.data.memberId] };
    case 'GroupOwnerRemoved':
      if (state.status !== 'active') return state;
      return { ...state, owners: state.owners.filter((owner) => owner !== event.data.memberId) };
    case 'GroupCertificationRequirementSet':
      if (state.status !== 'active') return state;
      return { ...state, requiresCertification: event.data.required };
    default:
      return ignoreUnknownEvent(event, state);
  }
}

function decide(command: GroupCommand, state: GroupState): GroupEvent[] {
  switch (command.type) {
    case 'CreateGroup':
      return create(command, state);
    case 'AssignGroupOwner':
      return assignOwner(command, state);
    case 'RemoveGroupOwner':
      return removeOwner(command, state);
    case 'SetGroupCertificationRequirement': {
      const groupId = requireId(command.groupId, 'groupId');
      const group = requireGroup(groupId, state);
      if (typeof command.required !== 'boolean') throw badInput('required must be true or false', { field: 'required' });
      if ((group.requiresCertification ?? false) === command.required) return [];
      return [{ type: 'GroupCertificationRequirementSet', data: { groupId, required: command.required } }];
    }
    default:
      return unreachable('group command', command, 'type');
  }
}

export const groupDecider: Decider<GroupCommand, GroupState, GroupEvent> = { initialState, evolve, decide };

function create(command: CreateGroup, state: GroupState): GroupEvent[] {
  const groupId = requireId(command.groupId, 'groupId');
  const name = requireText(command.name, 'name', GROUP_NAME_MAX);
  if (state.status !== 'absent') throw conflict(`group ${groupId} already exists`);
  return [{ type: 'GroupCreated', data: { groupId, name } }];
}

function assignOwner(command: AssignGroupOwner, state: GroupState): GroupEvent[] {
  const groupId = requireId(command.groupId, 'groupId');
  const memberId = requireId(command.memberId, 'memberId');
  const group = requireGroup(groupId, state);
  // Checked before "already an owner": a member who left must not be confirmed as an owner either.
  const candidate = command.candidate.status;
  switch (candidate) {
    case 'active':
      break;
    case 'unregistered':
      throw conflict(`only a registered, active member can own a group (${memberId} is not registered)`, { field: 'memberId' });
    case 'left':
      throw conflict(`only a registered, active member can own a group (${memberId} has left)`, { field: 'memberId' });
    default:
      return unreachable('member status', candidate);
  }
  if (group.owners.includes(memberId)) return [];
  return [{ type: 'GroupOwnerAssigned', data: { groupId, memberId } }];
}

function removeOwner(command: RemoveGroupOwner, state: GroupState): GroupEvent[] {
  const groupId = requireId(command.groupId, 'groupId');
  const memberId = requireId(command.memberId, 'memberId');
  const group = requireGroup(groupId, state);
  if (!group.owners.includes(memberId)) throw conflict(`${memberId} is not an owner of group ${groupId}`, { field: 'memberId' });
  return [{ type: 'GroupOwnerRemoved', data: { groupId, memberId } }];
}

function requireGroup(groupId: string, state: GroupState): Extract<GroupState, { status: 'active' }> {
  switch (state.status) {
    case 'absent':
      throw notFound(`group ${groupId} does not exist`);
    case 'active':
      return state;
    default:
      return unreachable('group state', state, 'status');
  }
}
