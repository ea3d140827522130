import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { EventSchemaRegistry, GovernanceEventStore, PostgresKeyStore } from '#event-store';
import { historyQuery, PostgresEventStore, type HistoryTable } from '#event-store/postgres';
import { runMigrations } from '#postgres';
import { LOG_INDEX_PROJECTION, LogIndex, LogIndexedEventStore, logIndexProjection, ProjectionRunner } from '#projections';
import { PROJECTION_MIGRATIONS } from '../../../libs/projections/src/schema.ts';
import { createTestDatabase, type TestDatabase } from '#testing';
import { testMetadata } from '../../../test/support/event-metadata.ts';
import { MEMBER_EVENT_SCHEMAS } from '../members/index.ts';
import type { DomainError } from '../../platform/shared/domain-error.ts';
import { governanceEventById, historyPage } from './governance-history.ts';
import { HistoryOrder } from './governance-event.graphql.ts';
import { compileHistoryFilter } from './history-filter.ts';
import { GOVERNANCE_STREAMS } from '../index.ts';
import { EventTypeCatalog } from './event-type-catalog.ts';

const EVENT_TYPES = new EventTypeCatalog(GOVERNANCE_STREAMS);

/**
 * node(id) of a GovernanceEvent: the event found by its own id, on the PostgreSQL store's history query and on the log
 * index (what EventStoreDB's history is read from), the same answer as governanceHistory's, through an index on either.
 */
describe('a governance event found by its id', () => {
  let database: TestDatabase;
  let postgres: PostgresEventStore;
  let pool: pg.Pool;
  let runner: ProjectionRunner;
  let direct: GovernanceEventStore;
  let indexed: GovernanceEventStore;

  beforeAll(async () => {
    database = await createTestDatabase('event_by_id');
    postgres = await PostgresEventStore.create({ connectionString: database.url, subscriptionPollMs: 50 });
    pool = new pg.Pool({ connectionString: database.url, max: 6 });
    const keys = new PostgresKeyStore(pool);
    await keys.ensureSchema();
    const schemas = new EventSchemaRegistry();
    for (const schema of MEMBER_EVENT_SCHEMAS) schemas.register(schema);
    direct = new GovernanceEventStore({ store: postgres, schemas, keys });
    indexed = new GovernanceEventStore({ store: new LogIndexedEventStore(postgres, new LogIndex(pool)), schemas, keys });
    runner = await ProjectionRunner.create({ store: postgres, pool, projections: [logIndexProjection] });
    await runner.initialise();
    runner.start();

    const at = new Date().toISOString();
    for (let i = 0; i < 12; i++) {
      await direct.append(`member-m${i % 3}`, [{ type: 'MemberUpdated', data: { memberId: `m${i % 3}`, department: `D${i}` } }], {
        expectedRevision: 'any',
        metadata: testMetadata(at),
      });
    }
    // The stores' key is (stream, event id): the same id in another stream is allowed. A copy of m1's first event,
    // byte for byte, recorded later in stream member-twin.
    const [original] = await postgres.readStream('member-m1', { maxCount: 1 });
    const copy = await postgres.appendToStream('member-twin', [original!], 'no_stream');
    await runner.waitForPosition(copy.position, [LOG_INDEX_PROJECTION], 10_000);
  }, 30_000);

  afterAll(async () => {
    await runner?.stop();
    await postgres?.close();
    await pool?.end();
    await database?.drop();
  });

  /** Every event of the log as governanceHistory shows it, oldest first. */
  const history = async (events: GovernanceEventStore) =>
    (
      await historyPage(events, {
        filter: compileHistoryFilter(null, EVENT_TYPES),
        page: { direction: 'forward', size: 100, cursor: null },
        order: HistoryOrder.OLDEST_FIRST,
      })
    ).edges.map((edge) => edge.node);

  describe.each([
    ['the PostgreSQL store', () => direct],
    ['the log index', () => indexed],
  ])('on %s', (_name, events) => {
    test('each event is found by its id, exactly as governanceHistory shows it', async () => {
      const all = await history(events());
      expect(all).toHaveLength(13);
      for (const shown of all.filter((event) => event.streamId !== 'member-twin')) {
        expect(await governanceEventById(events(), shown.id)).toEqual(shown);
      }
    });

    test('an id two streams share answers the first in log order', async () => {
      const all = await history(events());
      const twin = all.find((event) => event.streamId === 'member-twin')!;
      const first = all.find((event) => event.id === twin.id && event.streamId === 'member-m1')!;
      expect(all.indexOf(first)).toBeLessThan(all.indexOf(twin));
      expect(await governanceEventById(events(), twin.id)).toEqual(first);
    });

    test('an id no event has is null', async () => {
      expect(await governanceEventById(events(), randomUUID())).toBeNull();
    });

    test.each(['not-a-uuid', randomUUID().toUpperCase(), `${randomUUID()}x`, ''])(
      '%p is BAD_USER_INPUT, not a failed query',
      async (id) => {
        await expect(governanceEventById(events(), id)).rejects.toMatchObject({ code: 'BAD_USER_INPUT' } satisfies Partial<DomainError>);
      },
    );
  });

  describe('the lookup reads an index on the event id, never the log in order', () => {
    const byId = { direction: 'forwards', maxCount: 1, filter: { eventId: randomUUID() } } as const;
    // The log index's table as LogIndex reads it (log-index.ts LOG_INDEX_TABLE): only the name matters to the plan.
    const logIndexTable: HistoryTable = {
      table: 'read_models.log_events',
      horizon: false,
      actorId: '%.actor_id',
      correlationId: '%.correlation_id',
      actorHasRole: (alias, parameter) => `${alias}.actor_roles ? ${parameter}`,
    };

    /** The plan of the history query, with sequential scans priced out (a table this small would be scanned). */
    async function planOf(table?: HistoryTable): Promise<string> {
      const { text, values } = historyQuery(byId, 'e.event_id', undefined, table);
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        await client.query('SET LOCAL enable_seqscan = off');
        const { rows } = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${text}`, values);
        await client.query('ROLLBACK');
        return rows.map((row) => row['QUERY PLAN']).join('\n');
      } finally {
        client.release();
      }
    }

    test('es_events: the index of migration 3', async () => {
      expect(await planOf()).toMatch(/Index (Only )?Scan using es_events_event_id_order/);
    });

    test('the log index: its event id index', async () => {
      expect(await planOf(logIndexTable)).toMatch(/Index (Only )?Scan using log_events_event_id_order/);
    });
  });

  test('projections migration 3 adds the index to a log index generation made before it', async () => {
    const [{ schema }] = (
      await pool.query<{ schema: string }>(
        `SELECT format('proj_%s_g%s', name, generation) AS schema FROM projection_generations WHERE name = $1 AND status = 'active'`,
        [LOG_INDEX_PROJECTION],
      )
    ).rows as [{ schema: string }];
    const hasIndex = async () =>
      (await pool.query(`SELECT 1 FROM pg_indexes WHERE schemaname = $1 AND indexname = 'log_events_event_id_order'`, [schema]))
        .rowCount === 1;
    expect(await hasIndex()).toBe(true);
    // As a generation set up by the previous version was: no index, and the migration not yet run.
    await pool.query(`DROP INDEX ${schema}.log_events_event_id_order`);
    await pool.query(`DELETE FROM schema_migrations WHERE component = 'projections' AND version = 3`);
    expect(await hasIndex()).toBe(false);
    expect(await runMigrations(pool, 'projections', PROJECTION_MIGRATIONS)).toEqual([3]);
    expect(await hasIndex()).toBe(true);
  });
});
