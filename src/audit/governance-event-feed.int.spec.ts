import { randomUUID } from 'node:crypto';
import { handleCommand, START, type EventMetadata } from '#event-store';
import { startTestEventSourcing, type TestEventSourcing } from '../../test/support/test-event-sourcing.ts';
import { MEMBER_EVENT_SCHEMAS, memberDecider, memberStreamId } from '../members/member.decider.ts';
import { governanceEventFeed, MAX_PENDING_BYTES, type FeedSink } from './governance-event-feed.ts';
import { compileHistoryFilter } from './history-filter.ts';

describe('the governance event feed', () => {
  let es: TestEventSourcing;

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
    const feed = governanceEventFeed(es.store, es.events, START, compileHistoryFilter(null), {
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
    const sink: FeedSink = { pendingBytes: () => pending, disconnect: (reason) => reasons.push(reason) };
    const feed = governanceEventFeed(es.store, es.events, START, compileHistoryFilter(null), sink);
    const first = await feed.next();
    expect(first.value).toMatchObject({ streamId: 'member-m-1' });
    pending = MAX_PENDING_BYTES + 1;
    expect(await feed.next()).toEqual({ done: true, value: undefined });
    expect(reasons).toEqual(['too slow: over 1024 KiB of events unread; resume with afterPosition']);
    expect(Buffer.byteLength(reasons[0]!)).toBeLessThanOrEqual(123);
  });
});
