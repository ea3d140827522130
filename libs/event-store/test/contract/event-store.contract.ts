import { randomBytes, randomUUID } from 'node:crypto';
import {
  comparePositions,
  IdempotencyConflictError,
  readHistory,
  positionToString,
  START,
  StreamNotFoundError,
  WrongExpectedRevisionError,
  type EventStore,
  type EventToAppend,
  type ExpectedRevision,
  type HistoryFilter,
  type LogFilter,
  type LogPosition,
  type RecordedEvent,
  type Subscription,
  type SubscriptionMessage,
} from '#event-store';

/**
 * The behaviour every event-store adapter promises, run against each of them (PostgreSQL here, EventStoreDB
 * where a server can be reached). Each test uses its own stream category, so one store serves the whole suite.
 */
export interface ContractFactory {
  create(): Promise<EventStore>;
  dispose(store: EventStore): Promise<void>;
  /**
   * Starts an append whose transaction stays open until `commit()`: a writer that took its place in the log
   * before others but commits after them. Adapters whose log has no such window (EventStoreDB orders by commit)
   * leave it out, and that test is skipped for them.
   */
  holdOpenAppend?(store: EventStore, streamId: string, events: EventToAppend[]): Promise<{ commit(): Promise<void> }>;
  /**
   * Takes the server away under the open store and brings it back, keeping its data: every connection the store
   * holds is lost. Runs last in the suite. Adapters whose server cannot be restarted from the test leave it out.
   */
  restartServer?(): Promise<void>;
}

