import { governanceModule, stream } from '../../platform/manifest/governance-module.ts';
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
export * from './notification-preferences.decider.ts';

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
  ],
  projections: [notificationOutboxProjection, notificationPreferencesProjection],
  schedulers: ({ readModels, clock, config }) => [
    createNotificationDelivery({
      readModels,
      clock,
      intervalMs: config.schedulerIntervalMs,
      send: config.notifications.smtpUrl ? smtpSender(config.notifications.smtpUrl, config.notifications.from) : undefined,
      appealWindowDays: config.appealWindowDays,
      maxAgeHours: config.notifications.maxAgeHours,
    }),
  ],
  nestModule: NotificationsModule,
});
