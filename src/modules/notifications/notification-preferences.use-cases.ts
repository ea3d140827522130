import type { DataSource } from 'typeorm';
import { requireActor, type RequestContext } from '../../platform/auth/request-context.ts';
import { DomainError } from '../../platform/shared/domain-error.ts';
import { idInStream, useCasesFor } from '../../platform/command/use-case.ts';
import {
  MANDATORY_NOTIFICATION_KINDS,
  missingSubscriptionRoles,
  notificationPreferencesDecider,
  notificationPreferencesStreamId,
  OPT_IN_NOTIFICATION_KINDS,
  OPTIONAL_NOTIFICATION_KINDS,
} from './notification-preferences.decider.ts';
import type { NotificationPreferences, SetNotificationPreferencesInput } from './notification-preferences.graphql.ts';
import { NOTIFICATION_PREFERENCES_PROJECTION, NOTIFICATION_PREFERENCES_TABLE } from './notification-preferences.projection.ts';
import type { NotificationKind } from './notification-rules.ts';

/** A member's preferences as the read model holds them; the defaults (told everything) before their first choice. */
export async function notificationPreferencesOf(db: DataSource, memberId: string): Promise<NotificationPreferences> {
  const [row] = (await db.query(
    `SELECT opted_out, opted_in, changed_at, revision FROM read_models.${NOTIFICATION_PREFERENCES_TABLE} WHERE member_id = $1`,
    [memberId],
  )) as { opted_out: NotificationKind[]; opted_in: NotificationKind[]; changed_at: Date; revision: number }[];
  return {
    memberId,
    optedOut: row?.opted_out ?? [],
    optional: [...OPTIONAL_NOTIFICATION_KINDS],
    mandatory: [...MANDATORY_NOTIFICATION_KINDS],
    optedIn: row?.opted_in ?? [],
    optIn: [...OPT_IN_NOTIFICATION_KINDS],
    changedAt: row ? new Date(row.changed_at) : null,
    revision: row?.revision ?? -1,
  };
}

/** The signed-in member's own preferences (anyone signed in: a member may always see what they are told). */
export function myNotificationPreferences(db: DataSource, context: RequestContext): Promise<NotificationPreferences> {
  return notificationPreferencesOf(db, requireActor(context).id);
}

/** Only the member themself chooses what they are told: the stream is always the caller's own. */
export const setNotificationPreferences = useCasesFor(notificationPreferencesDecider)<
  SetNotificationPreferencesInput,
  NotificationPreferences
>({
  action: 'choosing which notifications to receive',
  readModels: [NOTIFICATION_PREFERENCES_PROJECTION],
  stream: ({ actor }) => notificationPreferencesStreamId(actor.id),
  // Their own stream alone; subscribing to an opt-in kind also needs the role it is for (the digest: a community
  // manager's token), checked against the roles of this request's token.
  authorize: ({ input, actor }, { state }) => {
    const missing = missingSubscriptionRoles(input.optedIn ?? null, state, actor.roles);
    if (missing.length > 0) {
      throw new DomainError('FORBIDDEN', `subscribing to ${missing.map((m) => `${m.kind} needs the role ${m.role}`).join('; ')}`);
    }
    return 'self';
  },
  command: ({ input }, { streamId, at }) => ({
    type: 'SetNotificationPreferences',
    memberId: idInStream(streamId),
    optedOut: input.optedOut ?? [],
    optedIn: input.optedIn ?? null,
    at,
  }),
  answer: ({ services }, { streamId }) => notificationPreferencesOf(services.db, idInStream(streamId)),
});
