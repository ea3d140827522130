import { Module } from '@nestjs/common';
import { AssignGroupOwnerHandler, CreateGroupHandler, RemoveGroupOwnerHandler } from './group.commands.ts';
import { GroupsResolver } from './groups.resolver.ts';

@Module({ providers: [GroupsResolver, CreateGroupHandler, AssignGroupOwnerHandler, RemoveGroupOwnerHandler] })
export class GroupsModule {}
