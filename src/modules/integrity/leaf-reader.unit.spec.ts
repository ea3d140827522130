import fc from 'fast-check';
import { MillisecondTimes, positionFollows } from './leaf-reader.ts';

/** The leaf reader formats recorded times a minute at a time; every leaf must still say what toISOString says. */
const MAX_TIME = 8.64e15;

test('times in log order, a minute apart or a millisecond, come out as toISOString writes them', () => {
  const times = new MillisecondTimes();
  const start = Date.UTC(2026, 11, 31, 23, 58, 59, 998);
  for (let millis = start; millis < start + 3 * 60_000; millis += 997) {
    expect(times.iso(millis)).toBe(new Date(millis).toISOString());
  }
  for (const millis of [start, start + 1, start + 2, start + 60_000, start - 1, start + 59_999]) {
    expect(times.iso(millis)).toBe(new Date(millis).toISOString());
  }
});

test('before 1970, past 9999 and at the ends of what a Date holds, the same as toISOString', () => {
  const times = new MillisecondTimes();
  for (const millis of [
    -1,
    0,
    -60_000,
    -60_001,
    -59_999,
    -62_198_755_200_001,
    253_402_300_799_999,
    253_402_300_800_000,
    MAX_TIME,
    -MAX_TIME,
  ]) {
    expect(times.iso(millis)).toBe(new Date(millis).toISOString());
  }
  // Outside what a Date holds, as Date says it: a RangeError.
  expect(() => times.iso(MAX_TIME + 1)).toThrow(RangeError);
  expect(() => times.iso(Number.NaN)).toThrow(RangeError);
});

test('property: any run of times, in any order, formats as toISOString', () => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: -MAX_TIME, max: MAX_TIME }), { maxLength: 50 }),
      fc.integer({ min: -MAX_TIME, max: MAX_TIME }),
      (jumps, base) => {
        const times = new MillisecondTimes();
        for (const jump of jumps) {
          // Mostly close to the time before (the common case), sometimes anywhere.
          const millis = Math.abs(jump) % 7 === 0 ? jump : Math.max(-MAX_TIME, Math.min(MAX_TIME, base + (jump % 200_000)));
          expect(times.iso(millis)).toBe(new Date(millis).toISOString());
        }
      },
    ),
  );
});

test('a position follows another as the pair of numbers it writes, whatever the lengths of their digits', () => {
  const cases: [string, string, boolean][] = [
    ['10:1', '9:5', true],
    ['9:5', '10:1', false],
    ['9:10', '9:9', true],
    ['9:9', '9:10', false],
    ['9:9', '9:9', false],
    ['123:45', '122:99', true],
    ['122:99', '123:45', false],
    ['18446744073709551615:9223372036854775807', '18446744073709551615:9223372036854775806', true],
  ];
  for (const [text, before, follows] of cases) expect([text, before, positionFollows(text, before)]).toEqual([text, before, follows]);
});

test('property: a position follows another exactly when its pair of numbers is larger', () => {
  const position = fc.tuple(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), fc.bigInt({ min: 0n, max: 2n ** 63n - 1n }));
  fc.assert(
    fc.property(position, position, ([commit, prepare], [commitBefore, prepareBefore]) => {
      const larger = commit !== commitBefore ? commit > commitBefore : prepare > prepareBefore;
      expect(positionFollows(`${commit}:${prepare}`, `${commitBefore}:${prepareBefore}`)).toBe(larger);
    }),
  );
});
