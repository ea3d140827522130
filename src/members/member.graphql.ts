import { Field, ID, InputType, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { PageInfo } from '../graphql/pagination.ts';
import type { MemberView } from './read-models/members.queries.ts';

export enum MemberStatus {
  ACTIVE = 'ACTIVE',
  LEFT = 'LEFT',
}
registerEnumType(MemberStatus, { name: 'MemberStatus' });

@ObjectType()
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
}

@ObjectType()
export class MemberEdge {
  @Field(() => String)
  cursor!: string;

  @Field(() => Member)
  node!: Member;
}

@ObjectType()
export class MemberConnection {
  @Field(() => [MemberEdge])
  edges!: MemberEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;

  @Field(() => Int)
  totalCount!: number;
}

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

export function toMember(view: MemberView): Member {
  return { ...view, status: MemberStatus[view.status] };
}
