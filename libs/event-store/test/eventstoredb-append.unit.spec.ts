import { randomUUID } from 'node:crypto';
import { Any } from 'google-protobuf/google/protobuf/any_pb.js';
import { Empty as ProtobufEmpty } from 'google-protobuf/google/protobuf/empty_pb.js';
import {
  StreamNotFoundError as ClientStreamNotFoundError,
  UnavailableError,
  type AppendResult as ClientAppendResult,
  type EventStoreDBClient,
  type ResolvedEvent,
} from '@eventstore/db-client';
import { unpackToCommandError } from '@eventstore/db-client/dist/streams/appendToStream/unpackError.js';
import { convertGrpcEvent } from '@eventstore/db-client/dist/utils/convertGrpcEvent.js';
import { BatchAppendResp, ReadResp } from '@eventstore/db-client/generated/streams_pb.js';
import { StreamIdentifier, Timeout, UUID } from '@eventstore/db-client/generated/shared_pb.js';
import { Status } from '@eventstore/db-client/generated/status_pb.js';
import {
  EventStoreFailureError,
  EventStoreUnavailableError,
  IdempotencyConflictError,
  checkEventStoreDbConnectionString,
  type EventToAppend,
} from '#event-store';
import { EventStoreDbEventStore } from '../src/eventstoredb/index.ts';

/*
 * Appends at the client boundary: the adapter over a stand-in for the EventStoreDBClient object whose answers are
 * what client 6.2.1 makes of what the 24.10 server sends (errors go through the client's own unpackToCommandError,
 * from BatchAppendResp messages built as the server builds them). These are regression tests, not proof: they
 * replay a reading of the server source; no EventStoreDB server ran here.
 */

const STREAM = 'group-1';
const event = (type = 'T'): EventToAppend => ({ id: randomUUID(), type, data: '{}', metadata: '{}' });

/** A BatchAppendResp error as the server writes it, through the wire and the client's own unpacking. */
function batchAppendError(details: Any, message: string, code: number) {
  const resp = new BatchAppendResp();
  resp.setError(new Status().setCode(code).setMessage(message).setDetails(details));
  resp.setStreamIdentifier(new StreamIdentifier().setStreamName(new TextEncoder().encode(STREAM)));
  const received = BatchAppendResp.deserializeBinary(resp.serializeBinary());
  return unpackToCommandError(received.getError()!, STREAM);
}

function packed(bytes: Uint8Array, typeName: string): Any {
  const any = new Any();
  any.pack(bytes, typeName);
  return any;
}

/** Status.Timeout (src/EventStore.Core/Services/Transport/Grpc/Status.cs, code 4): the client's DeadlineExceededError. */
const serverTimeout = () => batchAppendError(packed(new Timeout().serializeBinary(), 'event_store.client.Timeout'), 'Timeout', 4);

/** NotHandled(NotReady) on the batch append: an empty google.protobuf.Empty detail and a message (Streams.BatchAppend.cs). */
const serverNotReady = () =>
  batchAppendError(packed(new ProtobufEmpty().serializeBinary(), 'google.protobuf.Empty'), 'Server Is Not Ready', 0);

interface Stored {
  id: string;
  revision: number;
  at: number;
}

/** A client stand-in: reads answer what `stored` holds when they are made; each test sets the appends' answers. */
function stubClient() {
  const stored: Stored[] = [];
  let reads = 0;
  const client = {
    appendToStream: (): Promise<ClientAppendResult> => Promise.reject(new Error('no scripted answer')),
    readStream() {
      reads++;
      const snapshot = [...stored];
      return {
        async *[Symbol.asyncIterator](): AsyncGenerator<ResolvedEvent> {
          if (snapshot.length === 0) throw new ClientStreamNotFoundError(undefined, STREAM);
          for (const s of snapshot) yield recorded(s);
        },
        cancel: () => Promise.resolve(),
      };
    },
    dispose: () => Promise.resolve(),
  } as unknown as EventStoreDBClient;
  return { client, stored, reads: () => reads };
}

const written =
  (stored: Stored[], at: number) =>
  (events: { id: string }[]): Promise<ClientAppendResult> => {
    for (const e of events) stored.push({ id: e.id, revision: stored.length, at: at + stored.length });
    const last = stored.at(-1)!;
    return Promise.resolve({
      success: true,
      nextExpectedRevision: BigInt(last.revision),
      position: { commit: BigInt(last.at), prepare: BigInt(last.at) },
    });
  };

const fails = (error: () => Error) => () => Promise.reject(error());

