import { foldState } from '#event-store';
import { DeciderSpecification } from '#testing';
import { domainError } from '../../../test/support/domain-error.ts';
import {
  GROUP_ACTIVITY_EVENT_SCHEMAS,
  groupActivityDecider,
  groupActivityStreamId,
  type ActivityFigures,
  type GroupActivityEvent,
  type RecordGroupActivity,
} from './group-activity.decider.ts';

const spec = DeciderSpecification.for(groupActivityDecider);

const week = { start: '2026-11-23', end: '2026-11-29' };
const figures: ActivityFigures = {
  members: 148,
  posters: null,
  readers: null,
  posts: 37,
  reads: 912,
  reactions: 64,
  lastActivity: '2026-11-28',
};
const record = (override: Partial<RecordGroupActivity> = {}): RecordGroupActivity => ({
  type: 'RecordGroupActivity',
  groupId: 'g-sales',
  period: week,
  figures,
  source: 'VIVA_ENGAGE_GROUPS_ACTIVITY',
  actorId: 'cm-1',
  at: '2026-11-30T09:00:00.000Z',
  ...override,
});
const recorded = (override: Partial<GroupActivityEvent['data']> = {}): GroupActivityEvent => ({
  type: 'GroupActivityRecorded',
  data: {
    groupId: 'g-sales',
    periodStart: week.start,
    periodEnd: week.end,
    source: 'VIVA_ENGAGE_GROUPS_ACTIVITY',
    ...figures,
    supersedes: false,
    recordedBy: 'cm-1',
    recordedAt: '2026-11-30T09:00:00.000Z',
    ...override,
  },
});

describe('group activity stream id', () => {
  test('is group_activity-<groupId>', () => expect(groupActivityStreamId('g-sales')).toBe('group_activity-g-sales'));
  test('refuses an id that would not be a safe stream id', () => expect(() => groupActivityStreamId('g sales')).toThrow());
});

describe('RecordGroupActivity', () => {
  test('given no figures yet, records the period with supersedes false', () => spec.given([]).when(record()).then([recorded()]));

  test('given the same figures for the period (the same report imported again), records nothing', () =>
    spec
      .given([recorded()])
      .when(record({ at: '2026-12-01T10:00:00.000Z', actorId: 'cm-2' }))
      .then([]));

  test('given the same figures from another source, records nothing: the figures are what is known', () =>
    spec
      .given([recorded()])
      .when(record({ source: 'GENERIC' }))
      .then([]));

  test('given other figures for the period (a corrected report), records a superseding event', () =>
    spec
      .given([recorded()])
      .when(record({ figures: { ...figures, posts: 38 }, at: '2026-12-01T10:00:00.000Z' }))
      .then([recorded({ posts: 38, supersedes: true, recordedAt: '2026-12-01T10:00:00.000Z' })]));

  test('given a correction, the original figures again supersede the correction (the latest report counts)', () =>
    spec
      .given([recorded(), recorded({ posts: 38, supersedes: true })])
      .when(record())
      .then([recorded({ supersedes: true })]));

  test('given figures for another period, a new period is not a correction', () =>
    spec
      .given([recorded()])
      .when(record({ period: { start: '2026-11-30', end: '2026-12-06' } }))
      .then([recorded({ periodStart: '2026-11-30', periodEnd: '2026-12-06' })]));

  test('a null figure (unknown) differs from 0', () =>
    spec
      .given([recorded()])
      .when(record({ figures: { ...figures, posters: 0 } }))
      .then([recorded({ posters: 0, supersedes: true })]));

  test.each([
    ['a negative count', { figures: { ...figures, posts: -1 } }, 'posts'],
    ['a fractional count', { figures: { ...figures, reads: 1.5 } }, 'reads'],
    ['members unknown', { figures: { ...figures, members: null as unknown as number } }, 'members'],
    ['a count beyond the bound', { figures: { ...figures, reactions: 1_000_000_001 } }, 'reactions'],
    ['a last activity that is no date', { figures: { ...figures, lastActivity: '2026-02-30' } }, 'lastActivity'],
    ['a period that ends before it starts', { period: { start: '2026-11-29', end: '2026-11-23' } }, 'period'],
    ['a period with a non-date', { period: { start: 'yesterday', end: '2026-11-23' } }, 'period'],
    ['a group id with a space', { groupId: 'g sales' }, 'groupId'],
  ])('refuses %s as bad input naming the field', (_, override, field) =>
    spec
      .given([])
      .when(record(override))
      .thenThrows(domainError('BAD_USER_INPUT', undefined, field)),
  );
});

describe('state', () => {
  test('keeps the latest figures per period, for streamStateAt', () => {
    const state = foldState(groupActivityDecider, [recorded(), recorded({ posts: 40, supersedes: true, source: 'GENERIC' })]);
    expect(state).toEqual({ periods: { '2026-11-23..2026-11-29': { ...figures, posts: 40, source: 'GENERIC' } } });
  });

  test('an event type from a newer version changes nothing', () => {
    const state = foldState(groupActivityDecider, [recorded(), { type: 'GroupActivityRetracted', data: {} }]);
    expect(Object.keys(state.periods)).toEqual(['2026-11-23..2026-11-29']);
  });
});

describe('event schemas', () => {
  test('nothing personal is stored: no field is encrypted, none names a person', () => {
    expect(GROUP_ACTIVITY_EVENT_SCHEMAS).toEqual([{ type: 'GroupActivityRecorded' }]);
    expect(Object.keys(recorded().data).filter((key) => /owner|principal|email|member(?!s)/i.test(key))).toEqual([]);
  });
});
