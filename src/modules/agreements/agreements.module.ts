import { Module } from '@nestjs/common';
import { AGREEMENT_COMMAND_HANDLERS } from './agreements.commands.ts';
import { AgreementsResolver } from './agreements.resolver.ts';

@Module({ providers: [AgreementsResolver, ...AGREEMENT_COMMAND_HANDLERS] })
export class AgreementsModule {}