describe('EventStoreDB appends that time out or are not served (regression tests at the client boundary)', () => {
  // IdempotentNotReady: a duplicate of an append that is written but not yet indexed is dropped without an answer
  // (EventStore v24.10.x src/EventStore.Core/Services/Storage/StorageWriterService.cs ActOnCommitCheckFailure), so
  // the batch append times out after the server's write timeout (2 s; Streams.BatchAppend.cs ClientWriteRequest).
  test('a duplicate the server dropped (IdempotentNotReady) answers the original result, read from the stream', async () => {
    const batch = [event('A'), event('B')];
    const stub = stubClient();
    stub.stored.push(...batch.map((e, i) => ({ id: e.id, revision: i, at: 100 + i })));
    stub.client.appendToStream = (() => Promise.reject(serverTimeout())) as never;
    const store = new EventStoreDbEventStore(stub.client, { retryDelaysMs: [1, 1] });
    await expect(store.appendToStream(STREAM, batch, 'any')).resolves.toEqual({
      nextExpectedRevision: 1,
      position: { commit: 101n, prepare: 101n },
    });
  });

  test('a timed-out append the stream does not hold yet is sent again with the same ids, and its answer returned', async () => {
    const batch = [event('A')];
    const stub = stubClient();
    const answers = [fails(serverTimeout), written(stub.stored, 500)];
    const sent: string[][] = [];
    stub.client.appendToStream = ((_s: string, events: { id: string }[]) => (
      sent.push(events.map((e) => e.id)),
      answers.shift()!(events)
    )) as never;
    const store = new EventStoreDbEventStore(stub.client, { retryDelaysMs: [1, 1] });
    await expect(store.appendToStream(STREAM, batch, 'no_stream')).resolves.toEqual({
      nextExpectedRevision: 0,
      position: { commit: 500n, prepare: 500n },
    });
    expect(sent).toEqual([[batch[0]!.id.toLowerCase()], [batch[0]!.id.toLowerCase()]]);
  });

  // NotHandled (NotReady, TooBusy) on the batch append path: Streams.BatchAppend.cs ConvertMessage packs an empty
  // detail, which the client turns into UnknownError("Could not recognize Server Is Not Ready").
  test('"Server Is Not Ready" is retried, not reported as a failure', async () => {
    const stub = stubClient();
    const answers = [fails(serverNotReady), written(stub.stored, 700)];
    stub.client.appendToStream = ((_s: string, events: { id: string }[]) => answers.shift()!(events)) as never;
    const store = new EventStoreDbEventStore(stub.client, { retryDelaysMs: [1] });
    await expect(store.appendToStream(STREAM, [event()], 'any')).resolves.toMatchObject({ nextExpectedRevision: 0 });
  });

  // After a restart the client's first call on its old channel fails with UNAVAILABLE; it reconnects for the next
  // (client dist/Client/index.js handleError).
  test('unavailable (a restarted server) is retried once the client has reconnected', async () => {
    const stub = stubClient();
    const answers = [fails(() => new UnavailableError()), written(stub.stored, 900)];
    stub.client.appendToStream = ((_s: string, events: { id: string }[]) => answers.shift()!(events)) as never;
    const store = new EventStoreDbEventStore(stub.client, { retryDelaysMs: [1] });
    await expect(store.appendToStream(STREAM, [event()], 'any')).resolves.toMatchObject({ nextExpectedRevision: 0 });
  });

  test('gives up with EventStoreUnavailableError when every attempt times out', async () => {
    const stub = stubClient();
    let attempts = 0;
    stub.client.appendToStream = (() => (attempts++, Promise.reject(serverTimeout()))) as never;
    const store = new EventStoreDbEventStore(stub.client, { retryDelaysMs: [1, 1] });
    await expect(store.appendToStream(STREAM, [event()], 'any')).rejects.toBeInstanceOf(EventStoreUnavailableError);
    expect(attempts).toBe(3);
  });

  test('a timed-out append whose ids the stream holds in another arrangement is an idempotency conflict', async () => {
    const [a, b] = [event('A'), event('B')];
    const stub = stubClient();
    stub.stored.push({ id: a.id, revision: 0, at: 10 }, { id: randomUUID(), revision: 1, at: 11 });
    stub.client.appendToStream = (() => Promise.reject(serverTimeout())) as never;
    const store = new EventStoreDbEventStore(stub.client, { retryDelaysMs: [1] });
    await expect(store.appendToStream(STREAM, [a, b], 'any')).rejects.toBeInstanceOf(IdempotencyConflictError);
  });
});

