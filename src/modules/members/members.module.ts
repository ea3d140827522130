import { Module } from '@nestjs/common';
import { MembersResolver } from './members.resolver.ts';

@Module({ providers: [MembersResolver] })
export class MembersModule {}
