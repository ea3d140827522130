import type { ReadAllPage, RecordedEvent } from '../event-store.port.ts';
import type { LogPosition } from '../position.ts';
import { SharedTailRead } from './shared-tail-read.ts';

const at = (commit: number): LogPosition => ({ commit: BigInt(commit), prepare: 0n });
const recorded = (commit: number, streamId: string, type = 'Happened'): RecordedEvent => ({
  id: `e${commit}`,
  streamId,
  revision: 0,
  type,
  data: '{}',
  metadata: '{}',
  position: at(commit),
  recordedAt: new Date(0),
});
const ids = (page: ReadAllPage) => page.events.map((e) => e.id);

/** A log of events at commits 1..n, read as the store reads it: (after, maxCount], horizon at `horizon`. */
function logOf(events: readonly RecordedEvent[], horizon: number) {
  const reads: { after: bigint }[] = [];
  return {
    reads,
    read: async (after: LogPosition, maxCount: number): Promise<ReadAllPage> => {
      reads.push({ after: after.commit });
      const page = events.filter((e) => e.position.commit > after.commit && e.position.commit < horizon).slice(0, maxCount);
      const isEnd = page.length < maxCount;
      const last = page.at(-1)?.position ?? after;
      const checkpoint = isEnd && BigInt(horizon - 1) > last.commit ? at(horizon - 1) : last;
      return { events: page, checkpoint, isEnd };
    },
  };
}

describe('shared tail read', () => {
  test('an observer gets every page read, unfiltered, with the position it was read after, until it stops', async () => {
    const log = logOf([recorded(1, 'member-1'), recorded(2, 'group-1'), recorded(3, 'member-2')], 10);
    const tail = new SharedTailRead(log.read, 100);
    const seen: { after: bigint; ids: string[]; checkpoint: bigint }[] = [];
    const stop = tail.observe((after, page) => seen.push({ after: after.commit, ids: ids(page), checkpoint: page.checkpoint.commit }));
    await Promise.all([tail.read(at(1), { categories: ['member'] }), tail.read(at(2), undefined)]);
    expect(seen).toEqual([{ after: 1n, ids: ['e2', 'e3'], checkpoint: 9n }]);
    stop();
    await tail.read(at(0), undefined);
    expect(seen).toHaveLength(1);
    expect(log.reads).toHaveLength(2);
  });

  test('an observer that throws does not keep the page from the subscriptions that asked for it', async () => {
    const log = logOf([recorded(1, 'member-1'), recorded(2, 'member-2')], 10);
    const tail = new SharedTailRead(log.read, 100);
    tail.observe(() => {
      throw new Error('observer broke');
    });
    expect(ids(await tail.read(at(0), undefined))).toEqual(['e1', 'e2']);
    expect(ids(await tail.read(at(1), undefined))).toEqual(['e2']);
  });

  test('requests made together share one read from the lowest position; each gets its own events after its position', async () => {
    const log = logOf([recorded(1, 'member-1'), recorded(2, 'group-1'), recorded(3, 'member-2', 'Left'), recorded(4, 'group-2')], 10);
    const tail = new SharedTailRead(log.read, 100);
    const [members, groups, left, all] = await Promise.all([
      tail.read(at(0), { categories: ['member'] }),
      tail.read(at(2), { categories: ['group'] }),
      tail.read(at(1), { eventTypes: ['Left'] }),
      tail.read(at(3), undefined),
    ]);
    expect(log.reads.map((r) => r.after)).toEqual([0n]);
    expect(ids(members!)).toEqual(['e1', 'e3']);
    expect(ids(groups!)).toEqual(['e4']);
    expect(ids(left!)).toEqual(['e3']);
    expect(ids(all!)).toEqual(['e4']);
    for (const page of [members, groups, left, all]) expect(page).toMatchObject({ checkpoint: at(9), isEnd: true });
  });

  test('a request made while a read is in flight is answered by the next read, sent after it', async () => {
    const log = logOf([recorded(1, 'member-1')], 10);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const tail = new SharedTailRead(async (after, maxCount) => {
      const page = await log.read(after, maxCount);
      if (log.reads.length === 1) await gate;
      return page;
    }, 100);
    const first = tail.read(at(0), undefined);
    while (log.reads.length === 0) await new Promise((resolve) => setImmediate(resolve));
    let secondAnswered = false;
    const second = tail.read(at(0), undefined).then((page) => ((secondAnswered = true), page));
    release();
    await first;
    expect(log.reads).toHaveLength(2);
    await second;
    expect(secondAnswered).toBe(true);
    expect(log.reads).toHaveLength(2);
  });

  test('a page short of the end answers the requests it covers, as not at the end; the others wait for the next read', async () => {
    const log = logOf(
      [1, 2, 3, 4, 5].map((n) => recorded(n, 'member-1')),
      10,
    );
    const tail = new SharedTailRead(log.read, 2);
    const [behind, ahead] = await Promise.all([tail.read(at(0), undefined), tail.read(at(3), undefined)]);
    expect(behind).toMatchObject({ checkpoint: at(2), isEnd: false });
    expect(ids(behind!)).toEqual(['e1', 'e2']);
    expect(ahead).toMatchObject({ checkpoint: at(5), isEnd: false });
    expect(ids(ahead!)).toEqual(['e4', 'e5']);
    expect(log.reads.map((r) => r.after)).toEqual([0n, 3n]);
  });

  test('a failed read fails the requests it was for, and the next requests read again', async () => {
    let fail = true;
    const tail = new SharedTailRead(async (after) => {
      if (fail) throw new Error('connection lost');
      return { events: [], checkpoint: after, isEnd: true };
    }, 100);
    await expect(Promise.all([tail.read(at(0), undefined), tail.read(at(1), undefined)])).rejects.toThrow('connection lost');
    fail = false;
    await expect(tail.read(at(1), undefined)).resolves.toMatchObject({ checkpoint: at(1), isEnd: true });
  });
});
