/**
 * The discovery documents (RFC 7644 §4, RFC 7643 §5-7): what this SCIM endpoint supports, so that a directory can
 * check before it sends. They describe the code in this folder; a change to what the User accepts changes them too.
 */
import { LIST_RESPONSE_SCHEMA, MAX_COUNT, type ListResponse } from './scim-list.ts';
import { CORE_USER_SCHEMA, ENTERPRISE_USER_SCHEMA } from './scim-user.ts';

export const SERVICE_PROVIDER_CONFIG_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig';
export const RESOURCE_TYPE_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:ResourceType';
export const SCHEMA_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Schema';

const base = (baseUrl: string): string => baseUrl.replace(/\/+$/, '');

export function serviceProviderConfig(baseUrl: string) {
  return {
    schemas: [SERVICE_PROVIDER_CONFIG_SCHEMA],
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults: MAX_COUNT },
    changePassword: { supported: false },
    sort: { supported: false },
    etag: { supported: true },
    authenticationSchemes: [
      {
        type: 'oauthbearertoken',
        name: 'OAuth Bearer Token',
        description: 'A bearer token in the Authorization header: the SCIM token, or an access token with the PROVISIONER role',
        specUri: 'https://www.rfc-editor.org/rfc/rfc6750',
        primary: true,
      },
    ],
    meta: { resourceType: 'ServiceProviderConfig', location: `${base(baseUrl)}/ServiceProviderConfig` },
  };
}

export function userResourceType(baseUrl: string) {
  return {
    schemas: [RESOURCE_TYPE_SCHEMA],
    id: 'User',
    name: 'User',
    endpoint: '/Users',
    description: 'A member of the community, as the directory provisions them',
    schema: CORE_USER_SCHEMA,
    schemaExtensions: [{ schema: ENTERPRISE_USER_SCHEMA, required: false }],
    meta: { resourceType: 'ResourceType', location: `${base(baseUrl)}/ResourceTypes/User` },
  };
}

export function resourceTypes(baseUrl: string): ListResponse<ReturnType<typeof userResourceType>> {
  return { schemas: [LIST_RESPONSE_SCHEMA], totalResults: 1, startIndex: 1, itemsPerPage: 1, Resources: [userResourceType(baseUrl)] };
}

/** One attribute's definition (RFC 7643 §7), with the defaults of §2.2 written out: Entra ID reads them. */
function attribute(name: string, description: string, options: Partial<Record<string, unknown>> = {}) {
  return {
    name,
    type: 'string',
    multiValued: false,
    description,
    required: false,
    caseExact: false,
    mutability: 'readWrite',
    returned: 'default',
    uniqueness: 'none',
    ...options,
  };
}

export function userSchema(baseUrl: string) {
  return {
    schemas: [SCHEMA_SCHEMA],
    id: CORE_USER_SCHEMA,
    name: 'User',
    description: 'User account',
    attributes: [
      attribute('userName', 'Unique identifier of the user in the directory, typically the user principal name', {
        required: true,
        uniqueness: 'server',
      }),
      attribute('name', 'The components of the name', {
        type: 'complex',
        subAttributes: [
          attribute('formatted', 'The full name'),
          attribute('familyName', 'The family name'),
          attribute('givenName', 'The given name'),
        ],
      }),
      attribute('displayName', 'The name shown to other members'),
      attribute('emails', 'E-mail addresses', {
        type: 'complex',
        multiValued: true,
        subAttributes: [
          attribute('value', 'The address'),
          attribute('type', 'work, home or other', { canonicalValues: ['work', 'home', 'other'] }),
          attribute('primary', 'Whether this is the preferred address', { type: 'boolean' }),
        ],
      }),
      attribute('preferredLanguage', 'Preferred language, as a language tag such as "en-US"'),
      attribute('active', 'Whether the user may take part; false is how the directory deprovisions', { type: 'boolean' }),
    ],
    meta: { resourceType: 'Schema', location: `${base(baseUrl)}/Schemas/${CORE_USER_SCHEMA}` },
  };
}

export function enterpriseUserSchema(baseUrl: string) {
  return {
    schemas: [SCHEMA_SCHEMA],
    id: ENTERPRISE_USER_SCHEMA,
    name: 'EnterpriseUser',
    description: 'Enterprise User',
    attributes: [attribute('department', 'The department the user belongs to')],
    meta: { resourceType: 'Schema', location: `${base(baseUrl)}/Schemas/${ENTERPRISE_USER_SCHEMA}` },
  };
}

export function schemas(baseUrl: string) {
  const resources = [userSchema(baseUrl), enterpriseUserSchema(baseUrl)];
  return {
    schemas: [LIST_RESPONSE_SCHEMA],
    totalResults: resources.length,
    startIndex: 1,
    itemsPerPage: resources.length,
    Resources: resources,
  };
}
