import { ignoreUnknownEvent, unreachable } from './exhaustive.ts';

describe('the ends of exhaustive switches', () => {
  test('an unknown event leaves the state as it was', () => {
    const state = { status: 'active' };
    expect(ignoreUnknownEvent({ type: 'WrittenByANewerVersion' } as never, state)).toBe(state);
  });

  test('an unhandled value is thrown with what it is and the value', () => {
    expect(() => unreachable('member status', 'SUSPENDED' as never)).toThrow(new Error('unknown member status SUSPENDED'));
  });

  test('an unhandled object is shown by its discriminant', () => {
    expect(() => unreachable('group command', { type: 'ArchiveGroup', groupId: 'g-1' } as never, 'type')).toThrow(
      new Error('unknown group command ArchiveGroup'),
    );
    expect(() => unreachable('moderator authority', { kind: 'delegate' } as never, 'kind')).toThrow(
      new Error('unknown moderator authority delegate'),
    );
  });
});
