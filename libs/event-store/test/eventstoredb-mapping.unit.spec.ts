import { randomUUID } from 'node:crypto';
import { PassThrough } from 'node:stream';
import {
  ANY,
  EventStoreDBClient,
  NO_STREAM,
  STREAM_EXISTS,
  StreamNotFoundError as ClientStreamNotFoundError,
  UnavailableError,
  WrongExpectedVersionError,
  binaryEvent,
  type SubscribeToAllOptions,
} from '@eventstore/db-client';
import { Subscription as ClientSubscription } from '@eventstore/db-client/dist/streams/utils/Subscription.js';
import { convertGrpcEvent, convertGrpcRecord } from '@eventstore/db-client/dist/utils/convertGrpcEvent.js';
import { ReadResp } from '@eventstore/db-client/generated/streams_pb.js';
import { StreamIdentifier, UUID } from '@eventstore/db-client/generated/shared_pb.js';
import {
  EventStoreFailureError,
  EventStoreUnavailableError,
  InvalidAppendError,
  StreamNotFoundError,
  WrongExpectedRevisionError,
  type EventToAppend,
  type LogPosition,
  type RecordedEvent,
  type SubscriptionMessage,
} from '#event-store';
import { START } from '../src/position.ts';
import {
  ReadAllPageCollector,
  classifyPriorAppend,
  decodeMetadata,
  encodeEvent,
  escapeRegex,
  isAfter,
  isSystemRecord,
  isVisible,
  mapClientError,
  matchesFilter,
  serverFilterSpec,
  toClientExpectedRevision,
  toClientReadPosition,
  toRecordedEvent,
  validateAppend,
} from '../src/eventstoredb/eventstoredb-mapping.ts';
import { MessageSequencer } from '../src/eventstoredb/message-sequencer.ts';
import { EventStoreDbEventStore } from '../src/eventstoredb/index.ts';
import { EventStoreDbSubscription, HIGH_WATER } from '../src/eventstoredb/eventstoredb-subscription.ts';

const pos = (commit: number, prepare = commit): LogPosition => ({ commit: BigInt(commit), prepare: BigInt(prepare) });

describe('EventStoreDB mapping: expected revision', () => {
  test.each([
    [0, 0n],
    [7, 7n],
    ['no_stream', NO_STREAM],
    ['stream_exists', STREAM_EXISTS],
    ['any', ANY],
  ] as const)('%s -> %s', (expected, client) => {
    expect(toClientExpectedRevision(expected)).toBe(client);
  });

  test('large revisions stay exact as bigints', () => {
    expect(toClientExpectedRevision(Number.MAX_SAFE_INTEGER)).toBe(9007199254740991n);
  });
});

