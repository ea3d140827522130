import type { Decider, EventSchemaDefinition } from '#event-store';
import { badInput, conflict, notFound } from '../../platform/shared/domain-error.ts';
import { ignoreUnknownEvent, unreachable } from '../../platform/shared/exhaustive.ts';
import { requireId, requireText } from '../../platform/shared/identifiers.ts';
import { ACTIVITY_REPORT_FORMATS, type ActivityReportFormat } from './group-activity.decider.ts';
import { matchableName } from './import-plan.ts';

/**
 * Which of our groups a platform's group is, as community managers said (issue 24): `group_mapping-<format>`, one
 * stream per platform (report format). The rule it keeps, "an external id or name names one group of ours", spans all
 * of a platform's mappings, so the platform is the consistency boundary: a stream per group could not refuse the same
 * external id mapped to two groups at once. Mappings are few (one or two per group) and changed by hand, so reading the
 * whole stream per command is cheap and never contended.
 */
export const GROUP_MAPPING_STREAM_CATEGORY = 'group_mapping';

export function groupMappingStreamId(format: ActivityReportFormat): string {
  if (!(ACTIVITY_REPORT_FORMATS as readonly string[]).includes(format)) {
    throw badInput(`format must be one of ${ACTIVITY_REPORT_FORMATS.join(', ')}`, { field: 'format' });
  }
  return `${GROUP_MAPPING_STREAM_CATEGORY}-${format}`;
}

/** The Viva Engage report names groups by display name only: an external id could never match one of its rows. */
export const FORMATS_WITH_GROUP_IDS: readonly ActivityReportFormat[] = ['GENERIC'];
/** As long as a report's group name may be (activity-report.ts). */
export const EXTERNAL_NAME_MAX = 200;

/** The platform's keys for a group: its id, its name or both (null for what is not given). */
export interface ExternalGroupKeys {
  readonly format: ActivityReportFormat;
  readonly externalId: string | null;
  readonly externalName: string | null;
  readonly groupId: string;
}

// ---------------------------------------------------------------- events (stored names never change)

/** Only the keys this event maps (a key already mapped to the group is null): each event says what changed. */
export interface ExternalGroupMapped {
  readonly type: 'ExternalGroupMapped';
  readonly data: ExternalGroupKeys & { readonly mappedBy: string; readonly mappedAt: string };
}

export interface ExternalGroupUnmapped {
  readonly type: 'ExternalGroupUnmapped';
  readonly data: ExternalGroupKeys & { readonly unmappedBy: string; readonly unmappedAt: string };
}

export type GroupMappingEvent = ExternalGroupMapped | ExternalGroupUnmapped;
export const GROUP_MAPPING_EVENT_TYPES: readonly GroupMappingEvent['type'][] = ['ExternalGroupMapped', 'ExternalGroupUnmapped'];

export function isGroupMappingEvent(event: { readonly type: string }): event is GroupMappingEvent {
  return (GROUP_MAPPING_EVENT_TYPES as readonly string[]).includes(event.type);
}

/** Group ids and a platform's group names: nothing personal (the actor ids are recorded as in every event). */
export const GROUP_MAPPING_EVENT_SCHEMAS: EventSchemaDefinition[] = GROUP_MAPPING_EVENT_TYPES.map((type) => ({ type }));

// ---------------------------------------------------------------- commands

/** `groupExists`: the group's own stream read by the use case (a mapping to no group would match rows to nothing). */
export type MapExternalGroup = ExternalGroupKeys & {
  readonly type: 'MapExternalGroup';
  readonly groupExists: boolean;
  readonly actorId: string;
  readonly at: string;
};
/** Names the group too: removing a key that meanwhile names another group is refused, not done by surprise. */
export type UnmapExternalGroup = ExternalGroupKeys & { readonly type: 'UnmapExternalGroup'; readonly actorId: string; readonly at: string };
export type GroupMappingCommand = MapExternalGroup | UnmapExternalGroup;

// ---------------------------------------------------------------- state

/** The group each external id, and each name (matchableName), maps to. */
export interface GroupMappingState {
  readonly byId: Readonly<Record<string, string>>;
  readonly byName: Readonly<Record<string, string>>;
}

const initialState: GroupMappingState = { byId: {}, byName: {} };

