import { ScimError } from './scim-error.ts';
import { ENTERPRISE_USER_SCHEMA, fromScimUser, toScimUser, type DirectoryMember } from './scim-user.ts';

const BASE = 'https://governance.example.com/scim/v2';

const member = (overrides: Partial<DirectoryMember> = {}): DirectoryMember => ({
  memberId: 'member-7',
  userName: 'ann.lee@example.com',
  externalId: 'ext-7',
  displayName: 'Ann Lee',
  department: 'Support',
  emails: [{ value: 'ann.lee@example.com', type: 'work', primary: true }],
  preferredLanguage: 'en-GB',
  active: true,
  revision: 4,
  created: new Date('2025-01-02T03:04:05.000Z'),
  lastModified: new Date('2025-02-03T04:05:06.000Z'),
  ...overrides,
});

const refusal = (json: unknown) => {
  try {
    fromScimUser(json);
  } catch (error) {
    if (error instanceof ScimError) return { status: error.status, scimType: error.scimType, detail: error.message };
    throw error;
  }
  throw new Error('expected a ScimError');
};

describe('toScimUser', () => {
  test('renders the core User, the enterprise department and meta with location and version', () => {
    expect(toScimUser(member(), `${BASE}/`)).toEqual({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE_USER_SCHEMA],
      id: 'member-7',
      userName: 'ann.lee@example.com',
      externalId: 'ext-7',
      displayName: 'Ann Lee',
      name: { formatted: 'Ann Lee' },
      emails: [{ value: 'ann.lee@example.com', type: 'work', primary: true }],
      preferredLanguage: 'en-GB',
      active: true,
      [ENTERPRISE_USER_SCHEMA]: { department: 'Support' },
      meta: {
        resourceType: 'User',
        created: '2025-01-02T03:04:05.000Z',
        lastModified: '2025-02-03T04:05:06.000Z',
        location: `${BASE}/Users/member-7`,
        version: 'W/"4"',
      },
    });
  });

  test('leaves unassigned attributes out instead of sending null, and the extension when there is no department', () => {
    const user = toScimUser(member({ userName: null, externalId: null, department: null, preferredLanguage: null, emails: [] }), BASE);
    expect(user.schemas).toEqual(['urn:ietf:params:scim:schemas:core:2.0:User']);
    expect(Object.keys(user).sort()).toEqual(['active', 'displayName', 'emails', 'id', 'meta', 'name', 'schemas']);
    expect(JSON.stringify(user)).not.toContain('null');
  });

  test('an e-mail without type has no type key; an id with reserved characters is escaped in the location', () => {
    const user = toScimUser(member({ memberId: 'a/b?c', emails: [{ value: 'x@y.z', type: null, primary: false }] }), BASE);
    expect(user.emails).toEqual([{ value: 'x@y.z', primary: false }]);
    expect(user.meta.location).toBe(`${BASE}/Users/a%2Fb%3Fc`);
  });
});

