import { randomUUID } from 'node:crypto';
import {
  comparePositions,
  EventSchemaRegistry,
  GovernanceEventStore,
  START,
  StreamNotFoundError,
  streamCategory,
  type AppendResult,
  type EventStore,
  type EventToAppend,
  type KeyStore,
  type LogPosition,
  type ReadAllOptions,
  type ReadAllPage,
  type RecordedEvent,
} from '#event-store';
import { MEMBER_EVENT_SCHEMAS } from '../members/member.decider.ts';
import { MODERATION_CASE_EVENT_SCHEMAS } from '../moderation/moderation-case.decider.ts';
import { InsightsEngine, type InsightsEngineOptions } from './insights-engine.ts';
import { DAY_MS } from './insights-measures.ts';
import { seriesPoints } from './insights-timeline.ts';
import { testMetadata } from '../../../test/support/event-metadata.ts';

/** The port in memory, only as far as the engine reads it: the log in append order, filtered reads in pages. */
class MemoryLog implements Pick<EventStore, 'appendToStream' | 'readStream' | 'readAll'> {
  readonly log: RecordedEvent[] = [];
  readonly readsAfter: LogPosition[] = [];

  async appendToStream(streamId: string, events: readonly EventToAppend[]): Promise<AppendResult> {
    let revision = this.log.filter((e) => e.streamId === streamId).at(-1)?.revision ?? -1;
    for (const event of events) {
      const position = { commit: BigInt(this.log.length + 1), prepare: 0n };
      this.log.push({ ...event, streamId, revision: ++revision, position, recordedAt: new Date() });
    }
    return { nextExpectedRevision: revision, position: this.log.at(-1)!.position };
  }

  /** Backwards, one event: all an append asks (the stream's head). */
  async readStream(streamId: string): Promise<RecordedEvent[]> {
    const last = this.log.filter((e) => e.streamId === streamId).at(-1);
    if (!last) throw new StreamNotFoundError(streamId);
    return [last];
  }

  async readAll(options: ReadAllOptions): Promise<ReadAllPage> {
    const after = options.after ?? START;
    this.readsAfter.push(after);
    const { categories, eventTypes } = options.filter ?? {};
    const events = this.log
      .filter(
        (e) =>
          comparePositions(e.position, after) > 0 &&
          (!categories || categories.includes(streamCategory(e.streamId))) &&
          (!eventTypes || eventTypes.includes(e.type)),
      )
      .slice(0, options.maxCount);
    const isEnd = events.length < options.maxCount;
    return { events, checkpoint: isEnd ? (this.log.at(-1)?.position ?? after) : events.at(-1)!.position, isEnd };
  }
}

const NO_KEY_STORE: KeyStore = {
  getOrCreateKey: async () => Buffer.alloc(32, 7),
  getKey: async () => undefined,
  forget: async () => undefined,
  isForgotten: async () => false,
};

const T0 = Date.parse('2025-03-03T00:00:00.000Z');
const ms = (day: number) => T0 + day * DAY_MS;
const iso = (day: number) => new Date(ms(day)).toISOString();
/** Eight weekly points from day 0: past every event below. */
const POINTS = seriesPoints(ms(0), ms(49), 'WEEK', ms(100));

