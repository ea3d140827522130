import { randomUUID } from 'node:crypto';
import { InMemoryEventStore } from '../test/support/in-memory-event-store.ts';
import { Checker } from './checker.ts';
import type { LedgerEntry, SoakClient } from './client.ts';

/**
 * The checker reads the log through the port (so it runs on EventStoreDB too): it still finds what it is there to
 * find. The store is our own port in memory; no database is involved (on EventStoreDB no es_streams check runs).
 */
describe('soak checker, reading the log through the port', () => {
  const metadata = (commandId: string | null) => JSON.stringify({ commandId, actorId: 'soak-cm-1' });
  const append = (store: InMemoryEventStore, streamId: string, commandId: string | null, ...types: string[]) =>
    store.appendToStream(
      streamId,
      types.map((type) => ({ id: randomUUID(), type, data: '{}', metadata: metadata(commandId) })),
      'any',
    );
  const entry = (storedCommandId: string, status: LedgerEntry['status']): LedgerEntry => ({
    kind: 'registerMember',
    actor: 'soak-cm-1',
    commandId: storedCommandId.split('/')[1]!,
    storedCommandId,
    expect: 'change',
    allowed: ['MemberRegistered'],
    streamPrefix: 'member-',
    status,
    code: status === 'refused' ? 'CONFLICT' : null,
    savedWithoutAnswer: false,
    attempts: 1,
    sentAt: new Date().toISOString(),
    answeredAt: new Date().toISOString(),
    answer: null,
  });
  const checker = (store: InMemoryEventStore) => new Checker('postgres://unused', {} as SoakClient, store, 'eventstoredb');

  test('a clean log passes', async () => {
    const store = new InMemoryEventStore();
    await append(store, 'member-a', 'soak-cm-1/c1', 'MemberRegistered');
    const check = checker(store);
    expect(await check.checkCommands([entry('soak-cm-1/c1', 'acknowledged')])).toMatchObject({ acknowledgedWithEvents: 1, events: 1 });
    expect(await check.checkStreams()).toEqual({ streams: 1, events: 1, gaps: 0, outOfOrder: 0, unregistered: null });
    expect(check.discrepancies).toEqual([]);
  });

  test('a command applied twice, a refused one with events, an unknown commandId and a revision gap are all reported', async () => {
    const store = new InMemoryEventStore();
    await append(store, 'member-a', 'soak-cm-1/c1', 'MemberRegistered');
    await append(store, 'member-a', 'soak-cm-1/c1', 'MemberRegistered');
    await append(store, 'member-b', 'soak-cm-1/refused', 'MemberRegistered');
    await append(store, 'member-c', 'soak-cm-1/never-sent', 'MemberRegistered');
    // Revision 0 of member-d is missing: written around the port, as only a defect could.
    const last = store.log.at(-1)!;
    store.log.push({ ...last, id: randomUUID(), streamId: 'member-d', revision: 1, position: { commit: 99n, prepare: 99n } });

    const check = checker(store);
    await check.checkCommands([entry('soak-cm-1/c1', 'acknowledged'), entry('soak-cm-1/refused', 'refused')]);
    await check.checkStreams();
    expect(check.discrepancies.map((d) => d.check).sort()).toEqual([
      'command-applied-twice',
      'events-of-an-unknown-command',
      'refused-command-has-events',
      'stream-out-of-log-order',
      'stream-revisions-have-gaps',
    ]);
  });
});
