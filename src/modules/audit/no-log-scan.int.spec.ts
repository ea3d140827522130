import pg from 'pg';
import { EventSchemaRegistry, GovernanceEventStore, parsePosition, PostgresKeyStore, type EventStore } from '#event-store';
import { PostgresEventStore } from '#event-store/postgres';
import { LOG_INDEX_PROJECTION, LogIndex, LogIndexedEventStore, logIndexProjection, needsLogIndex, ProjectionRunner } from '#projections';
import { createTestDatabase, type TestDatabase } from '#testing';
import { withoutHistoryQuery, type LogReads } from '../../../libs/projections/test/fixtures/log-read-counter.ts';
import { testMetadata } from '../../../test/support/event-metadata.ts';
import type { EventSourcing } from '../../platform/infrastructure/event-sourcing.ts';
import { HealthController } from '../../platform/health/health.controller.ts';
import { InsightsEngine } from '../insights/insights-engine.ts';
import { pointAt } from '../insights/insights-timeline.ts';
import { KPI_TARGET_EVENT_SCHEMAS } from '../insights/kpi-target.decider.ts';
import { MEMBER_EVENT_SCHEMAS } from '../members/member.decider.ts';
import { hasActedAsCommunityManager } from '../moderation/community-manager-evidence.ts';
import { HistoryOrder } from './governance-event.graphql.ts';
import { historyPage } from './governance-history.ts';
import { compileHistoryFilter } from './history-filter.ts';
import { GOVERNANCE_STREAMS } from '../index.ts';
import { EventTypeCatalog } from './event-type-catalog.ts';

const EVENT_TYPES = new EventTypeCatalog(GOVERNANCE_STREAMS);

/**
 * No request path reads the whole log of a store that cannot filter it (EventStoreDB: client 6.2.1's readAll has no
 * server-side filter, so every filtered read of $all, and every count after a position, reads each event). The
 * PostgreSQL store stands in for it here, wrapped so that it has no history query of its own (as EventStoreDB) and
 * so that every readAll and countEventsAfter through the port is counted. The service's wiring is rebuilt around it
 * (event-sourcing.ts): history, the moderation's evidence, the insights, the read models' status and /health/ready
 * must answer with none.
 */