function evolve(state: GroupMappingState, event: GroupMappingEvent): GroupMappingState {
  switch (event.type) {
    case 'ExternalGroupMapped':
    case 'ExternalGroupUnmapped': {
      const { externalId, externalName, groupId } = event.data;
      const to = event.type === 'ExternalGroupMapped' ? groupId : null;
      const name = externalName === null ? null : matchableName(externalName);
      return { byId: withKey(state.byId, externalId, to), byName: withKey(state.byName, name, to) };
    }
    default:
      return ignoreUnknownEvent(event, state);
  }
}

/** The record with `key` mapped to `groupId`, or without it when `groupId` is null; as it was when `key` is null. */
function withKey(record: Readonly<Record<string, string>>, key: string | null, groupId: string | null): Record<string, string> {
  if (key === null) return record;
  const { [key]: _removed, ...rest } = record;
  return groupId === null ? rest : { ...rest, [key]: groupId };
}

/** Own keys only: a platform may well call a group "constructor". */
function mappedTo(record: Readonly<Record<string, string>>, key: string | null): string | undefined {
  return key !== null && Object.hasOwn(record, key) ? record[key] : undefined;
}

function decide(command: GroupMappingCommand, state: GroupMappingState): GroupMappingEvent[] {
  const keys = validKeys(command);
  const idTo = mappedTo(state.byId, keys.externalId);
  const nameTo = mappedTo(state.byName, keys.externalName === null ? null : matchableName(keys.externalName));
  switch (command.type) {
    case 'MapExternalGroup': {
      if (!command.groupExists) throw notFound(`group ${keys.groupId} does not exist`, { field: 'groupId' });
      refuseOtherGroup(keys, idTo, nameTo, 'is already mapped to group');
      const data = { ...keys, externalId: idTo ? null : keys.externalId, externalName: nameTo ? null : keys.externalName };
      // Mapped as asked already: nothing to record (a retry, or two managers doing the same).
      if (data.externalId === null && data.externalName === null) return [];
      return [{ type: 'ExternalGroupMapped', data: { ...data, mappedBy: command.actorId, mappedAt: command.at } }];
    }
    case 'UnmapExternalGroup': {
      refuseOtherGroup(keys, idTo, nameTo, 'is mapped to group');
      const data = { ...keys, externalId: idTo ? keys.externalId : null, externalName: nameTo ? keys.externalName : null };
      // Not mapped (any more): nothing to remove.
      if (data.externalId === null && data.externalName === null) return [];
      return [{ type: 'ExternalGroupUnmapped', data: { ...data, unmappedBy: command.actorId, unmappedAt: command.at } }];
    }
    default:
      return unreachable('group mapping command', command, 'type');
  }
}

/** The keys checked, trimmed and reduced to the event's fields: at least one of id and name, and a group id. */
function validKeys(command: GroupMappingCommand): ExternalGroupKeys {
  groupMappingStreamId(command.format);
  const groupId = requireId(command.groupId, 'groupId');
  const externalId = command.externalId === null ? null : requireId(command.externalId.trim(), 'externalId');
  const externalName = command.externalName === null ? null : requireText(command.externalName, 'externalName', EXTERNAL_NAME_MAX);
  if (externalId === null && externalName === null) {
    throw badInput('give the external group id, its name or both', { field: 'externalId' });
  }
  if (externalId !== null && !FORMATS_WITH_GROUP_IDS.includes(command.format)) {
    throw badInput(`the ${command.format} report carries no group id: map the group's name`, { field: 'externalId' });
  }
  return { format: command.format, externalId, externalName, groupId };
}

/** CONFLICT naming the group a key already maps to, when that is not the command's group. */
function refuseOtherGroup(keys: ExternalGroupKeys, idTo: string | undefined, nameTo: string | undefined, saying: string): void {
  if (idTo !== undefined && idTo !== keys.groupId) {
    throw conflict(`external group id ${keys.externalId} ${saying} ${idTo}`, { field: 'externalId', groupId: idTo });
  }
  if (nameTo !== undefined && nameTo !== keys.groupId) {
    throw conflict(`external group name "${keys.externalName}" ${saying} ${nameTo}`, { field: 'externalName', groupId: nameTo });
  }
}

export const groupMappingDecider: Decider<GroupMappingCommand, GroupMappingState, GroupMappingEvent> = {
  initialState,
  evolve,
  decide,
};
