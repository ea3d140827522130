import type { StoredEvent } from '#event-store';
import { DomainError } from '../../platform/shared/domain-error.ts';
import { compileHistoryFilter } from './history-filter.ts';
import { GOVERNANCE_STREAMS } from '../index.ts';
import { EventTypeCatalog } from './event-type-catalog.ts';

const EVENT_TYPES = new EventTypeCatalog(GOVERNANCE_STREAMS);

const event = (overrides: Partial<StoredEvent> = {}): StoredEvent => ({
  id: 'e1',
  streamId: 'moderation_case-c1',
  revision: 2,
  type: 'ModerationCaseDecided',
  schemaVersion: 1,
  data: {},
  metadata: {
    actorId: 'cm-1',
    actorRoles: ['COMMUNITY_MANAGER'],
    authority: 'role:COMMUNITY_MANAGER',
    reason: null,
    source: 'api',
    correlationId: 'corr-1',
    causationId: null,
    commandId: null,
    occurredAt: '2025-03-01T10:00:00.000Z',
  },
  hash: null,
  position: { commit: 10n, prepare: 5n },
  recordedAt: new Date('2025-03-01T10:00:00.123Z'),
  ...overrides,
});

function refusal(filter: Parameters<typeof compileHistoryFilter>[0]): { code: string; message: string; field: unknown } {
  try {
    compileHistoryFilter(filter, EVENT_TYPES);
  } catch (error) {
    if (error instanceof DomainError) return { code: error.code, message: error.message, field: error.details?.['field'] };
    throw error;
  }
  throw new Error('accepted');
}

describe('compileHistoryFilter', () => {
  test('no filter: everything, nothing for the log to filter', () => {
    const compiled = compileHistoryFilter(undefined, EVENT_TYPES);
    expect(compiled.history).toEqual({});
    expect(compiled.log).toBeUndefined();
    expect(compiled.streamId).toBeNull();
    expect(compiled.matches(event())).toBe(true);
  });

  test('every field, in the forms the history query, the log subscription and the check need', () => {
    const from = new Date('2025-03-01T10:00:00.123Z');
    const to = new Date('2025-03-01T10:00:00.123Z');
    const compiled = compileHistoryFilter(
      {
        streamId: 'moderation_case-c1',
        category: 'moderation_case',
        eventTypes: ['ModerationCaseDecided', 'AppealFiled', 'AppealFiled'],
        actorId: 'cm-1',
        correlationId: 'corr-1',
        from,
        to,
      },
      EVENT_TYPES,
    );
    expect(compiled.history).toEqual({
      streamId: 'moderation_case-c1',
      categories: ['moderation_case'],
      eventTypes: ['ModerationCaseDecided', 'AppealFiled'],
      actorId: 'cm-1',
      correlationId: 'corr-1',
      recordedFrom: from,
      recordedTo: to,
    });
    expect(compiled.log).toEqual({ categories: ['moderation_case'], eventTypes: ['ModerationCaseDecided', 'AppealFiled'] });
    expect(compiled.streamId).toBe('moderation_case-c1');
    expect(compiled.matches(event())).toBe(true);
    expect(compiled.matches(event({ streamId: 'moderation_case-c2' }))).toBe(false);
    expect(compiled.matches(event({ type: 'ContentFlagged' }))).toBe(false);
    expect(compiled.matches(event({ metadata: { ...event().metadata, actorId: 'cm-2' } }))).toBe(false);
    expect(compiled.matches(event({ metadata: { ...event().metadata, correlationId: 'corr-2' } }))).toBe(false);
    expect(compiled.matches(event({ recordedAt: new Date('2025-03-01T10:00:00.124Z') }))).toBe(false);
    expect(compiled.matches(event({ recordedAt: new Date('2025-03-01T10:00:00.122Z') }))).toBe(false);
  });

  test('the stream id alone narrows the log to its category', () => {
    expect(compileHistoryFilter({ streamId: 'training_enrolment-p-1-m-2' }, EVENT_TYPES).log).toEqual({
      categories: ['training_enrolment'],
    });
  });

  test.each([
    [{ streamId: 'member-m1', category: 'group' }, 'filter.streamId', /streamId member-m1 is not in category group/],
    [{ category: 'member-m1' }, 'filter.category', /part of a stream id before its first '-'/],
    [{ category: '' }, 'filter.category', /stream category/],
    [{ eventTypes: [] }, 'filter.eventTypes', /1 to 50 event types/],
    [{ eventTypes: Array.from({ length: 51 }, (_, i) => `T${i}`) }, 'filter.eventTypes', /1 to 50 event types/],
    [{ eventTypes: [''] }, 'filter.eventTypes', /1 to 200 characters/],
    [
      { eventTypes: ['MemberRegistred'] },
      'filter.eventTypes',
      /"MemberRegistred" is not an event type of the log; governanceEventTypes lists them/,
    ],
    [{ eventTypes: ['MemberRegistered', 'memberupdated', 'Nope'] }, 'filter.eventTypes', /"memberupdated", "Nope" are not event types/],
    [{ streamId: '' }, 'filter.streamId', /1 to 300 characters/],
    [{ actorId: 'a\u0000b' }, 'filter.actorId', /without control characters/],
    [{ correlationId: 'x'.repeat(201) }, 'filter.correlationId', /1 to 200 characters/],
    [{ from: new Date('2025-02-01T00:00:00Z'), to: new Date('2025-01-01T00:00:00Z') }, 'filter.from', /must not be after filter.to/],
    [{ from: new Date(Number.NaN) }, 'filter.from', /from 1970 to 9999/],
    [{ to: new Date('1969-12-31T23:59:59Z') }, 'filter.to', /from 1970 to 9999/],
  ])('%j is BAD_USER_INPUT on %s', (filter, field, message) => {
    const error = refusal(filter);
    expect(error).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect(error.message).toMatch(message);
  });
});
