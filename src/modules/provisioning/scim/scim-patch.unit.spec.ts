import { ScimError } from './scim-error.ts';
import { applyUserPatch } from './scim-patch.ts';
import { ENTERPRISE_USER_SCHEMA, fromScimUser, toScimUser, type DirectoryMember, type ScimUser } from './scim-user.ts';

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

const member = (overrides: Partial<DirectoryMember> = {}): DirectoryMember => ({
  memberId: 'member-7',
  userName: 'ann.lee@example.com',
  externalId: 'ext-7',
  displayName: 'Ann Lee',
  department: null,
  emails: [{ value: 'ann.lee@example.com', type: 'work', primary: true }],
  preferredLanguage: null,
  active: true,
  revision: 4,
  created: new Date('2025-01-02T03:04:05.000Z'),
  lastModified: new Date('2025-02-03T04:05:06.000Z'),
  ...overrides,
});
const current = (overrides: Partial<DirectoryMember> = {}): ScimUser =>
  toScimUser(member(overrides), 'https://governance.example.com/scim/v2');
const patch = (...Operations: unknown[]) => ({ schemas: [PATCH_OP], Operations });

const refusal = (user: ScimUser, body: unknown) => {
  try {
    applyUserPatch(user, body);
  } catch (error) {
    if (error instanceof ScimError) return { status: error.status, scimType: error.scimType, detail: error.message };
    throw error;
  }
  throw new Error('expected a ScimError');
};

