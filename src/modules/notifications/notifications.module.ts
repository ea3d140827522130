import { Module } from '@nestjs/common';
import { NotificationPreferencesResolver } from './notification-preferences.resolver.ts';
import { NotificationsResolver } from './notifications.resolver.ts';

@Module({ providers: [NotificationsResolver, NotificationPreferencesResolver] })
export class NotificationsModule {}
