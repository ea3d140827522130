import { generateKeyPairSync } from 'node:crypto';
import fc from 'fast-check';
import { BreakList, SealCheck } from './integrity-check.ts';
import { LogFold, type LeafFields } from './log-fold.ts';
import { signSeal, type LogSeal } from './log-seal.ts';
import { keyIdOf, publicJwkOf } from './seal-keys.ts';

const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const keyId = keyIdOf(publicJwkOf(publicKey));
const keys = new Map([[keyId, publicKey]]);

/** A valid history: events of a few streams in log order, revisions consecutive per stream, positions increasing. */
const history = fc
  .array(
    fc.record({
      stream: fc.integer({ min: 0, max: 4 }),
      gap: fc.integer({ min: 1, max: 3 }),
      hash: fc.uint8Array({ minLength: 4, maxLength: 4 }),
    }),
    {
      minLength: 1,
      maxLength: 40,
    },
  )
  .map((steps) => {
    const revisions = new Map<number, number>();
    let commit = 100;
    return steps.map((step, index): LeafFields => {
      const revision = (revisions.get(step.stream) ?? -1) + 1;
      revisions.set(step.stream, revision);
      commit += step.gap;
      return {
        hash: Buffer.from(step.hash).toString('hex').padEnd(64, '0'),
        position: `${commit}:${index + 1}`,
        streamId: `case-${step.stream}`,
        revision,
        recordedAt: new Date(Date.UTC(2026, 0, 1) + index * 1000).toISOString(),
      };
    });
  });

/** Seals after the events at the given cut points (as the sealer would), all events sealed by the last one. */
function sealed(events: readonly LeafFields[], cuts: readonly number[]): LogSeal[] {
  const fold = new LogFold();
  const seals: LogSeal[] = [];
  const points = new Set([...cuts.map((c) => c % events.length), events.length - 1]);
  events.forEach((event, index) => {
    fold.add(event);
    if (!points.has(index)) return;
    seals.push(
      signSeal(
        {
          position: event.position,
          eventCount: fold.eventCount,
          rootHash: fold.tree.root().toString('hex'),
          sealedAt: event.recordedAt,
          keyId,
          algorithm: 'Ed25519',
          heads: fold.takeTouchedHeads(),
        },
        privateKey,
      ),
    );
  });
  return seals;
}

function check(events: readonly LeafFields[], seals: readonly LogSeal[]) {
  const breaks = new BreakList();
  const checker = new SealCheck({ keys, breaks });
  for (const seal of seals) checker.queue(seal);
  for (const event of events) checker.add(event);
  return { breaks: breaks.items, ...checker.finish() };
}

type Mutation = (events: LeafFields[], index: number) => LeafFields[];
const mutations: Record<string, Mutation> = {
  'edit the hash': (events, i) =>
    events.map((e, j) => (j === i ? { ...e, hash: e.hash.replace(/^./, (c) => (c === 'f' ? '0' : 'f')) } : e)),
  backdate: (events, i) =>
    events.map((e, j) => (j === i ? { ...e, recordedAt: new Date(Date.parse(e.recordedAt) - 300 * 86_400_000).toISOString() } : e)),
  'move within the log': (events, i) =>
    events.map((e, j) => (j === i ? { ...e, position: `${e.position.split(':')[0]}:${9_000_000 + j}` } : e)),
  delete: (events, i) => events.filter((_, j) => j !== i),
  'swap with the next': (events, i) => {
    if (i + 1 >= events.length) return events.filter((_, j) => j !== i);
    const copy = [...events];
    // Each keeps the other's place in the log: what swapping positions in the table does.
    copy[i] = { ...events[i + 1]!, position: events[i]!.position };
    copy[i + 1] = { ...events[i]!, position: events[i + 1]!.position };
    return copy;
  },
  'renumber the revision': (events, i) => events.map((e, j) => (j === i ? { ...e, revision: e.revision + 7 } : e)),
};

describe('seal check', () => {
  test('property: a valid history always verifies against its seals, wherever they were cut', () => {
    fc.assert(
      fc.property(history, fc.array(fc.nat(), { maxLength: 5 }), (events, cuts) => {
        const seals = sealed(events, cuts);
        const result = check(events, seals);
        expect(result.breaks).toEqual([]);
        expect(result.latestSeal).toEqual(seals.at(-1));
        expect(result.unsealedEvents).toBe(0);
      }),
    );
  });

  test('property: any single mutation of a sealed event never verifies', () => {
    fc.assert(
      fc.property(
        history,
        fc.array(fc.nat(), { maxLength: 5 }),
        fc.nat(),
        fc.constantFrom(...Object.keys(mutations)),
        (events, cuts, at, name) => {
          const seals = sealed(events, cuts);
          const mutated = mutations[name]!([...events], at % events.length);
          fc.pre(JSON.stringify(mutated) !== JSON.stringify(events));
          expect(check(mutated, seals).breaks.length).toBeGreaterThan(0);
        },
      ),
    );
  });

  test('a seal signed with another key, or altered after signing, is a BAD_SEAL and verifies nothing', () => {
    const events = fc.sample(history, { numRuns: 1, seed: 42 })[0]!;
    const [seal] = sealed(events, []);
    const other = generateKeyPairSync('ed25519');
    const forged = signSeal({ ...seal!, rootHash: 'f'.repeat(64) }, other.privateKey);
    expect(check(events, [forged]).breaks).toEqual([
      expect.objectContaining({ kind: 'BAD_SEAL', detail: expect.stringMatching(/does not verify/) }),
    ]);
    const altered = { ...seal!, eventCount: seal!.eventCount + 1 };
    expect(check(events, [altered])).toMatchObject({ breaks: [expect.objectContaining({ kind: 'BAD_SEAL' })], latestSeal: undefined });
  });
});
