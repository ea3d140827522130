import { parseDateTime } from './date-time.scalar.ts';

describe('parseDateTime', () => {
  test.each([
    ['2028-02-29T00:00:00Z', '2028-02-29T00:00:00.000Z'],
    ['2026-12-05T10:00:00.5+01:00', '2026-12-05T09:00:00.500Z'],
    ['2026-12-05t10:00:00.123456789z', '2026-12-05T10:00:00.123Z'],
    ['2026-12-31T23:59:59-02:30', '2027-01-01T02:29:59.000Z'],
  ])('%s is the instant %s', (text, instant) => {
    expect(parseDateTime(text).toISOString()).toBe(instant);
  });

  test.each([
    '2026-02-29T00:00:00Z',
    '2026-04-31T00:00:00Z',
    '2026-13-01T00:00:00Z',
    '2026-12-05T24:00:00Z',
    '2026-12-05T10:60:00Z',
    '2026-12-05T10:00:60Z',
    '2026-12-05T10:00Z',
    ' 2026-12-05T10:00:00Z',
    '',
  ])('%p is refused as bad input', (text) => {
    expect(() => parseDateTime(text)).toThrow(expect.objectContaining({ extensions: { code: 'BAD_USER_INPUT' } }));
  });

  test.each([[0], [null], [{}], [['2026-12-05T10:00:00Z']]])('%p, not text, is refused', (value) => {
    expect(() => parseDateTime(value)).toThrow(/DateTime must be a date and time/);
  });
});
