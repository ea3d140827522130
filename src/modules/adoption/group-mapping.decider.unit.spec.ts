import { foldState } from '#event-store';
import { DeciderSpecification } from '#testing';
import { domainError } from '../../../test/support/domain-error.ts';
import {
  GROUP_MAPPING_EVENT_SCHEMAS,
  groupMappingDecider,
  groupMappingStreamId,
  type ExternalGroupMapped,
  type ExternalGroupUnmapped,
  type MapExternalGroup,
  type UnmapExternalGroup,
} from './group-mapping.decider.ts';
import type { ActivityReportFormat } from './group-activity.decider.ts';

const spec = DeciderSpecification.for(groupMappingDecider);

const AT = '2026-12-01T09:00:00.000Z';
const GUID = '6e3f1c2a-9b7d-4f0e-8a1b-2c3d4e5f6a7b';

const map = (override: Partial<MapExternalGroup> = {}): MapExternalGroup => ({
  type: 'MapExternalGroup',
  format: 'GENERIC',
  externalId: GUID,
  externalName: 'Verkoop Nederland',
  groupId: 'g-sales',
  groupExists: true,
  actorId: 'cm-1',
  at: AT,
  ...override,
});
const unmap = (override: Partial<UnmapExternalGroup> = {}): UnmapExternalGroup => ({
  type: 'UnmapExternalGroup',
  format: 'GENERIC',
  externalId: GUID,
  externalName: 'Verkoop Nederland',
  groupId: 'g-sales',
  actorId: 'cm-2',
  at: AT,
  ...override,
});
const mapped = (override: Partial<ExternalGroupMapped['data']> = {}): ExternalGroupMapped => ({
  type: 'ExternalGroupMapped',
  data: {
    format: 'GENERIC',
    externalId: GUID,
    externalName: 'Verkoop Nederland',
    groupId: 'g-sales',
    mappedBy: 'cm-1',
    mappedAt: AT,
    ...override,
  },
});
const unmapped = (override: Partial<ExternalGroupUnmapped['data']> = {}): ExternalGroupUnmapped => ({
  type: 'ExternalGroupUnmapped',
  data: {
    format: 'GENERIC',
    externalId: GUID,
    externalName: 'Verkoop Nederland',
    groupId: 'g-sales',
    unmappedBy: 'cm-2',
    unmappedAt: AT,
    ...override,
  },
});

describe('group mapping stream id', () => {
  test('is one stream per platform: group_mapping-<format>', () =>
    expect(groupMappingStreamId('VIVA_ENGAGE_GROUPS_ACTIVITY')).toBe('group_mapping-VIVA_ENGAGE_GROUPS_ACTIVITY'));
  test('refuses a format that is none of the report formats', () =>
    expect(() => groupMappingStreamId('SLACK' as ActivityReportFormat)).toThrow(/format must be one of/));
});