describe('EventStoreDB mapping: positions and exclusivity of `after`', () => {
  test('START and no position read from the client START; anything else from that position', () => {
    expect(toClientReadPosition(undefined)).toBe('start');
    expect(toClientReadPosition(START)).toBe('start');
    expect(toClientReadPosition({ commit: 0n, prepare: 0n })).toBe('start');
    expect(toClientReadPosition(pos(120, 118))).toEqual({ commit: 120n, prepare: 118n });
  });

  test('a record is after `after` only when strictly greater, comparing (commit, prepare) as a pair', () => {
    expect(isAfter(pos(100), undefined)).toBe(true);
    expect(isAfter(pos(100), pos(100))).toBe(false);
    expect(isAfter(pos(99), pos(100))).toBe(false);
    expect(isAfter(pos(101), pos(100))).toBe(true);
    expect(isAfter(pos(100, 100), pos(100, 0))).toBe(true);
    expect(isAfter(pos(100, 50), pos(100, 60))).toBe(false);
  });

  test('readAll drops the record at exactly `after` (the client reads inclusively) and counts from the next', () => {
    const collector = new ReadAllPageCollector(pos(200), 10, undefined);
    for (const [p, id] of [
      [200, 'at-after'],
      [300, 'first'],
      [400, 'second'],
    ] as const)
      collector.offer(pos(p), 'cat-1', 'T', () => recorded(id, p));
    const page = collector.page();
    expect(page.events.map((e) => e.id)).toEqual(['first', 'second']);
    expect(page.checkpoint).toEqual(pos(400));
    expect(page.isEnd).toBe(true);
  });

  test('a full page ends at its last event; the next scan resumes there and skips the repeated record', () => {
    const first = new ReadAllPageCollector(undefined, 2, undefined);
    const offers = [100, 200, 300, 400];
    for (const p of offers) first.offer(pos(p), 'cat-1', 'T', () => recorded(`e${p}`, p));
    expect(first.page()).toEqual({ events: [recorded('e100', 100), recorded('e200', 200)], checkpoint: pos(200), isEnd: false });

    const second = new ReadAllPageCollector(first.page().checkpoint, 2, undefined);
    for (const p of [200, 300, 400]) second.offer(pos(p), 'cat-1', 'T', () => recorded(`e${p}`, p));
    expect(second.page().events.map((e) => e.id)).toEqual(['e300', 'e400']);
  });

  test('system and filtered-out records move the checkpoint without being returned', () => {
    const collector = new ReadAllPageCollector(undefined, 5, { categories: ['mine'] });
    collector.offer(pos(10), 'mine-1', 'Opened', () => recorded('a', 10));
    collector.offer(pos(20), 'other-1', 'Opened', () => recorded('b', 20));
    collector.offer(pos(30), '$stats-127.0.0.1:2113', '$statsCollected', () => recorded('c', 30));
    const page = collector.page();
    expect(page.events.map((e) => e.id)).toEqual(['a']);
    expect(page.checkpoint).toEqual(pos(30));
    expect(page.isEnd).toBe(true);
  });

  test('with nothing scanned the checkpoint stays at `after`, or START', () => {
    expect(new ReadAllPageCollector(pos(5), 3, undefined).page()).toEqual({ events: [], checkpoint: pos(5), isEnd: true });
    expect(new ReadAllPageCollector(undefined, 3, undefined).page().checkpoint).toEqual(START);
  });

  test('the events of a page are only materialised when returned', () => {
    const collector = new ReadAllPageCollector(undefined, 1, { eventTypes: ['Kept'] });
    const built: string[] = [];
    const make = (id: string, p: number) => () => (built.push(id), recorded(id, p));
    collector.offer(pos(1), 'c-1', 'Dropped', make('x', 1));
    collector.offer(pos(2), 'c-1', 'Kept', make('y', 2));
    collector.offer(pos(3), 'c-1', 'Kept', make('z', 3));
    expect(built).toEqual(['y']);
    expect(collector.isFull).toBe(true);
  });
});

describe('EventStoreDB mapping: categories, event types and system records', () => {
  test('system records are streams or event types starting with $', () => {
    expect(isSystemRecord('$stats-127.0.0.1:2113', '$statsCollected')).toBe(true);
    expect(isSystemRecord('$$member-1', '$metadata')).toBe(true);
    expect(isSystemRecord('member-1', '$>')).toBe(true);
    expect(isSystemRecord('member-1', 'MemberJoined')).toBe(false);
  });

  test('the category is the part before the first dash', () => {
    const filter = { categories: ['training_enrolment'] };
    expect(matchesFilter('training_enrolment-p1-m2', 'Enrolled', filter)).toBe(true);
    expect(matchesFilter('training_enrolment', 'Enrolled', filter)).toBe(true);
    expect(matchesFilter('training_enrolmentx-p1', 'Enrolled', filter)).toBe(false);
    expect(matchesFilter('training-enrolment-p1', 'Enrolled', filter)).toBe(false);
  });

  test('categories and event types both apply; absent lists do not filter, empty lists match nothing', () => {
    const both = { categories: ['group', 'member'], eventTypes: ['Joined'] };
    expect(matchesFilter('group-1', 'Joined', both)).toBe(true);
    expect(matchesFilter('group-1', 'Left', both)).toBe(false);
    expect(matchesFilter('privacy-1', 'Joined', both)).toBe(false);
    expect(matchesFilter('privacy-1', 'Anything', undefined)).toBe(true);
    expect(matchesFilter('privacy-1', 'Anything', {})).toBe(true);
    expect(matchesFilter('privacy-1', 'Anything', { categories: [] })).toBe(false);
    expect(matchesFilter('privacy-1', 'Anything', { eventTypes: [] })).toBe(false);
  });

  test('visible means not a system record and matching the filter', () => {
    expect(isVisible('member-1', 'Joined', undefined)).toBe(true);
    expect(isVisible('$et-Joined', 'Joined', undefined)).toBe(false);
    expect(isVisible('member-1', '$>', { categories: ['member'] })).toBe(false);
  });
});

