import { createHash } from 'node:crypto';
import { START, type LogPosition, type ReadHistoryOptions, type StoredEvent } from '#event-store';
import { DomainError } from '../../platform/shared/domain-error.ts';
import { exportChunks, exportFilter, exportLine } from './audit-export.ts';
import { compileHistoryFilter } from './history-filter.ts';
import { GOVERNANCE_STREAMS } from '../index.ts';
import { EventTypeCatalog } from './event-type-catalog.ts';

const EVENT_TYPES = new EventTypeCatalog(GOVERNANCE_STREAMS);

const stored = (i: number): StoredEvent => ({
  id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
  streamId: `member-m${i}`,
  revision: 0,
  type: 'MemberRegistered',
  schemaVersion: 1,
  data: { memberId: `m${i}`, displayName: i === 2 ? '[redacted]' : `Zoë ${i}` },
  metadata: {
    actorId: 'cm-1',
    actorRoles: ['COMMUNITY_MANAGER'],
    authority: 'role:COMMUNITY_MANAGER',
    reason: null,
    source: 'api',
    correlationId: `c${i}`,
    causationId: null,
    commandId: null,
    occurredAt: '2025-03-01T10:00:00.000Z',
  },
  hash: 'ab'.repeat(32),
  position: { commit: 100n + BigInt(i), prepare: BigInt(i) },
  recordedAt: new Date(Date.UTC(2025, 2, 1, 10, 0, i)),
});

/** A log of `n` events; readHistory pages it as the store does, and records what it was asked. */
function fakeLog(n: number, head: LogPosition) {
  const events = Array.from({ length: n }, (_, i) => stored(i + 1));
  const asked: ReadHistoryOptions[] = [];
  return {
    asked,
    store: { headPosition: () => Promise.resolve(head) },
    events: {
      readHistory(options: ReadHistoryOptions) {
        asked.push(options);
        const after = options.after ?? START;
        const range = events.filter(
          (e) => e.position.commit > after.commit && (!options.until || e.position.commit <= options.until.commit),
        );
        return Promise.resolve({ events: range.slice(0, options.maxCount), hasMore: range.length > options.maxCount });
      },
    },
  };
}

async function collect(generator: AsyncGenerator<string>): Promise<string[]> {
  const chunks: string[] = [];
  for await (const chunk of generator) chunks.push(chunk);
  return chunks;
}

