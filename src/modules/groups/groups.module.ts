import { Module } from '@nestjs/common';
import {
  AssignGroupOwnerHandler,
  CreateGroupHandler,
  RemoveGroupOwnerHandler,
  SetGroupCertificationRequirementHandler,
} from './group.commands.ts';
import { GroupsResolver } from './groups.resolver.ts';

@Module({
  providers: [
    GroupsResolver,
    CreateGroupHandler,
    AssignGroupOwnerHandler,
    RemoveGroupOwnerHandler,
    SetGroupCertificationRequirementHandler,
  ],
})
export class GroupsModule {}
