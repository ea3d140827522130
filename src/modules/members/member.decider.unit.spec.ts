import { foldState } from '#event-store';
import { DeciderSpecification } from '#testing';
import { DomainError } from '../../platform/shared/domain-error.ts';
import { MEMBER_EVENT_SCHEMAS, memberDecider, memberStreamId, type MemberEvent, type MemberRegistered } from './member.decider.ts';
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
  test('declare the display name, the directory’s personal attributes (and the reason for leaving) as the member’s personal data', () => {
    const byType = Object.fromEntries(MEMBER_EVENT_SCHEMAS.map((s) => [s.type, s]));
    expect(Object.keys(byType).sort()).toEqual(['MemberLeft', 'MemberRegistered', 'MemberUpdated']);
    // externalId is the directory's id for the member, not about them: it stays readable after an erasure.
    expect(byType['MemberRegistered']?.personal?.fields).toEqual(['displayName', 'userName', 'emails', 'preferredLanguage']);
    expect(byType['MemberUpdated']?.personal?.fields).toEqual(['displayName', 'userName', 'emails', 'preferredLanguage']);
    expect(byType['MemberLeft']?.personal?.fields).toEqual(['reason']);
    for (const schema of MEMBER_EVENT_SCHEMAS) expect(schema.personal?.subject({ memberId: 'm-1' })).toBe('m-1');
  });
});

