import { randomBytes } from 'node:crypto';
import { EventSchemaRegistry, GovernanceEventStore, type Decider, type KeyStore, type LogPosition } from '#event-store';
import type { ProjectionRunner } from '#projections';
import { InMemoryEventStore } from '../../../test/support/in-memory-event-store.ts';
import type { Role } from '../auth/role.ts';
import { CommandPipeline, namespacedCommandId } from './command-pipeline.ts';

/**
 * commandId never appends twice, whatever the store does with repeated event ids. The store here recognises none
 * (InMemoryEventStore): EventStoreDB's id check is an in-memory cache, empty after a restart, and skipped when the
 * expected revision is the current one, so the pipeline's own check must be enough.
 */
describe('CommandPipeline: commandId without the store’s idempotency', () => {
  type Event = { type: 'NoteAdded'; data: { text: string } };
  // Every command adds a note, whatever the state: a second append would show as a second note.
  const notes: Decider<{ text: string }, number, Event> = {
    initialState: 0,
    evolve: (count) => count + 1,
    decide: (command) => [{ type: 'NoteAdded', data: { text: command.text } }],
  };
  const manager = { id: 'cm-1', roles: ['COMMUNITY_MANAGER' as Role] };

  function setUp() {
    const store = new InMemoryEventStore();
    const events = new GovernanceEventStore({
      store,
      schemas: new EventSchemaRegistry().register({ type: 'NoteAdded' }),
      keys: new Keys(),
    });
    const waits: LogPosition[] = [];
    const runner = { waitForPosition: async (at: LogPosition) => void waits.push(at) } as unknown as ProjectionRunner<unknown>;
    const pipeline = new CommandPipeline(events, runner, 1_000);
    const run = (commandId: string, options: { text?: string; expectedRevision?: number } = {}) =>
      pipeline.execute({
        streamId: 'thing-1',
        decider: notes,
        command: { text: options.text ?? 'hello' },
        context: { actor: manager, correlationId: `c-${commandId}` },
        actor: manager,
        authority: 'role:COMMUNITY_MANAGER',
        commandId,
        expectedRevision: options.expectedRevision ?? null,
        readModels: ['things'],
      });
    return { store, run, waits };
  }

  /** The next `count` stream reads wait for each other: that many commands decide on the same revision. */
  function lineUpReads(store: InMemoryEventStore, count: number): void {
    let arrived = 0;
    let release!: () => void;
    const together = new Promise<void>((resolve) => (release = resolve));
    store.beforeRead = async () => {
      if (arrived >= count) return;
      if (++arrived === count) release();
      await together;
    };
  }

  test('a retried command answers the original result and appends nothing', async () => {
    const { store, run, waits } = setUp();
    const first = await run('add-1');
    const retry = await run('add-1', { text: 'a retry decided differently would show' });

    expect(store.appends).toBe(1);
    expect(store.log.map((e) => e.type)).toEqual(['NoteAdded']);
    expect(retry).toMatchObject({ idempotentReplay: true, nextExpectedRevision: 0, position: first.position, state: 1 });
    expect(retry.events.map((e) => [e.id, e.data])).toEqual(first.events.map((e) => [e.id, e.data]));
    // The retry waits for the read models like the original did: its answer is read from them.
    expect(waits).toEqual([first.position, first.position]);
  });

  test('a retry after other commands moved the stream still finds its original, with or without expectedRevision', async () => {
    const { store, run } = setUp();
    const first = await run('add-1', { expectedRevision: -1 });
    await run('add-2');
    // The user's expectedRevision was right for the original; the retry is answered, not refused as a conflict.
    expect(await run('add-1', { expectedRevision: -1 })).toMatchObject({ idempotentReplay: true, position: first.position });
    expect(await run('add-1')).toMatchObject({ idempotentReplay: true, position: first.position });
    expect(store.log).toHaveLength(2);
  });

  test.each([
    ['without expectedRevision', undefined],
    ['with the expectedRevision both read', 0],
  ])('two identical commands racing append once and both answer the original (%s)', async (_label, expectedRevision) => {
    const { store, run } = setUp();
    await run('seed');
    lineUpReads(store, 2);
    const [a, b] = await Promise.all([run('add-1', { expectedRevision }), run('add-1', { expectedRevision })]);

    expect(store.appends).toBe(2); // the seed and one of the twins
    expect(store.log.filter((e) => JSON.parse(e.metadata).commandId === namespacedCommandId('cm-1', 'add-1'))).toHaveLength(1);
    expect([a.idempotentReplay, b.idempotentReplay].sort()).toEqual([false, true]);
    expect(a.position).toEqual(b.position);
    expect(a.nextExpectedRevision).toBe(1);
    expect(b.nextExpectedRevision).toBe(1);
  });

  test('a different command that won the race is still a conflict for one that gave an expectedRevision', async () => {
    const { store, run } = setUp();
    await run('seed');
    lineUpReads(store, 2);
    const [a, b] = await Promise.allSettled([run('add-1', { expectedRevision: 0 }), run('add-2', { expectedRevision: 0 })]);

    expect([a.status, b.status].sort()).toEqual(['fulfilled', 'rejected']);
    expect(((a.status === 'rejected' ? a : b) as PromiseRejectedResult).reason).toMatchObject({ name: 'WrongExpectedRevisionError' });
    expect(store.log).toHaveLength(2);
  });
});

class Keys implements KeyStore {
  private readonly keys = new Map<string, Buffer>();
  async getOrCreateKey(subject: string) {
    if (!this.keys.has(subject)) this.keys.set(subject, randomBytes(32));
    return this.keys.get(subject);
  }
  async getKey(subject: string) {
    return this.keys.get(subject);
  }
  async forget() {}
  async isForgotten() {
    return false;
  }
}
