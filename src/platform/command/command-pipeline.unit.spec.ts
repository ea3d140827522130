import type { Decider, GovernanceEventStore, LogPosition, StoredEvent } from '#event-store';
import type { ProjectionRunner } from '#projections';
import type { Role } from '../auth/role.ts';
import { CommandPipeline } from './command-pipeline.ts';

/** A command that finds its work done already appends nothing, and still answers from read models that show it done. */
describe('CommandPipeline: read-your-writes', () => {
  interface State {
    readonly done: boolean;
  }
  const decider: Decider<{ type: 'Do' }, State, { type: 'Done'; data: object }> = {
    initialState: { done: false },
    evolve: () => ({ done: true }),
    decide: (_command, state) => (state.done ? [] : [{ type: 'Done', data: {} }]),
  };
  const position: LogPosition = { commit: 41n, prepare: 7n };
  const done = { streamId: 'thing-1', revision: 0, position, type: 'Done', data: {}, metadata: { commandId: 'cm-1/first' }, hash: 'h' };

  function pipeline(history: readonly unknown[], rules = decider) {
    const waits: { position: LogPosition; readModels: readonly string[] | undefined; written: unknown }[] = [];
    const store = {
      readStream: async () => history as StoredEvent[],
      append: async () => {
        throw new Error('nothing is to be appended here');
      },
    } as unknown as GovernanceEventStore;
    const runner = {
      waitForPosition: async (at: LogPosition, readModels?: readonly string[], _timeoutMs?: number, written?: unknown) =>
        void waits.push({ position: at, readModels, written }),
    } as unknown as ProjectionRunner<unknown>;
    const run = (commandId: string) =>
      new CommandPipeline(store, runner, 1_000).execute({
        streamId: 'thing-1',
        decider: rules,
        command: { type: 'Do' },
        context: { actor: { id: 'cm-2', roles: ['COMMUNITY_MANAGER' as Role] }, correlationId: 'c-1' },
        actor: { id: 'cm-2', roles: ['COMMUNITY_MANAGER' as Role] },
        authority: 'role:COMMUNITY_MANAGER',
        commandId,
        readModels: ['things'],
      });
    return { run, waits };
  }

  test('a no-op waits for the read models to reach the event that made it one', async () => {
    const { run, waits } = pipeline([done]);
    const result = await run('second');
    expect(result.events).toEqual([]);
    // With the category it wrote, so that a listed read model that does not follow it is not waited for (EventStoreDB).
    expect(waits).toEqual([{ position, readModels: ['things'], written: { categories: ['thing'] } }]);
  });

  test('a no-op on a stream that does not exist waits for nothing', async () => {
    const { run, waits } = pipeline([], { ...decider, decide: () => [] });
    expect((await run('first')).events).toEqual([]);
    expect(waits).toEqual([]);
  });
});

/** The input's reason becomes event metadata (JSON in PostgreSQL, which takes no NUL): checked like any other text. */
describe('CommandPipeline: the reason', () => {
  const decider: Decider<{ type: 'Do' }, { done: boolean }, { type: 'Done'; data: object }> = {
    initialState: { done: false },
    evolve: () => ({ done: true }),
    decide: () => [{ type: 'Done', data: {} }],
  };
  const store = {
    readStream: async () => [],
    append: async () => {
      throw new Error('nothing is to be appended here');
    },
  } as unknown as GovernanceEventStore;
  const runner = { waitForPosition: async () => undefined } as unknown as ProjectionRunner<unknown>;
  const run = (reason: string) =>
    new CommandPipeline(store, runner, 1_000).execute({
      streamId: 'thing-1',
      decider,
      command: { type: 'Do' },
      context: { actor: { id: 'cm-2', roles: ['COMMUNITY_MANAGER' as Role] }, correlationId: 'c-1' },
      actor: { id: 'cm-2', roles: ['COMMUNITY_MANAGER' as Role] },
      authority: 'role:COMMUNITY_MANAGER',
      reason,
      readModels: ['things'],
    });

  test.each([
    ['a NUL character', 'a\u0000b', 'reason must not contain control characters'],
    ['another control character', 'a\u0007b', 'reason must not contain control characters'],
    ['over 2000 characters', 'x'.repeat(2001), 'reason must be at most 2000 characters'],
  ])('a reason with %s is refused as BAD_USER_INPUT before anything is appended', async (_, reason, message) => {
    await expect(run(reason)).rejects.toMatchObject({ code: 'BAD_USER_INPUT', message });
  });
});
