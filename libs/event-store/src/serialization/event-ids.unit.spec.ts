import { deterministicEventId, uuidV5 } from './event-ids.ts';

const V5 = /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('event ids', () => {
  test('uuidV5 matches the RFC test vector (DNS namespace, www.example.com)', () => {
    expect(uuidV5('www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe('2ed6657d-e927-568b-95e1-2665a8aea6a2');
  });

  test('a command yields the same ids every time, formatted as version 5 UUIDs', () => {
    const first = [0, 1, 2].map((i) => deterministicEventId('cmd-42', 'member-7', i));
    const again = [0, 1, 2].map((i) => deterministicEventId('cmd-42', 'member-7', i));
    expect(again).toEqual(first);
    for (const id of first) expect(id).toMatch(V5);
    expect(new Set(first).size).toBe(3);
  });

  test('the id depends on command, stream and index', () => {
    const base = deterministicEventId('cmd-1', 'group-1', 0);
    expect(deterministicEventId('cmd-2', 'group-1', 0)).not.toBe(base);
    expect(deterministicEventId('cmd-1', 'group-2', 0)).not.toBe(base);
    expect(deterministicEventId('cmd-1', 'group-1', 1)).not.toBe(base);
  });

  test('a malformed namespace is refused', () => {
    expect(() => uuidV5('x', 'not-a-uuid')).toThrow(TypeError);
  });
});
