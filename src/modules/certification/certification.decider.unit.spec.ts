import { foldState } from '#event-store';
import { DeciderSpecification } from '#testing';
import { DomainError, type DomainErrorCode } from '../../platform/shared/domain-error.ts';
import type { CertificationLevelDefinition } from './certification-level.decider.ts';
import {
  addMonths,
  CERTIFICATION_EVENT_SCHEMAS,
  CERTIFICATION_EVENT_TYPES,
  certificationDecider,
  certificationStatusAt,
  certificationStreamId,
  isCertificationEvent,
  missingProgrammes,
  renewalDueFrom,
  type AwardCertification,
  type CertificationAwarded,
  type CertificationCommand,
  type CertificationEvent,
  type CertificationState,
} from './certification.decider.ts';

const spec = DeciderSpecification.for(certificationDecider);

const MEMBER = 'm-1';
const CM = 'cm-1';
const AWARDED_AT = '2025-01-10T09:00:00.000Z';
const EXPIRES_AT = '2026-01-10T09:00:00.000Z'; // 12 months later
const WINDOW = 60;
const DUE_FROM = '2025-11-11T09:00:00.000Z'; // 60 days before the expiry
const BEFORE_WINDOW = '2025-11-11T08:59:59.999Z';
const IN_WINDOW = '2025-12-01T00:00:00.000Z';
const MID_VALIDITY = '2025-06-01T00:00:00.000Z';
const AFTER_EXPIRY = '2026-02-01T00:00:00.000Z';

const LEVELS: CertificationLevelDefinition[] = [
  { level: 1, name: 'Moderator', requiredProgrammes: ['prog-a', 'prog-b'], validityMonths: 12 },
  { level: 2, name: 'Senior moderator', requiredProgrammes: ['prog-c', 'prog-a'], validityMonths: 24 },
  { level: 3, name: 'Lead', requiredProgrammes: ['prog-d'], validityMonths: 6 },
];
const ALL_PROGRAMMES = ['prog-a', 'prog-b', 'prog-c', 'prog-d'];

// ---------------------------------------------------------------- events

const awarded = (data: Partial<CertificationAwarded['data']> = {}): CertificationEvent => ({
  type: 'CertificationAwarded',
  data: {
    memberId: MEMBER,
    recordId: `${MEMBER}:1`,
    awardNumber: 1,
    level: 1,
    validityMonths: 12,
    awardedAt: AWARDED_AT,
    expiresAt: EXPIRES_AT,
    evidence: null,
    awardedBy: CM,
    replacedRecordId: null,
    ...data,
  },
});
const record = (n = 1) => `${MEMBER}:${n}`;
const dueForRenewal = (recordId = record(), expiresAt = EXPIRES_AT, level = 1): CertificationEvent => ({
  type: 'CertificationDueForRenewal',
  data: { memberId: MEMBER, recordId, level, expiresAt, dueFrom: renewalDueFrom(expiresAt, WINDOW) },
});
const expired = (recordId = record(), expiredAt = EXPIRES_AT, level = 1): CertificationEvent => ({
  type: 'CertificationExpired',
  data: { memberId: MEMBER, recordId, level, expiredAt },
});
const renewed = (previousExpiresAt: string, expiresAt: string, renewedAt: string, recordId = record()): CertificationEvent => ({
  type: 'CertificationRenewed',
  data: {
    memberId: MEMBER,
    recordId,
    level: 1,
    validityMonths: 12,
    previousExpiresAt,
    expiresAt,
    renewedBy: CM,
    renewedAt,
    reason: 'completed the refresher',
  },
});
const suspended = (at = MID_VALIDITY, recordId = record()): CertificationEvent => ({
  type: 'CertificationSuspended',
  data: { memberId: MEMBER, recordId, level: 1, suspendedBy: CM, suspendedAt: at, reason: 'under investigation' },
});
const reinstated = (at: string, status: 'CERTIFIED' | 'DUE_FOR_RENEWAL' = 'CERTIFIED'): CertificationEvent => ({
  type: 'CertificationReinstated',
  data: { memberId: MEMBER, recordId: record(), level: 1, status, reinstatedBy: CM, reinstatedAt: at, reason: 'cleared' },
});
const revoked = (at = MID_VALIDITY, recordId = record()): CertificationEvent => ({
  type: 'CertificationRevoked',
  data: { memberId: MEMBER, recordId, level: 1, revokedBy: CM, revokedAt: at, reason: 'abused moderation rights' },
});

