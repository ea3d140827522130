import { Module } from '@nestjs/common';
import { PRIVACY_COMMAND_HANDLERS } from './privacy.commands.ts';
import { PrivacyResolver } from './privacy.resolver.ts';

@Module({ providers: [PrivacyResolver, ...PRIVACY_COMMAND_HANDLERS] })
export class PrivacyModule {}
