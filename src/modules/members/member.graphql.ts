import { Field, ID, InputType, Int, ObjectType } from '@nestjs/graphql';
import { graphqlEnum } from '../../platform/graphql/graphql-enum.ts';
import { Connection } from '../../platform/graphql/pagination.ts';
import type { MemberView } from './read-models/members.queries.ts';
import { Node } from '../../platform/graphql/node.ts';
import { REGISTERED_MEMBER_STATUSES, type RegisteredMemberStatus } from './member.decider.ts';

export const MemberStatus = graphqlEnum('MemberStatus', REGISTERED_MEMBER_STATUSES);
export type MemberStatus = RegisteredMemberStatus;

@ObjectType({ implements: () => [Node] })
export class Member {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { description: "Personal data: redacted once the member's personal data is erased." })
  displayName!: string;

  @Field(() => String)
  department!: string;

  @Field(() => MemberStatus)
  status!: MemberStatus;

  @Field(() => Int)
  revision!: number;

  @Field(() => String, {
    description:
      'Who registered the member, by the kind of caller: "api" (through this API), "provisioning" (the organisation\'s directory, over SCIM)...',
  })
  source!: string;

  @Field(() => Date, {
    nullable: true,
    description: 'When the directory (SCIM provisioning) last changed the member, registration included; null if it never did.',
  })
  directoryChangedAt!: Date | null;
}

@ObjectType()
export class MemberConnection extends Connection(Member) {}

@InputType()
export class RegisterMemberInput {
  @Field(() => ID)
  memberId!: string;

  @Field(() => String)
  displayName!: string;

  @Field(() => String)
  department!: string;

  @Field(() => ID, { nullable: true })
  commandId?: string | null;
}

@InputType()
export class UpdateMemberInput {
  @Field(() => ID)
  memberId!: string;

  @Field(() => String, { nullable: true })
  displayName?: string | null;

  @Field(() => String, { nullable: true })
  department?: string | null;

  @Field(() => ID, { nullable: true })
  commandId?: string | null;

  @Field(() => Int, { nullable: true })
  expectedRevision?: number | null;
}

@InputType()
export class RecordMemberLeftInput {
  @Field(() => ID)
  memberId!: string;

  @Field(() => String, { nullable: true })
  reason?: string | null;

  @Field(() => ID, { nullable: true })
  commandId?: string | null;
}

/**
 * Field by field, not the view spread: the view also holds the directory's personal attributes (userName, emails,
 * preferredLanguage), which are the provisioning client's to read, not the API's.
 */
export function toMember(view: MemberView): Member {
  return {
    id: view.id,
    displayName: view.displayName,
    department: view.department,
    status: MemberStatus[view.status],
    revision: view.revision,
    source: view.source,
    directoryChangedAt: view.directoryChangedAt,
  };
}