// ---------------------------------------------------------------- commands

const award = (command: Partial<AwardCertification> = {}): AwardCertification => ({
  type: 'AwardCertification',
  memberId: MEMBER,
  level: 1,
  evidence: null,
  member: 'active',
  levels: LEVELS.slice(0, command.level ?? 1),
  completedProgrammes: ALL_PROGRAMMES,
  actorId: CM,
  at: AWARDED_AT,
  ...command,
});
const renew = (at: string, reason = 'completed the refresher', levels = LEVELS): CertificationCommand => ({
  type: 'RenewCertification',
  memberId: MEMBER,
  reason,
  levels,
  actorId: CM,
  at,
});
const suspend = (at: string, reason = 'under investigation'): CertificationCommand => ({
  type: 'SuspendCertification',
  memberId: MEMBER,
  reason,
  actorId: CM,
  at,
});
const reinstate = (at: string, reason = 'cleared'): CertificationCommand => ({
  type: 'ReinstateCertification',
  memberId: MEMBER,
  reason,
  actorId: CM,
  at,
});
const revoke = (at: string, reason = 'abused moderation rights'): CertificationCommand => ({
  type: 'RevokeCertification',
  memberId: MEMBER,
  reason,
  actorId: CM,
  at,
});
const markDue = (at: string, recordId = record(), expiresAt = EXPIRES_AT, renewalWindowDays = WINDOW): CertificationCommand => ({
  type: 'MarkCertificationDueForRenewal',
  memberId: MEMBER,
  recordId,
  expiresAt,
  renewalWindowDays,
  at,
});
const expire = (at: string, recordId = record(), expiresAt = EXPIRES_AT): CertificationCommand => ({
  type: 'ExpireCertification',
  memberId: MEMBER,
  recordId,
  expiresAt,
  at,
});

function domainError(code: DomainErrorCode, message: string, details?: Record<string, unknown>) {
  return (error: unknown): boolean => {
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe(code);
    expect((error as DomainError).message).toBe(message);
    if (details !== undefined) expect((error as DomainError).details).toEqual(details);
    return true;
  };
}

const stateAfter = (events: CertificationEvent[]): CertificationState => foldState(certificationDecider, events);

// ---------------------------------------------------------------- basics

describe('certification stream id', () => {
  test('is certification-<member id>', () => expect(certificationStreamId('m-42')).toBe('certification-m-42'));
  test('refuses an id that would not be a safe stream id', () =>
    expect(() => certificationStreamId('m 1')).toThrow('memberId must be 1 to 100 letters, digits or . _ : @ - characters'));
});

describe('certification event schemas', () => {
  const byType = Object.fromEntries(CERTIFICATION_EVENT_SCHEMAS.map((schema) => [schema.type, schema]));

  test('cover every event type', () =>
    expect(CERTIFICATION_EVENT_SCHEMAS.map((schema) => schema.type)).toEqual([
      'CertificationAwarded',
      'CertificationDueForRenewal',
      'CertificationExpired',
      'CertificationRenewed',
      'CertificationSuspended',
      'CertificationReinstated',
      'CertificationRevoked',
    ]));

  test("an award's evidence is the member's personal data; nothing else is", () => {
    expect(byType['CertificationAwarded']?.personal?.fields).toEqual(['evidence']);
    expect(byType['CertificationAwarded']?.personal?.subject({ memberId: 'm-9', awardedBy: CM })).toBe('m-9');
    for (const type of CERTIFICATION_EVENT_TYPES.filter((t) => t !== 'CertificationAwarded'))
      expect(byType[type]?.personal).toBeUndefined();
  });

  test('recognise their own events only', () => {
    expect(isCertificationEvent({ type: 'CertificationRevoked' })).toBe(true);
    expect(isCertificationEvent({ type: 'CertificationLevelDefined' })).toBe(false);
  });
});

