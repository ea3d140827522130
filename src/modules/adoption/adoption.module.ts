import { Module } from '@nestjs/common';
import { ADOPTION_COMMAND_HANDLERS } from './adoption.commands.ts';
import { AdoptionResolver } from './adoption.resolver.ts';

@Module({ providers: [AdoptionResolver, ...ADOPTION_COMMAND_HANDLERS] })
export class AdoptionModule {}