describe('directory attributes (SCIM)', () => {
  const work = { value: 'ada@example.org', type: 'work', primary: true } as const;
  const home = { value: 'ada@home.example', type: 'home', primary: false } as const;
  const provisioned: MemberRegistered = {
    type: 'MemberRegistered',
    data: {
      memberId: 'm-1',
      displayName: 'Ada Lovelace',
      department: 'Research',
      userName: 'Ada@Example.org',
      externalId: 'dir-42',
      emails: [work],
      preferredLanguage: 'en-GB',
    },
  };

  test('registers a member with the attributes the directory gave, trimmed, type and primary defaulted', () =>
    spec
      .given([])
      .when({
        type: 'RegisterMember',
        memberId: 'm-1',
        displayName: 'Ada Lovelace',
        department: 'Research',
        userName: ' Ada@Example.org ',
        externalId: 'dir-42',
        emails: [{ value: ' ada@example.org', type: 'Work', primary: true }, { value: 'a@b' }],
        preferredLanguage: 'en-GB',
      })
      .then([
        {
          type: 'MemberRegistered',
          data: { ...provisioned.data, emails: [work, { value: 'a@b', type: null, primary: false }] },
        },
      ]));

  test('registers with some attributes only: the others are absent, and an empty e-mail list is no list', () =>
    spec
      .given([])
      .when({
        type: 'RegisterMember',
        memberId: 'm-1',
        displayName: 'Ada Lovelace',
        department: 'Research',
        externalId: 'dir-42',
        userName: null,
        emails: [],
      })
      .then([
        { type: 'MemberRegistered', data: { memberId: 'm-1', displayName: 'Ada Lovelace', department: 'Research', externalId: 'dir-42' } },
      ]));

  test('an update records only the attributes that changed', () =>
    spec
      .given([provisioned])
      .when({
        type: 'UpdateMember',
        memberId: 'm-1',
        displayName: 'Ada Lovelace',
        userName: 'Ada@Example.org',
        externalId: 'dir-42',
        emails: [work, home],
        preferredLanguage: 'nl-NL',
      })
      .then([{ type: 'MemberUpdated', data: { memberId: 'm-1', emails: [work, home], preferredLanguage: 'nl-NL' } }]));

  test('attributes alone are enough for an update, also for a member registered without any', () =>
    spec
      .given([registered])
      .when({ type: 'UpdateMember', memberId: 'm-1', userName: 'ada', externalId: 'dir-42' })
      .then([{ type: 'MemberUpdated', data: { memberId: 'm-1', userName: 'ada', externalId: 'dir-42' } }]));

  test('the user name compares exactly: a new capitalisation is a change', () =>
    spec
      .given([provisioned])
      .when({ type: 'UpdateMember', memberId: 'm-1', userName: 'ada@example.org' })
      .then([{ type: 'MemberUpdated', data: { memberId: 'm-1', userName: 'ada@example.org' } }]));

  test('the same update sent twice appends nothing the second time', () => {
    const update = {
      type: 'UpdateMember',
      memberId: 'm-1',
      displayName: 'Ada King',
      userName: 'ada.king@example.org',
      emails: [{ value: 'ada.king@example.org', type: 'work', primary: true }],
      preferredLanguage: 'nl-NL',
    } as const;
    const first: MemberEvent = {
      type: 'MemberUpdated',
      data: {
        memberId: 'm-1',
        displayName: 'Ada King',
        userName: 'ada.king@example.org',
        emails: [{ value: 'ada.king@example.org', type: 'work', primary: true }],
        preferredLanguage: 'nl-NL',
      },
    };
    spec.given([provisioned]).when(update).then([first]);
    spec.given([provisioned, first]).when(update).then([]);
  });

  test('an empty e-mail list removes the addresses, and changes nothing for a member without any', () => {
    spec
      .given([provisioned])
      .when({ type: 'UpdateMember', memberId: 'm-1', emails: [] })
      .then([{ type: 'MemberUpdated', data: { memberId: 'm-1', emails: [] } }]);
    spec.given([registered]).when({ type: 'UpdateMember', memberId: 'm-1', emails: [] }).then([]);
  });

  test('the e-mail list compares in order and field by field', () => {
    spec
      .given([provisioned])
      .when({ type: 'UpdateMember', memberId: 'm-1', emails: [{ ...work, primary: false }] })
      .then([{ type: 'MemberUpdated', data: { memberId: 'm-1', emails: [{ ...work, primary: false }] } }]);
    const both: MemberEvent = { type: 'MemberUpdated', data: { memberId: 'm-1', emails: [work, home] } };
    spec
      .given([provisioned, both])
      .when({ type: 'UpdateMember', memberId: 'm-1', emails: [home, work] })
      .then([{ type: 'MemberUpdated', data: { memberId: 'm-1', emails: [home, work] } }]);
  });

  test('an update giving no field at all is still refused, attributes null included', () =>
    spec
      .given([provisioned])
      .when({ type: 'UpdateMember', memberId: 'm-1', userName: null, externalId: null, emails: null, preferredLanguage: null })
      .thenThrows(domainError('BAD_USER_INPUT', 'give a displayName or a department to change')));

  const tooMany = Array.from({ length: 11 }, (_, i) => ({ value: `a${i}@example.org` }));
  test.each([
    ['an empty user name', { userName: ' ' }, 'userName'],
    ['a user name over 256 characters', { userName: 'u'.repeat(257) }, 'userName'],
    ['a user name with a control character', { userName: 'ada\u0000' }, 'userName'],
    ['a user name that is not text', { userName: 42 }, 'userName'],
    ['an empty external id', { externalId: '' }, 'externalId'],
    ['an external id over 256 characters', { externalId: 'x'.repeat(257) }, 'externalId'],
    ['e-mails that are not a list', { emails: 'ada@example.org' }, 'emails'],
    ['more than 10 e-mails', { emails: tooMany }, 'emails'],
    ['two primary e-mails', { emails: [work, { ...home, primary: true }] }, 'emails'],
    ['an e-mail that is not an object', { emails: ['ada@example.org'] }, 'emails[0]'],
    ['an e-mail without a value', { emails: [work, { type: 'work' }] }, 'emails[1].value'],
    ['an e-mail value that is no address', { emails: [{ value: 'ada at example.org' }] }, 'emails[0].value'],
    ['an e-mail value with no local part', { emails: [{ value: '@example.org' }] }, 'emails[0].value'],
    ['an e-mail value over 254 characters', { emails: [{ value: `${'a'.repeat(250)}@b.nl` }] }, 'emails[0].value'],
    ['an e-mail type SCIM does not know', { emails: [{ value: 'a@b', type: 'office' }] }, 'emails[0].type'],
    ['an e-mail primary that is not a boolean', { emails: [{ value: 'a@b', primary: 'yes' }] }, 'emails[0].primary'],
    ['a preferred language that is no tag', { preferredLanguage: 'Dutch (NL)' }, 'preferredLanguage'],
    ['a preferred language of one letter', { preferredLanguage: 'n' }, 'preferredLanguage'],
    ['a preferred language over 35 characters', { preferredLanguage: `nl-${'x'.repeat(33)}` }, 'preferredLanguage'],
  ])('refuses %s as bad input naming the field, registering and updating', (_, override, field) => {
    const refused = domainError('BAD_USER_INPUT', new RegExp(`^${field.replace(/[[\]]/g, '\\$&')} `), field);
    spec
      .given([])
      .when({ type: 'RegisterMember', memberId: 'm-1', displayName: 'Ada', department: 'Research', ...(override as object) })
      .thenThrows(refused);
    spec
      .given([provisioned])
      .when({ type: 'UpdateMember', memberId: 'm-1', ...(override as object) })
      .thenThrows(refused);
  });

  test('accepts the longest allowed values', () => {
    const longest = {
      userName: 'u'.repeat(256),
      externalId: 'x'.repeat(256),
      emails: Array.from({ length: 10 }, (_, i) => ({ value: `${'a'.repeat(249)}@b.n${i}`, type: null, primary: i === 0 })),
      preferredLanguage: `nl-${'x'.repeat(8)}-${'y'.repeat(8)}-${'z'.repeat(8)}-abcde`,
    };
    expect(longest.emails[0]!.value).toHaveLength(254);
    expect(longest.preferredLanguage).toHaveLength(35);
    spec
      .given([])
      .when({ type: 'RegisterMember', memberId: 'm-1', displayName: 'Ada', department: 'Research', ...longest })
      .then([{ type: 'MemberRegistered', data: { memberId: 'm-1', displayName: 'Ada', department: 'Research', ...longest } }]);
  });

  test('the state keeps the attributes, and events without them (written before they existed) fold as before', () => {
    expect(foldState(memberDecider, [registered, { type: 'MemberUpdated', data: { memberId: 'm-1', department: 'Sales' } }])).toStrictEqual(
      {
        status: 'active',
        memberId: 'm-1',
        displayName: 'Ada Lovelace',
        department: 'Sales',
      },
    );
    expect(
      foldState(memberDecider, [provisioned, { type: 'MemberUpdated', data: { memberId: 'm-1', externalId: 'dir-43', emails: [] } }, left]),
    ).toStrictEqual({
      status: 'left',
      memberId: 'm-1',
      displayName: 'Ada Lovelace',
      department: 'Research',
      userName: 'Ada@Example.org',
      externalId: 'dir-43',
      emails: [],
      preferredLanguage: 'en-GB',
    });
  });

  test('after an erasure the attributes read "[redacted]" (the list too): the stream still folds, and new values are a change', () => {
    const erased: MemberEvent = {
      type: 'MemberRegistered',
      data: {
        ...provisioned.data,
        displayName: '[redacted]',
        userName: '[redacted]',
        emails: '[redacted]',
        preferredLanguage: '[redacted]',
      },
    };
    expect(foldState(memberDecider, [erased])).toMatchObject({ status: 'active', emails: '[redacted]', externalId: 'dir-42' });
    spec
      .given([erased])
      .when({ type: 'UpdateMember', memberId: 'm-1', externalId: 'dir-42', emails: [work] })
      .then([{ type: 'MemberUpdated', data: { memberId: 'm-1', emails: [work] } }]);
  });
});
