import type { ReadAllPage, RecordedEvent } from '../event-store.port.ts';
import { START } from '../position.ts';
import { AppendNotifier } from './notifier.ts';
import { LIVE_BATCHING_FULL_EVENTS, LIVE_BATCHING_MIN_EVENTS, liveBatchingPauseMs, PollingSubscription } from './polling-subscription.ts';

/** A notifier under a stream of appends: every wait ends at once, as if each read were followed by an append. */
function appendsKeepComing(): AppendNotifier {
  let received = 0;
  return {
    doorbell: () => ({ mark: () => received, wait: async () => void received++, close: () => undefined }),
  } as unknown as AppendNotifier;
}

describe('polling subscription', () => {
  test('an append notified while a read was in flight wakes the next read at once, not at the next poll', async () => {
    let received = 0;
    let waitedWithoutNews = 0;
    const notifier = {
      doorbell: () => ({
        mark: () => received,
        wait: async (timeoutMs: number, signal?: AbortSignal, since?: number) => {
          if (since !== undefined && since !== received) return;
          waitedWithoutNews++;
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, timeoutMs);
            signal?.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
          });
        },
        close: () => undefined,
      }),
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

  test('under a stream of appends, live reads are spaced by liveBatchingMs after a full page; a light page is followed at once', async () => {
    const notifier = appendsKeepComing();
    const readAt: number[] = [];
    const sizes = [LIVE_BATCHING_FULL_EVENTS, 1, LIVE_BATCHING_MIN_EVENTS - 1, 0];
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
    expect(gaps[0]).toBeGreaterThanOrEqual(290); // after a full page: the whole 300 ms
    expect(gaps[1]).toBeLessThan(150); // after a light one
    expect(gaps[2]).toBeLessThan(150);
  });

  test('the pause after a live page is in proportion to it, from LIVE_BATCHING_MIN_EVENTS up to the whole at LIVE_BATCHING_FULL_EVENTS', () => {
    expect(liveBatchingPauseMs(LIVE_BATCHING_MIN_EVENTS - 1, 50)).toBe(0);
    expect(liveBatchingPauseMs(LIVE_BATCHING_MIN_EVENTS, 50)).toBe((50 * LIVE_BATCHING_MIN_EVENTS) / LIVE_BATCHING_FULL_EVENTS);
    expect(liveBatchingPauseMs(LIVE_BATCHING_FULL_EVENTS, 50)).toBe(50);
    expect(liveBatchingPauseMs(10 * LIVE_BATCHING_FULL_EVENTS, 50)).toBe(50);
    expect(liveBatchingPauseMs(LIVE_BATCHING_FULL_EVENTS, 0)).toBe(0);
  });

  test('at 200 appends a second, the pages that a stall let gather shrink back at once: the batching does not hold itself up', async () => {
    // Appends arrive at 200 a second: a read finds those since the previous one. The first read comes after a stall
    // that let LIVE_BATCHING_MIN_EVENTS gather. With a pause of the whole 50 ms after any such page, each read found
    // 10 more (200/s × 50 ms) and paused again: mutations, which wait for their read models, waited up to 50 ms more.
    const perMs = 0.2;
    const notifier = appendsKeepComing();
    const sizes: number[] = [];
    let lastReadAt = performance.now() - LIVE_BATCHING_MIN_EVENTS / perMs;
    const read = async (): Promise<ReadAllPage> => {
      const now = performance.now();
      const count = Math.floor((now - lastReadAt) * perMs);
      lastReadAt += count / perMs;
      sizes.push(count);
      const n = sizes.length;
      const events = Array.from({ length: count }, (_, i) => ({ id: `${n}-${i}` }) as unknown as RecordedEvent);
      return { events, checkpoint: { commit: BigInt(n), prepare: 0n }, isEnd: true };
    };
    const subscription = new PollingSubscription({
      read,
      after: START,
      batchSize: 500,
      pollMs: 60_000,
      liveBatchingMs: 50,
      notifier,
      onClose: () => undefined,
    });
    const started = performance.now();
    for await (const message of subscription) {
      if (message.kind === 'checkpoint' && performance.now() - started > 400) break;
      // Reads that find nothing follow each other at once here: a breath, as a projection's commit would take.
      if (message.kind === 'checkpoint') await new Promise((resolve) => setTimeout(resolve, 1));
    }
    expect(sizes[0]).toBe(LIVE_BATCHING_MIN_EVENTS);
    // After the first, no page large enough to pause again (with the fixed pause, every page of the 400 ms was 10).
    expect(sizes.slice(1).filter((n) => n >= LIVE_BATCHING_MIN_EVENTS)).toEqual([]);
    expect(sizes.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(LIVE_BATCHING_MIN_EVENTS + 60);
  });

  // By type: found by counting the service benchmark's queries. The three projections filtered by event type (webhooks,
  // notification preferences, the outbox) were woken by every mutation, read the tail and wrote their checkpoint:
  // three of the mutation's twelve queries, for events none of them takes.
  test.each([
    {
      by: 'category',
      filter: { categories: ['group'] },
      other: { categories: ['member'], types: ['MemberRegistered'] },
      own: { categories: ['group', 'member'], types: ['MemberRegistered'] },
    },
    {
      by: 'event type',
      filter: { eventTypes: ['WebhookRegistered'] },
      other: { categories: ['group'], types: ['GroupOwnerAssigned'] },
      own: { categories: ['webhook', 'group'], types: ['WebhookRegistered', 'GroupOwnerAssigned'] },
    },
  ])(
    "this process's appends of nothing a subscription filtered by $by takes do not wake it, unless one of its own is still unseen",
    async ({ filter, other, own }) => {
      // A real notifier; its LISTEN connection cannot be made (nothing listens on port 1), which only costs remote news.
      const notifier = new AppendNotifier('postgres://127.0.0.1:1/unused', async () => undefined);
      const append = (written: { categories: string[]; types: string[] }, commit: bigint) =>
        notifier.appended({ categories: new Set(written.categories), types: new Set(written.types), position: { commit, prepare: 1n } });
      let reads = 0;
      let visible = 1n; // what a read sees: the checkpoint it answers
      const read = async (): Promise<ReadAllPage> => {
        reads++;
        return { events: [], checkpoint: { commit: visible, prepare: 0n }, isEnd: true };
      };
      const subscription = new PollingSubscription({
        read,
        after: START,
        batchSize: 10,
        pollMs: 60_000,
        notifier,
        filter,
        onClose: () => undefined,
      });
      const messages = subscription[Symbol.asyncIterator]();
      const settle = () => new Promise((resolve) => setTimeout(resolve, 150));
      try {
        expect((await messages.next()).value).toMatchObject({ kind: 'checkpoint', checkpoint: { commit: 1n } });
        const second = messages.next(); // the subscription now waits for news

        append(other, 3n);
        await settle();
        expect(reads).toBe(1);

        // An append of what it takes; the read does not see it yet (an older transaction holds the horizon back).
        visible = 2n;
        append(own, 5n);
        expect((await second).value).toMatchObject({ kind: 'checkpoint', checkpoint: { commit: 2n } });
        expect(reads).toBe(2);

        // While it is unseen, any other commit wakes the subscription: it may be what releases it.
        const third = messages.next();
        visible = 10n;
        append(other, 6n);
        expect((await third).value).toMatchObject({ kind: 'checkpoint', checkpoint: { commit: 10n } });
        expect(reads).toBe(3);

        // Seen now: the others no longer wake it.
        const fourth = messages.next();
        append(other, 11n);
        await settle();
        expect(reads).toBe(3);
        // A notification without detail (another process's, from an older version) wakes every subscription.
        visible = 12n;
        (notifier as unknown as { wakeLocal(): void }).wakeLocal();
        expect((await fourth).value).toMatchObject({ kind: 'checkpoint', checkpoint: { commit: 12n } });
        expect(reads).toBe(4);
      } finally {
        await subscription.close();
        await messages.return?.(undefined);
        await notifier.close();
      }
    },
  );

  test('reads on its own until a page reaches the end, then from the shared tail; back on its own after a page short of it', async () => {
    const notifier = appendsKeepComing();
    const sources: string[] = [];
    // Which read answers, and whether its page reaches the end, in turn.
    const pages: ['own' | 'tail', boolean][] = [
      ['own', false],
      ['own', true],
      ['tail', true],
      ['tail', false],
      ['own', true],
      ['tail', true],
    ];
    const answer = (source: 'own' | 'tail') => async (): Promise<ReadAllPage> => {
      sources.push(source);
      const n = sources.length;
      return { events: [], checkpoint: { commit: BigInt(n), prepare: 0n }, isEnd: pages[n - 1]?.[1] ?? true };
    };
    const subscription = new PollingSubscription({
      read: answer('own'),
      readTail: answer('tail'),
      after: START,
      batchSize: 10,
      pollMs: 60_000,
      notifier,
      onClose: () => undefined,
    });
    for await (const message of subscription) {
      if (message.kind === 'checkpoint' && sources.length === pages.length) break;
    }
    expect(sources).toEqual(pages.map(([source]) => source));
  });
});
