import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { InvalidAppendError } from '../errors.ts';
import type { EventStore, RecordedEvent } from '../event-store.port.ts';
import { storedMetadataObject, type EventMetadata } from './event-metadata.ts';
import { EventSchemaRegistry } from './event-schema.ts';
import { PersonalDataDecryptionError } from './errors.ts';
import { GovernanceEventStore } from './governance-event-store.ts';
import { sealMetadata, verifyChain, ZERO_HASH } from './integrity.ts';
import {
  decryptValue,
  encryptValue,
  isEnvelope,
  protectPersonalData,
  REDACTED,
  revealPersonalData,
  type KeyStore,
} from './personal-data.ts';

/** Same contract as PostgresKeyStore, in memory: a forgotten subject keeps a tombstone and never gets a new key. */
class InMemoryKeyStore implements KeyStore {
  readonly keys = new Map<string, Buffer | null>();
  getOrCreateKey(subject: string): Promise<Buffer | undefined> {
    if (!this.keys.has(subject)) this.keys.set(subject, randomBytes(32));
    return Promise.resolve(this.keys.get(subject) ?? undefined);
  }
  getKey(subject: string): Promise<Buffer | undefined> {
    return Promise.resolve(this.keys.get(subject) ?? undefined);
  }
  forget(subject: string): Promise<void> {
    this.keys.set(subject, null);
    return Promise.resolve();
  }
  isForgotten(subject: string): Promise<boolean> {
    return Promise.resolve(this.keys.get(subject) === null);
  }
}

const schemas = new EventSchemaRegistry()
  .register<{ memberId: string; statement: unknown; motivation?: unknown }>({
    type: 'StatementGiven',
    personal: { fields: ['statement', 'motivation'], subject: (data) => `member-${data.memberId}` },
  })
  .register({ type: 'CaseClosed' });
const statementSchema = schemas.require('StatementGiven');

const META: EventMetadata = {
  actorId: 'm-1',
  actorRoles: [],
  authority: null,
  reason: null,
  source: 'api',
  correlationId: 'c',
  causationId: null,
  commandId: null,
  occurredAt: '2025-01-01T00:00:00.000Z',
};

