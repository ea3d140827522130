import { foldState } from '#event-store';
import { DeciderSpecification } from '#testing';
import { DomainError } from '../../platform/shared/domain-error.ts';
import { MEMBER_EVENT_SCHEMAS, memberDecider, memberStreamId, type MemberEvent } from './member.decider.ts';
import { domainError } from '../../../test/support/domain-error.ts';

const spec = DeciderSpecification.for(memberDecider);

const registered: MemberEvent = {
  type: 'MemberRegistered',
  data: { memberId: 'm-1', displayName: 'Ada Lovelace', department: 'Research' },
};
const left: MemberEvent = { type: 'MemberLeft', data: { memberId: 'm-1', reason: null } };

describe('member stream id', () => {
  test('is member-<id>', () => expect(memberStreamId('m-1')).toBe('member-m-1'));
  test('refuses an id that would not be a safe stream id', () => expect(() => memberStreamId('a b')).toThrow(DomainError));
});

describe('RegisterMember', () => {
  test('registers a new member, trimmed', () =>
    spec
      .given([])
      .when({ type: 'RegisterMember', memberId: 'm-1', displayName: '  Ada Lovelace ', department: 'Research ' })
      .then([registered]));

  test('registering twice is a conflict', () =>
    spec
      .given([registered])
      .when({ type: 'RegisterMember', memberId: 'm-1', displayName: 'Ada', department: 'Research' })
      .thenThrows(domainError('CONFLICT', 'member m-1 is already registered')));

  test('registering a member who left is a conflict too', () =>
    spec
      .given([registered, left])
      .when({ type: 'RegisterMember', memberId: 'm-1', displayName: 'Ada', department: 'Research' })
      .thenThrows(domainError('CONFLICT', 'member m-1 is already registered')));

  test.each([
    ['an empty member id', { memberId: '' }, 'memberId'],
    ['a member id with a space', { memberId: 'm 1' }, 'memberId'],
    ['a member id with a slash', { memberId: 'm/1' }, 'memberId'],
    ['a member id over 100 characters', { memberId: 'm'.repeat(101) }, 'memberId'],
    ['an empty display name', { displayName: '' }, 'displayName'],
    ['a blank display name', { displayName: '   ' }, 'displayName'],
    ['a display name over 200 characters', { displayName: 'a'.repeat(201) }, 'displayName'],
    ['a display name with a control character', { displayName: 'Ada\u0007' }, 'displayName'],
    ['an empty department', { department: '' }, 'department'],
    ['a department over 100 characters', { department: 'd'.repeat(101) }, 'department'],
    ['a department with a control character', { department: 'Re\u0000search' }, 'department'],
  ])('refuses %s as bad input naming the field', (_, override, field) =>
    spec
      .given([])
      .when({ type: 'RegisterMember', memberId: 'm-1', displayName: 'Ada', department: 'Research', ...override })
      .thenThrows(domainError('BAD_USER_INPUT', new RegExp(`^${field} `), field)),
  );

  test('accepts the longest allowed values', () =>
    spec
      .given([])
      .when({ type: 'RegisterMember', memberId: 'm'.repeat(100), displayName: 'a'.repeat(200), department: 'd'.repeat(100) })
      .then([
        { type: 'MemberRegistered', data: { memberId: 'm'.repeat(100), displayName: 'a'.repeat(200), department: 'd'.repeat(100) } },
      ]));
});

