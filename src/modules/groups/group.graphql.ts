import { Field, ID, InputType, Int, ObjectType } from '@nestjs/graphql';
import { Connection } from '../../platform/graphql/pagination.ts';
import { Node } from '../../platform/graphql/node.ts';

@ObjectType({ implements: () => [Node] })
export class Group {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  name!: string;

  @Field(() => [ID], { description: 'Member ids, in the order they became owners.' })
  owners!: string[];

  @Field(() => Boolean)
  archived!: boolean;

  @Field(() => Boolean, { description: 'Its owners must hold a current certification to moderate its cases.' })
  requiresCertification!: boolean;

  @Field(() => Int, { description: "The revision of the group's stream: what `expectedRevision` compares with." })
  revision!: number;
}

@ObjectType()
export class GroupConnection extends Connection(Group) {}

@InputType()
export class CreateGroupInput {
  @Field(() => ID, { nullable: true, description: 'Chosen by the client, or generated.' })
  groupId?: string | null;

  @Field(() => String)
  name!: string;

  @Field(() => ID, { nullable: true })
  commandId?: string | null;
}

@InputType()
export class AssignGroupOwnerInput {
  @Field(() => ID)
  groupId!: string;

  @Field(() => ID)
  memberId!: string;

  @Field(() => String, { nullable: true })
  reason?: string | null;

  @Field(() => ID, { nullable: true })
  commandId?: string | null;

  @Field(() => Int, { nullable: true })
  expectedRevision?: number | null;
}

@InputType()
export class SetGroupCertificationRequirementInput {
  @Field(() => ID)
  groupId!: string;

  @Field(() => Boolean)
  required!: boolean;

  @Field(() => String, { nullable: true })
  reason?: string | null;

  @Field(() => ID, { nullable: true })
  commandId?: string | null;

  @Field(() => Int, { nullable: true })
  expectedRevision?: number | null;
}
