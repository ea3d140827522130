import type { ReadAllPage } from '../event-store.port.ts';
import { START } from '../position.ts';
import type { AppendNotifier } from './notifier.ts';
import { PollingSubscription } from './polling-subscription.ts';

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
});