describe('UpdateMember', () => {
  test('records only the fields that changed', () =>
    spec
      .given([registered])
      .when({ type: 'UpdateMember', memberId: 'm-1', displayName: 'Ada Lovelace', department: 'Engineering' })
      .then([{ type: 'MemberUpdated', data: { memberId: 'm-1', department: 'Engineering' } }]));

  test('records a new display name alone', () =>
    spec
      .given([registered])
      .when({ type: 'UpdateMember', memberId: 'm-1', displayName: ' Ada King ' })
      .then([{ type: 'MemberUpdated', data: { memberId: 'm-1', displayName: 'Ada King' } }]));

  test('compares with the state after earlier updates', () =>
    spec
      .given([registered, { type: 'MemberUpdated', data: { memberId: 'm-1', department: 'Engineering' } }])
      .when({ type: 'UpdateMember', memberId: 'm-1', department: 'Engineering' })
      .then([]));

  test('an update that changes nothing records nothing', () =>
    spec
      .given([registered])
      .when({ type: 'UpdateMember', memberId: 'm-1', displayName: 'Ada Lovelace ', department: 'Research' })
      .then([]));

  test('null fields mean "leave as is"', () =>
    spec
      .given([registered])
      .when({ type: 'UpdateMember', memberId: 'm-1', displayName: null, department: 'Engineering' })
      .then([{ type: 'MemberUpdated', data: { memberId: 'm-1', department: 'Engineering' } }]));

  test('an update with neither field is bad input', () =>
    spec.given([registered]).when({ type: 'UpdateMember', memberId: 'm-1' }).thenThrows(domainError('BAD_USER_INPUT')));

  test('an update with both fields null is bad input', () =>
    spec
      .given([registered])
      .when({ type: 'UpdateMember', memberId: 'm-1', displayName: null, department: null })
      .thenThrows(domainError('BAD_USER_INPUT')));

  test.each([
    ['an empty display name', { displayName: '' }],
    ['a display name over 200 characters', { displayName: 'a'.repeat(201) }],
    ['a display name with a control character', { displayName: 'Ada\u001b[31m' }],
    ['an empty department', { department: ' ' }],
    ['a department over 100 characters', { department: 'd'.repeat(101) }],
    ['a bad member id', { memberId: 'm-1;drop' }],
  ])('refuses %s', (_, override) =>
    spec
      .given([registered])
      .when({ type: 'UpdateMember', memberId: 'm-1', ...override })
      .thenThrows(domainError('BAD_USER_INPUT')),
  );

  test('updating an unregistered member is not found', () =>
    spec
      .given([])
      .when({ type: 'UpdateMember', memberId: 'm-1', displayName: 'Ada' })
      .thenThrows(domainError('NOT_FOUND', 'member m-1 is not registered')));

  test('updating a member who left is a conflict', () =>
    spec
      .given([registered, left])
      .when({ type: 'UpdateMember', memberId: 'm-1', displayName: 'Ada' })
      .thenThrows(domainError('CONFLICT', 'member m-1 has left')));
});

describe('RecordMemberLeft', () => {
  test('records that the member left, with the reason trimmed', () =>
    spec
      .given([registered])
      .when({ type: 'RecordMemberLeft', memberId: 'm-1', reason: ' moved abroad ' })
      .then([{ type: 'MemberLeft', data: { memberId: 'm-1', reason: 'moved abroad' } }]));

  test('without a reason the reason is null', () =>
    spec.given([registered]).when({ type: 'RecordMemberLeft', memberId: 'm-1' }).then([left]));

  test('a blank reason is no reason', () =>
    spec.given([registered]).when({ type: 'RecordMemberLeft', memberId: 'm-1', reason: '   ' }).then([left]));

  test.each([
    ['a reason over 2000 characters', { reason: 'r'.repeat(2001) }],
    ['a reason with a control character', { reason: 'bye\u0008' }],
    ['an empty member id', { memberId: '' }],
  ])('refuses %s', (_, override) =>
    spec
      .given([registered])
      .when({ type: 'RecordMemberLeft', memberId: 'm-1', ...override })
      .thenThrows(domainError('BAD_USER_INPUT')),
  );

  test('an unregistered member cannot leave', () =>
    spec
      .given([])
      .when({ type: 'RecordMemberLeft', memberId: 'm-1' })
      .thenThrows(domainError('NOT_FOUND', 'member m-1 is not registered')));

  test('a member who left cannot leave again', () =>
    spec
      .given([registered, left])
      .when({ type: 'RecordMemberLeft', memberId: 'm-1', reason: 'again' })
      .thenThrows(domainError('CONFLICT', 'member m-1 has left')));
});

describe('member state', () => {
  test('folds registration, updates and leaving', () => {
    expect(
      foldState(memberDecider, [registered, { type: 'MemberUpdated', data: { memberId: 'm-1', displayName: 'Ada King' } }, left]),
    ).toEqual({ status: 'left', memberId: 'm-1', displayName: 'Ada King', department: 'Research' });
  });

  test('an event type this code does not know leaves the state alone', () => {
    expect(foldState(memberDecider, [registered, { type: 'MemberPromoted', data: {} }])).toEqual({
      status: 'active',
      memberId: 'm-1',
      displayName: 'Ada Lovelace',
      department: 'Research',
    });
  });
});

describe('member event schemas', () => {
  test('declare the display name (and the reason for leaving) as the member’s personal data', () => {
    const byType = Object.fromEntries(MEMBER_EVENT_SCHEMAS.map((s) => [s.type, s]));
    expect(Object.keys(byType).sort()).toEqual(['MemberLeft', 'MemberRegistered', 'MemberUpdated']);
    expect(byType['MemberRegistered']?.personal?.fields).toEqual(['displayName']);
    expect(byType['MemberUpdated']?.personal?.fields).toEqual(['displayName']);
    expect(byType['MemberLeft']?.personal?.fields).toEqual(['reason']);
    for (const schema of MEMBER_EVENT_SCHEMAS) expect(schema.personal?.subject({ memberId: 'm-1' })).toBe('m-1');
  });
});
