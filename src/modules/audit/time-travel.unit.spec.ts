import type { StoredEvent } from '#event-store';
import { DomainError } from '../../platform/shared/domain-error.ts';
import { requireStreamDecider, stateAt, timeTravelTarget } from './time-travel.ts';
import { GOVERNANCE_STREAMS } from '../index.ts';
import { streamDecidersOf } from './stream-deciders.ts';

const STREAM_DECIDERS = streamDecidersOf(GOVERNANCE_STREAMS);

const recordedAt = (second: number) => new Date(Date.UTC(2025, 2, 1, 10, 0, second));
const groupEvent = (revision: number, type: string, data: Record<string, unknown>, second: number): StoredEvent => ({
  id: `e${revision}`,
  streamId: 'group-g1',
  revision,
  type,
  schemaVersion: 1,
  data,
  metadata: {
    actorId: 'cm-1',
    actorRoles: [],
    authority: null,
    reason: null,
    source: 'api',
    correlationId: 'c',
    causationId: null,
    commandId: null,
    occurredAt: recordedAt(second).toISOString(),
  },
  hash: null,
  position: { commit: BigInt(10 + revision), prepare: BigInt(revision) },
  recordedAt: recordedAt(second),
});

const history = [
  groupEvent(0, 'GroupCreated', { groupId: 'g1', name: 'Riders' }, 0),
  groupEvent(1, 'GroupOwnerAssigned', { groupId: 'g1', memberId: 'm1' }, 10),
  groupEvent(2, 'GroupOwnerAssigned', { groupId: 'g1', memberId: 'm2' }, 10),
  groupEvent(3, 'GroupOwnerRemoved', { groupId: 'g1', memberId: 'm1' }, 20),
];
const group = requireStreamDecider(STREAM_DECIDERS, 'group-g1');

function code(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof DomainError) return `${error.code}: ${error.message}`;
    throw error;
  }
  return 'accepted';
}

describe('time travel', () => {
  test('up to a revision: the fold of the events up to it, with when it was recorded', () => {
    expect(stateAt(group, 'group-g1', history, { revision: 1 })).toEqual({
      streamId: 'group-g1',
      revision: 1,
      at: recordedAt(10),
      state: { status: 'active', groupId: 'g1', name: 'Riders', owners: ['m1'] },
    });
    expect(stateAt(group, 'group-g1', history, { revision: 3 }).state).toEqual({
      status: 'active',
      groupId: 'g1',
      name: 'Riders',
      owners: ['m2'],
    });
  });

  test('at a moment: every event recorded at or before it, inclusive', () => {
    expect(stateAt(group, 'group-g1', history, { at: recordedAt(10) })).toMatchObject({ revision: 2, state: { owners: ['m1', 'm2'] } });
    expect(stateAt(group, 'group-g1', history, { at: new Date(recordedAt(20).getTime() - 1) })).toMatchObject({ revision: 2 });
    expect(stateAt(group, 'group-g1', history, { at: recordedAt(99) })).toMatchObject({ revision: 3, at: recordedAt(20) });
  });

  test('before the first event: the initial state at revision -1', () => {
    expect(stateAt(group, 'group-g1', history, { at: new Date(recordedAt(0).getTime() - 1) })).toEqual({
      streamId: 'group-g1',
      revision: -1,
      at: null,
      state: { status: 'absent' },
    });
  });

  test('no target: the current state', () => {
    expect(stateAt(group, 'group-g1', history, { latest: true })).toMatchObject({ revision: 3, at: recordedAt(20) });
  });

  test('the target: either at or revision; a revision is a whole number from 0', () => {
    expect(timeTravelTarget(null, 4)).toEqual({ revision: 4 });
    expect(timeTravelTarget(recordedAt(1), undefined)).toEqual({ at: recordedAt(1) });
    expect(timeTravelTarget(undefined, null)).toEqual({ latest: true });
    expect(code(() => timeTravelTarget(recordedAt(1), 0))).toBe('BAD_USER_INPUT: give either at or revision, not both');
    expect(code(() => timeTravelTarget(null, -1))).toBe('BAD_USER_INPUT: revision must be a whole number from 0 up');
    expect(code(() => timeTravelTarget(new Date(Number.NaN), null))).toBe('BAD_USER_INPUT: at must be a date-time');
  });

  test('a stream of a category no module registered is BAD_USER_INPUT, naming the known ones', () => {
    expect(code(() => requireStreamDecider(STREAM_DECIDERS, 'widget-1'))).toBe(
      `BAD_USER_INPUT: streamId widget-1: its category (the part before the first '-') is none of ${STREAM_DECIDERS.categories.join(', ')}`,
    );
    expect(code(() => requireStreamDecider(STREAM_DECIDERS, ''))).toMatch(/^BAD_USER_INPUT: streamId must be 1 to 300 characters/);
  });
});
