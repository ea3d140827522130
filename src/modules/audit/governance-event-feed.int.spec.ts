import { randomUUID } from 'node:crypto';
import { handleCommand, START, type EventMetadata } from '#event-store';
import { eventually } from '#testing';
import { testMetadata } from '../../../test/support/event-metadata.ts';
import { startTestEventSourcing, type TestEventSourcing } from '../../../test/support/test-event-sourcing.ts';
import { MEMBER_EVENT_SCHEMAS, memberDecider, memberStreamId } from '../members/member.decider.ts';
import { governanceEventFeed, MAX_PENDING_BYTES, TOO_SLOW, type FeedSink } from './governance-event-feed.ts';
import { compileHistoryFilter } from './history-filter.ts';
import { GOVERNANCE_STREAMS } from '../index.ts';
import { EventTypeCatalog } from './event-type-catalog.ts';

const EVENT_TYPES = new EventTypeCatalog(GOVERNANCE_STREAMS);

describe('the governance event feed', () => {
  let es: TestEventSourcing;
  const appendBig = (streamId: string, count: number, bytes: number) =>
    es.events.append(
      streamId,
      Array.from({ length: count }, () => ({ type: 'MemberUpdated', data: { memberId: 'big', department: 'x'.repeat(bytes) } })),
      { expectedRevision: 'any', metadata: testMetadata(new Date().toISOString()) },
    );

  beforeAll(async () => {
    es = await startTestEventSourcing({ schemas: MEMBER_EVENT_SCHEMAS, projections: [] }, 'event_feed');
    const metadata: EventMetadata = {
      actorId: 'cm-1',
      actorRoles: ['COMMUNITY_MANAGER'],
      authority: 'role:COMMUNITY_MANAGER',
      reason: null,
      source: 'api',
      correlationId: randomUUID(),
      causationId: null,
      commandId: null,
      occurredAt: '2026-01-01T00:00:00.000Z',
    };
    for (const memberId of ['m-1', 'm-2', 'm-3']) {
      await handleCommand({
        store: es.events,
        streamId: memberStreamId(memberId),
        decider: memberDecider,
        command: { type: 'RegisterMember', memberId, displayName: memberId, department: 'Sales' },
        metadata,
      });
    }
  });
  afterAll(async () => {
    await es?.close();
  });

  test('a subscriber that keeps up gets every event', async () => {
    const feed = governanceEventFeed(es.store, es.events, START, compileHistoryFilter(null, EVENT_TYPES), {
      pendingBytes: () => 0,
      disconnect: () => undefined,
    });
    const seen: string[] = [];
    for await (const event of feed) {
      seen.push(event.streamId);
      if (seen.length === 3) break;
    }
    expect(seen).toEqual(['member-m-1', 'member-m-2', 'member-m-3']);
  });

  test('a subscriber with too much unread is disconnected with a reason, and the feed ends', async () => {
    let pending = 0;
    const reasons: string[] = [];
    const sink: FeedSink = { pendingBytes: () => pending, disconnect: (reason) => void reasons.push(reason) };
    const feed = governanceEventFeed(es.store, es.events, START, compileHistoryFilter(null, EVENT_TYPES), sink);
    const first = await feed.next();
    expect(first.value).toMatchObject({ streamId: 'member-m-1' });
    pending = MAX_PENDING_BYTES + 1;
    // Measured between the pages the log is read in: the page under way may still come, then nothing more.
    const rest: string[] = [];
    for await (const event of feed) rest.push(event.streamId);
    expect(rest).toEqual(['member-m-2', 'member-m-3'].slice(0, rest.length));
    expect(reasons).toEqual(['too slow: over 1024 KiB of events unread; resume with afterPosition']);
    expect(Buffer.byteLength(reasons[0]!)).toBeLessThanOrEqual(123);
  });

  test("history is read at the subscriber's pace: a replay far larger than the limit is not dropped", async () => {
    const streamId = `member-history-${randomUUID().slice(0, 8)}`;
    await appendBig(streamId, 24, 100 * 1024);
    const reasons: string[] = [];
    const feed = governanceEventFeed(es.store, es.events, START, compileHistoryFilter({ streamId }, EVENT_TYPES), {
      pendingBytes: () => 0,
      disconnect: (reason) => void reasons.push(reason),
    });
    let seen = 0;
    for await (const _event of feed) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      if (++seen === 24) break;
    }
    expect({ seen, reasons }).toEqual({ seen: 24, reasons: [] });
  });

  test('live events are read ahead: a subscriber that takes none is dropped once they pass the limit, with nothing in its connection', async () => {
    const streamId = `member-live-${randomUUID().slice(0, 8)}`;
    const reasons: { reason: string; pending: number }[] = [];
    const feed = governanceEventFeed(es.store, es.events, await es.store.headPosition(), compileHistoryFilter({ streamId }, EVENT_TYPES), {
      pendingBytes: () => 0,
      disconnect: (reason, pending) => void reasons.push({ reason, pending }),
    });
    const first = feed.next();
    for (let i = 0; i < 12 && reasons.length === 0; i++) await appendBig(streamId, 4, 64 * 1024);
    await eventually(() => expect(reasons).toEqual([{ reason: TOO_SLOW, pending: expect.any(Number) }]));
    expect(reasons[0]!.pending).toBeGreaterThan(MAX_PENDING_BYTES);
    expect((await first).value).toMatchObject({ streamId });
    // Nothing more comes: what was queued is dropped with the subscriber.
    expect(await feed.next()).toEqual({ done: true, value: undefined });
  });
});
