import { ScimError } from './scim-error.ts';
import { listResponse, pagingOf } from './scim-list.ts';

const refusal = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    return error instanceof ScimError ? { status: error.status, scimType: error.scimType } : error;
  }
  throw new Error('expected a ScimError');
};

describe('listResponse', () => {
  test('renders a ListResponse with numeric totals (Okta refuses strings)', () => {
    expect(listResponse([{ id: 'a' }], 7, 3, 1)).toEqual({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'],
      totalResults: 7,
      startIndex: 3,
      itemsPerPage: 1,
      Resources: [{ id: 'a' }],
    });
  });

  test('an empty page still has Resources: [] (as Entra ID and Okta expect for "not found")', () => {
    expect(listResponse([], 0, 1, 0)).toMatchObject({ totalResults: 0, Resources: [] });
  });
});

describe('pagingOf', () => {
  test('defaults to startIndex 1 and count 100', () => {
    expect(pagingOf({})).toEqual({ startIndex: 1, count: 100 });
  });

  test("reads Okta's startIndex=1&count=100 and the bounds 0 and 200", () => {
    expect(pagingOf({ startIndex: '1', count: '100' })).toEqual({ startIndex: 1, count: 100 });
    expect(pagingOf({ startIndex: '101', count: '0' })).toEqual({ startIndex: 101, count: 0 });
    expect(pagingOf({ count: '200' })).toEqual({ startIndex: 1, count: 200 });
    expect(pagingOf({ startIndex: 5, count: 10 })).toEqual({ startIndex: 5, count: 10 });
  });

  test.each([
    ['startIndex 0', { startIndex: '0' }],
    ['negative startIndex', { startIndex: '-1' }],
    ['count above 200', { count: '201' }],
    ['negative count', { count: '-5' }],
    ['a fraction', { count: '1.5' }],
    ['an exponent', { count: '1e2' }],
    ['hexadecimal', { startIndex: '0x10' }],
    ['blank', { count: '' }],
    ['spaces', { count: ' 10' }],
    ['a repeated parameter', { count: ['10', '20'] }],
    ['an object', { count: { $gt: 1 } }],
    ['an unsafe integer', { startIndex: '99999999999999999' }],
    ['a huge string', { startIndex: '9'.repeat(100_000) }],
  ])('refuses %s with invalidValue', (_, query) => {
    expect(refusal(() => pagingOf(query))).toEqual({ status: 400, scimType: 'invalidValue' });
  });
});
