import { randomUUID } from 'node:crypto';
import type { ReadAllOptions, ReadAllPage, RecordedEvent } from './event-store.port.ts';
import { logFilterOf, matchesHistoryFilter, scanHistory, type HistoryFilter, type ReadHistoryOptions } from './history.ts';
import { comparePositions, START } from './position.ts';

/** An in-memory log read through readAll, with the port's category and type filters. */
function memoryLog(events: RecordedEvent[]) {
  const reads: ReadAllOptions[] = [];
  return {
    reads,
    async readAll(options: ReadAllOptions): Promise<ReadAllPage> {
      reads.push(options);
      const after = options.after ?? START;
      const matching = events.filter(
        (e) =>
          comparePositions(e.position, after) > 0 &&
          (!options.filter?.categories || options.filter.categories.includes(e.streamId.split('-')[0]!)) &&
          (!options.filter?.eventTypes || options.filter.eventTypes.includes(e.type)),
      );
      const page = matching.slice(0, options.maxCount);
      return { events: page, checkpoint: page.at(-1)?.position ?? after, isEnd: page.length < options.maxCount };
    },
  };
}

function recorded(i: number, streamId: string, type: string, actorId: string, correlationId: string): RecordedEvent {
  return {
    id: randomUUID(),
    streamId,
    revision: 0,
    type,
    data: '{}',
    metadata: JSON.stringify({ actorId, correlationId }),
    position: { commit: BigInt(100 + Math.floor(i / 3)), prepare: BigInt(i + 1) },
    recordedAt: new Date(Date.UTC(2025, 0, 1) + i * 1000),
  };
}

/** What a page must be: every match in the range, in the direction, maxCount of them. */
function naive(events: RecordedEvent[], options: ReadHistoryOptions) {
  const inRange = events.filter((e) => {
    if (!matchesHistoryFilter(e, options.filter)) return false;
    const sign = options.direction === 'forwards' ? 1 : -1;
    if (options.after && sign * comparePositions(e.position, options.after) <= 0) return false;
    if (options.until && sign * comparePositions(e.position, options.until) > 0) return false;
    return true;
  });
  const ordered = options.direction === 'forwards' ? inRange : [...inRange].reverse();
  return { events: ordered.slice(0, options.maxCount), hasMore: ordered.length > options.maxCount };
}

describe('scanHistory (the fallback for stores without a history query)', () => {
  const events = Array.from({ length: 2500 }, (_, i) =>
    recorded(i, `${['member', 'group', 'moderation_case'][i % 3]}-${i % 7}`, ['A', 'B'][i % 2]!, `actor${i % 5}`, `c${i % 11}`),
  );
  const filters: (HistoryFilter | undefined)[] = [
    undefined,
    { categories: ['group'] },
    { streamId: 'member-3' },
    { streamId: 'member-3', categories: ['group'] },
    { eventTypes: ['B'], actorId: 'actor2' },
    { correlationId: 'c4', categories: ['member', 'moderation_case'] },
    { recordedFrom: events[700]!.recordedAt, recordedTo: events[1900]!.recordedAt, actorId: 'actor1' },
  ];

  test.each(filters.map((f) => [JSON.stringify(f ?? {}), f]))(
    '%s: every page as a naive filter of the log answers it',
    async (_, filter) => {
      const log = memoryLog(events);
      for (const direction of ['forwards', 'backwards'] as const) {
        for (const [after, until] of [
          [undefined, undefined],
          [events[1200]!.position, undefined],
          [events[2000]!.position, events[400]!.position],
          [events[400]!.position, events[2000]!.position],
        ]) {
          for (const maxCount of [1, 7, 100]) {
            const options: ReadHistoryOptions = {
              direction,
              maxCount,
              ...(filter ? { filter } : {}),
              ...(after ? { after } : {}),
              ...(until ? { until } : {}),
            };
            expect(await scanHistory(log, options)).toEqual(naive(events, options));
          }
        }
      }
    },
  );

  test('reads only the categories and types it needs through readAll', async () => {
    const log = memoryLog(events);
    await scanHistory(log, { direction: 'forwards', maxCount: 5, filter: { streamId: 'group-2', eventTypes: ['A'] } });
    expect(log.reads[0]?.filter).toEqual({ categories: ['group'], eventTypes: ['A'] });
  });

  test('bounds the read: a full page forwards stops reading', async () => {
    const log = memoryLog(events);
    await scanHistory(log, { direction: 'forwards', maxCount: 5 });
    expect(log.reads).toHaveLength(1);
  });
});

describe('matchesHistoryFilter and logFilterOf', () => {
  const event = recorded(4, 'moderation_case-9', 'A', 'ann', 'c1');

  test('every condition applies; recorded time bounds are inclusive at the millisecond', () => {
    expect(matchesHistoryFilter(event, { streamId: 'moderation_case-9', categories: ['moderation_case'], eventTypes: ['A'] })).toBe(true);
    expect(matchesHistoryFilter(event, { actorId: 'ann', correlationId: 'c1' })).toBe(true);
    expect(matchesHistoryFilter(event, { actorId: 'ann', correlationId: 'c2' })).toBe(false);
    expect(matchesHistoryFilter(event, { recordedFrom: event.recordedAt, recordedTo: event.recordedAt })).toBe(true);
    expect(matchesHistoryFilter(event, { recordedFrom: new Date(event.recordedAt.getTime() + 1) })).toBe(false);
    expect(matchesHistoryFilter(event, { recordedTo: new Date(event.recordedAt.getTime() - 1) })).toBe(false);
    expect(matchesHistoryFilter({ ...event, metadata: 'not json' }, { actorId: 'ann' })).toBe(false);
  });

  test('the actor role: one of the roles the actor acted with, and nothing for metadata without roles', () => {
    const withRoles = { ...event, metadata: JSON.stringify({ actorId: 'ann', actorRoles: ['MEMBER', 'COMMUNITY_MANAGER'] }) };
    expect(matchesHistoryFilter(withRoles, { actorId: 'ann', actorRole: 'COMMUNITY_MANAGER' })).toBe(true);
    expect(matchesHistoryFilter(withRoles, { actorRole: 'AUDITOR' })).toBe(false);
    expect(matchesHistoryFilter(event, { actorRole: 'MEMBER' })).toBe(false);
    expect(matchesHistoryFilter({ ...event, metadata: JSON.stringify({ actorRoles: 'MEMBER' }) }, { actorRole: 'MEMBER' })).toBe(false);
  });

  test('the port filter: the stream category, or the categories, and the types', () => {
    expect(logFilterOf(undefined)).toBeUndefined();
    expect(logFilterOf({ actorId: 'x' })).toBeUndefined();
    expect(logFilterOf({ streamId: 'group-1-2' })).toEqual({ categories: ['group'] });
    expect(logFilterOf({ streamId: 'group-1', categories: ['member'] })).toEqual({ categories: [] });
    expect(logFilterOf({ categories: ['a', 'b'], eventTypes: ['T'] })).toEqual({ categories: ['a', 'b'], eventTypes: ['T'] });
  });
});
