import { createHash } from 'node:crypto';
import type { EventStore, ReadAllOptions, RecordedEvent } from '../event-store.port.ts';
import { comparePositions, START } from '../position.ts';
import { deterministicEventId } from './event-ids.ts';
import { storedMetadataObject, type EventMetadata } from './event-metadata.ts';
import { computeEventHash, sealMetadata, storedHash, verifyChain, verifyLog, ZERO_HASH } from './integrity.ts';

const META: EventMetadata = {
  actorId: 'admin-1',
  actorRoles: ['admin'],
  authority: 'role admin',
  reason: null,
  source: 'api',
  correlationId: 'corr-1',
  causationId: null,
  commandId: null,
  occurredAt: '2025-03-01T12:00:00.000Z',
};

/** A stream as the serialisation layer writes it; positions are placeholders that callers of verifyLog reassign. */
function stream(streamId: string, count: number): RecordedEvent[] {
  const events: RecordedEvent[] = [];
  let previous = ZERO_HASH;
  for (let revision = 0; revision < count; revision++) {
    const id = deterministicEventId('test', streamId, revision);
    const data = JSON.stringify({ n: revision, note: `event ${revision} of ${streamId}` });
    const sealed = sealMetadata(storedMetadataObject(META, 1), previous, { id, streamId, revision, type: 'Noted', data });
    previous = sealed.hash;
    events.push({
      id,
      streamId,
      revision,
      type: 'Noted',
      data,
      metadata: sealed.text,
      position: { commit: BigInt(revision + 1), prepare: BigInt(revision + 1) },
      recordedAt: new Date(0),
    });
  }
  return events;
}

/** Gives events the log positions of their order in `log`. */
function inLogOrder(log: RecordedEvent[]): RecordedEvent[] {
  return log.map((event, i) => ({ ...event, position: { commit: BigInt(i + 1), prepare: BigInt(i + 1) } }));
}

/** readAll over a fixed log: the only part of the port verifyLog uses. */
function logStore(log: RecordedEvent[]): Pick<EventStore, 'readAll'> {
  return {
    readAll: ({ after = START, maxCount }: ReadAllOptions) => {
      const page = log.filter((e) => comparePositions(e.position, after) > 0).slice(0, maxCount);
      return Promise.resolve({ events: page, checkpoint: page.at(-1)?.position ?? after, isEnd: page.length < maxCount });
    },
  };
}

