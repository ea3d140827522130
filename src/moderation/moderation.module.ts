import { Module } from '@nestjs/common';
import { MODERATION_COMMAND_HANDLERS } from './moderation.commands.ts';
import { ModerationResolver } from './moderation.resolver.ts';

@Module({ providers: [ModerationResolver, ...MODERATION_COMMAND_HANDLERS] })
export class ModerationModule {}
