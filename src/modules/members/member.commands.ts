import { Inject } from '@nestjs/common';
import { Command, CommandHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { requireRole, type RequestContext } from '../../platform/auth/request-context.ts';
import { Role } from '../../platform/auth/role.ts';
import { CommandPipeline } from '../../platform/command/command-pipeline.ts';
import { readAfterCommand } from '../../platform/command/read-after-command.ts';
import { requireId } from '../../platform/shared/identifiers.ts';
import { memberDecider, memberStreamId, type MemberCommand } from './member.decider.ts';
import { toMember, type Member, type RecordMemberLeftInput, type RegisterMemberInput, type UpdateMemberInput } from './member.graphql.ts';
import { MEMBERS_PROJECTION } from './read-models/members.projection.ts';
import { EVERY_MEMBER, findMember } from './read-models/members.queries.ts';

// The member directory is kept by community managers today (an HR or identity-provider sync later).
const DIRECTORY_KEEPERS = [Role.COMMUNITY_MANAGER];

export class RegisterMemberCommand extends Command<Member> {
  constructor(
    readonly input: RegisterMemberInput,
    readonly context: RequestContext,
  ) {
    super();
  }
}
export class UpdateMemberCommand extends Command<Member> {
  constructor(
    readonly input: UpdateMemberInput,
    readonly context: RequestContext,
  ) {
    super();
  }
}
export class RecordMemberLeftCommand extends Command<Member> {
  constructor(
    readonly input: RecordMemberLeftInput,
    readonly context: RequestContext,
  ) {
    super();
  }
}

type MemberDirectoryCommand = RegisterMemberCommand | UpdateMemberCommand | RecordMemberLeftCommand;

abstract class MemberDirectoryHandler<C extends MemberDirectoryCommand> {
  constructor(
    @Inject(CommandPipeline) private readonly pipeline: CommandPipeline,
    @Inject(DataSource) private readonly db: DataSource,
  ) {}

  protected abstract action: string;
  protected abstract toDomain(command: C): MemberCommand;

  async execute(command: C): Promise<Member> {
    // Who may act before what they sent: a caller without the role learns nothing about which ids would be valid.
    requireRole(command.context, DIRECTORY_KEEPERS, this.action);
    const memberId = requireId(command.input.memberId, 'memberId');
    await this.pipeline.executeMutation({
      context: command.context,
      roles: DIRECTORY_KEEPERS,
      action: this.action,
      input: command.input,
      streamId: memberStreamId(memberId),
      decider: memberDecider,
      command: () => this.toDomain(command),
      readModels: [MEMBERS_PROJECTION],
      // The reason for leaving is personal data: the MemberLeft event carries it encrypted, the metadata not at all.
      reasonIsPersonal: true,
    });
    // The caller is a community manager, who reads every member.
    return toMember(await readAfterCommand(() => findMember(this.db, memberId, EVERY_MEMBER), `member ${memberId}`));
  }
}

@CommandHandler(RegisterMemberCommand)
export class RegisterMemberHandler extends MemberDirectoryHandler<RegisterMemberCommand> {
  protected action = 'registering a member';
  protected toDomain({ input }: RegisterMemberCommand): MemberCommand {
    return { type: 'RegisterMember', memberId: input.memberId, displayName: input.displayName, department: input.department };
  }
}

@CommandHandler(UpdateMemberCommand)
export class UpdateMemberHandler extends MemberDirectoryHandler<UpdateMemberCommand> {
  protected action = 'updating a member';
  protected toDomain({ input }: UpdateMemberCommand): MemberCommand {
    return { type: 'UpdateMember', memberId: input.memberId, displayName: input.displayName ?? null, department: input.department ?? null };
  }
}

@CommandHandler(RecordMemberLeftCommand)
export class RecordMemberLeftHandler extends MemberDirectoryHandler<RecordMemberLeftCommand> {
  protected action = 'recording that a member left';
  protected toDomain({ input }: RecordMemberLeftCommand): MemberCommand {
    return { type: 'RecordMemberLeft', memberId: input.memberId, reason: input.reason ?? null };
  }
}
