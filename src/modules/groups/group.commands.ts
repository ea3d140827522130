import { randomUUID } from 'node:crypto';
import { Inject } from '@nestjs/common';
import { Command, CommandHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { GovernanceEventStore } from '#event-store';
import { requireRole, type RequestContext } from '../../platform/auth/request-context.ts';
import { Role } from '../../platform/auth/role.ts';
import { CommandPipeline } from '../../platform/command/command-pipeline.ts';
import { readAfterCommand } from '../../platform/command/read-after-command.ts';
import { requireId } from '../../platform/shared/identifiers.ts';
import { groupDecider, groupStreamId, type GroupCommand } from './group.decider.ts';
import type { AssignGroupOwnerInput, CreateGroupInput, Group, SetGroupCertificationRequirementInput } from './group.graphql.ts';
import { GROUPS_PROJECTION } from './read-models/groups.projection.ts';
import { findGroup } from './read-models/groups.queries.ts';
import { ownerCandidate } from './owner-candidate.ts';

const GROUP_ADMINS = [Role.COMMUNITY_MANAGER];

export class CreateGroupCommand extends Command<Group> {
  constructor(
    readonly input: CreateGroupInput,
    readonly context: RequestContext,
  ) {
    super();
  }
}
export class AssignGroupOwnerCommand extends Command<Group> {
  constructor(
    readonly input: AssignGroupOwnerInput,
    readonly context: RequestContext,
  ) {
    super();
  }
}
export class RemoveGroupOwnerCommand extends Command<Group> {
  constructor(
    readonly input: AssignGroupOwnerInput,
    readonly context: RequestContext,
  ) {
    super();
  }
}

export class SetGroupCertificationRequirementCommand extends Command<Group> {
  constructor(
    readonly input: SetGroupCertificationRequirementInput,
    readonly context: RequestContext,
  ) {
    super();
  }
}

type GroupAdminCommand = CreateGroupCommand | AssignGroupOwnerCommand | RemoveGroupOwnerCommand | SetGroupCertificationRequirementCommand;

abstract class GroupAdminHandler<C extends GroupAdminCommand> {
  constructor(
    @Inject(CommandPipeline) private readonly pipeline: CommandPipeline,
    @Inject(DataSource) private readonly db: DataSource,
    @Inject(GovernanceEventStore) protected readonly events: GovernanceEventStore,
  ) {}

  protected abstract action: string;
  protected abstract groupId(command: C): string;
  protected abstract toDomain(command: C, groupId: string): Promise<GroupCommand>;

  async execute(command: C): Promise<Group> {
    // The role before the input: a caller who may not do this learns nothing about which ids would be valid.
    requireRole(command.context, GROUP_ADMINS, this.action);
    const groupId = requireId(this.groupId(command), 'groupId');
    await this.pipeline.executeMutation({
      context: command.context,
      roles: GROUP_ADMINS,
      action: this.action,
      input: command.input,
      streamId: groupStreamId(groupId),
      decider: groupDecider,
      command: () => this.toDomain(command, groupId),
      readModels: [GROUPS_PROJECTION],
    });
    return readAfterCommand(() => findGroup(this.db, groupId), `group ${groupId}`);
  }
}

@CommandHandler(CreateGroupCommand)
export class CreateGroupHandler extends GroupAdminHandler<CreateGroupCommand> {
  protected action = 'creating a group';
  protected groupId({ input }: CreateGroupCommand): string {
    // Without a client-chosen id, one derived from the commandId keeps a retried command on the same group.
    return input.groupId ?? (input.commandId ? `g-${input.commandId}` : `g-${randomUUID()}`);
  }
  protected async toDomain({ input }: CreateGroupCommand, groupId: string): Promise<GroupCommand> {
    return { type: 'CreateGroup', groupId, name: input.name };
  }
}

@CommandHandler(AssignGroupOwnerCommand)
export class AssignGroupOwnerHandler extends GroupAdminHandler<AssignGroupOwnerCommand> {
  protected action = 'assigning a group owner';
  protected groupId({ input }: AssignGroupOwnerCommand): string {
    return input.groupId;
  }
  protected async toDomain({ input }: AssignGroupOwnerCommand, groupId: string): Promise<GroupCommand> {
    const memberId = requireId(input.memberId, 'memberId');
    return { type: 'AssignGroupOwner', groupId, memberId, candidate: await ownerCandidate(this.events, memberId) };
  }
}

@CommandHandler(RemoveGroupOwnerCommand)
export class RemoveGroupOwnerHandler extends GroupAdminHandler<RemoveGroupOwnerCommand> {
  protected action = 'removing a group owner';
  protected groupId({ input }: RemoveGroupOwnerCommand): string {
    return input.groupId;
  }
  protected async toDomain({ input }: RemoveGroupOwnerCommand, groupId: string): Promise<GroupCommand> {
    return { type: 'RemoveGroupOwner', groupId, memberId: requireId(input.memberId, 'memberId') };
  }
}

@CommandHandler(SetGroupCertificationRequirementCommand)
export class SetGroupCertificationRequirementHandler extends GroupAdminHandler<SetGroupCertificationRequirementCommand> {
  protected action = "setting a group's certification requirement";
  protected groupId({ input }: SetGroupCertificationRequirementCommand): string {
    return input.groupId;
  }
  protected async toDomain({ input }: SetGroupCertificationRequirementCommand, groupId: string): Promise<GroupCommand> {
    return { type: 'SetGroupCertificationRequirement', groupId, required: input.required };
  }
}