describe('insights engine: the events kept between requests', () => {
  let store: MemoryLog;
  let events: GovernanceEventStore;

  const append = (day: number, streamId: string, type: string, data: Record<string, unknown>) =>
    events.append(streamId, [{ type, data }], { expectedRevision: 'any', metadata: testMetadata(iso(day)) });
  const register = (day: number, memberId: string, department = 'Sales') =>
    append(day, `member-${memberId}`, 'MemberRegistered', { memberId, displayName: `Name of ${memberId}`, department });
  const leave = (day: number, memberId: string) => append(day, `member-${memberId}`, 'MemberLeft', { memberId, leftAt: iso(day) });
  const open = (day: number, caseId: string) =>
    append(day, `moderation_case-${caseId}`, 'ModerationCaseOpened', {
      caseId,
      caseNumber: 1,
      contentId: caseId,
      contentType: 'post',
      authorId: 'a',
      groupId: null,
      contentStatus: 'VISIBLE',
      openedAt: iso(day),
    });
  /** Written around the governance layer: data the model cannot take. */
  const broken = () =>
    store.appendToStream('member-broken', [
      { id: randomUUID(), type: 'MemberRegistered', data: 'null', metadata: JSON.stringify({ occurredAt: iso(2) }) },
    ]);
  const engine = (options: InsightsEngineOptions = {}) => new InsightsEngine(store, events, { pageSize: 3, ...options });
  const figures = (snapshots: Awaited<ReturnType<InsightsEngine['series']>>) =>
    snapshots.map((s) => [s.moderation.backlog, s.moderation.casesOpened, s.ambassadors.activeMembers]);

  beforeEach(() => {
    store = new MemoryLog();
    const schemas = new EventSchemaRegistry();
    for (const schema of [...MEMBER_EVENT_SCHEMAS, ...MODERATION_CASE_EVENT_SCHEMAS]) schemas.register(schema);
    events = new GovernanceEventStore({ store: store as unknown as EventStore, schemas, keys: NO_KEY_STORE });
  });

  test('a series after new events counts them, reading only what is new', async () => {
    await register(1, 'm1');
    await open(2, 'c1');
    const insights = engine();
    expect(figures(await insights.series(POINTS)).at(-1)).toEqual([1, 0, 1]);
    const checkpoint = store.log.at(-1)!.position;

    await open(10, 'c2');
    await register(11, 'm2');
    store.readsAfter.length = 0;
    const snapshots = await insights.series(POINTS);
    expect(figures(snapshots)).toEqual([
      [0, 0, 0],
      [1, 1, 1],
      [2, 1, 2],
      [2, 0, 2],
      [2, 0, 2],
      [2, 0, 2],
      [2, 0, 2],
      [2, 0, 2],
    ]);
    // One read, from where the previous request stopped: nothing before it was read again.
    expect(store.readsAfter).toEqual([checkpoint]);
    // And "now" agrees: the live model caught up with the same events.
    expect((await insights.current(POINTS.at(-1)!)).moderation.backlog).toBe(2);
  });

  test('past the limit, or with none kept, a series reads the whole log and answers the same', async () => {
    const kept = engine();
    const overflowing = engine({ maxKeptEvents: 4 });
    const unkept = engine({ maxKeptEvents: 0 });
    const all = [kept, overflowing, unkept];
    await register(1, 'm1');
    await open(3, 'c1');
    await register(3, 'm2', 'Legal');
    const first = await Promise.all(all.map((insights) => insights.series(POINTS)));
    expect(first[1]).toEqual(first[0]);
    expect(first[2]).toEqual(first[0]);

    // Then more than four events, some recorded late with an earlier time (an import, a clock behind) and some at the
    // same moment as others: each counts at its own time, in log order among equals.
    await leave(20, 'm1');
    await open(9, 'c2');
    await register(3, 'm3');
    await leave(3, 'm3');
    await open(20, 'c3');
    await register(30, 'm4');
    store.readsAfter.length = 0;
    const second = await Promise.all(all.map((insights) => insights.series(POINTS)));
    expect(figures(second[0]!)).toEqual([
      [0, 0, 0],
      [1, 1, 2],
      [2, 1, 2],
      [3, 1, 1],
      [3, 0, 1],
      [3, 0, 2],
      [3, 0, 2],
      [3, 0, 2],
    ]);
    expect(second[1]).toEqual(second[0]);
    expect(second[2]).toEqual(second[0]);
    // The kept engine read what was new; the two others (their kept events let go, or none kept) the whole log.
    const fromStart = store.readsAfter.filter((after) => comparePositions(after, START) === 0);
    expect(fromStart).toHaveLength(2);
  });

  test('an event no model can take is reported once while kept; every time when the log is read again', async () => {
    await open(1, 'c1');
    await broken();
    await open(3, 'c2');
    const keptSkips: string[] = [];
    const unkeptSkips: string[] = [];
    const kept = engine({ onSkippedEvent: (event) => keptSkips.push(event.streamId) });
    const unkept = engine({ maxKeptEvents: 0, onSkippedEvent: (event) => unkeptSkips.push(event.streamId) });
    for (let i = 0; i < 2; i++) {
      const [withKept, withoutKept] = await Promise.all([kept.series(POINTS), unkept.series(POINTS)]);
      expect(withKept).toEqual(withoutKept);
      expect(withKept.at(-1)!.moderation.backlog).toBe(2);
    }
    expect(keptSkips).toEqual(['member-broken']);
    expect(unkeptSkips).toEqual(['member-broken', 'member-broken']);
  });
});
