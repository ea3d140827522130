import { registerEnumType } from '@nestjs/graphql';

export enum Role {
  COMMUNITY_MANAGER = 'COMMUNITY_MANAGER',
  GROUP_OWNER = 'GROUP_OWNER',
  MEMBER = 'MEMBER',
  AUDITOR = 'AUDITOR',
  PRIVACY_OFFICER = 'PRIVACY_OFFICER',
  /** The organisation's directory provisioning members over SCIM (/scim/v2): no member, no GraphQL mutation. */
  PROVISIONER = 'PROVISIONER',
}

registerEnumType(Role, { name: 'Role' });

export const ROLES: readonly Role[] = Object.values(Role);

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}