describe('EventStoreDB mapping: server-side subscription filter', () => {
  // The server evaluates the regex with .NET; \uXXXX escapes, (?:...), (?!) and anchors read the same in JavaScript.
  const serverMatches = (spec: { regex: string }, text: string) => new RegExp(spec.regex).test(text);

  test('categories become an anchored stream-name regex that stops at the first dash', () => {
    const spec = serverFilterSpec({ categories: ['moderation_case', 'member'] });
    expect(spec.filterOn).toBe('streamName');
    for (const stream of ['moderation_case-1', 'member-9-x', 'member']) expect(serverMatches(spec, stream)).toBe(true);
    for (const stream of ['membership-1', 'xmember-1', '$ce-member', 'moderation_casex-1']) expect(serverMatches(spec, stream)).toBe(false);
  });

  test('regex metacharacters in names are matched literally', () => {
    const spec = serverFilterSpec({ categories: ['a.b', 'c+d', 'e$'] });
    expect(serverMatches(spec, 'a.b-1')).toBe(true);
    expect(serverMatches(spec, 'axb-1')).toBe(false);
    expect(serverMatches(spec, 'c+d-1')).toBe(true);
    expect(serverMatches(spec, 'ccd-1')).toBe(false);
    expect(serverMatches(spec, 'e$-1')).toBe(true);
    expect(escapeRegex('a.b')).toBe('a\\u002eb');
  });

  test('a category containing a dash can match no stream, so the server is asked for nothing', () => {
    const spec = serverFilterSpec({ categories: ['a-b'] });
    expect(serverMatches(spec, 'a-b-1')).toBe(false);
    expect(serverMatches(spec, 'a-b')).toBe(false);
  });

  test('event types alone become an exact event-type regex; no filter still drops system types', () => {
    const types = serverFilterSpec({ eventTypes: ['Joined', 'Left'] });
    expect(types.filterOn).toBe('eventType');
    expect(serverMatches(types, 'Joined')).toBe(true);
    expect(serverMatches(types, 'JoinedLate')).toBe(false);
    expect(serverMatches(types, 'ReJoined')).toBe(false);
    const none = serverFilterSpec(undefined);
    expect(none.filterOn).toBe('eventType');
    expect(serverMatches(none, 'Joined')).toBe(true);
    expect(serverMatches(none, '$statsCollected')).toBe(false);
  });

  test('with both, the server narrows by category and the adapter by type', () => {
    expect(serverFilterSpec({ categories: ['group'], eventTypes: ['Joined'] }).filterOn).toBe('streamName');
  });
});