describe('dates', () => {
  test.each([
    ['2025-01-10T09:00:00.000Z', 12, '2026-01-10T09:00:00.000Z'],
    ['2025-01-10T09:00:00.000Z', 1, '2025-02-10T09:00:00.000Z'],
    ['2025-01-31T23:30:00.000Z', 1, '2025-02-28T23:30:00.000Z'],
    ['2024-01-31T12:00:00.000Z', 1, '2024-02-29T12:00:00.000Z'],
    ['2024-02-29T12:00:00.000Z', 12, '2025-02-28T12:00:00.000Z'],
    ['2025-08-31T00:00:00.000Z', 1, '2025-09-30T00:00:00.000Z'],
    ['2025-11-15T00:00:00.000Z', 3, '2026-02-15T00:00:00.000Z'],
    ['2025-01-10T09:00:00.000Z', 120, '2035-01-10T09:00:00.000Z'],
  ])('%s plus %p months is %s', (from, months, expected) => expect(addMonths(from, months)).toBe(expected));

  test('the renewal window opens the given number of days before the expiry', () => {
    expect(renewalDueFrom(EXPIRES_AT, 60)).toBe(DUE_FROM);
    expect(renewalDueFrom(EXPIRES_AT, 0)).toBe(EXPIRES_AT);
  });
});

describe('missing programmes', () => {
  test('lists the programmes of levels 1..n not completed, in level order, each once', () => {
    expect(missingProgrammes(LEVELS, 2, [])).toEqual(['prog-a', 'prog-b', 'prog-c']);
    expect(missingProgrammes(LEVELS, 2, ['prog-b'])).toEqual(['prog-a', 'prog-c']);
    expect(missingProgrammes(LEVELS, 1, ['prog-a', 'prog-b'])).toEqual([]);
    expect(missingProgrammes([...LEVELS].reverse(), 3, ['prog-a'])).toEqual(['prog-b', 'prog-c', 'prog-d']);
  });
});

// ---------------------------------------------------------------- award

