import type { EventStore, RecordedEvent } from '../event-store.port.ts';
import { EventSchemaDefinitionError, MissingUpcasterError, UnknownEventTypeError, UnsupportedSchemaVersionError } from './errors.ts';
import { EventSchemaRegistry } from './event-schema.ts';
import { GovernanceEventStore } from './governance-event-store.ts';
import type { KeyStore } from './personal-data.ts';
import { upcast } from './upcasters.ts';

// v1: { name }  →  v2: { displayName }  →  v3: { displayName, pronouns }
function registry(): EventSchemaRegistry {
  return new EventSchemaRegistry().register({
    type: 'MemberRenamed',
    schemaVersion: 3,
    upcasters: {
      1: ({ name, ...rest }) => ({ ...rest, displayName: name }),
      2: (data) => ({ ...data, pronouns: null }),
    },
  });
}

const noKeys: KeyStore = {
  getOrCreateKey: () => Promise.reject(new Error('not used')),
  getKey: () => Promise.resolve(undefined),
  forget: () => Promise.resolve(),
  isForgotten: () => Promise.resolve(false),
};

function recorded(type: string, data: object, metadata: object): RecordedEvent {
  return {
    id: '6f1c1f4e-8d5e-4f5a-9c43-1c1b5d2f7a10',
    streamId: 'member-1',
    revision: 0,
    type,
    data: JSON.stringify(data),
    metadata: JSON.stringify(metadata),
    position: { commit: 1n, prepare: 1n },
    recordedAt: new Date('2025-01-01T00:00:00Z'),
  };
}

describe('upcasting', () => {
  test('applies upcasters in order up to the current version', () => {
    const schema = registry().get('MemberRenamed');
    expect(upcast(schema, 'MemberRenamed', 1, { memberId: 'm1', name: 'Ada' })).toEqual({
      schemaVersion: 3,
      data: { memberId: 'm1', displayName: 'Ada', pronouns: null },
    });
    expect(upcast(schema, 'MemberRenamed', 2, { displayName: 'Ada' })).toEqual({
      schemaVersion: 3,
      data: { displayName: 'Ada', pronouns: null },
    });
  });

  test('data already at the current version is returned as it is', () => {
    const data = { displayName: 'Ada', pronouns: 'she/her' };
    expect(upcast(registry().get('MemberRenamed'), 'MemberRenamed', 3, data)).toEqual({ schemaVersion: 3, data });
  });

  test('an unknown type passes through unchanged at its stored version', () => {
    const data = { anything: true };
    expect(upcast(undefined, 'RetiredEvent', 4, data)).toEqual({ schemaVersion: 4, data });
  });

  test('a stored version newer than the registry knows is a typed error', () => {
    expect(() => upcast(registry().get('MemberRenamed'), 'MemberRenamed', 4, {})).toThrow(UnsupportedSchemaVersionError);
  });

  test('a missing step is a typed error', () => {
    const schemas = new EventSchemaRegistry().register({ type: 'X', schemaVersion: 3, upcasters: { 2: (d) => d } });
    expect(() => upcast(schemas.get('X'), 'X', 1, {})).toThrow(MissingUpcasterError);
    expect(upcast(schemas.get('X'), 'X', 2, { a: 1 })).toEqual({ schemaVersion: 3, data: { a: 1 } });
  });

  test('the registry refuses inconsistent definitions', () => {
    expect(() => new EventSchemaRegistry().register({ type: 'A' }).register({ type: 'A' })).toThrow(EventSchemaDefinitionError);
    expect(() => new EventSchemaRegistry().register({ type: 'A', schemaVersion: 0 })).toThrow(EventSchemaDefinitionError);
    expect(() => new EventSchemaRegistry().register({ type: 'A', schemaVersion: 2, upcasters: { 2: (d) => d } })).toThrow(
      EventSchemaDefinitionError,
    );
    expect(() => new EventSchemaRegistry().register({ type: 'A', personal: { fields: [], subject: () => 's' } })).toThrow(
      EventSchemaDefinitionError,
    );
    expect(() => new EventSchemaRegistry().registerUpcaster('Nope', 1, (d) => d)).toThrow(EventSchemaDefinitionError);
    expect(() => new EventSchemaRegistry().require('Nope')).toThrow(UnknownEventTypeError);
  });

  test('upcasters can be registered apart from the schema', () => {
    const schemas = new EventSchemaRegistry()
      .register({ type: 'A', schemaVersion: 2 })
      .registerUpcaster('A', 1, (d) => ({ ...d, v2: true }));
    expect(upcast(schemas.get('A'), 'A', 1, {}).data).toEqual({ v2: true });
  });

  test('deserialize reads an old stored event at the current version, with its metadata', async () => {
    const store = new GovernanceEventStore({ store: {} as EventStore, schemas: registry(), keys: noKeys });
    const metadata = {
      actorId: 'admin-1',
      actorRoles: ['admin'],
      authority: 'role admin',
      reason: 'typo',
      source: 'api',
      correlationId: 'corr-1',
      causationId: null,
      commandId: 'cmd-1',
      occurredAt: '2024-05-01T10:00:00.000Z',
      schemaVersion: 1,
    };
    const event = await store.deserialize(recorded('MemberRenamed', { memberId: 'm1', name: 'Ada' }, metadata));
    expect(event).toMatchObject({
      type: 'MemberRenamed',
      schemaVersion: 3,
      data: { memberId: 'm1', displayName: 'Ada', pronouns: null },
      metadata: { actorId: 'admin-1', actorRoles: ['admin'], commandId: 'cmd-1', occurredAt: '2024-05-01T10:00:00.000Z' },
      hash: null,
    });
  });

  test('deserialize shows an event of an unknown type as stored, and a too-new one as an error', async () => {
    const store = new GovernanceEventStore({ store: {} as EventStore, schemas: registry(), keys: noKeys });
    const old = await store.deserialize(recorded('LegacyThing', { x: 1 }, { schemaVersion: 7 }));
    expect(old).toMatchObject({ type: 'LegacyThing', schemaVersion: 7, data: { x: 1 }, metadata: { actorId: null, actorRoles: [] } });
    await expect(store.deserialize(recorded('MemberRenamed', {}, { schemaVersion: 9 }))).rejects.toThrow(UnsupportedSchemaVersionError);
  });
});
