import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '#testing';
import { WrongExpectedRevisionError } from '../errors.ts';
import { PostgresEventStore } from '../postgres/index.ts';
import { START } from '../position.ts';
import type { EventMetadata } from '../serialization/event-metadata.ts';
import { EventSchemaRegistry } from '../serialization/event-schema.ts';
import { GovernanceEventStore } from '../serialization/governance-event-store.ts';
import { PostgresKeyStore, REDACTED } from '../serialization/personal-data.ts';
import { foldState, handleCommand, loadState, type Decider } from './handle-command.ts';

// A small moderation case: opened with a reporter's personal statement, then decided once.
type Command =
  | { type: 'OpenCase'; caseId: string; reporterId: string; statement: string; at: string }
  | { type: 'AddNote'; note: string; at: string }
  | { type: 'DecideCase'; outcome: 'upheld' | 'dismissed'; at: string };
type Event =
  | { type: 'CaseOpened'; data: { caseId: string; reporterId: string; statement: string; openedAt: string } }
  | { type: 'NoteAdded'; data: { note: string; at: string } }
  | { type: 'CaseDecided'; data: { outcome: 'upheld' | 'dismissed'; decidedAt: string } };
type State =
  | { status: 'none' }
  | { status: 'open'; caseId: string; statement: string; notes: number }
  | { status: 'decided'; caseId: string; statement: string; notes: number; outcome: string };

class CaseError extends Error {
  override readonly name = 'CaseError';
}

const decider: Decider<Command, State, Event> = {
  initialState: { status: 'none' },
  evolve(state, event) {
    switch (event.type) {
      case 'CaseOpened':
        return { status: 'open', caseId: event.data.caseId, statement: event.data.statement, notes: 0 };
      case 'NoteAdded':
        return state.status === 'none' ? state : { ...state, notes: state.notes + 1 };
      case 'CaseDecided':
        return state.status === 'none' ? state : { ...state, status: 'decided', outcome: event.data.outcome };
    }
  },
  decide(command, state) {
    switch (command.type) {
      case 'OpenCase':
        if (state.status !== 'none') throw new CaseError('case is already open');
        return [
          {
            type: 'CaseOpened',
            data: { caseId: command.caseId, reporterId: command.reporterId, statement: command.statement, openedAt: command.at },
          },
        ];
      case 'AddNote':
        if (state.status === 'none') throw new CaseError('case does not exist');
        return [{ type: 'NoteAdded', data: { note: command.note, at: command.at } }];
      case 'DecideCase':
        if (state.status === 'none') throw new CaseError('case does not exist');
        if (state.status === 'decided') {
          if (state.outcome === command.outcome) return [];
          throw new CaseError('case is already decided');
        }
        return [{ type: 'CaseDecided', data: { outcome: command.outcome, decidedAt: command.at } }];
    }
  },
};

let db: TestDatabase;
let port: PostgresEventStore;
let pool: pg.Pool;
let store: GovernanceEventStore;
let seq = 0;

beforeAll(async () => {
  db = await createTestDatabase('handle_command');
  port = await PostgresEventStore.create({ connectionString: db.url });
  pool = new pg.Pool({ connectionString: db.url });
  const keys = new PostgresKeyStore(pool);
  await keys.ensureSchema();
  const schemas = new EventSchemaRegistry()
    .register<{ reporterId: string }>({ type: 'CaseOpened', personal: { fields: ['statement'], subject: (d) => `member-${d.reporterId}` } })
    .register({ type: 'NoteAdded' })
    .register({ type: 'CaseDecided' });
  store = new GovernanceEventStore({ store: port, schemas, keys });
});

afterAll(async () => {
  await port.close();
  await pool.end();
  await db.drop();
});

/** The store, with the first `n` stream reads held until all of them are done: the commands all decide on the same revision. */
function afterReads(n: number): GovernanceEventStore {
  let reads = 0;
  let release!: () => void;
  const allRead = new Promise<void>((resolve) => (release = resolve));
  const gated = Object.create(store) as GovernanceEventStore;
  gated.readStream = async (...args) => {
    const events = await store.readStream(...args);
    if (++reads === n) release();
    await allRead;
    return events;
  };
  return gated;
}

