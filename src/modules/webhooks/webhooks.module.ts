import { Module } from '@nestjs/common';
import { WebhooksResolver } from './webhooks.resolver.ts';

@Module({ providers: [WebhooksResolver] })
export class WebhooksModule {}