describe('EventStoreDB mapping: payloads survive the real client byte for byte', () => {
  const payloads: [string, string, string][] = [
    ['compact JSON', '{"a":1,"b":[true,null]}', '{"actorId":"m-1","reason":"spam"}'],
    ['spacing and key order as written', '{ "kept" :  [1, 2.50, "as written"] ,"order":{"b":1,"a":2} }', '{ "b": 1, "a": 2.50 }'],
    ['unicode', JSON.stringify({ t: 'Zoë 日本語 👩🏽‍💻 e\u0301 \u2028' }), '{"m":"é"}'],
    ['escapes a re-serialisation would change', '{"s":"\\u00e9\\/"}', '{"n":1e3,"d":{"a":1,"a":2}}'],
    ['a leading byte order mark', '\uFEFF{"a":1}', '\uFEFF{"m":1}'],
    ['empty metadata', '{}', ''],
    ['non-object JSON metadata', '[1,2]', '"just a string"'],
  ];

  test.each(payloads)('%s', (_name, data, metadata) => {
    const event: EventToAppend = { id: randomUUID(), type: 'Payload', data, metadata };
    const encoded = encodeEvent(event);
    const sent = binaryEvent({ id: encoded.id, type: encoded.type, data: encoded.data, metadata: encoded.metadata });
    // The client copies raw bytes to the wire only for octet-stream data and for metadata that is exactly a Uint8Array.
    expect(sent.contentType).toBe('application/octet-stream');
    expect((sent.metadata as Uint8Array).constructor).toBe(Uint8Array);

    const recordedByServer = grpcRecordedEvent({
      id: sent.id,
      type: sent.type,
      stream: 'payload-1',
      data: sent.data,
      metadata: sent.metadata as Uint8Array,
    });
    const read = toRecordedEvent(convertGrpcRecord(recordedByServer));
    expect(read.data).toBe(data);
    expect(read.metadata).toBe(metadata);
    expect(Buffer.from(read.data, 'utf8').equals(Buffer.from(data, 'utf8'))).toBe(true);
  });

  test('canonical JSON metadata is stored as plain JSON, anything else behind a byte order mark', () => {
    expect(Buffer.from(encodeEvent({ id: randomUUID(), type: 'T', data: '{}', metadata: '{"a":1}' }).metadata).toString('utf8')).toBe(
      '{"a":1}',
    );
    expect([...encodeEvent({ id: randomUUID(), type: 'T', data: '{}', metadata: '{ "a": 1 }' }).metadata.subarray(0, 3)]).toEqual([
      0xef, 0xbb, 0xbf,
    ]);
  });

  test('metadata of events written by other tools: parsed JSON is re-serialised, no metadata is empty', () => {
    expect(decodeMetadata({ a: 1 })).toBe('{"a":1}');
    expect(decodeMetadata(undefined)).toBe('');
    expect(decodeMetadata(null)).toBe('null');
  });

  test('recorded events carry id, stream, revision, type, position and the server time', () => {
    const id = randomUUID();
    const recordedAt = new Date(Date.UTC(2025, 0, 2, 3, 4, 5, 678));
    // The server sends "created" as 100-nanosecond ticks since the Unix epoch.
    const createdTicks = BigInt(recordedAt.getTime()) * 10_000n + 1234n;
    const read = toRecordedEvent(
      convertGrpcRecord(
        grpcRecordedEvent({
          id,
          type: 'Joined',
          stream: 'member-7',
          revision: 41n,
          commit: 9001n,
          prepare: 9000n,
          createdTicks,
          data: new TextEncoder().encode('{}'),
          metadata: new Uint8Array(),
        }),
      ),
    );
    expect(read).toEqual({
      id,
      streamId: 'member-7',
      revision: 41,
      type: 'Joined',
      data: '{}',
      metadata: '',
      position: { commit: 9001n, prepare: 9000n },
      recordedAt,
    });
  });
});

describe('EventStoreDB mapping: appends', () => {
  const ok = (): EventToAppend => ({ id: randomUUID(), type: 'T', data: '{}', metadata: '{}' });

  test('refuses what the PostgreSQL adapter refuses, before any network call', () => {
    expect(() => validateAppend('', [ok()], 'any')).toThrow(InvalidAppendError);
    expect(() => validateAppend('s-1', [], 'any')).toThrow(InvalidAppendError);
    expect(() => validateAppend('s-1', [ok()], -1)).toThrow(InvalidAppendError);
    expect(() => validateAppend('s-1', [ok()], 1.5)).toThrow(InvalidAppendError);
    expect(() => validateAppend('s-1', [{ ...ok(), id: 'not-a-uuid' }], 'any')).toThrow(InvalidAppendError);
    expect(() => validateAppend('s-1', [{ ...ok(), type: '' }], 'any')).toThrow(InvalidAppendError);
    const twice = ok();
    expect(() => validateAppend('s-1', [twice, { ...twice, id: twice.id.toUpperCase() }], 'any')).toThrow(InvalidAppendError);
    expect(() => validateAppend('$system', [ok()], 'any')).toThrow(InvalidAppendError);
    expect(() => validateAppend('s-1', [ok(), ok()], 3)).not.toThrow();
  });

  test('event ids go to the server lowercased, as EventStoreDB returns them', () => {
    const id = randomUUID().toUpperCase();
    expect(encodeEvent({ id, type: 'T', data: '{}', metadata: '{}' }).id).toBe(id.toLowerCase());
  });

  test('a refused append whose ids are the same contiguous run is a retry of that append', () => {
    expect(classifyPriorAppend(['a', 'b', 'c', 'd'], ['b', 'c'])).toEqual({ kind: 'same', lastRevision: 2 });
    expect(classifyPriorAppend(['a', 'b'], ['A', 'B'])).toEqual({ kind: 'same', lastRevision: 1 });
  });

  test('ids stored in another arrangement are a conflict; unknown ids a plain revision conflict', () => {
    expect(classifyPriorAppend(['a', 'b'], ['a', 'c'])).toEqual({ kind: 'conflict', eventId: 'a' });
    expect(classifyPriorAppend(['a', 'b', 'c'], ['a', 'c'])).toEqual({ kind: 'conflict', eventId: 'a' });
    expect(classifyPriorAppend(['a', 'b'], ['x', 'b'])).toEqual({ kind: 'conflict', eventId: 'b' });
    expect(classifyPriorAppend(['a', 'b'], ['x', 'y'])).toEqual({ kind: 'absent' });
    expect(classifyPriorAppend([], ['x'])).toEqual({ kind: 'absent' });
  });
});