const newCase = (): string => `moderation_case-${++seq}-${Date.now()}`;
const meta = (commandId: string | null = null): EventMetadata => ({
  actorId: 'moderator-1',
  actorRoles: ['moderator'],
  authority: 'role moderator',
  reason: null,
  source: 'api',
  correlationId: `corr-${commandId ?? 'none'}`,
  causationId: null,
  commandId,
  occurredAt: '2025-06-01T10:00:00.000Z',
});
const open = (caseId: string): Command => ({
  type: 'OpenCase',
  caseId,
  reporterId: `r-${caseId}`,
  statement: 'they insulted me',
  at: '2025-06-01T10:00:00.000Z',
});

describe('handleCommand on PostgreSQL', () => {
  test('a missing stream starts from the initial state; the result carries the new state and events', async () => {
    const streamId = newCase();
    const result = await handleCommand({ store, streamId, decider, command: open(streamId), metadata: meta('open-1') });
    expect(result).toMatchObject({
      nextExpectedRevision: 0,
      idempotentReplay: false,
      state: { status: 'open', statement: 'they insulted me' },
    });
    expect(result.events.map((e) => e.type)).toEqual(['CaseOpened']);
    expect((await store.readStream(streamId))[0]?.position).toEqual(result.position);
    expect(await store.verifyStream(streamId)).toEqual({ ok: true, verifiedEvents: 1 });
  });

  test('a retried command id answers the original result without deciding again', async () => {
    const streamId = newCase();
    await handleCommand({ store, streamId, decider, command: open(streamId), metadata: meta(`open-${streamId}`) });
    const first = await handleCommand({
      store,
      streamId,
      decider,
      command: { type: 'AddNote', note: 'n1', at: 't' },
      metadata: meta(`note-${streamId}`),
      expectedRevision: 0,
    });
    await handleCommand({
      store,
      streamId,
      decider,
      command: { type: 'AddNote', note: 'n2', at: 't' },
      metadata: meta(`note2-${streamId}`),
    });

    // Same command id, even with the revision the user saw back then: nothing is appended, the original comes back.
    const retry = await handleCommand({
      store,
      streamId,
      decider,
      command: { type: 'AddNote', note: 'n1', at: 't' },
      metadata: meta(`note-${streamId}`),
      expectedRevision: 0,
    });
    expect(retry.idempotentReplay).toBe(true);
    expect(retry.events.map((e) => e.id)).toEqual(first.events.map((e) => e.id));
    expect(retry).toMatchObject({ nextExpectedRevision: first.nextExpectedRevision, position: first.position, state: first.state });
    expect(await store.readStream(streamId)).toHaveLength(3);
  });

  test('an expected revision the stream has moved past is refused, never retried', async () => {
    const streamId = newCase();
    await handleCommand({ store, streamId, decider, command: open(streamId), metadata: meta() });
    await handleCommand({ store, streamId, decider, command: { type: 'AddNote', note: 'by someone else', at: 't' }, metadata: meta() });
    const refused = handleCommand({
      store,
      streamId,
      decider,
      command: { type: 'DecideCase', outcome: 'upheld', at: 't' },
      metadata: meta(),
      expectedRevision: 0,
      retryOnConflict: 5,
    });
    await expect(refused).rejects.toThrow(WrongExpectedRevisionError);
    await expect(refused).rejects.toMatchObject({ expected: 0, actual: 1 });
    expect(await store.readStream(streamId)).toHaveLength(2);
  });

  test('a refusing decider appends nothing; a decision with no events leaves the stream as it is', async () => {
    const streamId = newCase();
    await expect(
      handleCommand({ store, streamId, decider, command: { type: 'AddNote', note: 'x', at: 't' }, metadata: meta() }),
    ).rejects.toThrow(CaseError);
    await handleCommand({ store, streamId, decider, command: open(streamId), metadata: meta() });
    const decided = await handleCommand({
      store,
      streamId,
      decider,
      command: { type: 'DecideCase', outcome: 'upheld', at: 't' },
      metadata: meta(),
    });
    const again = await handleCommand({
      store,
      streamId,
      decider,
      command: { type: 'DecideCase', outcome: 'upheld', at: 't' },
      metadata: meta(),
    });
    expect(again).toMatchObject({
      events: [],
      nextExpectedRevision: 1,
      position: decided.position,
      idempotentReplay: false,
      state: { status: 'decided' },
    });
    const missing = await handleCommand({
      store,
      streamId: newCase(),
      decider: { ...decider, decide: () => [] },
      command: open('x'),
      metadata: meta(),
    });
    expect(missing).toMatchObject({ events: [], nextExpectedRevision: -1, position: START, state: { status: 'none' } });
  });

  test('concurrent commands conflict; with retryOnConflict they all land, decided on fresh state', async () => {
    const streamId = newCase();
    await handleCommand({ store, streamId, decider, command: open(streamId), metadata: meta() });
    const note = (gated: GovernanceEventStore, i: number, retryOnConflict: number) =>
      handleCommand({
        store: gated,
        streamId,
        decider,
        command: { type: 'AddNote', note: `n${i}`, at: 't' },
        metadata: meta(),
        retryOnConflict,
      });

    let gated = afterReads(4);
    const noRetry = await Promise.allSettled(Array.from({ length: 4 }, (_, i) => note(gated, i, 0)));
    const refused = noRetry.filter((r) => r.status === 'rejected');
    expect(refused).toHaveLength(3);
    for (const r of refused) expect((r as PromiseRejectedResult).reason).toBeInstanceOf(WrongExpectedRevisionError);

    const before = (await store.readStream(streamId)).length;
    gated = afterReads(4);
    const withRetry = await Promise.all(Array.from({ length: 4 }, (_, i) => note(gated, i, 10)));
    expect(withRetry.map((r) => r.nextExpectedRevision).sort()).toEqual([before, before + 1, before + 2, before + 3]);
    const final = await store.readStream(streamId);
    expect(foldState(decider, final)).toMatchObject({ notes: final.length - 1 });
    expect(await store.verifyStream(streamId)).toEqual({ ok: true, verifiedEvents: final.length });
  });

  test('time travel: the state as of a revision; personal fields fold as redacted after erasure', async () => {
    const streamId = newCase();
    await handleCommand({ store, streamId, decider, command: open(streamId), metadata: meta() });
    await handleCommand({ store, streamId, decider, command: { type: 'AddNote', note: 'n', at: 't' }, metadata: meta() });
    await handleCommand({ store, streamId, decider, command: { type: 'DecideCase', outcome: 'dismissed', at: 't' }, metadata: meta() });

    expect(foldState(decider, await store.readStream(streamId, { toRevision: 1 }))).toMatchObject({ status: 'open', notes: 1 });
    expect(foldState(decider, await store.readStream(streamId))).toMatchObject({ status: 'decided', outcome: 'dismissed' });

    await store.forgetSubject(`member-r-${streamId}`);
    expect(foldState(decider, await store.readStream(streamId))).toMatchObject({ status: 'decided', statement: REDACTED });
    expect(await store.verifyStream(streamId)).toEqual({ ok: true, verifiedEvents: 3 });
  });
});

