import type { Decider, EventSchemaDefinition } from '#event-store';
import { badInput } from '../../platform/shared/domain-error.ts';
import { requireId } from '../../platform/shared/identifiers.ts';
import { NOTIFICATION_KINDS, type NotificationKind } from './notification-rules.ts';

/**
 * What a member does not want to hear (issue 21): one stream per member, `notification_preferences-<memberId>`,
 * changed by the member alone. A decision about their own content is not optional: they are told what was decided
 * and until when they may appeal, whatever they chose.
 */
export const NOTIFICATION_PREFERENCES_STREAM_CATEGORY = 'notification_preferences';

export function notificationPreferencesStreamId(memberId: string): string {
  return `${NOTIFICATION_PREFERENCES_STREAM_CATEGORY}-${requireId(memberId, 'memberId')}`;
}

/** Kinds nobody can opt out of: decisions about the member's own content (and, once it is told, their appeal). */
const MANDATORY = new Set<string>(['MODERATION_DECISION', 'APPEAL_DECIDED']);

export const MANDATORY_NOTIFICATION_KINDS: readonly NotificationKind[] = NOTIFICATION_KINDS.filter((kind) => MANDATORY.has(kind));
export const OPTIONAL_NOTIFICATION_KINDS: readonly NotificationKind[] = NOTIFICATION_KINDS.filter((kind) => !MANDATORY.has(kind));

export interface NotificationPreferencesChanged {
  readonly type: 'NotificationPreferencesChanged';
  /** The whole set after the change, sorted: each event says where the member stands. */
  readonly data: { readonly memberId: string; readonly optedOut: readonly NotificationKind[]; readonly changedAt: string };
}
export type NotificationPreferencesEvent = NotificationPreferencesChanged;
export const NOTIFICATION_PREFERENCES_EVENT_SCHEMAS: EventSchemaDefinition[] = [{ type: 'NotificationPreferencesChanged' }];

export interface SetNotificationPreferences {
  readonly type: 'SetNotificationPreferences';
  readonly memberId: string;
  readonly optedOut: readonly string[];
  readonly at: string;
}

export interface NotificationPreferencesState {
  readonly optedOut: readonly NotificationKind[];
}

function evolve(state: NotificationPreferencesState, event: NotificationPreferencesEvent): NotificationPreferencesState {
  // One event type: an unknown one (from a later version) is left alone.
  return event.type === 'NotificationPreferencesChanged' ? { optedOut: event.data.optedOut } : state;
}

function decide(command: SetNotificationPreferences, state: NotificationPreferencesState): NotificationPreferencesEvent[] {
  const optedOut = [...new Set(command.optedOut)].sort() as NotificationKind[];
  const unknown = optedOut.filter((kind) => !(NOTIFICATION_KINDS as readonly string[]).includes(kind));
  if (unknown.length > 0) throw badInput(`optedOut: ${unknown.join(', ')} is no notification kind`, { field: 'optedOut' });
  const mandatory = optedOut.filter((kind) => MANDATORY.has(kind));
  if (mandatory.length > 0) {
    throw badInput(`optedOut: ${mandatory.join(', ')} cannot be turned off: a decision about your own content is always told`, {
      field: 'optedOut',
    });
  }
  // As they are already: nothing to record.
  if (optedOut.length === state.optedOut.length && optedOut.every((kind, i) => kind === state.optedOut[i])) return [];
  return [{ type: 'NotificationPreferencesChanged', data: { memberId: command.memberId, optedOut, changedAt: command.at } }];
}

export const notificationPreferencesDecider: Decider<
  SetNotificationPreferences,
  NotificationPreferencesState,
  NotificationPreferencesEvent
> = {
  initialState: { optedOut: [] },
  evolve,
  decide,
};
