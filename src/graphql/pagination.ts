import type { Type } from '@nestjs/common';
import { Field, Int, ObjectType } from '@nestjs/graphql';
import { badInput } from '../shared/domain-error.ts';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

/** `first` of a Relay connection: 1 to 100, default 20. */
export function pageSize(first: number | null | undefined): number {
  if (first === null || first === undefined) return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE)
    throw badInput(`first must be from 1 to ${MAX_PAGE_SIZE}`, { field: 'first' });
  return first;
}

@ObjectType()
export class PageInfo {
  @Field(() => Boolean)
  hasNextPage!: boolean;

  @Field(() => String, { nullable: true })
  endCursor!: string | null;
}

/**
 * The Relay connection of a node type, as the contract spells it: `<Node>Edge { cursor node }` and, on the class
 * that extends it, `{ edges pageInfo totalCount }`. `@ObjectType() class MemberConnection extends Connection(Member) {}`
 */
export function Connection<Node>(node: Type<Node>) {
  @ObjectType(`${node.name}Edge`)
  class Edge {
    @Field(() => String)
    cursor!: string;

    @Field(() => node)
    node!: Node;
  }

  @ObjectType({ isAbstract: true })
  abstract class NodeConnection {
    @Field(() => [Edge])
    edges!: Edge[];

    @Field(() => PageInfo)
    pageInfo!: PageInfo;

    @Field(() => Int)
    totalCount!: number;
  }
  return NodeConnection;
}