describe('awarding a certification', () => {
  test('the first award is record 1, valid for the level’s months, with the evidence', () =>
    spec
      .given([])
      .when(award({ evidence: '  passed the practical assessment ' }))
      .then([awarded({ evidence: 'passed the practical assessment' })]));

  test('level 2 needs every programme of levels 1 and 2, and runs for its own validity', () =>
    spec
      .given([])
      .when(award({ level: 2 }))
      .then([awarded({ level: 2, validityMonths: 24, expiresAt: '2027-01-10T09:00:00.000Z' })]));

  test('programmes missing for the level are named, those of the lower levels included', () =>
    spec
      .given([])
      .when(award({ level: 2, completedProgrammes: ['prog-b'] }))
      .thenThrows(
        domainError('CONFLICT', 'missing for level 2: prog-a, prog-c (training programmes member m-1 has not completed)', {
          field: 'level',
          missing: ['prog-a', 'prog-c'],
        }),
      ));

  test('a level that is not defined is not found', () =>
    spec
      .given([])
      .when(award({ level: 4, levels: LEVELS }))
      .thenThrows(domainError('NOT_FOUND', 'certification level 4 is not defined', { field: 'level' })));

  test('a member who is not registered cannot be certified', () =>
    spec
      .given([])
      .when(award({ member: 'unregistered' }))
      .thenThrows(
        domainError('CONFLICT', 'member m-1 is not registered: only registered members can be certified', { field: 'memberId' }),
      ));

  test('a member who left cannot be certified', () =>
    spec
      .given([])
      .when(award({ member: 'left' }))
      .thenThrows(domainError('CONFLICT', 'member m-1 has left the community: they can no longer be certified', { field: 'memberId' })));

  test.each([
    ['a member id with a space', { memberId: 'm 1' }, 'memberId must be 1 to 100 letters, digits or . _ : @ - characters', 'memberId'],
    ['level 0', { level: 0, levels: [] }, 'level must be a whole number from 1 to 100', 'level'],
    ['evidence of 2001 characters', { evidence: 'x'.repeat(2001) }, 'evidence must be at most 2000 characters', 'evidence'],
  ])('refuses %s as bad input', (_label, change, message, field) =>
    spec
      .given([])
      .when(award(change))
      .thenThrows(domainError('BAD_USER_INPUT', message, { field })),
  );

  test('a higher level replaces the live award: the old record ends, kept in the history', () => {
    const replacing = awarded({
      recordId: record(2),
      awardNumber: 2,
      level: 2,
      validityMonths: 24,
      awardedAt: MID_VALIDITY,
      expiresAt: '2027-06-01T00:00:00.000Z',
      replacedRecordId: record(1),
    });
    spec
      .given([awarded()])
      .when(award({ level: 2, at: MID_VALIDITY }))
      .then([replacing]);
    const state = stateAfter([awarded(), replacing]);
    expect(state).toMatchObject({ status: 'CERTIFIED', current: { recordId: record(2), level: 2 } });
    expect(state.status !== 'NOT_CERTIFIED' && state.records.map((r) => [r.recordId, r.status, r.endedAt, r.replacedByLevel])).toEqual([
      [record(1), 'CERTIFIED', MID_VALIDITY, 2],
      [record(2), 'CERTIFIED', null, null],
    ]);
  });

  test('a higher level replaces an award that is due for renewal too', () =>
    spec
      .given([awarded(), dueForRenewal()])
      .when(award({ level: 3, at: IN_WINDOW }))
      .then([
        awarded({
          recordId: record(2),
          awardNumber: 2,
          level: 3,
          validityMonths: 6,
          awardedAt: IN_WINDOW,
          expiresAt: '2026-06-01T00:00:00.000Z',
          replacedRecordId: record(1),
        }),
      ]));

  test.each([1, 2])('level %p while level 2 is live is a conflict', (level) =>
    spec
      .given([awarded({ level: 2, expiresAt: '2027-01-10T09:00:00.000Z' })])
      .when(award({ level, levels: LEVELS.slice(0, level), at: MID_VALIDITY }))
      .thenThrows(
        domainError(
          'CONFLICT',
          'member m-1 already holds level 2, valid until 2027-01-10: only a higher level can be awarded while it is valid',
          { field: 'level' },
        ),
      ),
  );

  test('while suspended, nothing can be awarded, whatever the level (and before the training is looked at)', () =>
    spec
      .given([awarded(), suspended()])
      .when(award({ level: 2, completedProgrammes: [], at: MID_VALIDITY }))
      .thenThrows(domainError('CONFLICT', 'the certification of member m-1 is suspended: reinstate or revoke it before awarding a level')));

  test('after an expiry, a new award starts a new record, at any level', () =>
    spec
      .given([awarded(), expired()])
      .when(award({ at: AFTER_EXPIRY }))
      .then([
        awarded({
          recordId: record(2),
          awardNumber: 2,
          awardedAt: AFTER_EXPIRY,
          expiresAt: '2027-02-01T00:00:00.000Z',
        }),
      ]));

  test('after a revocation, a new award starts a new record', () =>
    spec
      .given([awarded(), revoked()])
      .when(award({ at: '2025-07-01T00:00:00.000Z' }))
      .then([
        awarded({ recordId: record(2), awardNumber: 2, awardedAt: '2025-07-01T00:00:00.000Z', expiresAt: '2026-07-01T00:00:00.000Z' }),
      ]));

  test('an award past its expiry that nobody recorded yet is recorded as expired on the way', () =>
    spec
      .given([awarded()])
      .when(award({ at: AFTER_EXPIRY }))
      .then([expired(), awarded({ recordId: record(2), awardNumber: 2, awardedAt: AFTER_EXPIRY, expiresAt: '2027-02-01T00:00:00.000Z' })]));

  test('a suspended award past its expiry no longer blocks a new one', () =>
    spec
      .given([awarded(), suspended()])
      .when(award({ at: AFTER_EXPIRY }))
      .then([expired(), awarded({ recordId: record(2), awardNumber: 2, awardedAt: AFTER_EXPIRY, expiresAt: '2027-02-01T00:00:00.000Z' })]));
});

// ---------------------------------------------------------------- renew

