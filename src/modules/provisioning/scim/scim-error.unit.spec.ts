import { ScimError, scimBadRequest, scimErrorBody } from './scim-error.ts';

describe('ScimError and its body (RFC 7644 §3.12)', () => {
  test('a 400 with a scimType renders status as a string, the scimType and the detail', () => {
    expect(scimErrorBody(scimBadRequest('invalidFilter', 'the filter is empty'))).toEqual({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
      status: '400',
      scimType: 'invalidFilter',
      detail: 'the filter is empty',
    });
  });

  test('an error without scimType (401, 404) has no scimType key at all', () => {
    const body = scimErrorBody(new ScimError(404, 'no user m-1'));
    expect(body).toEqual({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '404', detail: 'no user m-1' });
    expect('scimType' in body).toBe(false);
  });

  test('is an Error with its status, scimType and name', () => {
    const error = new ScimError(409, 'userName is taken', 'uniqueness');
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ name: 'ScimError', status: 409, scimType: 'uniqueness', message: 'userName is taken' });
  });
});