/** The store, counting its stream reads. */
function countingReads(): { store: GovernanceEventStore; reads: () => number } {
  let reads = 0;
  const counted = Object.create(store) as GovernanceEventStore;
  counted.readStream = (...args) => {
    reads++;
    return store.readStream(...args);
  };
  return { store: counted, reads: () => reads };
}

describe('handleCommand on a stream its caller loaded (to authorize the command against it)', () => {
  test('decides on the loaded state and appends expecting its revision: the stream is not read again', async () => {
    const streamId = newCase();
    await handleCommand({ store, streamId, decider, command: open(streamId), metadata: meta() });
    const loaded = await loadState(store, streamId, decider);
    const counted = countingReads();

    const result = await handleCommand({
      store: counted.store,
      streamId,
      decider,
      command: { type: 'DecideCase', outcome: 'upheld', at: 't' },
      metadata: meta(),
      loaded,
      retryOnConflict: 3,
    });
    expect(counted.reads()).toBe(0);
    expect(result).toMatchObject({ nextExpectedRevision: 1, state: { status: 'decided', outcome: 'upheld' } });
    expect(await store.verifyStream(streamId)).toEqual({ ok: true, verifiedEvents: 2 });
  });

  test('a change since it was loaded: the append conflicts, and the retry reads the stream again and decides on it', async () => {
    const streamId = newCase();
    await handleCommand({ store, streamId, decider, command: open(streamId), metadata: meta() });
    const loaded = await loadState(store, streamId, decider);
    await handleCommand({ store, streamId, decider, command: { type: 'DecideCase', outcome: 'dismissed', at: 't' }, metadata: meta() });
    const counted = countingReads();

    // On the loaded state the case is open and this decision would land; on the stream as it is, it is refused.
    const decided = handleCommand({
      store: counted.store,
      streamId,
      decider,
      command: { type: 'DecideCase', outcome: 'upheld', at: 't' },
      metadata: meta(),
      loaded,
      retryOnConflict: 3,
    });
    await expect(decided).rejects.toThrow('case is already decided');
    expect(counted.reads()).toBe(1);
    expect(await store.readStream(streamId)).toHaveLength(2);
  });

  test('without retries (an expected revision), a change since it was loaded is refused as a conflict', async () => {
    const streamId = newCase();
    await handleCommand({ store, streamId, decider, command: open(streamId), metadata: meta() });
    const loaded = await loadState(store, streamId, decider);
    await handleCommand({ store, streamId, decider, command: { type: 'AddNote', note: 'meanwhile', at: 't' }, metadata: meta() });

    const refused = handleCommand({
      store,
      streamId,
      decider,
      command: { type: 'AddNote', note: 'mine', at: 't' },
      metadata: meta(),
      expectedRevision: 0,
      loaded,
    });
    await expect(refused).rejects.toThrow(WrongExpectedRevisionError);
    expect(await store.readStream(streamId)).toHaveLength(2);
  });

  test('a retried command id is answered from the loaded history, with no read', async () => {
    const streamId = newCase();
    const first = await handleCommand({ store, streamId, decider, command: open(streamId), metadata: meta(`loaded-${streamId}`) });
    const loaded = await loadState(store, streamId, decider);
    const counted = countingReads();

    const retry = await handleCommand({
      store: counted.store,
      streamId,
      decider,
      command: open(streamId),
      metadata: meta(`loaded-${streamId}`),
      loaded,
    });
    expect(retry).toMatchObject({ idempotentReplay: true, position: first.position });
    expect(counted.reads()).toBe(0);
  });
});