describe('renewing a certification', () => {
  test('before the expiry, the new validity runs on from the current expiry', () =>
    spec
      .given([awarded()])
      .when(renew(MID_VALIDITY))
      .then([renewed(EXPIRES_AT, '2027-01-10T09:00:00.000Z', MID_VALIDITY)]));

  test('due for renewal: extended from the expiry, and certified again', () => {
    const renewal = renewed(EXPIRES_AT, '2027-01-10T09:00:00.000Z', IN_WINDOW);
    spec.given([awarded(), dueForRenewal()]).when(renew(IN_WINDOW)).then([renewal]);
    expect(stateAfter([awarded(), dueForRenewal(), renewal])).toMatchObject({
      status: 'CERTIFIED',
      current: { expiresAt: '2027-01-10T09:00:00.000Z', endedAt: null, reason: 'completed the refresher', dueForRenewalRecorded: false },
    });
  });

  test('expired: the new validity runs from the renewal date, and the record lives again', () => {
    const renewal = renewed(EXPIRES_AT, '2027-02-01T00:00:00.000Z', AFTER_EXPIRY);
    spec.given([awarded(), expired()]).when(renew(AFTER_EXPIRY)).then([renewal]);
    expect(stateAfter([awarded(), expired(), renewal])).toMatchObject({
      status: 'CERTIFIED',
      current: { recordId: record(1), expiresAt: '2027-02-01T00:00:00.000Z', endedAt: null },
    });
  });

  test('past the expiry that nobody recorded yet: the expiry is recorded on the way, then the renewal from today', () =>
    spec
      .given([awarded()])
      .when(renew(AFTER_EXPIRY))
      .then([expired(), renewed(EXPIRES_AT, '2027-02-01T00:00:00.000Z', AFTER_EXPIRY)]));

  test('renewed exactly at the expiry: from that moment', () =>
    spec
      .given([awarded()])
      .when(renew(EXPIRES_AT))
      .then([expired(), renewed(EXPIRES_AT, '2027-01-10T09:00:00.000Z', EXPIRES_AT)]));

  test("the level's current validity applies", () =>
    spec
      .given([awarded()])
      .when(renew(MID_VALIDITY, 'refresher', [{ ...LEVELS[0]!, validityMonths: 3 }]))
      .then([
        {
          type: 'CertificationRenewed',
          data: {
            memberId: MEMBER,
            recordId: record(),
            level: 1,
            validityMonths: 3,
            previousExpiresAt: EXPIRES_AT,
            expiresAt: '2026-04-10T09:00:00.000Z',
            renewedBy: CM,
            renewedAt: MID_VALIDITY,
            reason: 'refresher',
          },
        },
      ]));

  test('a suspended certification is reinstated first', () =>
    spec
      .given([awarded(), suspended()])
      .when(renew(IN_WINDOW))
      .thenThrows(domainError('CONFLICT', 'the certification of member m-1 is suspended: reinstate it before renewing it')));

  test('a revoked certification cannot be renewed', () =>
    spec
      .given([awarded(), revoked()])
      .when(renew(IN_WINDOW))
      .thenThrows(
        domainError('CONFLICT', 'the certification of member m-1 was revoked: a revoked certification cannot be renewed, award a new one'),
      ));

  test('no certification, nothing to renew', () =>
    spec.given([]).when(renew(IN_WINDOW)).thenThrows(domainError('CONFLICT', 'member m-1 has no certification to renew')));

  test.each([
    ['a blank reason', ' ', 'reason must not be empty'],
    ['a reason of 2001 characters', 'x'.repeat(2001), 'reason must be at most 2000 characters'],
  ])('refuses %s', (_label, reason, message) =>
    spec
      .given([awarded()])
      .when(renew(MID_VALIDITY, reason))
      .thenThrows(domainError('BAD_USER_INPUT', message, { field: 'reason' })),
  );
});

// ---------------------------------------------------------------- suspend, reinstate, revoke

describe('suspending a certification', () => {
  test('a certified one is suspended, keeping its expiry date, with the reason', () => {
    spec.given([awarded()]).when(suspend(MID_VALIDITY)).then([suspended()]);
    expect(stateAfter([awarded(), suspended()])).toMatchObject({
      status: 'SUSPENDED',
      current: { expiresAt: EXPIRES_AT, reason: 'under investigation', endedAt: null },
    });
  });

  test('one due for renewal is suspended too', () =>
    spec
      .given([awarded(), dueForRenewal()])
      .when(suspend(IN_WINDOW))
      .then([suspended(IN_WINDOW)]));

  test.each([
    ['already suspended', [awarded(), suspended()], IN_WINDOW, 'the certification of member m-1 is already suspended'],
    ['expired', [awarded(), expired()], AFTER_EXPIRY, 'the certification of member m-1 expired on 2026-01-10: there is nothing to suspend'],
    [
      'past its expiry, not recorded yet',
      [awarded()],
      AFTER_EXPIRY,
      'the certification of member m-1 expired on 2026-01-10: there is nothing to suspend',
    ],
    ['revoked', [awarded(), revoked()], IN_WINDOW, 'the certification of member m-1 was revoked: there is nothing to suspend'],
    ['never awarded', [], IN_WINDOW, 'member m-1 has no certification to suspend'],
  ])('%s: a conflict', (_label, given, at, message) => spec.given(given).when(suspend(at)).thenThrows(domainError('CONFLICT', message)));

  test('a reason is required', () =>
    spec
      .given([awarded()])
      .when(suspend(MID_VALIDITY, ''))
      .thenThrows(domainError('BAD_USER_INPUT', 'reason must not be empty', { field: 'reason' })));
});

