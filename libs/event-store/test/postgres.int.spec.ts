import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import {
  EventStoreUnavailableError,
  IdempotencyConflictError,
  InvalidAppendError,
  StreamNotFoundError,
  WrongExpectedRevisionError,
  type AppendResult,
  type ExpectedRevision,
} from '#event-store';
import { createTestDatabase, eventually, type TestDatabase } from '#testing';
import { PostgresEventStore } from '../src/postgres/index.ts';
import { describeEventStoreContract, event } from './contract/event-store.contract.ts';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase('es_contract');
});
afterAll(async () => {
  await database.drop();
});

describeEventStoreContract('PostgreSQL', {
  create: () => PostgresEventStore.create({ connectionString: database.url, subscriptionPollMs: 50 }),
  dispose: (store) => store.close(),
  async holdOpenAppend(_store, streamId, events) {
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    await client.query('BEGIN');
    // es_append(streams, append stream, expected (-3: any), counts, event streams, ids, types, data, metadata, check all ids)
    await client.query('SELECT es_append($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)', [
      [streamId],
      [1],
      [-3],
      [events.length],
      events.map(() => 1),
      events.map((e) => e.id),
      events.map((e) => e.type),
      events.map((e) => e.data),
      events.map((e) => e.metadata),
      false,
    ]);
    return {
      async commit() {
        await client.query('COMMIT');
        await client.end();
      },
    };
  },
});