describe('the NDJSON export', () => {
  test('one chunk per page, up to the head when it started, then the count and the SHA-256 of the bytes before', async () => {
    const log = fakeLog(7, { commit: 105n, prepare: 5n });
    const chunks = await collect(
      exportChunks(log.store, log.events, compileHistoryFilter({ category: 'member' }, EVENT_TYPES), { pageSize: 2 }),
    );
    expect(chunks).toHaveLength(4);
    const body = chunks.slice(0, -1).join('');
    expect(
      body
        .split('\n')
        .slice(0, -1)
        .map((line) => (JSON.parse(line) as { id: string }).id),
    ).toEqual([1, 2, 3, 4, 5].map((i) => stored(i).id));
    expect(chunks.at(-1)).toBe(`{"count":5,"sha256":"${createHash('sha256').update(body, 'utf8').digest('hex')}","through":"105:5"}\n`);
    expect(log.asked.map((o) => [o.direction, o.maxCount, o.after, o.until])).toEqual([
      ['forwards', 2, START, { commit: 105n, prepare: 5n }],
      ['forwards', 2, stored(2).position, { commit: 105n, prepare: 5n }],
      ['forwards', 2, stored(4).position, { commit: 105n, prepare: 5n }],
    ]);
    expect(log.asked[0]?.filter).toEqual({ categories: ['member'] });
  });

  test('reads a page only when the previous chunk was taken (the writer waits for the client before asking again)', async () => {
    const log = fakeLog(6, { commit: 106n, prepare: 6n });
    const chunks = exportChunks(log.store, log.events, compileHistoryFilter(null, EVENT_TYPES), { pageSize: 2 });
    expect(log.asked).toHaveLength(0);
    await chunks.next();
    expect(log.asked).toHaveLength(1);
    await chunks.next();
    expect(log.asked).toHaveLength(2);
    await chunks.return(undefined);
    expect(log.asked).toHaveLength(2);
  });

  test('with sizes, a page ends at the last event that fits in pageBytes (an event larger than that alone), chunks at chunkBytes', async () => {
    const log = fakeLog(6, { commit: 106n, prepare: 6n });
    const bytesOf = [300, 300, 300, 900, 100, 100];
    const held: number[] = [];
    const chunks = await collect(
      exportChunks(log.store, log.events, compileHistoryFilter(null, EVENT_TYPES), {
        pageBytes: 700,
        chunkBytes: 1,
        onPage: (page) => held.push(page.events),
        sizes: (options) => {
          const after = options.after ?? START;
          const range = [1, 2, 3, 4, 5, 6].filter((i) => stored(i).position.commit > after.commit);
          const sizes = range.slice(0, options.maxCount).map((i) => ({ position: stored(i).position, bytes: bytesOf[i - 1]! }));
          return Promise.resolve({ sizes, hasMore: range.length > options.maxCount });
        },
      }),
    );
    expect(held).toEqual([2, 1, 1, 2]);
    expect(log.asked.map((o) => [o.maxCount, o.after, o.until])).toEqual([
      [2, START, stored(2).position],
      [1, stored(2).position, stored(3).position],
      [1, stored(3).position, stored(4).position],
      [2, stored(4).position, stored(6).position],
    ]);
    // One line per chunk (chunkBytes 1), then the summary, over the same bytes as one chunk per page would be.
    expect(chunks).toHaveLength(7);
    expect(chunks.at(-1)).toMatch(/^\{"count":6,/);
  });

  test('an empty log is the summary line alone, and reads nothing', async () => {
    const log = fakeLog(3, START);
    const empty = createHash('sha256').digest('hex');
    expect(await collect(exportChunks(log.store, log.events, compileHistoryFilter(null, EVENT_TYPES)))).toEqual([
      `{"count":0,"sha256":"${empty}","through":"0:0"}\n`,
    ]);
    expect(log.asked).toEqual([]);
  });

  test('a line is the event with its metadata and hash, personal fields as they read (redacted once erased)', () => {
    expect(exportLine(stored(2))).toBe(
      '{"position":"102:2","id":"00000000-0000-4000-8000-000000000002","streamId":"member-m2","revision":0,"type":"MemberRegistered",' +
        '"schemaVersion":1,"data":{"memberId":"m2","displayName":"[redacted]"},"metadata":{"actorId":"cm-1","actorRoles":["COMMUNITY_MANAGER"],' +
        '"authority":"role:COMMUNITY_MANAGER","reason":null,"source":"api","correlationId":"c2","causationId":null,"commandId":null,' +
        `"occurredAt":"2025-03-01T10:00:00.000Z"},"hash":"${'ab'.repeat(32)}","recordedAt":"2025-03-01T10:00:02.000Z"}\n`,
    );
  });

  test('the query string: from, to and category, checked as the history filter', () => {
    expect(exportFilter({ from: '2025-01-01T00:00:00Z', to: '2025-01-31T23:59:59.999+01:00', category: 'member' }).history).toEqual({
      categories: ['member'],
      recordedFrom: new Date('2025-01-01T00:00:00Z'),
      recordedTo: new Date('2025-01-31T22:59:59.999Z'),
    });
    expect(exportFilter({}).history).toEqual({});
    const refused = (query: Record<string, unknown>) => {
      try {
        exportFilter(query);
      } catch (error) {
        return error instanceof DomainError ? `${error.code}: ${error.message}` : String(error);
      }
      return 'accepted';
    };
    expect(refused({ from: '2025-01-01' })).toBe(
      'BAD_USER_INPUT: from must be an ISO 8601 date-time with an offset, e.g. 2025-01-31T00:00:00Z',
    );
    expect(refused({ to: '2025-13-45T00:00:00Z' })).toMatch(/^BAD_USER_INPUT: to must be an ISO 8601 date-time/);
    // A date the calendar does not have: Date would read 30 February as 2 March.
    expect(refused({ from: '2025-02-30T00:00:00Z' })).toMatch(/^BAD_USER_INPUT: from must be an ISO 8601 date-time/);
    expect(refused({ from: '2025-02-28T23:59+01:00', to: '2025-03-01T00:00:00.5Z' })).toBe('accepted');
    expect(refused({ category: ['a', 'b'] })).toBe('BAD_USER_INPUT: category must be given once');
    expect(refused({ stream: 'x' })).toBe('BAD_USER_INPUT: unknown parameter stream: use from, to and category');
    expect(refused({ from: '2025-02-01T00:00:00Z', to: '2025-01-01T00:00:00Z' })).toBe('BAD_USER_INPUT: from must not be after to');
    // The history filter's own check, named as the export's parameter (no `filter.` prefix).
    expect(refused({ category: 'member-1' })).toMatch(/^BAD_USER_INPUT: category must be a stream category/);
    try {
      exportFilter({ category: 'member-1' });
    } catch (error) {
      expect((error as DomainError).details).toEqual({ field: 'category' });
    }
    expect.assertions(11);
  });
});