describe('EventStoreDB mapping: client errors become errors of the port', () => {
  const context = { streamId: 'group-1', expected: 3 as const };

  test('a wrong expected version carries the actual revision, or undefined when the stream does not exist', () => {
    const atFive = mapClientError(new WrongExpectedVersionError(undefined, { streamName: 'group-1', expected: 3n, current: 5n }), context);
    expect(atFive).toBeInstanceOf(WrongExpectedRevisionError);
    expect(atFive).toMatchObject({ streamId: 'group-1', expected: 3, actual: 5 });
    const absent = mapClientError(
      new WrongExpectedVersionError(undefined, { streamName: 'group-1', expected: 3n, current: NO_STREAM }),
      context,
    );
    expect(absent).toMatchObject({ actual: undefined });
  });

  test('a missing stream on read is StreamNotFoundError', () => {
    expect(mapClientError(new ClientStreamNotFoundError(undefined, 'group-1'), { streamId: 'group-1' })).toBeInstanceOf(
      StreamNotFoundError,
    );
  });

  test('unavailable, deadline, raw gRPC status 14 and discovery failures are EventStoreUnavailableError', () => {
    expect(mapClientError(new UnavailableError())).toBeInstanceOf(EventStoreUnavailableError);
    const grpc = Object.assign(new Error('14 UNAVAILABLE: No connection established'), { code: 14, details: 'No connection established' });
    expect(mapClientError(grpc)).toBeInstanceOf(EventStoreUnavailableError);
    const deadline = Object.assign(new Error('4 DEADLINE_EXCEEDED'), { code: 4, details: 'Deadline exceeded' });
    expect(mapClientError(deadline)).toBeInstanceOf(EventStoreUnavailableError);
    expect(mapClientError(new Error('Failed to discover after 10 attempts.'))).toBeInstanceOf(EventStoreUnavailableError);
  });

  test('anything else is EventStoreFailureError with the client error as cause', () => {
    const raw = new Error('something odd');
    const mapped = mapClientError(raw);
    expect(mapped).toBeInstanceOf(EventStoreFailureError);
    expect(mapped.cause).toBe(raw);
    expect(mapClientError('a string')).toBeInstanceOf(EventStoreFailureError);
  });
});

describe('EventStoreDB subscription: signals stay in order with events', () => {
  test('a signal raised while events are still buffered comes out after them', () => {
    const sequencer = new MessageSequencer<string>();
    expect(sequencer.eventDelivered()).toEqual([]);
    // caughtUp fired while two earlier events were still in the stream's buffer
    expect(sequencer.signal('caughtUp', 2)).toEqual([]);
    expect(sequencer.eventDelivered()).toEqual([]);
    expect(sequencer.eventDelivered()).toEqual(['caughtUp']);
    expect(sequencer.deliveredCount).toBe(3);
  });

  test('a signal with nothing buffered is due at once, and several keep their order', () => {
    const sequencer = new MessageSequencer<string>();
    expect(sequencer.signal('first', 0)).toEqual(['first']);
    expect(sequencer.signal('second', 1)).toEqual([]);
    expect(sequencer.signal('third', 1)).toEqual([]);
    expect(sequencer.eventDelivered()).toEqual(['second', 'third']);
  });
});

