import { Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { GovernanceEventStore } from '#event-store';
import { KEEP_ERASURE_CONTACT, type KeepErasureContact } from '../privacy/index.ts';
import { captureErasureNotice } from './erasure-notices.ts';
import { NotificationPreferencesResolver } from './notification-preferences.resolver.ts';
import { NotificationsResolver } from './notifications.resolver.ts';

@Module({
  providers: [
    NotificationsResolver,
    NotificationPreferencesResolver,
    {
      provide: KEEP_ERASURE_CONTACT,
      inject: [GovernanceEventStore, DataSource],
      // What an erasure runs just before the key is destroyed: the address its ERASURE_COMPLETED notice goes to.
      useFactory:
        (events: GovernanceEventStore, db: DataSource): KeepErasureContact =>
        async (memberId) => {
          await captureErasureNotice(events, db, memberId);
        },
    },
  ],
})
export class NotificationsModule {}