describe('PostgreSQL adapter: unavailability', () => {
  test('a server that cannot be reached is EventStoreUnavailableError, not a driver error', async () => {
    const { findFreePort } = await import('#postgres');
    const port = await findFreePort(); // nothing listens there
    const error = await PostgresEventStore.create({ connectionString: `postgres://postgres@127.0.0.1:${port}/none` }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(EventStoreUnavailableError);
    expect((error as Error).message).toMatch(/event store unavailable/);
  });

  test('a closed store refuses work with EventStoreUnavailableError', async () => {
    const store = await PostgresEventStore.create({ connectionString: database.url });
    await store.close();
    await expect(store.readStream('member-x')).rejects.toBeInstanceOf(EventStoreUnavailableError);
    await expect(store.appendToStream('member-x', [event('A')], 'any')).rejects.toBeInstanceOf(EventStoreUnavailableError);
  });

  test('malformed input is InvalidAppendError and appends nothing', async () => {
    const store = await PostgresEventStore.create({ connectionString: database.url });
    try {
      await expect(store.appendToStream('', [event('A')], 'any')).rejects.toBeInstanceOf(InvalidAppendError);
      await expect(store.appendToStream('member-bad', [{ ...event('A'), id: 'not-a-uuid' }], 'any')).rejects.toBeInstanceOf(
        InvalidAppendError,
      );
      await expect(store.appendToStream('member-bad', [{ ...event('A'), data: '{not json' }], 'any')).rejects.toBeInstanceOf(
        InvalidAppendError,
      );
      await expect(store.appendToStream('member-bad', [event('A')], -1)).rejects.toBeInstanceOf(InvalidAppendError);
      await expect(store.readStream('member-bad')).rejects.toBeInstanceOf(StreamNotFoundError);
    } finally {
      await store.close();
    }
  });
});

describe('PostgreSQL adapter: appends sent together', () => {
  // Appends submitted in one turn of the event loop go to the server in one es_append call, one transaction.
  let store: PostgresEventStore;
  let category: string;
  beforeAll(async () => {
    store = await PostgresEventStore.create({ connectionString: database.url });
  });
  afterAll(async () => {
    await store.close();
  });
  beforeEach(() => {
    category = `b${randomBytes(6).toString('hex')}`;
  });
  const settle = (attempts: [string, ReturnType<typeof event>[], ExpectedRevision][]) =>
    Promise.allSettled(attempts.map(([stream, events, expected]) => store.appendToStream(stream, events, expected)));
  const value = (result: PromiseSettledResult<AppendResult> | undefined) => (result as PromiseFulfilledResult<AppendResult>).value;
  const reason = (result: PromiseSettledResult<AppendResult> | undefined) => (result as PromiseRejectedResult).reason as unknown;

  test('share one commit, and appends to one stream are decided in order, each seeing the ones before', async () => {
    const id = `${category}-ordered`;
    const [a, b, c, d] = await settle([
      [id, [event('A')], 'no_stream'],
      [id, [event('B')], 5],
      [id, [event('C'), event('D')], 0],
      [id, [event('E')], 'any'],
    ]);
    expect(value(a).nextExpectedRevision).toBe(0);
    expect(reason(b)).toBeInstanceOf(WrongExpectedRevisionError);
    expect((reason(b) as WrongExpectedRevisionError).actual).toBe(0);
    expect(value(c).nextExpectedRevision).toBe(2);
    expect(value(d).nextExpectedRevision).toBe(3);
    expect(new Set([a, c, d].map((r) => value(r).position.commit)).size).toBe(1);
    const recorded = await store.readStream(id);
    expect(recorded.map((e) => `${e.revision}:${e.type}`)).toEqual(['0:A', '1:C', '2:D', '3:E']);
    expect(recorded.at(-1)!.position).toEqual(value(d).position);
  });

  test('one append the server refuses does not fail the others: only it is refused, and it stores nothing', async () => {
    // Both pass the adapter's own checks and fail only in PostgreSQL: an index entry past its size limit, and
    // JSON nested deeper than the server parses.
    const tooLongType = { ...event('A'), type: randomBytes(4000).toString('hex') };
    const tooDeep = { ...event('A'), data: `${'['.repeat(100_000)}${']'.repeat(100_000)}` };
    const results = await settle([
      [`${category}-first`, [event('A')], 'no_stream'],
      [`${category}-long`, [event('B'), tooLongType], 'no_stream'],
      [`${category}-second`, [event('A'), event('B')], 'any'],
      [`${category}-deep`, [tooDeep], 'any'],
      [`${category}-third`, [event('A')], 'no_stream'],
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'rejected', 'fulfilled']);
    expect(reason(results[1])).toBeInstanceOf(InvalidAppendError);
    expect(reason(results[3])).toBeInstanceOf(InvalidAppendError);
    for (const name of ['first', 'second', 'third']) expect((await store.readStream(`${category}-${name}`)).length).toBeGreaterThan(0);
    for (const name of ['long', 'deep']) await expect(store.readStream(`${category}-${name}`)).rejects.toBeInstanceOf(StreamNotFoundError);
  });

  test('a retry answers the original result in the same batch as a later append to its stream', async () => {
    const id = `${category}-retry`;
    const original = [event('A'), event('B')];
    const first = await store.appendToStream(id, original, 'no_stream');
    const [retry, later] = await settle([
      [id, original, 'no_stream'],
      [id, [event('C')], 1],
    ]);
    expect(value(retry)).toEqual(first);
    expect(value(later).nextExpectedRevision).toBe(2);
    expect((await store.readStream(id)).map((e) => e.type)).toEqual(['A', 'B', 'C']);
  });

  test('ids stored by another append are refused even when the expected revision matches, wherever they stand', async () => {
    const id = `${category}-reused`;
    const [a, b] = [event('A'), event('B')];
    await store.appendToStream(id, [a, b], 'no_stream');
    // One by one (the check the expected revision passes), then together (two appends to one stream in a batch).
    for (const attempt of [
      [a, event('C')],
      [event('D'), b],
    ]) {
      const error = await store.appendToStream(id, attempt, 1).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(IdempotencyConflictError);
      expect((error as IdempotencyConflictError).eventId).toBe(attempt.find((e) => e === a || e === b)!.id);
    }
    const conflicts = await settle([
      [id, [a, event('C')], 1],
      [id, [event('D'), b], 1],
    ]);
    for (const conflict of conflicts) expect(reason(conflict)).toBeInstanceOf(IdempotencyConflictError);
    expect((reason(conflicts[0]) as IdempotencyConflictError).eventId).toBe(a.id);
    expect((reason(conflicts[1]) as IdempotencyConflictError).eventId).toBe(b.id);
    // With a wrong expected revision: the first id stored decides (a different append), else the revision does.
    await expect(store.appendToStream(id, [a, event('C')], 0)).rejects.toBeInstanceOf(IdempotencyConflictError);
    await expect(store.appendToStream(id, [event('D'), b], 0)).rejects.toBeInstanceOf(WrongExpectedRevisionError);
    expect((await store.readStream(id)).map((e) => e.type)).toEqual(['A', 'B']);
    // The same ids in another stream are another stream's events.
    expect((await store.appendToStream(`${category}-other`, [a], 'no_stream')).nextExpectedRevision).toBe(0);
  });

  test('an expected revision that is none of the allowed values is InvalidAppendError', async () => {
    await expect(store.appendToStream(`${category}-x`, [event('A')], 'latest' as ExpectedRevision)).rejects.toBeInstanceOf(
      InvalidAppendError,
    );
    await expect(store.appendToStream(`${category}-x`, [{ ...event('A'), id: randomUUID(), metadata: '' }], 'any')).rejects.toBeInstanceOf(
      InvalidAppendError,
    );
  });
});

describe('PostgreSQL adapter: live wake-ups', () => {
  test.each([
    ['by this store', true],
    ['by another store (another process)', false],
  ])('an append %s wakes a subscription long before its next poll', async (_label, sameStore) => {
    const reader = await PostgresEventStore.create({ connectionString: database.url, subscriptionPollMs: 30_000 });
    const writer = sameStore ? reader : await PostgresEventStore.create({ connectionString: database.url });
    const category = `wake${Date.now()}${sameStore ? 'a' : 'b'}`;
    const subscription = reader.subscribeToAll({ filter: { categories: [category] } });
    const seen: string[] = [];
    let caughtUp = false;
    const consuming = (async () => {
      for await (const message of subscription) {
        if (message.kind === 'event') seen.push(message.event.id);
        else if (message.caughtUp) caughtUp = true;
      }
    })();
    try {
      await eventually(() => expect(caughtUp).toBe(true));
      await new Promise((resolve) => setTimeout(resolve, 200)); // the subscription is now waiting, with a 30 s poll
      const appended = event('Woken');
      const started = Date.now();
      await writer.appendToStream(`${category}-1`, [appended], 'no_stream');
      await eventually(() => expect(seen).toEqual([appended.id]), 5_000, 5);
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await subscription.close();
      await consuming;
      await reader.close();
      if (!sameStore) await writer.close();
    }
  });
});
