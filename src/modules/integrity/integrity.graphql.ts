import { Field, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import type { IntegrityBreakKind } from './integrity-check.ts';
import { Node, NodeIdField } from '../../platform/graphql/node.ts';

export enum IntegrityBreakKindValue {
  HASH_MISMATCH = 'HASH_MISMATCH',
  MISSING_EVENT = 'MISSING_EVENT',
  TRUNCATED_STREAM = 'TRUNCATED_STREAM',
  MISSING_STREAM = 'MISSING_STREAM',
  REORDERED = 'REORDERED',
  BAD_SEAL = 'BAD_SEAL',
}

registerEnumType(IntegrityBreakKindValue, {
  name: 'IntegrityBreakKind',
  valuesMap: {
    HASH_MISMATCH: { description: "An event's stored bytes (data, metadata, type, ids or recorded time) no longer match its hash." },
    MISSING_EVENT: { description: 'An event is missing from the middle of a stream or of the log.' },
    TRUNCATED_STREAM: { description: 'A stream ends before the revision the log (or a seal) says it reached.' },
    MISSING_STREAM: { description: 'A stream the log (or a seal) says exists is gone.' },
    REORDERED: { description: 'Events are out of the order they were sealed in.' },
    BAD_SEAL: { description: "A seal's signature does not verify with the published key, or its root does not match the log." },
  },
});

@ObjectType('IntegrityBreak')
export class IntegrityBreakView {
  @Field(() => IntegrityBreakKindValue)
  kind!: IntegrityBreakKind;

  @Field(() => String, { nullable: true })
  position!: string | null;

  @Field(() => String, { nullable: true })
  streamId!: string | null;

  @Field(() => Int, { nullable: true })
  revision!: number | null;

  @Field(() => String)
  detail!: string;
}

@ObjectType('LogSeal', {
  implements: () => [Node],
  description: 'A signed statement of the whole log up to a position: who holds the public key can check an export offline.',
})
export class LogSealView {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { description: 'The last log position covered (inclusive).' })
  position!: string;

  @Field(() => Int)
  eventCount!: number;

  @Field(() => String, { description: 'Root of the hash structure over every event up to position, hex.' })
  rootHash!: string;

  @Field(() => Date)
  sealedAt!: Date;

  @Field(() => String)
  keyId!: string;

  @Field(() => String)
  algorithm!: string;

  @Field(() => String, { description: "Signature over the seal's canonical form, base64url." })
  signature!: string;
}

@ObjectType('SealKey', { implements: () => [Node] })
export class SealKeyView {
  @NodeIdField<SealKeyView>('SealKey', (key) => [key.keyId])
  id?: string; // computed when read: the objects answered need not carry it

  @Field(() => String)
  keyId!: string;

  @Field(() => String)
  algorithm!: string;

  @Field(() => String, { description: 'The public key, as a JWK JSON string.' })
  publicKeyJwk!: string;
}