describe("applyUserPatch: Entra ID's documented requests", () => {
  test('Update User [Multi-valued properties]: Replace emails[type eq "work"].value and name.familyName', () => {
    const body = {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [
        {
          op: 'Replace',
          path: 'emails[type eq "work"].value',
          value: 'updatedEmail@microsoft.com',
        },
        {
          op: 'Replace',
          path: 'name.familyName',
          value: 'updatedFamilyName',
        },
      ],
    };
    const user = applyUserPatch(current(), body);
    expect(user.emails).toEqual([{ value: 'updatedEmail@microsoft.com', type: 'work', primary: true }]);
    expect(user.name).toEqual({ formatted: 'Ann Lee', familyName: 'updatedFamilyName' });
  });

  test('Update User [Single-valued properties]: Replace userName', () => {
    const body = {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [
        {
          op: 'Replace',
          path: 'userName',
          value: '5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com',
        },
      ],
    };
    expect(applyUserPatch(current(), body).userName).toBe('5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com');
  });

  test('Disable User: Replace active false', () => {
    const body = {
      Operations: [
        {
          op: 'Replace',
          path: 'active',
          value: false,
        },
      ],
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
    };
    expect(applyUserPatch(current(), body).active).toBe(false);
  });

  test('Disable User without the aadOptscim062020 flag: "value": "False" as a string', () => {
    const body = {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [
        {
          op: 'Replace',
          path: 'active',
          value: 'False',
        },
      ],
    };
    const user = applyUserPatch(current(), body);
    expect(user.active).toBe(false);
    expect(fromScimUser(user).active).toBe(false);
  });

  test('add a single-value attribute this service does not keep (nickName): accepted, nothing changes', () => {
    const body = {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [
        {
          op: 'Add',
          path: 'nickName',
          value: 'Babs',
        },
      ],
    };
    expect(applyUserPatch(current(), body)).toEqual(current());
  });

  test('replace multiple attributes, without the flag: one Replace per path, employeeNumber dropped', () => {
    const body = {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [
        { op: 'Replace', path: 'displayName', value: 'Pvlo' },
        { op: 'Replace', path: 'emails[type eq "work"].value', value: 'TestBcwqnm@test.microsoft.com' },
        { op: 'Replace', path: 'name.givenName', value: 'Gtfd' },
        { op: 'Replace', path: 'name.familyName', value: 'Pkqf' },
        { op: 'Replace', path: 'externalId', value: 'Eqpj' },
        { op: 'Replace', path: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber', value: 'Eqpj' },
      ],
    };
    const user = applyUserPatch(current(), body);
    expect(user).toMatchObject({
      displayName: 'Pvlo',
      externalId: 'Eqpj',
      name: { givenName: 'Gtfd', familyName: 'Pkqf' },
      emails: [{ value: 'TestBcwqnm@test.microsoft.com', type: 'work', primary: true }],
    });
    expect(JSON.stringify(user)).not.toContain('employeeNumber');
  });

  test('replace multiple attributes, with the flag: a path-less replace whose keys are paths', () => {
    const body = {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [
        {
          op: 'replace',
          path: 'emails[type eq "work"].value',
          value: 'TestMhvaes@test.microsoft.com',
        },
        {
          op: 'replace',
          value: {
            displayName: 'Bjfe',
            'name.givenName': 'Kkom',
            'name.familyName': 'Unua',
            'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber': 'Aklq',
          },
        },
      ],
    };
    const user = applyUserPatch(current(), body);
    expect(user).toMatchObject({
      displayName: 'Bjfe',
      name: { givenName: 'Kkom', familyName: 'Unua' },
      emails: [{ value: 'TestMhvaes@test.microsoft.com', type: 'work', primary: true }],
    });
    // Without the split, scim-patch would store these keys as they are.
    expect(Object.keys(user).filter((key) => key.includes('.') || key.includes('['))).toEqual([]);
  });

  test('the department in the key form of a path-less replace, and as a path', () => {
    const keyForm = applyUserPatch(
      current(),
      patch({ op: 'Replace', value: { 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department': 'Sales' } }),
    );
    expect(keyForm[ENTERPRISE_USER_SCHEMA]).toEqual({ department: 'Sales' });
    expect(keyForm.schemas).toContain(ENTERPRISE_USER_SCHEMA);
    const pathForm = applyUserPatch(
      current(),
      patch({ op: 'Add', path: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department', value: 'Ops' }),
    );
    expect(fromScimUser(pathForm).department).toBe('Ops');
    const objectForm = applyUserPatch(
      current(),
      patch({ op: 'replace', value: { [ENTERPRISE_USER_SCHEMA]: { department: 'Legal', manager: 'x' } } }),
    );
    expect(objectForm[ENTERPRISE_USER_SCHEMA]).toEqual({ department: 'Legal' });
  });

  test('removing the department drops the extension and its schema', () => {
    const user = applyUserPatch(current({ department: 'Sales' }), patch({ op: 'Remove', path: `${ENTERPRISE_USER_SCHEMA}:department` }));
    expect(user[ENTERPRISE_USER_SCHEMA]).toBeUndefined();
    expect(user.schemas).toEqual(['urn:ietf:params:scim:schemas:core:2.0:User']);
  });

  test('Add emails[type eq "work"].value on a member without e-mail creates the work address', () => {
    const body = { schemas: [PATCH_OP], Operations: [{ op: 'Add', path: 'emails[type eq "work"].value', value: 'new@joe.com' }] };
    expect(applyUserPatch(current({ emails: [] }), body).emails).toEqual([{ type: 'work', value: 'new@joe.com' }]);
  });

  test('attribute names in any case are spelled canonically (Entra ID maps emails[type eq "other"].Value)', () => {
    const user = applyUserPatch(
      current(),
      patch(
        { op: 'Add', path: 'emails[type eq "other"].Value', value: 'other@example.com' },
        { op: 'replace', path: 'DISPLAYNAME', value: 'Ann' },
      ),
    );
    expect(user.emails).toContainEqual({ type: 'other', value: 'other@example.com' });
    expect(user.displayName).toBe('Ann');
    expect(Object.keys(user)).not.toContain('DISPLAYNAME');
  });
});

describe("applyUserPatch: Okta's documented requests", () => {
  test('deactivate: a path-less replace of {"active": false}', () => {
    const body = {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [
        {
          op: 'replace',
          value: {
            active: false,
          },
        },
      ],
    };
    const user = applyUserPatch(current(), body);
    expect(user.active).toBe(false);
    expect({ ...user, active: true }).toEqual(current());
  });

  test('a path-less replace repeating the resource id (as Okta sends for groups) changes nothing else', () => {
    expect(applyUserPatch(current(), patch({ op: 'replace', value: { id: 'member-7', displayName: 'Ann L.' } })).displayName).toBe(
      'Ann L.',
    );
  });

  test('a password sync is accepted and the password is not kept', () => {
    const user = applyUserPatch(current(), patch({ op: 'replace', value: { password: 'secret-1' } }));
    expect(JSON.stringify(user)).not.toContain('secret-1');
  });
});

describe('applyUserPatch: RFC 7644 operations', () => {
  test('a complex name value replaces only the parts it names', () => {
    const user = applyUserPatch(current(), patch({ op: 'replace', path: 'name', value: { givenName: 'Ann', middleName: 'X' } }));
    expect(user.name).toEqual({ formatted: 'Ann Lee', givenName: 'Ann' });
  });

  test('replace emails with an array, add one address, remove by filter', () => {
    const replaced = applyUserPatch(
      current(),
      patch({ op: 'replace', path: 'emails', value: [{ value: 'a@x.io', type: 'work', primary: 'True', display: 'a' }] }),
    );
    expect(replaced.emails).toEqual([{ value: 'a@x.io', type: 'work', primary: true }]);
    const added = applyUserPatch(replaced, patch({ op: 'add', path: 'emails', value: { value: 'b@x.io', type: 'home' } }));
    expect(added.emails).toHaveLength(2);
    const removed = applyUserPatch(added, patch({ op: 'remove', path: 'emails[type eq "home"]' }));
    expect(removed.emails).toEqual([{ value: 'a@x.io', type: 'work', primary: true }]);
  });

  test('a filter value with dots (an address) selects the right entry', () => {
    const user = current({
      emails: [
        { value: 'a.b@x.io', type: 'work', primary: true },
        { value: 'c.d@x.io', type: 'home', primary: false },
      ],
    });
    const patched = applyUserPatch(user, patch({ op: 'replace', path: 'emails[value eq "c.d@x.io"].type', value: 'other' }));
    expect(patched.emails).toEqual([
      { value: 'a.b@x.io', type: 'work', primary: true },
      { value: 'c.d@x.io', type: 'other', primary: false },
    ]);
  });

  test('replace with null is a remove; remove of an attribute never set changes nothing', () => {
    expect(applyUserPatch(current(), patch({ op: 'replace', path: 'externalId', value: null })).externalId).toBeUndefined();
    expect(applyUserPatch(current(), patch({ op: 'remove', path: 'preferredLanguage' }))).toEqual(current());
  });

  test('the core schema URN before a path is accepted', () => {
    const user = applyUserPatch(
      current(),
      patch({ op: 'replace', path: 'urn:ietf:params:scim:schemas:core:2.0:User:displayName', value: 'Z' }),
    );
    expect(user.displayName).toBe('Z');
  });

  test('id, meta and schemas of the current user are kept; current is not changed', () => {
    const before = current();
    const snapshot = structuredClone(before);
    const user = applyUserPatch(before, patch({ op: 'replace', path: 'displayName', value: 'Q' }));
    expect(user.id).toBe('member-7');
    expect(user.meta).toEqual(snapshot.meta);
    expect(before).toEqual(snapshot);
  });

  test('the result reads with fromScimUser (round trip through a patch)', () => {
    const user = applyUserPatch(current(), patch({ op: 'replace', value: { displayName: 'New Name', active: 'false' } }));
    expect(fromScimUser(user)).toMatchObject({ displayName: 'New Name', active: false, userName: 'ann.lee@example.com' });
  });
});

describe('applyUserPatch: refusals', () => {
  test.each([
    ['not an object', 'replace', 'invalidSyntax'],
    ['no PatchOp schema', { schemas: ['urn:x'], Operations: [{ op: 'replace', path: 'displayName', value: 'a' }] }, 'invalidSyntax'],
    ['no schemas', { Operations: [{ op: 'replace', path: 'displayName', value: 'a' }] }, 'invalidSyntax'],
    ['no operations', patch(), 'invalidSyntax'],
    ['Operations not an array', { schemas: [PATCH_OP], Operations: { op: 'replace' } }, 'invalidSyntax'],
    [
      'too many operations',
      patch(...Array.from({ length: 101 }, () => ({ op: 'replace', path: 'displayName', value: 'a' }))),
      'invalidSyntax',
    ],
    ['an unknown op', patch({ op: 'move', path: 'displayName', value: 'a' }), 'invalidSyntax'],
    ['a JSON Patch op', patch({ op: 'test', path: '/displayName', value: 'a' }), 'invalidSyntax'],
    ['an op that is not a string', patch({ op: ['replace'], path: 'displayName', value: 'a' }), 'invalidSyntax'],
    ['an operation that is not an object', patch('replace displayName'), 'invalidSyntax'],
    ['replace without value', patch({ op: 'replace', path: 'displayName' }), 'invalidSyntax'],
    ['remove without path', patch({ op: 'remove' }), 'noTarget'],
    ['a path-less replace of a string', patch({ op: 'replace', value: 'everything' }), 'invalidValue'],
    ['a path-less replace of null', patch({ op: 'replace', value: null }), 'invalidValue'],
    ['a path-less add of an array', patch({ op: 'add', value: [{ displayName: 'a' }] }), 'invalidValue'],
    ['a numeric path', patch({ op: 'replace', path: 7, value: 'a' }), 'invalidPath'],
    ['a JSON Pointer path', patch({ op: 'replace', path: '/displayName', value: 'a' }), 'invalidPath'],
    ['a huge path', patch({ op: 'replace', path: `a${'b'.repeat(10_000)}`, value: 'a' }), 'invalidPath'],
    ['a line break in a path', patch({ op: 'replace', path: 'emails[type eq "\n\n\n"].value', value: 'a' }), 'invalidPath'],
    ['a broken filter', patch({ op: 'replace', path: 'emails[type eq ].value', value: 'a@b.c' }), 'invalidPath'],
    ['a filter on a single-valued attribute', patch({ op: 'replace', path: 'name[givenName eq "a"]', value: 'a' }), 'invalidPath'],
    ['a sub-attribute of a simple one', patch({ op: 'replace', path: 'displayName.first', value: 'a' }), 'invalidPath'],
    [
      'replace on a missing work address filter with ne',
      patch({ op: 'replace', path: 'emails[type ne "work"].value', value: 'a@b.c' }),
      'noTarget',
    ],
    ['changing id', patch({ op: 'replace', path: 'id', value: 'other' }), 'mutability'],
    ['changing meta', patch({ op: 'replace', value: { meta: { version: 'W/"0"' } } }), 'mutability'],
    ['another id in a path-less replace', patch({ op: 'replace', value: { id: 'someone-else' } }), 'mutability'],
    ['removing active', patch({ op: 'remove', path: 'active' }), 'invalidValue'],
    ['active as "yes"', patch({ op: 'replace', path: 'active', value: 'yes' }), 'invalidValue'],
    ['active as a number', patch({ op: 'replace', value: { active: 0 } }), 'invalidValue'],
    ['removing userName', patch({ op: 'remove', path: 'userName' }), 'invalidValue'],
    ['a numeric displayName', patch({ op: 'replace', path: 'displayName', value: 12 }), 'invalidValue'],
    ['an object displayName', patch({ op: 'replace', path: 'displayName', value: { first: 'a' } }), 'invalidValue'],
    ['a huge displayName', patch({ op: 'replace', path: 'displayName', value: 'x'.repeat(5_000_000) }), 'invalidValue'],
    ['emails as a string', patch({ op: 'replace', path: 'emails', value: 'a@b.c' }), 'invalidValue'],
    ['an e-mail that is not one', patch({ op: 'add', path: 'emails', value: [{ value: 'nope' }] }), 'invalidValue'],
    ['a second primary e-mail', patch({ op: 'add', path: 'emails', value: [{ value: 'b@c.d', primary: true }] }), 'invalidValue'],
    ['deep nesting', patch({ op: 'replace', path: 'emails', value: [[[[[[{ value: 'a@b.c' }]]]]]] }), 'invalidValue'],
  ])('refuses %s with 400 %s', (_, body, scimType) => {
    expect(refusal(current(), body)).toMatchObject({ status: 400, scimType });
  });

  test.each([
    ['a __proto__ path', patch({ op: 'add', path: '__proto__.polluted', value: true })],
    ['a constructor.prototype path', patch({ op: 'add', path: 'constructor.prototype', value: { polluted: true } })],
    ['a __proto__ sub-attribute', patch({ op: 'add', path: 'name.__proto__', value: { polluted: true } })],
    [
      'a __proto__ key in a path-less value',
      JSON.parse(`{"schemas":["${PATCH_OP}"],"Operations":[{"op":"add","value":{"__proto__":{"polluted":true}}}]}`),
    ],
    ['a __proto__.x key in a path-less value', patch({ op: 'add', value: { '__proto__.polluted': true } })],
    [
      'a __proto__ key inside name',
      JSON.parse(`{"schemas":["${PATCH_OP}"],"Operations":[{"op":"replace","path":"name","value":{"__proto__":{"polluted":true}}}]}`),
    ],
    [
      'a __proto__ key inside an e-mail',
      JSON.parse(
        `{"schemas":["${PATCH_OP}"],"Operations":[{"op":"add","path":"emails","value":[{"value":"a@b.c","__proto__":{"polluted":true}}]}]}`,
      ),
    ],
    [
      'a __proto__ operation key',
      JSON.parse(`{"schemas":["${PATCH_OP}"],"Operations":[{"op":"add","path":"displayName","value":"a","__proto__":{"polluted":true}}]}`),
    ],
  ])('refuses %s and pollutes nothing', (_, body) => {
    const error = refusal(current(), body);
    expect(error.status).toBe(400);
    expect(['invalidPath', 'invalidValue', 'invalidSyntax']).toContain(error.scimType);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
  });

  test('a filter with a colon is refused rather than misread by scim-patch', () => {
    expect(refusal(current(), patch({ op: 'replace', path: 'emails[value eq "a:b@c.d"].type', value: 'home' }))).toMatchObject({
      scimType: 'invalidPath',
    });
  });
});
