import { Module } from '@nestjs/common';
import { NotificationsResolver } from './notifications.resolver.ts';

@Module({ providers: [NotificationsResolver] })
export class NotificationsModule {}