describe('loadState on PostgreSQL', () => {
  test('a stream that does not exist is the empty history: the initial state at revision -1', async () => {
    expect(await loadState(store, newCase(), decider)).toEqual({ state: { status: 'none' }, revision: -1, events: [] });
  });

  test('a stream is read once and folded: its state, the revision of its last event and the events read', async () => {
    const streamId = newCase();
    await handleCommand({ store, streamId, decider, command: open(streamId), metadata: meta('load-open') });
    await handleCommand({ store, streamId, decider, command: { type: 'AddNote', note: 'n', at: 't' }, metadata: meta('load-note') });

    const loaded = await loadState(store, streamId, decider);
    expect(loaded.state).toEqual({ status: 'open', caseId: streamId, statement: 'they insulted me', notes: 1 });
    expect(loaded.revision).toBe(1);
    expect(loaded.events.map((event) => [event.type, event.metadata.commandId])).toEqual([
      ['CaseOpened', 'load-open'],
      ['NoteAdded', 'load-note'],
    ]);
  });

  test('a failed read is not taken for a missing stream', async () => {
    const failing = Object.create(store) as GovernanceEventStore;
    failing.readStream = () => Promise.reject(new Error('connection lost'));
    await expect(loadState(failing, newCase(), decider)).rejects.toThrow('connection lost');
  });
});
