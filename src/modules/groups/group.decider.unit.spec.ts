import { foldState } from '#event-store';
import { DeciderSpecification } from '#testing';
import { DomainError } from '../../platform/shared/domain-error.ts';
import { GROUP_EVENT_SCHEMAS, groupDecider, groupStreamId, type GroupEvent } from './group.decider.ts';
import { domainError } from '../../../test/support/domain-error.ts';

const spec = DeciderSpecification.for(groupDecider);

const created: GroupEvent = { type: 'GroupCreated', data: { groupId: 'g-42', name: 'Platform guild' } };
const assigned = (memberId: string): GroupEvent => ({ type: 'GroupOwnerAssigned', data: { groupId: 'g-42', memberId } });
const removed = (memberId: string): GroupEvent => ({ type: 'GroupOwnerRemoved', data: { groupId: 'g-42', memberId } });
const active = { status: 'active' } as const;

describe('group stream id', () => {
  test('is group-<id>', () => expect(groupStreamId('g-42')).toBe('group-g-42'));
  test('refuses an id that would not be a safe stream id', () => expect(() => groupStreamId('g 42')).toThrow(DomainError));
});

describe('CreateGroup', () => {
  test('creates a group with a trimmed name and no owners', () =>
    spec.given([]).when({ type: 'CreateGroup', groupId: 'g-42', name: ' Platform guild ' }).then([created]));

  test('creating twice is a conflict', () =>
    spec
      .given([created])
      .when({ type: 'CreateGroup', groupId: 'g-42', name: 'Another' })
      .thenThrows(domainError('CONFLICT', 'group g-42 already exists')));

  test.each([
    ['an empty group id', { groupId: '' }, 'groupId'],
    ['a group id with a space', { groupId: 'g 42' }, 'groupId'],
    ['a group id with a non-ASCII letter', { groupId: 'gé' }, 'groupId'],
    ['a group id over 100 characters', { groupId: 'g'.repeat(101) }, 'groupId'],
    ['an empty name', { name: '' }, 'name'],
    ['a blank name', { name: ' \t ' }, 'name'],
    ['a name over 200 characters', { name: 'n'.repeat(201) }, 'name'],
    ['a name with a control character', { name: 'Guild\u007f' }, 'name'],
  ])('refuses %s as bad input naming the field', (_, override, field) =>
    spec
      .given([])
      .when({ type: 'CreateGroup', groupId: 'g-42', name: 'Platform guild', ...override })
      .thenThrows(domainError('BAD_USER_INPUT', new RegExp(`^${field} `), field)),
  );

  test('accepts a 200-character name', () =>
    spec
      .given([])
      .when({ type: 'CreateGroup', groupId: 'g-42', name: 'n'.repeat(200) })
      .then([{ type: 'GroupCreated', data: { groupId: 'g-42', name: 'n'.repeat(200) } }]));
});

describe('AssignGroupOwner', () => {
  test('assigns an active member as owner', () =>
    spec
      .given([created])
      .when({ type: 'AssignGroupOwner', groupId: 'g-42', memberId: 'm-1', candidate: active })
      .then([assigned('m-1')]));

  test('a group can have several owners', () =>
    spec
      .given([created, assigned('m-1')])
      .when({ type: 'AssignGroupOwner', groupId: 'g-42', memberId: 'm-2', candidate: active })
      .then([assigned('m-2')]));

  test('assigning an existing owner records nothing', () =>
    spec
      .given([created, assigned('m-1')])
      .when({ type: 'AssignGroupOwner', groupId: 'g-42', memberId: 'm-1', candidate: active })
      .then([]));

  test('an owner removed earlier can be assigned again', () =>
    spec
      .given([created, assigned('m-1'), removed('m-1')])
      .when({ type: 'AssignGroupOwner', groupId: 'g-42', memberId: 'm-1', candidate: active })
      .then([assigned('m-1')]));

  test('a member who is not registered cannot own a group', () =>
    spec
      .given([created])
      .when({ type: 'AssignGroupOwner', groupId: 'g-42', memberId: 'm-9', candidate: { status: 'unregistered' } })
      .thenThrows(domainError('CONFLICT', 'only a registered, active member can own a group (m-9 is not registered)')));

  test('a member who left cannot own a group', () =>
    spec
      .given([created])
      .when({ type: 'AssignGroupOwner', groupId: 'g-42', memberId: 'm-1', candidate: { status: 'left' } })
      .thenThrows(domainError('CONFLICT', 'only a registered, active member can own a group (m-1 has left)')));

  test('an owner who has since left is not confirmed as owner', () =>
    spec
      .given([created, assigned('m-1')])
      .when({ type: 'AssignGroupOwner', groupId: 'g-42', memberId: 'm-1', candidate: { status: 'left' } })
      .thenThrows(domainError('CONFLICT', 'only a registered, active member can own a group (m-1 has left)')));

  test('assigning in a group that does not exist is not found', () =>
    spec
      .given([])
      .when({ type: 'AssignGroupOwner', groupId: 'g-42', memberId: 'm-1', candidate: active })
      .thenThrows(domainError('NOT_FOUND', 'group g-42 does not exist')));

  test.each([
    ['an empty member id', { memberId: '' }, 'memberId'],
    ['a member id with a control character', { memberId: 'm\u00001' }, 'memberId'],
    ['a member id with a quote', { memberId: "m'1" }, 'memberId'],
    ['a bad group id', { groupId: 'g/42' }, 'groupId'],
  ])('refuses %s as bad input', (_, override, field) =>
    spec
      .given([created])
      .when({ type: 'AssignGroupOwner', groupId: 'g-42', memberId: 'm-1', candidate: active, ...override })
      .thenThrows(domainError('BAD_USER_INPUT', undefined, field)),
  );
});

