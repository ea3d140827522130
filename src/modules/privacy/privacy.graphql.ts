import { Field, ID, InputType, Int, ObjectType } from '@nestjs/graphql';
import { graphqlEnum } from '../../platform/graphql/graphql-enum.ts';
import { Node, NodeIdField } from '../../platform/graphql/node.ts';
import {
  ERASURE_STATUSES,
  VISIBILITIES,
  type ErasureStatus as ErasureStatusValue,
  type Visibility as VisibilityValue,
} from './privacy.decider.ts';

export const Visibility = graphqlEnum('Visibility', VISIBILITIES);
export type Visibility = VisibilityValue;

export const ErasureStatus = graphqlEnum('ErasureStatus', ERASURE_STATUSES);
export type ErasureStatus = ErasureStatusValue;

@ObjectType({ implements: () => [Node] })
export class PrivacySettings {
  @NodeIdField<PrivacySettings>('PrivacySettings', (settings) => [settings.memberId])
  id!: string;

  @Field(() => ID)
  memberId!: string;

  @Field(() => Visibility, {
    description: 'Who may see the profile photo: NOBODY while the profile_photo consent is not given, whatever the member chose.',
  })
  profilePhotoVisibility!: Visibility;

  @Field(() => Visibility, { description: 'What the member chose; it applies once the profile_photo consent is given.' })
  requestedProfilePhotoVisibility!: Visibility;

  @Field(() => Boolean, {
    description:
      'Whether members other than staff (community managers, auditors, privacy officers) find this member in members and member(id).',
  })
  directoryListed!: boolean;

  @Field(() => Int, { description: "Of the member's privacy stream; -1 while the defaults apply." })
  revision!: number;
}

@ObjectType({ implements: () => [Node] })
export class Consent {
  @NodeIdField<Consent>('Consent', (consent) => [consent.memberId, consent.purpose])
  id!: string;

  @Field(() => ID)
  memberId!: string;

  @Field(() => String)
  purpose!: string;

  @Field(() => Boolean)
  given!: boolean;

  @Field(() => String, { nullable: true })
  noticeVersion!: string | null;

  @Field(() => Date)
  changedAt!: Date;
}

@ObjectType({ implements: () => [Node] })
export class ErasureRequest {
  @NodeIdField<ErasureRequest>('ErasureRequest', (request) => [request.memberId])
  id!: string;

  @Field(() => ID)
  memberId!: string;

  @Field(() => ErasureStatus)
  status!: ErasureStatus;

  @Field(() => Date)
  requestedAt!: Date;

  @Field(() => Date, { nullable: true })
  completedAt!: Date | null;
}

@InputType()
export class UpdatePrivacySettingsInput {
  @Field(() => ID)
  memberId!: string;

  @Field(() => Visibility, { nullable: true })
  profilePhotoVisibility?: Visibility | null;

  @Field(() => Boolean, { nullable: true })
  directoryListed?: boolean | null;

  @Field(() => ID, { nullable: true })
  commandId?: string | null;

  @Field(() => Int, { nullable: true })
  expectedRevision?: number | null;
}

@InputType()
export class ConsentInput {
  @Field(() => ID)
  memberId!: string;

  @Field(() => String)
  purpose!: string;

  @Field(() => String, { nullable: true })
  noticeVersion?: string | null;

  @Field(() => ID, { nullable: true })
  commandId?: string | null;
}

@InputType()
export class RequestErasureInput {
  @Field(() => ID)
  memberId!: string;

  @Field(() => String, { nullable: true, description: "Personal data: shredded with the rest of the member's." })
  reason?: string | null;

  @Field(() => ID, { nullable: true })
  commandId?: string | null;
}
