import { inputDigest } from './command-inputs.ts';

describe('inputDigest: what a commandId is bound to', () => {
  const digest = (input: unknown, field = 'registerMember') => inputDigest({ field, input });

  test('one input, however it is encoded, digests alike', () => {
    const base = digest({ memberId: 'm-1', displayName: 'Ada', department: 'Ops' });
    expect(digest({ department: 'Ops', memberId: 'm-1', displayName: 'Ada' })).toBe(base);
    // An absent optional field and an explicit null say the same.
    expect(digest({ memberId: 'm-1', displayName: 'Ada', department: 'Ops', reason: null })).toBe(base);
    // The idempotency key and the concurrency check are not the command.
    expect(digest({ memberId: 'm-1', displayName: 'Ada', department: 'Ops', commandId: 'k', expectedRevision: 3 })).toBe(base);
    expect(base).toMatch(/^[0-9a-f]{64}$/);
  });

  test('any difference in what is asked digests differently', () => {
    const base = digest({ memberId: 'm-1', displayName: 'Ada', department: 'Ops' });
    expect(digest({ memberId: 'm-1', displayName: 'Ada ', department: 'Ops' })).not.toBe(base);
    expect(digest({ memberId: 'm-1', displayName: 'Ada', department: 'Ops' }, 'updateMember')).not.toBe(base);
    expect(digest({ memberId: 'm-1', displayName: 'Ada', department: 'Ops', extra: 0 })).not.toBe(base);
    expect(digest({ ids: ['a', 'b'] })).not.toBe(digest({ ids: ['b', 'a'] }));
    expect(digest({ nested: { a: 1 } })).not.toBe(digest({ nested: { a: '1' } }));
    expect(digest({ a: 'x', b: 'y' })).not.toBe(digest({ a: 'x,"b":"y' }));
  });

  test('the input object is left as it was', () => {
    const input = { memberId: 'm-1', commandId: 'k' };
    digest(input);
    expect(input).toEqual({ memberId: 'm-1', commandId: 'k' });
  });
});
