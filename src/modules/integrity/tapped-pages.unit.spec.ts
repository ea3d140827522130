import type { LogPosition, ReadAllPage, RecordedEvent } from '#event-store';
import { MillisecondTimes } from './leaf-reader.ts';
import { TappedPages } from './sealer.ts';

const at = (commit: number, prepare = 0): LogPosition => ({ commit: BigInt(commit), prepare: BigInt(prepare) });

function event(commit: number): RecordedEvent {
  return {
    id: `e-${commit}`,
    streamId: `s-${commit % 3}`,
    revision: commit,
    type: 'Noted',
    data: '{}',
    metadata: '{}',
    position: at(commit),
    recordedAt: new Date(Date.UTC(2026, 0, 1, 0, 0, commit)),
  };
}

/** A page as a shared tail read gives it: every event of (after, checkpoint]. */
function page(after: number, through: number, isEnd = true): [LogPosition, ReadAllPage] {
  const events = [];
  for (let c = after + 1; c <= through; c++) events.push(event(c));
  return [at(after), { events, checkpoint: at(through), isEnd }];
}

const positions = (taken: ReturnType<TappedPages['take']>) => taken?.leaves.map((l) => l.position);

describe("the pages the sealer takes from others' reads", () => {
  const times = new MillisecondTimes();

  it('continues the fold from a page that starts at or before where it ends, leaving out what it folded', () => {
    const pages = new TappedPages();
    pages.add(...page(2, 6));
    expect(positions(pages.take(at(4), times))).toEqual(['5:0', '6:0']);
    expect(pages.take(at(6), times)).toBeUndefined();
  });

  it('gives nothing across a gap, and drops pages it has folded past', () => {
    const pages = new TappedPages();
    pages.add(...page(0, 3));
    pages.add(...page(8, 10));
    // Folded through 5: the first page is behind, the second starts past it (6 to 8 must be read).
    expect(pages.take(at(5), times)).toBeUndefined();
    expect(positions(pages.take(at(8), times))).toEqual(['9:0', '10:0']);
  });

  it('finds a page that continues the fold behind one read later from further on', () => {
    const pages = new TappedPages();
    pages.add(...page(7, 9));
    pages.add(...page(3, 7, false));
    const first = pages.take(at(4), times);
    expect(positions(first)).toEqual(['5:0', '6:0', '7:0']);
    expect(first?.isEnd).toBe(false);
    expect(positions(pages.take(at(7), times))).toEqual(['8:0', '9:0']);
  });

  it('keeps the leaves as the port reader makes them, and forgets the oldest pages past its bound', () => {
    const pages = new TappedPages();
    pages.add(...page(0, 1));
    const [leaf] = pages.take(at(0), times)!.leaves;
    expect(leaf).toEqual({ hash: '', position: '1:0', streamId: 's-1', revision: 1, recordedAt: '2026-01-01T00:00:01.000Z' });
    // 60,000 events in pages of 10,000: all but the last two pages go.
    for (let from = 0; from < 60_000; from += 10_000) pages.add(...page(from, from + 10_000));
    expect(pages.take(at(5_000), times)).toBeUndefined();
    expect(pages.take(at(50_000), times)?.leaves).toHaveLength(10_000);
  });
});