describe("EventStoreDB subscription over the client's own stream (scripted gRPC responses, no server)", () => {
  // The client's Subscription transform is used as is; only the gRPC response stream under it is scripted.
  function scripted() {
    const grpc = Object.assign(new PassThrough({ objectMode: true }), { cancelled: false, cancel: () => undefined as void });
    grpc.cancel = () => {
      grpc.cancelled = true;
      grpc.destroy();
    };
    let requested: SubscribeToAllOptions | undefined;
    const client = {
      subscribeToAll(options?: SubscribeToAllOptions) {
        requested = options;
        return new ClientSubscription(() => Promise.resolve(grpc as never), convertGrpcEvent, {}, options?.filter?.checkpointReached);
      },
    } as unknown as EventStoreDBClient;
    return { client, grpc, requested: () => requested };
  }

  const eventAt = (stream: string, type: string, at: number) => {
    const readEvent = new ReadResp.ReadEvent();
    readEvent.setEvent(
      grpcRecordedEvent({
        id: randomUUID(),
        type,
        stream,
        commit: BigInt(at),
        prepare: BigInt(at),
        data: new TextEncoder().encode(`{"at":${at}}`),
        metadata: new Uint8Array(),
      }),
    );
    readEvent.setCommitPosition(String(at));
    return new ReadResp().setEvent(readEvent);
  };
  const caughtUp = () => new ReadResp().setCaughtUp(new ReadResp.CaughtUp());
  const checkpointAt = (at: number) =>
    new ReadResp().setCheckpoint(new ReadResp.Checkpoint().setCommitPosition(String(at)).setPreparePosition(String(at)));
  const describeMessage = (m: SubscriptionMessage) =>
    m.kind === 'event' ? `${m.event.streamId}@${m.event.position.commit}` : `checkpoint@${m.checkpoint.commit}${m.caughtUp ? ' live' : ''}`;

  async function take(subscription: EventStoreDbSubscription, n: number): Promise<string[]> {
    const out: string[] = [];
    for await (const message of subscription) {
      out.push(describeMessage(message));
      if (out.length === n) break;
    }
    return out;
  }

  /** Up to `n` messages, or what arrived within `ms`: a missing message shows as a shorter list, not a hang. */
  async function takeWithin(subscription: EventStoreDbSubscription, n: number, ms = 300): Promise<string[]> {
    const out: string[] = [];
    const iterator = subscription[Symbol.asyncIterator]();
    const deadline = Date.now() + ms;
    while (out.length < n) {
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timeout'>(
        (resolve) => (timer = setTimeout(() => resolve('timeout'), Math.max(0, deadline - Date.now()))),
      );
      const result = await Promise.race([iterator.next(), timedOut]);
      clearTimeout(timer);
      if (result === 'timeout' || result.done) break;
      out.push(describeMessage(result.value));
    }
    return out;
  }

  // Regression tests, not proof: the gRPC messages below are what a reading of the 24.10 server source says it
  // sends; no server ran here. Filtered $all subscriptions: live checkpoints are sent only every
  // checkpointIntervalMultiplier × maxSearchWindow (32 with the client's defaults) committed records
  // (EventStore v24.10.x src/EventStore.Core/Services/SubscriptionsService.cs ProcessEventCommited, forwarded by
  // src/EventStore.Core/Services/Transport/Enumerators/Enumerator.AllSubscriptionFiltered.cs GoLive; the 32 is
  // Enumerator.cs ReadBatchSize). Here the server sends none at all after caught-up, as for the first 31 records.
  test('live filtered subscription: each record passed is committable at once, without a server checkpoint', async () => {
    const { client, grpc } = scripted();
    const subscription = new EventStoreDbSubscription(client, { filter: { categories: ['group'] } }, () => undefined);
    grpc.write(caughtUp());
    expect(await takeWithin(subscription, 1)).toEqual(['checkpoint@0 live']);
    grpc.write(eventAt('group-1', 'Joined', 50));
    expect(await takeWithin(subscription, 2)).toEqual(['group-1@50', 'checkpoint@50 live']);
    // A record the server lets through but the port's filter drops still moves the checkpoint.
    grpc.write(eventAt('groupie-1', 'Joined', 60));
    expect(await takeWithin(subscription, 1)).toEqual(['checkpoint@60 live']);
    await subscription.close();
  });

  test('live filtered subscription: a burst read late costs one checkpoint, after its last event', async () => {
    const { client, grpc } = scripted();
    const subscription = new EventStoreDbSubscription(client, {}, () => undefined);
    grpc.write(caughtUp());
    for (let i = 1; i <= 5; i++) grpc.write(eventAt(`group-${i}`, 'Joined', i * 10));
    await new Promise((resolve) => setTimeout(resolve, 50)); // nobody reads while the burst arrives
    expect(await takeWithin(subscription, 10)).toEqual([
      'checkpoint@0 live',
      ...Array.from({ length: 5 }, (_, i) => `group-${i + 1}@${(i + 1) * 10}`),
      'checkpoint@50 live',
    ]);
    await subscription.close();
  });

  test('before caught-up, only the server decides checkpoints (catch-up reads send them every 32 records)', async () => {
    const { client, grpc } = scripted();
    const subscription = new EventStoreDbSubscription(client, {}, () => undefined);
    grpc.write(eventAt('group-1', 'Joined', 10));
    grpc.write(eventAt('group-2', 'Joined', 20));
    expect(await takeWithin(subscription, 3)).toEqual(['group-1@10', 'group-2@20']);
    await subscription.close();
  });

  test('asks the server for a category filter from the given position', () => {
    const { client, requested } = scripted();
    const subscription = new EventStoreDbSubscription(client, { after: pos(70), filter: { categories: ['group'] } }, () => undefined);
    expect(requested()?.fromPosition).toEqual({ commit: 70n, prepare: 70n });
    expect(requested()?.filter).toMatchObject({ filterOn: 'streamName', regex: '^(?:group)(?:-|$)' });
    void subscription.close();
  });

  test('events in log order; system, filtered and already-seen records dropped; caught-up after the events before it', async () => {
    const { client, grpc } = scripted();
    const subscription = new EventStoreDbSubscription(
      client,
      { after: pos(5), filter: { categories: ['group'], eventTypes: ['Joined'] } },
      () => undefined,
    );
    for (const message of [
      eventAt('group-1', 'Joined', 5), // at `after`: already seen
      eventAt('group-1', 'Joined', 10),
      eventAt('group-1', 'Left', 20),
      eventAt('$stats-1', '$statsCollected', 30),
      eventAt('group-2', 'Joined', 40),
      checkpointAt(45),
      caughtUp(),
      eventAt('group-3', 'Joined', 50),
    ])
      grpc.write(message);
    expect(await takeWithin(subscription, 7)).toEqual([
      'group-1@10',
      'group-2@40',
      'checkpoint@45',
      'checkpoint@45 live',
      'group-3@50',
      'checkpoint@50 live',
    ]);
    await subscription.close();
  });

  // HIGH_WATER + 5: the stream is paused with five events still in the client's buffer when caught-up is signalled.
  test.each([HIGH_WATER + 5, 2_000])(
    'a slow consumer pauses the stream; caught-up still follows every earlier event (%i events)',
    async (total) => {
      const { client, grpc } = scripted();
      const subscription = new EventStoreDbSubscription(client, {}, () => undefined);
      for (let i = 1; i <= total; i++) grpc.write(eventAt(`group-${i}`, 'Joined', i * 10));
      grpc.write(caughtUp());
      grpc.write(eventAt('group-live', 'Joined', (total + 1) * 10));
      await new Promise((resolve) => setTimeout(resolve, 50)); // let the buffers fill while nobody reads
      const seen = await takeWithin(subscription, total + 4, 5_000);
      expect(seen.slice(0, total)).toEqual(Array.from({ length: total }, (_, i) => `group-${i + 1}@${(i + 1) * 10}`));
      // The live event is committable on its own: the server would not checkpoint it for another 31 records.
      expect(seen.slice(total)).toEqual([
        `checkpoint@${total * 10} live`,
        `group-live@${(total + 1) * 10}`,
        `checkpoint@${(total + 1) * 10} live`,
      ]);
      await subscription.close();
    },
  );

  test('leaving the loop early unsubscribes', async () => {
    const { client, grpc } = scripted();
    let closed = false;
    const subscription = new EventStoreDbSubscription(client, {}, () => (closed = true));
    grpc.write(eventAt('group-1', 'Joined', 10));
    grpc.write(eventAt('group-2', 'Joined', 20));
    expect(await take(subscription, 1)).toEqual(['group-1@10']);
    await subscription.close();
    expect(grpc.cancelled).toBe(true);
    expect(closed).toBe(true);
    expect(await take(subscription, 1)).toEqual([]);
  });

  test('a broken connection ends the iteration with EventStoreUnavailableError, after what arrived before it', async () => {
    const { client, grpc } = scripted();
    const subscription = new EventStoreDbSubscription(client, {}, () => undefined);
    grpc.write(eventAt('group-1', 'Joined', 10));
    setTimeout(
      () =>
        grpc.destroy(
          Object.assign(new Error('14 UNAVAILABLE: Connection dropped'), { code: 14, details: 'Connection dropped', metadata: undefined }),
        ),
      20,
    );
    const seen: string[] = [];
    const run = async () => {
      for await (const message of subscription) seen.push(describeMessage(message));
    };
    await expect(run()).rejects.toBeInstanceOf(EventStoreUnavailableError);
    expect(seen).toEqual(['group-1@10']);
  });

  test('the server ending the subscription is an error, not a quiet end', async () => {
    const { client, grpc } = scripted();
    const subscription = new EventStoreDbSubscription(client, {}, () => undefined);
    setTimeout(() => grpc.end(), 10);
    await expect(take(subscription, 1)).rejects.toBeInstanceOf(EventStoreUnavailableError);
  });
});

