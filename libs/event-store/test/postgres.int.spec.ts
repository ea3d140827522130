import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '#testing';
import { PostgresEventStore } from '../src/postgres/index.ts';
import { describeEventStoreContract } from './contract/event-store.contract.ts';

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