describe('personal data', () => {
  test.each([['a statement'], [42], [null], [true], [{ nested: ['x', 1] }], [['a', 'b']]])('any JSON value round-trips: %j', (value) => {
    const key = randomBytes(32);
    expect(decryptValue(key, encryptValue(key, 'member-1', value))).toEqual(value);
  });

  test('the envelope is compact: subject, 12-byte IV, ciphertext and 16-byte tag, base64', () => {
    const envelope = encryptValue(randomBytes(32), 'member-1', 'secret');
    expect(Object.keys(envelope)).toEqual(['$pd']);
    expect(Object.keys(envelope.$pd)).toEqual(['s', 'iv', 'ct', 'tag']);
    expect(Buffer.from(envelope.$pd.iv!, 'base64')).toHaveLength(12);
    expect(Buffer.from(envelope.$pd.tag!, 'base64')).toHaveLength(16);
    expect(JSON.stringify(envelope)).not.toContain('secret');
  });

  test('every encryption uses a fresh IV', () => {
    const key = randomBytes(32);
    expect(encryptValue(key, 's', 'x').$pd.iv).not.toBe(encryptValue(key, 's', 'x').$pd.iv);
  });

  test('without the key the value reads as redacted', () => {
    expect(decryptValue(undefined, encryptValue(randomBytes(32), 's', 'x'))).toBe(REDACTED);
    expect(REDACTED).toBe('[redacted]');
  });

  test('a ciphertext that does not open with an existing key is an error, not a redaction', () => {
    const key = randomBytes(32);
    const envelope = encryptValue(key, 'member-1', 'secret');
    expect(() => decryptValue(randomBytes(32), envelope)).toThrow(PersonalDataDecryptionError);
    // The subject is authenticated: relabelling an envelope for another member is detected.
    expect(() => decryptValue(key, { $pd: { ...envelope.$pd, s: 'member-2' } })).toThrow(PersonalDataDecryptionError);
    const ct = Buffer.from(envelope.$pd.ct!, 'base64');
    ct[0]! ^= 1;
    expect(() => decryptValue(key, { $pd: { ...envelope.$pd, ct: ct.toString('base64') } })).toThrow(PersonalDataDecryptionError);
  });

  test('only declared fields are encrypted, with the subject the schema names', async () => {
    const keys = new InMemoryKeyStore();
    const { stored, readable } = await protectPersonalData(statementSchema, { memberId: '7', statement: 'I saw it', note: 'public' }, (s) =>
      keys.getOrCreateKey(s),
    );
    expect(stored['memberId']).toBe('7');
    expect(stored['note']).toBe('public');
    expect(isEnvelope(stored['statement'])).toBe(true);
    expect(stored['statement']).toMatchObject({ $pd: { s: 'member-7' } });
    expect('motivation' in stored).toBe(false);
    expect(readable).toEqual({ memberId: '7', statement: 'I saw it', note: 'public' });
    expect(await revealPersonalData(stored, (s) => keys.getKey(s))).toEqual(readable);
  });

  test('a personal field that is null stays null, before and after the subject is forgotten', async () => {
    const keys = new InMemoryKeyStore();
    const { stored } = await protectPersonalData(statementSchema, { memberId: '7', statement: null }, (s) => keys.getOrCreateKey(s));
    expect(stored).toEqual({ memberId: '7', statement: null });
    expect(await keys.getKey('member-7')).toBeUndefined();
    await keys.forget('member-7');
    expect(await revealPersonalData(stored, (s) => keys.getKey(s))).toEqual({ memberId: '7', statement: null });
  });

  test('for a forgotten subject the field is stored already redacted and no key is created', async () => {
    const keys = new InMemoryKeyStore();
    await keys.forget('member-7');
    const { stored, readable } = await protectPersonalData(statementSchema, { memberId: '7', statement: 'late' }, (s) =>
      keys.getOrCreateKey(s),
    );
    expect(stored['statement']).toEqual({ $pd: { s: 'member-7' } });
    expect(readable['statement']).toBe(REDACTED);
    expect(await keys.getKey('member-7')).toBeUndefined();
    expect(await revealPersonalData(stored, (s) => keys.getKey(s))).toEqual({ memberId: '7', statement: REDACTED });
  });

  test('what is stored and read back is the JSON round trip of the data, with personal fields or without, whatever it holds', async () => {
    const keys = new InMemoryKeyStore();
    const plain = schemas.require('CaseClosed');
    // Keys that look like array indexes (JavaScript puts them first), lone surrogates, dates, nested values, -0,
    // NaN and infinities, undefined; and objects of plain values only, which skip the parse.
    const key = fc.oneof(fc.string(), fc.constantFrom('0', '10', '2', '__proto__', 'note', 'memberId', 'statement'));
    const primitive = fc.oneof(fc.string({ unit: 'binary' }), fc.double(), fc.integer(), fc.boolean(), fc.constant(null));
    const value = fc.oneof(fc.jsonValue(), primitive, fc.date({ noInvalidDate: true }), fc.constant(-0), fc.constant(undefined));
    const data = fc.oneof(fc.dictionary(key, value), fc.dictionary(key, primitive));
    await fc.assert(
      fc.asyncProperty(data, fc.boolean(), async (generated, personal) => {
        const input = personal ? { ...generated, memberId: '7', statement: generated['statement'] ?? 'said' } : generated;
        fc.pre(!Object.values(input).some((v) => isEnvelope(v)));
        const schema = personal ? statementSchema : plain;
        const { stored, storedText, readable } = await protectPersonalData(schema, input, (s) => keys.getOrCreateKey(s));
        expect(storedText).toBe(JSON.stringify(stored));
        expect(readable).toStrictEqual(JSON.parse(JSON.stringify(input)));
      }),
      { numRuns: 300 },
    );
  });

  test('a plain field that looks like an envelope is refused', async () => {
    const keys = new InMemoryKeyStore();
    await expect(
      protectPersonalData(schemas.require('CaseClosed'), { note: { $pd: { s: 'x' } } }, (s) => keys.getOrCreateKey(s)),
    ).rejects.toThrow(InvalidAppendError);
  });

  test('erasure changes no stored byte: the chain still verifies and the field reads as redacted', async () => {
    const keys = new InMemoryKeyStore();
    const { stored } = await protectPersonalData(statementSchema, { memberId: '7', statement: 'I saw it' }, (s) => keys.getOrCreateKey(s));
    const data = JSON.stringify(stored);
    const id = '0f8e2a52-3d7a-4a39-9c3e-6a1f0b7e9d21';
    const sealed = sealMetadata(storedMetadataObject(META, 1), ZERO_HASH, {
      id,
      streamId: 'privacy-7',
      revision: 0,
      type: 'StatementGiven',
      data,
    });
    const recorded: RecordedEvent = {
      id,
      streamId: 'privacy-7',
      revision: 0,
      type: 'StatementGiven',
      data,
      metadata: sealed.text,
      position: { commit: 1n, prepare: 1n },
      recordedAt: new Date(0),
    };
    const store = new GovernanceEventStore({ store: {} as EventStore, schemas, keys });
    expect((await store.deserialize(recorded)).data).toEqual({ memberId: '7', statement: 'I saw it' });

    await store.forgetSubject('member-7');
    expect((await store.deserialize(recorded)).data).toEqual({ memberId: '7', statement: REDACTED });
    expect(verifyChain([recorded])).toEqual({ ok: true, verifiedEvents: 1 });
  });
});
