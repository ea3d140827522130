import { Module } from '@nestjs/common';
import { OWNER_CERTIFICATION } from './moderation-access.ts';
import { MODERATION_COMMAND_HANDLERS } from './moderation.commands.ts';
import { ModerationResolver } from './moderation.resolver.ts';

@Module({
  providers: [
    ModerationResolver,
    ...MODERATION_COMMAND_HANDLERS,
    // Until the certification module answers, no owner is barred (the gate is wired in with it).
    { provide: OWNER_CERTIFICATION, useValue: null },
  ],
})
export class ModerationModule {}
