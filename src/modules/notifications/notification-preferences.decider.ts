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

/**
 * Kinds nobody can opt out of: decisions about the member's own content (and, once it is told, their appeal), and the
 * answer to their erasure request (the controller informs the data subject of the action taken, GDPR art. 12(3); and
 * an erased member has no preferences left to change).
 */
const MANDATORY = new Set<string>(['MODERATION_DECISION', 'APPEAL_DECIDED', 'ERASURE_COMPLETED']);

/**
 * Kinds sent only to members who subscribed (opt-in), with the token role subscribing needs: the daily digest is for
 * community managers. Roles come from tokens, so the service cannot list the community managers itself: they make
 * themselves known by subscribing, and the outbox sends the digest to those subscribed when it is compiled.
 */
export const OPT_IN_NOTIFICATION_ROLES: Readonly<Partial<Record<NotificationKind, string>>> = {
  COMMUNITY_MANAGER_DIGEST: 'COMMUNITY_MANAGER',
};
const OPT_IN = new Set<string>(Object.keys(OPT_IN_NOTIFICATION_ROLES));

export const MANDATORY_NOTIFICATION_KINDS: readonly NotificationKind[] = NOTIFICATION_KINDS.filter((kind) => MANDATORY.has(kind));
/** Sent unless turned off (optedOut). */
export const OPTIONAL_NOTIFICATION_KINDS: readonly NotificationKind[] = NOTIFICATION_KINDS.filter(
  (kind) => !MANDATORY.has(kind) && !OPT_IN.has(kind),
);
/** Sent only once subscribed to (optedIn). */
export const OPT_IN_NOTIFICATION_KINDS: readonly NotificationKind[] = NOTIFICATION_KINDS.filter((kind) => OPT_IN.has(kind));

export interface NotificationPreferencesChanged {
  readonly type: 'NotificationPreferencesChanged';
  /** The whole set after the change, sorted: each event says where the member stands. */
  readonly data: { readonly memberId: string; readonly optedOut: readonly NotificationKind[]; readonly changedAt: string };
}
/** The opt-in kinds the member subscribed to, the whole set after the change, sorted. */
export interface NotificationSubscriptionsChanged {
  readonly type: 'NotificationSubscriptionsChanged';
  readonly data: { readonly memberId: string; readonly optedIn: readonly NotificationKind[]; readonly changedAt: string };
}
export type NotificationPreferencesEvent = NotificationPreferencesChanged | NotificationSubscriptionsChanged;
export const NOTIFICATION_PREFERENCES_EVENT_SCHEMAS: EventSchemaDefinition[] = [
  { type: 'NotificationPreferencesChanged' },
  { type: 'NotificationSubscriptionsChanged' },
];

export interface SetNotificationPreferences {
  readonly type: 'SetNotificationPreferences';
  readonly memberId: string;
  readonly optedOut: readonly string[];
  /** The whole set of opt-in kinds subscribed to; null leaves the subscriptions as they are. */
  readonly optedIn: readonly string[] | null;
  readonly at: string;
}

export interface NotificationPreferencesState {
  readonly optedOut: readonly NotificationKind[];
  readonly optedIn: readonly NotificationKind[];
}

function evolve(state: NotificationPreferencesState, event: NotificationPreferencesEvent): NotificationPreferencesState {
  switch (event.type) {
    case 'NotificationPreferencesChanged':
      return { ...state, optedOut: event.data.optedOut };
    case 'NotificationSubscriptionsChanged':
      return { ...state, optedIn: event.data.optedIn };
    default:
      // An unknown one (from a later version) is left alone.
      return state;
  }
}

function decide(command: SetNotificationPreferences, state: NotificationPreferencesState): NotificationPreferencesEvent[] {
  const optedOut = [...new Set(command.optedOut)].sort() as NotificationKind[];
  const unknown = optedOut.filter((kind) => !(NOTIFICATION_KINDS as readonly string[]).includes(kind));
  if (unknown.length > 0) throw badInput(`optedOut: ${unknown.join(', ')} is no notification kind`, { field: 'optedOut' });
  const mandatory = optedOut.filter((kind) => MANDATORY.has(kind));
  if (mandatory.length > 0) {
    throw badInput(
      `optedOut: ${mandatory.join(', ')} cannot be turned off: decisions about your own content and the answer to your erasure request are always told`,
      {
        field: 'optedOut',
      },
    );
  }
  const optIn = optedOut.filter((kind) => OPT_IN.has(kind));
  if (optIn.length > 0) {
    throw badInput(`optedOut: ${optIn.join(', ')} is only sent once subscribed to: leave it out of optedIn instead`, { field: 'optedOut' });
  }
  const optedIn = command.optedIn === null ? state.optedIn : subscriptions(command.optedIn);
  // Each set as it is already: nothing to record for it.
  return [
    ...(sameKinds(optedOut, state.optedOut)
      ? []
      : [{ type: 'NotificationPreferencesChanged' as const, data: { memberId: command.memberId, optedOut, changedAt: command.at } }]),
    ...(sameKinds(optedIn, state.optedIn)
      ? []
      : [{ type: 'NotificationSubscriptionsChanged' as const, data: { memberId: command.memberId, optedIn, changedAt: command.at } }]),
  ];
}

/** The opt-in kinds subscribed to, deduplicated and sorted; any other kind is refused. */
function subscriptions(kinds: readonly string[]): NotificationKind[] {
  const optedIn = [...new Set(kinds)].sort() as NotificationKind[];
  const unknown = optedIn.filter((kind) => !(NOTIFICATION_KINDS as readonly string[]).includes(kind));
  if (unknown.length > 0) throw badInput(`optedIn: ${unknown.join(', ')} is no notification kind`, { field: 'optedIn' });
  const notOptIn = optedIn.filter((kind) => !OPT_IN.has(kind));
  if (notOptIn.length > 0) {
    throw badInput(`optedIn: ${notOptIn.join(', ')} is sent without subscribing (only ${OPT_IN_NOTIFICATION_KINDS.join(', ')} is opt-in)`, {
      field: 'optedIn',
    });
  }
  return optedIn;
}

function sameKinds(a: readonly NotificationKind[], b: readonly NotificationKind[]): boolean {
  return a.length === b.length && a.every((kind, i) => kind === b[i]);
}

/**
 * The token role each opt-in kind in `optedIn` needs and `roles` lack, for the kinds not subscribed to already: what
 * the use case refuses (FORBIDDEN). A member who lost the role since keeps what they had (and may drop it).
 */
export function missingSubscriptionRoles(
  optedIn: readonly string[] | null,
  state: NotificationPreferencesState,
  roles: readonly string[],
): { kind: string; role: string }[] {
  return [...new Set(optedIn ?? [])].flatMap((kind) => {
    const role = Object.hasOwn(OPT_IN_NOTIFICATION_ROLES, kind) ? OPT_IN_NOTIFICATION_ROLES[kind as NotificationKind] : undefined;
    if (role === undefined || roles.includes(role) || (state.optedIn as readonly string[]).includes(kind)) return [];
    return [{ kind, role }];
  });
}

export const notificationPreferencesDecider: Decider<
  SetNotificationPreferences,
  NotificationPreferencesState,
  NotificationPreferencesEvent
> = {
  initialState: { optedOut: [], optedIn: [] },
  evolve,
  decide,
};
