import { governanceModule, stream } from '../../platform/manifest/governance-module.ts';
import {
  NOTIFICATION_DIGEST_EVENT_SCHEMAS,
  NOTIFICATION_DIGEST_STREAM_CATEGORY,
  notificationDigestDecider,
} from './community-manager-digest.ts';
import { createCommunityManagerDigest } from './community-manager-digest.scheduler.ts';
import { deliveryGate } from '../../platform/scheduling/background-work-gate.ts';
import { createNotificationDelivery } from './notification-delivery.ts';
import { notificationOutboxProjection } from './notification-outbox.projection.ts';
import {
  NOTIFICATION_PREFERENCES_EVENT_SCHEMAS,
  NOTIFICATION_PREFERENCES_STREAM_CATEGORY,
  notificationPreferencesDecider,
} from './notification-preferences.decider.ts';
import { notificationPreferencesProjection } from './notification-preferences.projection.ts';
import { NotificationsModule } from './notifications.module.ts';
import { smtpSender } from './smtp-sender.ts';
export * from './notification-delivery.ts';
export * from './notification-messages.ts';
export * from './notification-outbox.projection.ts';
export * from './notification-rules.ts';
export { captureErasureNotice, ERASURE_NOTICES_TABLE } from './erasure-notices.ts';
export * from './notification-preferences.decider.ts';
export * from './community-manager-digest.ts';
export * from './community-manager-digest.scheduler.ts';

/**
 * Notifications (issue 21, first part: e-mail): who is told what is decided from each event by pure rules, the outbox
 * is a projection of the events they read, and a scheduler in every instance delivers it, each notification once.
 */
export const notificationsModule = governanceModule({
  name: 'notifications',
  streams: [
    stream(NOTIFICATION_PREFERENCES_STREAM_CATEGORY, notificationPreferencesDecider, NOTIFICATION_PREFERENCES_EVENT_SCHEMAS, {
      memberKeyed: true,
    }),
    // One stream a day, holding that day's digest for community managers (counts only, about no member).
    stream(NOTIFICATION_DIGEST_STREAM_CATEGORY, notificationDigestDecider, NOTIFICATION_DIGEST_EVENT_SCHEMAS),
  ],
  projections: [notificationOutboxProjection, notificationPreferencesProjection],
  schedulers: ({ events, readModels, clock, config, readModelsCaughtUp }) => [
    createNotificationDelivery({
      readModels,
      clock,
      intervalMs: config.schedulerIntervalMs,
      send: config.notifications.smtpUrl ? smtpSender(config.notifications.smtpUrl, config.notifications.from) : undefined,
      appealWindowDays: config.appealWindowDays,
      maxAgeHours: config.notifications.maxAgeHours,
      gate: deliveryGate(config.notifications.delivery),
    }),
    // The day's digest, compiled once whichever instance comes first; the delivery above mails it to its subscribers.
    createCommunityManagerDigest({
      events,
      readModels,
      clock,
      intervalMs: config.schedulerIntervalMs,
      digestHour: config.notifications.digestHour,
      readModelsCaughtUp,
    }),
  ],
  nestModule: NotificationsModule,
});