describe('request paths on a store without a history query of its own read no log', () => {
  let database: TestDatabase;
  let postgres: PostgresEventStore;
  let pool: pg.Pool;
  let runner: ProjectionRunner;
  const calls: LogReads = { readAll: [], countEventsAfter: 0 };
  let store: EventStore;
  let events: GovernanceEventStore;
  let index: LogIndex;

  beforeAll(async () => {
    database = await createTestDatabase('no_log_scan');
    postgres = await PostgresEventStore.create({ connectionString: database.url, subscriptionPollMs: 50 });
    // The port only, counted: no readHistory (an own history query), as on EventStoreDB.
    store = withoutHistoryQuery(postgres, calls);
    expect(needsLogIndex(store)).toBe(true);
    pool = new pg.Pool({ connectionString: database.url, max: 6 });
    index = new LogIndex(pool);
    const keys = new PostgresKeyStore(pool);
    await keys.ensureSchema();
    const schemas = new EventSchemaRegistry();
    for (const schema of [...MEMBER_EVENT_SCHEMAS, ...KPI_TARGET_EVENT_SCHEMAS]) schemas.register(schema);
    events = new GovernanceEventStore({ store: new LogIndexedEventStore(store, index), schemas, keys });
    runner = await ProjectionRunner.create({ store, pool, projections: [logIndexProjection] });
    await runner.initialise();
    runner.start();

    const at = new Date().toISOString();
    for (let i = 0; i < 30; i++) {
      const actorId = i % 3 === 0 ? 'm-manager' : 'm-member';
      await events.append(`member-m${i % 4}`, [{ type: 'MemberUpdated', data: { memberId: `m${i % 4}`, department: 'Ops' } }], {
        expectedRevision: 'any',
        metadata: testMetadata(at, { actorId, actorRoles: i === 27 ? ['COMMUNITY_MANAGER'] : ['MEMBER'] }),
      });
    }
    const target = await events.append(
      'kpi_target-TRAINING_COMPLETION_RATE',
      [
        {
          type: 'KpiTargetSet',
          data: { kpi: 'TRAINING_COMPLETION_RATE', scope: null, value: 0.8, direction: 'HIGHER_IS_BETTER', setBy: 'cm-1', setAt: at },
        },
      ],
      { expectedRevision: 'any', metadata: testMetadata(at) },
    );
    await runner.waitForPosition(target.position, [LOG_INDEX_PROJECTION], 10_000);
    calls.readAll = [];
    calls.countEventsAfter = 0;
  }, 30_000);

  afterAll(async () => {
    await runner?.stop();
    await postgres?.close();
    await pool?.end();
    await database?.drop();
  });

  afterEach(() => {
    const counted = { ...calls };
    calls.readAll = [];
    calls.countEventsAfter = 0;
    expect(counted).toEqual({ readAll: [], countEventsAfter: 0 });
  });

  test('governanceHistory: every filter, newest and oldest first, paged forward and backward', async () => {
    const from = new Date(Date.now() - 60_000);
    const filters = [
      null,
      { streamId: 'member-m1' },
      { category: 'member' },
      { eventTypes: ['MemberUpdated', 'KpiTargetSet'] },
      { actorId: 'm-manager' },
      { correlationId: 'none' },
      { from, to: new Date() },
      { category: 'member', from },
    ];
    for (const filter of filters) {
      for (const order of [HistoryOrder.NEWEST_FIRST, HistoryOrder.OLDEST_FIRST]) {
        const compiled = compileHistoryFilter(filter, EVENT_TYPES);
        const first = await historyPage(events, { filter: compiled, page: { direction: 'forward', size: 4, cursor: null }, order });
        if (first.pageInfo.endCursor) {
          const cursor = parsePosition(first.pageInfo.endCursor);
          await historyPage(events, { filter: compiled, page: { direction: 'forward', size: 4, cursor }, order });
          await historyPage(events, { filter: compiled, page: { direction: 'backward', size: 4, cursor }, order });
        }
        await historyPage(events, { filter: compiled, page: { direction: 'backward', size: 4, cursor: null }, order });
      }
    }
    const member1 = await historyPage(events, {
      filter: compileHistoryFilter({ streamId: 'member-m1' }, EVENT_TYPES),
      page: { direction: 'forward', size: 100, cursor: null },
      order: HistoryOrder.OLDEST_FIRST,
    });
    expect(member1.edges.map((e) => e.node.revision)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  test("the moderation's evidence of a community manager", async () => {
    expect(await hasActedAsCommunityManager(events, 'm-manager')).toBe(true);
    expect(await hasActedAsCommunityManager(events, 'm-member')).toBe(false);
  });

  test('insights: a series from the start, and the live model', async () => {
    const engine = new InsightsEngine(index, events);
    const [snapshot] = await engine.series([pointAt(Date.now(), 'MONTH')]);
    expect(snapshot).toBeDefined();
    expect((await engine.currentTargets()).map((t) => t.kpi)).toEqual(['TRAINING_COMPLETION_RATE']);
  });

  test('projections (and rebuildProjection): the status of the read models, with their lag', async () => {
    expect((await runner.status()).map((s) => ({ name: s.name, lag: s.lag }))).toEqual([{ name: LOG_INDEX_PROJECTION, lag: 0 }]);
  });

  test('/health/ready', async () => {
    const health = new HealthController({ pool, store, runner } as unknown as EventSourcing);
    expect(await health.ready()).toMatchObject({ status: 'ok', checks: { projections: { ok: true } } });
  });
});
