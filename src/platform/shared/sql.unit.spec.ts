import { sqlIn } from './sql.ts';

describe('sqlIn', () => {
  test('writes the values as a parenthesised list of literals, in order, as the projections wrote them by hand', () => {
    expect(sqlIn(['OPEN', 'IN_REVIEW', 'CLOSED'])).toBe(`('OPEN', 'IN_REVIEW', 'CLOSED')`);
    expect(sqlIn(['active'])).toBe(`('active')`);
  });

  test('a quote in a value cannot end its literal', () => {
    expect(sqlIn(["O'Brien", "')); DROP TABLE x; --"])).toBe(`('O''Brien', ''')); DROP TABLE x; --')`);
  });

  test.each<[string, readonly string[]]>([
    ['no values', []],
    ['a NUL', ['A', 'B\0']],
    ['a backslash', ['A\\']],
  ])('refuses %s', (_, values) => {
    expect(() => sqlIn(values)).toThrow(/^sqlIn/);
  });
});
