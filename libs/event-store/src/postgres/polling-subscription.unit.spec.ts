import type { ReadAllPage, RecordedEvent } from '../event-store.port.ts';
import { START } from '../position.ts';
import type { AppendNotifier } from './notifier.ts';
import { LIVE_BATCHING_MIN_EVENTS, PollingSubscription } from './polling-subscription.ts';

describe('polling subscription', () => {
  test('an append notified while a read was in flight wakes the next read at once, not at the next poll', async () => {
    let received = 0;
    let waitedWithoutNews = 0;
    const notifier = {
      mark: () => received,
      wait: async (timeoutMs: number, signal?: AbortSignal, since?: number) => {
        if (since !== undefined && since !== received) return;
        waitedWithoutNews++;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, timeoutMs);
          signal?.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
        });
      },
    } as unknown as AppendNotifier;
    let reads = 0;
    const read = async (): Promise<ReadAllPage> => {
      reads++;
      // The append commits (and notifies) after this read took its snapshot.
      if (reads === 1) received++;
      return { events: [], checkpoint: { commit: BigInt(reads), prepare: 0n }, isEnd: true };
    };
    const subscription = new PollingSubscription({ read, after: START, batchSize: 10, pollMs: 60_000, notifier, onClose: () => undefined });

    const seen: bigint[] = [];
    for await (const message of subscription) {
      if (message.kind === 'checkpoint') seen.push(message.checkpoint.commit);
      if (seen.length === 2) break;
    }
    expect(seen).toEqual([1n, 2n]);
    expect(waitedWithoutNews).toBe(0);
  });

  test('under a stream of appends, live reads are spaced by liveBatchingMs; a light page is followed at once', async () => {
    // Every wait ends at once, as if each read were followed by an append.
    let received = 0;
    const notifier = { mark: () => received, wait: async () => void received++ } as unknown as AppendNotifier;
    const readAt: number[] = [];
    const sizes = [LIVE_BATCHING_MIN_EVENTS, 1, LIVE_BATCHING_MIN_EVENTS - 1, 0];
    const read = async (): Promise<ReadAllPage> => {
      readAt.push(performance.now());
      const n = readAt.length;
      const events = Array.from({ length: sizes[n - 1] ?? 0 }, (_, i) => ({ id: `${n}-${i}` }) as unknown as RecordedEvent);
      return { events, checkpoint: { commit: BigInt(n), prepare: 0n }, isEnd: true };
    };
    const subscription = new PollingSubscription({
      read,
      after: START,
      batchSize: 500,
      pollMs: 60_000,
      liveBatchingMs: 300,
      notifier,
      onClose: () => undefined,
    });
    let checkpoints = 0;
    for await (const message of subscription) {
      if (message.kind === 'checkpoint' && ++checkpoints === sizes.length) break;
    }
    const gaps = readAt.slice(1).map((t, i) => t - readAt[i]!);
    expect(gaps[0]).toBeGreaterThanOrEqual(290); // after a full page
    expect(gaps[1]).toBeLessThan(150); // after a light one
    expect(gaps[2]).toBeLessThan(150);
  });
});