export function describeEventStoreContract(adapterName: string, factory: ContractFactory): void {
  describe(`event store contract: ${adapterName}`, () => {
    let store: EventStore;
    let category: string;
    const stream = (name: string) => `${category}-${name}`;
    const onlyMine = (): LogFilter => ({ categories: [category] });

    beforeAll(async () => {
      store = await factory.create();
    });
    afterAll(async () => {
      await factory.dispose(store);
    });
    beforeEach(() => {
      category = `c${randomBytes(6).toString('hex')}`;
    });

    describe('expected revision', () => {
      // [stream state before, expected revision, revision after or 'conflict']
      const matrix: [string, ExpectedRevision, number | 'conflict'][] = [
        ['absent', 'no_stream', 0],
        ['absent', 'any', 0],
        ['absent', 'stream_exists', 'conflict'],
        ['absent', 0, 'conflict'],
        ['at 0', 'no_stream', 'conflict'],
        ['at 0', 'any', 1],
        ['at 0', 'stream_exists', 1],
        ['at 0', 0, 1],
        ['at 0', 1, 'conflict'],
        ['at 2', 2, 3],
        ['at 2', 1, 'conflict'],
        ['at 2', 5, 'conflict'],
        ['at 2', 'stream_exists', 3],
      ];
      test.each(matrix)('stream %s, expected %s -> %s', async (state, expected, outcome) => {
        const id = stream('s');
        const existing = state === 'absent' ? -1 : Number(state.slice(3));
        for (let i = 0; i <= existing; i++) await store.appendToStream(id, [event('Seeded', { i })], i === 0 ? 'no_stream' : i - 1);

        const attempt = store.appendToStream(id, [event('Attempted')], expected);
        if (outcome === 'conflict') {
          const error = await attempt.then(
            () => undefined,
            (e: unknown) => e,
          );
          expect(error).toBeInstanceOf(WrongExpectedRevisionError);
          expect((error as WrongExpectedRevisionError).actual).toBe(existing === -1 ? undefined : existing);
          expect((error as WrongExpectedRevisionError).streamId).toBe(id);
          const after = await store.readStream(id).catch(() => []);
          expect(after.map((e) => e.type)).not.toContain('Attempted');
        } else {
          expect((await attempt).nextExpectedRevision).toBe(outcome);
          const events = await store.readStream(id);
          expect(events.map((e) => e.revision)).toEqual(range(outcome + 1));
          expect(events.at(-1)?.type).toBe('Attempted');
        }
      });

      test('20 concurrent appends at the same revision: exactly one wins', async () => {
        const id = stream('race');
        await store.appendToStream(id, [event('Created')], 'no_stream');
        const attempts = await Promise.allSettled(range(20).map((i) => store.appendToStream(id, [event('Raced', { i })], 0)));
        const winners = attempts.filter((a) => a.status === 'fulfilled');
        const losers = attempts.filter((a): a is PromiseRejectedResult => a.status === 'rejected');
        expect(winners).toHaveLength(1);
        expect(losers).toHaveLength(19);
        for (const loser of losers) {
          expect(loser.reason).toBeInstanceOf(WrongExpectedRevisionError);
          expect((loser.reason as WrongExpectedRevisionError).actual).toBe(1);
        }
        expect((await store.readStream(id)).map((e) => e.type)).toEqual(['Created', 'Raced']);
      });

      test('20 concurrent creations of one stream with no_stream: exactly one wins', async () => {
        const id = stream('new-race');
        const attempts = await Promise.allSettled(range(20).map((i) => store.appendToStream(id, [event('Created', { i })], 'no_stream')));
        expect(attempts.filter((a) => a.status === 'fulfilled')).toHaveLength(1);
        expect(await store.readStream(id)).toHaveLength(1);
      });
    });

    describe('idempotent retry', () => {
      test('the same event ids again append nothing and answer the original result', async () => {
        const id = stream('idem');
        const batch = [event('A'), event('B')];
        const first = await store.appendToStream(id, batch, 'no_stream');
        const retry = await store.appendToStream(id, batch, 'no_stream');
        const retryAny = await store.appendToStream(id, batch, 'any');
        expect(retry).toEqual(first);
        expect(retryAny).toEqual(first);
        expect((await store.readStream(id)).map((e) => e.id)).toEqual(batch.map((e) => e.id));
      });

      test('a retry after later appends still answers the original result', async () => {
        const id = stream('idem-later');
        const batch = [event('A')];
        const first = await store.appendToStream(id, batch, 'no_stream');
        await store.appendToStream(id, [event('B')], 0);
        expect(await store.appendToStream(id, batch, 'no_stream')).toEqual(first);
        expect(await store.readStream(id)).toHaveLength(2);
      });

      test('concurrent identical appends store the events once', async () => {
        const id = stream('idem-race');
        const batch = [event('A'), event('B')];
        const results = await Promise.all(range(8).map(() => store.appendToStream(id, batch, 'any')));
        for (const r of results) expect(r).toEqual(results[0]);
        expect(await store.readStream(id)).toHaveLength(2);
      });

      test('ids already stored as part of a different append are refused', async () => {
        const id = stream('idem-mismatch');
        const a = event('A');
        await store.appendToStream(id, [a, event('B')], 'no_stream');
        await expect(store.appendToStream(id, [a, event('C')], 'any')).rejects.toBeInstanceOf(IdempotencyConflictError);
        expect(await store.readStream(id)).toHaveLength(2);
      });
    });

    describe('reading a stream', () => {
      test('forwards, backwards, from and up to a revision, bounded', async () => {
        const id = stream('read');
        await store.appendToStream(
          id,
          range(6).map((i) => event('N', { i })),
          'no_stream',
        );
        const revisions = async (options: Parameters<EventStore['readStream']>[1]) =>
          (await store.readStream(id, options)).map((e) => e.revision);
        expect(await revisions({})).toEqual([0, 1, 2, 3, 4, 5]);
        expect(await revisions({ fromRevision: 2 })).toEqual([2, 3, 4, 5]);
        expect(await revisions({ toRevision: 3 })).toEqual([0, 1, 2, 3]);
        expect(await revisions({ fromRevision: 1, toRevision: 3 })).toEqual([1, 2, 3]);
        expect(await revisions({ maxCount: 2 })).toEqual([0, 1]);
        expect(await revisions({ direction: 'backwards' })).toEqual([5, 4, 3, 2, 1, 0]);
        expect(await revisions({ direction: 'backwards', maxCount: 1 })).toEqual([5]);
        expect(await revisions({ direction: 'backwards', fromRevision: 3, toRevision: 1 })).toEqual([3, 2, 1]);
        expect(await revisions({ fromRevision: 9 })).toEqual([]);
      });

      test('revisions and positions order as numbers, not as text (10 comes after 9)', async () => {
        const id = stream('long');
        for (let i = 0; i < 12; i++) await store.appendToStream(id, [event('N', { i })], i === 0 ? 'no_stream' : i - 1);
        const events = await store.readStream(id);
        expect(events.map((e) => e.revision)).toEqual(range(12));
        expect((await store.readStream(id, { direction: 'backwards', maxCount: 3 })).map((e) => e.revision)).toEqual([11, 10, 9]);
        const head = await store.headPosition();
        expect(comparePositions(head, events.at(-1)!.position)).toBeGreaterThanOrEqual(0);
      });

      test('a stream that does not exist is StreamNotFoundError', async () => {
        await expect(store.readStream(stream('missing'))).rejects.toBeInstanceOf(StreamNotFoundError);
      });

      test('recorded events carry stream, revision, type, position and time', async () => {
        const id = stream('shape');
        const before = Date.now();
        const e = event('Shaped', { x: 1 });
        const result = await store.appendToStream(id, [e], 'no_stream');
        const [recorded] = await store.readStream(id);
        expect(recorded).toMatchObject({ id: e.id, streamId: id, revision: 0, type: 'Shaped', data: e.data, metadata: e.metadata });
        expect(recorded!.position).toEqual(result.position);
        expect(recorded!.recordedAt.getTime()).toBeGreaterThanOrEqual(before - 5_000);
      });
    });

    describe('payloads', () => {
      test('unicode and 64 KiB payloads come back byte for byte', async () => {
        const id = stream('bytes');
        const unicode = JSON.stringify({ text: 'Zoë, Ørsted, 日本語, مرحبا, 👩🏽‍💻, e\u0301, \u0000 \u2028 "quoted" \\ back' });
        const spaced = '{ "kept" :  [1, 2.50, "as written"] ,"order":{"b":1,"a":2} }';
        const big = JSON.stringify({ blob: 'x'.repeat(64 * 1024) + 'ü€' });
        expect(Buffer.byteLength(big)).toBeGreaterThanOrEqual(64 * 1024);
        const events = [unicode, spaced, big].map((data) => ({ id: randomUUID(), type: 'Payload', data, metadata: '{"m":"é"}' }));
        await store.appendToStream(id, events, 'no_stream');
        const read = await store.readStream(id);
        expect(read.map((e) => e.data)).toEqual([unicode, spaced, big]);
        expect(read.map((e) => e.metadata)).toEqual(events.map((e) => e.metadata));
      });
    });

    describe('the global log', () => {
      test('reads in one stable order with positions, paged without gaps or repeats', async () => {
        const written: string[] = [];
        for (let i = 0; i < 25; i++) {
          const e = event('Logged', { i });
          written.push(e.id);
          await store.appendToStream(stream(`s${i % 4}`), [e], 'any');
        }
        const paged = await readAllPaged(store, onlyMine(), 7);
        expect(paged.map((e) => e.id)).toEqual(written);
        const again = await readAllPaged(store, onlyMine(), 100);
        expect(again.map((e) => positionToString(e.position))).toEqual(paged.map((e) => positionToString(e.position)));
        for (let i = 1; i < paged.length; i++) expect(comparePositions(paged[i - 1]!.position, paged[i]!.position)).toBeLessThan(0);
      });

      test("under concurrent writers, each stream's events appear in the log in revision order", async () => {
        const streams = range(3).map((i) => stream(`hot${i}`));
        // Many writers hammer a few streams with 'any', so appends to one stream queue behind each other's locks.
        await Promise.all(
          range(16).map(async (w) => {
            for (let i = 0; i < 15; i++) await store.appendToStream(streams[(w + i) % 3]!, [event('Hot', { w, i })], 'any');
          }),
        );
        const log = await readAllPaged(store, onlyMine(), 50);
        expect(log).toHaveLength(16 * 15);
        for (const id of streams) {
          const revisions = log.filter((e) => e.streamId === id).map((e) => e.revision);
          expect(revisions).toEqual(range(revisions.length));
        }
      });

      test('filters by stream category and by event type', async () => {
        const other = `${category}x`;
        await store.appendToStream(stream('a'), [event('Kept'), event('Dropped'), event('Kept')], 'no_stream');
        await store.appendToStream(`${other}-b`, [event('Kept')], 'no_stream');
        const byCategory = await readAllPaged(store, { categories: [category] }, 2);
        expect(byCategory.map((e) => e.streamId)).toEqual([stream('a'), stream('a'), stream('a')]);
        const both = await readAllPaged(store, { categories: [category, other], eventTypes: ['Kept'] }, 2);
        expect(both.map((e) => `${e.streamId}:${e.type}`)).toEqual([`${stream('a')}:Kept`, `${stream('a')}:Kept`, `${other}-b:Kept`]);
      });

      test('the category is everything before the first dash', async () => {
        await store.appendToStream(`${category}-with-more-dashes`, [event('Dashed')], 'no_stream');
        const events = await readAllPaged(store, { categories: [category] }, 10);
        expect(events.map((e) => e.streamId)).toEqual([`${category}-with-more-dashes`]);
      });

      test('head position and the count of events after a position', async () => {
        await store.appendToStream(stream('h'), [event('A'), event('B'), event('C')], 'no_stream');
        const [first] = await store.readStream(stream('h'));
        expect(await store.countEventsAfter(first!.position, onlyMine())).toBe(2);
        expect(await store.countEventsAfter(START, onlyMine())).toBe(3);
        const head = await store.headPosition();
        const [last] = await store.readStream(stream('h'), { direction: 'backwards', maxCount: 1 });
        expect(comparePositions(head, last!.position)).toBeGreaterThanOrEqual(0);
      });
    });

    describe("history (readHistory: the adapter's own query, or the scan fallback)", () => {
      const meta = (actorId: string, correlationId: string) => JSON.stringify({ actorId, correlationId, hash: 'x' });
      const withMeta = (type: string, actorId: string, correlationId: string): EventToAppend => ({
        ...event(type),
        metadata: meta(actorId, correlationId),
      });

      /** Every page of a query, `size` at a time: the ids in reading order. */
      async function pages(filter: HistoryFilter, direction: 'forwards' | 'backwards', size: number): Promise<string[]> {
        const ids: string[] = [];
        let after: LogPosition | undefined;
        for (let n = 0; n < 100; n++) {
          const page = await readHistory(store, { direction, maxCount: size, filter, ...(after ? { after } : {}) });
          ids.push(...page.events.map((e) => e.id));
          if (!page.hasMore) return ids;
          expect(page.events).toHaveLength(size);
          after = page.events.at(-1)!.position;
        }
        throw new Error('history did not end');
      }

      test('filters by stream, category, types, actor, correlation id and recorded time, in both orders', async () => {
        const a = [withMeta('Opened', 'ann', 'c1'), withMeta('Noted', 'bob', 'c1')];
        const b = [withMeta('Opened', 'bob', 'c2')];
        await store.appendToStream(stream('a'), a, 'no_stream');
        await store.appendToStream(stream('b'), b, 'no_stream');
        const c = [withMeta('Closed', 'ann', 'c3')];
        await store.appendToStream(stream('a'), c, 1);
        const all = [...a, ...b, ...c].map((e) => e.id);
        const mine: HistoryFilter = { categories: [category] };
        expect(await pages(mine, 'forwards', 2)).toEqual(all);
        expect(await pages(mine, 'backwards', 2)).toEqual([...all].reverse());
        expect(await pages({ streamId: stream('a') }, 'forwards', 10)).toEqual([a[0]!.id, a[1]!.id, c[0]!.id]);
        expect(await pages({ streamId: stream('a'), categories: [`${category}x`] }, 'forwards', 10)).toEqual([]);
        expect(await pages({ ...mine, eventTypes: ['Opened'] }, 'backwards', 1)).toEqual([b[0]!.id, a[0]!.id]);
        expect(await pages({ ...mine, eventTypes: ['Opened', 'Closed'] }, 'forwards', 2)).toEqual([a[0]!.id, b[0]!.id, c[0]!.id]);
        expect(await pages({ ...mine, actorId: 'ann' }, 'backwards', 1)).toEqual([c[0]!.id, a[0]!.id]);
        expect(await pages({ ...mine, correlationId: 'c1' }, 'forwards', 1)).toEqual([a[0]!.id, a[1]!.id]);
        expect(await pages({ ...mine, actorId: 'bob', correlationId: 'c1' }, 'forwards', 5)).toEqual([a[1]!.id]);

        const recorded = await readHistory(store, { direction: 'forwards', maxCount: 10, filter: mine });
        const times = recorded.events.map((e) => e.recordedAt);
        // Bounds are inclusive at the millisecond the port reports.
        expect(await pages({ ...mine, recordedFrom: times[3]!, recordedTo: times[3]! }, 'forwards', 10)).toContain(c[0]!.id);
        expect(await pages({ ...mine, recordedFrom: times[0]!, recordedTo: times[3]! }, 'backwards', 3)).toEqual([...all].reverse());
        const afterAll = new Date(times[3]!.getTime() + 1);
        expect(await pages({ ...mine, recordedFrom: afterAll }, 'forwards', 10)).toEqual([]);
        expect(await pages({ ...mine, recordedTo: new Date(times[0]!.getTime() - 1) }, 'forwards', 10)).toEqual([]);
      });

      test('a cursor bounds the read exclusively, until inclusively, in the reading direction', async () => {
        const written = range(6).map((i) => event('Step', { i }));
        await store.appendToStream(stream('steps'), written, 'no_stream');
        const log = (await readHistory(store, { direction: 'forwards', maxCount: 10, filter: onlyMine() })).events;
        const ids = log.map((e) => e.id);
        const forwards = await readHistory(store, {
          direction: 'forwards',
          maxCount: 10,
          filter: onlyMine(),
          after: log[1]!.position,
          until: log[4]!.position,
        });
        expect(forwards).toEqual({ events: log.slice(2, 5), hasMore: false });
        const backwards = await readHistory(store, {
          direction: 'backwards',
          maxCount: 2,
          filter: onlyMine(),
          after: log[4]!.position,
          until: log[1]!.position,
        });
        expect(backwards.events.map((e) => e.id)).toEqual([ids[3], ids[2]]);
        expect(backwards.hasMore).toBe(true);
      });

      test('paging while events are appended between pages neither skips nor repeats, in either order', async () => {
        const first = range(5).map((i) => event('Before', { i }));
        await store.appendToStream(stream('paged'), first, 'no_stream');
        const forwards: string[] = [];
        const backwards: string[] = [];
        let forwardCursor: LogPosition | undefined;
        let backwardCursor: LogPosition | undefined;
        const appended: string[] = [];
        for (let round = 0; round < 10; round++) {
          const f = await readHistory(store, {
            direction: 'forwards',
            maxCount: 2,
            filter: onlyMine(),
            ...(forwardCursor ? { after: forwardCursor } : {}),
          });
          forwards.push(...f.events.map((e) => e.id));
          forwardCursor = f.events.at(-1)?.position ?? forwardCursor;
          const b = await readHistory(store, {
            direction: 'backwards',
            maxCount: 2,
            filter: onlyMine(),
            ...(backwardCursor ? { after: backwardCursor } : {}),
          });
          backwards.push(...b.events.map((e) => e.id));
          backwardCursor = b.events.at(-1)?.position ?? backwardCursor;
          if (round < 3) {
            const more = event('Between', { round });
            appended.push(more.id);
            await store.appendToStream(stream(`between${round}`), [more], 'no_stream');
          }
        }
        // Oldest first reaches the events appended meanwhile; newest first walks back from where it started.
        expect(forwards).toEqual([...first.map((e) => e.id), ...appended]);
        expect(backwards).toEqual(first.map((e) => e.id).reverse());
      });
    });

    describe('subscriptions', () => {
      test('catch up, then live, each event once and in log order', async () => {
        const before = range(5).map((i) => event('Before', { i }));
        await store.appendToStream(stream('live'), before, 'no_stream');
        const subscription = store.subscribeToAll({ filter: onlyMine() });
        const reader = collect(subscription);
        await reader.waitFor((s) => s.caughtUp && s.events.length === 5);
        const after = range(3).map((i) => event('After', { i }));
        for (const [i, e] of after.entries()) await store.appendToStream(stream('live'), [e], 4 + i);
        await reader.waitFor((s) => s.events.length === 8);
        await subscription.close();
        expect(reader.state.events.map((e) => e.id)).toEqual([...before, ...after].map((e) => e.id));
      });

      test('resuming from a stored checkpoint delivers exactly the rest', async () => {
        await store.appendToStream(
          stream('resume'),
          range(6).map((i) => event('E', { i })),
          'no_stream',
        );
        const first = store.subscribeToAll({ filter: onlyMine() });
        const seen: RecordedEvent[] = [];
        let checkpoint: LogPosition = START;
        for await (const message of first) {
          if (message.kind !== 'event') continue;
          seen.push(message.event);
          checkpoint = message.event.position;
          if (seen.length === 4) break; // leaving the loop closes the subscription
        }
        await store.appendToStream(stream('resume'), [event('Late')], 5);
        const second = store.subscribeToAll({ after: checkpoint, filter: onlyMine() });
        const reader = collect(second);
        await reader.waitFor((s) => s.events.length === 3);
        await new Promise((resolve) => setTimeout(resolve, 300)); // nothing more may arrive
        await second.close();
        const all = await store.readStream(stream('resume'));
        expect(reader.state.events.map((e) => e.id)).toEqual(all.slice(4).map((e) => e.id));
      });

      // A consumer that commits only on checkpoints (the projection runner does) must see each live append become
      // committable on its own. EventStoreDB checkpoints a live filtered subscription only every 32 records of $all,
      // so on a quiet system an adapter that passed on only the server's checkpoints would leave it stale.
      test('a projection following live appends reaches the head within a second with no further appends', async () => {
        const subscription = store.subscribeToAll({ filter: onlyMine() });
        const projection = followLikeAProjection(subscription);
        try {
          await projection.waitFor((p) => p.caughtUp);
          const appends = [[event('One')], [event('Two'), event('Three')], [event('Four')]];
          for (const [i, events] of appends.entries()) {
            const appended = await store.appendToStream(stream('quiet'), events, i === 0 ? 'no_stream' : 'any');
            const started = Date.now();
            await projection.waitFor((p) => comparePositions(p.committed, appended.position) >= 0, 1_000);
            expect(Date.now() - started).toBeLessThan(1_000);
            expect(projection.state.applied.slice(-events.length)).toEqual(events.map((e) => e.id));
          }
          expect(projection.state.applied).toEqual(appends.flat().map((e) => e.id));
        } finally {
          await subscription.close();
          await projection.done;
        }
      });

      test('an event-type filter applies to subscriptions too', async () => {
        await store.appendToStream(stream('typed'), [event('Wanted'), event('Other'), event('Wanted')], 'no_stream');
        const subscription = store.subscribeToAll({ filter: { categories: [category], eventTypes: ['Wanted'] } });
        const reader = collect(subscription);
        await reader.waitFor((s) => s.caughtUp);
        await subscription.close();
        expect(reader.state.events.map((e) => e.type)).toEqual(['Wanted', 'Wanted']);
      });

      const holdOpen = factory.holdOpenAppend;
      (holdOpen ? test : test.skip)('a transaction held open while later ones commit is neither skipped nor repeated', async () => {
        const subscription = store.subscribeToAll({ filter: onlyMine() });
        const reader = collect(subscription);
        await store.appendToStream(stream('early'), [event('Early')], 'no_stream');
        await reader.waitFor((s) => s.events.length === 1);

        const slow = event('Slow');
        const held = await holdOpen!(store, stream('slow'), [slow]);
        const later = range(10).map((i) => event('Later', { i }));
        await Promise.all(later.map((e, i) => store.appendToStream(stream(`later${i}`), [e], 'no_stream')));

        // A plain reader checkpointing while the slow transaction is open must still find it after the commit.
        const whileOpen = await store.readAll({ after: START, maxCount: 1000, filter: onlyMine() });
        await held.commit();
        const rest = await readAllPaged(store, onlyMine(), 3, whileOpen.checkpoint);
        const plainReader = [...whileOpen.events, ...rest].map((e) => e.id);
        expect(new Set(plainReader).size).toBe(12);
        expect(plainReader).toHaveLength(12);

        await reader.waitFor((s) => s.events.length === 12);
        await new Promise((resolve) => setTimeout(resolve, 300));
        await subscription.close();
        const delivered = reader.state.events.map((e) => e.id);
        expect(delivered).toHaveLength(12);
        expect(new Set(delivered).size).toBe(12);
        expect(delivered).toContain(slow.id);
        // One stable order: what the subscriber saw live is what any later reader sees.
        expect(delivered).toEqual((await readAllPaged(store, onlyMine(), 5)).map((e) => e.id));
        expect(plainReader).toEqual(delivered);
      });
    });

    // Last: it takes every connection of the store away.
    describe('a server restart', () => {
      const restart = factory.restartServer;
      (restart ? test : test.skip)('appends right after it succeed, and a caller retrying an append gets its original answer', async () => {
        const id = stream('restart');
        const before = [event('Before')];
        const first = await store.appendToStream(id, before, 'no_stream');
        await restart!();
        const after = event('After');
        expect((await store.appendToStream(id, [after], 0)).nextExpectedRevision).toBe(1);
        // A caller whose append failed in the restart cannot know it was written: the same ids again are answered once.
        expect(await store.appendToStream(id, before, 'no_stream')).toEqual(first);
        expect((await store.readStream(id)).map((e) => e.id)).toEqual([before[0]!.id, after.id]);
        // A live subscription started after the restart still reaches the head on its own.
        const subscription = store.subscribeToAll({ filter: onlyMine() });
        const projection = followLikeAProjection(subscription);
        try {
          await projection.waitFor((p) => p.caughtUp);
          const last = await store.appendToStream(id, [event('Later')], 1);
          await projection.waitFor((p) => comparePositions(p.committed, last.position) >= 0, 1_000);
        } finally {
          await subscription.close();
          await projection.done;
        }
      });
    });
  });
}

