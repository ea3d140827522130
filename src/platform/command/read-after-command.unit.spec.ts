import { DomainError } from '../shared/domain-error.ts';
import { readAfterCommand } from './read-after-command.ts';

describe('readAfterCommand', () => {
  test('answers what the read model found', async () => {
    const group = { groupId: 'g-1', name: 'Moderators' };
    await expect(readAfterCommand(async () => group, 'group g-1')).resolves.toBe(group);
  });

  test.each([null, undefined])('finding nothing (%p) is an internal error naming what is missing, not a NOT_FOUND', async (nothing) => {
    const answer = readAfterCommand(async () => nothing, 'group g-1');
    await expect(answer).rejects.toThrow(new Error('group g-1 is missing from the read model after its command'));
    await expect(answer).rejects.not.toBeInstanceOf(DomainError);
  });
});