describe('RemoveGroupOwner', () => {
  test('removes an owner', () =>
    spec
      .given([created, assigned('m-1'), assigned('m-2')])
      .when({ type: 'RemoveGroupOwner', groupId: 'g-42', memberId: 'm-1' })
      .then([removed('m-1')]));

  test('removing a member who is not an owner is a conflict', () =>
    spec
      .given([created, assigned('m-2')])
      .when({ type: 'RemoveGroupOwner', groupId: 'g-42', memberId: 'm-1' })
      .thenThrows(domainError('CONFLICT', 'm-1 is not an owner of group g-42')));

  test('removing an owner twice is a conflict', () =>
    spec
      .given([created, assigned('m-1'), removed('m-1')])
      .when({ type: 'RemoveGroupOwner', groupId: 'g-42', memberId: 'm-1' })
      .thenThrows(domainError('CONFLICT', 'm-1 is not an owner of group g-42')));

  test('removing in a group that does not exist is not found', () =>
    spec
      .given([])
      .when({ type: 'RemoveGroupOwner', groupId: 'g-42', memberId: 'm-1' })
      .thenThrows(domainError('NOT_FOUND', 'group g-42 does not exist')));

  test.each([
    ['an empty member id', { memberId: '' }, 'memberId'],
    ['a member id over 100 characters', { memberId: 'm'.repeat(101) }, 'memberId'],
    ['an empty group id', { groupId: '' }, 'groupId'],
  ])('refuses %s as bad input', (_, override, field) =>
    spec
      .given([created, assigned('m-1')])
      .when({ type: 'RemoveGroupOwner', groupId: 'g-42', memberId: 'm-1', ...override })
      .thenThrows(domainError('BAD_USER_INPUT', undefined, field)),
  );
});

describe('group state', () => {
  test('folds creation and owner changes in order', () => {
    expect(foldState(groupDecider, [created, assigned('m-1'), assigned('m-2'), removed('m-1'), assigned('m-3')])).toEqual({
      status: 'active',
      groupId: 'g-42',
      name: 'Platform guild',
      owners: ['m-2', 'm-3'],
    });
  });

  test('an event type this code does not know leaves the state alone', () => {
    expect(foldState(groupDecider, [created, { type: 'GroupRenamed', data: {} }])).toMatchObject({
      status: 'active',
      name: 'Platform guild',
    });
  });

  test('no group event holds personal data', () => {
    expect(GROUP_EVENT_SCHEMAS.map((s) => s.type).sort()).toEqual([
      'GroupCertificationRequirementSet',
      'GroupCreated',
      'GroupOwnerAssigned',
      'GroupOwnerRemoved',
    ]);
    expect(GROUP_EVENT_SCHEMAS.every((s) => s.personal === undefined)).toBe(true);
  });
});

describe('SetGroupCertificationRequirement', () => {
  const requirement = (required: boolean): GroupEvent => ({
    type: 'GroupCertificationRequirementSet',
    data: { groupId: 'g-42', required },
  });
  const set = (required: boolean) => ({ type: 'SetGroupCertificationRequirement' as const, groupId: 'g-42', required });

  test('requiring certification is recorded; requiring it again adds nothing', () => {
    spec
      .given([created])
      .when(set(true))
      .then([requirement(true)]);
    spec
      .given([created, requirement(true)])
      .when(set(true))
      .then([]);
  });

  test('a new group requires none, so lifting a requirement that was never set adds nothing', () => {
    spec.given([created]).when(set(false)).then([]);
    spec
      .given([created, requirement(true)])
      .when(set(false))
      .then([requirement(false)]);
  });

  test('an unknown group is NOT_FOUND; a non-boolean is bad input', () => {
    spec.given([]).when(set(true)).thenThrows(domainError('NOT_FOUND', 'group g-42 does not exist'));
    spec
      .given([created])
      .when({ type: 'SetGroupCertificationRequirement', groupId: 'g-42', required: 'yes' as unknown as boolean })
      .thenThrows(domainError('BAD_USER_INPUT', 'required must be true or false', 'required'));
  });

  test('the folded state carries the requirement', () => {
    expect(foldState(groupDecider, [created, requirement(true)])).toMatchObject({ status: 'active', requiresCertification: true });
  });
});