describe('reinstating a certification', () => {
  test('a suspension of a certified one gives CERTIFIED back', () => {
    spec
      .given([awarded(), suspended()])
      .when(reinstate(IN_WINDOW))
      .then([reinstated(IN_WINDOW)]);
    expect(stateAfter([awarded(), suspended(), reinstated(IN_WINDOW)])).toMatchObject({
      status: 'CERTIFIED',
      current: { expiresAt: EXPIRES_AT, reason: 'cleared' },
    });
  });

  test('a suspension that interrupted the recorded renewal window gives DUE_FOR_RENEWAL back', () => {
    spec
      .given([awarded(), dueForRenewal(), suspended(IN_WINDOW)])
      .when(reinstate('2025-12-15T00:00:00.000Z'))
      .then([reinstated('2025-12-15T00:00:00.000Z', 'DUE_FOR_RENEWAL')]);
    expect(
      stateAfter([awarded(), dueForRenewal(), suspended(IN_WINDOW), reinstated('2025-12-15T00:00:00.000Z', 'DUE_FOR_RENEWAL')]).status,
    ).toBe('DUE_FOR_RENEWAL');
  });

  test.each([
    ['certified', [awarded()], IN_WINDOW, 'the certification of member m-1 is not suspended: there is nothing to reinstate'],
    [
      'due for renewal',
      [awarded(), dueForRenewal()],
      IN_WINDOW,
      'the certification of member m-1 is not suspended: there is nothing to reinstate',
    ],
    [
      'suspended, and expired meanwhile',
      [awarded(), suspended()],
      AFTER_EXPIRY,
      'the certification of member m-1 expired on 2026-01-10 while suspended: renew it instead',
    ],
    [
      'suspended, then expired',
      [awarded(), suspended(), expired()],
      AFTER_EXPIRY,
      'the certification of member m-1 expired on 2026-01-10: renew it instead',
    ],
    [
      'revoked',
      [awarded(), revoked()],
      IN_WINDOW,
      'the certification of member m-1 was revoked: a revocation is final, award a new certification',
    ],
    ['never awarded', [], IN_WINDOW, 'member m-1 has no certification to reinstate'],
  ])('%s: a conflict', (_label, given, at, message) => spec.given(given).when(reinstate(at)).thenThrows(domainError('CONFLICT', message)));

  test('a reason is required', () =>
    spec
      .given([awarded(), suspended()])
      .when(reinstate(IN_WINDOW, '\t'))
      .thenThrows(domainError('BAD_USER_INPUT', 'reason must not be empty', { field: 'reason' })));
});

describe('revoking a certification', () => {
  test.each([
    ['certified', [awarded()]],
    ['due for renewal', [awarded(), dueForRenewal()]],
    ['suspended', [awarded(), suspended()]],
  ])('%s: revoked, final for that award', (_label, given) => {
    spec
      .given(given)
      .when(revoke(IN_WINDOW))
      .then([revoked(IN_WINDOW)]);
    expect(stateAfter([...given, revoked(IN_WINDOW)])).toMatchObject({
      status: 'REVOKED',
      current: { endedAt: IN_WINDOW, reason: 'abused moderation rights', expiresAt: EXPIRES_AT },
    });
  });

  test.each([
    ['already revoked', [awarded(), revoked()], IN_WINDOW, 'the certification of member m-1 is already revoked'],
    ['expired', [awarded(), expired()], AFTER_EXPIRY, 'the certification of member m-1 expired on 2026-01-10: there is nothing to revoke'],
    [
      'past its expiry, not recorded yet',
      [awarded()],
      AFTER_EXPIRY,
      'the certification of member m-1 expired on 2026-01-10: there is nothing to revoke',
    ],
    ['never awarded', [], IN_WINDOW, 'member m-1 has no certification to revoke'],
  ])('%s: a conflict', (_label, given, at, message) => spec.given(given).when(revoke(at)).thenThrows(domainError('CONFLICT', message)));

  test('a reason of more than 2000 characters is refused', () =>
    spec
      .given([awarded()])
      .when(revoke(IN_WINDOW, 'x'.repeat(2001)))
      .thenThrows(domainError('BAD_USER_INPUT', 'reason must be at most 2000 characters', { field: 'reason' })));
});

