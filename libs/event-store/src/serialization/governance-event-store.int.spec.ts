import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '#testing';
import { StreamNotFoundError, WrongExpectedRevisionError } from '../errors.ts';
import { PostgresEventStore } from '../postgres/index.ts';
import { START } from '../position.ts';
import { IntegrityChainError, UnknownEventTypeError } from './errors.ts';
import { deterministicEventId } from './event-ids.ts';
import type { EventMetadata } from './event-metadata.ts';
import { EventSchemaRegistry } from './event-schema.ts';
import { GovernanceEventStore } from './governance-event-store.ts';
import { PostgresKeyStore, REDACTED } from './personal-data.ts';

let db: TestDatabase;
let port: PostgresEventStore;
let pool: pg.Pool;
let keys: PostgresKeyStore;
let store: GovernanceEventStore;

function schemas(): EventSchemaRegistry {
  return new EventSchemaRegistry()
    .register<{ memberId: string; statement: unknown }>({
      type: 'StatementGiven',
      personal: { fields: ['statement'], subject: (data) => `member-${data.memberId}` },
    })
    .register({ type: 'CaseOpened' })
    .register({ type: 'CaseClosed' });
}

let seq = 0;
const streamId = (category: string): string => `${category}-${++seq}-${Date.now()}`;

function metadata(overrides: Partial<EventMetadata> = {}): EventMetadata {
  return {
    actorId: 'moderator-1',
    actorRoles: ['moderator'],
    authority: 'role moderator',
    reason: 'report received',
    source: 'api',
    correlationId: 'corr-1',
    causationId: null,
    commandId: null,
    occurredAt: '2025-04-01T09:30:00.000Z',
    ...overrides,
  };
}

async function rawRows(stream: string): Promise<{ stream_revision: string; data: string; metadata: string }[]> {
  const result = await pool.query<{ stream_revision: string; data: string; metadata: string }>(
    'SELECT stream_revision::text AS stream_revision, data::text AS data, metadata::text AS metadata FROM es_events WHERE stream_id = $1 ORDER BY stream_revision',
    [stream],
  );
  return result.rows;
}

beforeAll(async () => {
  db = await createTestDatabase('governance_store');
  port = await PostgresEventStore.create({ connectionString: db.url });
  pool = new pg.Pool({ connectionString: db.url });
  keys = new PostgresKeyStore(pool);
  await keys.ensureSchema();
  store = new GovernanceEventStore({ store: port, schemas: schemas(), keys });
});

afterAll(async () => {
  await port.close();
  await pool.end();
  await db.drop();
});