describe('EventStoreDB adapter without a server (real client, closed port)', () => {
  // Port 1 on the loopback interface refuses connections: the client fails the way it does when the server is down.
  let store: EventStoreDbEventStore;
  beforeEach(() => {
    store = new EventStoreDbEventStore(EventStoreDBClient.connectionString('esdb://127.0.0.1:1?tls=false&maxDiscoverAttempts=1'));
  });
  afterEach(async () => {
    await store.close();
  });

  test('every operation fails with EventStoreUnavailableError, never a raw client error', async () => {
    const event: EventToAppend = { id: randomUUID(), type: 'T', data: '{}', metadata: '{}' };
    await expect(store.appendToStream('s-1', [event], 'any')).rejects.toBeInstanceOf(EventStoreUnavailableError);
    await expect(store.readStream('s-1')).rejects.toBeInstanceOf(EventStoreUnavailableError);
    await expect(store.readAll({ maxCount: 10 })).rejects.toBeInstanceOf(EventStoreUnavailableError);
    await expect(store.headPosition()).rejects.toBeInstanceOf(EventStoreUnavailableError);
    await expect(store.countEventsAfter(START)).rejects.toBeInstanceOf(EventStoreUnavailableError);
  });

  test('a subscription ends its iteration with EventStoreUnavailableError', async () => {
    const subscription = store.subscribeToAll();
    const iterate = async () => {
      for await (const message of subscription) void message;
    };
    await expect(iterate()).rejects.toBeInstanceOf(EventStoreUnavailableError);
  });

  test('invalid input is refused before the network is touched', async () => {
    await expect(store.appendToStream('s-1', [{ id: 'x', type: 'T', data: '{}', metadata: '{}' }], 'any')).rejects.toBeInstanceOf(
      InvalidAppendError,
    );
  });

  test('a malformed connection string is an error of the port', () => {
    expect(() => EventStoreDbEventStore.connect('postgres://nope')).toThrow(EventStoreFailureError);
  });
});

