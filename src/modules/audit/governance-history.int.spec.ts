import pg from 'pg';
import { EventSchemaRegistry, GovernanceEventStore, parsePosition, PostgresKeyStore } from '#event-store';
import { PostgresEventStore } from '#event-store/postgres';
import { LOG_INDEX_PROJECTION, LogIndex, LogIndexedEventStore, logIndexProjection, ProjectionRunner } from '#projections';
import { createTestDatabase, type TestDatabase } from '#testing';
import { testMetadata } from '../../../test/support/event-metadata.ts';
import { expectPagingBothWays } from '../../../test/support/paging.ts';
import type { PageRequest } from '../../platform/graphql/pagination.ts';
import { GROUP_EVENT_SCHEMAS } from '../groups/index.ts';
import { MEMBER_EVENT_SCHEMAS } from '../members/index.ts';
import { HistoryOrder } from './governance-event.graphql.ts';
import { historyPage, parseCursor } from './governance-history.ts';
import { compileHistoryFilter } from './history-filter.ts';
import type { GovernanceHistoryFilter } from './governance-event.graphql.ts';
import { GOVERNANCE_STREAMS } from '../index.ts';
import { EventTypeCatalog } from './event-type-catalog.ts';

const EVENT_TYPES = new EventTypeCatalog(GOVERNANCE_STREAMS);

/**
 * governanceHistory's paging over log positions, both ways, on the PostgreSQL store's own history query and on the
 * log index (what EventStoreDB's history is read from): the same pages from either.
 */
describe('governanceHistory pages forward and backward over log positions', () => {
  let database: TestDatabase;
  let postgres: PostgresEventStore;
  let pool: pg.Pool;
  let runner: ProjectionRunner;
  let direct: GovernanceEventStore;
  let indexed: GovernanceEventStore;
  /** Positions of every event appended, oldest first. */
  const appended: string[] = [];

  beforeAll(async () => {
    database = await createTestDatabase('history_paging');
    postgres = await PostgresEventStore.create({ connectionString: database.url, subscriptionPollMs: 50 });
    pool = new pg.Pool({ connectionString: database.url, max: 6 });
    const keys = new PostgresKeyStore(pool);
    await keys.ensureSchema();
    const schemas = new EventSchemaRegistry();
    for (const schema of [...MEMBER_EVENT_SCHEMAS, ...GROUP_EVENT_SCHEMAS]) schemas.register(schema);
    direct = new GovernanceEventStore({ store: postgres, schemas, keys });
    indexed = new GovernanceEventStore({ store: new LogIndexedEventStore(postgres, new LogIndex(pool)), schemas, keys });
    runner = await ProjectionRunner.create({ store: postgres, pool, projections: [logIndexProjection] });
    await runner.initialise();
    runner.start();

    const at = new Date().toISOString();
    // 13 member events in three streams, with group events between them that the filter leaves out.
    for (let i = 0; i < 13; i++) {
      const member = await direct.append(
        `member-m${i % 3}`,
        [{ type: 'MemberUpdated', data: { memberId: `m${i % 3}`, department: `D${i}` } }],
        { expectedRevision: 'any', metadata: testMetadata(at) },
      );
      appended.push(`member:${member.position.commit}:${member.position.prepare}`);
      if (i % 4 === 0) {
        const group = await direct.append(`group-g${i}`, [{ type: 'GroupCreated', data: { groupId: `g${i}`, name: 'G' } }], {
          expectedRevision: 'any',
          metadata: testMetadata(at),
        });
        appended.push(`group:${group.position.commit}:${group.position.prepare}`);
      }
    }
    await runner.waitForPosition(parsePosition(appended.at(-1)!.split(':').slice(1).join(':')), [LOG_INDEX_PROJECTION], 10_000);
  }, 30_000);

  afterAll(async () => {
    await runner?.stop();
    await postgres?.close();
    await pool?.end();
    await database?.drop();
  });

  const positionsOf = (kind: 'member' | 'group' | null) =>
    appended.filter((entry) => kind === null || entry.startsWith(`${kind}:`)).map((entry) => entry.split(':').slice(1).join(':'));

  const lister =
    (events: GovernanceEventStore, filter: GovernanceHistoryFilter | null, order: HistoryOrder) => async (request: PageRequest) => {
      const field = request.direction === 'forward' ? 'after' : 'before';
      const connection = await historyPage(events, {
        filter: compileHistoryFilter(filter, EVENT_TYPES),
        page: { ...request, cursor: parseCursor(request.cursor, field) },
        order,
      });
      expect(connection.edges.map((edge) => edge.cursor)).toEqual(connection.edges.map((edge) => edge.node.position));
      return { ids: connection.edges.map((edge) => edge.node.position), pageInfo: connection.pageInfo };
    };

  describe.each([
    ['the PostgreSQL store', () => direct],
    ['the log index', () => indexed],
  ])('on %s', (_name, events) => {
    test.each<[string, GovernanceHistoryFilter | null, HistoryOrder, 'member' | 'group' | null, number]>([
      ['the whole log, oldest first', null, HistoryOrder.OLDEST_FIRST, null, 4],
      ['the whole log, newest first', null, HistoryOrder.NEWEST_FIRST, null, 4],
      ['a category, oldest first (pages of 3)', { category: 'member' }, HistoryOrder.OLDEST_FIRST, 'member', 3],
      ['a category, newest first (pages of 5: a short last page)', { category: 'member' }, HistoryOrder.NEWEST_FIRST, 'member', 5],
      ['event types, newest first', { eventTypes: ['GroupCreated'] }, HistoryOrder.NEWEST_FIRST, 'group', 2],
    ])('%s: backward from the end to the start gives the same events as forward', async (_case, filter, order, kind, size) => {
      const oldestFirst = positionsOf(kind);
      const expected = order === HistoryOrder.OLDEST_FIRST ? oldestFirst : [...oldestFirst].reverse();
      await expectPagingBothWays(lister(events(), filter, order), expected, size);
    });

    test('last alone is the end of the list: the oldest events when newest first, in the list’s order', async () => {
      const list = lister(events(), { category: 'member' }, HistoryOrder.NEWEST_FIRST);
      const page = await list({ direction: 'backward', size: 2, cursor: null });
      const members = positionsOf('member');
      expect(page.ids).toEqual([members[1], members[0]]);
      expect(page.pageInfo).toEqual({ hasNextPage: false, hasPreviousPage: true, startCursor: members[1], endCursor: members[0] });
    });

    test('before the first event of the list: an empty page with nothing before it, and the rest after it', async () => {
      const members = positionsOf('member');
      const list = lister(events(), { category: 'member' }, HistoryOrder.OLDEST_FIRST);
      const page = await list({ direction: 'backward', size: 3, cursor: members[0]! });
      expect(page).toEqual({ ids: [], pageInfo: { hasNextPage: true, hasPreviousPage: false, startCursor: null, endCursor: null } });
    });

    test('a cursor of an event the filter leaves out still pages from its place in the log', async () => {
      const groups = positionsOf('group');
      const all = positionsOf(null);
      const members = positionsOf('member');
      const cursor = groups[1]!; // between member events
      const before = members.filter((p) => all.indexOf(p) < all.indexOf(cursor));
      const page = await lister(events(), { category: 'member' }, HistoryOrder.OLDEST_FIRST)({ direction: 'backward', size: 2, cursor });
      expect(page.ids).toEqual(before.slice(-2));
      // Events of the list lie after the cursor; the cursor's own event is not in the list.
      expect(page.pageInfo.hasNextPage).toBe(true);
      expect(page.pageInfo.hasPreviousPage).toBe(before.length > 2);
    });
  });
});
