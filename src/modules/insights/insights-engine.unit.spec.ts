import { randomUUID } from 'node:crypto';
import {
  comparePositions,
  EventSchemaRegistry,
  GovernanceEventStore,
  START,
  StreamNotFoundError,
  streamCategory,
  WrongExpectedRevisionError,
  type AppendResult,
  type EventMetadata,
  type EventStore,
  type EventToAppend,
  type ExpectedRevision,
  type KeyStore,
  type LogPosition,
  type ReadAllOptions,
  type ReadAllPage,
  type ReadStreamOptions,
  type RecordedEvent,
} from '#event-store';
import { MEMBER_EVENT_SCHEMAS } from '../members/member.decider.ts';
import { MODERATION_CASE_EVENT_SCHEMAS } from '../moderation/moderation-case.decider.ts';
import { KPI_TARGET_EVENT_SCHEMAS } from './kpi-target.decider.ts';
import { InsightsEngine, InsightsTimeoutError } from './insights-engine.ts';
import { DAY_MS } from './insights-measures.ts';
import { pointAt, seriesPoints } from './insights-timeline.ts';
import { testMetadata } from '../../../test/support/event-metadata.ts';

/** Just enough of the port, in memory: the log in append order, filtered reads in pages. */
class MemoryEventStore implements EventStore {
  readonly log: RecordedEvent[] = [];
  readonly readsAfter: LogPosition[] = [];

  async appendToStream(streamId: string, events: readonly EventToAppend[], expected: ExpectedRevision): Promise<AppendResult> {
    const last = this.log.filter((e) => e.streamId === streamId).at(-1)?.revision ?? -1;
    if ((expected === 'no_stream' && last !== -1) || (typeof expected === 'number' && expected !== last)) {
      throw new WrongExpectedRevisionError(streamId, expected, last < 0 ? undefined : last);
    }
    let revision = last;
    for (const event of events) {
      revision++;
      const position = { commit: BigInt(this.log.length + 1), prepare: 0n };
      this.log.push({ ...event, streamId, revision, position, recordedAt: new Date() });
    }
    return { nextExpectedRevision: revision, position: this.log.at(-1)!.position };
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    let events = this.log.filter((e) => e.streamId === streamId);
    if (events.length === 0) throw new StreamNotFoundError(streamId);
    if (options.direction === 'backwards') events = events.reverse();
    return events.slice(0, options.maxCount ?? events.length);
  }

  async readAll(options: ReadAllOptions): Promise<ReadAllPage> {
    const after = options.after ?? START;
    this.readsAfter.push(after);
    const { categories, eventTypes } = options.filter ?? {};
    const matching = this.log.filter(
      (e) =>
        comparePositions(e.position, after) > 0 &&
        (!categories || categories.includes(streamCategory(e.streamId))) &&
        (!eventTypes || eventTypes.includes(e.type)),
    );
    const events = matching.slice(0, options.maxCount);
    const isEnd = events.length < options.maxCount;
    return { events, checkpoint: isEnd ? (this.log.at(-1)?.position ?? after) : events.at(-1)!.position, isEnd };
  }

  subscribeToAll(): never {
    throw new Error('not in memory');
  }

  async headPosition(): Promise<LogPosition> {
    return this.log.at(-1)?.position ?? START;
  }

  async countEventsAfter(): Promise<number> {
    return 0;
  }

  async close(): Promise<void> {}
}

/** Counts every key read: the KPIs must never need one. */
class CountingKeyStore implements KeyStore {
  reads = 0;
  private readonly keys = new Map<string, Buffer>();
  async getOrCreateKey(subject: string) {
    if (!this.keys.has(subject)) this.keys.set(subject, Buffer.alloc(32, 7));
    return this.keys.get(subject);
  }
  async getKey(subject: string) {
    this.reads++;
    return this.keys.get(subject);
  }
  async forget() {}
  async isForgotten() {
    return false;
  }
}

const T0 = Date.parse('2025-03-03T00:00:00.000Z');
const ms = (day: number) => T0 + day * DAY_MS;
const iso = (day: number) => new Date(ms(day)).toISOString();