// ---------------------------------------------------------------- clock-driven: the scheduler's commands

describe('the renewal window (the scheduler, with its clock)', () => {
  test('nothing before the window opens', () => spec.given([awarded()]).when(markDue(BEFORE_WINDOW)).then([]));

  test('recorded once the window opens, dated when it opened', () =>
    spec
      .given([awarded()])
      .when(markDue(DUE_FROM))
      .then([
        {
          type: 'CertificationDueForRenewal',
          data: { memberId: MEMBER, recordId: record(), level: 1, expiresAt: EXPIRES_AT, dueFrom: DUE_FROM },
        },
      ]));

  test('noticed later in the window: still dated when it opened', () =>
    spec.given([awarded()]).when(markDue(IN_WINDOW)).then([dueForRenewal()]));

  test('already recorded: nothing more', () => spec.given([awarded(), dueForRenewal()]).when(markDue(IN_WINDOW)).then([]));

  test('past the expiry: nothing (the expiry is recorded instead)', () => spec.given([awarded()]).when(markDue(AFTER_EXPIRY)).then([]));

  test('a suspended certification does not enter the window; reinstated, it does', () => {
    spec.given([awarded(), suspended()]).when(markDue(IN_WINDOW)).then([]);
    spec
      .given([awarded(), suspended(), reinstated(IN_WINDOW)])
      .when(markDue(IN_WINDOW))
      .then([dueForRenewal()]);
  });

  test.each([
    ['revoked', [awarded(), revoked()]],
    ['expired', [awarded(), expired()]],
  ])('%s: nothing', (_label, given) => spec.given(given).when(markDue(IN_WINDOW)).then([]));

  test('an item read before a renewal is stale: nothing, even inside the new window', () =>
    spec
      .given([awarded(), renewed(EXPIRES_AT, '2026-02-10T09:00:00.000Z', MID_VALIDITY)])
      .when(markDue('2026-01-01T00:00:00.000Z'))
      .then([]));

  test('after a renewal, the new expiry has its own window', () =>
    spec
      .given([awarded(), dueForRenewal(), renewed(EXPIRES_AT, '2027-01-10T09:00:00.000Z', IN_WINDOW)])
      .when(markDue('2026-12-01T00:00:00.000Z', record(), '2027-01-10T09:00:00.000Z'))
      .then([dueForRenewal(record(), '2027-01-10T09:00:00.000Z')]));

  test('a record replaced by a higher level: nothing', () =>
    spec
      .given([awarded(), awarded({ recordId: record(2), awardNumber: 2, level: 2, awardedAt: MID_VALIDITY, replacedRecordId: record(1) })])
      .when(markDue(IN_WINDOW))
      .then([]));

  test('a window of 0 days never opens before the expiry', () =>
    spec
      .given([awarded()])
      .when(markDue('2026-01-10T08:59:59.999Z', record(), EXPIRES_AT, 0))
      .then([]));

  test('an unknown record is not found', () => {
    spec
      .given([awarded()])
      .when(markDue(IN_WINDOW, record(7)))
      .thenThrows(domainError('NOT_FOUND', 'member m-1 has no certification m-1:7'));
    spec.given([]).when(markDue(IN_WINDOW)).thenThrows(domainError('NOT_FOUND', 'member m-1 has no certification m-1:1'));
  });
});