describe('GovernanceEventStore on PostgreSQL', () => {
  test('round trip: metadata, schema version, encrypted personal field, deterministic ids, hash chain', async () => {
    const stream = streamId('moderation_case');
    const appended = await store.append(
      stream,
      [
        { type: 'CaseOpened', data: { caseId: 'c1' } },
        { type: 'StatementGiven', data: { memberId: '7', statement: 'I saw the post at 9' } },
      ],
      { expectedRevision: 'no_stream', metadata: metadata({ commandId: 'cmd-round-trip' }) },
    );
    expect(appended.nextExpectedRevision).toBe(1);
    expect(appended.events.map((e) => e.id)).toEqual([0, 1].map((i) => deterministicEventId('cmd-round-trip', stream, i)));

    const read = await store.readStream(stream);
    expect(read).toHaveLength(2);
    expect(read[1]).toMatchObject({
      streamId: stream,
      revision: 1,
      type: 'StatementGiven',
      schemaVersion: 1,
      data: { memberId: '7', statement: 'I saw the post at 9' },
      metadata: metadata({ commandId: 'cmd-round-trip' }),
      position: appended.position,
    });
    expect(read[1]!.recordedAt).toBeInstanceOf(Date);
    // What append reports is what a read gives back.
    expect(read.map(({ position: _p, recordedAt: _r, ...rest }) => rest)).toEqual(appended.events);

    const rows = await rawRows(stream);
    expect(rows[1]!.data).not.toContain('I saw the post');
    expect(JSON.parse(rows[1]!.data)).toMatchObject({ memberId: '7', statement: { $pd: { s: 'member-7' } } });
    expect(rows[1]!.metadata).toMatch(/"schemaVersion":1,"hash":"[0-9a-f]{64}"\}$/);
    expect(await store.verifyStream(stream)).toEqual({ ok: true, verifiedEvents: 2 });
  });

  test('erasure: the field reads as redacted, no stored byte changes, the chain still verifies', async () => {
    const stream = streamId('privacy');
    await store.append(stream, [{ type: 'StatementGiven', data: { memberId: 'erase-1', statement: { text: 'my story', phone: '555' } } }], {
      expectedRevision: 'any',
      metadata: metadata(),
    });
    await store.append(stream, [{ type: 'CaseClosed', data: { by: 'erase-1' } }], { expectedRevision: 0, metadata: metadata() });
    const before = await rawRows(stream);

    await store.forgetSubject('member-erase-1');

    const read = await store.readStream(stream);
    expect(read[0]!.data).toEqual({ memberId: 'erase-1', statement: REDACTED });
    expect(read[1]!.data).toEqual({ by: 'erase-1' });
    expect(await rawRows(stream)).toEqual(before);
    expect(await store.verifyStream(stream)).toEqual({ ok: true, verifiedEvents: 2 });

    // A later append for the forgotten member does not bring a key back: the field is stored already redacted.
    const later = await store.append(stream, [{ type: 'StatementGiven', data: { memberId: 'erase-1', statement: 'again' } }], {
      expectedRevision: 1,
      metadata: metadata(),
    });
    expect(later.events[0]!.data['statement']).toBe(REDACTED);
    const rows = await rawRows(stream);
    expect(JSON.parse(rows[2]!.data)).toEqual({ memberId: 'erase-1', statement: { $pd: { s: 'member-erase-1' } } });
    expect((await store.readStream(stream))[2]!.data['statement']).toBe(REDACTED);
    expect(await keys.getKey('member-erase-1')).toBeUndefined();
    expect((await store.verifyAll()).ok).toBe(true);
  });

  test('tampering with data in SQL is reported at that revision, by the stream and by the whole log', async () => {
    const stream = streamId('group');
    for (let i = 0; i < 4; i++) {
      await store.append(stream, [{ type: 'CaseOpened', data: { n: i } }], {
        expectedRevision: i === 0 ? 'no_stream' : i - 1,
        metadata: metadata(),
      });
    }
    expect(await store.verifyStream(stream)).toEqual({ ok: true, verifiedEvents: 4 });
    await pool.query(`UPDATE es_events SET data = '{"n":20}' WHERE stream_id = $1 AND stream_revision = 2`, [stream]);

    const [tampered] = await port.readStream(stream, { fromRevision: 2, maxCount: 1 });
    const result = await store.verifyStream(stream);
    expect(result).toMatchObject({ ok: false, verifiedEvents: 2, firstBroken: { revision: 2, position: tampered!.position } });
    expect(await store.verifyAll()).toMatchObject({ ok: false, firstBroken: { streamId: stream, revision: 2 } });
    await pool.query(`DELETE FROM es_events WHERE stream_id = $1`, [stream]);
    await pool.query(`DELETE FROM es_streams WHERE stream_id = $1`, [stream]);
  });

  test('tampering with metadata, or deleting an event, in SQL is reported', async () => {
    const edited = streamId('group');
    const deleted = streamId('group');
    for (const stream of [edited, deleted]) {
      for (let i = 0; i < 3; i++)
        await store.append(stream, [{ type: 'CaseOpened', data: { n: i } }], { expectedRevision: 'any', metadata: metadata() });
    }
    await pool.query(
      `UPDATE es_events SET metadata = replace(metadata::text, '"actorId":"moderator-1"', '"actorId":"admin-9"')::json WHERE stream_id = $1 AND stream_revision = 1`,
      [edited],
    );
    await pool.query(`DELETE FROM es_events WHERE stream_id = $1 AND stream_revision = 1`, [deleted]);

    expect(await store.verifyStream(edited)).toMatchObject({ ok: false, firstBroken: { revision: 1 } });
    expect(await store.verifyStream(deleted)).toMatchObject({ ok: false, verifiedEvents: 1, firstBroken: { revision: 2 } });
    for (const stream of [edited, deleted]) {
      await pool.query(`DELETE FROM es_events WHERE stream_id = $1`, [stream]);
      await pool.query(`DELETE FROM es_streams WHERE stream_id = $1`, [stream]);
    }
  });

  test("concurrent appends with 'any' all land, each chained on the one before", async () => {
    const stream = streamId('member');
    const writers = Array.from({ length: 5 }, (_, i) =>
      store.append(stream, [{ type: 'CaseOpened', data: { writer: i } }], { expectedRevision: 'any', metadata: metadata() }),
    );
    const results = await Promise.all(writers);
    expect(results.map((r) => r.nextExpectedRevision).sort()).toEqual([0, 1, 2, 3, 4]);
    expect(await store.verifyStream(stream)).toEqual({ ok: true, verifiedEvents: 5 });
  });

  test('a given expected revision is checked against the stream', async () => {
    const stream = streamId('agreement');
    await expect(
      store.append(stream, [{ type: 'CaseOpened', data: {} }], { expectedRevision: 'stream_exists', metadata: metadata() }),
    ).rejects.toThrow(WrongExpectedRevisionError);
    await store.append(stream, [{ type: 'CaseOpened', data: {} }], { expectedRevision: 'no_stream', metadata: metadata() });
    await expect(
      store.append(stream, [{ type: 'CaseClosed', data: {} }], { expectedRevision: 'no_stream', metadata: metadata() }),
    ).rejects.toThrow(WrongExpectedRevisionError);
    const error = await store
      .append(stream, [{ type: 'CaseClosed', data: {} }], { expectedRevision: 3, metadata: metadata() })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WrongExpectedRevisionError);
    expect(error).toMatchObject({ expected: 3, actual: 0 });
    // A stale `previous` is caught by the port: the chain is never extended from the wrong event.
    const first = (await store.readStream(stream))[0]!;
    await store.append(stream, [{ type: 'CaseClosed', data: {} }], {
      expectedRevision: 0,
      metadata: metadata(),
      previous: { revision: 0, hash: first.hash! },
    });
    await expect(
      store.append(stream, [{ type: 'CaseClosed', data: {} }], {
        expectedRevision: 0,
        metadata: metadata(),
        previous: { revision: 0, hash: first.hash! },
      }),
    ).rejects.toThrow(WrongExpectedRevisionError);
    expect(await store.verifyStream(stream)).toEqual({ ok: true, verifiedEvents: 2 });
  });

  test('retrying an append with the same command id answers the original result and writes nothing', async () => {
    const stream = streamId('certification');
    const meta = metadata({ commandId: 'cmd-retry' });
    const events = [
      { type: 'CaseOpened', data: { n: 1 } },
      { type: 'StatementGiven', data: { memberId: '8', statement: 'x' } },
    ];
    const original = await store.append(stream, events, { expectedRevision: 'no_stream', metadata: meta });
    const stored = await store.readStream(stream);

    const retriedExact = await store.append(stream, events, { expectedRevision: 'no_stream', metadata: meta });
    const retriedAny = await store.append(stream, events, { expectedRevision: 'any', metadata: meta });
    for (const retried of [retriedExact, retriedAny]) {
      expect(retried.nextExpectedRevision).toBe(original.nextExpectedRevision);
      expect(retried.position).toEqual(original.position);
      expect(retried.events.map((e) => [e.id, e.hash])).toEqual(stored.map((e) => [e.id, e.hash]));
    }
    expect(await store.readStream(stream)).toHaveLength(2);

    // Also once the stream has moved on: the events right after the expected revision are these.
    await store.append(stream, [{ type: 'CaseClosed', data: {} }], { expectedRevision: 1, metadata: metadata() });
    const late = await store.append(stream, events, { expectedRevision: 'no_stream', metadata: meta });
    expect(late.nextExpectedRevision).toBe(1);
    expect(await store.readStream(stream)).toHaveLength(3);
    // Other events under the same expected revision are a conflict, not a replay.
    await expect(
      store.append(stream, [{ type: 'CaseClosed', data: {} }], { expectedRevision: 'no_stream', metadata: metadata() }),
    ).rejects.toThrow(WrongExpectedRevisionError);
  });

  test('old events are upcast on read and never rewritten', async () => {
    const stream = streamId('member');
    const v1 = new GovernanceEventStore({ store: port, schemas: new EventSchemaRegistry().register({ type: 'MemberNamed' }), keys });
    await v1.append(stream, [{ type: 'MemberNamed', data: { name: 'Ada' } }], { expectedRevision: 'no_stream', metadata: metadata() });
    const before = await rawRows(stream);

    const v2 = new GovernanceEventStore({
      store: port,
      schemas: new EventSchemaRegistry().register({
        type: 'MemberNamed',
        schemaVersion: 2,
        upcasters: { 1: ({ name }) => ({ displayName: name }) },
      }),
      keys,
    });
    await v2.append(stream, [{ type: 'MemberNamed', data: { displayName: 'Ada L.' } }], { expectedRevision: 0, metadata: metadata() });
    const read = await v2.readStream(stream);
    expect(read.map((e) => [e.schemaVersion, e.data])).toEqual([
      [2, { displayName: 'Ada' }],
      [2, { displayName: 'Ada L.' }],
    ]);
    expect((await rawRows(stream))[0]).toEqual(before[0]);
    expect(JSON.parse((await rawRows(stream))[1]!.metadata).schemaVersion).toBe(2);
    expect(await v2.verifyStream(stream)).toEqual({ ok: true, verifiedEvents: 2 });
  });

  test('an unregistered type is refused on write but shown on read; a chain it broke is not extended', async () => {
    await expect(
      store.append(streamId('x'), [{ type: 'Unregistered', data: {} }], { expectedRevision: 'any', metadata: metadata() }),
    ).rejects.toThrow(UnknownEventTypeError);
    const stream = streamId('legacy');
    await port.appendToStream(
      stream,
      [{ id: crypto.randomUUID(), type: 'LegacyEvent', data: '{"old":true}', metadata: '{}' }],
      'no_stream',
    );
    expect((await store.readStream(stream))[0]).toMatchObject({ type: 'LegacyEvent', schemaVersion: 1, data: { old: true }, hash: null });
    expect(await store.verifyStream(stream)).toMatchObject({ ok: false, firstBroken: { revision: 0 } });
    await expect(
      store.append(stream, [{ type: 'CaseOpened', data: {} }], { expectedRevision: 'any', metadata: metadata() }),
    ).rejects.toThrow(IntegrityChainError);
    await pool.query(`DELETE FROM es_events WHERE stream_id = $1`, [stream]);
    await pool.query(`DELETE FROM es_streams WHERE stream_id = $1`, [stream]);
  });

  test('readAll maps a page of the log and keeps checkpoint and isEnd', async () => {
    const stream = streamId('training_enrolment');
    await store.append(stream, [{ type: 'StatementGiven', data: { memberId: '9', statement: 'motivation' } }], {
      expectedRevision: 'no_stream',
      metadata: metadata(),
    });
    const head = await port.headPosition();
    let after = START;
    const seen = [];
    for (;;) {
      const page = await store.readAll({ after, maxCount: 3, filter: { categories: ['training_enrolment'] } });
      seen.push(...page.events);
      after = page.checkpoint;
      if (page.isEnd) break;
    }
    expect(seen.find((e) => e.streamId === stream)?.data).toEqual({ memberId: '9', statement: 'motivation' });
    expect(after.commit >= head.commit).toBe(true);
  });

  test('a stream read without its personal data reads no key: the fields read as redacted, the rest as it is', async () => {
    // What a decision that needs none of the personal fields reads (a member's status, before every group owner is
    // assigned): the key read and the decryption were a query in every other such mutation, for fields nobody used.
    const stream = streamId('member');
    await store.append(stream, [{ type: 'StatementGiven', data: { memberId: 'quiet-1', statement: 'my story' } }], {
      expectedRevision: 'any',
      metadata: metadata(),
    });
    await store.append(stream, [{ type: 'CaseClosed', data: { by: 'quiet-1' } }], { expectedRevision: 0, metadata: metadata() });
    const keysRead: string[] = [];
    const counting = new GovernanceEventStore({
      store: port,
      schemas: schemas(),
      keys: {
        getOrCreateKey: (subject) => keys.getOrCreateKey(subject),
        getKey: (subject) => (keysRead.push(subject), keys.getKey(subject)),
        forget: (subject) => keys.forget(subject),
        isForgotten: (subject) => keys.isForgotten(subject),
      },
    });
    const read = await counting.readStreamWithoutPersonalData(stream);
    expect(read.map((e) => e.data)).toEqual([{ memberId: 'quiet-1', statement: REDACTED }, { by: 'quiet-1' }]);
    expect(read.map((e) => [e.revision, e.type])).toEqual([
      [0, 'StatementGiven'],
      [1, 'CaseClosed'],
    ]);
    expect(keysRead).toEqual([]);
    // The same stream read whole still reveals it (and reads the key).
    expect((await counting.readStream(stream))[0]!.data['statement']).toBe('my story');
    expect(keysRead).toEqual(['member-quiet-1']);
    await expect(counting.readStreamWithoutPersonalData(streamId('nothing'))).rejects.toThrow(StreamNotFoundError);
  });

  test('a missing stream reads as StreamNotFoundError', async () => {
    await expect(store.readStream(streamId('nothing'))).rejects.toThrow(StreamNotFoundError);
    await expect(store.verifyStream(streamId('nothing'))).rejects.toThrow(StreamNotFoundError);
  });
});
