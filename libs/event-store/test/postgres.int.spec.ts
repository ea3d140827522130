import pg from 'pg';
import { EventStoreUnavailableError, InvalidAppendError, StreamNotFoundError } from '#event-store';
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
    await client.query('SELECT es_append($1::jsonb)', [JSON.stringify([{ stream: streamId, expected: 'any', events }])]);
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