describe('integrity hash chain', () => {
  test('the hash is the documented framing, reproducible without this code', () => {
    const event = {
      id: 'A5E1C1B0-1D2B-4C3D-8E4F-5A6B7C8D9E0F',
      streamId: 'member-1',
      revision: 0,
      type: 'Noted',
      data: '{"note":"héllo"}',
    };
    const metadata = `{"actorId":"a","hash":"${ZERO_HASH}"}`;
    const parts = ['governance-event-chain/v1', ZERO_HASH, 'member-1', '0', event.id.toLowerCase(), 'Noted', event.data, metadata];
    const byHand = createHash('sha256')
      .update(Buffer.concat(parts.map((p) => Buffer.concat([Buffer.from(`${Buffer.byteLength(p)}:`), Buffer.from(p), Buffer.from(',')]))))
      .digest('hex');
    expect(computeEventHash(ZERO_HASH, event, metadata)).toBe(byHand);
    // Pinned: changing the scheme would make every stored chain unverifiable.
    expect(byHand).toBe('0f6af4d192addd241c67735bad77d9e00c411295ba7ac3cd21774ecdc8e5ccde');
  });

  test('the hash is the last key of the metadata text and can be read without parsing', () => {
    const [first] = stream('member-1', 1);
    expect(first!.metadata).toMatch(/,"schemaVersion":1,"hash":"[0-9a-f]{64}"\}$/);
    expect(storedHash(first!.metadata)).toBe(JSON.parse(first!.metadata).hash);
    expect(storedHash('{"hash":"abc"}')).toBeUndefined();
  });

  test('the stored hash is read exactly when the text ends as sealing leaves it, whatever comes before', () => {
    // The definition: the text's last 75 characters are `,"hash":"<64 lower-case hex>"}`.
    const byDefinition = (text: string) => /^,"hash":"([0-9a-f]{64})"\}$/.exec(text.slice(-75))?.[1];
    const hex = 'a'.repeat(32) + '0123456789abcdef'.repeat(2);
    const ending = `,"hash":"${hex}"}`;
    const texts = [
      `{"a":1${ending}`,
      ending,
      ending.slice(1),
      `{"a":1,"hash":"${hex.toUpperCase()}"}`,
      `{"a":1,"hash":"${hex.slice(1)}g"}`,
      `{"a":1,"hash":"${hex}" }`,
      `{"a":1,"hash":"${hex}"}\n`,
      `{"a":1,"hash":"${hex}0"}`,
      `{"a":1;"hash":"${hex}"}`,
      `{"é":"ü"${ending}`,
      '',
      '{}',
    ];
    for (const text of texts) expect([text, storedHash(text)]).toEqual([text, byDefinition(text)]);
    expect(storedHash(`{"a":1${ending}`)).toBe(hex);
    expect(storedHash(ending.slice(1))).toBeUndefined();
    expect(storedHash(`{"a":1,"hash":"${hex.toUpperCase()}"}`)).toBeUndefined();
  });

  test('an untouched stream verifies', () => {
    expect(verifyChain(stream('member-1', 5))).toEqual({ ok: true, verifiedEvents: 5 });
    expect(verifyChain([])).toEqual({ ok: true, verifiedEvents: 0 });
  });

  test('altered data is reported at that event', () => {
    const events = stream('member-1', 5);
    events[2] = { ...events[2]!, data: events[2]!.data.replace('event 2', 'event two') };
    const result = verifyChain(events);
    expect(result).toMatchObject({ ok: false, verifiedEvents: 2, firstBroken: { revision: 2, position: events[2]!.position } });
    expect(result.firstBroken?.reason).toMatch(/hash mismatch/);
  });

  test('altered metadata is reported, even a single byte of whitespace', () => {
    const events = stream('member-1', 4);
    events[1] = { ...events[1]!, metadata: events[1]!.metadata.replace('"actorId":"admin-1"', '"actorId":"admin-2"') };
    expect(verifyChain(events)).toMatchObject({ ok: false, firstBroken: { revision: 1 } });

    const spaced = stream('member-1', 4);
    spaced[3] = { ...spaced[3]!, metadata: spaced[3]!.metadata.replace('"actorId":', '"actorId": ') };
    expect(verifyChain(spaced)).toMatchObject({ ok: false, firstBroken: { revision: 3 } });
  });

  test('a rewritten hash (recomputed for altered data alone) breaks the next link', () => {
    const events = stream('member-1', 3);
    const forged = events[1]!.data.replace('event 1', 'forged');
    const blanked = events[1]!.metadata.replace(/"hash":"[0-9a-f]{64}"/, `"hash":"${ZERO_HASH}"`);
    const hash = computeEventHash(storedHash(events[0]!.metadata)!, { ...events[1]!, data: forged }, blanked);
    events[1] = { ...events[1]!, data: forged, metadata: blanked.replace(ZERO_HASH, hash) };
    expect(verifyChain(events)).toMatchObject({ ok: false, verifiedEvents: 2, firstBroken: { revision: 2 } });
  });

  test('a deleted event is reported, whether the gap stays or the revisions are renumbered', () => {
    const events = stream('member-1', 5);
    const withGap = [...events.slice(0, 2), ...events.slice(3)];
    expect(verifyChain(withGap)).toMatchObject({ ok: false, verifiedEvents: 2, firstBroken: { revision: 3 } });
    expect(verifyChain(withGap).firstBroken?.reason).toMatch(/gap/);

    const renumbered = withGap.map((e, i) => ({ ...e, revision: i }));
    expect(verifyChain(renumbered)).toMatchObject({ ok: false, verifiedEvents: 2, firstBroken: { revision: 2 } });
  });

  test('reordered events are reported, whether or not their revisions are swapped too', () => {
    const events = stream('member-1', 4);
    const swapped = [events[0]!, events[2]!, events[1]!, events[3]!];
    expect(verifyChain(swapped)).toMatchObject({ ok: false, firstBroken: { revision: 2 } });
    const swappedRevisions = swapped.map((e, i) => ({ ...e, revision: i }));
    expect(verifyChain(swappedRevisions)).toMatchObject({ ok: false, firstBroken: { revision: 1 } });
  });

  test('metadata without the hash as its last key is reported', () => {
    const events = stream('member-1', 2);
    const parsed = JSON.parse(events[1]!.metadata) as Record<string, unknown>;
    events[1] = { ...events[1]!, metadata: JSON.stringify({ hash: parsed['hash'], ...parsed }) };
    expect(verifyChain(events)).toMatchObject({
      ok: false,
      firstBroken: { revision: 1, reason: expect.stringMatching(/no integrity hash/) },
    });
  });

  test('sealing keeps the hash last whatever the keys, and refuses metadata that already has one', () => {
    const sealed = sealMetadata({ z: 1, '1': 'integer-like keys go first' }, ZERO_HASH, stream('s', 1)[0]!);
    expect(storedHash(sealed.text)).toBe(sealed.hash);
    expect(() => sealMetadata({ hash: 'x' }, ZERO_HASH, stream('s', 1)[0]!)).toThrow();
  });

  describe('the whole log', () => {
    test('interleaved streams verify, also when a stream is out of revision order in the log', async () => {
      const a = stream('group-a', 4);
      const b = stream('member-b', 3);
      // Log order can differ from revision order (PostgreSQL orders by transaction id): b2 before b1.
      const log = inLogOrder([a[0]!, b[0]!, a[1]!, b[2]!, b[1]!, a[2]!, a[3]!]);
      expect(await verifyLog(logStore(log), { pageSize: 2 })).toEqual({ ok: true, verifiedEvents: 7 });
    });

    test('the first broken event by log order is reported', async () => {
      const a = stream('group-a', 4);
      const b = stream('member-b', 3);
      a[3] = { ...a[3]!, data: '{"n":3}' };
      b[1] = { ...b[1]!, data: '{"n":1}' };
      const log = inLogOrder([a[0]!, a[1]!, b[0]!, b[1]!, a[2]!, b[2]!, a[3]!]);
      const result = await verifyLog(logStore(log), { pageSize: 3 });
      expect(result).toMatchObject({ ok: false, firstBroken: { streamId: 'member-b', revision: 1, position: log[3]!.position } });
      // a0, a1, a2, b0: everything before a break in its own stream.
      expect(result.verifiedEvents).toBe(4);
    });

    test('a deleted event is reported as a gap at the event after it', async () => {
      const a = stream('group-a', 4);
      const log = inLogOrder([a[0]!, a[2]!, a[3]!]);
      expect(await verifyLog(logStore(log))).toMatchObject({
        ok: false,
        verifiedEvents: 1,
        firstBroken: { revision: 2, position: log[1]!.position },
      });
    });

    test('a stream whose first event is missing is reported', async () => {
      const log = inLogOrder(stream('group-a', 3).slice(1));
      expect(await verifyLog(logStore(log))).toMatchObject({ ok: false, verifiedEvents: 0, firstBroken: { revision: 1 } });
    });

    test('a duplicated event is reported', async () => {
      const a = stream('group-a', 2);
      const log = inLogOrder([a[0]!, a[1]!, a[1]!]);
      expect(await verifyLog(logStore(log))).toMatchObject({ ok: false, verifiedEvents: 2, firstBroken: { position: log[2]!.position } });
    });
  });
});