describe('fromScimUser', () => {
  test("reads Entra ID's documented Create User request", () => {
    const entraCreate = {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'],
      externalId: '0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef',
      userName: 'Test_User_00aa00aa-bb11-cc22-dd33-44ee44ee44ee',
      active: true,
      emails: [
        {
          primary: true,
          type: 'work',
          value: 'Test_User_11bb11bb-cc22-dd33-ee44-55ff55ff55ff@testuser.com',
        },
      ],
      meta: {
        resourceType: 'User',
      },
      name: {
        formatted: 'givenName familyName',
        familyName: 'familyName',
        givenName: 'givenName',
      },
      roles: [],
    };
    expect(fromScimUser(entraCreate)).toEqual({
      userName: 'Test_User_00aa00aa-bb11-cc22-dd33-44ee44ee44ee',
      externalId: '0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef',
      displayName: 'givenName familyName',
      department: null,
      emails: [{ value: 'Test_User_11bb11bb-cc22-dd33-ee44-55ff55ff55ff@testuser.com', type: 'work', primary: true }],
      preferredLanguage: null,
      active: true,
    });
  });

  test("reads Okta's documented Create User request (password and locale ignored)", () => {
    const oktaCreate = {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName: 'test.user@okta.local',
      name: {
        givenName: 'Test',
        familyName: 'User',
      },
      emails: [
        {
          primary: true,
          value: 'test.user@okta.local',
          type: 'work',
        },
      ],
      displayName: 'Test User',
      locale: 'en-US',
      externalId: '00ujl29u0le5T6Aj10h7',
      groups: [],
      password: '1mz050nq',
      active: true,
    };
    const input = fromScimUser(oktaCreate);
    expect(input).toEqual({
      userName: 'test.user@okta.local',
      externalId: '00ujl29u0le5T6Aj10h7',
      displayName: 'Test User',
      department: null,
      emails: [{ value: 'test.user@okta.local', type: 'work', primary: true }],
      preferredLanguage: null,
      active: true,
    });
    expect(JSON.stringify(input)).not.toContain('1mz050nq');
  });

  test('displayName falls back to name.formatted, then givenName and familyName, then userName', () => {
    const base = { userName: 'u@x.y' };
    expect(fromScimUser({ ...base, displayName: 'D', name: { formatted: 'F', givenName: 'G', familyName: 'H' } }).displayName).toBe('D');
    expect(fromScimUser({ ...base, displayName: '  ', name: { formatted: 'F', givenName: 'G' } }).displayName).toBe('F');
    expect(fromScimUser({ ...base, name: { givenName: 'G', familyName: 'H' } }).displayName).toBe('G H');
    expect(fromScimUser({ ...base, name: { familyName: 'H' } }).displayName).toBe('H');
    expect(fromScimUser(base).displayName).toBe('u@x.y');
  });

  test('department comes from the enterprise extension; absent, null or blank is null', () => {
    expect(fromScimUser({ userName: 'u', [ENTERPRISE_USER_SCHEMA]: { department: 'Sales', manager: { value: 'x' } } }).department).toBe(
      'Sales',
    );
    expect(fromScimUser({ userName: 'u' }).department).toBeNull();
    expect(fromScimUser({ userName: 'u', [ENTERPRISE_USER_SCHEMA]: { department: '' } }).department).toBeNull();
    expect(fromScimUser({ userName: 'u', [ENTERPRISE_USER_SCHEMA]: null }).department).toBeNull();
  });

  test('active takes booleans and "True"/"False" in any case (Entra ID); absent is true', () => {
    expect(fromScimUser({ userName: 'u', active: false }).active).toBe(false);
    expect(fromScimUser({ userName: 'u', active: 'False' }).active).toBe(false);
    expect(fromScimUser({ userName: 'u', active: 'FALSE' }).active).toBe(false);
    expect(fromScimUser({ userName: 'u', active: 'True' }).active).toBe(true);
    expect(fromScimUser({ userName: 'u' }).active).toBe(true);
  });

  test('attribute names are case-insensitive (RFC 7643 §2.1); values are trimmed, not otherwise changed', () => {
    expect(
      fromScimUser({ USERNAME: ' Ann@Example.com ', DisplayName: 'Ann', Emails: [{ Value: 'A@B.C', Primary: 'true' }] }),
    ).toMatchObject({
      userName: 'Ann@Example.com',
      displayName: 'Ann',
      emails: [{ value: 'A@B.C', type: null, primary: true }],
    });
  });

  test.each([
    ['no userName', {}, /userName is required/],
    ['a blank userName', { userName: '   ' }, /userName is required/],
    ['a numeric userName', { userName: 42 }, /userName must be a string/],
    ['an object userName', { userName: { $ne: null } }, /userName must be a string/],
    ['a huge userName', { userName: 'a'.repeat(1_000_000) }, /longer than 256/],
    ['a line break in displayName', { userName: 'u', displayName: 'A\nB' }, /control characters/],
    ['active as a number', { userName: 'u', active: 0 }, /active must be true or false/],
    ['active as "yes"', { userName: 'u', active: 'yes' }, /active must be true or false/],
    ['emails not an array', { userName: 'u', emails: 'a@b.c' }, /emails must be an array/],
    ['an e-mail without value', { userName: 'u', emails: [{ type: 'work' }] }, /value is required/],
    ['an e-mail that is not one', { userName: 'u', emails: [{ value: 'not an address' }] }, /not an e-mail address/],
    [
      'two primary e-mails',
      {
        userName: 'u',
        emails: [
          { value: 'a@b.c', primary: true },
          { value: 'd@e.f', primary: true },
        ],
      },
      /only one/,
    ],
    ['too many e-mails', { userName: 'u', emails: Array.from({ length: 11 }, (_, i) => ({ value: `a${i}@b.c` })) }, /more than 10/],
    ['a string name', { userName: 'u', name: 'Ann' }, /name must be an object/],
    ['an array extension', { userName: 'u', [ENTERPRISE_USER_SCHEMA]: ['Sales'] }, /must be an object/],
    ['a numeric department', { userName: 'u', [ENTERPRISE_USER_SCHEMA]: { department: 7 } }, /department must be a string/],
    ['a bad language tag', { userName: 'u', preferredLanguage: 'en US; drop' }, /language tag/],
    ['the same attribute in two cases', { userName: 'u', USERNAME: 'v' }, /twice/],
  ])('refuses %s with invalidValue', (_, json, detail) => {
    const error = refusal(json);
    expect(error).toMatchObject({ status: 400, scimType: 'invalidValue' });
    expect(error.detail).toMatch(detail);
  });

  test('refuses a body that is not an object with invalidSyntax', () => {
    for (const json of [null, 'user', 42, [], [{ userName: 'u' }]])
      expect(refusal(json)).toMatchObject({ status: 400, scimType: 'invalidSyntax' });
  });

  test('refuses prototype keys (as JSON.parse makes them: own properties) and pollutes nothing', () => {
    const hostile = [
      '{"userName":"u","__proto__":{"polluted":true}}',
      '{"userName":"u","name":{"constructor":{"prototype":{"polluted":true}}}}',
      '{"userName":"u","emails":[{"value":"a@b.c","__proto__":{"polluted":true}}]}',
    ];
    for (const text of hostile) expect(refusal(JSON.parse(text))).toMatchObject({ scimType: 'invalidValue' });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('round trip', () => {
  test('toScimUser then fromScimUser gives back what the member holds', () => {
    const original = member();
    expect(fromScimUser(JSON.parse(JSON.stringify(toScimUser(original, BASE))))).toEqual({
      userName: original.userName,
      externalId: original.externalId,
      displayName: original.displayName,
      department: original.department,
      emails: original.emails,
      preferredLanguage: original.preferredLanguage,
      active: original.active,
    });
  });

  test('nulls survive the round trip as nulls, and an inactive member stays inactive', () => {
    const original = member({ externalId: null, department: null, preferredLanguage: null, emails: [], active: false });
    expect(fromScimUser(toScimUser(original, BASE))).toMatchObject({
      externalId: null,
      department: null,
      preferredLanguage: null,
      emails: [],
      active: false,
    });
  });
});
