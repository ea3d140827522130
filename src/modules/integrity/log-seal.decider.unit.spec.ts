import { foldState } from '#event-store';
import { DeciderSpecification } from '#testing';
import { logSealDecider, type LogSealEvent } from './log-seal.decider.ts';
import type { LogSeal } from './log-seal.ts';

const jwk = (x: string) => ({ kty: 'OKP', crv: 'Ed25519', x });
const adopted = (keyId: string): LogSealEvent => ({
  type: 'LogSealKeyAdopted',
  data: { keyId, algorithm: 'Ed25519', publicKeyJwk: jwk(`x-${keyId}`) },
});
const seal = (eventCount: number, keyId = 'k1'): LogSeal => ({
  position: `${100 + eventCount}:${eventCount}`,
  eventCount,
  rootHash: 'a'.repeat(64),
  sealedAt: `2026-03-01T10:00:${String(eventCount).padStart(2, '0')}.000Z`,
  keyId,
  algorithm: 'Ed25519',
  heads: [
    {
      streamId: 'group-g1',
      revision: 2,
      hash: 'b'.repeat(64),
      order: `${100 + eventCount}:${eventCount}`,
      time: '2026-03-01T09:00:00.000Z',
    },
    { streamId: 'member-m1', revision: 0, hash: 'c'.repeat(64), order: '100:1', time: '2026-03-01T08:00:00.000Z' },
  ],
  signature: 'c2ln',
});

describe('the log_seal streams', () => {
  const spec = DeciderSpecification.for(logSealDecider);

  test('a key is adopted once', () => {
    spec
      .given([])
      .when({ type: 'AdoptSealKey', keyId: 'k1', algorithm: 'Ed25519', publicKeyJwk: jwk('x-k1') })
      .then([adopted('k1')]);
    spec
      .given([adopted('k1')])
      .when({ type: 'AdoptSealKey', keyId: 'k1', algorithm: 'Ed25519', publicKeyJwk: jwk('x-k1') })
      .then([]);
  });

  test('a seal is recorded as sealToJson writes it (heads as one string, a line per head)', () => {
    spec
      .given([])
      .when({ type: 'RecordLogSeal', seal: seal(12) })
      .then([
        {
          type: 'LogSealed',
          data: {
            position: '112:12',
            eventCount: 12,
            rootHash: 'a'.repeat(64),
            sealedAt: '2026-03-01T10:00:12.000Z',
            keyId: 'k1',
            algorithm: 'Ed25519',
            heads: `group-g1 2 ${'b'.repeat(64)} 112:12 2026-03-01T09:00:00.000Z\nmember-m1 0 ${'c'.repeat(64)} 100:1 2026-03-01T08:00:00.000Z`,
            signature: 'c2ln',
          },
        },
      ]);
  });

  test('the keys stream folds to every key adopted and the current one; a rotation back keeps the list', () => {
    expect(foldState(logSealDecider, [adopted('k1'), adopted('k2'), adopted('k1')])).toEqual({
      seals: 0,
      latestSeal: null,
      keys: [
        { keyId: 'k1', algorithm: 'Ed25519', publicKeyJwk: jwk('x-k1') },
        { keyId: 'k2', algorithm: 'Ed25519', publicKeyJwk: jwk('x-k2') },
      ],
      currentKeyId: 'k1',
    });
  });

  test('the seals stream folds to how many seals and the newest as recorded', () => {
    const events = [seal(4), seal(9, 'k2')].map(
      (s) => logSealDecider.decide({ type: 'RecordLogSeal', seal: s }, logSealDecider.initialState)[0]!,
    );
    expect(foldState(logSealDecider, events)).toEqual({
      seals: 2,
      latestSeal: {
        position: '109:9',
        eventCount: 9,
        rootHash: 'a'.repeat(64),
        sealedAt: '2026-03-01T10:00:09.000Z',
        keyId: 'k2',
        algorithm: 'Ed25519',
        signature: 'c2ln',
        changedStreams: 2,
      },
      keys: [],
      currentKeyId: null,
    });
  });

  test('a seal recorded before heads were one string (an array of tuples) counts its changed streams alike', () => {
    const [recorded] = logSealDecider.decide({ type: 'RecordLogSeal', seal: seal(12) }, logSealDecider.initialState);
    const oldForm = { type: 'LogSealed' as const, data: { ...recorded!.data, heads: [['group-g1', 2, 'b'.repeat(64), '1:1', 't']] } };
    expect(foldState(logSealDecider, [oldForm]).latestSeal?.changedStreams).toBe(1);
    expect(foldState(logSealDecider, [recorded!]).latestSeal?.changedStreams).toBe(2);
  });

  test('a seal of the wrong shape (tampered) folds as recorded; an unknown event changes nothing', () => {
    const state = foldState(logSealDecider, [
      { type: 'LogSealed', data: { position: 5, heads: 'none' } },
      { type: 'SomethingNewer', data: {} },
    ]);
    expect(state).toMatchObject({ seals: 1, latestSeal: { position: 5, eventCount: undefined, changedStreams: null } });
  });
});