describe('expiry (the scheduler, with its clock)', () => {
  test('nothing before the expiry date', () => spec.given([awarded()]).when(expire('2026-01-10T08:59:59.999Z')).then([]));

  test('at the expiry date: recorded, dated at the expiry', () => spec.given([awarded()]).when(expire(EXPIRES_AT)).then([expired()]));

  test.each([
    ['certified', [awarded()]],
    ['due for renewal', [awarded(), dueForRenewal()]],
    ['suspended (it still expires at its date)', [awarded(), suspended()]],
  ])('%s: expires', (_label, given) => {
    spec.given(given).when(expire(AFTER_EXPIRY)).then([expired()]);
    expect(stateAfter([...given, expired()])).toMatchObject({ status: 'EXPIRED', current: { endedAt: EXPIRES_AT } });
  });

  test.each([
    ['already expired', [awarded(), expired()]],
    ['revoked', [awarded(), revoked()]],
    ['renewed since the item was read', [awarded(), renewed(EXPIRES_AT, '2027-01-10T09:00:00.000Z', IN_WINDOW)]],
    ['replaced by a higher level', [awarded(), awarded({ recordId: record(2), awardNumber: 2, level: 2, replacedRecordId: record(1) })]],
  ])('%s: nothing', (_label, given) => spec.given(given).when(expire(AFTER_EXPIRY)).then([]));

  test('an unknown record is not found', () =>
    spec.given([]).when(expire(AFTER_EXPIRY)).thenThrows(domainError('NOT_FOUND', 'member m-1 has no certification m-1:1')));
});

// ---------------------------------------------------------------- status at a moment, history

describe('status at a moment', () => {
  test('a live award past its expiry reads as EXPIRED before anything is recorded', () => {
    expect(certificationStatusAt(stateAfter([]), AFTER_EXPIRY)).toBe('NOT_CERTIFIED');
    expect(certificationStatusAt(stateAfter([awarded()]), MID_VALIDITY)).toBe('CERTIFIED');
    expect(certificationStatusAt(stateAfter([awarded()]), new Date(EXPIRES_AT))).toBe('EXPIRED');
    expect(certificationStatusAt(stateAfter([awarded(), dueForRenewal()]), IN_WINDOW)).toBe('DUE_FOR_RENEWAL');
    expect(certificationStatusAt(stateAfter([awarded(), suspended()]), MID_VALIDITY)).toBe('SUSPENDED');
    expect(certificationStatusAt(stateAfter([awarded(), suspended()]), AFTER_EXPIRY)).toBe('EXPIRED');
    expect(certificationStatusAt(stateAfter([awarded(), revoked()]), AFTER_EXPIRY)).toBe('REVOKED');
  });

  test('the history keeps every record, oldest first', () => {
    const state = stateAfter([
      awarded(),
      revoked(),
      awarded({ recordId: record(2), awardNumber: 2, awardedAt: '2025-07-01T00:00:00.000Z', expiresAt: '2026-07-01T00:00:00.000Z' }),
      awarded({
        recordId: record(3),
        awardNumber: 3,
        level: 2,
        awardedAt: '2025-08-01T00:00:00.000Z',
        expiresAt: '2027-08-01T00:00:00.000Z',
        replacedRecordId: record(2),
      }),
    ]);
    expect(state.status !== 'NOT_CERTIFIED' && state.records).toEqual([
      {
        recordId: record(1),
        awardNumber: 1,
        level: 1,
        status: 'REVOKED',
        awardedAt: AWARDED_AT,
        expiresAt: EXPIRES_AT,
        endedAt: MID_VALIDITY,
        reason: 'abused moderation rights',
        replacedByLevel: null,
        dueForRenewalRecorded: false,
      },
      {
        recordId: record(2),
        awardNumber: 2,
        level: 1,
        status: 'CERTIFIED',
        awardedAt: '2025-07-01T00:00:00.000Z',
        expiresAt: '2026-07-01T00:00:00.000Z',
        endedAt: '2025-08-01T00:00:00.000Z',
        reason: null,
        replacedByLevel: 2,
        dueForRenewalRecorded: false,
      },
      {
        recordId: record(3),
        awardNumber: 3,
        level: 2,
        status: 'CERTIFIED',
        awardedAt: '2025-08-01T00:00:00.000Z',
        expiresAt: '2027-08-01T00:00:00.000Z',
        endedAt: null,
        reason: null,
        replacedByLevel: null,
        dueForRenewalRecorded: false,
      },
    ]);
  });

  test('an event about an earlier record does not touch the current one', () => {
    const state = stateAfter([awarded(), revoked(), awarded({ recordId: record(2), awardNumber: 2 }), expired(record(1))]);
    expect(state).toMatchObject({ status: 'CERTIFIED', current: { recordId: record(2) } });
  });
});