function recorded(id: string, position: number): RecordedEvent {
  return { id, streamId: 'cat-1', revision: 0, type: 'T', data: '{}', metadata: '{}', position: pos(position), recordedAt: new Date(0) };
}

/** A ReadResp.ReadEvent.RecordedEvent as the server sends it, passed through protobuf (de)serialisation. */
function grpcRecordedEvent(e: {
  id: string;
  type: string;
  stream: string;
  data: Uint8Array;
  metadata: Uint8Array;
  revision?: bigint;
  commit?: bigint;
  prepare?: bigint;
  createdTicks?: bigint;
}): ReadResp.ReadEvent.RecordedEvent {
  const message = new ReadResp.ReadEvent.RecordedEvent();
  message.setId(new UUID().setString(e.id));
  message.setStreamIdentifier(new StreamIdentifier().setStreamName(new TextEncoder().encode(e.stream)));
  message.setStreamRevision((e.revision ?? 0n).toString());
  message.setCommitPosition((e.commit ?? 100n).toString());
  message.setPreparePosition((e.prepare ?? 100n).toString());
  message.getMetadataMap().set('type', e.type);
  message.getMetadataMap().set('content-type', 'application/octet-stream');
  message.getMetadataMap().set('created', (e.createdTicks ?? BigInt(Date.now()) * 10_000n).toString());
  message.setData(e.data);
  message.setCustomMetadata(e.metadata);
  return ReadResp.ReadEvent.RecordedEvent.deserializeBinary(message.serializeBinary());
}
