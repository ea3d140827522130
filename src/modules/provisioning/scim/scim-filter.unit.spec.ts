import { ScimError } from './scim-error.ts';
import { parseUserFilter } from './scim-filter.ts';

const refusal = (text: unknown) => {
  try {
    parseUserFilter(text);
  } catch (error) {
    if (error instanceof ScimError) return { status: error.status, scimType: error.scimType, detail: error.message };
    throw error;
  }
  throw new Error('expected a ScimError');
};

describe('parseUserFilter', () => {
  test('reads Entra ID\'s documented query (GET /Users?filter=userName eq "...")', () => {
    expect(parseUserFilter('userName eq "Test_User_00aa00aa-bb11-cc22-dd33-44ee44ee44ee"')).toEqual({
      userName: 'Test_User_00aa00aa-bb11-cc22-dd33-44ee44ee44ee',
    });
    expect(parseUserFilter('userName eq "non-existent user"')).toEqual({ userName: 'non-existent user' });
  });

  test("reads Okta's documented query, once the query string is decoded", () => {
    const filter = new URLSearchParams('filter=userName%20eq%20%22test.user%40okta.local%22&startIndex=1&count=100').get('filter');
    expect(parseUserFilter(filter)).toEqual({ userName: 'test.user@okta.local' });
  });

  test('reads externalId and "and" of both, attribute names and operators in any case, with the core URN', () => {
    expect(parseUserFilter('externalId eq "0a21f0f2"')).toEqual({ externalId: '0a21f0f2' });
    expect(parseUserFilter('USERNAME Eq "a@b.c" AND externalid EQ "x"')).toEqual({ userName: 'a@b.c', externalId: 'x' });
    expect(parseUserFilter('(userName eq "a") and (externalId eq "b")')).toEqual({ userName: 'a', externalId: 'b' });
    expect(parseUserFilter('urn:ietf:params:scim:schemas:core:2.0:User:userName eq "a"')).toEqual({ userName: 'a' });
  });

  test('keeps the value as sent, escaped quotes and case included', () => {
    expect(parseUserFilter('userName eq "Ann \\"Nan\\" Lee"')).toEqual({ userName: 'Ann "Nan" Lee' });
    expect(parseUserFilter('userName eq "MiXeD@Example.COM"')).toEqual({ userName: 'MiXeD@Example.COM' });
  });

  test('the same attribute twice with the same value is one condition; with different values it is refused', () => {
    expect(parseUserFilter('userName eq "a" and userName eq "a"')).toEqual({ userName: 'a' });
    expect(refusal('userName eq "a" and userName eq "b"')).toMatchObject({ scimType: 'invalidFilter' });
  });

  test.each([
    ['or', 'userName eq "a" or userName eq "b"', /operator "or"/],
    ['not', 'not (userName eq "a")', /operator "not"/],
    ['co', 'userName co "a"', /operator "co"/],
    ['sw', 'userName sw "a"', /operator "sw"/],
    ['pr', 'userName pr', /operator "pr"/],
    ['ne', 'userName ne "a"', /operator "ne"/],
    ['another attribute', 'displayName eq "a"', /"displayName" is not supported/],
    ["Entra ID's e-mail match", 'emails[type eq "work"].value eq "a@b.c"', /not supported/],
    ['a number', 'userName eq 42', /quoted string/],
    ['true', 'externalId eq true', /quoted string/],
    ['null', 'userName eq null', /quoted string/],
    ['an unclosed quote', 'userName eq "a', /not valid SCIM filter syntax/],
    ['a missing value', 'userName eq', /not valid SCIM filter syntax/],
    ['trailing text', 'userName eq "a" extra', /not valid SCIM filter syntax/],
    ['a dangling and', 'userName eq "a" and', /not valid SCIM filter syntax/],
    ['nothing', '', /empty/],
    ['blanks', '   ', /empty/],
  ])('refuses %s with invalidFilter and says why', (_, text, detail) => {
    const error = refusal(text);
    expect(error).toMatchObject({ status: 400, scimType: 'invalidFilter' });
    expect(error.detail).toMatch(detail);
  });

  test('refuses a filter that is not one string (absent, repeated in the query, an object)', () => {
    for (const text of [undefined, null, ['userName eq "a"', 'userName eq "b"'], { userName: 'a' }, 42]) {
      expect(refusal(text)).toMatchObject({ status: 400, scimType: 'invalidFilter' });
    }
  });

  test('refuses a huge filter before parsing it', () => {
    expect(refusal(`userName eq "${'a'.repeat(2_000_000)}"`)).toMatchObject({
      scimType: 'invalidFilter',
      detail: expect.stringMatching(/longer than 1024/),
    });
  });

  test('refuses line breaks at once: they make the library tokenizer backtrack exponentially', () => {
    const started = Date.now();
    expect(refusal(`userName eq "${'\n'.repeat(60)}`)).toMatchObject({
      scimType: 'invalidFilter',
      detail: expect.stringMatching(/control/),
    });
    expect(Date.now() - started).toBeLessThan(100);
  });

  test('deep nesting within the length limit parses without exhausting the stack; beyond it, and long chains, are refused', () => {
    expect(parseUserFilter(`${'('.repeat(500)}userName eq "a"${')'.repeat(500)}`)).toEqual({ userName: 'a' });
    expect(refusal(`${'('.repeat(100_000)}userName eq "a"${')'.repeat(100_000)}`)).toMatchObject({ scimType: 'invalidFilter' });
    expect(refusal(Array.from({ length: 60 }, () => 'userName eq "a"').join(' and '))).toMatchObject({ scimType: 'invalidFilter' });
  });

  test('prototype names are attributes like any other unknown one, and nothing is polluted', () => {
    expect(refusal('__proto__ eq "a"')).toMatchObject({ scimType: 'invalidFilter' });
    expect(refusal('constructor eq "a"')).toMatchObject({ scimType: 'invalidFilter' });
    expect(({} as Record<string, unknown>).a).toBeUndefined();
  });
});