export function event(type: string, data: Record<string, unknown> = {}): EventToAppend {
  return { id: randomUUID(), type, data: JSON.stringify(data), metadata: JSON.stringify({ test: true }) };
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

async function readAllPaged(store: EventStore, filter: LogFilter, pageSize: number, after: LogPosition = START): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  for (let position = after; ;) {
    const page = await store.readAll({ after: position, maxCount: pageSize, filter });
    events.push(...page.events);
    if (page.isEnd) return events;
    position = page.checkpoint;
  }
}

interface Projected {
  /** Ids of the events committed, in order: an event counts only once a checkpoint at or after it arrived. */
  applied: string[];
  committed: LogPosition;
  caughtUp: boolean;
  error?: unknown;
}

/** Consumes a subscription the way the projection runner does: events are buffered and applied at checkpoints. */
function followLikeAProjection(subscription: Subscription) {
  const state: Projected = { applied: [], committed: START, caughtUp: false };
  let buffered: RecordedEvent[] = [];
  const done = (async () => {
    try {
      for await (const message of subscription as AsyncIterable<SubscriptionMessage>) {
        if (message.kind === 'event') {
          buffered.push(message.event);
          continue;
        }
        expect(buffered.every((e) => comparePositions(e.position, message.checkpoint) <= 0)).toBe(true);
        state.applied.push(...buffered.map((e) => e.id));
        buffered = [];
        state.committed = message.checkpoint;
        if (message.caughtUp) state.caughtUp = true;
      }
    } catch (error) {
      state.error = error;
    }
  })();
  return {
    state,
    done,
    async waitFor(predicate: (s: Projected) => boolean, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(state)) {
        if (state.error) throw state.error;
        if (Date.now() > deadline)
          throw new Error(
            `projection: condition not met in ${timeoutMs} ms; committed ${positionToString(state.committed)}, ` +
              `${state.applied.length} applied, ${buffered.length} delivered but not committable`,
          );
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    },
  };
}

interface Collected {
  events: RecordedEvent[];
  caughtUp: boolean;
  error?: unknown;
}

function collect(subscription: Subscription) {
  const state: Collected = { events: [], caughtUp: false };
  const done = (async () => {
    try {
      for await (const message of subscription as AsyncIterable<SubscriptionMessage>) {
        if (message.kind === 'event') state.events.push(message.event);
        else if (message.caughtUp) state.caughtUp = true;
      }
    } catch (error) {
      state.error = error;
    }
  })();
  return {
    state,
    done,
    async waitFor(predicate: (s: Collected) => boolean, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(state)) {
        if (state.error) throw state.error;
        if (Date.now() > deadline)
          throw new Error(
            `subscription: condition not met in ${timeoutMs} ms; got ${state.events.length} events, caughtUp=${state.caughtUp}`,
          );
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
  };
}
