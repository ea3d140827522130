import { Module } from '@nestjs/common';
import { RecordMemberLeftHandler, RegisterMemberHandler, UpdateMemberHandler } from './member.commands.ts';
import { MembersResolver } from './members.resolver.ts';

@Module({ providers: [MembersResolver, RegisterMemberHandler, UpdateMemberHandler, RecordMemberLeftHandler] })
export class MembersModule {}
