import { generateKeyPairSync } from 'node:crypto';
import { headToTuple, type StreamHead } from './log-fold.ts';
import { sealFromJson, sealSignatureValid, sealToJson, signSeal, type LogSeal } from './log-seal.ts';
import { headCount, headsFromJson, headsToJson } from './seal-heads.ts';

const { privateKey, publicKey } = generateKeyPairSync('ed25519');

const heads: StreamHead[] = [
  { streamId: 'group-g1', revision: 2, hash: 'b'.repeat(64), order: '0'.repeat(32), time: 'f'.repeat(32) },
  // An event written around the serialisation layer has no chain hash: its head's hash is empty.
  { streamId: 'member-m1', revision: 0, hash: '', order: '1'.repeat(32), time: 'e'.repeat(32) },
];

function sealOf(list: readonly StreamHead[]): LogSeal {
  return signSeal(
    {
      position: '112:12',
      eventCount: 12,
      rootHash: 'a'.repeat(64),
      sealedAt: '2026-03-01T10:00:12.000Z',
      keyId: 'k1',
      algorithm: 'Ed25519',
      heads: list,
    },
    privateKey,
  );
}

describe('stored stream heads', () => {
  test('a seal is stored with its heads as one string, a line per head, and reads back to the seal that was signed', () => {
    const seal = sealOf(heads);
    const stored = sealToJson(seal);
    expect(stored['heads']).toBe(
      `group-g1 2 ${'b'.repeat(64)} ${'0'.repeat(32)} ${'f'.repeat(32)}\nmember-m1 0  ${'1'.repeat(32)} ${'e'.repeat(32)}`,
    );
    const read = sealFromJson(JSON.parse(JSON.stringify(stored)));
    expect(read).toEqual(seal);
    expect(sealSignatureValid(read!, publicKey)).toBe(true);
    expect(headCount(stored['heads'])).toBe(2);
  });

  test('no heads is the empty string, and reads back as none', () => {
    expect(headsToJson([])).toBe('');
    expect(headsFromJson('')).toEqual([]);
    expect(headCount('')).toBe(0);
    const seal = sealOf([]);
    expect(sealSignatureValid(sealFromJson(sealToJson(seal))!, publicKey)).toBe(true);
  });

  test('a seal stored before, heads as an array of tuples, still reads and its signature still verifies', () => {
    const seal = sealOf(heads);
    const oldForm = { ...sealToJson(seal), heads: heads.map(headToTuple) };
    expect(oldForm.heads).toEqual([
      ['group-g1', 2, 'b'.repeat(64), '0'.repeat(32), 'f'.repeat(32)],
      ['member-m1', 0, '', '1'.repeat(32), 'e'.repeat(32)],
    ]);
    const read = sealFromJson(JSON.parse(JSON.stringify(oldForm)));
    expect(read).toEqual(seal);
    expect(sealSignatureValid(read!, publicKey)).toBe(true);
    expect(headCount(oldForm.heads)).toBe(2);
  });

  test('a head the string form cannot delimit (a space or a line break in a field) keeps the whole list as tuples', () => {
    const odd: StreamHead[] = [heads[0]!, { ...heads[1]!, streamId: 'member-with space' }];
    expect(headsToJson(odd)).toEqual(odd.map(headToTuple));
    expect(headsToJson([{ ...heads[0]!, hash: 'a\nb' }])).toEqual([headToTuple({ ...heads[0]!, hash: 'a\nb' })]);
    const seal = sealOf(odd);
    const read = sealFromJson(JSON.parse(JSON.stringify(sealToJson(seal))));
    expect(read).toEqual(seal);
    expect(sealSignatureValid(read!, publicKey)).toBe(true);
  });

  test.each([
    ['four fields', 'group-g1 2 bb 00'],
    ['six fields', 'group-g1 2 bb 00 ff x'],
    ['a revision with a leading zero', 'group-g1 02 bb 00 ff'],
    ['a revision in exponent form', 'group-g1 2e0 bb 00 ff'],
    ['minus zero', 'group-g1 -0 bb 00 ff'],
    ['a revision past the safe integers', 'group-g1 9007199254740993 bb 00 ff'],
    ['an empty line', 'group-g1 2 bb 00 ff\n'],
  ])('a heads string with %s is not a seal (a verifier reports BAD_SEAL)', (_, text) => {
    expect(headsFromJson(text)).toBeUndefined();
    expect(headCount(text)).toBeNull();
    expect(sealFromJson({ ...sealToJson(sealOf(heads)), heads: text })).toBeUndefined();
  });

  test('heads that are neither a string nor a list are not a seal', () => {
    expect(headsFromJson(undefined)).toBeUndefined();
    expect(headsFromJson({ 0: 'group-g1 2 bb 00 ff' })).toBeUndefined();
    expect(headsFromJson([['group-g1', '2', 'bb', '00', 'ff']])).toBeUndefined();
    expect(headCount(7)).toBeNull();
  });

  test('a stored heads string changed by one character no longer carries the signature', () => {
    const stored = sealToJson(sealOf(heads));
    const text = stored['heads'] as string;
    for (const tampered of [text.replace('group-g1 2', 'group-g1 3'), text.replace('group-g1', 'group-g2'), text.replace('f', 'e')]) {
      expect(tampered).not.toBe(text);
      const read = sealFromJson({ ...stored, heads: tampered });
      expect(read).toBeDefined();
      expect(sealSignatureValid(read!, publicKey)).toBe(false);
    }
    // Heads dropped or reordered change what was signed too.
    const lines = text.split('\n');
    for (const tampered of [lines[0]!, [...lines].reverse().join('\n')]) {
      expect(sealSignatureValid(sealFromJson({ ...stored, heads: tampered })!, publicKey)).toBe(false);
    }
  });
});