describe('MapExternalGroup', () => {
  test('given no mappings, maps the id and the name (trimmed) with who and when', () =>
    spec
      .given([])
      .when(map({ externalName: '  Verkoop Nederland ' }))
      .then([mapped()]));

  test('given the same mapping, records nothing, whoever asks and however the name is cased', () =>
    spec
      .given([mapped()])
      .when(map({ externalName: 'VERKOOP nederland', actorId: 'cm-2' }))
      .then([]));

  test('given the id mapped already, maps only the new name: each event says what changed', () =>
    spec
      .given([mapped({ externalName: null })])
      .when(map())
      .then([mapped({ externalId: null })]));

  test('a group may have more than one external id (the platform recreated it)', () =>
    spec
      .given([mapped({ externalName: null })])
      .when(map({ externalId: 'old-1', externalName: null }))
      .then([mapped({ externalId: 'old-1', externalName: null })]));

  test('given the id mapped to another group, refuses as CONFLICT naming that group', () =>
    spec
      .given([mapped({ groupId: 'g-eng', externalName: null })])
      .when(map())
      .thenThrows(domainError('CONFLICT', `external group id ${GUID} is already mapped to group g-eng`, 'externalId')));

  test('given the name (in another case) mapped to another group, refuses as CONFLICT naming that group', () =>
    spec
      .given([mapped({ groupId: 'g-eng', externalId: null, externalName: 'verkoop NEDERLAND' })])
      .when(map({ externalId: null }))
      .thenThrows(domainError('CONFLICT', /name "Verkoop Nederland" is already mapped to group g-eng/, 'externalName')));

  test('given the mapping was removed, the id may map to another group', () =>
    spec
      .given([mapped(), unmapped()])
      .when(map({ groupId: 'g-eng' }))
      .then([mapped({ groupId: 'g-eng' })]));

  test('for Viva Engage, whose report names groups only, maps a name', () =>
    spec
      .given([])
      .when(map({ format: 'VIVA_ENGAGE_GROUPS_ACTIVITY', externalId: null }))
      .then([mapped({ format: 'VIVA_ENGAGE_GROUPS_ACTIVITY', externalId: null })]));

  test('an id or a name that is also a property of every object ("constructor") is just a key', () =>
    spec
      .given([])
      .when(map({ externalId: 'constructor', externalName: '__proto__' }))
      .then([mapped({ externalId: 'constructor', externalName: '__proto__' })]));

  test('...and once mapped, is remembered like any other key', () =>
    spec
      .given([mapped({ externalId: 'constructor', externalName: '__proto__' })])
      .when(map({ externalId: 'constructor', externalName: '__proto__', groupId: 'g-eng' }))
      .thenThrows(domainError('CONFLICT', /already mapped to group g-sales/, 'externalId')));

  test('a group that does not exist is NOT_FOUND', () =>
    spec
      .given([])
      .when(map({ groupExists: false, groupId: 'g-nowhere' }))
      .thenThrows(domainError('NOT_FOUND', 'group g-nowhere does not exist', 'groupId')));

  test.each([
    ['neither an id nor a name', { externalId: null, externalName: null }, 'externalId'],
    ['an external id with a space', { externalId: 'a b' }, 'externalId'],
    ['an empty name', { externalId: null, externalName: '   ' }, 'externalName'],
    ['a name too long', { externalName: 'x'.repeat(201) }, 'externalName'],
    ['a name with a control character', { externalName: 'Sales\u0007' }, 'externalName'],
    ['a malformed group id', { groupId: 'g sales' }, 'groupId'],
    ['an id for Viva Engage, whose report carries none', { format: 'VIVA_ENGAGE_GROUPS_ACTIVITY' as const }, 'externalId'],
    ['an unknown format', { format: 'SLACK' as ActivityReportFormat }, 'format'],
  ])('refuses %s as bad input naming the field', (_, override, field) =>
    spec
      .given([])
      .when(map(override))
      .thenThrows(domainError('BAD_USER_INPUT', undefined, field)),
  );
});

describe('UnmapExternalGroup', () => {
  test('given the id and name mapped to the group, removes both with who and when', () =>
    spec.given([mapped()]).when(unmap()).then([unmapped()]));

  test('given only the name mapped, removes the name and says only that', () =>
    spec
      .given([mapped({ externalId: null })])
      .when(unmap())
      .then([unmapped({ externalId: null })]));

  test('given nothing mapped (or removed already), records nothing', () => spec.given([mapped(), unmapped()]).when(unmap()).then([]));

  test('given the key mapped to another group, refuses as CONFLICT naming it, and removes nothing', () =>
    spec
      .given([mapped({ groupId: 'g-eng' })])
      .when(unmap())
      .thenThrows(domainError('CONFLICT', `external group id ${GUID} is mapped to group g-eng`, 'externalId')));

  test('refuses neither an id nor a name as bad input', () =>
    spec
      .given([mapped()])
      .when(unmap({ externalId: null, externalName: null }))
      .thenThrows(domainError('BAD_USER_INPUT', undefined, 'externalId')));
});

describe('state', () => {
  test('the group each id and each matchable name maps to, for streamStateAt', () => {
    const state = foldState(groupMappingDecider, [
      mapped(),
      mapped({ externalId: 'x-2', externalName: 'Engineering', groupId: 'g-eng' }),
      unmapped({ externalName: null }),
    ]);
    expect(state).toEqual({ byId: { 'x-2': 'g-eng' }, byName: { 'verkoop nederland': 'g-sales', engineering: 'g-eng' } });
  });

  test('an event type from a newer version changes nothing', () => {
    const state = foldState(groupMappingDecider, [mapped(), { type: 'ExternalGroupRenamed', data: {} }]);
    expect(state.byId).toEqual({ [GUID]: 'g-sales' });
  });
});

describe('event schemas', () => {
  test('nothing is encrypted: platform keys and group ids only', () =>
    expect(GROUP_MAPPING_EVENT_SCHEMAS).toEqual([{ type: 'ExternalGroupMapped' }, { type: 'ExternalGroupUnmapped' }]));
});
