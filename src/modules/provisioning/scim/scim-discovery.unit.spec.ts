import { enterpriseUserSchema, resourceTypes, schemas, serviceProviderConfig, userSchema } from './scim-discovery.ts';

const BASE = 'https://governance.example.com/scim/v2';

describe('discovery documents', () => {
  test('ServiceProviderConfig: patch, filter (200), etag; no bulk, changePassword or sort; a bearer token', () => {
    const config = serviceProviderConfig(`${BASE}/`);
    expect(config).toMatchObject({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'],
      patch: { supported: true },
      bulk: { supported: false },
      filter: { supported: true, maxResults: 200 },
      changePassword: { supported: false },
      sort: { supported: false },
      etag: { supported: true },
      meta: { resourceType: 'ServiceProviderConfig', location: `${BASE}/ServiceProviderConfig` },
    });
    expect(config.authenticationSchemes).toEqual([expect.objectContaining({ type: 'oauthbearertoken', primary: true })]);
  });

  test('ResourceTypes lists User with the enterprise extension, as a ListResponse', () => {
    expect(resourceTypes(BASE)).toMatchObject({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'],
      totalResults: 1,
      Resources: [
        {
          id: 'User',
          endpoint: '/Users',
          schema: 'urn:ietf:params:scim:schemas:core:2.0:User',
          schemaExtensions: [{ schema: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User', required: false }],
          meta: { location: `${BASE}/ResourceTypes/User` },
        },
      ],
    });
  });

  test('the User schema lists exactly the attributes fromScimUser reads; userName is required and unique', () => {
    const attributes = userSchema(BASE).attributes;
    expect(attributes.map((attribute) => attribute.name)).toEqual([
      'userName',
      'name',
      'displayName',
      'emails',
      'preferredLanguage',
      'active',
    ]);
    expect(attributes[0]).toMatchObject({ required: true, uniqueness: 'server', type: 'string' });
    expect(attributes.find((attribute) => attribute.name === 'emails')).toMatchObject({ type: 'complex', multiValued: true });
    expect(attributes.find((attribute) => attribute.name === 'active')).toMatchObject({ type: 'boolean' });
  });

  test('the EnterpriseUser schema has department only; Schemas lists both', () => {
    expect(enterpriseUserSchema(BASE).attributes.map((attribute) => attribute.name)).toEqual(['department']);
    const list = schemas(BASE);
    expect(list.totalResults).toBe(2);
    expect(list.Resources.map((schema) => schema.id)).toEqual([
      'urn:ietf:params:scim:schemas:core:2.0:User',
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
    ]);
  });

  test('no attribute definition carries a null (Entra ID: "If a value isn\'t present, don\'t send null values")', () => {
    expect(JSON.stringify(schemas(BASE))).not.toContain('null');
  });
});