describe('insights engine', () => {
  let store: MemoryEventStore;
  let keys: CountingKeyStore;
  let events: GovernanceEventStore;

  const metadata = (day: number): EventMetadata => testMetadata(iso(day));
  const append = (day: number, streamId: string, ...list: { type: string; data: Record<string, unknown> }[]) =>
    events.append(streamId, list, { expectedRevision: 'any', metadata: metadata(day) });
  const register = (day: number, memberId: string) =>
    append(day, `member-${memberId}`, {
      type: 'MemberRegistered',
      data: { memberId, displayName: `Name of ${memberId}`, department: 'Sales' },
    });
  const report = (day: number, caseId: string) =>
    append(
      day,
      `moderation_case-${caseId}`,
      {
        type: 'ModerationCaseOpened',
        data: {
          caseId,
          caseNumber: 1,
          contentId: caseId,
          contentType: 'post',
          authorId: 'a',
          groupId: null,
          contentStatus: 'VISIBLE',
          openedAt: iso(day),
        },
      },
      { type: 'ContentFlagged', data: { caseId, reporterId: 'r', reason: 'SPAM', note: 'a personal note', flaggedAt: iso(day) } },
    );

  beforeEach(() => {
    store = new MemoryEventStore();
    keys = new CountingKeyStore();
    const schemas = new EventSchemaRegistry();
    for (const schema of [...MEMBER_EVENT_SCHEMAS, ...MODERATION_CASE_EVENT_SCHEMAS, ...KPI_TARGET_EVENT_SCHEMAS]) schemas.register(schema);
    events = new GovernanceEventStore({ store, schemas, keys });
  });

  test('a series is one read of the log in pages; each event counts at its own time; no key is read', async () => {
    for (let day = 1; day <= 20; day++) await report(day, `c${day}`);
    // Recorded last, at day 3 (a clock behind, an import): it counts from day 3 on.
    await register(3, 'm1');
    const engine = new InsightsEngine(store, events, { pageSize: 4 });
    keys.reads = 0;
    const snapshots = await engine.series(seriesPoints(ms(0), ms(7), 'WEEK', ms(100)));
    expect(snapshots.map((s) => [s.at, s.moderation.backlog, s.moderation.casesOpened, s.ambassadors.activeMembers])).toEqual([
      [ms(0), 0, 0, 0],
      [ms(7), 7, 7, 1],
    ]);
    // 41 events, 4 per page: 11 reads, each after the previous page.
    expect(store.readsAfter).toHaveLength(11);
    expect(store.readsAfter[1]).toEqual(store.log[3]!.position);
    expect(keys.reads).toBe(0);
    // Points past the end of the log are measured on all of it.
    const [late] = await engine.series([pointAt(ms(60), 'MONTH')]);
    expect(late!.moderation.backlog).toBe(20);
  });

  test('"now" comes from a live model caught up from its checkpoint, one read of what is new', async () => {
    await report(1, 'c1');
    const engine = new InsightsEngine(store, events, { pageSize: 100 });
    expect((await engine.current(pointAt(ms(2), 'WEEK'))).moderation.backlog).toBe(1);
    const checkpoint = store.log.at(-1)!.position;
    await report(2, 'c2');
    store.readsAfter.length = 0;
    expect((await engine.current(pointAt(ms(3), 'WEEK'))).moderation.backlog).toBe(2);
    expect(store.readsAfter).toEqual([checkpoint]);
  });

  test('targets, and read-your-writes for a target just set', async () => {
    const engine = new InsightsEngine(store, events);
    expect(await engine.currentTargets()).toEqual([]);
    const result = await append(4, 'kpi_target-MODERATION_BACKLOG', {
      type: 'KpiTargetSet',
      data: { kpi: 'MODERATION_BACKLOG', scope: null, value: 3, direction: 'AT_MOST', setBy: 'cm-1', setAt: iso(4) },
    });
    await engine.waitFor(result.position, 1000);
    expect(await engine.currentTargets()).toEqual([
      {
        kpi: 'MODERATION_BACKLOG',
        scope: null,
        value: 3,
        direction: 'AT_MOST',
        setBy: 'cm-1',
        setAt: ms(4),
        streamId: 'kpi_target-MODERATION_BACKLOG',
        revision: 0,
      },
    ]);
    await expect(engine.waitFor({ commit: 999n, prepare: 0n }, 30)).rejects.toBeInstanceOf(InsightsTimeoutError);
  });

  test('an event the model cannot take is skipped and reported; the others still count', async () => {
    await report(1, 'c1');
    // Written around the governance layer: data that is not an object.
    const broken = { id: randomUUID(), type: 'MemberRegistered', data: 'null', metadata: JSON.stringify({ occurredAt: iso(1) }) };
    await store.appendToStream('member-broken', [broken], 'any');
    await report(2, 'c2');
    const skipped: string[] = [];
    const engine = new InsightsEngine(store, events, { onSkippedEvent: (event) => skipped.push(event.streamId) });
    const [snapshot] = await engine.series([pointAt(ms(3), 'WEEK')]);
    expect(snapshot!.moderation.backlog).toBe(2);
    expect(skipped).toEqual(['member-broken']);
  });
});
