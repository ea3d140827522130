/**
 * The SCIM 2.0 protocol layer (issue 20): pure functions from the JSON directories send to what this service
 * records and back. The HTTP endpoints that use them live beside this folder.
 */
export { ScimError, SCIM_ERROR_SCHEMA, scimBadRequest, scimErrorBody, type ScimErrorBody, type ScimType } from './scim-error.ts';
export {
  CORE_USER_SCHEMA,
  ENTERPRISE_USER_SCHEMA,
  SCIM_LIMITS,
  fromScimUser,
  toScimUser,
  userLocation,
  type DirectoryEmail,
  type DirectoryMember,
  type DirectoryUserInput,
  type ScimEmail,
  type ScimName,
  type ScimUser,
  type ScimUserMeta,
} from './scim-user.ts';
export { MAX_FILTER_LENGTH, parseUserFilter, type UserFilter } from './scim-filter.ts';
export { MAX_PATCH_OPERATIONS, MAX_PATH_LENGTH, PATCH_OP_SCHEMA, applyUserPatch } from './scim-patch.ts';
export { DEFAULT_COUNT, LIST_RESPONSE_SCHEMA, MAX_COUNT, listResponse, pagingOf, type ListResponse, type Paging } from './scim-list.ts';
export {
  RESOURCE_TYPE_SCHEMA,
  SCHEMA_SCHEMA,
  SERVICE_PROVIDER_CONFIG_SCHEMA,
  enterpriseUserSchema,
  resourceTypes,
  schemas,
  serviceProviderConfig,
  userResourceType,
  userSchema,
} from './scim-discovery.ts';
