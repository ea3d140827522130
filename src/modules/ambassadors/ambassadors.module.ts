import { Module } from '@nestjs/common';
import { AMBASSADOR_COMMAND_HANDLERS } from './ambassadors.commands.ts';
import { AmbassadorsResolver } from './ambassadors.resolver.ts';

@Module({ providers: [AmbassadorsResolver, ...AMBASSADOR_COMMAND_HANDLERS] })
export class AmbassadorsModule {}
