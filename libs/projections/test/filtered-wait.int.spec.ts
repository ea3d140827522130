import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { START, type EventStore, type EventToAppend, type LogPosition, type SubscribeOptions, type Subscription } from '#event-store';
import { PostgresEventStore } from '#event-store/postgres';
import { ProjectionRunner, ProjectionTimeoutError, type ProjectionDefinition } from '#projections';
import { createTestDatabase, type TestDatabase } from '#testing';
import { countingProjection } from './fixtures/counting-projection.ts';

const event = (type = 'Counted'): EventToAppend => ({ id: randomUUID(), type, data: '{}', metadata: '{}' });

/**
 * A mutation waits for the read models it lists to pass the position it appended (read-your-writes). On EventStoreDB a
 * filtered subscription to $all never sees the events its filter leaves out (the server drops them), and once live the
 * server's next checkpoint comes only after 32 more records of $all: a projection that does not follow the category
 * written would keep the wait until later traffic, or its timeout.
 *
 * The PostgreSQL store stands in, its filtered subscriptions made to behave that way: a checkpoint never passes the
 * last event delivered (as when fewer than 32 records follow). The runner must not wait for a projection that cannot
 * take what was written, and must still wait for one that can.
 */
describe('waiting for read models whose filter leaves out what was written', () => {
  let database: TestDatabase;
  let postgres: PostgresEventStore;
  let pool: pg.Pool;
  let runner: ProjectionRunner;

  /** Filtered subscriptions whose checkpoints stop at the last event they delivered. */
  function unseenLeftOut(store: PostgresEventStore): EventStore {
    const subscribeToAll = (options: SubscribeOptions = {}): Subscription => {
      const inner = store.subscribeToAll(options);
      if (!options.filter) return inner;
      return {
        close: () => inner.close(),
        async *[Symbol.asyncIterator]() {
          let seen: LogPosition = options.after ?? START;
          for await (const message of inner) {
            if (message.kind === 'event') seen = message.event.position;
            yield message.kind === 'event' ? message : { ...message, checkpoint: seen };
          }
        },
      };
    };
    return {
      appendToStream: (...args) => store.appendToStream(...args),
      readStream: (...args) => store.readStream(...args),
      readAll: (...args) => store.readAll(...args),
      subscribeToAll,
      headPosition: () => store.headPosition(),
      countEventsAfter: (...args) => store.countEventsAfter(...args),
      close: () => store.close(),
    };
  }

  const filtered = (name: string, categories: string[], failOn?: (type: string) => boolean): ProjectionDefinition => ({
    ...countingProjection({ name, ...(failOn ? { failOn: (e) => failOn(e.type) } : {}) }),
    filter: { categories },
  });

  beforeAll(async () => {
    database = await createTestDatabase('filtered_wait');
    postgres = await PostgresEventStore.create({ connectionString: database.url, subscriptionPollMs: 50 });
    pool = new pg.Pool({ connectionString: database.url, max: 10 });
    runner = await ProjectionRunner.create({
      store: unseenLeftOut(postgres),
      pool,
      projections: [
        filtered('things', ['thing']),
        filtered('groups', ['group']),
        filtered('stuck_things', ['thing'], (type) => type === 'Poison'),
        // Follows every category (as the log index does).
        countingProjection({ name: 'everything' }),
        // Takes one event type, of any category (as the webhooks and the notification outbox do).
        { ...countingProjection({ name: 'specials' }), filter: { eventTypes: ['Special'] } },
      ],
      standbyRetryMs: 50,
      failureRetryMs: 60_000,
    });
    await runner.initialise();
    runner.start();
    // Each projection has taken one event, so that its checkpoint stands somewhere.
    const group = await postgres.appendToStream('group-1', [event()], 'any');
    await runner.waitForPosition(group.position, ['groups', 'everything'], 10_000);
    const thing = await postgres.appendToStream('thing-0', [event()], 'any');
    await runner.waitForPosition(thing.position, ['things', 'stuck_things', 'everything'], 10_000);
    const special = await postgres.appendToStream('thing-special', [event('Special')], 'any');
    await runner.waitForPosition(special.position, ['specials', 'everything'], 10_000);
  }, 30_000);
  afterAll(async () => {
    await runner?.stop();
    await postgres?.close();
    await pool?.end();
    await database?.drop();
  });

  test('a listed read model that does not follow the category written is not waited for; one that does is', async () => {
    const { position } = await postgres.appendToStream('thing-1', [event()], 'any');
    const started = Date.now();
    await runner.waitForPosition(position, ['things', 'groups', 'everything'], 3_000, { categories: ['thing'] });
    expect(Date.now() - started).toBeLessThan(2_000);
    // Read-your-writes: the read model that follows the category holds the event.
    const { rows } = await pool.query<{ events: number }>(`SELECT events FROM proj_things_g1.stream_counts WHERE stream_id = 'thing-1'`);
    expect(rows).toEqual([{ events: 1 }]);
  });

  test('without the categories written, the wait for the other category stalls (what the stand-in reproduces)', async () => {
    const { position } = await postgres.appendToStream('thing-2', [event()], 'any');
    await expect(runner.waitForPosition(position, ['groups'], 500)).rejects.toBeInstanceOf(ProjectionTimeoutError);
  });

  test('a read model that follows the category written is still waited for until it has applied it', async () => {
    const { position } = await postgres.appendToStream('thing-3', [event('Poison')], 'any');
    const waited = runner.waitForPosition(position, ['stuck_things', 'groups'], 500, { categories: ['thing'] });
    await expect(waited).rejects.toMatchObject({ name: 'ProjectionTimeoutError', projections: ['stuck_things'] });
  });

  test('a read model without a filter is waited for whatever was written', async () => {
    const { position } = await postgres.appendToStream('thing-4', [event()], 'any');
    await runner.waitForPosition(position, ['everything'], 3_000, { categories: ['other'] });
    const { rows } = await pool.query<{ events: number }>(
      `SELECT events FROM proj_everything_g1.stream_counts WHERE stream_id = 'thing-4'`,
    );
    expect(rows).toEqual([{ events: 1 }]);
  });

  test('a listed read model that takes none of the event types written is not waited for; one that does is', async () => {
    const { position } = await postgres.appendToStream('thing-5', [event()], 'any');
    const started = Date.now();
    await runner.waitForPosition(position, ['specials', 'things'], 3_000, { categories: ['thing'], eventTypes: ['Counted'] });
    expect(Date.now() - started).toBeLessThan(2_000);

    const special = await postgres.appendToStream('thing-6', [event('Special')], 'any');
    await runner.waitForPosition(special.position, ['specials'], 3_000, { categories: ['thing'], eventTypes: ['Special'] });
    const { rows } = await pool.query<{ events: number }>(`SELECT events FROM proj_specials_g1.stream_counts WHERE stream_id = 'thing-6'`);
    expect(rows).toEqual([{ events: 1 }]);
  });

  test('without the types written, a read model filtered by type is waited for (it may take what was written)', async () => {
    const { position } = await postgres.appendToStream('thing-7', [event()], 'any');
    await expect(runner.waitForPosition(position, ['specials'], 500, { categories: ['thing'] })).rejects.toBeInstanceOf(
      ProjectionTimeoutError,
    );
  });
});