describe('EventStoreDB append results (regression tests at the client boundary)', () => {
  // 24.10 answers the last event's log position (StorageChaser.cs CommitAck at the TransactionEnd prepare ->
  // WriteEvents.cs ClientSuccessMsg), which reads report for that event: no read-back is needed.
  test('the position of a multi-event append is taken from the answer, without reading the stream', async () => {
    const stub = stubClient();
    stub.client.appendToStream = ((_s: string, events: { id: string }[]) => written(stub.stored, 40)(events)) as never;
    const store = new EventStoreDbEventStore(stub.client);
    await expect(store.appendToStream(STREAM, [event(), event(), event()], 'no_stream')).resolves.toEqual({
      nextExpectedRevision: 2,
      position: { commit: 42n, prepare: 42n },
    });
    expect(stub.reads()).toBe(0);
  });

  test('an append answered "not successful" (throwOnAppendFailure=false) is never reported as written', async () => {
    const stub = stubClient();
    stub.client.appendToStream = (() => Promise.resolve({ success: false, nextExpectedRevision: 3n, position: undefined })) as never;
    const store = new EventStoreDbEventStore(stub.client);
    await expect(store.appendToStream(STREAM, [event()], 2)).rejects.toBeInstanceOf(EventStoreFailureError);
  });
});

describe('EventStoreDB connection strings', () => {
  test('kurrentdb:// and kurrentdb+discover:// are translated for client 6.2.1, which parses only esdb ones', () => {
    expect(checkEventStoreDbConnectionString('kurrentdb://127.0.0.1:2113?tls=false')).toEqual({
      ok: true,
      clientConnectionString: 'esdb://127.0.0.1:2113?tls=false',
    });
    expect(checkEventStoreDbConnectionString('kurrentdb+discover://a:b@cluster.example:2113')).toEqual({
      ok: true,
      clientConnectionString: 'esdb+discover://a:b@cluster.example:2113',
    });
    expect(checkEventStoreDbConnectionString('esdb://127.0.0.1:2113?tls=false')).toMatchObject({ ok: true });
    expect(checkEventStoreDbConnectionString('postgres://x')).toEqual({
      ok: false,
      problem: 'must start with esdb://, esdb+discover://, kurrentdb://, kurrentdb+discover://',
    });
  });

  test('a kurrentdb:// string connects (the client would refuse it at start)', async () => {
    const store = EventStoreDbEventStore.connect('kurrentdb://127.0.0.1:1?tls=false&maxDiscoverAttempts=1', { retryDelaysMs: [] });
    await expect(store.appendToStream(STREAM, [event()], 'any')).rejects.toBeInstanceOf(EventStoreUnavailableError);
    await store.close();
  });

  test.each([
    ['throwOnAppendFailure=false', /throwOnAppendFailure=false is not supported/],
    ['throw-on-append-failure=false', /throwOnAppendFailure=false is not supported/],
    ['tlsVerifyCert=false', /tlsVerifyCert=false has no effect/],
    ['TLS_VERIFY_CERT=false', /tlsVerifyCert=false has no effect/],
  ])('%s is refused with the reason', (option, reason) => {
    const check = checkEventStoreDbConnectionString(`esdb://user:pa?ss@127.0.0.1:2113?tls=true&${option}`);
    expect(check).toMatchObject({ ok: false, problem: expect.stringMatching(reason) });
    expect(() => EventStoreDbEventStore.connect(`esdb://127.0.0.1:2113?${option}`)).toThrow(EventStoreFailureError);
  });

  test('the options set to true, and a password holding "?", pass', () => {
    expect(
      checkEventStoreDbConnectionString('esdb://u:p?tlsVerifyCert=false@h:2113?throwOnAppendFailure=true&tlsVerifyCert=true'),
    ).toMatchObject({
      ok: true,
    });
  });
});

function recorded(s: Stored): ResolvedEvent {
  const message = new ReadResp.ReadEvent.RecordedEvent();
  message.setId(new UUID().setString(s.id));
  message.setStreamIdentifier(new StreamIdentifier().setStreamName(new TextEncoder().encode(STREAM)));
  message.setStreamRevision(String(s.revision));
  message.setCommitPosition(String(s.at));
  message.setPreparePosition(String(s.at));
  message.getMetadataMap().set('type', 'T');
  message.getMetadataMap().set('content-type', 'application/octet-stream');
  message.getMetadataMap().set('created', String(BigInt(Date.now()) * 10_000n));
  message.setData(new TextEncoder().encode('{}'));
  message.setCustomMetadata(new TextEncoder().encode('{}'));
  const readEvent = new ReadResp.ReadEvent();
  readEvent.setEvent(ReadResp.ReadEvent.RecordedEvent.deserializeBinary(message.serializeBinary()));
  return convertGrpcEvent(readEvent);
}
