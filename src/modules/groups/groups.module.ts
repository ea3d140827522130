import { Module } from '@nestjs/common';
import { GroupsResolver } from './groups.resolver.ts';

@Module({ providers: [GroupsResolver] })
export class GroupsModule {}
