import { randomBytes } from 'node:crypto';
import { START, type EventStore, type SubscriptionMessage } from '#event-store';
import { createTestDatabase, type TestDatabase } from '#testing';
import { PostgresEventStore } from '../src/postgres/index.ts';
import { NamespacedEventStore } from '../src/stream-namespace.ts';
import { describeEventStoreContract, event } from './contract/event-store.contract.ts';

/**
 * NamespacedEventStore is what the e2e suite puts between its test services and one shared EventStoreDB server. No
 * such server runs here, so it is proven over PostgreSQL: the whole contract through it while another namespace
 * writes the same stream ids into the same log, and the isolation itself.
 */
let database: TestDatabase;
let inner: PostgresEventStore;
let neighbour: NamespacedEventStore;
let noise: NodeJS.Timeout | undefined;
beforeAll(async () => {
  database = await createTestDatabase('es_namespace');
  inner = await PostgresEventStore.create({ connectionString: database.url, subscriptionPollMs: 50 });
  neighbour = new NamespacedEventStore(inner, 'neighbour');
  // Another service's traffic in the same log all along: every read below must pass over it.
  let n = 0;
  noise = setInterval(() => void neighbour.appendToStream(`member-noise${n++ % 5}`, [event('Noise')], 'any').catch(() => undefined), 20);
});
afterAll(async () => {
  clearInterval(noise);
  await inner.close();
  await database.drop();
});

describeEventStoreContract('PostgreSQL seen through a stream namespace', {
  create: async () => new NamespacedEventStore(inner, `t${randomBytes(6).toString('hex')}`),
  // The inner store is shared by the whole file and closed in afterAll.
  dispose: async () => undefined,
});

describe('NamespacedEventStore', () => {
  const stream = `member-${randomBytes(4).toString('hex')}`;
  let a: EventStore;
  let b: EventStore;
  beforeAll(() => {
    a = new NamespacedEventStore(inner, `a${randomBytes(6).toString('hex')}`);
    b = new NamespacedEventStore(inner, `b${randomBytes(6).toString('hex')}`);
  });

  test('the same stream id in two namespaces is two streams, each read under its own id', async () => {
    await a.appendToStream(stream, [event('InA')], 'no_stream');
    await b.appendToStream(stream, [event('InB'), event('InB')], 'no_stream');
    expect((await a.readStream(stream)).map((e) => [e.streamId, e.type, e.revision])).toEqual([[stream, 'InA', 0]]);
    expect((await b.readStream(stream)).map((e) => e.type)).toEqual(['InB', 'InB']);
  });

  test('the log, filtered or not, and its counts hold only the namespace’s events', async () => {
    const all = await a.readAll({ after: START, maxCount: 10_000 });
    expect(all.events.map((e) => e.streamId)).toEqual([stream]);
    expect((await a.readAll({ after: START, maxCount: 10_000, filter: { categories: ['member'] } })).events).toHaveLength(1);
    expect((await a.readAll({ after: START, maxCount: 10_000, filter: { eventTypes: ['InB', 'Noise'] } })).events).toEqual([]);
    expect(await a.countEventsAfter(START)).toBe(1);
    expect(await b.countEventsAfter(START, { categories: ['member'] })).toBe(2);
  });

  test('the head is the namespace’s newest event, never another’s', async () => {
    const mine = await a.appendToStream(stream, [event('HeadOfA')], 'any');
    await b.appendToStream(stream, [event('AfterInB')], 'any');
    expect(await a.headPosition()).toEqual(mine.position);
    const later = await a.appendToStream(stream, [event('NewHeadOfA')], 'any');
    expect(await a.headPosition()).toEqual(later.position);
    const empty = new NamespacedEventStore(inner, `e${randomBytes(6).toString('hex')}`);
    expect(await empty.headPosition()).toEqual(START);
  });

  test('a subscription delivers only the namespace’s events, live ones included', async () => {
    const subscription = a.subscribeToAll({ filter: { categories: ['member'] } });
    const seen: SubscriptionMessage[] = [];
    const reading = (async () => {
      for await (const message of subscription) {
        seen.push(message);
        if (message.kind === 'event' && message.event.type === 'LiveInA') break;
      }
    })();
    await b.appendToStream(stream, [event('LiveInB')], 'any');
    await a.appendToStream(stream, [event('LiveInA')], 'any');
    await reading;
    await subscription.close();
    const events = seen.flatMap((m) => (m.kind === 'event' ? [[m.event.streamId, m.event.type]] : []));
    expect(events).toEqual([
      [stream, 'InA'],
      [stream, 'HeadOfA'],
      [stream, 'NewHeadOfA'],
      [stream, 'LiveInA'],
    ]);
  });

  test('a namespace is letters and digits only', () => {
    for (const bad of ['', 'a.b', 'a-b', 'a_b', 'x'.repeat(41)]) expect(() => new NamespacedEventStore(inner, bad)).toThrow(TypeError);
  });
});
